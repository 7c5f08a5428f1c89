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
"""

from __future__ import annotations

import hashlib
from typing import Any

from workflow.errors import InvalidInput, NotAllowed, NotFound, PermissionDenied
from workflow.flow import INTERNAL, FlowSpec, clean_text
from workflow.ids import parse_id
from workflow.service import access
from workflow.service.base import SYSTEM, Actor, Deps, load
from workflow.service.commands import decisions
from workflow.service.lifecycle import Entry, Step
from workflow.service.lifecycle.notice import window_ended, window_open
from workflow.service.lifecycle.timed import pause
from workflow.service.moves import apply
from workflow.store import GrantRow, NominationRow, Tx

__all__ = ["MAX_TEXT", "file_objection", "resolve"]

MAX_TEXT = 10_000


def file_objection(deps: Deps, tx: Tx, actor: Actor | None, nomination_id: str, text: str,
                   name: str | None = None, contact: str | None = None) -> dict[str, Any]:
    item, machine = load(deps, tx, nomination_id)
    flow = machine.spec
    text = clean_text(text, "an objection's text", MAX_TEXT)
    name = clean_text(name, "the objector's name", 500)
    contact = clean_text(contact, "the objector's contact", 500)
    if not text:
        raise InvalidInput("an objection needs a text (--text)", msgid="objection.empty")
    grant = tx.grants.of_nomination(item.id)
    if grant is not None:
        return _after_decision(deps, tx, actor, item, grant, text, name, contact)
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
    objection_id, receipt = tx.objections.file(item.id, notice.id if notice else None, text,
                                      (name or "").strip() or None,
                                      (contact or "").strip() or None, filed_by, now)
    tx.audit.append(now, filed_by or "public", "objection_filed", item.id, item.state,
                    item.state, {
                        "objection": objection_id, "notice": notice.id if notice else None,
                        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                        "complaint": filed_by is not None})
    held = False
    if flow.hold_state and item.state != flow.hold_state:
        _hold(deps, tx, item, flow, objection_id)
        held = True
    else:
        tx.items.save(item, item.version)  # guards read objections: a change of the item
    return {"id": str(objection_id), "status": "open", "nomination": str(item.id),
            "held": held, "state": item.state, "receipt": receipt, "filed_at": deps.iso(now),
            "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}



def _after_decision(deps: Deps, tx: Tx, actor: Actor | None, item: NominationRow,
                    grant: GrantRow, text: str, name: str | None, contact: str | None
                    ) -> dict[str, Any]:
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
    objection_id, receipt = tx.objections.file(
        item.id, None, text, (name or "").strip() or None, (contact or "").strip() or None,
        filed_by, now, grant_id=grant.id)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    tx.audit.append(now, filed_by or "public", "objection_filed", item.id, item.state,
                    item.state, {"objection": objection_id, "notice": None,
                                 "text_sha256": digest, "complaint": filed_by is not None,
                                 "grant": str(grant.id)})
    tx.items.save(item, item.version)
    return {"id": str(objection_id), "status": "open", "nomination": str(item.id),
            "held": False, "state": item.state, "receipt": receipt, "filed_at": deps.iso(now),
            "text_sha256": digest, "grant": str(grant.id)}


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
    key = parse_id(objection_id, "objection")
    objection = tx.objections.get(key, lock=True)
    if objection is None:
        raise NotFound(f"no objection {key}", msgid="objection.unknown", id=str(key))
    item, machine = load(deps, tx, objection.nomination_id)
    flow = machine.spec
    allowed, unit = access.may_resolve(deps, tx, actor, item, flow, objection.notice_id)
    if not allowed:
        raise PermissionDenied(f"{actor.login} may not resolve objection {key}: needs "
                               f"secretariat at {unit} or above", msgid="resolve.denied",
                               values={"unit": unit}, actor=actor.login)
    if objection.status != "open":
        raise NotAllowed(f"objection {key} is already {objection.status}",
                         msgid="resolve.twice", values={"id": str(key)},
                         status=objection.status)
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
