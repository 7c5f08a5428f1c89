"""Council votes end to end (SPEC §3 ``vote``, §6 secret ballot, §7 ``award vote|recuse|show``).

Every test runs on SQLite and, with AWARD_TEST_PG, on PostgreSQL, on flows and a directory of
its own (written into tmp_path and passed through AWARD_FLOWS), so nothing here depends on the
shipped definitions. Refusals are checked three ways: exit code, a one-line error (JSON and
human), and nothing written (every ballot-related table and the audit head read back with
SQLAlchemy, not through the engine).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, inspect, text

from tests.conftest import Cli, make_service
from workflow.errors import AwardError, Misconfigured
from workflow.keys import KeySource
from workflow.service import Actor, Service
from workflow.service.lifecycle.vote import BALLOT_KEY
from workflow.store.ballots import seal, unseal

# --- definitions ---------------------------------------------------------------------------

#: flow id -> the rule part of its vote block
RULES = {
    "council-vote": "threshold: 80%, of: members, quorum: 2/3",
    "present-vote": "threshold: 2/3, of: present",
    "cast-vote": "threshold: majority, of: cast, quorum: 1/2",
    "open-vote": "threshold: majority, secret: false",
    "thr-90": "threshold: 90%",
    "thr-80": "threshold: 80%",
    "thr-majority": "threshold: majority",
}


def vote_flow(flow_id: str, rule: str) -> str:
    return f"""\
flow: {flow_id}
title: {{vi: "Bỏ phiếu {flow_id}", en: "Vote {flow_id}"}}
award: LDTT
nominee: individual
calendar: vn
states:
  draft: {{initial: true}}
  voting:
    type: vote
    vote: {{council: unit, {rule},
           pass: passed, fail: not_passed, no_quorum: adjourned}}
  adjourned: {{}}
  passed: {{final: true, outcome: awarded}}
  not_passed: {{final: true, outcome: rejected}}
transitions:
  - {{trigger: open, from: draft, to: voting, by: secretariat@unit}}
  - {{trigger: withdraw, from: voting, to: not_passed, by: secretariat@unit}}
  - {{trigger: revote, from: adjourned, to: voting, by: secretariat@unit}}
  - {{trigger: drop, from: adjourned, to: not_passed, by: secretariat@unit}}
