"""Council votes: ballot rounds, casting, recusal, written ballots, closing, minutes.

Entering a ``vote`` state opens a round whose roll is frozen at that moment (everyone holding
``council_member`` at the council's unit); the roll's hash goes into the audit. Members vote
once; a member who is the nominee is recused automatically and anyone may declare a conflict
before voting; recused members stay on the roll (they count in the ``members`` base). The
secretariat records written ballots of absent members (not secret by nature). ``close_vote``
— or the last eligible ballot — tallies with exact integer arithmetic, moves the item to
``pass``/``fail``/``no_quorum`` and renders the minutes.

Casting and closing lock the round row (PostgreSQL) or run under SQLite's single writer, so
concurrent ballots are counted exactly and a round closes exactly once.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from workflow.errors import NotAllowed, PermissionDenied, UsageError
from workflow.flow import INTERNAL, FlowSpec, StateSpec
from workflow.service.context import SYSTEM, Actor, Deps, ItemContext
from workflow.store import NominationRow, Tx
from workflow.store.ballots import RoundRow
from workflow.voting import Counts, decide

__all__ = ["CHOICES", "ballot_view", "cast", "close", "fire_builtin", "on_enter", "on_exit",
           "recuse"]

CHOICES = ("yes", "no", "abstain")
MINUTES = "minutes.html.j2"
BALLOT_KEY = "ballot"  # the purpose of the subkey that seals ballots (workflow.keys)


def _rule_dict(state: StateSpec) -> dict[str, Any]:
    assert state.vote is not None
    rule = state.vote.rule
    return {
        "threshold": rule.threshold.text,
        "of": rule.basis,
        "quorum": rule.quorum.text if rule.quorum else None,
        "presence": rule.presence.text if rule.presence else None,
    }


def on_enter(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, state: StateSpec) -> None:
    """Open a round with the roll as it stands now."""
    vote = state.vote
    assert vote is not None
    council = deps.resolve(tx, item.unit_id, vote.council)
    if council is None:
        raise NotAllowed(f"no council unit at scope {vote.council!r} above {item.unit_id}",
                         scope=vote.council)
    # Sorted here, not by the database, so the roll hash is the same under any collation.
    roll = sorted(tx.holders("council_member", council))
    if not roll:
        raise NotAllowed(f"the council of {council} has no members (role council_member)",
                         council=council)
    roll_hash = hashlib.sha256(json.dumps(roll).encode("utf-8")).hexdigest()
    now = deps.now()
    round_id = tx.ballots.open_round(item.id, state.name, item.entry_no, council, vote.secret,
                                     roll, roll_hash, _rule_dict(state), now)
    tx.audit.append(now, "system", "vote_opened", item.id, state.name, state.name, {
        "round": round_id, "council": council, "roll_size": len(roll), "roll_hash": roll_hash,
        "secret": vote.secret, **_rule_dict(state)})
    if item.person_login and item.person_login in roll:
        tx.ballots.recuse(round_id, item.person_login)
        tx.audit.append(now, "system", "recused", item.id, state.name, state.name, {
            "round": round_id, "member": item.person_login, "reason": "nominee"})
        current = tx.ballots.latest(item.id)
        assert current is not None
        _maybe_autoclose(deps, tx, item, flow, state, current)  # the nominee was the council


def on_exit(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, state: StateSpec) -> None:
    """Leaving a vote state other than by closing (e.g. withdrawn): abandon the open round."""
    current = tx.ballots.latest(item.id)
    if current is None or current.status != "open":
        return
    tx.ballots.close(current.id, deps.now(), {"abandoned": True}, status="abandoned")
    tx.audit.append(deps.now(), "system", "vote_abandoned", item.id, state.name, state.name,
                    {"round": current.id})


def _open_round(tx: Tx, item: NominationRow, flow: FlowSpec, what: str
                ) -> tuple[StateSpec, RoundRow]:
    state = flow.states[item.state]
    if state.type != "vote":
        raise NotAllowed(f"cannot {what}: nomination {item.id} is in {item.state!r}, "
                         "not in a vote", state=item.state)
    current = tx.ballots.latest(item.id, lock=True)
    if current is None or current.status != "open" or current.entry_no != item.entry_no:
        raise NotAllowed(f"cannot {what}: the ballot of nomination {item.id} is closed",
                         state=item.state)
    return state, current


def cast(deps: Deps, tx: Tx, actor: Actor, nomination_id: str, choice: str,
         written_for: str | None = None) -> dict[str, Any]:
    from workflow.service.items import load

    if choice not in CHOICES:
        raise UsageError(f"choice {choice!r} is not one of {', '.join(CHOICES)}")
    item, machine = load(deps, tx, nomination_id)
    flow = machine.spec
    state, current = _open_round(tx, item, flow, "vote")
    assert state.vote is not None
    member = actor.login
    if written_for is not None:
        deps.authorize(tx, actor, state.vote.close_by, item.unit_id,
                       f"record written ballots for nomination {item.id}")
        member = written_for
    standing = tx.ballots.member(current.id, member)
    if standing is None:
        raise PermissionDenied(f"{member} is not on the roll of the council of "
                               f"{current.council_unit}", member=member)
    voted, recused = standing
    if recused and member == item.person_login:
        raise PermissionDenied(f"{member} is the nominee and cannot vote on their own "
                               "nomination", member=member)
    if recused:
        raise PermissionDenied(f"{member} has declared a conflict (recused) and cannot vote",
                               member=member)
    if voted or not tx.ballots.mark_voted(current.id, member):
        raise NotAllowed(f"{member} has already voted in this round", member=member)
    tx.ballots.drop(current.id, choice, deps.key(tx, BALLOT_KEY))
    now = deps.now()
    payload: dict[str, Any] = {"round": current.id, "member": member,
                               "written": written_for is not None}
    if written_for is not None:
        tx.ballots.record_written(current.id, member, choice, actor.login)
        payload["recorded_by"] = actor.login
    if written_for is not None or not current.secret:
        payload["choice"] = choice  # not secret: a written or an open ballot
    tx.audit.append(now, actor.login, "vote_cast", item.id, item.state, item.state, payload)
    result: dict[str, Any] = {"id": str(item.id), "round": current.id, "member": member,
                              "recorded": True, "written": written_for is not None}
    result.update(_maybe_autoclose(deps, tx, item, flow, state, current))
    return result


def recuse(deps: Deps, tx: Tx, actor: Actor, nomination_id: str, reason: str | None
           ) -> dict[str, Any]:
    from workflow.service.items import load

    item, machine = load(deps, tx, nomination_id)
    flow = machine.spec
    state, current = _open_round(tx, item, flow, "recuse")
    standing = tx.ballots.member(current.id, actor.login)
    if standing is None:
        raise PermissionDenied(f"{actor.login} is not on the roll of the council of "
                               f"{current.council_unit}", member=actor.login)
    if standing[1]:
        raise NotAllowed(f"{actor.login} has already declared a conflict", member=actor.login)
    if standing[0] or not tx.ballots.recuse(current.id, actor.login):
        raise NotAllowed(f"{actor.login} has already voted and cannot recuse now",
                         member=actor.login)
    payload: dict[str, Any] = {"round": current.id, "member": actor.login, "reason": "conflict"}
    if reason:
        payload["comment"] = reason
    tx.audit.append(deps.now(), actor.login, "recused", item.id, item.state, item.state, payload)
    result: dict[str, Any] = {"id": str(item.id), "round": current.id, "member": actor.login,
                              "recused": True}
    result.update(_maybe_autoclose(deps, tx, item, flow, state, current))
    return result


def _maybe_autoclose(deps: Deps, tx: Tx, item: NominationRow, flow: FlowSpec, state: StateSpec,
                     current: RoundRow) -> dict[str, Any]:
    roll, voted, recused = tx.ballots.progress(current.id)
    if voted + recused < roll:
        return {"closed": False, "remaining": roll - voted - recused}
    return {"closed": True, **close(deps, tx, SYSTEM, item, flow, state, current)}


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
        deps.authorize(tx, actor, state.vote.close_by, item.unit_id,
                       f"close the vote on nomination {item.id}")
        result = close(deps, tx, actor, item, flow, state, current)
    result.setdefault("from", before)
    result.setdefault("state", before)
    result["trigger"] = trigger
    return result


def close(deps: Deps, tx: Tx, actor: Actor, item: NominationRow, flow: FlowSpec,
          state: StateSpec, current: RoundRow) -> dict[str, Any]:
    """Tally, record, move to pass/fail/no_quorum, render the minutes."""
    vote = state.vote
    assert vote is not None
    counts_raw = tx.ballots.tally(current.id, deps.key(tx, BALLOT_KEY))
    _roll, _voted, recused = tx.ballots.progress(current.id)
    cast_total = counts_raw["yes"] + counts_raw["no"] + counts_raw["abstain"]
    counts = Counts(members=current.roll_size, yes=counts_raw["yes"], no=counts_raw["no"],
                    abstain=counts_raw["abstain"], present=cast_total - counts_raw["written"],
                    recused=recused, present_yes=counts_raw["yes"] - counts_raw["written_yes"])
    decision = decide(vote.rule, counts)
    now = deps.now()
    tally = {
        "round": current.id, "council": current.council_unit, "members": counts.members,
        "cast": counts.cast, "present": counts.present, "written": counts_raw["written"],
        "yes": counts.yes, "no": counts.no, "abstain": counts.abstain, "recused": recused,
        "roll_hash": current.roll_hash, **_rule_dict(state), **decision.as_dict(),
    }
    tx.ballots.reshuffle(current.id)
    tx.ballots.close(current.id, now, tally)
    trigger = (INTERNAL.PASS if decision.passed
               else INTERNAL.NO_QUORUM if not decision.quorum_met else INTERNAL.FAIL)
    machine = deps.compiled(tx, item.flow_version)
    dest = machine.fire(item.state, trigger, ItemContext(deps, tx, item, flow))
    from workflow.service.moves import move

    moved = move(deps, tx, item, flow, dest, actor=actor, action="vote_closed",
                 payload={"trigger": "close_vote", **tally})
    if deps.renderer.exists(MINUTES):
        from workflow.service.renders import store_rendered

        store_rendered(deps, tx, item, flow, [MINUTES], item.state,
                       extra={"ballot": minutes_context(deps, tx, item, current.id)})
    return {"id": str(item.id), "state": item.state, "from": moved.from_state,
            "passed": decision.passed, "reason": decision.reason, "tally": tally}


def _public_tally(result: dict[str, Any]) -> dict[str, Any]:
    keys = ("members", "cast", "present", "written", "yes", "no", "abstain", "recused",
            "passed", "quorum_met", "threshold", "of", "quorum", "presence", "base",
            "required_yes", "quorum_required", "reason", "council", "roll_hash")
    return {k: result.get(k) for k in keys}


def ballot_view(deps: Deps, tx: Tx, item: NominationRow) -> dict[str, Any] | None:
    """The latest round: progress while open (never a tally), the tally once closed."""
    current = tx.ballots.latest(item.id)
    if current is None:
        return None
    if current.status == "closed" and current.result:
        return {"round": current.id, "status": "closed", **_public_tally(current.result)}
    roll, voted, recused = tx.ballots.progress(current.id)
    return {"round": current.id, "status": current.status, "members": roll, "voted": voted,
            "recused": recused, "council": current.council_unit, **current.rule}


def minutes_context(deps: Deps, tx: Tx, item: NominationRow, round_id: int) -> dict[str, Any]:
    """What the minutes show: the tally, the roll by name, who took part, who recused."""
    rounds = {r.id: r for r in tx.ballots.rounds(item.id)}
    current = rounds[round_id]
    roll = tx.ballots.roll(round_id)
    names = tx.people_names(m for m, _, _ in roll)
    return {
        "round": round_id,
        "number": list(rounds).index(round_id) + 1,
        "council": current.council_unit,
        "opened_at": current.opened_at.astimezone(deps.display_tz).isoformat(timespec="minutes"),
        "closed_at": (current.closed_at.astimezone(deps.display_tz).isoformat(timespec="minutes")
                      if current.closed_at else None),
        "secret": current.secret,
        "roll": [{"login": m, "name": names.get(m, m), "voted": v, "recused": r}
                 for m, v, r in roll],
        **(_public_tally(current.result) if current.result else {}),
    }


def latest_closed(tx: Tx, item: NominationRow) -> int | None:
    for current in reversed(tx.ballots.rounds(item.id)):
        if current.status == "closed":
            return current.id
    return None
