"""Timers of a state entry: SLA due time, escalation steps and notice windows as rows.

Entering a timed state writes one row per escalation step (and one for a notice window) in the
same transaction as the move; leaving cancels them. A hold pauses them: what each had left is
kept in working (or calendar) days, and resuming re-creates only the steps not yet taken,
counted from the day of resumption like a fresh entry (the resumption day is not counted).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from workflow.calendar import WorkingCalendar
from workflow.flow import EscalationStep, FlowSpec, Sla, StateSpec
from workflow.service.context import Deps
from workflow.store import NominationRow, Tx
from workflow.store.raw import TransactionLost
from workflow.store.repository import DRIVER_ERRORS

__all__ = ["due_at", "on_enter", "on_exit", "pause", "step_due", "sweep_batch", "write_digest"]


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
           resume: dict[str, Any] | None) -> datetime | None:
    """The SLA due time of an entry into ``state`` at ``now`` (or of a resumption)."""
    if state.sla is None:
        return None
    calendar = deps.calendar(flow)
    if resume is not None and resume.get("sla_expired"):
        return now  # it was overdue when held: it is overdue again the moment it returns
    if resume is not None and resume.get("sla_remaining") is not None:
        return _after(calendar, now, int(resume["sla_remaining"]), state.sla.working)
    return calendar.due(now, state.sla.amount, working=state.sla.working)


def on_enter(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, state: StateSpec,
             *, resume: dict[str, Any] | None = None) -> None:
    calendar = deps.calendar(flow)
    entered = item.entered_at
    rows: list[tuple[str, int, datetime]] = []
    if resume is not None:
        for timer in resume.get("timers", []):
            if timer.get("expired"):
                # Already due when the hold began: a step falls due again at once (the next
                # sweep takes it); a window that had ended stays ended.
                if timer["kind"] != "window":
                    rows.append((timer["kind"], int(timer["step"]), entered))
                continue
            rows.append((timer["kind"], int(timer["step"]),
                         _after(calendar, entered, int(timer["remaining"]),
                                bool(timer["working"]))))
    else:
        if state.sla is not None:
            for step in state.escalate:
                rows.append(("step", step.index, step_due(calendar, entered, state.sla, step)))
        if state.notice is not None:
            rows.append(("window", 0, calendar.due(entered, state.notice.amount,
                                                   working=state.notice.working)))
    if rows:
        tx.add_timers(item.id, item.entry_no, rows)


def on_exit(deps: Deps, tx: Tx, item: NominationRow) -> None:
    tx.cancel_timers(item.id)


def pause(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, now: datetime
          ) -> dict[str, Any]:
    """What the current entry's clock has left, for :func:`on_enter` on resumption."""
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
    for kind, step, due in tx.pending_timers(item.id, item.entry_no):
        working = (state.notice.working if kind == "window" and state.notice
                   else bool(state.sla and state.sla.working))
        pending.append({"kind": kind, "step": step, "remaining": left(due, working),
                        "working": working, "expired": due <= now})
    return {"sla_remaining": sla_remaining, "timers": pending,
            "sla_expired": item.due_at is not None and item.due_at <= now}


# ---- the sweep -------------------------------------------------------------------------------

SWEEP_BATCH = 200


def sweep_batch(deps: Deps, tx: Tx, now: datetime, limit: int) -> dict[str, int]:
    """Claim up to ``limit`` due timers and act on each, exactly once, in this transaction.

    Each timer runs inside a savepoint: a failure rolls back that timer's work only, and the
    timer is marked ``failed`` (with an audit entry) instead of being retried forever.
    """
    counts = dict.fromkeys(("claimed", "reminded", "escalated", "fired", "refused", "windows",
                            "stale", "failed", "messages"), 0)
    # Every action below extends the audit chain, which takes its lock anyway: take it first,
    # so concurrent sweepers queue here instead of deadlocking on item rows half-way.
    tx.audit.head()
    for timer_id, nomination_id, entry_no, kind, step, due in tx.claim_due_timers(now, limit):
        counts["claimed"] += 1
        savepoint = tx.conn.begin_nested()
        try:
            outcome = _act(deps, tx, timer_id, nomination_id, entry_no, kind, step, due, counts)
            tx.finish_timer(timer_id, outcome)
            savepoint.commit()
        except (*DRIVER_ERRORS, TransactionLost):
            raise  # a lock or connection failure: the whole batch is retried, nothing lost
        except Exception as exc:  # a bug in one step must not stop the sweep for the others
            savepoint.rollback()
            tx.finish_timer(timer_id, "failed")
            tx.audit.append(deps.now(), "system", "refused", nomination_id, None, None, {
                "timer": timer_id, "kind": kind, "step": step,
                "reason": f"{type(exc).__name__}: {exc}".splitlines()[0][:500]})
            counts["failed"] += 1
    return counts