"""


#: council unit -> size (members are "<unit>-01" …); U is the hand-written council below
COUNCILS = {"T9": 9, "T10": 10, "T23": 23, "C16": 16, "C25": 25}
U_MEMBERS = ["c1", "c2", "c3", "c4", "c5"]


def members_of(unit: str) -> list[str]:
    return [f"{unit.lower()}-{i:02d}" for i in range(1, COUNCILS[unit] + 1)]


def directory_yaml(*, extra_u_member: str | None = None) -> str:
    lines = ["units:", '  - {id: U, name: "Đơn vị U", level: unit}']
    lines += [f'  - {{id: {u}, name: "Hội đồng {u}", level: unit}}' for u in COUNCILS]
    sec_roles = ", ".join(["secretariat@U", "officer@U", *(f"secretariat@{u}" for u in COUNCILS)])
    lines += ["people:",
              f'  - {{login: sec, name: "Thư ký", roles: [{sec_roles}]}}',
              '  - {login: out, name: "Người ngoài", roles: [officer@U]}']
    # listed out of order on purpose: the roll (and its hash) must be sorted by login
    for login in ("c3", "c1", "c5", "c2", "c4"):
        lines.append(f'  - {{login: {login}, name: "Uỷ viên {login}", roles: [council_member@U]}}')
    if extra_u_member:
        lines.append(f'  - {{login: {extra_u_member}, name: "Uỷ viên mới", '
                     "roles: [council_member@U]}")
    for unit in COUNCILS:
        for login in reversed(members_of(unit)):
            lines.append(f'  - {{login: {login}, name: "Uỷ viên {login}", '
                         f"roles: [council_member@{unit}]}}")
    return "\n".join(lines) + "\n"


def write_definitions(folder: Path) -> tuple[Path, Path]:
    flows = folder / "flows"
    flows.mkdir(parents=True, exist_ok=True)
    for flow_id, rule in RULES.items():
        (flows / f"{flow_id}.yaml").write_text(vote_flow(flow_id, rule), encoding="utf-8")
    directory = folder / "directory.yaml"
    directory.write_text(directory_yaml(), encoding="utf-8")
    return flows, directory


# --- fixtures and helpers ------------------------------------------------------------------


@dataclass
class Env:
    cli: Cli
    db_url: str
    folder: Path
    flows: Path
    engine: Engine

    def service(self) -> Service:
        return make_service(self.db_url, flow_dirs=[self.flows])

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]


@pytest.fixture
def env(db_url: str, tmp_path: Path) -> Iterator[Env]:
    flows, directory = write_definitions(tmp_path)
    cli = Cli(db_url, env={"AWARD_FLOWS": str(flows)})
    cli.ok("init")
    cli.ok("directory", "load", str(directory))
    engine = create_engine(db_url)
    yield Env(cli, db_url, tmp_path, flows, engine)
    engine.dispose()


SNAPSHOT_TABLES = ("nomination", "audit_entry", "ballot_round", "participation", "ballot",
                   "written_ballot", "rendered_document", "council_session",
                   "council_session_item")


def snapshot(env: Env) -> dict[str, Any]:
    """Everything a refused command must leave untouched, read straight from the tables."""
    state: dict[str, Any] = {"head": env.rows("SELECT max(seq) FROM audit_entry")[0][0]}
    for table in SNAPSHOT_TABLES:
        state[table] = sorted(map(repr, env.rows(f"SELECT * FROM {table}")))
    return state


def nominate(env: Env, flow: str = "council-vote", unit: str = "U",
             person: str | None = None) -> str:
    # a nominee who is a person of the directory is named as the directory names them
    args = ["nominate", flow, "--unit", unit, "--nominee",
            f"Uỷ viên {person}" if person else "Nguyễn Văn An"]
    if person:
        args += ["--person", person]
    return str(env.cli.ok(*args, user="sec")["id"])


def open_vote(env: Env, flow: str = "council-vote", unit: str = "U",
              person: str | None = None) -> str:
    item = nominate(env, flow, unit, person)
    assert env.cli.ok("fire", item, "open", user="sec")["state"] == "voting"
    return item


def refused(env: Env, code: int, args: list[str], user: str, message: str,
            error_type: str) -> None:
    """Refused with ``code`` and one clean line (JSON and human), and nothing written."""
    before = snapshot(env)
    error = env.cli.fails(code, *args, user=user)
    assert error["type"] == error_type
    assert error["message"] == message
    run = env.cli(*args, user=user, json_out=False)
    assert run.exit_code == code
    assert run.stdout == ""
    assert run.stderr == f"error: {message}\n"
    assert snapshot(env) == before


def audit(env: Env, item: str | None = None, action: str | None = None) -> list[dict[str, Any]]:
    log = env.cli.ok("audit", "log", *([item] if item else []))
    return [e for e in log if action is None or e["action"] == action]


def head(env: Env) -> int:
    return int(env.cli.ok("audit", "head")["seq"])


def roll_hash(logins: list[str]) -> str:
    return hashlib.sha256(json.dumps(sorted(logins)).encode("utf-8")).hexdigest()


def round_ids(env: Env, item: str) -> list[int]:
    return [r[0] for r in env.rows("SELECT id FROM ballot_round WHERE nomination_id = :n "
                                   "ORDER BY id", n=int(item))]


def participation(env: Env, round_id: int) -> dict[str, tuple[bool, bool]]:
    rows = env.rows("SELECT member_login, voted, recused FROM participation "
                    "WHERE round_id = :r", r=round_id)
    return {m: (bool(v), bool(r)) for m, v, r in rows}


def ballots(env: Env, round_id: int) -> list[tuple[str, str]]:
    """The box as the tally reads it: each choice unsealed with the installation key."""
    key = KeySource.from_env().derive(BALLOT_KEY)
    return [(i, unseal(key, round_id, c)) for i, c in
            env.rows("SELECT id, choice FROM ballot WHERE round_id = :r", r=round_id)]


# --- 1. the round opens with a frozen roll -------------------------------------------------


def test_round_opens_on_entry_with_the_roll_frozen_and_hashed(env: Env) -> None:
    item = open_vote(env)
    [opened] = audit(env, item, "vote_opened")
    [round_id] = round_ids(env, item)
    assert opened["actor"] == "system"
    assert (opened["from"], opened["to"]) == ("voting", "voting")
    assert opened["payload"] == {
        "round": round_id, "council": "U", "roll_size": 5, "roll_hash": roll_hash(U_MEMBERS),
        "secret": True, "threshold": "80%", "of": "members", "quorum": "2/3", "presence": None}
    # the hash is over the sorted logins, whatever order the directory listed them in
    assert opened["payload"]["roll_hash"] == hashlib.sha256(
        b'["c1", "c2", "c3", "c4", "c5"]').hexdigest()
    assert participation(env, round_id) == dict.fromkeys(U_MEMBERS, (False, False))
    assert env.rows("SELECT roll_size, roll_hash, status FROM ballot_round WHERE id = :r",
                    r=round_id) == [(5, roll_hash(U_MEMBERS), "open")]

    # a new council member appointed after the round opened is not on its roll
    later = env.folder / "directory-later.yaml"
    later.write_text(directory_yaml(extra_u_member="c6"), encoding="utf-8")
    env.cli.ok("directory", "load", str(later))
    refused(env, 3, ["vote", item, "yes"], "c6", "c6 is not on the roll of the council of U",
            "PermissionDenied")
    assert participation(env, round_id) == dict.fromkeys(U_MEMBERS, (False, False))
    assert env.cli.ok("show", item)["ballot"]["members"] == 5
    # …but a round opened after the load does include them (the load did take effect)
    other = open_vote(env)
    [reopened] = audit(env, other, "vote_opened")
    assert reopened["payload"]["roll_size"] == 6
    assert reopened["payload"]["roll_hash"] == roll_hash([*U_MEMBERS, "c6"])
    assert env.cli.ok("vote", other, "yes", user="c6")["remaining"] == 5


# --- 2. award vote and its refusals --------------------------------------------------------


def test_vote_is_recorded_once_per_member_and_round(env: Env) -> None:
    item = open_vote(env)
    [round_id] = round_ids(env, item)
    before = head(env)
    result = env.cli.ok("vote", item, "yes", user="c2")
    assert result == {"id": item, "round": round_id, "member": "c2", "recorded": True,
                      "written": False, "closed": False, "remaining": 4}
    assert head(env) == before + 1
    assert participation(env, round_id)["c2"] == (True, False)
    assert [c for _, c in ballots(env, round_id)] == ["yes"]
    human = env.cli("vote", item, "no", user="c3", json_out=False)
    assert human.exit_code == 0
    assert human.stdout == (f"your ballot is recorded for nomination {item} (round {round_id})\n"
                            "3 member(s) still to vote\n")
    refused(env, 4, ["vote", item, "no"], "c2", "c2 has already voted in this round",
            "NotAllowed")
    refused(env, 4, ["vote", item, "yes"], "c3", "c3 has already voted in this round",
            "NotAllowed")
    assert sorted(c for _, c in ballots(env, round_id)) == ["no", "yes"]


def test_vote_refusals_are_clean_and_write_nothing(env: Env) -> None:
    draft = nominate(env)
    refused(env, 4, ["vote", draft, "yes"], "c1",
            f"cannot vote: nomination {draft} is in 'draft', not in a vote", "NotAllowed")
    item = open_vote(env, person="c1")  # c1 is the nominee: recused automatically
    refused(env, 3, ["vote", item, "yes"], "out", "out is not on the roll of the council of U",
            "PermissionDenied")
    refused(env, 3, ["vote", item, "yes"], "sec", "sec is not on the roll of the council of U",
            "PermissionDenied")
    refused(env, 3, ["vote", item, "yes"], "c1",
            "c1 is the nominee and cannot vote on their own nomination", "PermissionDenied")
    refused(env, 5, ["vote", "999", "yes"], "c3", "no nomination 999", "NotFound")
    for member in ("c2", "c3", "c4", "c5"):
        env.cli.ok("vote", item, "yes", user=member)
    assert env.cli.ok("show", item)["state"] == "passed"
    refused(env, 4, ["vote", item, "no"], "c3",
            f"cannot vote: nomination {item} is in 'passed', not in a vote", "NotAllowed")
    refused(env, 4, ["vote", item, "no"], "out",
            f"cannot vote: nomination {item} is in 'passed', not in a vote", "NotAllowed")
    refused(env, 4, ["recuse", item], "c3",
            f"cannot recuse: nomination {item} is in 'passed', not in a vote", "NotAllowed")


def test_an_invalid_choice_is_a_usage_error_and_writes_nothing(env: Env) -> None:
    item = open_vote(env)
    before = snapshot(env)
    for choice in ("maybe", "YES", ""):
        run = env.cli("vote", item, choice, user="c2")
        assert run.exit_code == 2, run
        assert run.json()["error"]["message"] == (
            f"choice {choice!r} is not one of yes, no, abstain")
    assert snapshot(env) == before
    # the service refuses it too (the CLI is not the only door)
    service = env.service()
    try:
        with pytest.raises(AwardError) as caught:
            service.items.vote(Actor("c2"), item, "maybe")
        assert caught.value.exit_code == 2
        assert caught.value.message == "choice 'maybe' is not one of yes, no, abstain"
    finally:
        service.deps.store.close()
    assert snapshot(env) == before


def test_an_invalid_choice_is_one_clean_line(env: Env) -> None:
    item = open_vote(env)
    run = env.cli("vote", item, "maybe", user="c2")
    assert run.exit_code == 2
    assert run.stdout.strip(), f"--json printed no JSON error document; stderr: {run.stderr!r}"
    error = run.json()["error"]
    assert error["type"] == "UsageError"
    assert "maybe" in error["message"]
    run = env.cli("vote", item, "maybe", user="c2", json_out=False)
    assert run.exit_code == 2
    assert len(run.stderr.splitlines()) == 1, run.stderr


# --- 3. recusal ----------------------------------------------------------------------------


def test_recusal_before_voting_and_automatic_recusal_of_the_nominee(env: Env) -> None:
    item = open_vote(env, person="c1")
    [round_id] = round_ids(env, item)
    [auto] = audit(env, item, "recused")
    assert (auto["actor"], auto["payload"]) == (
        "system", {"round": round_id, "member": "c1", "reason": "nominee"})
    assert participation(env, round_id)["c1"] == (False, True)
    assert env.cli.ok("show", item)["ballot"]["recused"] == 1

    declared = env.cli.ok("recuse", item, "--comment", "anh em họ", user="c2")
    assert declared == {"id": item, "round": round_id, "member": "c2", "recused": True,
                        "closed": False, "remaining": 3}
    entry = audit(env, item, "recused")[-1]
    assert (entry["actor"], entry["payload"]) == (
        "c2", {"round": round_id, "member": "c2", "reason": "conflict", "comment": "anh em họ"})
    assert participation(env, round_id)["c2"] == (False, True)

    refused(env, 4, ["recuse", item], "c2", "c2 has already declared a conflict", "NotAllowed")
    refused(env, 3, ["vote", item, "no"], "c2",
            "c2 has declared a conflict (recused) and cannot vote", "PermissionDenied")
    env.cli.ok("vote", item, "yes", user="c3")
    refused(env, 4, ["recuse", item], "c3", "c3 has already voted and cannot recuse now",
            "NotAllowed")
    refused(env, 4, ["fire", item, "recuse"], "c3", "c3 has already voted and cannot recuse now",
            "NotAllowed")
    refused(env, 3, ["recuse", item], "out", "out is not on the roll of the council of U",
            "PermissionDenied")
    draft = nominate(env)
    refused(env, 4, ["recuse", draft], "c2",
            f"cannot recuse: nomination {draft} is in 'draft', not in a vote", "NotAllowed")
    # `award fire ID recuse` is the same declaration
    fired = env.cli.ok("fire", item, "recuse", user="c4")
    assert fired["recused"] is True and fired["member"] == "c4"
    assert participation(env, round_id) == {
        "c1": (False, True), "c2": (False, True), "c3": (True, False), "c4": (False, True),
        "c5": (False, False)}


@pytest.mark.parametrize(("yes", "passed"), [(4, True), (3, False)])
def test_recused_members_stay_in_the_members_base(env: Env, yes: int, passed: bool) -> None:
    item = open_vote(env, person="c1")  # 5 on the roll, c1 recused, 4 may vote
    choices = ["yes"] * yes + ["no"] * (4 - yes)
    results = [env.cli.ok("vote", item, c, user=m) for m, c in zip(U_MEMBERS[1:], choices,
                                                                     strict=True)]
    assert [r["closed"] for r in results] == [False, False, False, True]
    closed = results[-1]
    verdict = "passed" if passed else "failed"
    # 4*100 >= 80*5 passes; 3*100 < 80*5 fails: the recused member is in the base
    assert closed["reason"] == f"{verdict}: {yes} yes of 5 members, 80% needs 4"
    assert closed["state"] == ("passed" if passed else "not_passed")
    tally = closed["tally"]
    assert (tally["members"], tally["recused"], tally["cast"], tally["base"],
            tally["required_yes"], tally["yes"], tally["no"]) == (5, 1, 4, 5, 4, yes, 4 - yes)
    assert env.cli.ok("show", item)["ballot"]["passed"] is passed


# --- 4. written ballots --------------------------------------------------------------------


def test_written_ballots_are_recorded_by_the_secretariat_and_not_secret(env: Env) -> None:
    item = open_vote(env)
    [round_id] = round_ids(env, item)
    for user in ("c2", "out"):
        refused(env, 3, ["vote", item, "no", "--written", "--for", "c4"], user,
                f"{user} may not record written ballots for nomination {item}: "
                "needs secretariat at U", "PermissionDenied")
    refused(env, 3, ["vote", item, "no", "--written", "--for", "out"], "sec",
            "out is not on the roll of the council of U", "PermissionDenied")
    refused(env, 3, ["vote", item, "no", "--written", "--for", "nobody"], "sec",
            "nobody is not on the roll of the council of U", "PermissionDenied")
    refused(env, 2, ["vote", item, "no", "--written"], "sec",
            "--written and --for LOGIN go together", "UsageError")
    refused(env, 2, ["vote", item, "no", "--for", "c4"], "sec",
            "--written and --for LOGIN go together", "UsageError")

    result = env.cli.ok("vote", item, "no", "--written", "--for", "c4", user="sec")
    assert result == {"id": item, "round": round_id, "member": "c4", "recorded": True,
                      "written": True, "closed": False, "remaining": 4}
    assert env.rows("SELECT round_id, member_login, choice, recorded_by FROM written_ballot") == [
        (round_id, "c4", "no", "sec")]
    entry = audit(env, item, "vote_cast")[-1]
    assert (entry["actor"], entry["payload"]) == ("sec", {
        "round": round_id, "member": "c4", "written": True, "recorded_by": "sec",
        "choice": "no"})
    assert participation(env, round_id)["c4"] == (True, False)
    refused(env, 4, ["vote", item, "yes"], "c4", "c4 has already voted in this round",
            "NotAllowed")
    refused(env, 4, ["vote", item, "yes", "--written", "--for", "c4"], "sec",
            "c4 has already voted in this round", "NotAllowed")
    human = env.cli("vote", item, "yes", "--written", "--for", "c5", user="sec", json_out=False)
    assert human.stdout.splitlines()[0] == (
        f"written ballot of c5 is recorded for nomination {item} (round {round_id})")

    for member in ("c1", "c2", "c3"):
        env.cli.ok("vote", item, "yes", user=member)
    tally = env.cli.ok("show", item)["ballot"]
    # 4 yes of 5 members at 80% passes; present excludes the two written ballots
    assert (tally["members"], tally["cast"], tally["present"], tally["written"], tally["yes"],
            tally["no"], tally["passed"]) == (5, 5, 3, 2, 4, 1, True)


def test_of_present_uses_the_ballots_cast_in_person_as_base(env: Env) -> None:
    item = open_vote(env, "present-vote")
    env.cli.ok("vote", item, "no", "--written", "--for", "c4", user="sec")
    env.cli.ok("vote", item, "no", "--written", "--for", "c5", user="sec")
    env.cli.ok("vote", item, "yes", user="c1")
    env.cli.ok("vote", item, "yes", user="c2")
    closed = env.cli.ok("vote", item, "no", user="c3")
    # 2 yes of 3 present meets 2/3 (2*3 >= 2*3); over all 5 cast it would not
    assert closed["reason"] == "passed: 2 yes of 3 present, 2/3 needs 2"
    assert closed["state"] == "passed"
    tally = closed["tally"]
    assert (tally["base"], tally["present"], tally["written"], tally["cast"],
            tally["required_yes"]) == (3, 3, 2, 5, 2)


def test_of_present_does_not_mix_written_yes_into_the_in_person_share(env: Env) -> None:
    item = open_vote(env, "present-vote")
    env.cli.ok("vote", item, "yes", "--written", "--for", "c4", user="sec")
    env.cli.ok("vote", item, "yes", "--written", "--for", "c5", user="sec")
    env.cli.ok("vote", item, "yes", user="c1")
    env.cli.ok("vote", item, "no", user="c2")
    closed = env.cli.ok("vote", item, "no", user="c3")
    # In person: 1 yes of 3 present (< 2/3). Counting the written ballots too: 3 yes of 5 cast
    # (< 2/3). Either coherent reading fails; yes/base must never exceed 100%.
    assert closed["passed"] is False, closed["reason"]
    assert closed["state"] == "not_passed"


# --- 5. closing, quorum, revote, auto-close ------------------------------------------------


def test_fire_close_vote_and_recuse_print_one_line_without_json(env: Env) -> None:
    item = open_vote(env)
    run = env.cli("fire", item, "recuse", user="c1", json_out=False)
    assert run.exit_code == 0, run.stderr
    assert run.stdout.strip() == f"{item}: voting --recuse--> voting"
    env.cli.ok("vote", item, "yes", user="c2")
    run = env.cli("fire", item, "close_vote", user="sec", json_out=False)
    assert run.exit_code == 0, run.stderr
    assert run.stdout.strip() == (f"{item}: voting --close_vote--> adjourned (failed: quorum "
                                  "not met: 1 of 5 cast, 2/3 needs 4)")
    assert [e["action"] for e in audit(env, item, "vote_closed")] == ["vote_closed"]


def test_close_vote_quorum_failure_and_a_new_round(env: Env) -> None:
    item = open_vote(env)
    [first] = round_ids(env, item)
    refused(env, 3, ["fire", item, "close_vote"], "c2",
            f"c2 may not close the vote on nomination {item}: needs secretariat at U",
            "PermissionDenied")
    refused(env, 3, ["fire", item, "close_vote"], "out",
            f"out may not close the vote on nomination {item}: needs secretariat at U",
            "PermissionDenied")
    env.cli.ok("vote", item, "yes", user="c1")
    env.cli.ok("vote", item, "yes", user="c2")
    closed = env.cli.ok("fire", item, "close_vote", user="sec")
    assert closed["state"] == "adjourned"
    assert closed["passed"] is False
    assert closed["reason"].startswith("failed: quorum not met")
    assert closed["reason"] == "failed: quorum not met: 2 of 5 cast, 2/3 needs 4"
    [entry] = audit(env, item, "vote_closed")
    assert (entry["actor"], entry["from"], entry["to"]) == ("sec", "voting", "adjourned")
    assert entry["payload"]["quorum_met"] is False
    assert entry["payload"]["quorum_required"] == 4
    # without a quorum the split is never published (two yes would name both votes) and the
    # box is emptied: only how many took part is recorded
    assert (entry["payload"]["yes"], entry["payload"]["no"], entry["payload"]["abstain"],
            entry["payload"]["cast"], entry["payload"]["withheld"]) == (None, None, None, 2, True)
    assert env.rows("SELECT count(*) FROM ballot WHERE round_id = :r", r=first) == [(0,)]
    shown = env.cli.ok("show", item)["ballot"]
    assert (shown["yes"], shown["withheld"], shown["cast"]) == (None, True, 2)
    assert env.rows("SELECT status FROM ballot_round WHERE id = :r", r=first) == [("closed",)]
    refused(env, 4, ["vote", item, "yes"], "c3",
            f"cannot vote: nomination {item} is in 'adjourned', not in a vote", "NotAllowed")
    refused(env, 4, ["fire", item, "close_vote"], "sec",
            "cannot 'close_vote' from 'adjourned'; allowed here: revote, drop", "NotAllowed")

    assert env.cli.ok("fire", item, "revote", user="sec")["state"] == "voting"
    assert round_ids(env, item) == [first, first + 1]
    opened = audit(env, item, "vote_opened")
    assert [e["payload"]["round"] for e in opened] == [first, first + 1]
    assert participation(env, first + 1) == dict.fromkeys(U_MEMBERS, (False, False))
    view = env.cli.ok("show", item)["ballot"]
    assert (view["round"], view["status"], view["voted"]) == (first + 1, "open", 0)
    again = env.cli.ok("vote", item, "yes", user="c1")  # c1 voted in round 1: may vote again
    assert (again["round"], again["remaining"]) == (first + 1, 4)
    assert participation(env, first)["c1"] == (True, False)

    # auto-close: exactly when the last eligible member acts
    assert env.cli.ok("recuse", item, user="c2")["remaining"] == 3
    assert env.cli.ok("vote", item, "yes", user="c3")["remaining"] == 2
    assert env.cli.ok("vote", item, "yes", user="c4")["remaining"] == 1
    assert len(audit(env, item, "vote_closed")) == 1
    last = env.cli.ok("vote", item, "yes", user="c5")
    assert last["closed"] is True
    assert (last["state"], last["passed"]) == ("passed", True)
    assert last["reason"] == "passed: 4 yes of 5 members, 80% needs 4"
    closes = audit(env, item, "vote_closed")
    assert len(closes) == 2
    assert (closes[-1]["actor"], closes[-1]["payload"]["round"]) == ("system", first + 1)
    refused(env, 4, ["fire", item, "close_vote"], "sec",
            "cannot 'close_vote' from 'passed'; allowed here: nothing ('passed' is final)",
            "NotAllowed")
    assert env.cli.ok("audit", "verify")["ok"] is True


def test_the_last_recusal_closes_the_round(env: Env) -> None:
    item = open_vote(env)
    for member in ("c1", "c2", "c3", "c4"):
        assert env.cli.ok("vote", item, "yes", user=member)["closed"] is False
    closed = env.cli.ok("recuse", item, user="c5")
    assert closed["closed"] is True
    assert closed["state"] == "passed"  # 4 yes of 5 members, 80%
    assert closed["tally"]["recused"] == 1
    assert closed["reason"] == "passed: 4 yes of 5 members, 80% needs 4"


def test_leaving_a_vote_state_abandons_the_round(env: Env) -> None:
    item = open_vote(env)
    [round_id] = round_ids(env, item)
    env.cli.ok("vote", item, "yes", user="c1")
    assert env.cli.ok("fire", item, "withdraw", user="sec")["state"] == "not_passed"
    [abandoned] = audit(env, item, "vote_abandoned")
    assert abandoned["payload"] == {"round": round_id}
    assert env.rows("SELECT status FROM ballot_round WHERE id = :r", r=round_id) == [
        ("abandoned",)]
    assert audit(env, item, "vote_closed") == []
    refused(env, 4, ["render", item, "minutes.html.j2"], "sec",
            f"nomination {item} has no closed ballot round yet; minutes are written when a "
            "vote closes", "NotAllowed")


# --- 6. exact thresholds end to end --------------------------------------------------------


@pytest.mark.parametrize(("unit", "flow", "threshold", "required"), [
    ("T9", "thr-90", "90%", 9),          # 90% of 9 = 8.1: 8 is not enough
    ("T10", "thr-80", "80%", 8),
    ("T10", "thr-majority", "majority", 6),  # strictly more than half: 5 of 10 is not
    ("T23", "thr-90", "90%", 21),        # 90% of 23 = 20.7
])
@pytest.mark.parametrize("short", [0, 1], ids=["required", "one-short"])
def test_thresholds_over_whole_councils(env: Env, unit: str, flow: str, threshold: str,
                                        required: int, short: int) -> None:
    item = open_vote(env, flow, unit)
    members = members_of(unit)
    yes = required - short
    service = env.service()
    try:
        results = [service.items.vote(Actor(m), item, "yes" if i < yes else "no")
                   for i, m in enumerate(members)]
    finally:
        service.deps.store.close()
    assert [r["closed"] for r in results] == [False] * (len(members) - 1) + [True]
    last = results[-1]
    verdict = "passed" if not short else "failed"
    assert last["reason"] == f"{verdict}: {yes} yes of {len(members)} members, " \
                             f"{threshold} needs {required}"
    assert last["state"] == ("passed" if not short else "not_passed")
    assert last["tally"]["required_yes"] == required
    shown = env.cli.ok("show", item)["ballot"]
    assert (shown["members"], shown["cast"], shown["yes"], shown["no"], shown["passed"]) == (
        len(members), len(members), yes, len(members) - yes, not short)


# --- 7. secrecy on the schema and on the data ----------------------------------------------

MEMBERISH = re.compile(r"login|member|actor|person|user|voter|_by$")
CHOICEISH = re.compile(r"choice|vote$|ballot_value")


def test_secrecy_of_the_schema(env: Env) -> None:
    schema = inspect(env.engine)
    columns = {t: {c["name"] for c in schema.get_columns(t)} for t in schema.get_table_names()}
    assert columns["participation"] == {"round_id", "member_login", "voted", "recused"}
    assert columns["ballot"] == {"round_id", "id", "choice"}
    assert columns["written_ballot"] >= {"member_login", "choice"}
    linking = sorted(t for t, cols in columns.items()
                     if any(MEMBERISH.search(c) for c in cols)
                     and any(CHOICEISH.search(c) for c in cols))
    assert linking == ["written_ballot"]
    if env.db_url.startswith("sqlite"):
        [(sql,)] = env.rows("SELECT sql FROM sqlite_master WHERE type = 'table' "
                            "AND name = 'ballot'")
        assert sql.rstrip().upper().endswith("WITHOUT ROWID")
        [(sql,)] = env.rows("SELECT sql FROM sqlite_master WHERE type = 'table' "
                            "AND name = 'participation'")
        assert "WITHOUT ROWID" not in sql.upper()  # the check above can tell the difference


def test_secrecy_of_the_data(env: Env) -> None:
    item = open_vote(env)
    [round_id] = round_ids(env, item)
    for member, choice in [("c1", "yes"), ("c2", "no"), ("c3", "abstain"), ("c4", "yes")]:
        env.cli.ok("vote", item, choice, user=member)

    # while open: random ids, no tally anywhere, the audit says who but never how
    open_box = ballots(env, round_id)
    ids = [i for i, _ in open_box]
    assert len(ids) == 4 and len(set(ids)) == 4
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids), ids
    assert sorted(c for _, c in open_box) == ["abstain", "no", "yes", "yes"]
    shown = env.cli.ok("show", item)
    assert set(shown["ballot"]) & {"yes", "no", "abstain", "cast", "passed", "base"} == set()
    assert (shown["ballot"]["status"], shown["ballot"]["voted"]) == ("open", 4)
    casts = audit(env, item, "vote_cast")
    assert [e["payload"]["member"] for e in casts] == ["c1", "c2", "c3", "c4"]
    assert all("choice" not in e["payload"] for e in casts)
    assert all(set(e["payload"]) == {"round", "member", "written"} for e in casts)
    for entry in shown["history"]:
        assert "choice" not in entry["payload"]
        assert set(entry["payload"]) & {"yes", "no", "abstain"} == set()
    _no_row_links_a_member_to_a_choice(env)

    closed = env.cli.ok("vote", item, "yes", user="c5")
    assert closed["closed"] is True
    closed_box = ballots(env, round_id)
    assert len(closed_box) == 5
    assert set(ids).isdisjoint(i for i, _ in closed_box)  # the box was rewritten on close
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i, _ in closed_box)
    assert Counter(c for _, c in closed_box) == {"yes": 3, "no": 1, "abstain": 1}
    ballot = env.cli.ok("show", item)["ballot"]
    assert {k: ballot[k] for k in ("members", "cast", "yes", "no", "abstain", "passed")} == {
        "members": 5, "cast": 5, "yes": 3, "no": 1, "abstain": 1, "passed": False}
    assert ballot["status"] == "closed"
    assert all("choice" not in e["payload"] for e in audit(env, item, "vote_cast"))
    _no_row_links_a_member_to_a_choice(env)


def _no_row_links_a_member_to_a_choice(env: Env) -> None:
    """No stored row (outside written_ballot) holds both a roll member and a choice."""
    logins = {*U_MEMBERS}
    choices = {"yes", "no", "abstain"}
    schema = inspect(env.engine)
    for table in schema.get_table_names():
        if table == "written_ballot":
            continue
        for row in env.rows(f"SELECT * FROM {table}"):
            values = {v for v in row if isinstance(v, str)}
            assert not (values & logins and values & choices), (table, row)
    for (payload,) in env.rows("SELECT payload FROM audit_entry WHERE action = 'vote_cast'"):
        data = json.loads(payload)
        assert data["written"] or "choice" not in data, data


def test_an_open_ballot_is_audited_with_its_choice(env: Env) -> None:
    item = open_vote(env, "open-vote")
    env.cli.ok("vote", item, "no", user="c2")
    [entry] = audit(env, item, "vote_cast")
    assert entry["payload"] == {"round": round_ids(env, item)[0], "member": "c2",
                                "written": False, "choice": "no"}
    assert audit(env, item, "vote_opened")[0]["payload"]["secret"] is False


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_closed_round_leaves_no_history_of_its_box_in_the_sqlite_files(env: Env) -> None:
    """A long-running server (the web ballot page) keeps SQLite's write-ahead log open, and the
    log holds the box as it was after each cast: closing the round empties it."""
    item = open_vote(env)
    service = make_service(env.db_url, flow_dirs=[env.flows])
    try:
        path = Path(env.db_url.removeprefix("sqlite:///"))
        wal = path.with_name(path.name + "-wal")
        for member, choice in zip(U_MEMBERS[:4], ["yes", "no", "abstain", "yes"], strict=True):
            service.items.vote(Actor(member), item, choice)
            assert wal.stat().st_size > 0  # the casts sit in the log while the round is open
        closed = service.items.fire(Actor("sec"), item, "close_vote")
        assert closed["tally"]["cast"] == 4
        assert wal.stat().st_size == 0
        assert service.deps.store.run(lambda tx: tx.raw.one("PRAGMA secure_delete")) == (1,)
    finally:
        service.deps.store.close()


#: a ballot row as SQLite lays it out: its 32-hex-digit id right before its choice
PLAIN_BALLOT = re.compile(rb"[0-9a-f]{32}(yes|no|abstain)(?![A-Za-z0-9_\-])")


@pytest.mark.parametrize("sealed", [True, False], ids=["sealed", "plaintext-control"])
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_reader_during_the_close_leaves_no_readable_ballot_in_the_log(
        env: Env, sealed: bool, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """The attack: while another connection reads, the close cannot empty the write-ahead
    log, which keeps the box as it was after each cast; diffing those versions against the
    audit's ``vote_cast`` order named every member's choice. Ballots are sealed, so the files
    hold no readable choice at all; the control run without sealing shows the detector works."""
    import sqlite3

    if not sealed:
        monkeypatch.setattr("workflow.store.ballots._seal_all",
                            lambda _aead, _r, choices, _nonces: list(choices))
    item = open_vote(env)
    service = make_service(env.db_url, flow_dirs=[env.flows])
    path = Path(env.db_url.removeprefix("sqlite:///"))
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        for member, choice in zip(U_MEMBERS[:4], ["yes", "no", "abstain", "yes"], strict=True):
            if member == "c4":  # a long read (an export, a report) is running at the close
                reader.execute("BEGIN")
                reader.execute("SELECT count(*) FROM audit_entry").fetchone()
            service.items.vote(Actor(member), item, choice)
        with caplog.at_level("WARNING", logger="workflow.store"):
            closed = service.items.fire(Actor("sec"), item, "close_vote")
        assert closed["tally"]["yes"] == 2 and closed["tally"]["cast"] == 4
        wal = path.with_name(path.name + "-wal")
        assert wal.stat().st_size > 0  # the reader kept the log from being emptied ...
        assert "still holds" in caplog.text  # ... and the store said so
        on_disk = path.read_bytes() + wal.read_bytes()
        found = PLAIN_BALLOT.findall(on_disk)
        if sealed:
            assert found == [], found
        else:
            assert len(found) >= 4  # every version of the box, readable: the old defect
    finally:
        reader.close()
        service.deps.store.close()


def test_sealed_ballots_all_look_alike(env: Env) -> None:
    item = open_vote(env)
    for member, choice in zip(U_MEMBERS[:3], ["yes", "no", "abstain"], strict=True):
        env.cli.ok("vote", item, choice, user=member)
    stored = [c for (c,) in env.rows("SELECT choice FROM ballot")]
    assert len(stored) == 3 and len({len(c) for c in stored}) == 1
    assert not set(stored) & {"yes", "no", "abstain"}
    assert sorted(c for _i, c in ballots(env, round_ids(env, item)[0])) == ["abstain", "no",
                                                                            "yes"]


def test_a_round_cannot_be_tallied_with_another_installation_key(env: Env) -> None:
    item = open_vote(env)
    for member in ("c1", "c2", "c3", "c4"):  # a quorum: the split is published
        env.cli.ok("vote", item, "yes", user=member)
    other = env.cli("fire", item, "close_vote", user="sec", env={"AWARD_SECRET": "o" * 40})
    assert other.exit_code == 1 and "another installation key" in other.json()["error"][
        "message"]
    assert env.cli.ok("fire", item, "close_vote", user="sec")["tally"]["yes"] == 4


#: a ballot tuple as PostgreSQL lays it out: the id (a short varlena, header 0x43 for 32
#: characters) right before the choice (header 0x09 "yes", 0x07 "no", 0x11 "abstain")
PG_PLAIN_BALLOT = re.compile(rb"C[0-9a-f]{32}(\x09yes|\x07no|\x11abstain)")


@pytest.mark.parametrize("sealed", [True, False], ids=["sealed", "plaintext-control"])
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_raw_pages_after_the_close_hold_no_readable_ballot_on_postgresql(
        env: Env, sealed: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone who can read PostgreSQL's data files sees every row version the box ever had
    (each cast rewrites it; dead versions stay until a vacuum, and after it in free space):
    read the raw pages, dead tuples included, and find no choice. The control run without
    sealing shows the reader finds them."""
    if not sealed:
        monkeypatch.setattr("workflow.store.ballots._seal_all",
                            lambda _aead, _r, choices, _nonces: list(choices))
    item = open_vote(env)
    service = env.service()
    try:
        for member, choice in zip(U_MEMBERS[:4], ["yes", "no", "abstain", "yes"], strict=True):
            service.items.vote(Actor(member), item, choice)
        service.items.fire(Actor("sec"), item, "close_vote")
    finally:
        service.close()
    with env.engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect WITH SCHEMA public"))
        pages = conn.execute(text("SELECT pg_relation_size('ballot') / 8192")).scalar_one()
        raw = b"".join(bytes(conn.execute(text("SELECT public.get_raw_page('ballot', :n)"),
                                          {"n": n}).scalar_one()) for n in range(pages))
    found = PG_PLAIN_BALLOT.findall(raw)
    if sealed:
        assert pages >= 1 and found == []
    else:
        assert len(found) >= 4  # the old row versions, readable: what sealing prevents


