"""Plain-data shapes of rows: what ``--json`` prints and what document templates receive.

Times are ISO 8601 with the local offset of the display time zone; ids are strings. Nothing
here writes. Above :mod:`workflow.service.base` only.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from workflow.directory import UnitTree
from workflow.documents import date_in_words
from workflow.flow import FlowSpec
from workflow.service.base import Deps, iso
from workflow.store import NominationRow, Tx

__all__ = ["audit_view", "date_in_words", "flow_words", "item_context", "item_summary",
           "official", "place_of"]


def iso_text(text: str, tz: ZoneInfo) -> str:
    """A stored time shown in local time; a value that is not a time (a tampered row) is shown
    as it is — reading the log must never fail on the rows verify exists to catch."""
    try:
        return iso(datetime.fromisoformat(text), tz) or text
    except (TypeError, ValueError):
        return text


def item_summary(deps: Deps, item: NominationRow, now: datetime | None = None) -> dict[str, Any]:
    overdue = bool(now and item.due_at and not item.final and item.due_at < now)
    return {
        "id": str(item.id),
        "flow": item.flow_id,
        "state": item.state,
        "unit": item.unit_id,
        "nominee": item.nominee,
        "person": item.person_login,
        "due_at": deps.iso(item.due_at),
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


def item_context(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec) -> dict[str, Any]:
    """The data a document template sees about one item (plain values only)."""
    award = deps.definitions.catalogue.get(flow.award)
    unit = deps.tree(tx).units.get(item.unit_id)
    state = flow.states[item.state]
    entered_by = tx.items.entered_by(item.id, item.state) or item.created_by
    issuer, role = _deciding_unit(deps, tx, item, flow, entered_by)
    return {
        **official(deps, tx, issuer, deps.now()),
        "signer": {"login": entered_by, "role": role,
                   "name": tx.directory.names([entered_by]).get(entered_by, entered_by)},
        "item": {
            "id": str(item.id),
            "nominee": item.nominee,
            "person": item.person_login,
            "fields": dict(item.fields),
            "state": item.state,
            "state_label": dict(state.label) or {"vi": item.state, "en": item.state},
            "entered_at": deps.iso(item.entered_at),
            "created_at": deps.iso(item.created_at),
            # who took the item into its current state: in an awarded state, the decider
            "entered_by": {"login": entered_by,
                           "name": tx.directory.names([entered_by]).get(entered_by,
                                                                       entered_by)},
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
        "now": deps.iso(deps.now()),
    }


def place_of(tree: UnitTree, unit_id: str) -> str:
    """The place named before the date of a document: the province (or city) the unit is in,
    without its ``Tỉnh``/``Thành phố`` prefix; else the unit's own name."""
    for candidate in tree.ancestors(unit_id):
        unit = tree.units[candidate]
        if unit.level == "province":
            for prefix in ("Tỉnh ", "Thành phố ", "TP. "):
                if unit.name.startswith(prefix):
                    return unit.name[len(prefix):]
            return unit.name
    own = tree.units.get(unit_id)
    return own.name if own else unit_id
def flow_words(flow: FlowSpec) -> dict[str, Any]:
    """The words a flow version gives its codes, for people: ``{vi, en}`` labels of its
    states, triggers, document types, fields and enum values, the roles that sign each
    confirmation, and its title. A code without a label is left out (it reads as itself)."""
    return {
        "id": flow.id,
        "title": dict(flow.title),
        "order": list(flow.states),
        "states": {n: dict(s.label) for n, s in flow.states.items() if s.label},
        "triggers": {t.trigger: dict(t.label) for t in flow.transitions if t.label},
        "documents": {n: dict(d.label) for n, d in flow.documents.items() if d.label},
        "fields": {n: dict(f.label) for n, f in flow.fields.items() if f.label},
        "values": {n: {v: dict(label) for v, label in f.value_labels.items()}
                   for n, f in flow.fields.items() if f.value_labels},
        "confirmations": {key: [r.role for r in roles]
                          for s in flow.states.values() if s.confirmations
                          for key, roles in s.confirmations.items},
    }


def _deciding_unit(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, login: str
                   ) -> tuple[str, str]:
    """The unit whose decider took the item into its state, and the role they decided in
    (the first of the flow's deciders when they hold none: a document made on request)."""
    first: tuple[str, str] | None = None
    for ref in flow.decider.roles:
        target = deps.resolve(tx, item.unit_id, ref.scope)
        if target is None:
            continue
        first = first or (target, ref.role)
        if tx.directory.has_role(login, ref.role, target):
            return target, ref.role
    return first or (item.unit_id, "")


def official(deps: Deps, tx: Tx, unit_id: str, when: datetime) -> dict[str, Any]:
    """What the official layout (``templates/official/layout.html.j2``) prints around a
    document issued by ``unit_id`` at ``when``: the office (``definitions/office.yaml``), the
    issuing body and the body above it, the place and the date in words."""
    tree = deps.tree(tx)
    office = deps.definitions.office
    unit = tree.units.get(unit_id)
    parent = tree.units.get(unit.parent) if unit is not None and unit.parent else None
    return {
        "office": office.as_context(),
        "issuer": {"id": unit_id, "name": unit.name if unit else unit_id,
                   "parent": parent.name if parent else ""},
        "place": office.place or place_of(tree, unit_id),
        "date_words": date_in_words(when.astimezone(deps.display_tz).date()),
    }
