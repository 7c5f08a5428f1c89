"""Council sessions: one meeting, one ballot paper per member, one close, one set of minutes.

* **open** — the council's secretariat puts on one paper items whose open ballot round is
  the council's, none of them on another open session's paper.
* **paper** — a member marks every item on which they are on the roll, not recused and have
  not voted yet, in one go: all of the paper is recorded or none of it. The secretariat
  records an absent member's written paper the same way (not secret, as the law has written
  ballots).
* **close** — in one unit of work every round of the session is tallied by the vote state's
  own :func:`~workflow.service.lifecycle.vote.close` and each item moves through
  :func:`~workflow.service.moves.apply` by its own threshold, quorum and presence; then one
  set of minutes is rendered for the meeting, kept as issued, and its hash audited.

**Secrecy of a paper.** A paper is not stored as a paper. It becomes one ballot in each
item's own box, dropped exactly as a single vote is (:meth:`BallotRepo.drop`): a random id
per ballot, a fresh nonce per seal, no member, no time, no paper id, and each box rewritten
whole (new ids, new order, every ballot sealed afresh). What the paper leaves is therefore
the same in every box it touched: one more sealed ballot among the others, all carrying the
paper's transaction id on PostgreSQL. No stored value — id, position, sealed bytes, time,
transaction id — is shared by the paper's ballots and not by the rest of those boxes, so
neither a member's choices nor the pattern of one paper across items can be read back from
the database (the schema and data tests in ``tests/test_ballots.py`` check it). The audit
names who cast a paper on which items (as ``vote_cast`` does for one item), never how;
``participation`` flags each round the member voted in, as for any vote.

**Concurrency.** Every paper and the close lock the session row first (PostgreSQL
``FOR UPDATE``; SQLite has one writer, taken up front by the facade), so the papers of a
meeting are recorded one after another and the close sees all of them or waits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workflow.documents import sha256_text
from workflow.errors import (
    InvalidInput,
    NotAllowed,
    NotFound,
    PermissionDenied,
    Reason,
    UsageError,
)
from workflow.flow import FlowSpec, StateSpec
from workflow.ids import parse_id
from workflow.service import access
from workflow.service.base import Actor, Deps, load
from workflow.service.commands.ballots import CHOICES
from workflow.service.lifecycle import Entry
from workflow.service.lifecycle.vote import BALLOT_KEY, close, public_tally
from workflow.service.moves import apply
from workflow.service.present import date_in_words, official, place_of
from workflow.service.printing import print_issued
from workflow.store import BallotRoundRow, CouncilSessionRow, NominationRow, Tx

__all__ = ["MINUTES", "cast_paper", "close_session", "get_session", "on_paper",
           "open_session", "parse_marks"]

MINUTES = "session_minutes.html.j2"


@dataclass
class OnPaper:
    """An item of a session as it stands now; ``round`` is set while it can be voted on."""

    position: int
    item: NominationRow
    flow: FlowSpec
    round_id: int
    round: BallotRoundRow | None
    why_not: Reason | None  # why it cannot be voted on now

    @property
    def state(self) -> StateSpec:
        return self.flow.states[self.item.state]


def get_session(tx: Tx, session_id: str | int, *, lock: bool = False) -> CouncilSessionRow:
    key = parse_id(session_id, "council session")
    row = tx.sessions.get(key, lock=lock)
    if row is None:
        raise NotFound(f"no council session {key}", msgid="session.unknown", id=str(key))
    return row


def on_paper(deps: Deps, tx: Tx, session: CouncilSessionRow, *, lock: bool = False
             ) -> list[OnPaper]:
    """The session's items in paper order, each with its round if it can be voted on now (an
    item may have left the vote since the session opened, or be on hold)."""
    out = []
    for entry in tx.sessions.items(session.id):
        item, machine = load(deps, tx, entry.nomination_id, lock=lock)
        flow = machine.spec
        current = tx.ballots.latest(item.id, lock=lock)
        why = None
        if flow.states[item.state].type != "vote":
            why = Reason("session.left_vote", f"it is in {item.state!r}, not in the vote",
                         {"state": item.state})
        elif (current is None or current.id != entry.round_id or current.status != "open"
              or current.entry_no != item.entry_no):
            why = Reason("session.round_closed", "its ballot round is closed")
        out.append(OnPaper(entry.position, item, flow, entry.round_id,
                           None if why else current, why))
    return out


def parse_marks(marks: list[str]) -> dict[str, str]:
    """``["12=yes", "13=no"]`` → ``{"12": "yes", "13": "no"}``; a bad mark is a usage error."""
    out: dict[str, str] = {}
    for mark in marks:
        key, sep, choice = mark.partition("=")
        key, choice = key.strip(), choice.strip()
        if not sep or not key:
            raise UsageError(f"mark {mark!r}: write ID=CHOICE, e.g. 12=yes",
                             msgid="session.bad_mark", value=mark)
        if choice not in CHOICES:
            raise UsageError(f"mark {mark!r}: choice {choice!r} is not one of "
                             f"{', '.join(CHOICES)}", msgid="vote.bad_choice", value=mark)
        if key in out:
            raise InvalidInput(f"nomination {key} is marked twice on the paper",
                           msgid="session.marked_twice", id=key)
        out[key] = choice
    if not out:
        raise UsageError("an empty paper: mark every item, as ID=CHOICE",
                         msgid="session.empty_paper")
    return out


# ---- open ----------------------------------------------------------------------------------


def open_session(deps: Deps, tx: Tx, actor: Actor, unit: str, ids: list[str],
                 title: str | None) -> dict[str, Any]:
    if unit not in deps.tree(tx):
        raise NotFound(f"no unit {unit!r} in the directory", msgid="unit.unknown", unit=unit)
    access.check_council_secretariat(deps, tx, actor, unit, f"open a session of the council "
                                     f"of {unit}")
    if not ids:
        raise UsageError("a session needs items: --items ID,ID,…", msgid="session.no_items")
    keys = [parse_id(i, "nomination") for i in ids]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise InvalidInput(f"nomination {twice[0]} is listed twice",
                           msgid="session.listed_twice", id=str(twice[0]))
    chosen: list[tuple[NominationRow, BallotRoundRow]] = []
    for key in sorted(keys):  # rows are locked in one order by everyone: no deadlock
        item, machine = load(deps, tx, key, lock=True)
        state = machine.spec.states[item.state]
        current = tx.ballots.latest(item.id, lock=True)
        if state.type != "vote" or current is None or current.status != "open" \
                or current.entry_no != item.entry_no:
            raise NotAllowed(f"nomination {item.id} is in {item.state!r}, not in an open vote "
                             f"of the council of {unit}", msgid="session.not_in_vote",
                             values={"council": unit}, id=str(item.id), state=item.state)
        if current.council_unit != unit:
            raise NotAllowed(f"nomination {item.id} is voted on by the council of "
                             f"{current.council_unit}, not of {unit}",
                             msgid="session.other_council",
                             values={"council": current.council_unit, "unit": unit},
                             id=str(item.id))
        assert state.vote is not None
        access.authorize(deps, tx, actor, state.vote.close_by, item.unit_id,
                         f"close the vote on nomination {item.id}")
        chosen.append((item, current))
    held = tx.sessions.open_holding([r.id for _, r in chosen])
    for item, current in chosen:
        if current.id in held:
            raise NotAllowed(f"nomination {item.id} is already on the paper of council session "
                             f"{held[current.id]}", msgid="session.on_other_paper",
                             id=str(item.id), session=str(held[current.id]))
    order = {k: n for n, k in enumerate(keys)}
    chosen.sort(key=lambda pair: order[pair[0].id])
    title = " ".join((title or "").split()) or None
    now = deps.now()
    session_id = tx.sessions.open(unit, title, now, actor.login,
                                  [(item.id, current.id) for item, current in chosen])
    items = [str(item.id) for item, _ in chosen]
    tx.audit.append(now, actor.login, "session_opened", None, None, None, {
        "session": session_id, "council": unit, "title": title, "items": items,
        "rounds": [current.id for _, current in chosen]})
    return {"id": str(session_id), "status": "open", "council": unit, "title": title,
            "items": items}


# ---- one paper -----------------------------------------------------------------------------


def cast_paper(deps: Deps, tx: Tx, actor: Actor, session_id: str, marks: Mapping[str, str],
               written_for: str | None = None) -> dict[str, Any]:
    """Record one member's paper; see the module docstring for what is stored."""
    session = get_session(tx, session_id, lock=True)
    if session.status != "open":
        raise NotAllowed(f"council session {session.id} is closed", msgid="session.closed",
                         session=str(session.id))
    for key, choice in marks.items():
        if choice not in CHOICES:
            raise UsageError(f"choice {choice!r} for nomination {key} is not one of "
                             f"{', '.join(CHOICES)}", msgid="vote.bad_choice")
    member = actor.login
    if written_for is not None:
        access.check_council_secretariat(deps, tx, actor, session.council_unit,
                                         "record written ballots for the council of "
                                         f"{session.council_unit}")
        member = written_for
    paper = on_paper(deps, tx, session, lock=True)
    by_id = {str(p.item.id): p for p in paper}
    foreign = [k for k in marks if k not in by_id]
    if foreign:
        raise InvalidInput(f"{_nominations(foreign)} {'is' if len(foreign) == 1 else 'are'} "
                           f"not on the paper of council session {session.id}",
                           msgid="session.foreign", session=str(session.id), items=foreign)
    stopped = [k for k in marks if by_id[k].round is None]
    if stopped:
        first = by_id[stopped[0]]
        assert first.why_not is not None
        raise NotAllowed(f"nomination {first.item.id} cannot be voted on now: "
                         f"{first.why_not.text}", msgid="session.cannot_vote",
                         values={"id": str(first.item.id), "reason": first.why_not},
                         items=stopped)
    votable = [p for p in paper if p.round is not None]
    standing = tx.ballots.standings([p.round_id for p in votable], member)
    if not standing:
        raise PermissionDenied(f"{member} is not on the roll of the council of "
                               f"{session.council_unit}", msgid="vote.not_on_roll",
                               values={"council": session.council_unit}, member=member)
    for key in marks:
        entry = by_id[key]
        if entry.round_id not in standing:
            raise PermissionDenied(f"{member} is not on the roll for nomination {key} (the "
                                   "roll was frozen when its vote opened)",
                                   msgid="session.off_roll", values={"id": key},
                                   member=member)
        if standing[entry.round_id][1]:
            if entry.item.person_login == member:
                raise PermissionDenied(f"{member} is the nominee of nomination {key} and "
                                       "cannot vote on it", msgid="session.own_nomination",
                                       values={"id": key}, member=member)
            raise PermissionDenied(f"{member} has declared a conflict (recused) on nomination "
                                   f"{key} and cannot vote on it", msgid="session.recused",
                                   values={"id": key}, member=member)
    voted = [key for key in marks if standing[by_id[key].round_id][0]]
    if voted:
        raise NotAllowed(f"{member} has already voted on {_nominations(voted)} of council "
                         f"session {session.id}", msgid="session.voted", member=member,
                         items=voted)
    # due: on the roll, not recused, not voted (a vote cast on an item alone before the
    # session opened counts; the paper covers the rest)
    due = [p for p in votable if p.round_id in standing and not any(standing[p.round_id])]
    if not due:
        raise NotAllowed(f"{member} has nothing left to vote on in council session "
                         f"{session.id}", msgid="session.nothing_left", member=member)
    missing = [str(p.item.id) for p in due if str(p.item.id) not in marks]
    if missing:
        raise InvalidInput(f"the paper must mark every item on which {member} may vote: "
                           f"{_nominations(missing)} {'is' if len(missing) == 1 else 'are'} "
                           "missing", msgid="session.missing", member=member,
                           missing=missing)
    seal_key = deps.key(tx, BALLOT_KEY)
    now = deps.now()
    written = written_for is not None
    for entry in due:
        assert entry.round is not None
        choice = marks[str(entry.item.id)]
        if not tx.ballots.mark_voted(entry.round_id, member):
            raise NotAllowed(f"{member} has already voted on nomination {entry.item.id}",
                             msgid="session.voted", member=member, items=[str(entry.item.id)])
        tx.ballots.drop(entry.round_id, choice, seal_key)
        payload: dict[str, Any] = {"round": entry.round_id, "member": member,
                                   "written": written, "session": session.id}
        if written:
            tx.ballots.record_written(entry.round_id, member, choice, actor.login)
            payload["recorded_by"] = actor.login
        if written or not entry.round.secret:
            payload["choice"] = choice  # not secret: a written or an open ballot
        tx.audit.append(now, actor.login, "vote_cast", entry.item.id, entry.item.state,
                        entry.item.state, payload)
    return {"session": str(session.id), "member": member, "recorded": True,
            "written": written, "items": [str(p.item.id) for p in due],
            "papers_due": _papers_due(tx, votable)}


