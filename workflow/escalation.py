"""Escalation planning: what a due timer means, given the state it belongs to.

Pure: no store, no time source. The sweep (``workflow.service.sweep``) claims due rows and
asks :func:`plan` what to do with each; this module knows the flow language's semantics of
``escalate`` steps and notice windows and nothing about how they are stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from workflow.flow import EscalationStep, RoleRef, StateSpec

__all__ = ["Action", "plan"]


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
