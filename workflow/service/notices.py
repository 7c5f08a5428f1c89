"""Public notice, objections and holds (Decree 152 Art 4(4): no award while an objection is
being verified).

* Entering a ``notice`` state publishes the item in the day's notice of its publishing unit
  (one document per flow, unit and day, so a council's batch is one notice), rendered in the
  sandbox with the audit head embedded; the window ends after N (working) days.
* Anyone may object while the window is open; officers and the secretariat (of the item's unit
  or above) may also file a complaint at any time before a final state. Contact details stay in
  the objection row; the audit records who filed (or "public") and a hash of the text.
* In a flow with a ``hold`` state an objection parks the item there and pauses its clocks; when
  every objection is dismissed it resumes where it was with the time it had left; an upheld
  objection sends it to ``on_upheld``.
* When a window ends with no objection open the system moves the item to ``then``; with one
  open, the item waits and moves on as soon as the last is dismissed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workflow.errors import InvalidInput, NotAllowed, NotFound, PermissionDenied
from workflow.flow import INTERNAL, FlowSpec, StateSpec, nfc
from workflow.ids import parse_id
from workflow.service import timers
from workflow.service.context import SYSTEM, Actor, Deps, ItemContext
from workflow.service.views import iso
from workflow.store import NominationRow, Tx

__all__ = ["file_objection", "notices_view", "objections_view", "on_enter", "resolve",
           "window_ended"]

MAX_TEXT = 10_000
STAFF_ROLES = ("officer", "secretariat")


# ---- publishing ------------------------------------------------------------------------------


def on_enter(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, state: StateSpec) -> None:
    notice = state.notice
    assert notice is not None
    calendar = deps.calendar(flow)
    publisher = deps.resolve(tx, item.unit_id, notice.publisher)
    if publisher is None:
        raise NotAllowed(f"no publishing unit at scope {notice.publisher!r} above "
                         f"{item.unit_id}", scope=notice.publisher)
    start = item.entered_at
    day = calendar.local_date(start).isoformat()
    ends = calendar.due(start, notice.amount, working=notice.working)
    row = tx.notices.find(flow.id, publisher, day)
    created = row is None
    notice_id = (tx.notices.create(flow.id, publisher, day, start, ends, notice.template)
                 if row is None else row.id)
    tx.notices.add_item(notice_id, item.id)
    digest = _render(deps, tx, notice_id, flow, state, max(ends, row.ends_at) if row else ends)
    if created:
        body = (f"Thông báo công khai số {notice_id} ({flow.title_text()}) đã đăng; hạn góp ý "
                f"đến {iso(ends, deps.display_tz)}.\nNotice {notice_id} is published; "
                f"objections until {iso(ends, deps.display_tz)}.\nsha256 {digest}")
        for login in tx.holders("secretariat", publisher):
            tx.outbox.put(deps.now(), "notice", login, item.id,
                          f"Thông báo công khai số {notice_id} / Public notice {notice_id}", body)


def _render(deps: Deps, tx: Tx, notice_id: int, flow: FlowSpec, state: StateSpec,
            ends: datetime) -> str:
    notice = tx.notices.get(notice_id)
    assert notice is not None and state.notice is not None
    tree = deps.tree(tx)
    tz = deps.display_tz
    award = deps.definitions.catalogue.get(flow.award)
    nominees = []
    for nomination_id in tx.notices.items(notice_id):
        other = tx.nomination(nomination_id)
        if other is None:
            continue
        unit = tree.units.get(other.unit_id)
        nominees.append({"id": str(other.id), "nominee": other.nominee,
                         "unit": unit.name if unit else other.unit_id})
    publisher = tree.units.get(notice.unit_id)
    seq, head = tx.audit.head()
    context = {
        "notice": {
            "id": str(notice_id),
            "title": dict(flow.title),
            "unit": {"id": notice.unit_id, "name": publisher.name if publisher else notice.unit_id},
            "award": {"code": flow.award,
                      "title": dict(award.title) if award else {"vi": flow.award}},
            "day": notice.day,
            "starts_at": iso(notice.starts_at, tz),
            "ends_at": iso(ends, tz),
            "window": {"amount": state.notice.amount, "working": state.notice.working},
            "nominees": nominees,
        },
        "audit": {"seq": seq, "hash": head},
        "now": iso(deps.now(), tz),
    }
    html = deps.renderer.render(notice.template, context)
    digest = hashlib.sha256(html.encode("utf-8")).hexdigest()
    tx.notices.publish(notice_id, html, digest, seq, head, ends)
    tx.audit.append(deps.now(), "system", "notice_published", None, None, None, {
        "notice": notice_id, "flow": flow.id, "unit": notice.unit_id, "day": notice.day,
        "nominations": [n["id"] for n in nominees], "sha256": digest,
        "starts_at": iso(notice.starts_at, tz), "ends_at": iso(ends, tz),
        "audit_head": {"seq": seq, "hash": head}})
    return digest


# ---- objections ------------------------------------------------------------------------------


def _is_staff(deps: Deps, tx: Tx, actor: Actor | None, item: NominationRow,
              roles: tuple[str, ...] = STAFF_ROLES) -> bool:
    if actor is None or actor.public or actor.system:
        return False
    return any(tx.has_role(actor.login, role, unit)
               for unit in deps.tree(tx).ancestors(item.unit_id) for role in roles)


def _stage(flow: FlowSpec, item: NominationRow) -> StateSpec:
    """The state whose rules apply to ``item``: through a hold, the state it paused."""
    state = flow.states[item.state]
    if state.type == "hold" and item.hold_data:
        return flow.states.get(str(item.hold_data.get("origin")), state)
    return state


@dataclass(frozen=True)
class Window:
    """The public notice window of an item on notice, or held from one."""

    ends_at: datetime | None  # None while a hold has stopped it (or without a window timer)
    open: bool  # whether the public may object now
    paused: bool  # held from the notice state


def notice_window(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, now: datetime
                  ) -> Window | None:
    """The window of ``item``, or None if it is neither on notice nor held from one. A hold
    does not close the window, it only stops it: a window with time left stays open."""
    state = flow.states[item.state]
    if state.type == "notice":
        due = tx.window_due(item.id, item.entry_no)
        return Window(due, due is not None and now <= due, paused=False)
    if state.type == "hold" and _stage(flow, item).type == "notice":
        assert item.hold_data is not None
        left = any(t["kind"] == "window" and not t.get("expired")
                   for t in item.hold_data.get("timers", []))
        return Window(None, left, paused=True)
    return None


def window_open(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, now: datetime) -> bool:
    """Whether the public may object now (see :func:`notice_window`)."""
    window = notice_window(deps, tx, item, flow, now)
    return window is not None and window.open


def _examining_unit(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec,
                    notice_id: int | None) -> str:
    """Whose secretariat examines an objection: the unit that published the notice it was
    filed against, else the council that holds the item's stage (a vote's council unit, or
    where the stage's secretariat acts); never merely the nominating unit's own staff when a
    higher body runs the stage."""
    notice = tx.notices.get(notice_id) if notice_id is not None else None
    if notice is not None:
        return notice.unit_id
    stage = _stage(flow, item)
    if stage.vote is not None:
        council = deps.resolve(tx, item.unit_id, stage.vote.council)
        if council is not None:
            return council
    tree = deps.tree(tx)
    units = [deps.resolve(tx, item.unit_id, ref.scope) for t in flow.transitions_from(stage.name)
             for ref in t.by.roles if ref.role == "secretariat"]
    known = [u for u in units if u is not None]
    # the highest of them: the body that runs the stage
    return min(known, key=lambda u: len(tree.ancestors(u))) if known else item.unit_id


def may_resolve(deps: Deps, tx: Tx, login: str, item: NominationRow, flow: FlowSpec,
                notice_id: int | None) -> tuple[bool, str]:
    """Whether ``login`` is the secretariat that examines this objection (at the examining
    unit or above), and that unit."""
    unit = _examining_unit(deps, tx, item, flow, notice_id)
    return any(tx.has_role(login, "secretariat", u) for u in deps.tree(tx).ancestors(unit)), unit


def file_objection(deps: Deps, tx: Tx, actor: Actor | None, nomination_id: str, text: str,
                   name: str | None = None, contact: str | None = None) -> dict[str, Any]:
    from workflow.service.items import load

    item, machine = load(deps, tx, nomination_id)
    flow = machine.spec
    text = nfc((text or "").strip())
    name, contact = nfc(name or ""), nfc(contact or "")
    if not text:
        raise InvalidInput("an objection needs a text (--text)")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"an objection is at most {MAX_TEXT} characters")
    if item.final:
        raise NotAllowed(f"nomination {item.id} is decided ({item.state}); a complaint about a "
                         "decision follows the Law on Complaints", state=item.state)
    now = deps.now()
    staff = _is_staff(deps, tx, actor, item)
    if not staff and not window_open(deps, tx, item, flow, now):
        on_notice = flow.states[item.state].type == "notice"
        raise NotAllowed(
            f"the public notice window for nomination {item.id} is closed"
            if on_notice else f"nomination {item.id} is not on public notice now",
            state=item.state)
    on_notice = flow.states[item.state].type == "notice" or (
        item.state == flow.hold_state and window_open(deps, tx, item, flow, now))
    notice = tx.notices.latest_for(item.id) if on_notice else None
    filed_by = actor.login if staff and actor is not None else None
    objection_id = tx.notices.file(item.id, notice.id if notice else None, text,
                                   (name or "").strip() or None, (contact or "").strip() or None,
                                   filed_by, now)
    tx.audit.append(now, filed_by or "public", "objection_filed", item.id, item.state,
                    item.state, {
                        "objection": objection_id, "notice": notice.id if notice else None,
                        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                        "complaint": filed_by is not None})
    held = False
    if flow.hold_state and item.state != flow.hold_state:
        hold(deps, tx, item, flow, objection_id)
        held = True
    else:
        tx.save_nomination(item, item.version)  # guards read objections: a change of the item
    return {"id": str(objection_id), "status": "open", "nomination": str(item.id),
            "held": held, "state": item.state}


def hold(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, objection_id: int) -> None:
    from workflow.service.moves import move

    assert flow.hold_state is not None
    now = deps.now()
    paused = timers.pause(deps, tx, item, flow, now)
    origin, origin_entry = item.state, item.entry_no
    machine = deps.compiled(tx, item.flow_version)
    dest = machine.fire(item.state, INTERNAL.HOLD, ItemContext(deps, tx, item, flow))
    item.hold_data = {"origin": origin, "origin_entry": origin_entry, **paused}
    move(deps, tx, item, flow, dest, actor=SYSTEM, action="held",
         payload={"objection": objection_id, "origin": origin,
                  "sla_remaining": paused["sla_remaining"]})


def resume(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, actor: Actor) -> None:
    from workflow.service.moves import move

    data = item.hold_data or {}
    origin = data.get("origin")
    if not origin or origin not in flow.states:
        raise NotAllowed(f"nomination {item.id} has no state to resume to")
    machine = deps.compiled(tx, item.flow_version)
    dest = machine.fire(item.state, INTERNAL.resume(origin), ItemContext(deps, tx, item, flow))
    item.hold_data = None
    move(deps, tx, item, flow, dest, actor=actor, action="resumed",
         payload={"origin": origin, "sla_remaining": data.get("sla_remaining")}, resume=data)
    if flow.states[dest].type == "notice" and tx.window_due(item.id, item.entry_no) is None:
        window_ended(deps, tx, item, flow)  # the window had already ended before the hold


def resolve(deps: Deps, tx: Tx, actor: Actor, objection_id: str, outcome: str, comment: str
            ) -> dict[str, Any]:
    from workflow.service.items import load
    from workflow.service.moves import move

    if outcome not in ("dismissed", "upheld"):
        raise InvalidInput(f"outcome {outcome!r}: use dismissed or upheld")
    key = parse_id(objection_id, "objection")
    objection = tx.notices.objection(key, lock=True)
    if objection is None:
        raise NotFound(f"no objection {key}", id=str(key))
    item, machine = load(deps, tx, objection.nomination_id)
    flow = machine.spec
    allowed, unit = may_resolve(deps, tx, actor.login, item, flow, objection.notice_id)
    if not allowed:
        raise PermissionDenied(f"{actor.login} may not resolve objection {key}: needs "
                               f"secretariat at {unit} or above", actor=actor.login)
    if objection.status != "open":
        raise NotAllowed(f"objection {key} is already {objection.status}", status=objection.status)
    comment = nfc((comment or "").strip())
    if not comment:
        raise InvalidInput("resolving an objection needs a comment (--comment)")
    now = deps.now()
    tx.notices.resolve(key, outcome, actor.login, comment, now)
    payload = {"objection": key, "outcome": outcome, "comment": comment}
    if outcome == "upheld" and not item.final:
        dest = machine.fire(item.state, INTERNAL.UPHELD, ItemContext(deps, tx, item, flow))
        item.hold_data = None
        move(deps, tx, item, flow, dest, actor=actor, action="objection_resolved",
             payload=payload)
    else:
        tx.audit.append(now, actor.login, "objection_resolved", item.id, item.state, item.state,
                        payload)
        if item.final or tx.open_objections(item.id):
            tx.save_nomination(item, item.version)
        elif flow.hold_state and item.state == flow.hold_state:
            resume(deps, tx, item, flow, actor)
        elif flow.states[item.state].type == "notice" and not window_open(
                deps, tx, item, flow, now):
            window_ended(deps, tx, item, flow)
        else:
            tx.save_nomination(item, item.version)
    return {"id": str(key), "status": outcome, "nomination": str(item.id), "state": item.state}


def window_ended(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec) -> bool:
    """The window is over: move on to ``then`` unless an objection is still open."""
    from workflow.service.moves import move

    state = flow.states[item.state]
    if state.type != "notice" or item.final:
        return False
    waiting = tx.open_objections(item.id)
    if waiting:
        tx.audit.append(deps.now(), "system", "notice_waiting", item.id, item.state, item.state,
                        {"open_objections": waiting})
        return False
    machine = deps.compiled(tx, item.flow_version)
    dest = machine.fire(item.state, INTERNAL.THEN, ItemContext(deps, tx, item, flow))
    move(deps, tx, item, flow, dest, actor=SYSTEM, payload={"trigger": "@then",
                                                           "reason": "notice window ended"})
    return True


# ---- views -----------------------------------------------------------------------------------


def window_view(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, now: datetime
                ) -> dict[str, Any] | None:
    """The public notice window of an item on notice (or held from one): when it ends (none
    while a hold has stopped it) and whether the public may object now."""
    window = notice_window(deps, tx, item, flow, now)
    if window is None:
        return None
    return {"ends_at": iso(window.ends_at, deps.display_tz) if window.ends_at else None,
            "open": window.open, "paused": window.paused}


def objections_view(deps: Deps, tx: Tx, item: NominationRow) -> list[dict[str, Any]]:
    """Objections of an item without the objector's personal data."""
    tz = deps.display_tz
    return [{"id": str(o.id), "status": o.status, "filed_at": iso(o.filed_at, tz),
             "by": o.filed_by or "public", "text": o.text, "notice": o.notice_id,
             "resolved_at": iso(o.resolved_at, tz), "resolved_by": o.resolved_by,
             "resolution": o.resolution}
            for o in tx.notices.objections(item.id)]