# xmin is a PostgreSQL system column; SQLite has no per-row transaction id to join on
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_open_round_rows_cannot_be_joined_on_postgresql(env: Env) -> None:
    item = open_vote(env)
    env.cli.ok("vote", item, "yes", user="c1")
    env.cli.ok("vote", item, "no", user="c2")
    env.cli.ok("vote", item, "abstain", user="c3")
    linked = env.rows("SELECT p.member_login, b.choice FROM participation p JOIN ballot b "
                      "ON b.round_id = p.round_id AND b.xmin::text = p.xmin::text "
                      "WHERE p.voted ORDER BY p.member_login, b.choice")
    box = sorted(c for (c,) in env.rows("SELECT choice FROM ballot"))
    # Every cast rewrites the box, so all live ballots share the last voter's transaction id:
    # a member's transaction id points at no ballot or at the whole box, never at a choice.
    by_member: dict[str, list[str]] = {}
    for member, choice in linked:
        by_member.setdefault(member, []).append(choice)
    assert all(sorted(choices) == box for choices in by_member.values()), linked
    assert set(by_member) <= {"c3"}, f"member -> choice recoverable: {linked}"


# --- 7b. secrecy of a council session's papers ---------------------------------------------


def test_secrecy_of_the_session_schema(env: Env) -> None:
    """A session names its items and their rounds; it has no place for a ballot or a choice,
    and the box keeps no paper id: nothing in the schema can tie one paper's ballots."""
    schema = inspect(env.engine)
    columns = {t: {c["name"] for c in schema.get_columns(t)} for t in schema.get_table_names()}
    assert columns["council_session_item"] == {"session_id", "nomination_id", "round_id",
                                               "position"}
    assert columns["council_session"] == {
        "id", "council_unit", "title", "status", "opened_at", "opened_by", "closed_at",
        "closed_by", "number", "result", "minutes", "minutes_sha256", "audit_seq",
        "audit_hash", "pdf", "pdf_sha256"}  # the minutes' PDF: the same tallies, no paper
    assert columns["ballot"] == {"round_id", "id", "choice"}  # no paper, session or member
    for table in ("council_session", "council_session_item"):
        assert not any(CHOICEISH.search(c) for c in columns[table]), table


