"""The two grassroots-to-province titles end to end through the CLI, on SQLite and
PostgreSQL: Lao động tiên tiến (an individual, decided by the unit head) and Tập thể lao động
xuất sắc (a collective: the nominee is a unit, ``--nominee-unit``), from the nomination to
the register; and the refusals of a bad nominee unit. People and units are those of
definitions/directory.sample.yaml."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from tests.conftest import Cli

LDTT_FLOW = "lao-dong-tien-tien"
TTLDXS_FLOW = "tap-the-lao-dong-xuat-sac"
SGD_COUNCIL = ("thu", "minh", "hoa", "nam", "binh")
SCHOOL = "BN-THPT-LTT"
MARCH = "2026-03-02T09:00:00+07:00"  # a Monday
DECEMBER = "2026-12-01T09:00:00+07:00"  # a Tuesday
GOOD = ["--set", "year=2026", "--set", "rating=HTXS", "--set", "members_completing_pct=100",
        "--set", "ldtt_pct=80", "--set", "cstdcs_members=2"]


def attach(cli: Cli, item: str, dossier: Path, *doctypes: str) -> None:
    for doctype in doctypes:
        cli.ok("attach", item, doctype, str(dossier), user="lan")


def test_advanced_worker_from_nomination_to_the_register(cli: Cli, dossier: Path) -> None:
    cli.ok("register", "bac-ninh-2026", "--unit", "BN-SGD", "--award", "LDTT", "--person",
           "cuong", user="lan", now=MARCH)
    item = cli.ok("nominate", LDTT_FLOW, "--unit", "BN-SGD", "--person", "cuong", "--set",
                  "year=2026", "--set", "rating=HTT", user="lan", now=MARCH)
    assert (item["nominee"], item["nominee_unit"]) == ("Lê Văn Cường", None)
    iid = item["id"]
    attach(cli, iid, dossier, "to_trinh", "bao_cao")
    assert cli.ok("fire", iid, "submit", user="lan", now=MARCH)["due_at"] == \
        "2026-03-09T23:59:59+07:00"
    cli.ok("fire", iid, "accept", user="thu", now=MARCH)
    for member, choice in zip(SGD_COUNCIL, ("yes", "yes", "yes", "no", "no"), strict=True):
        last = cli.ok("vote", iid, choice, user=member, now=MARCH)
    assert last["state"] == "pending_decision"  # 3 of 5 members: a majority
    issued = cli.ok("decision", "issue", "--items", iid, user="minh", now=MARCH)
    assert issued["number"] == "1/QĐ-BN-SGD"
    grants = cli.ok("registry", "--person", "cuong", "--award", "LDTT")
    assert [(g["nominee"], g["year"], g["kind"], g["nominee_unit"], g["decision"])
            for g in grants] == [("Lê Văn Cường", 2026, "individual", None, "1/QĐ-BN-SGD")]


def test_a_rating_below_good_is_not_an_advanced_worker(cli: Cli, dossier: Path) -> None:
    cli.ok("register", "bac-ninh-2026", "--unit", "BN-SGD", "--award", "LDTT", "--person",
           "cuong", user="lan", now=MARCH)
    iid = cli.ok("nominate", LDTT_FLOW, "--unit", "BN-SGD", "--person", "cuong", "--set",
                 "year=2026", "--set", "rating=HT", user="lan", now=MARCH)["id"]
    attach(cli, iid, dossier, "to_trinh", "bao_cao")
    cli.ok("fire", iid, "submit", user="lan", now=MARCH)
    error = cli.fails(4, "fire", iid, "accept", user="thu", now=MARCH)
    assert error["guard"] == "eligible" and "rating" in error["message"]


def test_excellent_collective_is_a_unit_from_nomination_to_the_register(
        cli: Cli, dossier: Path) -> None:
    item = cli.ok("nominate", TTLDXS_FLOW, "--unit", "BN-SGD", "--nominee-unit", SCHOOL, *GOOD,
                  user="lan", now=DECEMBER)
    # the nominee is the unit, named as the directory names it
    assert (item["nominee"], item["nominee_unit"], item["unit"]) == (
        "Trường THPT Lý Thái Tổ", SCHOOL, "BN-SGD")
    iid = item["id"]
    attach(cli, iid, dossier, "to_trinh", "bao_cao", "bien_ban")
    cli.ok("fire", iid, "propose", user="lan", now=DECEMBER)
    for member in SGD_COUNCIL:
        last = cli.ok("vote", iid, "yes", user=member, now=DECEMBER)
    assert last["state"] == "unit_endorsed"
    cli.ok("fire", iid, "send", user="lan", now=DECEMBER)
    cli.ok("fire", iid, "accept", user="hung", now=DECEMBER)
    cli.ok("fire", iid, "propose_award", user="hung", now=DECEMBER)
    issued = cli.ok("decision", "issue", "--items", iid, user="tuan", now=DECEMBER)
    assert issued["number"] == "1/QĐ-BN"
    shown = cli.ok("show", iid)
    assert shown["state"] == "awarded" and shown["nominee_unit"] == SCHOOL
    granted = [h for h in cli.ok("audit", "log", iid) if h["action"] == "granted"]
    assert granted[0]["payload"]["nominee_unit"] == SCHOOL
    # the register: found under the school (its own unit) and under the department
    by_school = cli.ok("registry", "--unit", SCHOOL, "--award", "TTLDXS")
    assert [(g["kind"], g["nominee"], g["nominee_unit"], g["unit"], g["year"])
            for g in by_school] == [("collective", "Trường THPT Lý Thái Tổ", SCHOOL, "BN-SGD",
                                     2026)]
    assert [g["id"] for g in cli.ok("registry", "--unit", "BN-SGD", "--award", "TTLDXS")] == [
        by_school[0]["id"]]
    assert [g["nominee"] for g in cli.ok("registry", "--name", "ly thai to")] == [
        "Trường THPT Lý Thái Tổ"]
    assert cli.ok("registry", "--person", "cuong", "--award", "TTLDXS") == []


def test_a_collective_below_the_ratios_is_declined(cli: Cli, dossier: Path) -> None:
    iid = cli.ok("nominate", TTLDXS_FLOW, "--unit", "BN-SGD", "--nominee-unit", SCHOOL,
                 "--set", "year=2026", "--set", "rating=HTXS", "--set",
                 "members_completing_pct=100", "--set", "ldtt_pct=69", "--set",
                 "cstdcs_members=1", user="lan", now=DECEMBER)["id"]
    attach(cli, iid, dossier, "to_trinh", "bao_cao", "bien_ban")
    cli.ok("fire", iid, "propose", user="lan", now=DECEMBER)
    for member in SGD_COUNCIL:
        cli.ok("vote", iid, "yes", user=member, now=DECEMBER)
    cli.ok("fire", iid, "send", user="lan", now=DECEMBER)
    error = cli.fails(4, "fire", iid, "accept", user="hung", now=DECEMBER)
    assert "ldtt_pct" in error["message"]


def test_a_collective_defaults_to_the_nominating_unit(cli: Cli) -> None:
    item = cli.ok("nominate", TTLDXS_FLOW, "--unit", "BN-SGD", *GOOD, user="lan",
                  now=DECEMBER)
    assert (item["nominee"], item["nominee_unit"]) == ("Sở Giáo dục và Đào tạo", "BN-SGD")


def test_bad_nominee_units_are_refused_with_nothing_written(cli: Cli) -> None:
    before = cli.ok("list")
    unknown = cli.fails(5, "nominate", TTLDXS_FLOW, "--unit", "BN-SGD", "--nominee-unit",
                        "BN-NOPE", *GOOD, user="lan")
    assert unknown["message"] == "no unit 'BN-NOPE' in the directory (--nominee-unit)"
    elsewhere = cli.fails(4, "nominate", TTLDXS_FLOW, "--unit", "BN-SGD", "--nominee-unit",
                          "BN-SYT", *GOOD, user="lan")
    assert "BN-SYT is not BN-SGD or a unit below it" in elsewhere["message"]
    individual = cli.fails(1, "nominate", LDTT_FLOW, "--unit", "BN-SGD", "--person", "cuong",
                           "--nominee-unit", SCHOOL, "--set", "year=2026", "--set",
                           "rating=HTT", user="lan")
    assert individual["message"].startswith("--nominee-unit is for collective flows")
    person = cli.fails(1, "nominate", TTLDXS_FLOW, "--unit", "BN-SGD", "--person", "cuong",
                       *GOOD, user="lan")
    assert "--person is for individuals" in person["message"]
    # who may nominate is checked before anything is said about units
    cli.fails(3, "nominate", TTLDXS_FLOW, "--unit", "BN-SGD", "--nominee-unit", "BN-NOPE",
              *GOOD, user="mai")
    run = cli("nominate", TTLDXS_FLOW, "--unit", "BN-SGD", "--nominee-unit", "BN-NOPE",
              *GOOD, user="lan", json_out=False)
    assert run.exit_code == 5 and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert cli.ok("list") == before


# ---- lists: a column for the nominated unit ------------------------------------------------


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


HEADER = ["nominee", "nominee_unit", "year", "rating", "members_completing_pct", "ldtt_pct",
          "cstdcs_members"]


def test_a_list_of_collectives_names_their_units(cli: Cli, tmp_path: Path) -> None:
    template = tmp_path / "mau.xlsx"
    cli.ok("import-template", TTLDXS_FLOW, "--out", str(template))
    import openpyxl

    sheet = openpyxl.load_workbook(template).worksheets[0]
    assert "nominee_unit" in [c.value for c in sheet[1]]
    path = write_csv(tmp_path / "ds.csv", [
        HEADER, ["", SCHOOL, "2026", "HTXS", "100", "80", "1"],
        ["", "BN-SGD", "2026", "HTXS", "100", "75", "2"]])
    made = cli.ok("import", str(path), "--flow", TTLDXS_FLOW, "--unit", "BN-SGD", user="lan",
                  now=DECEMBER)
    shown = [cli.ok("show", i) for i in made["created"]]
    assert [(s["nominee"], s["nominee_unit"]) for s in shown] == [
        ("Trường THPT Lý Thái Tổ", SCHOOL), ("Sở Giáo dục và Đào tạo", "BN-SGD")]


def test_a_list_with_bad_units_is_refused_whole(cli: Cli, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ds.csv", [
        HEADER, ["", SCHOOL, "2026", "HTXS", "100", "80", "1"],
        ["", "BN-NOPE", "2026", "HTXS", "100", "80", "1"],
        ["", "BN-SYT", "2026", "HTXS", "100", "80", "1"],
        ["", SCHOOL, "2026", "HTXS", "100", "80", "1"]])
    before = cli.ok("list")
    error = cli.fails(1, "import", str(path), "--flow", TTLDXS_FLOW, "--unit", "BN-SGD",
                      user="lan", now=DECEMBER)
    problems = error["problems"]
    for expected in ("ds.csv:3:B: no unit 'BN-NOPE'", "ds.csv:4:B: BN-SYT is not BN-SGD",
                     "ds.csv:5:B: the same nominee as row 2"):
        assert any(p.startswith(expected) for p in problems), (expected, problems)
    assert cli.ok("list") == before


# ---- the web: the nomination form, the API and the public lookup ---------------------------


def test_the_web_form_and_api_nominate_a_unit_and_the_lookup_finds_it(
        db_url: str, dossier: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import argon2
    from fastapi.testclient import TestClient

    from tests.conftest import DIRECTORY, make_service
    from tests.test_web_api import PASSWORD, csrf_of, sign_in
    from workflow.service import Actor
    from workflow.web import create_app

    monkeypatch.setattr(argon2, "PasswordHasher", functools.partial(
        argon2.PasswordHasher, time_cost=1, memory_cost=1024, parallelism=1))
    service = make_service(db_url, now=DECEMBER)
    try:
        service.setup.init()
        service.setup.load_directory(DIRECTORY)
        service.accounts.set_password("lan", PASSWORD)
        client = TestClient(create_app(service, secret_key="secret-for-tests"))
        sign_in(client, "lan")
        form = client.get(f"/nominate/{TTLDXS_FLOW}").text
        assert 'name="nominee_unit"' in form and f'value="{SCHOOL}"' in form
        assert "Tập thể (đơn vị) được đề nghị" in form
        assert 'name="nominee_unit"' not in client.get(f"/nominate/{LDTT_FLOW}").text
        data = {"csrf_token": csrf_of(form), "unit": "BN-SGD", "nominee_unit": SCHOOL,
                "nominee": "", **{f"field.{k}": v for k, v in (
                    ("year", "2026"), ("rating", "HTXS"), ("members_completing_pct", "100"),
                    ("ldtt_pct", "80"), ("cstdcs_members", "1"))}}
        created = client.post(f"/nominate/{TTLDXS_FLOW}", data=data, follow_redirects=False)
        assert created.status_code == 303, created.text
        item = created.headers["location"].rsplit("/", 1)[1]
        shown = service.items.show(item)
        assert (shown["nominee"], shown["nominee_unit"]) == ("Trường THPT Lý Thái Tổ", SCHOOL)
        # a unit outside the department: the form again, in Vietnamese, nothing created
        refused = client.post(f"/nominate/{TTLDXS_FLOW}", data={**data, "nominee_unit": "BN-SYT"},
                              follow_redirects=False)
        assert refused.status_code == 409, refused.status_code
        assert "không phải đơn vị đề nghị hoặc đơn vị trực thuộc" in refused.text
        # the API: the options list the units, the body names one
        options = {o["id"]: o for o in client.get(
            "/api/nomination-options", auth=("lan", PASSWORD)).json()}
        assert {u["id"] for u in options[TTLDXS_FLOW]["nominee_units"]} == {"BN-SGD", SCHOOL}
        assert options[LDTT_FLOW]["nominee_units"] == []
        body = {"flow": TTLDXS_FLOW, "unit": "BN-SGD", "nominee": "", "nominee_unit": "BN-SGD",
                "fields": {"year": 2026, "rating": "HTXS", "members_completing_pct": 100,
                           "ldtt_pct": 70, "cstdcs_members": 1}}
        made = client.post("/api/items", json=body, auth=("lan", PASSWORD))
        assert made.status_code == 201, made.text
        assert made.json()["nominee_unit"] == "BN-SGD"
        bad = client.post("/api/items", json={**body, "nominee_unit": "BN-NOPE"},
                          auth=("lan", PASSWORD))
        assert bad.status_code == 404
        # decided, the public lookup finds the school's award under the school
        lan = Actor("lan")
        for doctype in ("to_trinh", "bao_cao", "bien_ban"):
            service.items.attach(lan, item, doctype, dossier)
        service.items.fire(lan, item, "propose")
        for member in SGD_COUNCIL:
            service.items.vote(Actor(member), item, "yes")
        service.items.fire(lan, item, "send")
        for trigger in ("accept", "propose_award"):
            service.items.fire(Actor("hung"), item, trigger)
        service.items.fire(Actor("tuan"), item, "award")
        found = client.get("/api/lookup", params={"unit": SCHOOL, "award": "TTLDXS"}).json()
        assert found["total"] == 1
        assert (found["rows"][0]["nominee"], found["rows"][0]["kind"]) == (
            "Trường THPT Lý Thái Tổ", "collective")
        page = client.get("/lookup", params={"unit": SCHOOL}).text
        assert "Trường THPT Lý Thái Tổ" in page
    finally:
        service.deps.store.close()
