"""Objections and complaints: filing, holding the item, resolving, resuming.

Anyone may object while a nominee's notice window is open; officers and the secretariat (of
the item's unit or above) may also file a complaint at any time before a final state. Contact
details stay in the objection row; the audit records who filed (or "public") and a hash of the
text. In a flow with a ``hold`` state an objection parks the item there and pauses the clocks
of the state it came from while the hold's own deadline and escalations run (a further
objection does not restart them); when every objection is dismissed it resumes where it was
with the time it had left; an upheld objection sends it to ``on_upheld``. The examining
secretariat resolves (:func:`workflow.service.access.may_resolve`).

After the decision, anyone may file a complaint against the award: the secretariat of the
level that issued the decision examines it, and upholding it revokes the award in the same
step (with the revocation's reason).

Every objection has a kind (góp ý, khiếu nại, tố cáo, kiến nghị: ``OBJECTION_KINDS``) and, from
the catalogue, a handling deadline in working days on the item's calendar, counted from the day
after filing. Its reminder and escalation steps (:data:`workflow.escalation.OBJECTION_STEPS`)
are timer rows the sweep takes like a state's; resolving cancels them, and the one extension
the law allows (:func:`extend`) moves the deadline and them.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from workflow.catalogue import OBJECTION_KINDS, ObjectionKind
from workflow.errors import InvalidInput, NotAllowed, NotFound, PermissionDenied
from workflow.escalation import objection_due, objection_steps
from workflow.flow import INTERNAL, FlowSpec, clean_text
from workflow.ids import parse_id
from workflow.machine import CompiledFlow
from workflow.service import access
from workflow.service.base import SYSTEM, Actor, Deps, load
from workflow.service.commands import decisions
from workflow.service.lifecycle import Entry, Step
from workflow.service.lifecycle.notice import window_ended, window_open
from workflow.service.lifecycle.timed import pause
from workflow.service.moves import apply
from workflow.store import GrantRow, NominationRow, ObjectionRow, Tx

__all__ = ["MAX_REASON", "MAX_TEXT", "check_kind", "extend", "file_objection", "resolve"]

MAX_TEXT = 10_000
MAX_REASON = 2_000


def check_kind(kind: str) -> str:
    """``kind`` when it is one of the four the law names; else a one-line InvalidInput."""
    if kind not in OBJECTION_KINDS:
        raise InvalidInput(f"objection kind {kind[:40]!r}: use one of "
                           f"{', '.join(OBJECTION_KINDS)}", msgid="objection.bad_kind",
                           kinds=list(OBJECTION_KINDS))
    return kind


def _deadline(deps: Deps, flow: FlowSpec, kind: str, filed_at: datetime
              ) -> tuple[ObjectionKind | None, datetime | None]:
    spec = deps.definitions.catalogue.objection_kind(kind)
    if spec is None:
        return None, None  # the catalogue sets no period for this kind
    return spec, objection_due(deps.calendar(flow), spec, filed_at)


def _schedule(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, objection_id: int,
              spec: ObjectionKind | None, filed_at: datetime, extended: bool = False) -> None:
    """The objection's reminder and escalation timers, N% of its period after filing."""
    if spec is None:
        return
    calendar = deps.calendar(flow)
    tx.timers.add_for_objection(item.id, item.entry_no, objection_id, [
        (percent, calendar.due(filed_at, days, working=True))
        for percent, days in objection_steps(spec, extended)])


