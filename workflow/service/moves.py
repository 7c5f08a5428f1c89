"""The one place an item changes state.

:func:`move` does, inside the caller's transaction: exit effects of the old state (timers
cancelled, an open ballot round abandoned), the compare-and-set update of the row (a stale
``version`` raises :class:`~workflow.errors.Conflict`), the audit entry, and the entry effects
of the new state (SLA due time and timers, a ballot round, a public notice, rendered
documents, the award entered in the nominee's history). Everything commits together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workflow.flow import FlowSpec, StateSpec
from workflow.service import ballots, notices, renders, timers
from workflow.service.context import Actor, Deps, nomination_year
from workflow.store import NominationRow, Tx

__all__ = ["Moved", "move"]


@dataclass(frozen=True)
class Moved:
    from_state: str
    to_state: str
    seq: int


def move(
    deps: Deps,
    tx: Tx,
    item: NominationRow,
    flow: FlowSpec,
    dest: str,
    *,
    actor: Actor,
    action: str = "fired",
    payload: dict[str, Any] | None = None,
    resume: dict[str, Any] | None = None,
) -> Moved:
    """Move ``item`` to ``dest``; ``resume`` restores paused timers instead of fresh ones."""
    now = deps.now()
    source = item.state
    old: StateSpec = flow.states[source]
    new: StateSpec = flow.states[dest]
    expected = item.version
    exit_state(deps, tx, item, flow, old, leaving_for=dest)

    item.state = dest
    item.entered_at = now
    item.entry_no += 1
    item.final = new.final
    item.outcome = new.outcome
    item.due_at = timers.due_at(deps, flow, new, now, resume)
    tx.save_nomination(item, expected)

    body = {"flow_version": flow.version}
    body.update(payload or {})
    entry = tx.audit.append(now, actor.login, action, item.id, source, dest, body)

    enter_state(deps, tx, item, flow, new, resume=resume)
    return Moved(source, dest, entry.seq)


def exit_state(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, state: StateSpec,
               *, leaving_for: str) -> None:
    if state.timed or state.escalate:
        timers.on_exit(deps, tx, item)  # a hold has recorded what they had left first
    if state.type == "vote" and flow.states[leaving_for].type != "hold":
        ballots.on_exit(deps, tx, item, flow, state)  # a hold keeps the round for the return


def enter_state(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, state: StateSpec,
                *, resume: dict[str, Any] | None = None) -> None:
    if state.timed:
        timers.on_enter(deps, tx, item, flow, state, resume=resume)
    if resume is not None:
        # Back from a hold: the open round and sign-offs of the paused entry carry on.
        old_entry = int(resume.get("origin_entry", item.entry_no))
        if state.type == "vote":
            tx.ballots.rekey(item.id, old_entry, item.entry_no)
        if state.type == "confirmations":
            tx.notices.rekey_confirmations(item.id, old_entry, item.entry_no)
    elif state.type == "vote":
        ballots.on_enter(deps, tx, item, flow, state)
    elif state.type == "notice":
        notices.on_enter(deps, tx, item, flow, state)
    if state.render:
        renders.on_enter(deps, tx, item, flow, state)
    if state.final and state.outcome == "awarded" and item.person_login:
        year = nomination_year(item, deps.calendar(flow))
        if tx.grant_award(item.person_login, flow.award, year, flow.ad_hoc, item.id):
            tx.audit.append(deps.now(), "system", "granted", item.id, None, None, {
                "award": flow.award, "person": item.person_login, "year": year,
                "ad_hoc": flow.ad_hoc})
