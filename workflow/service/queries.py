"""Reads: an item in full, what a person may do now, queues, the notice board, objections,
council sessions and a member's paper, and the rows of an export.

Each function reads inside the caller's unit of work and writes nothing; the facades
(:mod:`workflow.service.facades`) run them and page through long lists.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from workflow.errors import GuardRefused, NotFound, Reason
from workflow.flow import FlowSpec
from workflow.service import access
from workflow.service.base import Actor, Deps, ItemContext
from workflow.service.commands.sessions import on_paper
from workflow.service.lifecycle import ALL, Entry
from workflow.service.lifecycle.notice import notice_window
from workflow.service.lifecycle.vote import public_tally
from workflow.service.present import audit_view, item_summary
from workflow.store import CouncilSessionRow, NominationRow, ObjectionRow, Tx, normal_receipt

__all__ = ["EXPORT_COLUMNS", "available", "export_rows", "item_detail", "notices_page",
           "objection_facts", "objections_view", "objector", "open_objections", "paper_view",
           "queue",
           "receipt_status", "session_summary", "session_view"]


def _pdf_sha256(tx: Tx, document_id: int) -> str | None:
    issued = tx.issued.get("document", document_id)
    return issued.pdf_sha256 if issued is not None else None


def item_detail(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec,
                examines: Callable[[int | None], bool] | None = None) -> dict[str, Any]:
    """``award show``: the item, its dossier, documents, history and what its states add."""
    tz = deps.display_tz
    data = item_summary(deps, item, deps.now())
    state = flow.states[item.state]
    data.update({
        "flow_version": item.flow_version,
        "flow_title": dict(flow.title),
        "award": flow.award,
        "state_type": state.type,
        "entered_at": deps.iso(item.entered_at),
        "created_at": deps.iso(item.created_at),
        "created_by": item.created_by,
        "fields": item.fields,
        "documents": [
            {"id": str(d.id), "type": d.doctype, "file": d.filename, "sha256": d.sha256,
             "size": d.size, "at": deps.iso(d.attached_at), "by": d.attached_by}
            for d in tx.documents.of(item.id)
        ],
        "rendered": [
            {"id": str(r.id), "template": r.template, "sha256": r.sha256,
             "at": deps.iso(r.rendered_at), "pdf_sha256": _pdf_sha256(tx, r.id)}
            for r in tx.documents.rendered(item.id)
        ],
        "history": [
            {k: v for k, v in audit_view(e, tz).items() if k not in ("nomination", "hash")}
            for e in tx.audit.entries(str(item.id), limit=100_000)
        ],
        "allowed": [] if item.final else flow.allowed_triggers(item.state),
    })
    data["escalations"] = [
        {"seq": h["seq"], "at": h["at"], "action": h["action"], "step": h["payload"].get("step"),
         "to": h["payload"].get("recipients", [])}
        for h in data["history"]
        if h["action"] in ("reminded", "escalated", "refused")
        or (h["action"] == "fired" and "timer" in h["payload"])  # a step that fired
    ]
    entry = Entry(deps, tx, item, flow)
    views: dict[str, Any] = {}
    for behaviour in ALL:  # every kind: a closed round still shows after the vote state
        views.update(behaviour.view(entry))
    data["window"] = views.get("window")
    data["objections"] = objections_view(deps, tx, item, examines)
    data["ballot"] = views.get("ballot")
    data["confirmations"] = views.get("confirmations", [])
    data["hold"] = item.hold_data
    data["grant"] = views.get("grant")
    return data


def objections_view(deps: Deps, tx: Tx, item: NominationRow,
                    examines: Callable[[int | None], bool] | None = None
                    ) -> list[dict[str, Any]]:
    """Objections of an item. The objector's personal data (name, contact, receipt code)
    only where ``examines(notice id)`` says the reader is the examining secretariat."""
    out = []
    now = deps.now()
    for o in tx.objections.of(item.id):
        view = {"id": str(o.id), "status": o.status, "filed_at": deps.iso(o.filed_at),
                "by": o.filed_by or "public", "text": o.text, "notice": o.notice_id,
                "resolved_at": deps.iso(o.resolved_at), "resolved_by": o.resolved_by,
                "resolution": o.resolution,
                # a complaint against the award once granted: upheld, it revokes it
                "grant": str(o.grant_id) if o.grant_id is not None else None,
                **objection_facts(deps, o, now)}
        if examines is not None and examines(o.notice_id):
            view.update(objector(o))
        out.append(view)
    return out


def objection_facts(deps: Deps, row: ObjectionRow, now: datetime) -> dict[str, Any]:
    """An objection's kind (with its label from the catalogue), handling deadline, whether the
    one extension was taken and whether it is overdue (open past its deadline)."""
    spec = deps.definitions.catalogue.objection_kind(row.kind)
    return {"kind": row.kind,
            "kind_label": dict(spec.label) if spec else {"vi": row.kind, "en": row.kind},
            "due_at": deps.iso(row.due_at), "extended": row.extended_at is not None,
            "extended_at": deps.iso(row.extended_at),
            "overdue": row.status == "open" and row.due_at is not None and row.due_at < now}


def objector(row: ObjectionRow) -> dict[str, Any]:
    """What the examining secretariat may know of who objected (never the public or the
    audit log): so they can ask, and answer."""
    return {"name": row.name, "contact": row.contact, "receipt": row.receipt}


def available(deps: Deps, tx: Tx, actor: Actor, item: NominationRow, flow: FlowSpec
              ) -> list[dict[str, Any]]:
    """What ``actor`` may do to ``item`` now, as the engine would judge it (a dry run: roles
    at the right unit, then the guards; nothing is written). Refused triggers are listed with
    the guard's reason so an interface can explain a disabled button."""
    if item.final:
        return []
    machine = deps.compiled(tx, item.flow_version)
    state = flow.states[item.state]
    actions: list[dict[str, Any]] = []
    for t in flow.transitions_from(item.state):
        if not t.by.roles or not access.holds_any(deps, tx, actor, t.by.roles, item.unit_id):
            continue
        entry: dict[str, Any] = {"action": "fire", "trigger": t.trigger, "to": t.dest,
                                 "comment": t.comment, "label": dict(t.label), "ok": True}
        try:
            machine.fire(item.state, t.trigger, ItemContext(deps, tx, item, flow))
        except GuardRefused as exc:
            entry.update(ok=False, guard=exc.fields.get("guard"), reason=exc.fields.get("reason"),
                         why=exc.values["reason"].as_dict()
                         if isinstance(exc.values.get("reason"), Reason) else None)
        actions.append(entry)
    if state.vote is not None:
        current = tx.ballots.latest(item.id)
        if current is not None and current.status == "open":
            standing = tx.ballots.member(current.id, actor.login)
            session = tx.sessions.open_holding([current.id]).get(current.id)
            runs = access.holds_any(deps, tx, actor, state.vote.close_by, item.unit_id)
            if session is not None:  # voted on the session's paper, closed with it
                if standing is not None and not any(standing):
                    actions += [{"action": "paper", "session": str(session), "ok": True},
                                {"action": "recuse", "ok": True}]
                if runs:
                    actions.append({"action": "session", "session": str(session), "ok": True})
            else:
                if standing is not None and not any(standing):
                    actions += [{"action": "vote", "ok": True}, {"action": "recuse", "ok": True}]
                if runs:
                    actions += [{"action": "close_vote", "ok": True},
                                {"action": "written_vote", "ok": True}]
    if state.confirmations is not None:
        signed = {row[0] for row in tx.confirmations.of(item.id, item.entry_no)}
        for key, roles in state.confirmations.items:
            if key not in signed and access.holds_any(deps, tx, actor, roles, item.unit_id):
                actions.append({"action": "confirm", "key": key, "ok": True})
    return actions