PAPERS = {"c1": ("yes", "no", "abstain"), "c2": ("no", "yes", "yes"),
          "c3": ("abstain", "abstain", "no"), "c4": ("yes", "yes", "yes")}


def test_the_ballots_of_one_paper_share_no_stored_value(env: Env) -> None:
    """Four papers with four different patterns over three items: after each paper no stored
    value — ballot id, sealed bytes, row version (PostgreSQL's transaction id) — groups some
    ballots across the boxes and not the others, every sealed ballot was sealed afresh, and
    no row or audit entry pairs a member with a choice."""
    items = [open_vote(env) for _ in range(3)]
    rounds = [round_ids(env, i)[0] for i in items]
    session = str(env.cli.ok("session", "open", "--unit", "U", "--items", ",".join(items),
                             user="sec")["id"])
    pg = env.db_url.startswith("postgresql")
    version = ", xmin::text" if pg else ""
    earlier: set[str] = set()
    for member, pattern in PAPERS.items():
        env.cli.ok("ballot", session, *(f"{i}={c}" for i, c in zip(items, pattern,
                                                                     strict=True)),
                   user=member)
        box = env.rows(f"SELECT round_id, id, choice{version} FROM ballot")
        assert len(box) == 3 * (list(PAPERS).index(member) + 1)
        for column in range(1, len(box[0])):  # every stored value but the round itself
            holders: dict[Any, set[tuple[Any, ...]]] = {}
            for row in box:
                holders.setdefault(row[column], set()).add(row)
            for value, rows in holders.items():
                # one ballot, or every ballot of the session's boxes: never a paper's few
                assert len(rows) == 1 or len(rows) == len(box), (column, value, rows)
        sealed = {row[2] for row in box}
        assert len(sealed) == len(box) and not sealed & earlier  # all re-sealed
        earlier |= sealed
        if pg:  # one row version for all: the last paper's rewrite of every box
            assert len({row[3] for row in box}) == 1
    for round_id, column in zip(rounds, zip(*PAPERS.values(), strict=True), strict=True):
        assert Counter(c for _i, c in ballots(env, round_id)) == Counter(column)
    casts = audit(env, action="vote_cast")
    assert len(casts) == 12 and all(e["payload"]["session"] == int(session) for e in casts)
    assert all("choice" not in e["payload"] for e in casts)
    _no_row_links_a_member_to_a_choice(env)
    if pg:  # a member's transaction id points at no ballot or at every box whole
        linked = env.rows("SELECT p.member_login, b.choice FROM participation p JOIN ballot b "
                          "ON b.round_id = p.round_id AND b.xmin::text = p.xmin::text "
                          "WHERE p.voted")
        assert {m for m, _c in linked} <= {"c4"}
        assert sorted(c for _m, c in linked) == sorted(r[2] for r in env.rows(
            "SELECT round_id, id, choice FROM ballot"))
    closed = env.cli.ok("session", "close", session, user="sec")
    assert [o["decided"] for o in closed["items"]] == [True, True, True]
    # the stored result and the minutes are tallies: no member next to a choice
    for (result, minutes) in env.rows("SELECT result, minutes FROM council_session"):
        assert not any(f"c{n}" in result for n in range(1, 6))
        attendance = minutes.split("I. Thành phần tham dự")[1].split("II. Nội dung")[0]
        assert "Uỷ viên c4" in attendance
        assert not re.search(r"\b(yes|no|abstain)\b|[Đđ]ồng ý", attendance)
    assert earlier.isdisjoint(r[0] for r in env.rows("SELECT choice FROM ballot"))
    _no_row_links_a_member_to_a_choice(env)


