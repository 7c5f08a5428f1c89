"""``award demo``: the showcase a newcomer runs first, driven through the CLI as they would.

The demo builds its own embedded SQLite database in the folder it is given, so these tests
run once, not per backend.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli

SIX_FLOWS = {"chien-si-thi-dua-co-so", "bang-khen-tinh", "khen-thuong-dot-xuat",
             "huan-chuong-lao-dong-hang-ba", "anh-hung-lao-dong", "doanh-nghiep"}
FLAG_FLOW = "co-thi-dua-tinh"  # the emulation campaign's final review: one flag

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Three runs: two with the default seed (into fresh folders), one with another seed."""
    root = tmp_path_factory.mktemp("demo")
    cli = Cli(f"sqlite:///{root / 'unused.db'}")
    return {name: (root / name, cli.ok("demo", "--out", str(root / name), *extra))
            for name, extra in (("a", ()), ("b", ()), ("other", ("--seed", "7")))}


def test_the_demo_runs_a_whole_cycle_and_verifies_its_audit(demo_runs: dict[str, Any]) -> None:
    folder, result = demo_runs["a"]
    flows = {f["flow"]: f for f in result["flows"]}
    assert set(flows) == SIX_FLOWS | {FLAG_FLOW}
    assert (flows[FLAG_FLOW]["nominated"], flows[FLAG_FLOW]["awarded"]) == (1, 1)
    # a hundred and more nominations (nobody is proposed for a title they hold that year)
    assert sum(f["nominated"] for f in flows.values()) >= 120
    assert all(f["awarded"] > 0 for f in flows.values())
    assert sum(f["rejected"] for f in flows.values()) > 0
    assert result["sweeps"]["escalated"] > 0 and result["sweeps"]["reminded"] > 0
    assert result["sweeps"]["failed"] == 0
    audit = result["audit"]
    assert audit["ok"] is True and audit["entries"] > 1000
    assert audit["head"]["seq"] == audit["entries"]
    with sqlite3.connect(folder / "demo.db") as db:
        outcomes = dict(db.execute("SELECT status, count(*) FROM objection GROUP BY status"))
        failed_votes = db.execute(
            "SELECT count(*) FROM audit_entry WHERE action = 'vote_closed' "
            "AND payload LIKE '%\"passed\":false%'").fetchone()[0]
        returned = db.execute("SELECT count(*) FROM audit_entry WHERE action = 'fired' "
                              "AND payload LIKE '%\"trigger\":\"return\"%'").fetchone()[0]
    assert outcomes.get("upheld", 0) >= 1 and outcomes.get("dismissed", 0) >= 1
    assert failed_votes > 0 and returned > 0
    # the documents it names are on disk
    for kind, count in result["documents"].items():
        assert count > 0
        assert len(list((folder / kind).glob("*.html"))) == count, kind
    assert (folder / "summary.json").is_file() and (folder / "audit.jsonl").is_file()
    # the suite runs with AWARD_PDF=off: the demo says why there are no PDFs, and goes on
    assert result["pdfs"] == {"made": 0, "unavailable": "PDF output is off (AWARD_PDF=off): "
                                                        "documents are HTML only"}
    for kind in result["documents"]:
        assert not list((folder / kind).glob("*.pdf")), kind


def test_the_demo_runs_the_provinces_emulation_campaign(demo_runs: dict[str, Any]) -> None:
    """Units register in January, the bloc ranks itself in secret at the final review, the
    leader gets the flag, and the campaign reports are written."""
    folder, result = demo_runs["a"]
    review = result["campaign"]
    leader = review["leader"]
    assert leader in {"BN-SGD", "BN-SYT", "BN-SCT"} and review["item"]
    assert review["ranking"][0]["unit"] == leader
    with sqlite3.connect(folder / "demo.db") as db:
        january = db.execute(
            "SELECT count(*) FROM audit_entry WHERE action = 'registered' AND at < "
            "'2026-02-01'").fetchone()[0]
        casts = db.execute("SELECT count(*) FROM audit_entry WHERE action = "
                           "'cluster_vote_cast'").fetchone()[0]
        state = db.execute("SELECT state, unit_id FROM nomination WHERE id = ?",
                           (int(review["item"]),)).fetchone()
    assert january == review["summaries"]["bac-ninh-2026"]["registrations"] > 0
    assert casts >= 3 and tuple(state) == ("awarded", leader)
    past = review["summaries"]["bac-ninh-2025"]
    # every 2025 CSTĐCS nomination was registered (on paper): none without registration
    assert past["registered_nominated"] > 0 and past["unregistered_nominations"] == 0
    for campaign in ("bac-ninh-2025", "bac-ninh-2026"):
        assert (folder / "campaign" / campaign / "bao-cao-phong-trao.json").is_file()
        assert (folder / "campaign" / campaign / "clusters.csv").is_file()