def queue(deps: Deps, tx: Tx, actor: Actor, limit: int) -> list[dict[str, Any]]:
    """Items waiting on ``actor`` (something they may do now), overdue first, then by due."""
    units = access.reach(deps, tx, actor)
    out: list[tuple[Any, ...]] = []
    now = deps.now()
    after = 0
    while units:
        rows = tx.items.page(units=units, open_only=True, after_id=after, limit=500)
        if not rows:
            break
        for row in rows:
            flow = deps.compiled(tx, row.flow_version).spec
            actions = [a for a in available(deps, tx, actor, row, flow) if a["ok"]]
            if actions:
                summary = item_summary(deps, row, now)
                summary["actions"] = actions
                out.append((row.due_at is None, row.due_at or now, row.id, summary))
        after = rows[-1].id
    out.sort(key=lambda r: (r[0], r[1], r[2]))
    return [r[3] for r in out[:limit]]


def notices_page(deps: Deps, tx: Tx, after_id: int, limit: int) -> list[dict[str, Any]]:
    """Public notices after ``after_id`` with each nominee's window (``award notices``);
    confidential nominees are only counted."""
    now = deps.now()
    out = []
    tree = deps.tree(tx)
    notices = tx.notices.page(after_id, limit)
    # the page's nominees and their latest notices, read at once rather than one by one
    members = tx.notices.items_of([n.id for n in notices])
    every = sorted({i for ids in members.values() for i in ids})
    items = tx.items.get_many(every)
    latest_of = tx.notices.latest_ids(every)
    for notice in notices:
        nominees = []
        confidential = 0
        still_open = False
        extended: datetime | None = None
        for nomination_id in members[notice.id]:
            other = items.get(nomination_id)
            if other is None:
                continue
            # A hold stops a nominee's window and resuming gives back the days it had left,
            # so one nominee may stay open for objections after the published end.
            flow = deps.compiled(tx, other.flow_version).spec
            # only the nominee's latest notice: a later notice's window is not this one's
            window = (notice_window(deps, tx, other, flow, now)
                      if latest_of.get(other.id) == notice.id else None)
            is_open = window is not None and window.open
            due = window.ends_at if window is not None else None
            if due is not None and due > notice.ends_at:
                extended = max(extended or due, due)
            still_open = still_open or is_open
            if other.confidential:  # counted, never named (nor its number given)
                confidential += 1
                continue
            nominees.append({"id": str(other.id), "nominee": other.nominee,
                             "unit": other.unit_id, "state": other.state,
                             "window_open": is_open,
                             "window_ends_at": deps.iso(due)})
        unit = tree.units.get(notice.unit_id)
        out.append({
            "id": str(notice.id), "flow": notice.flow_id, "unit": notice.unit_id,
            "unit_name": unit.name if unit else notice.unit_id, "day": notice.day,
            "starts_at": deps.iso(notice.starts_at), "ends_at": deps.iso(notice.ends_at),
            "extended_to": deps.iso(extended),
            "status": "open" if notice.starts_at <= now and (
                now <= notice.ends_at or still_open) else "closed",
            "nominees": nominees, "confidential": confidential, "sha256": notice.sha256,
            "pdf_sha256": notice.pdf_sha256,
            "audit_head": {"seq": notice.audit_seq, "hash": notice.audit_hash},
        })
    return out