def _nominations(ids: list[str]) -> str:
    return ("nomination " if len(ids) == 1 else "nominations ") + ", ".join(ids)


def _papers_due(tx: Tx, votable: list[OnPaper]) -> int:
    """Members of the roll who still have something to mark."""
    return len({member for _r, member, voted, recused
                in tx.ballots.rolls([p.round_id for p in votable])
                if not voted and not recused})


# ---- close ---------------------------------------------------------------------------------


def close_session(deps: Deps, tx: Tx, actor: Actor, session_id: str) -> dict[str, Any]:
    session = get_session(tx, session_id, lock=True)
    if session.status != "open":
        raise NotAllowed(f"council session {session.id} is already closed",
                         msgid="session.already_closed", session=str(session.id))
    access.check_council_secretariat(deps, tx, actor, session.council_unit,
                                     f"close a session of the council of "
                                     f"{session.council_unit}")
    paper = on_paper(deps, tx, session, lock=True)
    outcomes: list[dict[str, Any]] = []
    for entry in paper:
        item, flow = entry.item, entry.flow
        if entry.round is None:
            assert entry.why_not is not None
            outcomes.append({"id": str(item.id), "decided": False, "state": item.state,
                             "reason": f"not decided at this meeting: {entry.why_not.text}",
                             "why": entry.why_not.as_dict()})
            continue
        vote = entry.state.vote
        assert vote is not None
        access.authorize(deps, tx, actor, vote.close_by, item.unit_id,
                         f"close the vote on nomination {item.id}")
        step, result = close(Entry(deps, tx, item, flow), actor, entry.round, minutes=False,
                             extra={"session": session.id})
        moved = apply(deps, tx, item, flow, step)
        outcomes.append({"id": str(item.id), "decided": True, "from": moved[0].from_state,
                         "state": item.state, "passed": result["passed"],
                         "reason": result["reason"], "round": entry.round_id})
    now = deps.now()
    number = _next_number(deps, tx, session, now)
    tx.sessions.close(session.id, now, actor.login, number, {"items": outcomes})
    tx.audit.append(now, actor.login, "session_closed", None, None, None, {
        "session": session.id, "council": session.council_unit, "number": number,
        "items": [{k: o[k] for k in ("id", "decided", "state", "passed") if k in o}
                  for o in outcomes]})
    closed = get_session(tx, session.id)
    documents = []
    if deps.renderer.exists(MINUTES):
        seq, head = tx.audit.head()
        context = minutes_context(deps, tx, closed, on_paper(deps, tx, closed), actor)
        context["audit"] = {"seq": seq, "hash": head}
        text = deps.renderer.render(MINUTES, context)
        digest = sha256_text(text)
        tx.sessions.keep_minutes(session.id, text, digest, (seq, head))
        print_issued(tx, "minutes", session.id, text)
        documents.append({"template": MINUTES, "sha256": digest})
        tx.audit.append(now, "system", "rendered", None, None, None, {
            "session": session.id, "documents": documents})
    return {"id": str(session.id), "status": "closed", "number": number,
            "items": outcomes, "documents": documents}