def file_objection(deps: Deps, tx: Tx, actor: Actor | None, nomination_id: str, text: str,
                   name: str | None = None, contact: str | None = None,
                   kind: str = "gop_y") -> dict[str, Any]:
    check_kind(kind)
    item, machine = load(deps, tx, nomination_id)
    flow = machine.spec
    text = clean_text(text, "an objection's text", MAX_TEXT)
    name = clean_text(name, "the objector's name", 500)
    contact = clean_text(contact, "the objector's contact", 500)
    if not text:
        raise InvalidInput("an objection needs a text (--text)", msgid="objection.empty")
    grant = tx.grants.of_nomination(item.id)
    if grant is not None:
        return _after_decision(deps, tx, actor, item, grant, text, name, contact, kind)
    if item.final:
        raise NotAllowed(f"nomination {item.id} is decided ({item.state}); a complaint about a "
                         "decision follows the Law on Complaints", msgid="objection.decided",
                         state=item.state)
    now = deps.now()
    staff = access.is_staff(deps, tx, actor, item)
    if not staff and not window_open(deps, tx, item, flow, now):
        on_notice = flow.states[item.state].type == "notice"
        raise NotAllowed(
            f"the public notice window for nomination {item.id} is closed"
            if on_notice else f"nomination {item.id} is not on public notice now",
            msgid="objection.window_closed" if on_notice else "objection.not_on_notice",
            state=item.state)
    on_notice = flow.states[item.state].type == "notice" or (
        item.state == flow.hold_state and window_open(deps, tx, item, flow, now))
    notice = tx.notices.latest_for(item.id) if on_notice else None
    filed_by = actor.login if staff and actor is not None else None
    spec, due = _deadline(deps, flow, kind, now)
    objection_id, receipt = tx.objections.file(item.id, notice.id if notice else None, text,
                                      (name or "").strip() or None,
                                      (contact or "").strip() or None, filed_by, now,
                                      kind=kind, due_at=due)
    _schedule(deps, tx, item, flow, objection_id, spec, now)
    tx.audit.append(now, filed_by or "public", "objection_filed", item.id, item.state,
                    item.state, {
                        "objection": objection_id, "notice": notice.id if notice else None,
                        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                        "complaint": filed_by is not None, "kind": kind,
                        "due_at": deps.iso(due)})
    held = False
    if flow.hold_state and item.state != flow.hold_state:
        _hold(deps, tx, item, flow, objection_id)
        held = True
    else:
        tx.items.save(item, item.version)  # guards read objections: a change of the item
    return {"id": str(objection_id), "status": "open", "nomination": str(item.id),
            "held": held, "state": item.state, "receipt": receipt, "filed_at": deps.iso(now),
            "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "kind": kind,
            "due_at": deps.iso(due)}



def _after_decision(deps: Deps, tx: Tx, actor: Actor | None, item: NominationRow,
                    grant: GrantRow, text: str, name: str | None, contact: str | None,
                    kind: str) -> dict[str, Any]:
    """A complaint against an award already granted: anyone may file it, at any time; the
    secretariat of the level that issued the decision examines it, and upholding it revokes
    the award. The item does not move (its decision stands until then)."""
    if grant.status != "granted":
        raise NotAllowed(f"the award of nomination {item.id} was revoked on "
                         f"{deps.iso(grant.revoked_at)}", msgid="objection.revoked",
                         values={"id": str(item.id)}, state=item.state)
    now = deps.now()
    staff = access.is_staff(deps, tx, actor, item)
    filed_by = actor.login if staff and actor is not None else None
    flow = deps.compiled(tx, item.flow_version).spec
    spec, due = _deadline(deps, flow, kind, now)
    objection_id, receipt = tx.objections.file(
        item.id, None, text, (name or "").strip() or None, (contact or "").strip() or None,
        filed_by, now, grant_id=grant.id, kind=kind, due_at=due)
    _schedule(deps, tx, item, flow, objection_id, spec, now)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    tx.audit.append(now, filed_by or "public", "objection_filed", item.id, item.state,
                    item.state, {"objection": objection_id, "notice": None,
                                 "text_sha256": digest, "complaint": filed_by is not None,
                                 "grant": str(grant.id), "kind": kind,
                                 "due_at": deps.iso(due)})
    tx.items.save(item, item.version)
    return {"id": str(objection_id), "status": "open", "nomination": str(item.id),
            "held": False, "state": item.state, "receipt": receipt, "filed_at": deps.iso(now),
            "text_sha256": digest, "grant": str(grant.id), "kind": kind,
            "due_at": deps.iso(due)}