def notices_view(deps: Deps, tx: Tx, after_id: int, limit: int) -> list[dict[str, Any]]:
    tz = deps.display_tz
    now = deps.now()
    out = []
    tree = deps.tree(tx)
    for notice in tx.notices.page(after_id, limit):
        nominees = []
        still_open = False
        extended: datetime | None = None
        for nomination_id in tx.notices.items(notice.id):
            other = tx.nomination(nomination_id)
            if other is None:
                continue
            # A hold stops a nominee's window and resuming gives back the days it had left,
            # so one nominee may stay open for objections after the published end.
            flow = deps.compiled(tx, other.flow_version).spec
            latest = tx.notices.latest_for(other.id)
            # only the nominee's latest notice: a later notice's window is not this one's
            window = (notice_window(deps, tx, other, flow, now)
                      if latest is not None and latest.id == notice.id else None)
            is_open = window is not None and window.open
            due = window.ends_at if window is not None else None
            if due is not None and due > notice.ends_at:
                extended = max(extended or due, due)
            still_open = still_open or is_open
            nominees.append({"id": str(other.id), "nominee": other.nominee,
                             "unit": other.unit_id, "state": other.state,
                             "window_open": is_open,
                             "window_ends_at": iso(due, tz) if due is not None else None})
        unit = tree.units.get(notice.unit_id)
        out.append({
            "id": str(notice.id), "flow": notice.flow_id, "unit": notice.unit_id,
            "unit_name": unit.name if unit else notice.unit_id, "day": notice.day,
            "starts_at": iso(notice.starts_at, tz), "ends_at": iso(notice.ends_at, tz),
            "extended_to": iso(extended, tz) if extended is not None else None,
            "status": "open" if notice.starts_at <= now and (
                now <= notice.ends_at or still_open) else "closed",
            "nominees": nominees, "sha256": notice.sha256,
            "audit_head": {"seq": notice.audit_seq, "hash": notice.audit_hash},
        })
    return out
