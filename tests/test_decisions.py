"""Numbered decisions, the register, revocation and complaints after the decision (SPEC §10.3,
§10.4), on SQLite and PostgreSQL, through the command line as an office uses it."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.conftest import Cli, make_service
from workflow.service import Actor
from workflow.service.base import ItemContext, load

NOW = "2026-03-02T09:00:00+07:00"  # a Monday
SCHOOL = "BN-THPT-LTT"  # its head son decides ad-hoc awards; mai is its officer


def adhoc(cli: Cli, dossier: Path, nominee: str, person: str | None = None,
          confidential: bool = False) -> str:
    """An ad-hoc award at the school, waiting on its head's decision."""
    args = ["nominate", "khen-thuong-dot-xuat", "--unit", SCHOOL, "--nominee", nominee,
            "--set", "deed=Cứu người đuối nước", "--set", "deed_date=2026-02-27"]
    if person:
        args += ["--person", person]
    if confidential:
        args.append("--confidential")
    item = str(cli.ok(*args, user="mai", now=NOW)["id"])
    for doctype in ("to_trinh", "bao_cao", "xac_nhan"):
        cli.ok("attach", item, doctype, str(dossier), user="mai", now=NOW)
    cli.ok("fire", item, "submit", user="mai", now=NOW)
    for trigger in ("accept", "propose_award"):
        cli.ok("fire", item, trigger, user="son", now=NOW)
    return item


def grassroots(cli: Cli, dossier: Path, person: str, name: str) -> str:
    """A CSTDCS nomination at BN-SGD passed by its council, waiting on minh's decision."""
    item = str(cli.ok("nominate", "chien-si-thi-dua-co-so", "--unit", "BN-SGD", "--person",
                      person, "--nominee", name, "--set", "year=2026", "--set", "rating=HTXS",
                      "--set", "initiative=SK-2026-01", user="lan", now=NOW)["id"])
    for doctype in ("to_trinh", "bao_cao"):
        cli.ok("attach", item, doctype, str(dossier), user="lan", now=NOW)
    cli.ok("fire", item, "submit", user="lan", now=NOW)
    cli.ok("fire", item, "accept", user="thu", now=NOW)
    for member in ("thu", "minh", "hoa", "nam", "binh"):
        cli.ok("vote", item, "yes", user=member, now=NOW)
    assert cli.ok("show", item, now=NOW)["state"] == "pending_decision"
    return item


def issue(cli: Cli, *items: str, user: str = "son", **kw: Any) -> dict[str, Any]:
    extra = [x for k, v in kw.items() for x in (f"--{k}", str(v))]
    result: dict[str, Any] = cli.ok("decision", "issue", "--items", ",".join(items), *extra,
                                    user=user, now=NOW)
    return result


# ---- one decision, many awardees -------------------------------------------------------------

def test_one_numbered_decision_awards_every_item_with_one_document(cli: Cli,
                                                                   dossier: Path) -> None:
    items = [adhoc(cli, dossier, name) for name in
             ("Đặng Thị Yến", "Hoàng Văn Bảo", "Trịnh Thu Cúc")]
    decided = issue(cli, items[2], items[0], items[1])
    assert decided["number"] == "1/QĐ-BN-THPT-LTT" and decided["date"] == "2026-03-02"
    assert decided["items"] == [items[2], items[0], items[1]]
    assert decided["count"] == 3 and decided["issuer"] == "Trường THPT Lý Thái Tổ"
    for item in items:
        shown = cli.ok("show", item, now=NOW)
        assert shown["state"] == "awarded"
        assert shown["grant"]["decision"] == "1/QĐ-BN-THPT-LTT"
        assert shown["grant"]["status"] == "granted"
        fired = [h for h in cli.ok("audit", "log", item) if h["action"] == "fired"][-1]
        assert fired["actor"] == "son" and fired["payload"]["decision"] == decided["number"]
        # each item keeps its extract of the decision, naming the decision's number
        assert [r["template"] for r in shown["rendered"]] == ["decision.html.j2"]
    # one document, listing every awardee in the order given, with the audit head
    html = cli.ok("decision", "document", decided["id"], json_out=False)
    assert html.index("Trịnh Thu Cúc") < html.index("Đặng Thị Yến") < html.index("Hoàng Văn Bảo")
    assert "Số: 1/QĐ-BN-THPT-LTT" in html and "ngày 02 tháng 3 năm 2026" in html
    assert "Nguyễn Văn Sơn" in html  # who signed it
    assert "Căn cứ" in html and "Luật Thi đua, khen thưởng" in html  # the legal basis
    head = decided["audit"]
    assert f"--anchor {head['seq']}:{head['hash']}" in html
    decided_entries = [e for e in cli.ok("audit", "log") if e["action"] == "decided"]
    assert [e["payload"]["decision"] for e in decided_entries] == ["1/QĐ-BN-THPT-LTT"]
    assert decided_entries[0]["payload"]["sha256"] == decided["sha256"]
    cli.ok("audit", "verify", "--anchor", f"{head['seq']}:{head['hash']}")
    shown = cli.ok("decision", "show", decided["id"])
    assert [a["nominee"] for a in shown["awardees"]] == [
        "Trịnh Thu Cúc", "Đặng Thị Yến", "Hoàng Văn Bảo"]
    assert cli.ok("decision", "list", "--unit", "BN")[0]["number"] == "1/QĐ-BN-THPT-LTT"


