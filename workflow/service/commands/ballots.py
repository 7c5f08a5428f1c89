"""Council votes: casting, recusal, written ballots and closing a round.

Members vote once; anyone on the roll may declare a conflict before voting; recused members
stay on the roll (they count in the ``members`` base). The secretariat records written
ballots of absent members (not secret by nature) and closes the round (``close_vote``); the
last eligible ballot closes it too. Casting and closing lock the round row (PostgreSQL) or run
under SQLite's single writer, so concurrent ballots are counted exactly and a round closes
exactly once. A round on the paper of an open council session is voted on that paper and
closed with the session (:mod:`workflow.service.commands.sessions`): here it is refused, and
the last recusal does not close it. The round itself — opening, tallying, minutes — is the
vote state's behaviour (:mod:`workflow.service.lifecycle.vote`).
"""

from __future__ import annotations

from typing import Any

from workflow.errors import NotAllowed, PermissionDenied, UsageError
from workflow.flow import FlowSpec, StateSpec, clean_text
from workflow.service import access
from workflow.service.base import SYSTEM, Actor, Deps, load
from workflow.service.lifecycle import Entry
from workflow.service.lifecycle.vote import BALLOT_KEY, close
from workflow.service.moves import apply
from workflow.store import BallotRoundRow, NominationRow, Tx

__all__ = ["CHOICES", "cast", "fire_builtin", "recuse"]

CHOICES = ("yes", "no", "abstain")


def _open_round(tx: Tx, item: NominationRow, flow: FlowSpec, what: str
                ) -> tuple[StateSpec, BallotRoundRow]:
    state = flow.states[item.state]
    if state.type != "vote":
        raise NotAllowed(f"cannot {what}: nomination {item.id} is in {item.state!r}, "
                         "not in a vote", msgid="vote.not_voting", state=item.state)
    current = tx.ballots.latest(item.id, lock=True)
    if current is None or current.status != "open" or current.entry_no != item.entry_no:
        raise NotAllowed(f"cannot {what}: the ballot of nomination {item.id} is closed",
                         msgid="vote.closed", state=item.state)
    return state, current


def cast(deps: Deps, tx: Tx, actor: Actor, nomination_id: str, choice: str,
         written_for: str | None = None) -> dict[str, Any]:
    if choice not in CHOICES:
        raise UsageError(f"choice {choice!r} is not one of {', '.join(CHOICES)}",
                         msgid="vote.bad_choice")
    item, machine = load(deps, tx, nomination_id)
    flow = machine.spec
    state, current = _open_round(tx, item, flow, "vote")
    assert state.vote is not None
    _not_in_session(tx, item, current, "vote")
    member = actor.login
    if written_for is not None:
        access.authorize(deps, tx, actor, state.vote.close_by, item.unit_id,
                         f"record written ballots for nomination {item.id}")
        member = written_for
    if not tx.ballots.mark_voted(current.id, member):
        # flagged only if on the roll, not recused and not yet voted: else say which
        _why_not_voting(tx, item, current, member)
    tx.ballots.drop(current.id, choice, deps.key(tx, BALLOT_KEY))
    payload: dict[str, Any] = {"round": current.id, "member": member,
                               "written": written_for is not None}
    if written_for is not None:
        tx.ballots.record_written(current.id, member, choice, actor.login)
        payload["recorded_by"] = actor.login
    if written_for is not None or not current.secret:
        payload["choice"] = choice  # not secret: a written or an open ballot
    tx.audit.append(deps.now(), actor.login, "vote_cast", item.id, item.state, item.state,
                    payload)
    result: dict[str, Any] = {"id": str(item.id), "round": current.id, "member": member,
                              "recorded": True, "written": written_for is not None}
    result.update(_maybe_close(deps, tx, item, flow, current))
    return result


