"""Emulation campaigns (SPEC §10.7) through the CLI on SQLite and PostgreSQL: strict campaign
files, registration closing at the end of a working day (over Tết), withdrawal, the
``registered`` guard on the shipped flows, cluster rankings (secrecy, ties, run-off, the flag
for the leader), reminders through the outbox, and the campaign report's numbers recomputed
here from what the test did."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, inspect

from tests.conftest import Cli
from tests.test_flows import CSTDCS, SGD_COUNCIL, cstdcs, fire, votes
from tests.test_web_api import Scene, cheap_hashes, csrf_of, post, scene, sign_in  # noqa: F401
from workflow import ranking

FLOWS = Path(__file__).resolve().parents[1] / "definitions" / "flows"
NAMES = {"an": "Nguyễn Văn An", "bich": "Lý Thị Bích", "cuong": "Lê Văn Cường"}
C = "bac-ninh-2026"
CLUSTER = "khoi-so-nganh"
MEMBERS = ("BN-SGD", "BN-SYT", "BN-SCT")
HEADS = {"BN-SGD": "minh", "BN-SYT": "khoa", "BN-SCT": "duc"}
REVIEW = "2026-12-18T09:00:00+07:00"  # the final review (tổng kết) of the 2026 campaign

TET_CAMPAIGN = """\
campaign: tet-test
title: {vi: "Phong trào thử hạn đăng ký qua Tết", en: "Registration over Tết"}
organiser: BN
scope: [BN-SGD]
calendar: vn
from: 2026-01-01
to: 2026-12-31
registration_until: 2026-02-17   # the second day of Tết 2026
awards: [LDTT, CSTDCS]
reviews: {tong_ket: 2026-12-18}
reminder: {working_days_before: 2}
"""


@pytest.fixture
def tet(cli: Cli, tmp_path: Path) -> Cli:
    folder = tmp_path / "campaigns"
    folder.mkdir()
    (folder / "tet-test.yaml").write_text(TET_CAMPAIGN, encoding="utf-8")
    return Cli(cli.db, env={"AWARD_CAMPAIGNS": str(folder)})


# ---- files ------------------------------------------------------------------------------------


def test_shipped_campaigns_load_and_show_their_state(cli: Cli) -> None:
    listed = cli.ok("campaigns")
    assert listed["broken"] == {}
    by_id = {c["id"]: c for c in listed["campaigns"]}
    assert set(by_id) == {"bac-ninh-2025", "bac-ninh-2026", "chuyen-doi-so-2026"}
    assert by_id["bac-ninh-2025"]["phase"] == "closed"
    assert by_id["chuyen-doi-so-2026"]["kind"] == "thematic"
    assert by_id["chuyen-doi-so-2026"]["awards"] == ["BKCDS"]  # its own thematic award
    # 30/4 and 1/5 are holidays and 2–3 May a weekend: the close moves to Monday 4 May
    assert by_id["chuyen-doi-so-2026"]["registration_closes"] == "2026-05-04T23:59:59+07:00"
    phases = {when: cli.ok("campaign", "show", C, now=when)["phase"] for when in (
        "2026-01-05T09:00:00+07:00", "2026-06-01T09:00:00+07:00", REVIEW,
        "2027-01-04T09:00:00+07:00")}
    assert list(phases.values()) == ["registration", "running", "reviewing", "closed"]


def test_a_bad_campaign_file_names_file_line_and_column(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(TET_CAMPAIGN.replace("campaign: tet-test", "campaign: bad")
                   .replace("to: 2026-12-31", "to: 2026-13-31\nclusterz: []")
                   .replace("awards: [LDTT, CSTDCS]", "awards: [LDTT, NOPE]"), encoding="utf-8")
    run = cli("campaign", "validate", str(bad), json_out=False)
    assert run.exit_code == 1
    lines = run.stdout.splitlines()
    assert any(line.startswith(f"{bad}:7:5: to '2026-13-31' is not a valid date")
               for line in lines), lines
    assert any(f"{bad}:8:1: unknown key 'clusterz'" in line and "did you mean 'clusters'" in line
               for line in lines), lines
    assert any(f"{bad}:10:16: award code 'NOPE' is not allowed" in line for line in lines)
    small = tmp_path / "small.yaml"
    small.write_text(TET_CAMPAIGN.replace("campaign: tet-test", "campaign: small") +
                     "clusters:\n  - {id: two, title: Hai, members: [BN-SGD, BN-SYT]}\n",
                     encoding="utf-8")
    run = cli("campaign", "validate", str(small), json_out=False)
    assert run.exit_code == 1 and "a cluster needs at least 3 members" in run.stdout
    assert cli.ok("campaign", "validate", "definitions/campaigns")["ok"] is True


# ---- registration -------------------------------------------------------------------------------


def test_registration_closes_at_the_end_of_the_working_day_after_tet(tet: Cli) -> None:
    shown = tet.ok("campaign", "show", "tet-test")
    # 17 Feb is Tết (16–20 Feb off), 21–22 Feb a weekend: the close is the end of Mon 23 Feb
    assert shown["registration_closes"] == "2026-02-23T23:59:59+07:00"
    ok = tet.ok("register", "tet-test", "--unit", "BN-SGD", "--person", "an", "--award", "LDTT",
                user="lan", now="2026-02-23T23:59:00+07:00")
    assert ok["status"] == "registered"
    late = tet.fails(4, "register", "tet-test", "--unit", "BN-SGD", "--person", "bich",
                     "--award", "LDTT", user="lan", now="2026-02-24T00:00:00+07:00")
    assert late["type"] == "NotAllowed" and "closed at 2026-02-23T23:59:59+07:00" in late["message"]
    # nothing half-written: bich has no registration
    rows = tet.ok("registrations", "tet-test")
    assert [(r["person"], r["award"], r["status"]) for r in rows] == [("an", "LDTT", "registered")]


def test_withdrawal_before_the_close_only_and_every_step_audited(tet: Cli) -> None:
    args = ("register", "tet-test", "--unit", "BN-SGD", "--person", "bich", "--award", "CSTDCS")
    tet.ok(*args, user="lan", now="2026-02-10T09:00:00+07:00")
    tet.fails(4, *args, user="lan", now="2026-02-10T10:00:00+07:00")  # already registered
    tet.fails(3, *args, user="trang", now="2026-02-10T10:00:00+07:00")  # not the unit's officer
    gone = tet.ok(*args, "--withdraw", user="lan", now="2026-02-11T09:00:00+07:00")
    assert gone["status"] == "withdrawn"
    tet.fails(5, *args, "--withdraw", user="lan", now="2026-02-11T10:00:00+07:00")
    again = tet.ok(*args, user="lan", now="2026-02-12T09:00:00+07:00")
    late = tet.fails(4, *args, "--withdraw", user="lan", now="2026-02-24T09:00:00+07:00")
    assert "withdrawing is no longer possible" in late["message"]
    rows = tet.ok("registrations", "tet-test", "--unit", "BN-SGD")
    assert [r["status"] for r in rows] == ["withdrawn", "registered"]
    assert rows[1]["id"] == again["id"]
    log = tet.ok("audit", "log", user="kiemtoan")
    mine = [(e["action"], e["payload"]["registration"]) for e in log
            if e["payload"].get("campaign") == "tet-test"]
    assert mine == [("registered", int(gone["id"])), ("registration_withdrawn", int(gone["id"])),
                    ("registered", int(again["id"]))]
    assert tet.ok("audit", "verify")["ok"] is True


def test_registration_is_checked(cli: Cli) -> None:
    assert cli.fails(1, "register", C, "--unit", "BN-SGD", "--award", "BKCDS",
                     user="lan")["message"].startswith("BKCDS is not an award of bac-ninh-2026")
    assert "is for individuals" in cli.fails(1, "register", C, "--unit", "BN-SGD", "--award",
                                             "CSTDCS", user="lan")["message"]
    assert "does not work at BN-SYT" in cli.fails(1, "register", C, "--unit", "BN-SYT",
                                                  "--person", "an", "--award", "LDTT",
                                                  user="trang")["message"]
    assert cli.fails(5, "register", C, "--unit", "BN-XX", "--award", "LDTT", user="lan")
    assert cli.fails(5, "register", "no-such", "--unit", "BN-SGD", "--award", "LDTT",
                     user="lan")


# ---- the guard ----------------------------------------------------------------------------------


def test_registered_guard_refuses_a_title_without_registration(cli: Cli, dossier: Path) -> None:
    item = cstdcs(cli, dossier)  # Nguyễn Văn An, registered by the fixture
    fire(cli, item, "submit", "lan")
    cli.ok("register", C, "--unit", "BN-SGD", "--person", "an", "--award", "CSTDCS",
           "--withdraw", user="lan")
    refused = cli.fails(4, "fire", item, "accept", user="thu", now="2026-02-24T09:00:00+07:00")
    assert refused["type"] == "GuardRefused" and "registered" in refused["message"]
    assert "an did not register for CSTDCS" in refused["message"]
    cli.ok("register", C, "--unit", "BN-SGD", "--person", "an", "--award", "CSTDCS",
           user="lan", now="2026-02-24T09:30:00+07:00")
    assert fire(cli, item, "accept", "thu", now="2026-02-24T10:00:00+07:00")["state"] == "voting"


def test_the_guard_is_on_the_flows_whose_titles_need_registration() -> None:
    def guards(flow: str) -> set[str]:
        data = yaml.safe_load((FLOWS / f"{flow}.yaml").read_text(encoding="utf-8"))
        names = set()
        for transition in data["transitions"]:
            for guard in transition.get("require", []):
                names.add(guard if isinstance(guard, str) else next(iter(guard)))
        return names & {"registered", "cluster_leader"}

    # emulation titles (danh hiệu thi đua) need registration; commendations do not
    assert guards("chien-si-thi-dua-co-so") == {"registered"}
    assert guards("doanh-nghiep") == {"registered"}
    assert guards("co-thi-dua-tinh") == {"registered", "cluster_leader"}
    for flow in ("bang-khen-tinh", "khen-thuong-dot-xuat", "huan-chuong-lao-dong-hang-ba",
                 "anh-hung-lao-dong"):
        assert guards(flow) == set(), flow


# ---- clusters ---------------------------------------------------------------------------------


def _rank(cli: Cli, papers: dict[str, list[str]], **kwargs: Any) -> dict[str, Any]:
    last: dict[str, Any] = {}
    for unit, paper in papers.items():
        last = cli.ok("cluster", "vote", C, CLUSTER, *paper, user=HEADS[unit], now=REVIEW,
                      **kwargs)
    return last


def test_cluster_ranking_is_secret_and_its_leader_may_take_the_flag(cli: Cli,
                                                                     dossier: Path) -> None:
    cli.fails(4, "cluster", "open", C, CLUSTER, user="hung")  # before the final review
    cli.fails(3, "cluster", "open", C, CLUSTER, user="lan", now=REVIEW)
    opened = cli.ok("cluster", "open", C, CLUSTER, user="hung", now=REVIEW)
    assert opened["candidates"] == list(MEMBERS)
    cli.fails(1, "cluster", "vote", C, CLUSTER, "BN-SGD", "BN-SYT", user="minh", now=REVIEW)
    cli.fails(1, "cluster", "vote", C, CLUSTER, "BN-SYT", user="minh", now=REVIEW)
    cli.fails(3, "cluster", "vote", C, CLUSTER, "BN-SYT", "BN-SCT", user="lan", now=REVIEW)
    _rank(cli, {"BN-SGD": ["BN-SYT", "BN-SCT"], "BN-SYT": ["BN-SGD", "BN-SCT"]})
    cli.fails(4, "cluster", "vote", C, CLUSTER, "BN-SYT", "BN-SCT", user="minh", now=REVIEW)
    # the box: one sealed mark per row, nothing naming a unit that voted, a person or a time
    engine = create_engine(cli.db)
    try:
        schema = inspect(engine)
        assert {c["name"] for c in schema.get_columns("cluster_ballot")} == {"round_id", "id",
                                                                             "mark"}
        assert {c["name"] for c in schema.get_columns("cluster_participation")} == {
            "round_id", "unit_id", "voted"}
        with engine.connect() as conn:
            box = conn.exec_driver_sql("SELECT id, mark FROM cluster_ballot").all()
        marks = [r[1] for r in box]
        assert len(marks) == 4 and len({len(m) for m in marks}) == 1
        assert not any(unit in mark for mark in marks for unit in MEMBERS)
        closed = _rank(cli, {"BN-SCT": ["BN-SGD", "BN-SYT"]})["closed"]
        with engine.connect() as conn:
            after = conn.exec_driver_sql("SELECT id, mark FROM cluster_ballot").all()
    finally:
        engine.dispose()
    # every cast rewrites the whole box: no id and no sealed mark survives to follow a paper
    assert len(after) == 6 and not {r[0] for r in box} & {r[0] for r in after}
    assert not set(marks) & {r[1] for r in after}
    # recomputed from the three papers: 2 points to a paper's first unit, 1 to its second
    # (SGD: [SYT, SCT]; SYT: [SGD, SCT]; SCT: [SGD, SYT])
    expected = {"BN-SGD": 2 + 2, "BN-SYT": 2 + 1, "BN-SCT": 1 + 1}
    assert {s["unit"]: s["points"] for s in closed["standings"]} == expected
    assert closed["leader"] == "BN-SGD" and closed["papers"] == 3
    cast = [e for e in cli.ok("audit", "log", user="kiemtoan") if e["action"] ==
            "cluster_vote_cast"]
    assert [e["actor"] for e in cast] == ["minh", "khoa", "duc"]
    assert all(set(e["payload"]) == {"campaign", "cluster", "round", "unit"} for e in cast)
    # the flag: the leader passes cluster_leader, another member does not
    for unit, officer, ok in (("BN-SGD", "lan", True), ("BN-SYT", "trang", False)):
        cli.ok("register", C, "--unit", unit, "--award", "CTDTINH", user=officer,
               now="2026-03-02T09:00:00+07:00")
        item = cli.ok("nominate", "co-thi-dua-tinh", "--unit", unit, "--nominee", unit,
                      "--set", "year=2026", "--set", "rating=HTXS", user=officer,
                      now=REVIEW)["id"]
        for doctype in ("to_trinh", "bao_cao", "bien_ban"):
            cli.ok("attach", item, doctype, str(dossier), user=officer, now=REVIEW)
        fire(cli, item, "submit", officer, now=REVIEW)
        if ok:
            assert fire(cli, item, "accept", "hung", now=REVIEW)["state"] == "provincial_council"
        else:
            error = cli.fails(4, "fire", item, "accept", user="hung", now=REVIEW)
            assert "does not lead its cluster" in error["message"]


def test_a_tie_has_no_leader_and_a_run_off_settles_it(cli: Cli) -> None:
    cli.ok("cluster", "open", C, CLUSTER, user="hung", now=REVIEW)
    closed = _rank(cli, {"BN-SGD": ["BN-SYT", "BN-SCT"], "BN-SYT": ["BN-SCT", "BN-SGD"],
                         "BN-SCT": ["BN-SGD", "BN-SYT"]})["closed"]
    # a cycle: 3 points and one first place each — nobody leads, all share rank 1
    assert closed["leader"] is None and closed["tied"] == sorted(MEMBERS)
    assert {s["rank"] for s in closed["standings"]} == {1}
    cli.fails(1, "cluster", "open", C, CLUSTER, "--among", "BN-SGD", user="hung", now=REVIEW)
    runoff = cli.ok("cluster", "open", C, CLUSTER, "--among", "BN-SGD,BN-SYT", user="hung",
                    now=REVIEW)
    assert runoff["candidates"] == ["BN-SGD", "BN-SYT"] and runoff["voters"] == list(MEMBERS)
    # a candidate's head ranks the other candidate; the third head ranks both
    _rank(cli, {"BN-SGD": ["BN-SYT"], "BN-SYT": ["BN-SGD"]})
    final = _rank(cli, {"BN-SCT": ["BN-SYT", "BN-SGD"]})["closed"]
    assert final["leader"] == "BN-SYT"
    assert {s["unit"]: s["points"] for s in final["standings"]} == {"BN-SYT": 2, "BN-SGD": 1}
    shown = cli.ok("campaign", "show", C, user="hung", now=REVIEW)
    assert [r["status"] for r in shown["rounds"]] == ["closed", "closed"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.permutations(["A", "B", "C", "D"]), min_size=1, max_size=9))
def test_tally_matches_a_borda_count_computed_here(orders: list[list[str]]) -> None:
    candidates = ["A", "B", "C", "D"]
    cast: list[tuple[str, int]] = []
    points = dict.fromkeys(candidates, 0)
    places = {u: [0, 0, 0, 0] for u in candidates}
    for order in orders:
        own, paper = order[-1], order[:-1]  # the head of the last unit ranks the other three
        cast.extend(ranking.marks(candidates, own, paper))
        for position, unit in enumerate(paper):
            points[unit] += 3 - position
            places[unit][position] += 1
    result = ranking.tally(candidates, cast)
    assert {s.unit: s.points for s in result.standings} == points
    assert {s.unit: list(s.places) for s in result.standings} == places
    key = {u: (points[u], *places[u]) for u in candidates}
    best = max(key.values())
    top = sorted(u for u in candidates if key[u] == best)
    if len(top) == 1:
        assert result.leader == top[0] and result.tied == ()
    else:
        assert result.leader is None and list(result.tied) == top
    # ranks: 1 + how many units are strictly better; equal units share it
    assert {s.unit: s.rank for s in result.standings} == {
        u: 1 + sum(1 for v in candidates if key[v] > key[u]) for u in candidates}


# ---- reminders -----------------------------------------------------------------------------------


def test_units_not_registered_are_reminded_once_through_the_outbox(tet: Cli) -> None:
    # 2 working days before the close (Mon 23 Feb) is Thu 12 Feb (Fri 13 Feb, then Tết)
    assert tet.ok("campaign", "show", "tet-test")["reminder_day"] == "2026-02-12"
    assert tet.ok("campaign", "remind", now="2026-02-11T09:00:00+07:00")["messages"] == 0
    sent = tet.ok("campaign", "remind", now="2026-02-12T09:00:00+07:00")
    # BN-SGD has registrations from the fixture in bac-ninh-2026, none in tet-test: its
    # officer is told, and so is the school's below it (the scope takes the subtree)
    outbox = [m for m in tet.ok("outbox") if m["kind"] == "reminder"]
    assert sorted(m["recipient"] for m in outbox) == ["lan", "mai"] and sent["units"] == 2
    tet.ok("register", "tet-test", "--unit", "BN-THPT-LTT", "--award", "LDTT", "--person",
           "son", user="mai", now="2026-02-12T10:00:00+07:00")
    assert "tet-test" in outbox[0]["body"] and "2026-02-23T23:59:59+07:00" in outbox[0]["body"]
    assert tet.ok("campaign", "remind", now="2026-02-13T09:00:00+07:00")["messages"] == 0
    assert tet.ok("campaign", "remind", now="2026-02-24T09:00:00+07:00")["messages"] == 0


def nominate(cli: Cli, dossier: Path, person: str) -> str:
    item = str(cli.ok("nominate", CSTDCS, "--unit", "BN-SGD", "--nominee", NAMES[person],
                      "--person", person, "--set", "year=2026", "--set", "rating=HTXS",
                      user="lan")["id"])
    for doctype in ("to_trinh", "bao_cao"):
        cli.ok("attach", item, doctype, str(dossier), user="lan")
    return item


# ---- the report -------------------------------------------------------------------------------


def test_campaign_report_numbers(cli: Cli, dossier: Path) -> None:
    # the sample directory registered an and bich (LDTT, CSTDCS), cuong (CSTDCS) at BN-SGD
    # and Viglacera (CTDTINH)
    cli.ok("register", C, "--unit", "BN-SYT", "--award", "CTDTINH", user="trang")
    cli.ok("register", C, "--unit", "BN-SGD", "--person", "cuong", "--award", "CSTDCS",
           "--withdraw", user="lan")
    awarded = nominate(cli, dossier, "an")
    fire(cli, awarded, "submit", "lan")
    fire(cli, awarded, "accept", "thu", now="2026-02-24T09:00:00+07:00")
    votes(cli, awarded, dict.fromkeys(SGD_COUNCIL, "yes"), now="2026-02-25T09:00:00+07:00")
    fire(cli, awarded, "award", "minh", now="2026-02-26T09:00:00+07:00")
    open_item = nominate(cli, dossier, "bich")
    unregistered = nominate(cli, dossier, "cuong")  # withdrawn: the guard will refuse it
    fire(cli, unregistered, "submit", "lan")
    cli.fails(4, "fire", unregistered, "accept", user="thu", now="2026-02-24T09:00:00+07:00")
    fire(cli, unregistered, "return", "thu", comment="Chưa đăng ký thi đua",
         now="2026-02-24T09:00:00+07:00")
    fire(cli, unregistered, "withdraw", "lan", comment="Không đủ điều kiện",
         now="2026-02-24T10:00:00+07:00")
    report = cli.ok("campaign", "report", C, user="hung")
    s = report["summary"]
    # recomputed from the steps above
    assert (s["registrations"], s["withdrawn"]) == (4 + 1 + 1, 1)  # an, bich ×2; Vig.; SYT
    assert s["units_registered"] == 3  # BN-SGD, BN-DN-VIGLACERA, BN-SYT
    assert (s["registered_nominated"], s["registered_awarded"]) == (2, 1)  # an, bich; an
    assert s["not_nominated"] == 4  # an and bich for LDTT (no LDTT nomination), Vig., SYT
    assert (s["unregistered_nominations"], s["unregistered_refused"]) == (1, 1)  # cuong
    table = {(r[0], r[2]): r[3:] for r in report["tables"]["by_unit_award"]["rows"]}
    assert table[("BN-SGD", "CSTDCS")] == [2, 2, 1, 0, 1]
    assert table[("BN-SYT", "CTDTINH")] == [1, 0, 0, 0, 0]
    unreg = report["tables"]["unregistered"]["rows"]
    assert [(r[0], r[5]) for r in unreg] == [(unregistered, "refused")]
    assert open_item not in {r[0] for r in unreg}
    out = cli.ok("campaign", "report", C, "--out", str(dossier.parent / "r.csv"), user="hung")
    assert len(out["out"]) == 4 and all(Path(p).exists() for p in out["out"])
    assert CSTDCS  # the flow the report counts


# ---- the web page -------------------------------------------------------------------------


def test_campaign_page_public_and_the_officers_registration_form(
        scene: Scene) -> None:  # noqa: F811 (the fixture imported above)
    public = scene.client()
    listed = public.get("/campaigns")
    assert listed.status_code == 200 and 'href="/campaigns/bac-ninh-2026"' in listed.text
    page = public.get("/campaigns/bac-ninh-2026").text
    assert "Phong trào thi đua yêu nước tỉnh Bắc Ninh năm 2026" in page  # Vietnamese first
    assert "Khối thi đua các sở, ngành tỉnh" in page and "Sở Công Thương" in page
    assert "Chiến sĩ thi đua cơ sở" in page and "CSTDCS" not in page  # labels, not codes
    assert 'data-testid="progress"' not in page and "register-form" not in page
    assert "Campaign" not in page  # English only on request
    officer = scene.client()
    token = sign_in(officer, "lan")  # the officer of Sở Giáo dục và Đào tạo
    mine = officer.get("/campaigns/bac-ninh-2026").text
    assert 'data-testid="register-form"' in mine and 'data-testid="progress"' in mine
    refused = post(officer, "/campaigns/bac-ninh-2026/register", None, unit="BN-SGD",
                   award="CTDTINH")
    assert refused.status_code == 403  # no CSRF token
    done = post(officer, "/campaigns/bac-ninh-2026/register", token, unit="BN-SGD",
                award="CTDTINH", person="")
    assert done.status_code == 303
    shown = officer.get("/campaigns/bac-ninh-2026").text
    assert "Đã đăng ký (số" in shown and "Rút đăng ký" in shown
    again = post(officer, "/campaigns/bac-ninh-2026/register", csrf_of(shown), unit="BN-SGD",
                 award="CTDTINH", person="")
    assert again.status_code == 409 and "Đã đăng ký “Cờ thi đua của UBND tỉnh”" in again.text
    gone = post(officer, "/campaigns/bac-ninh-2026/withdraw", csrf_of(shown), unit="BN-SGD",
                award="CTDTINH", person="")
    assert gone.status_code == 303
    rows = scene.service.campaigns.registrations("bac-ninh-2026", "BN-SGD")
    assert [r["status"] for r in rows if r["award"] == "CTDTINH"] == ["withdrawn"]