def open_objections(deps: Deps, tx: Tx, actor: Actor, limit: int) -> list[dict[str, Any]]:
    """Open objections ``actor`` examines as secretariat (see access.may_resolve), oldest
    first, with what they may know of who objected."""
    units = access.reach(deps, tx, actor, "secretariat")
    out: list[dict[str, Any]] = []
    after = 0
    # page on: objections a higher body examines are skipped, not counted
    while len(out) < limit and (page := tx.objections.open_in(units, limit, after)):
        for objection_id, nomination_id in page:
            after = objection_id
            row = tx.objections.get(objection_id)
            item = tx.items.get(nomination_id)
            if row is None or item is None or not access.may_resolve(
                    deps, tx, actor, item, deps.compiled(tx, item.flow_version).spec,
                    row.notice_id)[0]:
                continue
            out.append({"id": str(objection_id), "nomination": str(item.id),
                        "nominee": item.nominee, "unit": item.unit_id,
                        "state": item.state, "filed_at": deps.iso(row.filed_at),
                        "by": row.filed_by or "public", "text": row.text, **objector(row),
                        **objection_facts(deps, row, deps.now())})
            if len(out) == limit:
                break
    return out


def receipt_status(deps: Deps, tx: Tx, code: str) -> dict[str, Any]:
    """What the holder of a receipt code may know of their objection: when it was filed, what
    it said (and its SHA-256, as in the audit entry), about whom, and how it stands. Never the
    name or contact given, which the code alone does not prove to be theirs."""
    plain = normal_receipt(code)
    objection = tx.objections.by_receipt(plain) if plain else None
    if objection is None:
        raise NotFound("no objection has that receipt code", msgid="receipt.unknown")
    item = tx.items.get(objection.nomination_id)
    assert item is not None
    return {"receipt": objection.receipt, "nomination": str(item.id), "nominee": item.nominee,
            "filed_at": deps.iso(objection.filed_at), "text": objection.text,
            "text_sha256": hashlib.sha256(objection.text.encode("utf-8")).hexdigest(),
            "status": objection.status, "resolved_at": deps.iso(objection.resolved_at),
            "resolution": objection.resolution}


