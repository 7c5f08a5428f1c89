"""Timed states: the SLA due time, escalation steps and notice windows as timer rows.

Entering a timed state writes one row per escalation step (and one for a notice window) in the
same transaction as the move; leaving cancels them. A hold pauses them (:func:`pause`): what
each had left is kept in working (or calendar) days, and resuming re-creates only the steps
not yet taken, counted from the day of resumption like a fresh entry (the resumption day is
not counted). The hold state is timed like any other: entering it starts its own SLA and
steps (the item is overdue once the hold's due time passes), and leaving it cancels them
before the paused state's clock is restored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from workflow.calendar import WorkingCalendar
from workflow.flow import EscalationStep, FlowSpec, Sla, StateSpec
from workflow.service.base import Deps
from workflow.service.lifecycle.base import Behaviour, Entry, Step
from workflow.store import NominationRow, Tx

__all__ = ["Timed", "due_at", "pause", "step_due"]


def step_days(sla: Sla, step: EscalationStep) -> int:
    """Days after entry a step falls due: N% of the SLA rounded up, or a number of days."""
    if step.days is not None:
        return step.days
    assert step.percent is not None
    return -(-step.percent * sla.amount // 100)  # ceiling, in integers


def step_due(calendar: WorkingCalendar, entered: datetime, sla: Sla, step: EscalationStep
             ) -> datetime:
    return calendar.due(entered, step_days(sla, step), working=sla.working)


def _after(calendar: WorkingCalendar, start: datetime, days: int, working: bool) -> datetime:
    return calendar.due(start, max(days, 0), working=working)


def due_at(deps: Deps, flow: FlowSpec, state: StateSpec, now: datetime,
           resume: Mapping[str, Any] | None) -> datetime | None:
    """The SLA due time of an entry into ``state`` at ``now`` (or of a resumption)."""
    if state.sla is None:
        return None
    calendar = deps.calendar(flow)
    if resume is not None and resume.get("sla_expired"):
        return now  # it was overdue when held: it is overdue again the moment it returns
    if resume is not None and resume.get("sla_remaining") is not None:
        return _after(calendar, now, int(resume["sla_remaining"]), state.sla.working)
    return calendar.due(now, state.sla.amount, working=state.sla.working)


def pause(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, now: datetime
          ) -> dict[str, Any]:
    """What the current entry's clock has left, for a resumption after a hold."""
    calendar = deps.calendar(flow)
    state = flow.states[item.state]
    today = calendar.local_date(now)

    def left(due: datetime, working: bool) -> int:
        day = calendar.local_date(due)
        if working:
            return calendar.working_days_between(today, day)
        return max((day - today).days, 0)

    sla_remaining = (left(item.due_at, state.sla.working)
                     if item.due_at is not None and state.sla is not None else None)
    pending = []
    for timer in tx.timers.pending(item.id, item.entry_no):
        working = (state.notice.working if timer.kind == "window" and state.notice
                   else bool(state.sla and state.sla.working))
        pending.append({"kind": timer.kind, "step": timer.step,
                        "remaining": left(timer.due_at, working), "working": working,
                        "expired": timer.due_at <= now})
    return {"sla_remaining": sla_remaining, "timers": pending,
            "sla_expired": item.due_at is not None and item.due_at <= now}


class Timed(Behaviour):
    """Any state with an SLA, escalation steps or a notice window."""

    def applies(self, state: StateSpec) -> bool:
        return state.timed or bool(state.escalate)

    def enter(self, entry: Entry, resume: Mapping[str, Any] | None) -> list[Step]:
        calendar = entry.deps.calendar(entry.flow)
        item, state = entry.item, entry.state
        entered = item.entered_at
        rows: list[tuple[str, int, datetime]] = []
        if resume is not None:
            for timer in resume.get("timers", []):
                if timer.get("expired"):
                    # Already due when the hold began: a step falls due again at once (the
                    # next sweep takes it); a window that had ended stays ended.
                    if timer["kind"] != "window":
                        rows.append((timer["kind"], int(timer["step"]), entered))
                    continue
                rows.append((timer["kind"], int(timer["step"]),
                             _after(calendar, entered, int(timer["remaining"]),
                                    bool(timer["working"]))))
        else:
            if state.sla is not None:
                for step in state.escalate:
                    rows.append(("step", step.index,
                                 step_due(calendar, entered, state.sla, step)))
            if state.notice is not None:
                rows.append(("window", 0, calendar.due(entered, state.notice.amount,
                                                       working=state.notice.working)))
        entry.tx.timers.add(item.id, item.entry_no, rows)
        return []

    def exit(self, entry: Entry, leaving_for: StateSpec) -> None:
        # a hold has recorded what they had left first (pause)
        entry.tx.timers.cancel(entry.item.id)
