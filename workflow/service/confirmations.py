"""Parallel sign-offs in a ``confirmations`` state (tax, social insurance, environment …).

Each confirmer confirms or refuses once per state entry, with the role the flow names for that
key. All yes moves the item to ``then``; a single no moves it to ``on_negative`` at once.
"""

from __future__ import annotations

from typing import Any

from workflow.errors import InvalidInput, NotAllowed
from workflow.flow import INTERNAL, FlowSpec
from workflow.service.context import Actor, Deps, ItemContext
from workflow.service.views import iso
from workflow.store import NominationRow, Tx

__all__ = ["confirm", "view"]

DECISIONS = ("yes", "no")


def confirm(deps: Deps, tx: Tx, actor: Actor, nomination_id: str, key: str, decision: str,
            comment: str | None) -> dict[str, Any]:
    from workflow.service.items import load
    from workflow.service.moves import move

    item, machine = load(deps, tx, nomination_id)
    flow = machine.spec
    state = flow.states[item.state]
    if state.confirmations is None:
        raise NotAllowed(f"nomination {item.id} is in {item.state!r}, which takes no "
                         "confirmations", state=item.state)
    if decision not in DECISIONS:
        raise InvalidInput(f"decision {decision!r}: use yes or no")
    roles = state.confirmations.roles_for(key)
    if roles is None:
        keys = ", ".join(state.confirmations.keys)
        raise InvalidInput(f"{item.state!r} has no confirmation {key!r}; keys: {keys}", key=key)
    deps.authorize(tx, actor, roles, item.unit_id, f"confirm {key!r} for nomination {item.id}")
    now = deps.now()
    comment = (comment or "").strip() or None
    if not tx.notices.confirm(item.id, item.entry_no, key, decision, actor.login, comment, now):
        raise NotAllowed(f"{key!r} is already signed off for nomination {item.id}", key=key)
    payload: dict[str, Any] = {"key": key, "decision": decision}
    if comment:
        payload["comment"] = comment
    tx.audit.append(now, actor.login, "confirmed", item.id, item.state, item.state, payload)
    done = {row[0]: row[1] for row in tx.notices.confirmations(item.id, item.entry_no)}
    trigger = None
    if decision == "no":
        trigger = INTERNAL.NEGATIVE
    elif all(done.get(k) == "yes" for k in state.confirmations.keys):
        trigger = INTERNAL.THEN
    result: dict[str, Any] = {"id": str(item.id), "key": key, "decision": decision,
                              "waiting": [k for k in state.confirmations.keys if k not in done]}
    if trigger is None:
        tx.save_nomination(item, item.version)
    else:
        dest = machine.fire(item.state, trigger, ItemContext(deps, tx, item, flow))
        moved = move(deps, tx, item, flow, dest, actor=actor, payload={
            "trigger": trigger, "confirmations": done})
        result["from"] = moved.from_state
    result["state"] = item.state
    return result


def view(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec) -> list[dict[str, Any]]:
    """Sign-offs of the current confirmations state, or of the last one the item passed."""
    state = flow.states[item.state]
    entry = item.entry_no
    keys: tuple[str, ...] = state.confirmations.keys if state.confirmations else ()
    rows = tx.notices.confirmations(item.id, entry)
    if not keys:
        rows = tx.notices.confirmations(item.id, entry - 1)
        if not rows:
            return []
    signed = {r[0]: r for r in rows}
    names = list(keys) or [r[0] for r in rows]
    tz = deps.display_tz
    return [{"key": k, "decision": signed[k][1] if k in signed else None,
             "actor": signed[k][2] if k in signed else None,
             "comment": signed[k][3] if k in signed else None,
             "at": iso(signed[k][4], tz) if k in signed else None} for k in names]