def _hold(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, objection_id: int) -> None:
    assert flow.hold_state is not None
    paused = pause(deps, tx, item, flow, deps.now())
    origin = item.state
    item.hold_data = {"origin": origin, "origin_entry": item.entry_no, **paused}
    apply(deps, tx, item, flow, Step(INTERNAL.HOLD, SYSTEM, action="held", payload={
        "objection": objection_id, "origin": origin, "sla_remaining": paused["sla_remaining"]}))


def _resume(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, actor: Actor) -> None:
    data = item.hold_data or {}
    origin = data.get("origin")
    if not origin or origin not in flow.states:
        raise NotAllowed(f"nomination {item.id} has no state to resume to",
                         msgid="hold.no_origin")
    item.hold_data = None
    apply(deps, tx, item, flow, Step(
        INTERNAL.resume(origin), actor, action="resumed",
        payload={"origin": origin, "sla_remaining": data.get("sla_remaining")}, resume=data))


def resolve(deps: Deps, tx: Tx, actor: Actor, objection_id: str, outcome: str, comment: str,
            revoke_reason: str | None = None, revoke_decision: str | None = None
            ) -> dict[str, Any]:
    """Resolve an objection. Upholding a complaint against a granted award revokes it in the
    same step, for ``revoke_reason`` (required then; ``revoke_decision``: the number of the
    revoking decision, if one was signed)."""
    if outcome not in ("dismissed", "upheld"):
        raise InvalidInput(f"outcome {outcome!r}: use dismissed or upheld",
                           msgid="resolve.bad_outcome")
    key, objection, item, machine = _examined(deps, tx, actor, objection_id, "resolve",
                                              "resolve.twice")
    flow = machine.spec
    comment = clean_text(comment, "the comment")
    if not comment:
        raise InvalidInput("resolving an objection needs a comment (--comment)",
                           msgid="resolve.comment_required")
    grant = tx.grants.get(objection.grant_id, lock=True) if objection.grant_id else None
    if grant is not None and outcome == "upheld" and grant.status == "granted" and not (
            revoke_reason or "").strip():
        raise InvalidInput(f"upholding objection {key} revokes the award of nomination "
                           f"{item.id}: give the revocation's reason (--reason TEXT)",
                           msgid="resolve.reason_required", values={"id": str(item.id)})
    now = deps.now()
    tx.objections.resolve(key, outcome, actor.login, comment, now)
    tx.timers.cancel_objection(key)  # its reminders and escalations: handled, none is due
    payload: dict[str, Any] = {"objection": key, "outcome": outcome, "comment": comment}
    if grant is not None:
        tx.audit.append(now, actor.login, "objection_resolved", item.id, item.state,
                        item.state, {**payload, "grant": str(grant.id)})
        result: dict[str, Any] = {"id": str(key), "status": outcome,
                                  "nomination": str(item.id), "state": item.state}
        if outcome == "upheld" and grant.status == "granted":
            revoked = decisions.revoke_grant(deps, tx, actor, grant, revoke_reason or "",
                                             revoke_decision, objection=key)
            result["revoked"] = revoked
        else:
            tx.items.save(item, item.version)
        return result
    if outcome == "upheld" and not item.final:
        item.hold_data = None
        apply(deps, tx, item, flow, Step(INTERNAL.UPHELD, actor, action="objection_resolved",
                                         payload=payload))
    else:
        tx.audit.append(now, actor.login, "objection_resolved", item.id, item.state, item.state,
                        payload)
        if item.final or tx.objections.open_count(item.id):
            tx.items.save(item, item.version)
        elif flow.hold_state and item.state == flow.hold_state:
            _resume(deps, tx, item, flow, actor)
        elif flow.states[item.state].type == "notice" and not window_open(
                deps, tx, item, flow, now):
            step = window_ended(Entry(deps, tx, item, flow))
            if step is None:
                tx.items.save(item, item.version)
            else:
                apply(deps, tx, item, flow, step)
        else:
            tx.items.save(item, item.version)
    return {"id": str(key), "status": outcome, "nomination": str(item.id), "state": item.state}