# --- 8. minutes ----------------------------------------------------------------------------


def test_minutes_are_rendered_on_close_and_on_request(env: Env, tmp_path: Path) -> None:
    item = open_vote(env, person="c1")
    refused(env, 4, ["render", item, "minutes.html.j2"], "sec",
            f"nomination {item} has no closed ballot round yet; minutes are written when a "
            "vote closes", "NotAllowed")
    for member, choice in [("c2", "yes"), ("c3", "yes"), ("c4", "no")]:
        env.cli.ok("vote", item, choice, user=member)
    env.cli.ok("vote", item, "abstain", "--written", "--for", "c5", user="sec")
    [closed] = audit(env, item, "vote_closed")
    [rendered] = audit(env, item, "rendered")
    assert rendered["seq"] == closed["seq"] + 1
    [doc] = rendered["payload"]["documents"]
    assert doc["template"] == "minutes.html.j2"
    [(doc_id, template, digest, content)] = env.rows(
        "SELECT id, template, sha256, content FROM rendered_document WHERE nomination_id = :n",
        n=int(item))
    assert (str(doc_id), template, digest) == (doc["id"], "minutes.html.j2", doc["sha256"])
    assert hashlib.sha256(content.encode("utf-8")).hexdigest() == doc["sha256"]
    assert f"seq {closed['seq']}," in content  # the audit head when the minutes were made
    assert env.cli.ok("show", item)["rendered"][0]["sha256"] == doc["sha256"]

    out = tmp_path / "minutes.html"
    summary = env.cli.ok("render", item, "minutes.html.j2", "--out", str(out))
    html = out.read_text(encoding="utf-8")
    assert summary["sha256"] == hashlib.sha256(html.encode("utf-8")).hexdigest()
    tally = closed["payload"]
    assert (tally["members"], tally["cast"], tally["present"], tally["written"], tally["yes"],
            tally["no"], tally["abstain"], tally["recused"]) == (5, 4, 3, 1, 2, 1, 1, 1)
    assert "Members on the roll</th><td>5</td>" in html
    assert "Ballots cast</th><td>4 (có mặt / in person 3, bằng văn bản / written 1)</td>" in html
    assert "Yes</th><td>2</td>" in html
    assert "No</th><td>1</td>" in html
    assert "Abstain</th><td>1</td>" in html
    assert "Recused</th><td>1</td>" in html
    assert "80% của tổng số thành viên: cần 4 phiếu đồng ý trên 5" in html
    assert "2/3 của tổng số thành viên (cần 4 phiếu)" in html
    assert "KHÔNG ĐẠT — NOT PASSED" in html
    assert tally["reason"] == "failed: 2 yes of 5 members, 80% needs 4"
    assert tally["reason"] in html
    assert "Uỷ viên c1</td>\n        <td>Không tham gia (xung đột lợi ích) / recused" in html
    assert "(c1)" not in html  # people by name, the council by its name, never a code
    assert "Nơi nhận:" in html and "Chủ tịch Hội đồng" in html and "Số: " in html
    now_head = head(env)
    now_hash = env.cli.ok("audit", "head")["hash"]
    assert f"Audit chain at issue: seq {now_head}, <code>{now_hash}" in html
    assert roll_hash(U_MEMBERS) in html


