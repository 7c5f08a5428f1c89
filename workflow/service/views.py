"""Plain-data views of items: what ``--json`` prints and what templates receive.

Times are ISO 8601 with the local offset of the display time zone; ids are strings. Nothing
here writes.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from workflow.flow import FlowSpec
from workflow.service.context import Deps
from workflow.store import NominationRow, Tx

__all__ = ["audit_view", "iso", "item_context", "item_detail", "item_summary"]


def iso(instant: datetime | None, tz: ZoneInfo) -> str | None:
    if instant is None:
        return None
    return instant.astimezone(tz).isoformat(timespec="seconds")


def iso_text(text: str, tz: ZoneInfo) -> str:
    """A stored time shown in local time; a value that is not a time (a tampered row) is shown
    as it is — reading the log must never fail on the rows verify exists to catch."""
    try:
        return iso(datetime.fromisoformat(text), tz) or text
    except (TypeError, ValueError):
        return text


def item_summary(deps: Deps, item: NominationRow, now: datetime | None = None) -> dict[str, Any]:
    tz = deps.display_tz
    overdue = bool(now and item.due_at and not item.final and item.due_at < now)
    return {
        "id": str(item.id),
        "flow": item.flow_id,
        "state": item.state,
        "unit": item.unit_id,
        "nominee": item.nominee,
        "person": item.person_login,
        "due_at": iso(item.due_at, tz),
        "overdue": overdue,
        "final": item.final,
        "outcome": item.outcome,
        "version": item.version,
    }


def audit_view(row: dict[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    return {
        "seq": row["seq"],
        "at": iso_text(row["at"], tz),
        "actor": row["actor"],
        "action": row["action"],
        "nomination": row["nomination"],
        "from": row["from_state"],
        "to": row["to_state"],
        "payload": _payload(row["payload"]),
        "hash": row["hash"],
    }


def _payload(text: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def item_detail(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec) -> dict[str, Any]:
    from workflow.service import ballots, confirmations, notices

    tz = deps.display_tz
    now = deps.now()
    data = item_summary(deps, item, now)
    state = flow.states[item.state]
    data.update({
        "flow_version": item.flow_version,
        "flow_title": dict(flow.title),
        "award": flow.award,
        "state_type": state.type,
        "entered_at": iso(item.entered_at, tz),
        "created_at": iso(item.created_at, tz),
        "created_by": item.created_by,
        "fields": item.fields,
        "documents": [
            {"id": str(d.id), "type": d.doctype, "file": d.filename, "sha256": d.sha256,
             "size": d.size, "at": iso(d.attached_at, tz), "by": d.attached_by}
            for d in tx.documents(item.id)
        ],
        "rendered": [
            {"id": str(r["id"]), "template": r["template"], "sha256": r["sha256"],
             "at": iso(r["at"], tz)}
            for r in tx.rendered(item.id)
        ],
        "history": [
            {k: v for k, v in audit_view(e, tz).items() if k not in ("nomination", "hash")}
            for e in tx.audit_entries(str(item.id), limit=100_000)
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
    data["window"] = notices.window_view(deps, tx, item, flow, now)
    data["objections"] = notices.objections_view(deps, tx, item)
    data["ballot"] = ballots.ballot_view(deps, tx, item)
    data["confirmations"] = confirmations.view(deps, tx, item, flow)
    data["hold"] = item.hold_data
    return data


def item_context(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec) -> dict[str, Any]:
    """The data a document template sees about one item (plain values only)."""
    tz = deps.display_tz
    award = deps.definitions.catalogue.get(flow.award)
    tree = deps.tree(tx)
    unit = tree.units.get(item.unit_id)
    state = flow.states[item.state]
    entered_by = tx.entered_by(item.id, item.state) or item.created_by
    return {
        "item": {
            "id": str(item.id),
            "nominee": item.nominee,
            "person": item.person_login,
            "fields": dict(item.fields),
            "state": item.state,
            "state_label": dict(state.label) or {"vi": item.state, "en": item.state},
            "entered_at": iso(item.entered_at, tz),
            "created_at": iso(item.created_at, tz),
            # who took the item into its current state: in an awarded state, the decider
            "entered_by": {"login": entered_by,
                           "name": tx.people_names([entered_by]).get(entered_by, entered_by)},
            "unit": {"id": item.unit_id, "name": unit.name if unit else item.unit_id,
                     "level": unit.level if unit else ""},
        },
        "flow": {"id": flow.id, "title": dict(flow.title), "version": flow.version,
                 "decider": [str(r) for r in flow.decider.roles]},
        "award": {
            "code": flow.award,
            "title": dict(award.title) if award else {"vi": flow.award},
            "basis": award.basis if award else "",
            "level": award.level if award else "",
        },
        "now": iso(deps.now(), tz),
    }
