"""Council sessions end to end (SPEC §10.2): one meeting, one paper per member, one close in
one transaction with each item moving by its own rule, one set of minutes.

On SQLite and, with AWARD_TEST_PG, on PostgreSQL, with the vote flows and councils of
``tests/test_ballots.py`` (council U: c1…c5 and the secretariat ``sec``). Refusals are
checked for their exit code, their one line and nothing written. The secrecy of papers
(schema and data) is checked in ``tests/test_ballots.py`` beside the single ballot's.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text as sql

from tests.conftest import Cli
from tests.test_ballots import (
    Env,
    audit,
    ballots,
    head,
    members_of,
    nominate,
    open_vote,
    participation,
    refused,
    round_ids,
    snapshot,
    write_definitions,
)
from workflow.errors import AwardError
from workflow.service import Actor, Service


@pytest.fixture
def env(db_url: str, tmp_path: Path) -> Iterator[Env]:
    flows, directory = write_definitions(tmp_path)
    cli = Cli(db_url, env={"AWARD_FLOWS": str(flows)})
    cli.ok("init")
    cli.ok("directory", "load", str(directory))
    engine = create_engine(db_url)
    yield Env(cli, db_url, tmp_path, flows, engine)
    engine.dispose()


def open_session(env: Env, items: list[str], unit: str = "U", title: str | None = None
                 ) -> str:
    args = ["session", "open", "--unit", unit, "--items", ",".join(items)]
    if title:
        args += ["--title", title]
    result = env.cli.ok(*args, user="sec")
    assert result["status"] == "open" and result["items"] == items
    return str(result["id"])


def paper(env: Env, session: str, user: str, marks: dict[str, str], **kwargs: Any
          ) -> dict[str, Any]:
    result: dict[str, Any] = env.cli.ok("ballot", session,
                                        *(f"{k}={v}" for k, v in marks.items()), user=user,
                                        **kwargs)
    return result


@pytest.fixture
def meeting(env: Env) -> dict[str, str]:
    """Five items of council U on one paper, each decided by a rule of its own; c1 is the
    nominee of ``e`` (recused from it automatically)."""
    ids = {"a": open_vote(env, "council-vote"),    # 80% of members, quorum 2/3
           "b": open_vote(env, "present-vote"),    # 2/3 of those present
           "c": open_vote(env, "thr-majority"),    # majority of members
           "d": open_vote(env, "open-vote"),       # majority, not secret
           "e": open_vote(env, "council-vote", person="c1")}
    ids["session"] = open_session(env, [ids[k] for k in "abcde"], title="Phiên họp quý I")
    return ids


# ---- one meeting ---------------------------------------------------------------------------


def test_one_paper_per_member_and_one_close_moving_each_item_by_its_own_rule(
        env: Env, meeting: dict[str, str], tmp_path: Path) -> None:
    s, a, b, c, d, e = (meeting[k] for k in ("session", "a", "b", "c", "d", "e"))
    before = head(env)
    first = paper(env, s, "c1", {a: "yes", b: "yes", c: "yes", d: "no"})
    assert first == {"session": s, "member": "c1", "recorded": True, "written": False,
                     "items": [a, b, c, d], "papers_due": 4}
    casts = audit(env, action="vote_cast")
    assert [(x["nomination"], x["actor"]) for x in casts] == [(i, "c1") for i in (a, b, c, d)]
    assert [x["payload"] for x in casts[:3]] == [
        {"round": round_ids(env, i)[0], "member": "c1", "written": False, "session": int(s)}
        for i in (a, b, c)]
    assert casts[3]["payload"]["choice"] == "no"  # the open vote says how, as it always did
    assert head(env) == before + 4
    paper(env, s, "c2", {a: "yes", b: "no", c: "yes", d: "yes", e: "yes"})
    paper(env, s, "c3", {e: "yes", d: "yes", c: "no", b: "yes", a: "yes"})  # any order
    paper(env, s, "c4", {a: "no", b: "yes", c: "no", d: "yes", e: "yes"})
    written = env.cli.ok("ballot", s, f"{a}=yes", f"{b}=no", f"{c}=no", f"{d}=no",
                         f"{e}=no", "--written", "--for", "c5", user="sec")
    assert (written["member"], written["written"], written["papers_due"]) == ("c5", True, 0)
    assert env.rows("SELECT count(*) FROM written_ballot WHERE member_login = 'c5' AND "
                    "recorded_by = 'sec'") == [(5,)]

    shown = env.cli.ok("session", "show", s)
    assert (shown["status"], shown["members"], shown["papers"], shown["papers_due"]) == (
        "open", 5, 5, 0)
    for row in shown["items"]:  # counts only while open: no tally anywhere
        assert set(row) == {"id", "position", "nominee", "unit", "unit_name", "flow", "state",
                            "round", "open", "members", "voted", "recused"}
    assert [(r["id"], r["voted"], r["recused"]) for r in shown["items"]] == [
        (a, 5, 0), (b, 5, 0), (c, 5, 0), (d, 5, 0), (e, 4, 1)]
    ballot = env.cli.ok("show", a)["ballot"]
    assert (ballot["status"], ballot["session"], ballot["voted"]) == ("open", s, 5)
    assert "yes" not in ballot
    # the last paper does not close anything: the secretariat closes the meeting
    assert all(env.cli.ok("show", i)["state"] == "voting" for i in (a, b, c, d, e))

    closed = env.cli.ok("session", "close", s, user="sec")
    assert (closed["status"], closed["number"]) == ("closed", 1)
    assert [(o["id"], o["decided"], o["state"], o["passed"]) for o in closed["items"]] == [
        (a, True, "passed", True),       # 4 yes of 5 members, 80% needs 4
        (b, True, "passed", True),       # 3 yes of 4 present, 2/3 needs 3
        (c, True, "not_passed", False),  # 2 yes of 5 members, majority needs 3
        (d, True, "passed", True),       # 3 yes of 5, majority needs 3
        (e, True, "not_passed", False),  # 3 yes of 5 (c1 recused), 80% needs 4
    ]
    assert [o["reason"] for o in closed["items"]] == [
        "passed: 4 yes of 5 members, 80% needs 4", "passed: 3 yes of 4 present, 2/3 needs 3",
        "failed: 2 yes of 5 members, majority needs 3",
        "passed: 3 yes of 5 members, majority needs 3",
        "failed: 3 yes of 5 members, 80% needs 4"]
    vote_closed = audit(env, action="vote_closed")
    assert [(x["nomination"], x["actor"], x["payload"]["session"]) for x in vote_closed] == [
        (i, "sec", int(s)) for i in (a, b, c, d, e)]
    [session_closed] = audit(env, action="session_closed")
    [rendered] = [x for x in audit(env, action="rendered") if x["nomination"] is None]
    assert rendered["seq"] == session_closed["seq"] + 1 == head(env)
    assert session_closed["payload"]["items"][2] == {"id": c, "decided": True,
                                                    "state": "not_passed", "passed": False}
    # one set of minutes for the meeting: none per item
    assert env.rows("SELECT count(*) FROM rendered_document") == [(0,)]
    minutes = env.cli.ok("session", "minutes", s)
    assert rendered["payload"] == {"session": int(s), "documents": [
        {"template": "session_minutes.html.j2", "sha256": minutes["sha256"]}]}
    assert hashlib.sha256(minutes["text"].encode()).hexdigest() == minutes["sha256"]
    out = tmp_path / "bien-ban.html"
    env.cli.ok("session", "minutes", s, "--out", str(out))
    assert out.read_text(encoding="utf-8") == minutes["text"]

    html = minutes["text"]
    for text in ("Cộng hòa xã hội chủ nghĩa Việt Nam", "Độc lập – Tự do – Hạnh phúc",
                 "Số: 01/BB-HĐTĐKT", "Đơn vị U, ngày 12 tháng 02 năm 2026", "BIÊN BẢN",
                 "Phiên họp quý I", "Tổng số thành viên Hội đồng: 5; có mặt: 4;",
                 "vắng mặt có phiếu bằng văn bản: 1; vắng mặt: 0",
                 "<td>Uỷ viên c5</td><td>Vắng mặt, gửi phiếu bằng văn bản</td>",
                 "<td>Uỷ viên c2</td><td>Có mặt, bỏ phiếu trực tiếp</td>",
                 f"Hồ sơ số {e} (Uỷ viên c1): Uỷ viên c1",
                 "Hội đồng thống nhất: 3 trường hợp đạt, 2 trường hợp không đạt",
                 "Thư ký", "Chủ tịch Hội đồng", "(Ký, ghi rõ họ tên)",
                 f"seq {session_closed['seq']}, <code>{session_closed['hash']}</code>"):
        assert text in html, text
    rows = re.findall(r'<td class="n">(\d+)</td><td class="n">(\d+)</td><td class="n">(\d+)'
                      r"</td>", html)
    assert rows == [("4", "1", "0"), ("3", "2", "0"), ("2", "3", "0"), ("3", "2", "0"),
                    ("3", "1", "0")]
    assert html.count("<strong>Đạt</strong>") == 3
    assert html.count("<strong>Không đạt</strong>") == 2
    shown = env.cli.ok("session", "show", s)
    assert shown["minutes_sha256"] == minutes["sha256"]
    assert [(r["tally"]["yes"], r["tally"]["passed"]) for r in shown["items"]] == [
        (4, True), (3, True), (2, False), (3, True), (3, False)]
    assert env.cli.ok("show", e)["ballot"]["session"] == s
    assert env.cli.ok("audit", "verify")["ok"] is True
    # the head the minutes embed is kept, and verify holds the chain to it: a deleted tail
    # is found although what is left is consistent in itself
    assert env.rows("SELECT audit_seq, audit_hash FROM council_session") == [
        (session_closed["seq"], session_closed["hash"])]
    with env.engine.begin() as conn:
        conn.execute(sql("DELETE FROM audit_entry WHERE seq >= :s"),
                     {"s": session_closed["seq"]})
    broken = env.cli("audit", "verify")
    assert broken.exit_code == 1
    assert broken.json()["problem"] == (
        f"the minutes of council session {s} embeds seq {session_closed['seq']}, beyond the "
        f"head {session_closed['seq'] - 1}: entries after {session_closed['seq'] - 1} were "
        "deleted (truncated)")
    listed = env.cli.ok("session", "list", "--unit", "U")
    assert [(x["id"], x["status"]) for x in listed] == [(s, "closed")]
    assert env.cli.ok("session", "list", "--open") == []


def test_the_human_output_reads_as_a_meeting(env: Env, meeting: dict[str, str]) -> None:
    s, a = meeting["session"], meeting["a"]
    run = env.cli("ballot", s, *(f"{meeting[k]}=yes" for k in "abcd"), user="c1",
                  json_out=False)
    assert run.stdout == f"your paper is recorded for council session {s}: 4 item(s); " \
                         "4 member(s) still to vote\n"
    shown = env.cli("session", "show", s, json_out=False).stdout
    assert f"Council session {s} — Đơn vị U (U): Phiên họp quý I" in shown
    assert "1 of 5 members have voted; 4 still to vote" in shown
    closed = env.cli("session", "close", s, user="sec", json_out=False).stdout
    assert closed.splitlines()[0] == f"council session {s} closed (minutes no. 1)"
    assert f"  {a}: failed: quorum not met: 1 of 5 cast, 2/3 needs 4 → adjourned" in closed


# ---- refusals ------------------------------------------------------------------------------


def test_opening_takes_the_councils_secretariat_and_items_in_its_open_votes(env: Env) -> None:
    item = open_vote(env)
    draft = nominate(env)
    other = open_vote(env, "thr-90", "T9")
    base = ["session", "open", "--unit", "U", "--items"]
    refused(env, 3, [*base, item], "c1",
            "c1 may not open a session of the council of U: needs secretariat at U",
            "PermissionDenied")
    refused(env, 3, [*base, item], "out",
            "out may not open a session of the council of U: needs secretariat at U",
            "PermissionDenied")
    refused(env, 5, ["session", "open", "--unit", "NOWHERE", "--items", item], "sec",
            "no unit 'NOWHERE' in the directory", "NotFound")
    refused(env, 4, [*base, f"{item},{draft}"], "sec",
            f"nomination {draft} is in 'draft', not in an open vote of the council of U",
            "NotAllowed")
    refused(env, 4, [*base, f"{item},{other}"], "sec",
            f"nomination {other} is voted on by the council of T9, not of U", "NotAllowed")
    refused(env, 5, [*base, f"{item},999"], "sec", "no nomination 999", "NotFound")
    refused(env, 1, [*base, f"{item},{item}"], "sec", f"nomination {item} is listed twice",
            "InvalidInput")
    refused(env, 2, [*base, " , "], "sec", "a session needs items: --items ID,ID,…",
            "UsageError")
    first = open_session(env, [item])
    second = open_vote(env)
    refused(env, 4, [*base, f"{second},{item}"], "sec",
            f"nomination {item} is already on the paper of council session {first}",
            "NotAllowed")
    assert open_session(env, [second]) != first  # another meeting for the other item


def test_a_paper_is_all_or_nothing(env: Env, meeting: dict[str, str]) -> None:
    s, a, b, c, d, e = (meeting[k] for k in ("session", "a", "b", "c", "d", "e"))
    full = [f"{a}=yes", f"{b}=no", f"{c}=abstain", f"{d}=yes"]
    refused(env, 1, ["ballot", s, f"{a}=yes", f"{b}=no", f"{c}=yes"], "c2",
            f"the paper must mark every item on which c2 may vote: nominations {d}, {e} are "
            "missing", "InvalidInput")
    refused(env, 1, ["ballot", s, *full, f"{e}=yes", "999=yes"], "c2",
            f"nomination 999 is not on the paper of council session {s}", "InvalidInput")
    refused(env, 2, ["ballot", s, f"{a}=maybe"], "c2",
            f"mark '{a}=maybe': choice 'maybe' is not one of yes, no, abstain", "UsageError")
    refused(env, 2, ["ballot", s, f"{a}:yes"], "c2", f"mark '{a}:yes': write ID=CHOICE, "
            "e.g. 12=yes", "UsageError")
    refused(env, 1, ["ballot", s, f"{a}=yes", f"{a}=no"], "c2",
            f"nomination {a} is marked twice on the paper", "InvalidInput")
    refused(env, 3, ["ballot", s, *full], "out",
            "out is not on the roll of the council of U", "PermissionDenied")
    # the nominee's paper leaves out their own nomination; marking it is refused
    refused(env, 3, ["ballot", s, *full, f"{e}=yes"], "c1",
            f"c1 is the nominee of nomination {e} and cannot vote on it", "PermissionDenied")
    # a member who declared a conflict on one item leaves it out too
    env.cli.ok("recuse", b, "--comment", "họ hàng", user="c3")
    refused(env, 3, ["ballot", s, *full, f"{e}=yes"], "c3",
            f"c3 has declared a conflict (recused) on nomination {b} and cannot vote on it",
            "PermissionDenied")
    assert paper(env, s, "c3", {a: "yes", c: "no", d: "yes", e: "yes"})["items"] == [
        a, c, d, e]
    assert paper(env, s, "c1", {a: "yes", b: "yes", c: "yes", d: "yes"})["items"] == [
        a, b, c, d]
    refused(env, 4, ["ballot", s, *full], "c1",
            f"c1 has already voted on nominations {a}, {b}, {c}, {d} of council session {s}",
            "NotAllowed")
    refused(env, 4, ["ballot", s, f"{a}=no"], "c3",
            f"c3 has already voted on nomination {a} of council session {s}", "NotAllowed")
    # the items of an open session are voted on its paper and closed with it
    refused(env, 4, ["vote", a, "yes"], "c2",
            f"cannot vote on nomination {a} alone: it is on the paper of council session {s}, "
            "which is voted on as one paper and closed as a whole", "NotAllowed")
    refused(env, 4, ["vote", a, "yes", "--written", "--for", "c5"], "sec",
            f"cannot vote on nomination {a} alone: it is on the paper of council session {s}, "
            "which is voted on as one paper and closed as a whole", "NotAllowed")
    refused(env, 4, ["fire", a, "close_vote"], "sec",
            f"cannot close the vote on nomination {a} alone: it is on the paper of council "
            f"session {s}, which is voted on as one paper and closed as a whole", "NotAllowed")
    refused(env, 3, ["ballot", s, *full, f"{e}=no", "--written", "--for", "c5"], "c2",
            "c2 may not record written ballots for the council of U: needs secretariat at U",
            "PermissionDenied")
    refused(env, 2, ["ballot", s, *full, "--written"], "sec",
            "--written and --for LOGIN go together", "UsageError")
    refused(env, 3, ["session", "close", s], "c2",
            "c2 may not close a session of the council of U: needs secretariat at U",
            "PermissionDenied")
    refused(env, 4, ["session", "minutes", s], "sec",
            f"council session {s} is not closed yet; its minutes are written when it closes",
            "NotAllowed")
    refused(env, 5, ["ballot", "77", f"{a}=yes"], "c2", "no council session 77", "NotFound")
    env.cli.ok("session", "close", s, user="sec")
    refused(env, 4, ["ballot", s, *full, f"{e}=no"], "c2", f"council session {s} is closed",
            "NotAllowed")
    refused(env, 4, ["session", "close", s], "sec", f"council session {s} is already closed",
            "NotAllowed")


def test_a_vote_cast_before_the_session_opened_counts_and_the_paper_covers_the_rest(
        env: Env) -> None:
    a, b = open_vote(env, "council-vote"), open_vote(env, "thr-majority")
    env.cli.ok("vote", a, "yes", user="c1")
    env.cli.ok("vote", a, "no", user="c2")
    s = open_session(env, [a, b])
    refused(env, 4, ["ballot", s, f"{a}=yes", f"{b}=yes"], "c1",
            f"c1 has already voted on nomination {a} of council session {s}", "NotAllowed")
    assert paper(env, s, "c1", {b: "no"})["items"] == [b]
    refused(env, 4, ["ballot", s, f"{b}=yes"], "c1",
            f"c1 has already voted on nomination {b} of council session {s}", "NotAllowed")
    service = env.service()
    try:
        with pytest.raises(AwardError) as caught:
            service.sessions.ballot(Actor("c1"), s, {})
    finally:
        service.deps.store.close()
    assert (caught.value.exit_code, caught.value.message) == (
        4, f"c1 has nothing left to vote on in council session {s}")
    assert [r["voted"] for r in env.cli.ok("session", "show", s)["items"]] == [2, 1]
    env.cli.ok("session", "close", s, user="sec")
    html = env.cli.ok("session", "minutes", s)["text"]
    # attendance is who cast a paper at the meeting; a vote cast alone before it counts in
    # the tally, but is not presence
    assert "<td>Uỷ viên c1</td><td>Có mặt, bỏ phiếu trực tiếp</td>" in html
    assert "<td>Uỷ viên c2</td><td>Đã bỏ phiếu riêng trước phiên họp</td>" in html
    assert "<td>Uỷ viên c3</td><td>Vắng mặt</td>" in html
    assert "có mặt: 1;" in html and "đã bỏ phiếu riêng trước phiên họp: 1" in html


def test_an_item_that_leaves_the_vote_is_not_decided_at_the_meeting(
        env: Env, meeting: dict[str, str]) -> None:
    s, a, b, c, d, e = (meeting[k] for k in ("session", "a", "b", "c", "d", "e"))
    assert env.cli.ok("fire", b, "withdraw", user="sec")["state"] == "not_passed"
    refused(env, 4, ["ballot", s, f"{a}=yes", f"{b}=yes", f"{c}=yes", f"{d}=yes",
                     f"{e}=yes"], "c2",
            f"nomination {b} cannot be voted on now: it is in 'not_passed', not in the vote",
            "NotAllowed")
    for member in ("c2", "c3", "c4", "c5"):
        paper(env, s, member, {a: "yes", c: "yes", d: "yes", e: "yes"})
    shown = env.cli.ok("session", "show", s)
    assert [(r["id"], r["open"], r.get("why_not")) for r in shown["items"]][1] == (
        b, False, "it is in 'not_passed', not in the vote")
    closed = env.cli.ok("session", "close", s, user="sec")
    assert [(o["id"], o["decided"], o["state"]) for o in closed["items"]] == [
        (a, True, "passed"), (b, False, "not_passed"), (c, True, "passed"),
        (d, True, "passed"), (e, True, "passed")]
    assert closed["items"][1]["reason"] == (
        "not decided at this meeting: it is in 'not_passed', not in the vote")
    html = env.cli.ok("session", "minutes", s)["text"]
    assert "Không xét tại phiên họp này: not decided at this meeting" in html
    assert "4 trường hợp đạt, 0 trường hợp không đạt, 1 trường hợp không xét" in html


def test_single_item_votes_go_on_beside_an_open_session(env: Env, meeting: dict[str, str]
                                                        ) -> None:
    alone = open_vote(env, "thr-majority")
    for member in ("c1", "c2", "c3"):
        result = env.cli.ok("vote", alone, "yes", user=member)
    env.cli.ok("vote", alone, "no", user="c4")
    last = env.cli.ok("vote", alone, "no", user="c5")
    assert last["closed"] is True and last["state"] == "passed"
    assert result["remaining"] == 2
    # its minutes are the single round's, as before
    assert [d["template"] for d in env.cli.ok("show", alone)["rendered"]] == [
        "minutes.html.j2"]
    assert env.cli.ok("session", "show", meeting["session"])["papers"] == 0
    # and the last recusal on a session item does not close its round
    for member in ("c1", "c2", "c3", "c4"):
        env.cli.ok("recuse", meeting["a"], user=member)
    assert env.cli.ok("recuse", meeting["a"], user="c5")["closed"] is False
    assert env.cli.ok("show", meeting["a"])["ballot"]["status"] == "open"


def test_minutes_number_per_council_and_year(env: Env) -> None:
    numbers = []
    for _ in range(3):
        item = open_vote(env, "thr-majority")
        session = open_session(env, [item])
        numbers.append(env.cli.ok("session", "close", session, user="sec")["number"])
    other = open_session(env, [open_vote(env, "thr-90", "T9")], unit="T9")
    assert numbers == [1, 2, 3]
    assert env.cli.ok("session", "close", other, user="sec")["number"] == 1
    next_year = env.cli("session", "close", open_session(env, [open_vote(env, "thr-majority")]),
                        user="sec", now="2027-01-05T09:00:00+07:00")
    assert next_year.json()["number"] == 1
    assert "Số: 01/BB-HĐTĐKT" in env.cli.ok("session", "minutes", other)["text"]


# ---- concurrency ---------------------------------------------------------------------------


def test_twenty_five_members_cast_their_papers_at_once(env: Env) -> None:
    flows = ["council-vote", "thr-majority", "thr-90"]
    items = [open_vote(env, flow, "C25") for flow in flows]
    session = open_session(env, items, unit="C25")
    members = members_of("C25")
    # 20 yes on the first, 13 on the second, 23 on the third
    wanted = [20, 13, 23]
    choices = {m: {item: ("yes" if n < want else "no")
                   for item, want in zip(items, wanted, strict=True)}
               for n, m in enumerate(members)}
    services = [env.service() for _ in members]
    barrier = threading.Barrier(len(members))
    outcomes: dict[str, Any] = {}

    def cast(member: str, service: Service) -> None:
        barrier.wait(timeout=60)
        try:
            outcomes[member] = service.sessions.ballot(Actor(member), session, choices[member])
        except Exception as exc:  # reported below with the member's name
            outcomes[member] = exc

    threads = [threading.Thread(target=cast, args=(m, svc))
               for m, svc in zip(members, services, strict=True)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        for service in services:
            service.deps.store.close()
    assert not any(t.is_alive() for t in threads)
    assert {m: o for m, o in outcomes.items() if isinstance(o, Exception)} == {}
    assert sorted(o["papers_due"] for o in outcomes.values()) == list(range(25))
    for item, want in zip(items, wanted, strict=True):
        [round_id] = round_ids(env, item)
        assert Counter(choice for _, choice in ballots(env, round_id)) == {
            "yes": want, "no": 25 - want}
        assert participation(env, round_id) == dict.fromkeys(members, (True, False))
    assert len(audit(env, action="vote_cast")) == 75
    closed = env.cli.ok("session", "close", session, user="sec")
    assert [(o["state"], o["reason"]) for o in closed["items"]] == [
        ("passed", "passed: 20 yes of 25 members, 80% needs 20"),
        ("passed", "passed: 13 yes of 25 members, majority needs 13"),
        ("passed", "passed: 23 yes of 25 members, 90% needs 23")]
    assert env.cli.ok("audit", "verify")["ok"] is True
    assert snapshot(env)["head"] == head(env)


# ---- the benchmark (smoke) -----------------------------------------------------------------


def test_bench_sessions_smoke(db_url: str) -> None:
    result = Cli(db_url).ok("bench", "sessions", "--members", "5", "--items", "4", "--rows",
                            "30", "--db", db_url)
    assert (result["members"], result["items"], result["rows"]) == (5, 4, 30)
    assert result["session"]["papers"] == 5 and result["session"]["decided"] == 4
    assert result["single"]["ballots"] == 20 and result["single"]["rounds_closed"] == 4
    assert result["import"]["created"] == 30
    assert result["session"]["papers_per_s"] > 0 and result["import"]["rows_per_s"] > 0
    assert result["ratio"] > 0
    assert result["audit_verified"] is True