# --- 9. concurrency ------------------------------------------------------------------------


def test_sixteen_members_voting_at_once(env: Env) -> None:
    item = open_vote(env, "council-vote", "C16")
    [round_id] = round_ids(env, item)
    members = members_of("C16")
    choices = {m: ("yes" if i < 13 else "no") for i, m in enumerate(members)}  # 13 of 16 >= 80%
    services = [env.service() for _ in members]
    barrier = threading.Barrier(len(members))
    outcomes: dict[str, Any] = {}

    def cast(member: str, service: Service) -> None:
        barrier.wait(timeout=30)
        try:
            outcomes[member] = service.items.vote(Actor(member), item, choices[member])
        except Exception as exc:  # reported below with the member's name
            outcomes[member] = exc

    threads = [threading.Thread(target=cast, args=(m, s)) for m, s in zip(members, services,
                                                                         strict=True)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        for service in services:
            service.deps.store.close()
    assert not any(t.is_alive() for t in threads)
    errors = {m: o for m, o in outcomes.items() if isinstance(o, Exception)}
    assert errors == {}
    assert len(outcomes) == 16
    assert sum(bool(o["closed"]) for o in outcomes.values()) == 1
    assert sorted(o["remaining"] for o in outcomes.values() if not o["closed"]) == list(
        range(1, 16))
    assert len(ballots(env, round_id)) == 16
    assert Counter(c for _, c in ballots(env, round_id)) == {"yes": 13, "no": 3}
    assert participation(env, round_id) == dict.fromkeys(members, (True, False))
    assert len(audit(env, item, "vote_cast")) == 16
    [closed] = audit(env, item, "vote_closed")
    assert closed["payload"]["reason"] == "passed: 13 yes of 16 members, 80% needs 13"
    assert env.cli.ok("show", item)["state"] == "passed"
    assert env.cli.ok("audit", "verify")["ok"] is True


# --- 10. the engine's decision against a Fraction reference --------------------------------

#: flow -> (threshold, strict, basis, quorum)
REFERENCE_RULES: dict[str, tuple[Fraction, bool, str, Fraction | None]] = {
    "council-vote": (Fraction(80, 100), False, "members", Fraction(2, 3)),
    "present-vote": (Fraction(2, 3), False, "present", None),
    "cast-vote": (Fraction(1, 2), True, "cast", Fraction(1, 2)),
    "thr-90": (Fraction(90, 100), False, "members", None),
    "thr-majority": (Fraction(1, 2), True, "members", None),
}
STANDINGS = ["yes", "no", "abstain", "absent", "recuse", "w-yes", "w-no", "w-abstain"]


def reference(flow: str, members: int, yes: int, no: int, abstain: int, written: int,
              written_yes: int) -> tuple[bool, bool]:
    """(passed, quorum_met) straight from SPEC §3 with Fractions; the `present` basis counts
    only in-person ballots, yes included."""
    share, strict, basis, quorum = REFERENCE_RULES[flow]
    cast = yes + no + abstain
    quorum_met = quorum is None or Fraction(cast, members) >= quorum
    base = {"members": members, "present": cast - written, "cast": cast}[basis]
    if basis == "present":
        yes -= written_yes
    if not quorum_met or cast == 0 or base == 0 or yes == 0:
        return False, quorum_met
    ratio = Fraction(yes, base)
    return (ratio > share if strict else ratio >= share), quorum_met


def hypothesis_directory() -> str:
    lines = ["units:"] + [f'  - {{id: H{k}, name: "H{k}", level: unit}}' for k in range(1, 13)]
    secs = ", ".join(f"secretariat@H{k}" for k in range(1, 13))
    lines += ["people:", f'  - {{login: sec, name: "Thư ký", roles: [{secs}]}}']
    for k in range(1, 13):
        lines += [f'  - {{login: h{k}-{i:02d}, name: "M", roles: [council_member@H{k}]}}'
                  for i in range(k)]
    return "\n".join(lines) + "\n"


@st.composite
def rounds(draw: st.DrawFn) -> tuple[str, list[str], bool]:
    flow = draw(st.sampled_from(sorted(REFERENCE_RULES)))
    size = draw(st.integers(1, 12))
    roll = draw(st.lists(st.sampled_from(STANDINGS), min_size=size, max_size=size))
    nominee_recused = "recuse" in roll and draw(st.booleans())
    return flow, roll, nominee_recused


def test_decisions_match_a_fraction_reference(tmp_path: Path) -> None:
    flows, _ = write_definitions(tmp_path)
    directory = tmp_path / "councils.yaml"
    directory.write_text(hypothesis_directory(), encoding="utf-8")
    service = make_service(f"sqlite:///{tmp_path / 'prop.db'}", flow_dirs=[flows])
    service.setup.init()
    service.setup.load_directory(directory)
    sec = Actor("sec")

    @settings(max_examples=25, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(rounds())
    def check(case: tuple[str, list[str], bool]) -> None:
        flow, roll, nominee_recused = case
        size = len(roll)
        logins = [f"h{size}-{i:02d}" for i in range(size)]
        nominee = logins[roll.index("recuse")] if nominee_recused else None
        item = service.items.nominate(sec, flow, f"H{size}", "M" if nominee else "Nominee",
                                person=nominee)["id"]
        opened = service.items.fire(sec, item, "open")
        result: dict[str, Any] | None = None
        for login, standing in zip(logins, roll, strict=True):
            if standing == "recuse" and login != nominee:
                result = service.items.recuse(Actor(login), item)
        for login, standing in zip(logins, roll, strict=True):
            if standing in ("yes", "no", "abstain"):
                result = service.items.vote(Actor(login), item, standing)
            elif standing.startswith("w-"):
                result = service.items.vote(sec, item, standing[2:], written_for=login)
        # the last eligible act closes the round; with the nominee as the whole council it
        # closes as it opens
        auto_closed = "absent" not in roll
        if result is None:
            assert (opened["state"] != "voting") is auto_closed, (case, opened)
        else:
            assert bool(result["closed"]) is auto_closed, (case, result)
        if not auto_closed:
            service.items.fire(sec, item, "close_vote")
        shown = service.items.show(item)
        tally = shown["ballot"]
        counts = Counter(s.removeprefix("w-") for s in roll)
        written = sum(s.startswith("w-") for s in roll)
        passed, quorum_met = reference(flow, size, counts["yes"], counts["no"],
                                       counts["abstain"], written, roll.count("w-yes"))
        # without a quorum the split is never published (it could name how each voted)
        split = ((counts["yes"], counts["no"], counts["abstain"]) if quorum_met
                 else (None, None, None))
        assert (tally["members"], tally["yes"], tally["no"], tally["abstain"], tally["written"],
                tally["recused"]) == (size, *split, written, counts["recuse"])
        assert bool(tally.get("withheld")) is not quorum_met
        assert (tally["passed"], tally["quorum_met"]) == (passed, quorum_met), (case, tally)
        expected = "passed" if passed else "not_passed" if quorum_met else "adjourned"
        assert shown["state"] == expected

    try:
        check()
        assert service.audit.verify().ok
    finally:
        service.deps.store.close()


# --- 11. the benchmark (smoke) -------------------------------------------------------------


def test_bench_ballots_smoke(db_url: str) -> None:
    result = Cli(db_url).ok("bench", "ballots", "--n", "60", "--members", "6", "--db", db_url)
    assert (result["n"], result["members"], result["rounds_closed"]) == (60, 6, 10)
    assert result["db"] == db_url.split(":", 1)[0]
    assert result["ballots_per_s"] > 0
    assert result["audit_verified"] is True


def test_a_sealed_ballot_keeps_its_stored_form() -> None:
    """Boxes already in databases stay readable and new ones stay readable by the form's own
    definition: URL-safe base64 of the nonce, then AES-GCM of one byte under the round id."""
    key = os.urandom(32)
    for choice, code in (("yes", b"y"), ("no", b"n"), ("abstain", b"a")):
        stored = seal(key, 7, choice)
        blob = base64.urlsafe_b64decode(stored)
        assert len(stored) == 40 and AESGCM(key).decrypt(blob[:12], blob[12:], b"7") == code
        nonce = os.urandom(12)
        written = base64.urlsafe_b64encode(nonce + AESGCM(key).encrypt(nonce, code, b"7"))
        assert unseal(key, 7, written.decode()) == choice
    assert unseal(key, 7, "yes") == "yes"  # cast before sealing existed
    with pytest.raises(Misconfigured):
        unseal(os.urandom(32), 7, seal(key, 7, "no"))
    with pytest.raises(Misconfigured):
        unseal(key, 8, seal(key, 7, "no"))  # another round's ballot
