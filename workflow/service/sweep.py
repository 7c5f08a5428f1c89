"""The sweep: due timers acted on exactly once, and the daily digest of overdue items.

A sweep claims due timer rows in batches (see :mod:`workflow.store.timers`) and asks
:func:`workflow.escalation.plan` what each means: a reminder or an escalation message, a
trigger the system fires (guards still apply; a refusal is audited, not lost), or the end of
a notice window. Each timer runs inside a savepoint, so a failure rolls back that timer's
work only and the timer is marked ``failed`` (with an audit entry) instead of being retried
for ever; a database failure loses the whole batch, which the next sweep takes again.

An objection's timers (``objection_id`` set) never move the item: each is a reminder or an
escalation about the objection's handling deadline, written to the outbox once (its claim and
the outbox's dedupe key both guard that), or nothing when the objection is no longer open.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from workflow.directory import UnitTree
from workflow.errors import AwardError
from workflow.escalation import Action, ObjectionStep, objection_step, plan
from workflow.flow import FlowSpec, StateSpec
from workflow.service import access
from workflow.service.base import SYSTEM, Deps
from workflow.service.commands.items import fire
from workflow.service.lifecycle import Entry
from workflow.service.lifecycle.notice import window_ended
from workflow.service.moves import apply
from workflow.service.present import item_context
from workflow.store import NominationRow, ObjectionRow, TimerRow, Tx, database_errors

__all__ = ["DIGEST_ROLES", "SWEEP_BATCH", "sweep_batch", "write_digest"]

SWEEP_BATCH = 200
DIGEST_ROLES = ("secretariat", "council_chair")
COUNTS = ("claimed", "reminded", "escalated", "fired", "refused", "windows", "stale", "failed",
          "messages")


def sweep_batch(deps: Deps, tx: Tx, now: datetime, limit: int) -> dict[str, int]:
    """Claim up to ``limit`` due timers and act on each, exactly once, in this transaction."""
    counts = dict.fromkeys(COUNTS, 0)
    # Every action below extends the audit chain, which takes its lock anyway: take it first,
    # so concurrent sweepers queue here instead of deadlocking on item rows half-way.
    tx.audit.head()
    for timer in tx.timers.claim_due(now, limit):
        counts["claimed"] += 1
        try:
            with tx.savepoint():
                outcome = _act(deps, tx, timer, counts)
            tx.timers.finish(timer.id, outcome)
        except database_errors():
            raise  # a lock or connection failure: the whole batch is retried, nothing lost
        except Exception as exc:  # a bug in one step must not stop the sweep for the others
            tx.timers.finish(timer.id, "failed")
            tx.audit.append(deps.now(), "system", "refused", timer.nomination_id, None, None, {
                "timer": timer.id, "kind": timer.kind, "step": timer.step,
                "reason": f"{type(exc).__name__}: {exc}".splitlines()[0][:500]})
            counts["failed"] += 1
    return counts


def _act(deps: Deps, tx: Tx, timer: TimerRow, counts: dict[str, int]) -> str:
    if timer.objection_id is not None:
        return _act_objection(deps, tx, timer, timer.objection_id, counts)
    item = tx.items.get(timer.nomination_id, lock=True)
    if item is None or item.final or item.entry_no != timer.entry_no:
        counts["stale"] += 1
        return "cancelled"
    flow = deps.compiled(tx, item.flow_version).spec
    state = flow.states[item.state]
    action = plan(state, timer.kind, timer.step, timer.due_at, item.due_at)
    if action.kind == "stale":
        counts["stale"] += 1
        return "cancelled"
    if action.kind == "window":
        counts["windows"] += 1
        step = window_ended(Entry(deps, tx, item, flow))
        if step is not None:
            apply(deps, tx, item, flow, step)
        return "done"
    assert action.step is not None
    if action.notify:
        recipients = access.case_recipients(deps, tx, action.notify, item, flow)
        message_kind = "escalation" if action.audit == "escalated" else "reminder"
        for login in recipients:
            if _notify(deps, tx, item, flow, state, login, message_kind, action, timer.id):
                counts["messages"] += 1
        tx.audit.append(deps.now(), "system", action.audit, item.id, item.state, item.state, {
            "timer": timer.id, "step": action.step.index, "after": action.step.after_text,
            "notify": [str(r) for r in action.notify], "recipients": recipients})
        counts[action.audit] += 1
    if action.fire:
        try:
            with tx.savepoint():
                fire(deps, tx, SYSTEM, str(item.id), action.fire,
                     comment=f"escalation step {action.step.after_text}",
                     extra={"timer": timer.id, "step": action.step.index})
            counts["fired"] += 1
        except AwardError as exc:
            tx.audit.append(deps.now(), "system", "refused", item.id, item.state, item.state, {
                "timer": timer.id, "step": action.step.index, "trigger": action.fire,
                "reason": exc.message})
            counts["refused"] += 1
    return "done"


def _act_objection(deps: Deps, tx: Tx, timer: TimerRow, objection_id: int,
                   counts: dict[str, int]) -> str:
    """A step of an objection's deadline: messages to the step's roles at the examining unit
    (the nearest unit above it where someone holds them, if nobody does there)."""
    objection = tx.objections.get(objection_id, lock=True)
    step = objection_step(timer.step)
    item = tx.items.get(timer.nomination_id, lock=True)
    if objection is None or objection.status != "open" or step is None or item is None:
        counts["stale"] += 1
        return "cancelled"
    flow = deps.compiled(tx, item.flow_version).spec
    unit = access.examining_unit(deps, tx, item, flow, objection.notice_id)
    recipients = _objection_recipients(deps, tx, step, unit)
    for login in recipients:
        if _notify_objection(deps, tx, item, objection, step, login, timer.id):
            counts["messages"] += 1
    tx.audit.append(deps.now(), "system", step.audit, item.id, item.state, item.state, {
        "timer": timer.id, "objection": objection.id, "kind": objection.kind,
        "after": f"{step.percent}%", "due_at": deps.iso(objection.due_at),
        "recipients": recipients})
    counts[step.audit] += 1
    return "done"


def _objection_recipients(deps: Deps, tx: Tx, step: ObjectionStep, unit: str) -> list[str]:
    tree = deps.tree(tx)
    starts = [unit]
    if step.above:
        parent = tree.units[unit].parent if unit in tree.units else None
        if parent is not None:
            starts.append(parent)
    out: list[str] = []
    for start in starts:
        out.extend(login for login in _nearest_holders(tx, tree, step.roles, start)
                   if login not in out)
    return out


def _nearest_holders(tx: Tx, tree: UnitTree, roles: Sequence[str], unit: str) -> list[str]:
    """Who holds any of ``roles`` at ``unit``, or at the nearest unit above it where someone
    does (a unit without its own secretariat or chair is served from above)."""
    for candidate in tree.ancestors(unit):
        found: list[str] = []
        for role in roles:
            found.extend(x for x in tx.directory.holders(role, candidate) if x not in found)
        if found:
            return found
    return []


def _notify_objection(deps: Deps, tx: Tx, item: NominationRow, objection: ObjectionRow,
                      step: ObjectionStep, login: str, timer_id: int) -> bool:
    """The message (``objection_step.txt.j2``) names the item, the objection's number, kind
    and deadline; never who filed it or what it says."""
    spec = deps.definitions.catalogue.objection_kind(objection.kind)
    label = dict(spec.label) if spec else {}
    body = deps.renderer.render("objection_step.txt.j2", {
        "message": step.message, "percent": step.percent,
        "overdue": objection.due_at is not None and deps.now() > objection.due_at,
        "item": {"id": item.id, "nominee": item.nominee, "unit_id": item.unit_id},
        "objection": {"id": objection.id, "filed_at": deps.iso(objection.filed_at),
                      "due_at": deps.iso(objection.due_at) or "—",
                      "extended": objection.extended_at is not None,
                      "label": {"vi": label.get("vi", objection.kind),
                                "en": label.get("en", objection.kind)}}})
    subject = body.splitlines()[0]
    return tx.outbox.put(deps.now(), step.message, login, item.id, subject, body,
                         dedupe=f"timer:{timer_id}:{login}")


def _notify(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, state: StateSpec,
            login: str, kind: str, action: Action, timer_id: int) -> bool:
    assert action.step is not None
    person = tx.directory.person(login) or {"login": login, "name": login}
    context = item_context(deps, tx, item, flow)
    context.update({
        "kind": kind,
        "recipient": {"login": login, "name": person.get("name") or login},
        "state_label": dict(state.label) or {"vi": state.name, "en": state.name},
        "due_at": deps.iso(item.due_at),
        "overdue": item.due_at is not None and deps.now() > item.due_at,
        "step": {"index": action.step.index, "after": action.step.after_text},
    })
    body = deps.renderer.render("escalation.txt.j2", context)
    subject = body.splitlines()[0] if body else f"{kind}: nomination {item.id}"
    return tx.outbox.put(deps.now(), kind, login, item.id, subject, body,
                         dedupe=f"timer:{timer_id}:{login}")


def write_digest(deps: Deps, now: datetime, by_unit: dict[str, list[dict[str, Any]]],
                 tx: Tx, objections: dict[str, list[dict[str, Any]]] | None = None
                 ) -> dict[str, int]:
    """Write the day's overdue digests; a (day, unit, recipient) gets one message at most,
    with a section of overdue items and one of overdue objections (``objections``, by the
    unit of their item; no personal data).

    A unit with no secretariat or council chair of its own is reported to the nearest unit
    above it that has one.
    """
    tx.audit.head()  # the chain lock first: concurrent digest jobs queue, not race
    day = now.astimezone(deps.display_tz).date()
    tree = deps.tree(tx)
    objections = objections or {}
    written = 0
    for unit in sorted(set(by_unit) | set(objections)):
        rows = by_unit.get(unit, [])
        late = objections.get(unit, [])
        lines = [f"- {r['id']} {r['nominee']} ({r['flow']}, {r['state']}), hạn/due {r['due_at']}"
                 for r in rows]
        if late:
            lines += ["", f"Đơn thư quá hạn giải quyết / Overdue objections: {len(late)}"]
            lines += [f"- {r['kind_label'].get('vi', r['kind'])} số {r['id']} ({r['kind']}), "
                      f"hồ sơ/item {r['nomination']}, hạn/due {r['due_at']}"
                      + (" (đã gia hạn/extended)" if r["extended"] else "") for r in late]
        subject = (f"Tổng hợp hồ sơ quá hạn {day.isoformat()} — {unit}: {len(rows)} / "
                   f"Overdue digest") + (f"; đơn thư quá hạn: {len(late)}" if late else "")
        body = subject + "\n\n" + "\n".join(lines) + "\n"
        for login in sorted(_nearest_holders(tx, tree, DIGEST_ROLES, unit)):
            if tx.outbox.put(now, "digest", login, None, subject, body,
                             dedupe=f"digest:{day.isoformat()}:{unit}:{login}"):
                written += 1
    units = len(set(by_unit) | set(objections))
    overdue = sum(len(r) for r in by_unit.values())
    late_total = sum(len(r) for r in objections.values())
    if written:
        tx.audit.append(now, "system", "digest", None, None, None, {
            "day": day.isoformat(), "units": units, "messages": written,
            "overdue": overdue, "objections": late_total})
    return {"units": units, "messages": written, "overdue": overdue,
            "objections": late_total}