def test_a_decision_is_all_or_nothing_and_names_the_first_item_refused(
        cli: Cli, dossier: Path) -> None:
    ready = adhoc(cli, dossier, "Đặng Thị Yến")
    early = str(cli.ok("nominate", "khen-thuong-dot-xuat", "--unit", SCHOOL, "--nominee",
                       "Hoàng Văn Bảo", "--set", "deed=x", "--set", "deed_date=2026-02-27",
                       user="mai")["id"])
    log_before = len(cli.ok("audit", "log"))
    error = cli.fails(4, "decision", "issue", "--items", f"{ready},{early}", user="son",
                      now=NOW)
    assert error["id"] == early and f"nomination {early} cannot be awarded" in error["message"]
    assert "nothing was decided" in error["message"]
    assert cli.ok("show", ready, now=NOW)["state"] == "pending_decision"
    assert cli.ok("show", ready, now=NOW)["grant"] is None
    assert len(cli.ok("audit", "log")) == log_before
    assert cli.ok("decision", "list") == []
    # an objection holds it: it cannot be awarded until the objection is resolved
    cli.ok("object", ready, "--text", "Chưa đúng", user="son", now=NOW)
    error = cli.fails(4, "decision", "issue", "--items", ready, user="son", now=NOW)
    assert "on_hold" in error["message"] and error["id"] == ready
    # someone who does not decide there: 3, naming the item
    other = adhoc(cli, dossier, "Trịnh Thu Cúc")
    error = cli.fails(3, "decision", "issue", "--items", other, user="mai", now=NOW)
    assert error["id"] == other
    # decided at two levels: one decision has one issuer
    cstdcs = grassroots(cli, dossier, "bich", "Lý Thị Bích")
    error = cli.fails(4, "decision", "issue", "--items", f"{other},{cstdcs}", user="son",
                      now=NOW)
    assert error["id"] == cstdcs and "one issuer" in error["message"]
    # bad lists: 1 (twice, empty, bad date, a date ahead), 5 (unknown)
    cli.fails(1, "decision", "issue", "--items", f"{other},{other}", user="son", now=NOW)
    cli.fails(1, "decision", "issue", "--items", ",", user="son", now=NOW)
    cli.fails(1, "decision", "issue", "--items", other, "--date", "02/03/2026", user="son",
              now=NOW)
    cli.fails(1, "decision", "issue", "--items", other, "--date", "2026-03-03", user="son",
              now=NOW)
    cli.fails(5, "decision", "issue", "--items", f"{other},999", user="son", now=NOW)
    # none of it took a number: the first decision is still number 1
    assert issue(cli, other)["number"] == "1/QĐ-BN-THPT-LTT"


