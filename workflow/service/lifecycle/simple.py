"""The small behaviours: sign-offs carried over a hold, documents rendered on entry, and the
paused state shown while on hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workflow.flow import FlowSpec, StateSpec
from workflow.service.base import Deps
from workflow.service.lifecycle.base import Behaviour, Entry, Step
from workflow.service.lifecycle.render import store_rendered
from workflow.store import NominationRow, Tx

__all__ = ["Confirmations", "Hold", "RenderOnEntry", "confirmations_view"]


class Confirmations(Behaviour):
    """Parallel sign-offs (the command is :mod:`workflow.service.confirmations`)."""

    def applies(self, state: StateSpec) -> bool:
        return state.type == "confirmations"

    def enter(self, entry: Entry, resume: Mapping[str, Any] | None) -> list[Step]:
        if resume is not None:  # back from a hold: the sign-offs given so far still count
            old_entry = int(resume.get("origin_entry", entry.item.entry_no))
            entry.tx.confirmations.rekey(entry.item.id, old_entry, entry.item.entry_no)
        return []

    def view(self, entry: Entry) -> dict[str, Any]:
        return {"confirmations": confirmations_view(entry.deps, entry.tx, entry.item,
                                                    entry.flow)}


def confirmations_view(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec
                       ) -> list[dict[str, Any]]:
    """Sign-offs of the current confirmations state, or of the last one the item passed."""
    state = flow.states[item.state]
    entry = item.entry_no
    keys: tuple[str, ...] = state.confirmations.keys if state.confirmations else ()
    rows = tx.confirmations.of(item.id, entry)
    if not keys:
        rows = tx.confirmations.of(item.id, entry - 1)
        if not rows:
            return []
    signed = {r[0]: r for r in rows}
    names = list(keys) or [r[0] for r in rows]
    return [{"key": k, "decision": signed[k][1] if k in signed else None,
             "actor": signed[k][2] if k in signed else None,
             "comment": signed[k][3] if k in signed else None,
             "at": deps.iso(signed[k][4]) if k in signed else None} for k in names]


class Hold(Behaviour):
    """Objections park an item here with the clocks of the state it came from paused (the
    commands are in :mod:`workflow.service.objections`). The hold's own ``sla`` and
    ``escalate`` steps are :class:`~workflow.service.lifecycle.timed.Timed`'s: they run while
    the item is held, so a verification that drags on is escalated and shows as overdue."""

    def applies(self, state: StateSpec) -> bool:
        return state.type == "hold"

    def view(self, entry: Entry) -> dict[str, Any]:
        return {"hold": entry.item.hold_data}


class RenderOnEntry(Behaviour):
    """``render: [template…]``: documents rendered, kept and audited on entry."""

    def applies(self, state: StateSpec) -> bool:
        return bool(state.render)

    def enter(self, entry: Entry, resume: Mapping[str, Any] | None) -> list[Step]:
        store_rendered(entry.deps, entry.tx, entry.item, entry.flow, entry.state.render,
                       entry.state.name)
        return []