# ---- council sessions ----------------------------------------------------------------------


def session_summary(deps: Deps, tx: Tx, session: CouncilSessionRow) -> dict[str, Any]:
    unit = deps.tree(tx).units.get(session.council_unit)
    names = tx.directory.names(x for x in (session.opened_by, session.closed_by) if x)
    return {"id": str(session.id), "council": session.council_unit,
            "council_name": unit.name if unit else session.council_unit,
            "title": session.title, "status": session.status, "number": session.number,
            "opened_at": deps.iso(session.opened_at), "opened_by": session.opened_by,
            "opened_by_name": names.get(session.opened_by, session.opened_by),
            "closed_at": deps.iso(session.closed_at), "closed_by": session.closed_by,
            "closed_by_name": names.get(session.closed_by or "", session.closed_by),
            "minutes_pdf_sha256": session.pdf_sha256}


def session_view(deps: Deps, tx: Tx, session: CouncilSessionRow) -> dict[str, Any]:
    """``award session show``: per item the roll and how many have voted or recused while the
    session is open (never a tally), each item's tally and result once it is closed."""
    data = session_summary(deps, tx, session)
    paper = on_paper(deps, tx, session)
    rounds = [p.round_id for p in paper]
    roll = tx.ballots.rolls(rounds)
    outcomes = {o["id"]: o for o in (session.result or {}).get("items", [])}
    items = []
    for entry in paper:
        item = entry.item
        mine = [(voted, recused) for r, _m, voted, recused in roll if r == entry.round_id]
        unit = deps.tree(tx).units.get(item.unit_id)
        row: dict[str, Any] = {
            "id": str(item.id), "position": entry.position, "nominee": item.nominee,
            "unit": item.unit_id, "unit_name": unit.name if unit else item.unit_id,
            "flow": item.flow_id, "state": item.state,
            "round": entry.round_id, "open": entry.round is not None,
            "members": len(mine), "voted": sum(v for v, _ in mine),
            "recused": sum(x for _, x in mine)}
        if entry.round is None and session.status == "open":
            row["why_not"] = entry.why_not
        if session.status == "closed":
            outcome = outcomes.get(str(item.id), {})
            row["decided"] = bool(outcome.get("decided"))
            current = next((r for r in tx.ballots.rounds(item.id) if r.id == entry.round_id),
                           None)
            if row["decided"] and current is not None and current.result:
                row["tally"] = public_tally(current.result)
            else:
                row["why_not"] = outcome.get("reason")
        items.append(row)
    members = {m for _r, m, _v, _x in roll}
    data.update({
        "items": items, "members": len(members),
        "papers": len({m for _r, m, voted, _x in roll if voted}),
        "papers_due": len({m for r, m, voted, recused in roll
                           if not voted and not recused
                           and any(p.round_id == r and p.round is not None for p in paper)}),
    })
    minutes = tx.sessions.minutes(session.id)
    data["minutes_sha256"] = minutes[1] if minutes else None
    return data