def test_numbers_run_per_issuing_unit_and_year_and_are_never_reused(
        cli: Cli, dossier: Path) -> None:
    first = adhoc(cli, dossier, "Đặng Thị Yến")
    # a single award by fire gets a numbered decision of its own
    cli.ok("fire", first, "award", user="son", now=NOW)
    grant = cli.ok("show", first, now=NOW)["grant"]
    assert grant["decision"] == "1/QĐ-BN-THPT-LTT"
    single = cli.ok("decision", "show", grant["decision_id"])
    assert single["count"] == 1 and single["issued_by"] == "son"
    assert "Đặng Thị Yến" in cli.ok("decision", "document", single["id"], json_out=False)
    assert issue(cli, adhoc(cli, dossier, "B"))["number"] == "2/QĐ-BN-THPT-LTT"
    # a number given by hand: taken once, and the counter moves past it
    assert issue(cli, adhoc(cli, dossier, "C"), number=7)["number"] == "7/QĐ-BN-THPT-LTT"
    error = cli.fails(4, "decision", "issue", "--items", adhoc(cli, dossier, "D"),
                      "--number", "7", user="son", now=NOW)
    assert "7/QĐ-BN-THPT-LTT" in error["message"] and "never reused" in error["message"]
    assert issue(cli, adhoc(cli, dossier, "E"))["number"] == "8/QĐ-BN-THPT-LTT"
    # another year starts again at 1; another unit has its own numbers
    dated = issue(cli, adhoc(cli, dossier, "F"), date="2025-12-30")
    assert (dated["number"], dated["date"]) == ("1/QĐ-BN-THPT-LTT", "2025-12-30")
    other_unit = issue(cli, grassroots(cli, dossier, "bich", "Lý Thị Bích"), user="minh")
    assert other_unit["number"] == "1/QĐ-BN-SGD"