def extend(deps: Deps, tx: Tx, actor: Actor, objection_id: str, reason: str
           ) -> dict[str, Any]:
    """Take the one extension the law allows (a complex complaint, a denunciation): by the
    examining secretariat, who may resolve it. The deadline moves by the kind's extension in
    working days, and so do its pending reminders and escalations."""
    key, objection, item, machine = _examined(deps, tx, actor, objection_id, "extend",
                                              "extend.closed")
    flow = machine.spec
    spec = deps.definitions.catalogue.objection_kind(objection.kind)
    if spec is None or spec.extension <= 0:
        extendable = [k.code for k in deps.definitions.catalogue.objection_kinds.values()
                      if k.extension > 0]
        raise NotAllowed(f"objection {key} is a {objection.kind}: a {objection.kind} has no "
                         f"extension (only {' and '.join(extendable) or 'none'})",
                         msgid="extend.not_allowed", kind=objection.kind)
    if objection.extended_at is not None:
        raise NotAllowed(f"objection {key} was already extended on "
                         f"{deps.iso(objection.extended_at)}; the law allows one extension",
                         msgid="extend.twice", values={"id": str(key)})
    reason = clean_text(reason, "the reason", MAX_REASON)
    if not reason:
        raise InvalidInput("an extension needs a reason (--reason TEXT)",
                           msgid="extend.reason_required")
    calendar = deps.calendar(flow)
    now = deps.now()
    base = objection.due_at or objection_due(calendar, spec, objection.filed_at)
    due = calendar.end_of_day(calendar.add_working_days(calendar.local_date(base),
                                                        spec.extension))
    if not tx.objections.extend(key, due, actor.login, reason, now):
        raise NotAllowed(f"objection {key} was already extended; the law allows one extension",
                         msgid="extend.twice", values={"id": str(key)})
    steps = dict(objection_steps(spec, extended=True))
    for timer in tx.timers.of_objection(key):
        if timer.step in steps:
            tx.timers.reschedule(timer.id, calendar.due(objection.filed_at, steps[timer.step],
                                                        working=True))
    tx.audit.append(now, actor.login, "objection_extended", item.id, item.state, item.state,
                    {"objection": key, "kind": objection.kind, "days": spec.extension,
                     "due_at": deps.iso(due), "reason": reason})
    return {"id": str(key), "nomination": str(item.id), "kind": objection.kind,
            "days": spec.extension, "due_at": deps.iso(due), "extended_at": deps.iso(now),
            "status": objection.status}


def _examined(deps: Deps, tx: Tx, actor: Actor, objection_id: str, verb: str, closed: str
              ) -> tuple[int, ObjectionRow, NominationRow, CompiledFlow]:
    """The open objection ``objection_id`` (locked), its item and machine, for the examining
    secretariat about to ``verb`` it (``resolve`` | ``extend``; ``closed``: the message id
    when it is no longer open)."""
    key = parse_id(objection_id, "objection")
    objection = tx.objections.get(key, lock=True)
    if objection is None:
        raise NotFound(f"no objection {key}", msgid="objection.unknown", id=str(key))
    item, machine = load(deps, tx, objection.nomination_id)
    allowed, unit = access.may_resolve(deps, tx, actor, item, machine.spec,
                                       objection.notice_id)
    if not allowed:
        raise PermissionDenied(f"{actor.login} may not {verb} objection {key}: needs "
                               f"secretariat at {unit} or above", msgid=f"{verb}.denied",
                               values={"unit": unit}, actor=actor.login)
    if objection.status != "open":
        raise NotAllowed(f"objection {key} is already {objection.status}",
                         msgid=closed, values={"id": str(key)}, status=objection.status)
    return key, objection, item, machine