def paper_view(deps: Deps, tx: Tx, session: CouncilSessionRow, actor: Actor
               ) -> dict[str, Any]:
    """A member's paper: every item of the session with what this member may do on it
    (``due``: to mark; ``voted``, ``recused``, ``off_roll``, ``closed``: nothing to mark)."""
    data = session_summary(deps, tx, session)
    paper = on_paper(deps, tx, session)
    standing = tx.ballots.standings([p.round_id for p in paper], actor.login)
    tree = deps.tree(tx)
    items = []
    for entry in paper:
        item, flow = entry.item, entry.flow
        mine = standing.get(entry.round_id)
        if entry.round is None or session.status != "open":
            mark = "closed"
        elif mine is None:
            mark = "off_roll"
        else:
            mark = "voted" if mine[0] else "recused" if mine[1] else "due"
        award = deps.definitions.catalogue.get(flow.award)
        unit = tree.units.get(item.unit_id)
        items.append({"id": str(item.id), "position": entry.position, "nominee": item.nominee,
                      "unit": item.unit_id, "unit_name": unit.name if unit else item.unit_id,
                      "flow": flow.id, "flow_title": dict(flow.title),
                      "award_title": dict(award.title) if award else {"vi": flow.award},
                      "fields": dict(item.fields), "mark": mark,
                      "rule": dict(entry.round.rule) if entry.round else None})
    data.update({
        "items": items, "due": sum(1 for i in items if i["mark"] == "due"),
        "voted": any(i["mark"] == "voted" for i in items),
        "on_roll": any(i["mark"] in ("due", "voted", "recused") for i in items),
        "runs": tx.directory.has_role(actor.login, "secretariat", session.council_unit),
    })
    return data


# ---- export --------------------------------------------------------------------------------

#: the columns of ``award export items`` (key, Vietnamese label); a single flow adds its fields
EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "Số hồ sơ"), ("flow", "Quy trình"), ("award", "Hình thức khen thưởng"),
    ("unit", "Mã đơn vị"), ("unit_name", "Đơn vị"), ("nominee", "Họ và tên / Tập thể"),
    ("person", "Tài khoản"), ("state", "Mã bước"), ("state_label", "Bước"),
    ("due_at", "Hạn xử lý"), ("overdue", "Quá hạn"), ("outcome", "Kết quả (mã)"),
    ("outcome_label", "Kết quả"), ("created_at", "Ngày tạo"),
)
_OUTCOMES = {"awarded": "Được khen thưởng", "rejected": "Không được khen thưởng",
             "withdrawn": "Dừng / rút hồ sơ"}


def export_rows(deps: Deps, tx: Tx, rows: list[NominationRow], fields: tuple[str, ...]
                ) -> list[list[Any]]:
    """One export row per item, in :data:`EXPORT_COLUMNS` order, then ``fields``."""
    now = deps.now()
    tree = deps.tree(tx)
    out = []
    for row in rows:
        flow = deps.compiled(tx, row.flow_version).spec
        state = flow.states.get(row.state)
        unit = tree.units.get(row.unit_id)
        summary = item_summary(deps, row, now)
        label = state.label.get("vi") if state is not None and state.label else None
        out.append([
            str(row.id), row.flow_id, flow.award, row.unit_id,
            unit.name if unit else row.unit_id, row.nominee, row.person_login or "",
            row.state, label or row.state, summary["due_at"] or "",
            "có" if summary["overdue"] else "", row.outcome or "",
            _OUTCOMES.get(row.outcome or "", ""), deps.iso(row.created_at),
            *(row.fields.get(name) for name in fields)])
    return out