def _why_not_voting(tx: Tx, item: NominationRow, current: BallotRoundRow, member: str) -> None:
    standing = tx.ballots.member(current.id, member)
    if standing is None:
        raise PermissionDenied(f"{member} is not on the roll of the council of "
                               f"{current.council_unit}", msgid="vote.not_on_roll",
                               values={"council": current.council_unit}, member=member)
    recused = standing[1]
    if recused and member == item.person_login:
        raise PermissionDenied(f"{member} is the nominee and cannot vote on their own "
                               "nomination", msgid="vote.own_nomination", member=member)
    if recused:
        raise PermissionDenied(f"{member} has declared a conflict (recused) and cannot vote",
                               msgid="vote.recused", member=member)
    raise NotAllowed(f"{member} has already voted in this round", msgid="vote.twice",
                     member=member)


def recuse(deps: Deps, tx: Tx, actor: Actor, nomination_id: str, reason: str | None
           ) -> dict[str, Any]:
    item, machine = load(deps, tx, nomination_id)
    flow = machine.spec
    _state, current = _open_round(tx, item, flow, "recuse")
    standing = tx.ballots.member(current.id, actor.login)
    if standing is None:
        raise PermissionDenied(f"{actor.login} is not on the roll of the council of "
                               f"{current.council_unit}", msgid="vote.not_on_roll",
                               values={"council": current.council_unit}, member=actor.login)
    if standing[1]:
        raise NotAllowed(f"{actor.login} has already declared a conflict",
                         msgid="recuse.twice", member=actor.login)
    if standing[0] or not tx.ballots.recuse(current.id, actor.login):
        raise NotAllowed(f"{actor.login} has already voted and cannot recuse now",
                         msgid="recuse.after_vote", member=actor.login)
    payload: dict[str, Any] = {"round": current.id, "member": actor.login, "reason": "conflict"}
    reason = clean_text(reason, "the reason")
    if reason:
        payload["comment"] = reason
    tx.audit.append(deps.now(), actor.login, "recused", item.id, item.state, item.state, payload)
    result: dict[str, Any] = {"id": str(item.id), "round": current.id, "member": actor.login,
                              "recused": True}
    result.update(_maybe_close(deps, tx, item, flow, current))
    return result


def _not_in_session(tx: Tx, item: NominationRow, current: BallotRoundRow, what: str) -> None:
    session = tx.sessions.open_holding([current.id]).get(current.id)
    if session is not None:
        raise NotAllowed(f"cannot {what} on nomination {item.id} alone: it is on the paper of "
                         f"council session {session}, which is voted on as one paper and "
                         "closed as a whole", msgid="vote.in_session", session=str(session))


def _maybe_close(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec,
                 current: BallotRoundRow) -> dict[str, Any]:
    roll, voted, recused = tx.ballots.progress(current.id)  # everyone_done's counts, once
    if voted + recused < roll or tx.sessions.open_holding([current.id]):
        return {"closed": False, "remaining": roll - voted - recused}
    return {"closed": True, **_close(deps, tx, SYSTEM, item, flow, current)}


def _close(deps: Deps, tx: Tx, actor: Actor, item: NominationRow, flow: FlowSpec,
           current: BallotRoundRow) -> dict[str, Any]:
    step, outcome = close(Entry(deps, tx, item, flow), actor, current)
    moved = apply(deps, tx, item, flow, step)
    return {"id": str(item.id), "state": item.state, "from": moved[0].from_state, **outcome}


def fire_builtin(deps: Deps, tx: Tx, actor: Actor, item: NominationRow, flow: FlowSpec,
                 trigger: str, comment: str | None) -> dict[str, Any]:
    """``award fire ID close_vote`` and ``award fire ID recuse``, reported like any other
    fired trigger (``from``, ``trigger``, ``state``) plus what the ballot adds."""
    before = item.state
    if trigger == "recuse":
        result = recuse(deps, tx, actor, str(item.id), comment)
    else:
        state, current = _open_round(tx, item, flow, "close the vote")
        assert state.vote is not None
        access.authorize(deps, tx, actor, state.vote.close_by, item.unit_id,
                         f"close the vote on nomination {item.id}")
        _not_in_session(tx, item, current, "close the vote")
        result = _close(deps, tx, actor, item, flow, current)
    result.setdefault("from", before)
    result.setdefault("state", before)
    result["trigger"] = trigger
    return result