def test_the_demo_sends_lists_and_holds_council_meetings(demo_runs: dict[str, Any]) -> None:
    """Units send spreadsheets (some refused with their problems, corrected and sent again);
    councils meet in sessions, and there is one set of minutes per meeting, not per item."""
    folder, result = demo_runs["a"]
    lists = result["lists"]
    sheets = sorted((folder / "lists").glob("*.xlsx"))
    assert len(sheets) == lists["sent"] >= 20
    assert lists["refused"] > 0 and lists["problems"] >= lists["refused"]
    assert lists["rows"] >= 100
    cli = Cli(f"sqlite:///{folder / 'demo.db'}")
    sessions = cli.ok("session", "list")
    assert lists["sessions"] == len(sessions) == result["documents"]["minutes"]
    assert all(s["status"] == "closed" for s in sessions)
    with sqlite3.connect(folder / "demo.db") as db:
        imported = db.execute("SELECT count(*) FROM audit_entry WHERE action = 'imported' "
                              "AND payload LIKE '%\"sha256\"%'").fetchone()[0]
        rounds = db.execute("SELECT count(*) FROM audit_entry WHERE action = 'vote_closed'"
                            ).fetchone()[0]
        per_item = db.execute("SELECT count(*) FROM rendered_document "
                              "WHERE template = 'minutes.html.j2'").fetchone()[0]
    assert imported == lists["sent"] - lists["refused"]
    assert per_item == 0 and rounds > len(sessions)  # many items decided per meeting
    names = {p.name for p in (folder / "minutes").iterdir()}
    assert {f"bien-ban-{s['council']}-phien-{s['id']}.html" for s in sessions} == names
    assert cli.ok("list", "--unit", "BN")  # the province's subtree holds the whole cycle


def test_the_demo_writes_the_years_reports_and_says_the_priority_shares(
        demo_runs: dict[str, Any]) -> None:
    folder, result = demo_runs["a"]
    reports = result["reports"]
    assert reports["year"] == 2026
    assert sorted(reports["files"]) == sorted(
        f"reports/{name}-2026.{ext}" for name in ("thong-ke", "tien-do", "nhom-uu-tien")
        for ext in ("xlsx", "html"))
    for name in reports["files"]:
        assert (folder / name).stat().st_size > 1000, name
    shares = reports["priority"]
    # the province's mix: about half women, ethnic minorities mostly from the uplands
    assert 0.3 < shares["women"] < 0.7 and 0 < shares["minority"] < 0.5
    assert 0 < shares["direct"] < 1 and 0 < shares["grassroots"] < 1 and 0 < shares["remote"] < 1
    again = Cli(f"sqlite:///{folder / 'demo.db'}").ok(
        "report", "priority", "--year", "2026", "--unit", "BN", now=result["end"])
    assert {k: again["headline"][k] for k in shares} == shares
    assert demo_runs["b"][1]["reports"] == reports  # the same seed, the same figures
    page = (folder / "reports" / "thong-ke-2026.html").read_text(encoding="utf-8")
    assert "<svg" in page and "THỐNG KÊ" not in page  # CSS upper-cases; the text is as written


def test_the_demo_is_deterministic_for_a_seed(demo_runs: dict[str, Any]) -> None:
    (folder_a, a), (folder_b, b), (_, other) = demo_runs["a"], demo_runs["b"], demo_runs["other"]
    assert a["audit"]["head"] == b["audit"]["head"]
    assert (a["flows"], a["stages"], a["documents"]) == (b["flows"], b["stages"], b["documents"])
    assert (folder_a / "audit.jsonl").read_bytes() == (folder_b / "audit.jsonl").read_bytes()
    assert other["audit"]["head"] != a["audit"]["head"]


def test_the_demo_audit_verifies_with_the_cli_on_its_database(demo_runs: dict[str, Any]
                                                              ) -> None:
    folder, result = demo_runs["a"]
    cli = Cli(f"sqlite:///{folder / 'demo.db'}")
    verified = cli.ok("audit", "verify")
    assert verified["ok"] is True and verified["head"] == result["audit"]["head"]
    shown = cli.ok("show", "1")
    assert shown["history"][0]["action"] == "created"


def test_the_demo_replaces_only_its_own_output(tmp_path: Path) -> None:
    cli = Cli(f"sqlite:///{tmp_path / 'unused.db'}")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "precious.txt").write_text("keep me", encoding="utf-8")
    error = cli.fails(1, "demo", "--out", str(mine))
    assert "has other files in it" in error["message"]
    assert [p.name for p in mine.iterdir()] == ["precious.txt"]
    # a folder that merely holds a demo.db is not the demo's, and links are not followed
    (mine / "demo.db").write_bytes(b"")
    assert "has other files in it" in cli.fails(1, "demo", "--out", str(mine))["message"]
    link = tmp_path / "link"
    link.symlink_to(mine)
    assert "is a symbolic link" in cli.fails(1, "demo", "--out", str(link))["message"]
    assert sorted(p.name for p in mine.iterdir()) == ["demo.db", "precious.txt"]
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    assert "is a file" in cli.fails(1, "demo", "--out", str(a_file))["message"]
    assert a_file.read_text(encoding="utf-8") == "x"


