"""Vote states: a ballot round per entry, closed by the last eligible ballot or by the
secretariat, tallied with exact integer arithmetic.

Entering opens a round whose roll is frozen at that moment (everyone holding
``council_member`` at the council's unit); the roll's hash goes into the audit. A member who is
the nominee is recused at once, and if that leaves nobody to vote the round closes there and
then. Leaving for anything but a hold abandons an open round; coming back from a hold carries
the round on. :func:`close` tallies a round and returns the step to ``pass``, ``fail`` or
``no_quorum``, with the minutes to render once the item has moved.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from workflow.errors import NotAllowed
from workflow.flow import INTERNAL, StateSpec
from workflow.service import access
from workflow.service.base import SYSTEM, Actor, Deps
from workflow.service.lifecycle.base import Behaviour, Entry, Render, Step
from workflow.service.present import official
from workflow.store import BallotRoundRow, NominationRow, Tx
from workflow.voting import Counts, decide

__all__ = ["BALLOT_KEY", "MINUTES", "Vote", "close", "latest_closed", "minutes_context",
           "minutes_extra", "remind", "round_view", "rule_of"]

MINUTES = "minutes.html.j2"
BALLOT_KEY = "ballot"  # the purpose of the subkey that seals ballots (workflow.keys)


def rule_of(state: StateSpec) -> dict[str, Any]:
    assert state.vote is not None
    rule = state.vote.rule
    return {
        "threshold": rule.threshold.text,
        "of": rule.basis,
        "quorum": rule.quorum.text if rule.quorum else None,
        "presence": rule.presence.text if rule.presence else None,
    }


class Vote(Behaviour):
    def applies(self, state: StateSpec) -> bool:
        return state.type == "vote"

    def enter(self, entry: Entry, resume: Mapping[str, Any] | None) -> list[Step]:
        deps, tx, item, state = entry.deps, entry.tx, entry.item, entry.state
        if resume is not None:  # back from a hold: the paused entry's round carries on
            old_entry = int(resume.get("origin_entry", item.entry_no))
            tx.ballots.rekey(item.id, old_entry, item.entry_no)
            return []
        vote = state.vote
        assert vote is not None
        council = deps.resolve(tx, item.unit_id, vote.council)
        if council is None:
            raise NotAllowed(f"no council unit at scope {vote.council!r} above {item.unit_id}",
                             msgid="vote.no_council", values={"unit": item.unit_id},
                             scope=vote.council)
        # Sorted here, not by the database, so the roll hash is the same under any collation.
        roll = sorted(tx.directory.holders("council_member", council))
        if not roll:
            raise NotAllowed(f"the council of {council} has no members (role council_member)",
                             msgid="vote.empty_council", council=council)
        roll_hash = hashlib.sha256(json.dumps(roll).encode("utf-8")).hexdigest()
        now = deps.now()
        round_id = tx.ballots.open_round(item.id, state.name, item.entry_no, council,
                                         vote.secret, roll, roll_hash, rule_of(state), now)
        tx.audit.append(now, "system", "vote_opened", item.id, state.name, state.name, {
            "round": round_id, "council": council, "roll_size": len(roll),
            "roll_hash": roll_hash, "secret": vote.secret, **rule_of(state)})
        if item.person_login and item.person_login in roll:
            tx.ballots.recuse(round_id, item.person_login)
            tx.audit.append(now, "system", "recused", item.id, state.name, state.name, {
                "round": round_id, "member": item.person_login, "reason": "nominee"})
            current = tx.ballots.latest(item.id)
            assert current is not None
            if everyone_done(tx, current):  # the nominee was the whole council
                step, _tally = close(entry, SYSTEM, current)
                return [step]
        return []

    def exit(self, entry: Entry, leaving_for: StateSpec) -> None:
        if leaving_for.type == "hold":
            return  # a hold keeps the round for the return
        deps, tx, item = entry.deps, entry.tx, entry.item
        current = tx.ballots.latest(item.id)
        if current is None or current.status != "open":
            return
        tx.ballots.close(current.id, deps.now(), {"abandoned": True}, status="abandoned")
        tx.audit.append(deps.now(), "system", "vote_abandoned", item.id, item.state,
                        item.state, {"round": current.id})

    def view(self, entry: Entry) -> dict[str, Any]:
        """The latest round: progress while open (never a tally), the tally once closed."""
        tx = entry.tx
        current = tx.ballots.latest(entry.item.id)
        if current is None:
            return {"ballot": None}
        session = tx.sessions.of_round(current.id)
        where = {} if session is None else {"session": str(session)}
        if current.status == "closed" and current.result:
            return {"ballot": {"round": current.id, "status": "closed", **where,
                               **public_tally(current.result)}}
        roll, voted, recused = tx.ballots.progress(current.id)
        return {"ballot": {"round": current.id, "status": current.status, "members": roll,
                           "voted": voted, "recused": recused, **where,
                           "council": current.council_unit, **current.rule}}


def round_view(entry: Entry, actor: Actor) -> dict[str, Any] | None:
    """The open round as one person may see it: their own standing (and when they voted —
    the time of their own act, which the audit records anyway); for the secretariat who may
    close it, who has and has not voted (never how) and what closing now would mean."""
    deps, tx, item, state = entry.deps, entry.tx, entry.item, entry.state
    current = tx.ballots.latest(item.id)
    if state.vote is None or current is None or current.status != "open":
        return None
    standing = tx.ballots.member(current.id, actor.login)
    voted_at = None
    if standing is not None and standing[0]:
        for audit in tx.audit.entries(str(item.id), limit=100_000):
            data = json.loads(audit["payload"])
            if (audit["action"] == "vote_cast" and data.get("round") == current.id
                    and data.get("member") == actor.login and not data.get("written")):
                voted_at = deps.iso(datetime.fromisoformat(audit["at"]))
    roll, voted, recused = tx.ballots.progress(current.id)
    quorum = state.vote.rule.quorum
    presence = state.vote.rule.presence
    view: dict[str, Any] = {
        "round": current.id, "members": roll, "voted": voted, "recused": recused,
        "complete": voted + recused >= roll, "due_at": deps.iso(item.due_at),
        "mine": {"on_roll": standing is not None,
                 "voted": bool(standing and standing[0]),
                 "recused": bool(standing and standing[1]), "voted_at": voted_at},
        "quorum_required": quorum.required(roll) if quorum else None,
        "short_of_quorum": bool(quorum and not quorum.met(voted, roll))
        or bool(presence and not presence.met(voted, roll)),
        "if_no_quorum": state.vote.no_quorum_to, "basis": state.vote.rule.basis,
        "may_close": access.holds_any(deps, tx, actor, state.vote.close_by, item.unit_id),
    }
    if view["may_close"]:
        names = tx.directory.names(m for m, _v, _r in tx.ballots.roll(current.id))
        view["roll"] = [{"login": m, "name": names.get(m, m), "voted": v, "recused": r}
                        for m, v, r in tx.ballots.roll(current.id)]
    return view


def remind(entry: Entry, actor: Actor) -> list[str]:
    """Remind the members who have not voted yet (one message each a day, at most); the
    recipients, who are audited (not how anyone voted)."""
    deps, tx, item, state = entry.deps, entry.tx, entry.item, entry.state
    current = tx.ballots.latest(item.id)
    if state.vote is None or current is None or current.status != "open":
        raise NotAllowed(f"cannot remind: nomination {item.id} has no open ballot",
                         msgid="ballot.none_open", state=item.state)
    access.authorize(deps, tx, actor, state.vote.close_by, item.unit_id,
                     f"remind the council of nomination {item.id}")
    now = deps.now()
    day = now.astimezone(deps.display_tz).date().isoformat()
    waiting = [m for m, voted, recused in tx.ballots.roll(current.id) if not voted and not recused]
    due = deps.iso(item.due_at)
    sent = []
    for member in waiting:
        subject = (f"Nhắc bỏ phiếu: hồ sơ số {item.id} ({item.nominee}) / Please vote on "
                   f"nomination {item.id}")
        body = (f"{subject}\n\nHội đồng đang bỏ phiếu kín về hồ sơ số {item.id}; bạn chưa bỏ "
                f"phiếu." + (f" Hạn: {due}." if due else "") + f"\nThe council is voting on "
                f"nomination {item.id} and you have not voted yet.")
        if tx.outbox.put(now, "reminder", member, item.id, subject, body,
                         dedupe=f"ballot:{current.id}:{member}:{day}"):
            sent.append(member)
    tx.audit.append(now, actor.login, "reminded", item.id, item.state, item.state,
                    {"round": current.id, "recipients": sent, "ballot": True})
    return sent


def everyone_done(tx: Tx, current: BallotRoundRow) -> bool:
    roll, voted, recused = tx.ballots.progress(current.id)
    return voted + recused >= roll


def close(entry: Entry, actor: Actor, current: BallotRoundRow, *, minutes: bool = True,
          extra: Mapping[str, Any] | None = None) -> tuple[Step, dict[str, Any]]:
    """Tally and record the round; the step that moves the item by the result, rendering
    the round's own minutes once it has moved (unless ``minutes`` is false: a council
    session writes one set for the whole meeting). ``extra`` goes into the audited tally."""
    deps, tx, item, state = entry.deps, entry.tx, entry.item, entry.state
    vote = state.vote
    assert vote is not None
    key = deps.key(tx, BALLOT_KEY)
    counts_raw = tx.ballots.tally(current.id, key)  # the box rewritten as it is counted
    _roll, _voted, recused = tx.ballots.progress(current.id)
    cast_total = counts_raw["yes"] + counts_raw["no"] + counts_raw["abstain"]
    counts = Counts(members=current.roll_size, yes=counts_raw["yes"], no=counts_raw["no"],
                    abstain=counts_raw["abstain"], present=cast_total - counts_raw["written"],
                    recused=recused, present_yes=counts_raw["yes"] - counts_raw["written_yes"])
    decision = decide(vote.rule, counts)
    tally = {
        "round": current.id, "council": current.council_unit, "members": counts.members,
        "cast": counts.cast, "present": counts.present, "written": counts_raw["written"],
        "yes": counts.yes, "no": counts.no, "abstain": counts.abstain, "recused": recused,
        "roll_hash": current.roll_hash, **rule_of(state), **decision.as_dict(),
        **(extra or {}),
    }
    if not decision.quorum_met:
        # Too few took part for a decision, so the split of their choices is nobody's
        # business — and with two voters (or all alike) it would name how each voted. It is
        # never published: not in the audit, the minutes or the item; the box is emptied.
        tally.update(yes=None, no=None, abstain=None, withheld=True)
        tx.ballots.empty(current.id)
    tx.ballots.close(current.id, deps.now(), tally)
    trigger = (INTERNAL.PASS if decision.passed
               else INTERNAL.NO_QUORUM if not decision.quorum_met else INTERNAL.FAIL)
    after = ((Render((MINUTES,), minutes_extra(deps, tx, item, current.id)),)
             if minutes and deps.renderer.exists(MINUTES) else ())
    step = Step(trigger, actor, action="vote_closed",
                payload={"trigger": "close_vote", **tally}, after=after)
    return step, {"passed": decision.passed, "reason": decision.reason, "tally": tally}


def public_tally(result: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("members", "cast", "present", "written", "yes", "no", "abstain", "recused",
            "withheld", "passed", "quorum_met", "threshold", "of", "quorum", "presence", "base",
            "required_yes", "quorum_required", "reason", "council", "roll_hash")
    return {k: result.get(k) for k in keys}


def minutes_context(deps: Deps, tx: Tx, item: NominationRow, round_id: int) -> dict[str, Any]:
    """What the minutes show: the tally, the roll by name, who took part, who recused."""
    rounds = {r.id: r for r in tx.ballots.rounds(item.id)}
    current = rounds[round_id]
    roll = tx.ballots.roll(round_id)
    names = tx.directory.names(m for m, _, _ in roll)
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
        **(public_tally(current.result) if current.result else {}),
    }


def minutes_extra(deps: Deps, tx: Tx, item: NominationRow, round_id: int) -> dict[str, Any]:
    """What the minutes template adds to the item's context: the round (see
    :func:`minutes_context`), the council by name as the issuing body, its chair and its
    secretariat for the signature block."""
    ballot = minutes_context(deps, tx, item, round_id)
    council = ballot["council"]
    current = next(r for r in tx.ballots.rounds(item.id) if r.id == round_id)
    chairs = tx.directory.holders("council_chair", council)
    secretaries = tx.directory.holders("secretariat", council)
    names = tx.directory.names([*chairs[:1], *secretaries[:1]])
    extra = official(deps, tx, council, current.closed_at or deps.now())
    return {
        **extra,
        "ballot": ballot,
        "council": {"id": council, "name": extra["issuer"]["name"]},
        "chair": {"login": chairs[0], "name": names.get(chairs[0], chairs[0])}
        if chairs else None,
        "secretary": {"login": secretaries[0], "name": names.get(secretaries[0], secretaries[0])}
        if secretaries else None,
    }


def latest_closed(tx: Tx, item: NominationRow) -> int | None:
    for current in reversed(tx.ballots.rounds(item.id)):
        if current.status == "closed":
            return current.id
    return None
