"""Escalation planning: what a due timer means, given the state it belongs to.

Pure: no store, no time source. The sweep (``workflow.service.sweep``) claims due rows and
asks :func:`plan` what to do with each; this module knows the flow language's semantics of
``escalate`` steps and notice windows and nothing about how they are stored.

An objection's handling deadline has fixed steps (:data:`OBJECTION_STEPS`): a reminder to the
examining secretariat at 80% of the period, an escalation to the level's council chair and
head at 100%, and at 150% to them and to the chair and head of the level above.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from workflow.calendar import WorkingCalendar
from workflow.catalogue import ObjectionKind
from workflow.flow import EscalationStep, RoleRef, StateSpec

__all__ = ["OBJECTION_STEPS", "Action", "ObjectionStep", "objection_due", "objection_period",
           "objection_step", "objection_steps", "plan"]


@dataclass(frozen=True)
class ObjectionStep:
    """One step of an objection's deadline: at ``percent`` of the period, a ``message``
    (``reminder`` before the deadline, ``escalation`` from it) to ``roles`` at the examining
    unit (and at the unit above it too when ``above``)."""

    percent: int
    message: str
    roles: tuple[str, ...]
    above: bool = False

    @property
    def audit(self) -> str:
        return "escalated" if self.message == "escalation" else "reminded"


OBJECTION_STEPS = (
    ObjectionStep(80, "reminder", ("secretariat",)),
    ObjectionStep(100, "escalation", ("council_chair", "unit_head")),
    ObjectionStep(150, "escalation", ("council_chair", "unit_head"), above=True),
)


def objection_period(kind: ObjectionKind, extended: bool) -> int:
    """The handling period in working days: the kind's, plus its extension once taken."""
    return kind.days + (kind.extension if extended else 0)


def objection_steps(kind: ObjectionKind, extended: bool = False) -> list[tuple[int, int]]:
    """``(percent, working days after filing)`` of each step: N% of the period, rounded up
    (100% is the deadline itself)."""
    period = objection_period(kind, extended)
    return [(s.percent, -(-s.percent * period // 100)) for s in OBJECTION_STEPS]


def objection_due(calendar: WorkingCalendar, kind: ObjectionKind, filed_at: datetime,
                  extended: bool = False) -> datetime:
    """The handling deadline: the end of the period's last working day, the filing day not
    counted (Civil Code Art 147), on the item's working calendar."""
    return calendar.due(filed_at, objection_period(kind, extended), working=True)


def objection_step(percent: int) -> ObjectionStep | None:
    return next((s for s in OBJECTION_STEPS if s.percent == percent), None)


@dataclass(frozen=True)
class Action:
    """What one due timer does.

    ``kind`` is ``window`` (a notice window ended), ``step`` (an escalation step) or ``stale``
    (the step no longer exists in the state, e.g. the row outlived a definition change).
    ``audit`` names the audit action for a notification: ``reminded`` before the SLA is due,
    ``escalated`` once it is — by the step's own due time, so a step keeps its nature even
    when a sweep runs late (the message still says when the item is overdue).
    """

    kind: str
    step: EscalationStep | None = None
    notify: tuple[RoleRef, ...] = ()
    fire: str | None = None
    audit: str = "reminded"


def plan(state: StateSpec, kind: str, step_index: int, timer_due: datetime,
         sla_due: datetime | None) -> Action:
    if kind == "window":
        return Action("window") if state.notice is not None else Action("stale")
    step = next((s for s in state.escalate if s.index == step_index), None)
    if step is None:
        return Action("stale")
    overdue = sla_due is None or timer_due >= sla_due
    return Action("step", step, step.notify, step.fire, "escalated" if overdue else "reminded")
