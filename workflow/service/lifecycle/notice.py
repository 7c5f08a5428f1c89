"""Notice states: public notice with a window for objections (Decree 152 Art 4(4): no award
while an objection is being verified).

Entering publishes the item in the day's notice of its publishing unit (one document per
flow, unit and day, so a council's batch is one notice), rendered in the sandbox with the
audit head embedded; the window ends after N (working) days. When it ends with no objection
open the item moves on to ``then``; with one open it waits, and moves on as soon as the last
is dismissed (:func:`window_ended`). A hold stops the window; coming back gives it the days
it had left, or moves on at once if it had already ended.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workflow.errors import NotAllowed
from workflow.flow import INTERNAL, FlowSpec, StateSpec
from workflow.service.access import stage
from workflow.service.base import SYSTEM, Deps
from workflow.service.lifecycle.base import Behaviour, Entry, Step
from workflow.service.present import official
from workflow.service.printing import print_issued
from workflow.store import NominationRow, Tx

__all__ = ["Notice", "Window", "notice_window", "window_ended", "window_open"]


class Notice(Behaviour):
    def applies(self, state: StateSpec) -> bool:
        return state.type == "notice"

    def enter(self, entry: Entry, resume: Mapping[str, Any] | None) -> list[Step]:
        if resume is not None:
            if entry.tx.timers.window_due(entry.item.id, entry.item.entry_no) is None:
                step = window_ended(entry)  # the window had already ended before the hold
                return [step] if step else []
            return []
        publish(entry)
        return []

    def view(self, entry: Entry) -> dict[str, Any]:
        """The window of an item on notice (or held from one): when it ends (none while a
        hold has stopped it) and whether the public may object now."""
        window = notice_window(entry.deps, entry.tx, entry.item, entry.flow,
                               entry.deps.now())
        if window is None:
            return {"window": None}
        return {"window": {"ends_at": entry.deps.iso(window.ends_at),
                           "open": window.open, "paused": window.paused}}


def publish(entry: Entry) -> None:
    deps, tx, item, flow, state = entry.deps, entry.tx, entry.item, entry.flow, entry.state
    notice = state.notice
    assert notice is not None
    calendar = deps.calendar(flow)
    publisher = deps.resolve(tx, item.unit_id, notice.publisher)
    if publisher is None:
        raise NotAllowed(f"no publishing unit at scope {notice.publisher!r} above "
                         f"{item.unit_id}", msgid="notice.no_publisher",
                         values={"unit": item.unit_id}, scope=notice.publisher)
    start = item.entered_at
    day = calendar.local_date(start).isoformat()
    ends = calendar.due(start, notice.amount, working=notice.working)
    row = tx.notices.find(flow.id, publisher, day)
    notice_id = (tx.notices.create(flow.id, publisher, day, start, ends, notice.template)
                 if row is None else row.id)
    tx.notices.add_item(notice_id, item.id)
    digest = _render(deps, tx, notice_id, flow, state, max(ends, row.ends_at) if row else ends)
    if row is None:
        until = deps.iso(ends)
        body = (f"Thông báo công khai số {notice_id} ({flow.title_text()}) đã đăng; hạn góp ý "
                f"đến {until}.\nNotice {notice_id} is published; objections until {until}."
                f"\nsha256 {digest}")
        for login in tx.directory.holders("secretariat", publisher):
            tx.outbox.put(deps.now(), "notice", login, item.id,
                          f"Thông báo công khai số {notice_id} / Public notice {notice_id}", body)


def _render(deps: Deps, tx: Tx, notice_id: int, flow: FlowSpec, state: StateSpec,
            ends: datetime) -> str:
    notice = tx.notices.get(notice_id)
    assert notice is not None and state.notice is not None
    tree = deps.tree(tx)
    award = deps.definitions.catalogue.get(flow.award)
    nominees = []
    confidential = 0
    for nomination_id in tx.notices.items(notice_id):
        other = tx.items.get(nomination_id)
        if other is None:
            continue
        if other.confidential:  # a nominee on special tasks is counted, never named
            confidential += 1
            continue
        unit = tree.units.get(other.unit_id)
        nominees.append({"id": str(other.id), "nominee": other.nominee,
                         "unit": unit.name if unit else other.unit_id})
    publisher = tree.units.get(notice.unit_id)
    seq, head = tx.audit.head()
    board = deps.definitions.office.board_url.rstrip("/")
    signers = tx.directory.holders("secretariat", notice.unit_id)
    context = {
        **official(deps, tx, notice.unit_id, notice.starts_at),
        "board": {"url": board or "/", "notice_url": f"{board}/notices/{notice_id}"},
        "signer": ({"login": signers[0],
                    "name": tx.directory.names(signers[:1]).get(signers[0], signers[0])}
                   if signers else None),
        "notice": {
            "id": str(notice_id),
            "title": dict(flow.title),
            "unit": {"id": notice.unit_id, "name": publisher.name if publisher else notice.unit_id},
            "award": {"code": flow.award,
                      "title": dict(award.title) if award else {"vi": flow.award}},
            "day": notice.day,
            "starts_at": deps.iso(notice.starts_at),
            "ends_at": deps.iso(ends),
            "window": {"amount": state.notice.amount, "working": state.notice.working},
            "nominees": nominees,
            "confidential": confidential,
        },
        "audit": {"seq": seq, "hash": head},
        "now": deps.iso(deps.now()),
    }
    html = deps.renderer.render(notice.template, context)
    digest = hashlib.sha256(html.encode("utf-8")).hexdigest()
    tx.notices.publish(notice_id, html, digest, seq, head, ends)
    print_issued(tx, "notice", notice_id, html)
    tx.audit.append(deps.now(), "system", "notice_published", None, None, None, {
        "notice": notice_id, "flow": flow.id, "unit": notice.unit_id, "day": notice.day,
        "nominations": [n["id"] for n in nominees], "sha256": digest,
        "starts_at": deps.iso(notice.starts_at), "ends_at": deps.iso(ends),
        "audit_head": {"seq": seq, "hash": head}})
    return digest


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
        due = tx.timers.window_due(item.id, item.entry_no)
        return Window(due, due is not None and now <= due, paused=False)
    if state.type == "hold" and stage(flow, item).type == "notice":
        assert item.hold_data is not None
        left = any(t["kind"] == "window" and not t.get("expired")
                   for t in item.hold_data.get("timers", []))
        return Window(None, left, paused=True)
    return None


def window_open(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, now: datetime) -> bool:
    """Whether the public may object now (see :func:`notice_window`)."""
    window = notice_window(deps, tx, item, flow, now)
    return window is not None and window.open


def window_ended(entry: Entry) -> Step | None:
    """The window is over: the step on to ``then``, unless an objection is still open (then
    the wait is audited and the item stays)."""
    deps, tx, item = entry.deps, entry.tx, entry.item
    if entry.state.type != "notice" or item.final:
        return None
    waiting = tx.objections.open_count(item.id)
    if waiting:
        tx.audit.append(deps.now(), "system", "notice_waiting", item.id, item.state, item.state,
                        {"open_objections": waiting})
        return None
    return Step(INTERNAL.THEN, SYSTEM,
                payload={"trigger": "@then", "reason": "notice window ended"})