@pytest.mark.slow
def test_three_processes_issuing_at_once_get_three_numbers_without_a_gap(
        cli: Cli, dossier: Path) -> None:
    """Three issuers at the same unit at the same moment, as separate processes: each gets
    its own number, and the numbers are 1, 2, 3."""
    env = dict(os.environ, AWARD_DB=cli.db, AWARD_NOW=NOW)
    items = [adhoc(cli, dossier, f"Người thứ {n}") for n in range(6)]
    batches = [items[0:2], items[2:4], items[4:6]]
    procs = [subprocess.Popen([sys.executable, "-m", "workflow", "--json", "--as", "son",
                               "decision", "issue", "--items", ",".join(batch)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for batch in batches]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    numbers = sorted(cli.ok("decision", "list"), key=lambda d: d["number"])
    assert [d["number"] for d in numbers] == [f"{n}/QĐ-BN-THPT-LTT" for n in (1, 2, 3)]
    assert sorted(d["count"] for d in numbers) == [2, 2, 2]
    assert cli.ok("audit", "verify")["ok"] is True


# ---- the register ----------------------------------------------------------------------------

def test_the_register_filters_and_streams_to_csv_and_xlsx(cli: Cli, dossier: Path,
                                                           tmp_path: Path) -> None:
    issue(cli, adhoc(cli, dossier, "Đặng Thị Yến", person="yen"),
          adhoc(cli, dossier, "Hoàng Văn Bảo"))
    issue(cli, grassroots(cli, dossier, "bich", "Lý Thị Bích"), user="minh")
    everything = cli.ok("registry")
    imported = [g for g in everything if g["source"] == "imported"]
    assert len(imported) == 11  # the sample directory's prior awards
    assert {g["decision"] for g in imported} == {None}
    assert all(g["status"] == "granted" for g in everything)
    assert len(everything) == 14
    # --unit is the unit and everything below it
    assert {g["unit"] for g in cli.ok("registry", "--unit", "BN")} == {"BN-SGD", SCHOOL}
    assert [g["nominee"] for g in cli.ok("registry", "--unit", SCHOOL)] == [
        "Đặng Thị Yến", "Hoàng Văn Bảo"]
    assert [g["award"] for g in cli.ok("registry", "--person", "bich")] == ["LDTT", "CSTDCS"]
    assert {g["year"] for g in cli.ok("registry", "--award", "CSTDCS", "--year", "2026")} == {
        2026}
    by_name = cli.ok("registry", "--name", "dang thi")  # diacritics and case aside
    assert [g["nominee"] for g in by_name] == ["Đặng Thị Yến"]
    assert cli.ok("registry", "--name", "ang") == []  # words begin words
    assert by_name[0]["decision"] == "1/QĐ-BN-THPT-LTT" and by_name[0]["issuer"] == SCHOOL
    assert len(cli.ok("registry", "--limit", "3")) == 3
    cli.fails(1, "registry", "--status", "lost")
    cli.fails(5, "registry", "--unit", "NOWHERE")
    out = tmp_path / "so-khen-thuong.csv"
    assert cli.ok("registry", "--unit", "BN", "--out", str(out))["grants"] == 14
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["id", "kind", "nominee"] and len(rows) == 16  # keys, labels, rows
    assert any("1/QĐ-BN-SGD" in r for r in rows)
    book = tmp_path / "so.xlsx"
    assert cli.ok("registry", "--award", "GKDX", "--out", str(book))["grants"] == 2
    sheet = openpyxl.load_workbook(book, read_only=True).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert "Đặng Thị Yến" in values[2] and "1/QĐ-BN-THPT-LTT" in values[2]
    cli.fails(2, "registry", "--out", str(tmp_path / "so.pdf"))


# ---- revocation ------------------------------------------------------------------------------

def test_revoking_an_award_keeps_it_marked_and_it_stops_counting_at_once(
        cli: Cli, dossier: Path, service_for: Any) -> None:
    # an holds CSTĐCS 2025 (imported); 2026 by decision makes the two-year streak that
    # the provincial certificate (BKTINH) asks for
    item = grassroots(cli, dossier, "an", "Nguyễn Văn An")
    issue(cli, item, user="minh")
    grant = cli.ok("show", item, now=NOW)["grant"]
    bk = str(cli.ok("nominate", "bang-khen-tinh", "--unit", "BN-SGD", "--person", "an",
                    "--set", "year=2026", "--set", "rating=HTXS", user="lan", now=NOW)["id"])
    service = service_for(cli)

    def accept_ok() -> bool:
        """The provincial secretariat's acceptance guard (eligible: BKTINH) on an's item."""
        deps = service.deps

        def work(tx: Any) -> bool:
            row, machine = load(deps, tx, bk)
            return ItemContext(deps, tx, row, machine.spec).eligibility("BKTINH") is None
        return bool(deps.run(work))

    assert accept_ok() is True
    # the secretariat may not revoke on its own; the issuing level's decider may
    error = cli.fails(3, "revoke", grant["id"], "--reason", "x", user="thu", now=NOW)
    assert "unit_head" in error["message"]
    cli.fails(3, "revoke", grant["id"], "--reason", "x", user="son", now=NOW)
    cli.fails(1, "revoke", grant["id"], "--reason", "  ", user="minh", now=NOW)
    cli.fails(5, "revoke", "999", "--reason", "x", user="minh", now=NOW)
    revoked = cli.ok("revoke", grant["id"], "--reason", "Sáng kiến không được công nhận",
                     "--decision", "12/QĐ-BN-SGD", user="minh", now=NOW)
    assert (revoked["status"], revoked["revoked_by"], revoked["revoke_decision"]) == (
        "revoked", "minh", "12/QĐ-BN-SGD")
    assert revoked["revoked_at"] == NOW
    cli.fails(4, "revoke", grant["id"], "--reason", "again", user="minh", now=NOW)
    assert accept_ok() is False  # the streak no longer holds
    # kept in the register, marked; the item's page says so; the audit has it
    [row] = cli.ok("registry", "--person", "an", "--award", "CSTDCS", "--year", "2026")
    assert row["status"] == "revoked" and row["revoke_reason"].startswith("Sáng kiến")
    assert cli.ok("show", item, now=NOW)["grant"]["status"] == "revoked"
    [entry] = [e for e in cli.ok("audit", "log", item) if e["action"] == "revoked"]
    assert entry["actor"] == "minh" and entry["payload"]["grant"] == grant["id"]
    assert cli.ok("registry", "--status", "revoked")[0]["id"] == grant["id"]
    # an imported award is revoked by a decider where it was recorded (or above)
    imported = cli.ok("registry", "--person", "cuong", "--award", "BKTINH")[0]
    cli.fails(3, "revoke", imported["id"], "--reason", "x", user="son", now=NOW)
    assert cli.ok("revoke", imported["id"], "--reason", "Nhập nhầm", user="minh",
                  now=NOW)["status"] == "revoked"
    assert cli.ok("audit", "verify")["ok"] is True


@pytest.fixture
def service_for() -> Any:
    made: list[Any] = []

    def build(cli: Cli) -> Any:
        made.append(make_service(cli.db, NOW))
        return made[-1]

    yield build
    for service in made:
        service.deps.store.close()


# ---- complaints after the decision ------------------------------------------------------------

def test_a_complaint_after_the_decision_goes_to_the_issuing_level_and_can_revoke(
        cli: Cli, dossier: Path, service_for: Any) -> None:
    item = grassroots(cli, dossier, "bich", "Lý Thị Bích")
    issue(cli, item, user="minh")
    # anyone may complain against an award already granted, at any time
    filed = cli.ok("object", item, "--text", "Sáng kiến đã được công nhận cho người khác",
                   "--name", "Người dân", "--contact", "0912 000 000", now=NOW)
    assert filed["held"] is False and filed["grant"]
    assert cli.ok("show", item, now=NOW)["state"] == "awarded"
    # it waits in the queue of the department's secretariat, the level that decided
    service = service_for(cli)
    queued = service.staff.objections_to_resolve(Actor("thu"))
    assert [o["id"] for o in queued] == [filed["id"]]
    assert service.staff.objections_to_resolve(Actor("son")) == ()
    # the secretariat of the level that issued the decision examines it
    cli.fails(3, "resolve", filed["id"], "upheld", "--comment", "x", "--reason", "x",
              user="son", now=NOW)  # a secretariat below it
    # upholding it revokes the award, and asks for the revocation's reason in the same step
    error = cli.fails(1, "resolve", filed["id"], "upheld", "--comment", "Đúng", user="thu",
                      now=NOW)
    assert "--reason" in error["message"]
    assert cli.ok("show", item, now=NOW)["objections"][0]["status"] == "open"
    done = cli.ok("resolve", filed["id"], "upheld", "--comment", "Xác minh đúng",
                  "--reason", "Thành tích không đúng sự thật", user="thu", now=NOW)
    assert done["revoked"]["status"] == "revoked"
    assert done["revoked"]["revoke_reason"] == "Thành tích không đúng sự thật"
    [entry] = [e for e in cli.ok("audit", "log", item) if e["action"] == "revoked"]
    assert entry["actor"] == "thu" and entry["payload"]["objection"] == int(filed["id"])
    # a complaint against a revoked award is refused
    cli.fails(4, "object", item, "--text", "Lại nữa", now=NOW)
    # dismissed: the award stands
    other = grassroots(cli, dossier, "an", "Nguyễn Văn An")
    issue(cli, other, user="minh")
    second = cli.ok("object", other, "--text", "Không đúng", now=NOW)
    cli.ok("resolve", second["id"], "dismissed", "--comment", "Không có căn cứ", user="thu",
           now=NOW)
    assert cli.ok("show", other, now=NOW)["grant"]["status"] == "granted"
    assert cli.ok("audit", "verify")["ok"] is True


def test_issuers_racing_in_threads_never_share_or_skip_a_number(cli: Cli, dossier: Path,
                                                                service_for: Any) -> None:
    """Six issuers released at the same instant (a barrier), each with its own connection
    pool: six numbers, 1 … 6, whatever order the database lets them commit in."""
    items = [adhoc(cli, dossier, f"Người thứ {n}") for n in range(6)]
    services = [service_for(cli) for _ in items]
    barrier = threading.Barrier(len(items))
    results: list[Any] = [None] * len(items)

    def sign(n: int) -> None:
        barrier.wait()
        try:
            results[n] = services[n].register.issue(Actor("son"), [items[n]])
        except Exception as exc:  # the assertion below shows it
            results[n] = exc

    threads = [threading.Thread(target=sign, args=(n,)) for n in range(len(items))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(isinstance(r, dict) for r in results), results
    assert sorted(int(r["number"].split("/")[0]) for r in results) == [1, 2, 3, 4, 5, 6]
    assert cli.ok("audit", "verify")["ok"] is True


def test_the_register_answers_whether_an_award_is_held(cli: Cli, dossier: Path,
                                                       service_for: Any) -> None:
    """What "one achievement, one award" asks of the register: a standing grant of the award
    for the nominee and year (a revoked one no longer stands)."""
    item = adhoc(cli, dossier, "Đặng Thị Yến", person="yen")
    issue(cli, item)
    service = service_for(cli)

    def held(**who: Any) -> Any:
        return service.deps.run(lambda tx: tx.grants.standing("GKDX", 2026, **who))

    grant = held(person="yen")
    assert grant is not None and grant.nomination_id == int(item)
    assert held(person="an") is None
    unnamed = adhoc(cli, dossier, "Hoàng Văn Bảo")
    issue(cli, unnamed)
    assert held(nominee="Hoàng Văn Bảo", unit_id=SCHOOL) is not None
    cli.ok("revoke", str(grant.id), "--reason", "Sai", user="son", now=NOW)
    assert held(person="yen") is None