def _next_number(deps: Deps, tx: Tx, session: CouncilSessionRow, now: datetime) -> int:
    """Minutes are numbered per council and calendar year, from 1."""
    tz = deps.display_tz
    year = now.astimezone(tz).year
    start = datetime(year, 1, 1, tzinfo=tz)
    end = datetime(year + 1, 1, 1, tzinfo=tz)
    return tx.sessions.closed_between(session.council_unit, start, end) + 1


# ---- the minutes ---------------------------------------------------------------------------


def minutes_context(deps: Deps, tx: Tx, session: CouncilSessionRow, paper: list[OnPaper],
                    secretary: Actor) -> dict[str, Any]:
    """What the minutes of a closed session show: who attended, each item's tally, rule,
    result and recusals. Tallies only: no ballot is linked to anyone."""
    tree = deps.tree(tx)
    council = tree.units.get(session.council_unit)
    outcomes = {o["id"]: o for o in (session.result or {}).get("items", [])}
    rounds = [p.round_id for p in paper]
    roll = tx.ballots.rolls(rounds)
    logins = sorted({m for _r, m, _v, _x in roll})
    chairs = tx.directory.holders("council_chair", session.council_unit)
    names = tx.directory.names([*logins, *chairs, secretary.login, session.opened_by])
    # who cast a paper at this meeting, in person or in writing (the audit names them; a
    # vote cast on an item alone before the meeting is counted, but is not attendance)
    at_meeting: dict[str, str] = {}
    for entry in paper:
        for logged in tx.audit.entries(str(entry.item.id), limit=1_000_000):
            if logged["action"] != "vote_cast":
                continue
            cast = json.loads(logged["payload"])
            if cast.get("session") == session.id and at_meeting.get(cast["member"]) != "present":
                at_meeting[cast["member"]] = "written" if cast.get("written") else "present"
    status: dict[str, str] = {}
    for login in logins:
        mine = [(r, v, x) for r, m, v, x in roll if m == login]
        status[login] = (at_meeting.get(login)
                         or ("earlier" if any(v for _r, v, _x in mine)
                             else "recused" if mine and all(x for _r, _v, x in mine)
                             else "absent"))
    items: list[dict[str, Any]] = []
    for entry in paper:
        item, flow = entry.item, entry.flow
        award = deps.definitions.catalogue.get(flow.award)
        current = next((r for r in tx.ballots.rounds(item.id) if r.id == entry.round_id),
                       None)
        result = current.result if current is not None and current.status == "closed" \
            else None
        outcome = outcomes.get(str(item.id), {})
        recused = [names.get(m, m) for r, m, _v, x in roll if r == entry.round_id and x]
        unit = tree.units.get(item.unit_id)
        state = flow.states.get(item.state)
        items.append({
            "position": entry.position, "id": str(item.id), "nominee": item.nominee,
            "unit": {"id": item.unit_id, "name": unit.name if unit else item.unit_id},
            "award": {"code": flow.award,
                      "title": dict(award.title) if award else {"vi": flow.award}},
            "flow": {"id": flow.id, "title": dict(flow.title)},
            "decided": bool(outcome.get("decided")) and result is not None,
            "why_not": None if outcome.get("decided") else outcome.get("reason"),
            "state": item.state,
            "state_label": dict(state.label) if state and state.label else {"vi": item.state},
            "tally": public_tally(result) if result else None,
            "recused": recused,
        })
    counts = {k: sum(1 for v in status.values() if v == k)
              for k in ("present", "written", "earlier", "absent", "recused")}
    when = session.closed_at or deps.now()
    chair = chairs[0] if chairs else None
    return {
        **official(deps, tx, session.council_unit, when),
        "session": {
            "id": str(session.id), "number": session.number, "title": session.title,
            "number_text": f"{session.number or session.id:02d}/BB-HĐTĐKT",
            "opened_at": deps.iso(session.opened_at), "closed_at": deps.iso(session.closed_at),
            "date_words": date_in_words(when.astimezone(deps.display_tz).date()),
            "place": place_of(tree, session.council_unit),
        },
        "council": {"id": session.council_unit,
                    "name": council.name if council else session.council_unit,
                    "level": council.level if council else ""},
        "attendance": {"members": [{"login": m, "name": names.get(m, m), "status": status[m],
                                    "chair": m == chair} for m in logins],
                       "total": len(logins), **counts},
        "chair": {"login": chair, "name": names.get(chair, chair)} if chair else None,
        "secretary": {"login": secretary.login,
                      "name": names.get(secretary.login, secretary.login)},
        "items": items,
        "passed": sum(1 for i in items if i["decided"] and i["tally"]["passed"]),
        "failed": sum(1 for i in items if i["decided"] and not i["tally"]["passed"]),
        "undecided": sum(1 for i in items if not i["decided"]),
        "now": deps.iso(deps.now()),
    }