def test_the_logs_of_serving_and_sweeping_the_demo_carry_nothing_personal(
        demo_runs: dict[str, Any], tmp_path: Path) -> None:
    """The demo's database, copied, then swept by a scheduler and served to a few visitors,
    with JSON logs: one line per sweep and per request, and not one name, address, objection
    text, contact or ballot choice in them."""
    import contextlib
    import json
    import os
    import subprocess
    import sys
    import urllib.request

    from tests.conftest import ROOT
    from tests.test_web_browser import free_port, wait_until_up

    folder, _result = demo_runs["a"]
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    Cli(f"sqlite:///{folder / 'demo.db'}").ok("backup", "--out", str(tmp_path / "demo.db"))
    with sqlite3.connect(tmp_path / "demo.db") as conn:
        private = {v for (v,) in conn.execute(
            "SELECT name FROM person UNION SELECT email FROM person UNION SELECT nominee FROM "
            "nomination UNION SELECT text FROM objection UNION SELECT name FROM objection "
            "UNION SELECT contact FROM objection") if v and len(v) >= 6}
        last = conn.execute("SELECT max(at) FROM audit_entry").fetchone()[0]
    env = {**os.environ, "AWARD_DB": db, "AWARD_NOW": last[:19] + "+00:00", "AWARD_FLOWS": ""}
    sweep = subprocess.run([sys.executable, "-m", "workflow", "scheduler", "--interval", "0.1",
                            "--max-sweeps", "2", "--log-format", "json"], env=env, cwd=ROOT,
                           capture_output=True, timeout=300, check=False)
    assert sweep.returncode == 0, sweep.stderr[-2000:]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "workflow", "serve", "--port",
                                   str(port), "--log-format", "json"], env=env, cwd=ROOT,
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_up(url, server, log)
        name = sorted(private)[0]
        for path in ("/", "/notices/1", "/nominees/1", f"/?q={urllib.request.quote(name)}",
                     "/login", "/api/notices"):
            with contextlib.suppress(OSError):  # a 404 is an answer too
                urllib.request.urlopen(url + path, timeout=30).read()
    finally:
        server.terminate()
        server.wait(timeout=30)
    lines = sweep.stderr.decode() + log.read_text(encoding="utf-8")
    events = [json.loads(line)["event"] for line in lines.splitlines() if line.startswith("{")]
    assert events.count("sweep") == 2 and events.count("request") >= 6
    leaked = sorted(p for p in private if p in lines)
    assert leaked == []
    assert '"choice"' not in lines and "?q=" not in lines


def test_the_demo_signs_decisions_in_batches_and_revokes(demo_runs: dict[str, Any]) -> None:
    """Deciders sign numbered decisions for many awardees; a complaint against a decided
    award ends in its revocation and a decider revokes another; the summary counts them."""
    folder, result = demo_runs["a"]
    register = result["register"]
    awarded = sum(f["awarded"] for f in result["flows"])
    assert register["decisions"] == result["documents"]["decisions"]
    assert register["largest"] > 1 and register["decisions"] < register["grants"]
    assert register["grants"] >= awarded  # a decided Labour Order may still be handed over
    assert register["imported"] > 0
    assert register["revocations"] == register["revoked"] == 2
    assert register["complaints_after_decision"] == 1
    cli = Cli(f"sqlite:///{folder / 'demo.db'}")
    revoked = cli.ok("registry", "--status", "revoked")
    assert len(revoked) == 2 and all(r["decision"] for r in revoked)
    numbers = [d["number"] for d in cli.ok("decision", "list", "--limit", "1000")]
    assert len(numbers) == len(set(numbers)) == register["decisions"]
    with sqlite3.connect(folder / "demo.db") as db:
        upheld_after = db.execute(
            "SELECT count(*) FROM objection WHERE grant_id IS NOT NULL AND status = 'upheld'"
        ).fetchone()[0]
    assert upheld_after == 1
    summary = (folder / "summary.json").read_text(encoding="utf-8")
    assert '"revocations": 2' in summary
def test_the_readme_report_examples_run_on_the_demo(demo_runs: dict[str, Any], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ``award report`` line of the README's Reports section, on the demo's database."""
    import re
    import shlex

    folder, result = demo_runs["a"]
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Reports"):]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block
    lines = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    commands = [shlex.split(line)[1:] for line in lines if line.startswith("award report")]
    assert {c[1] for c in commands} == {"cycle", "priority", "timeliness", "statistics",
                                        "eligible", "campaign"}
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ra-soat").mkdir()
    cli = Cli(f"sqlite:///{folder / 'demo.db'}", now=result["end"])
    for command in commands:
        json_out = "--json" in command
        args = [a for a in command if a != "--json"]
        cli.ok(*args, json_out=json_out)
    assert (tmp_path / "uu-tien-2026.xlsx").is_file()
    assert (tmp_path / "thong-ke-2026.html").is_file()
    assert sorted(p.name for p in (tmp_path / "ra-soat").iterdir()) == [
        "eligible-awards.csv", "eligible-people.csv"]