def _act(deps: Deps, tx: Tx, timer_id: int, nomination_id: int, entry_no: int, kind: str,
         step_index: int, due: datetime, counts: dict[str, int]) -> str:
    from workflow.errors import AwardError
    from workflow.escalation import plan
    from workflow.service import notices
    from workflow.service.context import SYSTEM
    from workflow.service.items import fire

    item = tx.nomination(nomination_id, lock=True)
    if item is None or item.final or item.entry_no != entry_no:
        counts["stale"] += 1
        return "cancelled"
    flow = deps.compiled(tx, item.flow_version).spec
    state = flow.states[item.state]
    action = plan(state, kind, step_index, due, item.due_at)
    if action.kind == "stale":
        counts["stale"] += 1
        return "cancelled"
    if action.kind == "window":
        counts["windows"] += 1
        notices.window_ended(deps, tx, item, flow)
        return "done"
    assert action.step is not None
    if action.notify:
        recipients = deps.recipients(tx, action.notify, item.unit_id)
        message_kind = "escalation" if action.audit == "escalated" else "reminder"
        for login in recipients:
            if _notify(deps, tx, item, flow, state, login, message_kind, action, timer_id):
                counts["messages"] += 1
        tx.audit.append(deps.now(), "system", action.audit, item.id, item.state, item.state, {
            "timer": timer_id, "step": action.step.index, "after": action.step.after_text,
            "notify": [str(r) for r in action.notify], "recipients": recipients})
        counts[action.audit] += 1
    if action.fire:
        savepoint = tx.conn.begin_nested()
        try:
            fire(deps, tx, SYSTEM, str(item.id), action.fire,
                 comment=f"escalation step {action.step.after_text}",
                 extra={"timer": timer_id, "step": action.step.index})
            savepoint.commit()
            counts["fired"] += 1
        except AwardError as exc:
            savepoint.rollback()
            tx.audit.append(deps.now(), "system", "refused", item.id, item.state, item.state, {
                "timer": timer_id, "step": action.step.index, "trigger": action.fire,
                "reason": exc.message})
            counts["refused"] += 1
    return "done"


def _notify(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, state: StateSpec,
            login: str, kind: str, action: Any, timer_id: int) -> bool:
    from workflow.service.views import iso, item_context

    person = tx.person(login) or {"login": login, "name": login}
    context = item_context(deps, tx, item, flow)
    context.update({
        "kind": kind,
        "recipient": {"login": login, "name": person.get("name") or login},
        "state_label": dict(state.label) or {"vi": state.name, "en": state.name},
        "due_at": iso(item.due_at, deps.display_tz),
        "overdue": item.due_at is not None and deps.now() > item.due_at,
        "step": {"index": action.step.index, "after": action.step.after_text},
    })
    body = deps.renderer.render("escalation.txt.j2", context)
    subject = body.splitlines()[0] if body else f"{kind}: nomination {item.id}"
    return tx.outbox.put(deps.now(), kind, login, item.id, subject, body,
                         dedupe=f"timer:{timer_id}:{login}")


DIGEST_ROLES = ("secretariat", "council_chair")


def write_digest(deps: Deps, now: datetime, by_unit: dict[str, list[dict[str, Any]]],
                 tx: Tx) -> dict[str, int]:
    """Write the day's overdue digests; a (day, unit, recipient) gets one message at most.

    A unit with no secretariat or council chair of its own is reported to the nearest unit
    above it that has one.
    """
    tx.audit.head()  # the chain lock first: concurrent digest jobs queue, not race
    day = now.astimezone(deps.display_tz).date()
    tree = deps.tree(tx)
    written = 0
    for unit, rows in sorted(by_unit.items()):
        lines = [f"- {r['id']} {r['nominee']} ({r['flow']}, {r['state']}), hạn/due {r['due_at']}"
                 for r in rows]
        subject = (f"Tổng hợp hồ sơ quá hạn {day.isoformat()} — {unit}: {len(rows)} / "
                   f"Overdue digest")
        body = subject + "\n\n" + "\n".join(lines) + "\n"
        recipients: set[str] = set()
        for candidate in tree.ancestors(unit):
            recipients = {login for role in DIGEST_ROLES for login in tx.holders(role, candidate)}
            if recipients:
                break
        for login in sorted(recipients):
            if tx.outbox.put(now, "digest", login, None, subject, body,
                             dedupe=f"digest:{day.isoformat()}:{unit}:{login}"):
                written += 1
    if written:
        tx.audit.append(now, "system", "digest", None, None, None, {
            "day": day.isoformat(), "units": len(by_unit), "messages": written,
            "overdue": sum(len(r) for r in by_unit.values())})
    return {"units": len(by_unit), "messages": written,
            "overdue": sum(len(r) for r in by_unit.values())}
