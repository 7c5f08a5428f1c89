"""Parallel sign-offs in a ``confirmations`` state (tax, social insurance, environment …).

Each confirmer confirms or refuses once per state entry, with the role the flow names for that
key. All yes moves the item to ``then``; a single no moves it to ``on_negative`` at once.
"""

from __future__ import annotations

from typing import Any

from workflow.errors import InvalidInput, NotAllowed
from workflow.flow import INTERNAL, clean_text
from workflow.service import access
from workflow.service.base import Actor, Deps, load
from workflow.service.lifecycle import Step
from workflow.service.moves import apply
from workflow.store import Tx

__all__ = ["DECISIONS", "confirm"]

DECISIONS = ("yes", "no")


def confirm(deps: Deps, tx: Tx, actor: Actor, nomination_id: str, key: str, decision: str,
            comment: str | None) -> dict[str, Any]:
    item, machine = load(deps, tx, nomination_id)
    flow = machine.spec
    state = flow.states[item.state]
    if state.confirmations is None:
        raise NotAllowed(f"nomination {item.id} is in {item.state!r}, which takes no "
                         "confirmations", msgid="confirm.not_here", state=item.state)
    if decision not in DECISIONS:
        raise InvalidInput(f"decision {decision!r}: use yes or no", msgid="confirm.bad_decision")
    roles = state.confirmations.roles_for(key)
    if roles is None:
        keys = ", ".join(state.confirmations.keys)
        raise InvalidInput(f"{item.state!r} has no confirmation {key!r}; keys: {keys}",
                           msgid="confirm.unknown_key", key=key)
    access.authorize(deps, tx, actor, roles, item.unit_id,
                     f"confirm {key!r} for nomination {item.id}")
    now = deps.now()
    comment = clean_text(comment, "the comment") or None
    if not tx.confirmations.add(item.id, item.entry_no, key, decision, actor.login, comment,
                                now):
        raise NotAllowed(f"{key!r} is already signed off for nomination {item.id}",
                         msgid="confirm.twice", key=key)
    payload: dict[str, Any] = {"key": key, "decision": decision}
    if comment:
        payload["comment"] = comment
    tx.audit.append(now, actor.login, "confirmed", item.id, item.state, item.state, payload)
    done = {row[0]: row[1] for row in tx.confirmations.of(item.id, item.entry_no)}
    trigger = None
    if decision == "no":
        trigger = INTERNAL.NEGATIVE
    elif all(done.get(k) == "yes" for k in state.confirmations.keys):
        trigger = INTERNAL.THEN
    result: dict[str, Any] = {"id": str(item.id), "key": key, "decision": decision,
                              "waiting": [k for k in state.confirmations.keys if k not in done]}
    if trigger is None:
        tx.items.save(item, item.version)
    else:
        moved = apply(deps, tx, item, flow, Step(trigger, actor, payload={
            "trigger": trigger, "confirmations": done}))
        result["from"] = moved[0].from_state
    result["state"] = item.state
    return result
