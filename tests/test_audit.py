"""The tamper-evident audit chain (SPEC §6, ``award audit …`` of §7), on SQLite and PostgreSQL.

The CLI tests build a short, known history, tamper with the ``audit_entry`` table through a
separate SQL connection (as an attacker with database access would) and check that ``award
audit verify`` names exactly the first broken ``seq``. The property tests at the end run on a
plain in-memory SQLite engine: random chains, one random tampering each.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, create_engine, text

from tests.conftest import DIRECTORY, Cli, make_service
from workflow.errors import Misconfigured
from workflow.service import Actor, Service
from workflow.store.audit import (
    GENESIS,
    Anchor,
    AuditRepo,
    Chain,
    VerifyReport,
    verify_rows,
)
from workflow.store.db import make_engine
from workflow.store.raw import Raw
from workflow.store.tables import metadata

FLOW = "chien-si-thi-dua-co-so"
COLUMNS = ("seq", "at", "actor", "action", "nomination", "from_state", "to_state", "payload",
           "prev_hash", "hash")
CONTENT = COLUMNS[1:]  # everything but seq
CSV_HEADER = ["seq", "at", "actor", "action", "nomination", "from", "to", "payload", "prev_hash",
              "hash"]
ENTRY_KEYS = {"seq", "at", "actor", "action", "nomination", "from", "to", "payload", "hash"}
HEX64 = re.compile(r"[0-9a-f]{64}")
EDITED = "seq {k}: content does not match its hash (edited)"
RELINKED = "seq {k}: prev_hash does not match the hash of seq {p}"

# The history every tampering test starts from: seq, actor, action, item, from, to.
HISTORY = [
    (1, "admin", "imported", None, None, None),
    (2, "lan", "created", "1", None, "draft"),
    (3, "lan", "attached", "1", "draft", "draft"),
    (4, "lan", "attached", "1", "draft", "draft"),
    (5, "lan", "fired", "1", "draft", "submitted"),
    (6, "thu", "fired", "1", "submitted", "returned"),
]


# ---- helpers ------------------------------------------------------------------------------


def nominate(cli: Cli, person: str = "an", **kwargs: Any) -> str:
    """A CSTĐCS 2026 nomination (one achievement, one award: a second one open at once names
    another person)."""
    name = {"an": "Nguyễn Văn An", "bich": "Lý Thị Bích"}[person]
    item = cli.ok("nominate", FLOW, "--unit", "BN-SGD", "--nominee", name,
                  "--person", person, "--set", "year=2026", "--set", "rating=HTXS", user="lan",
                  **kwargs)
    return str(item["id"])


def build_history(cli: Cli, dossier: Path) -> list[dict[str, Any]]:
    """Seq 1 is the directory import (the fixture); 2-6 one item submitted and returned."""
    item = nominate(cli)
    cli.ok("attach", item, "to_trinh", str(dossier), user="lan")
    cli.ok("attach", item, "bao_cao", str(dossier), user="lan")
    cli.ok("fire", item, "submit", user="lan")
    cli.ok("fire", item, "return", "--comment", "Thiếu bản sao 'giấy khen' 🙏", user="thu")
    log: list[dict[str, Any]] = cli.ok("audit", "log")
    assert [(e["seq"], e["actor"], e["action"], e["nomination"], e["from"], e["to"])
            for e in log] == HISTORY
    return log


def keyed_cli(db_url: str, key: str) -> Cli:
    """A CLI whose every call runs with ``AWARD_AUDIT_KEY`` (the chain is HMAC from seq 1)."""
    runner = Cli(db_url, env={"AWARD_AUDIT_KEY": key})
    runner.ok("init")
    runner.ok("directory", "load", str(DIRECTORY))
    return runner


@contextmanager
def sql(db_url: str) -> Iterator[Connection]:
    """A separate connection straight to the database, committed on exit."""
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def db_rows(db_url: str) -> list[dict[str, Any]]:
    with sql(db_url) as conn:
        return rows_of(conn)


def rows_of(conn: Connection) -> list[dict[str, Any]]:
    result = conn.execute(text(f"SELECT {', '.join(COLUMNS)} FROM audit_entry ORDER BY seq"))
    return [dict(r._mapping) for r in result]


def row_at(conn: Connection, seq: int) -> dict[str, Any]:
    return dict(conn.execute(text(f"SELECT {', '.join(COLUMNS)} FROM audit_entry "
                                  "WHERE seq = :seq"), {"seq": seq}).one()._mapping)


def set_columns(conn: Connection, at_seq: int, /, **values: Any) -> None:
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    changed = conn.execute(text(f"UPDATE audit_entry SET {assignments} WHERE seq = :where_seq"),
                           {**values, "where_seq": at_seq}).rowcount
    assert changed == 1


def delete(conn: Connection, *seqs: int) -> None:
    for seq in seqs:
        assert conn.execute(text("DELETE FROM audit_entry WHERE seq = :seq"),
                            {"seq": seq}).rowcount == 1


def swap(conn: Connection, i: int, j: int) -> None:
    """Exchange everything but ``seq`` between rows i and j (a reordering)."""
    a, b = row_at(conn, i), row_at(conn, j)
    set_columns(conn, i, **{c: b[c] for c in CONTENT})
    set_columns(conn, j, **{c: a[c] for c in CONTENT})


def insert_at(conn: Connection, k: int, row: dict[str, Any], *, renumber: bool = True) -> None:
    """Make room at ``k`` (renumbering from the top down) and insert ``row`` there."""
    top = conn.execute(text("SELECT MAX(seq) FROM audit_entry")).scalar_one()
    for seq in range(top, k - 1, -1) if renumber else ():
        conn.execute(text("UPDATE audit_entry SET seq = :new WHERE seq = :old"),
                     {"new": seq + 1, "old": seq})
    conn.execute(text(f"INSERT INTO audit_entry ({', '.join(COLUMNS)}) VALUES "
                      f"({', '.join(':' + c for c in COLUMNS)})"), {**row, "seq": k})


def seal(chain: Chain, prev: str, row: dict[str, Any]) -> str:
    return chain.link(prev, row["seq"], row["at"], row["actor"], row["action"],
                      row["nomination"], row["from_state"], row["to_state"], row["payload"])


def reseal(conn: Connection, chain: Chain, start: int = 1) -> None:
    """Recompute prev_hash/hash from ``start`` to the end: what a forger without anchors does."""
    rows = rows_of(conn)
    prev = GENESIS if start == 1 else rows[start - 2]["hash"]
    for row in rows[start - 1:]:
        digest = seal(chain, prev, row)
        set_columns(conn, row["seq"], prev_hash=prev, hash=digest)
        prev = digest


def report_of(run: Any) -> dict[str, Any]:
    data: dict[str, Any] = run.json()
    assert isinstance(data["seconds"], float | int) and data["seconds"] >= 0
    return {k: data[k] for k in ("ok", "entries", "head", "first_bad_seq", "problem")}


def assert_broken(cli: Cli, first_bad: int, problem: str, *, anchor: str | None = None,
                  entries: int | None = None, head_hash: str | None = None) -> None:
    """``verify`` exits 1 naming ``first_bad``; the head it reports is the last good entry
    (``head_hash``, by default read back from the table)."""
    args = ["audit", "verify"] + (["--anchor", anchor] if anchor else [])
    run = cli(*args)
    assert run.exit_code == 1, (run.stdout, run.stderr)
    good = first_bad - 1 if entries is None else entries
    if head_hash is None:
        head_hash = GENESIS if good == 0 else next(
            r["hash"] for r in db_rows(cli.db) if r["seq"] == good)
    assert report_of(run) == {
        "ok": False, "entries": good, "head": {"seq": good, "hash": head_hash},
        "first_bad_seq": first_bad, "problem": problem,
    }


def assert_mismatch(cli: Cli, stored: str, mine: str) -> None:
    """``verify`` under another key than the chain's says so (not "edited"), exit 1."""
    run = cli("audit", "verify")
    assert run.exit_code == 1, (run.stdout, run.stderr)
    assert report_of(run) == {
        "ok": False, "entries": 0, "head": {"seq": 0, "hash": GENESIS}, "first_bad_seq": None,
        "problem": f"key mismatch: the chain is {stored} but this process has {mine}; set "
                   "AWARD_AUDIT_KEY to the key it was written with"}


def unkeyed() -> str:
    return "unkeyed (AWARD_AUDIT_KEY not set)"


def keyed(key: str) -> str:
    return f"keyed (key fingerprint {Chain(key).mode.partition(':')[2]})"


def assert_intact(cli: Cli, count: int, head_hash: str, *, anchor: str | None = None) -> None:
    args = ["audit", "verify"] + (["--anchor", anchor] if anchor else [])
    run = cli(*args)
    assert run.exit_code == 0, (run.stdout, run.stderr)
    assert report_of(run) == {"ok": True, "entries": count,
                              "head": {"seq": count, "hash": head_hash},
                              "first_bad_seq": None, "problem": None}
    if anchor:  # the human form says the anchor held
        human = cli(*args, json_out=False).stdout
        assert f"; entry {int(anchor.split(':')[0])} matches the anchor" in human


# ---- 1. every change appends one entry, in the same transaction ---------------------------


def test_each_step_appends_exactly_one_entry_with_the_documented_shape(
        cli: Cli, dossier: Path) -> None:
    heads = [cli.ok("audit", "head")["seq"]]
    item = nominate(cli)
    heads.append(cli.ok("audit", "head")["seq"])
    cli.ok("attach", item, "to_trinh", str(dossier), user="lan", now="2026-02-12T10:30:00+07:00")
    heads.append(cli.ok("audit", "head")["seq"])
    cli.ok("attach", item, "bao_cao", str(dossier), user="lan", now="2026-02-12T23:59:59+07:00")
    heads.append(cli.ok("audit", "head")["seq"])
    moved = cli.ok("fire", item, "submit", user="lan", now="2026-02-13T01:15:00+07:00")
    heads.append(cli.ok("audit", "head")["seq"])
    assert heads == [1, 2, 3, 4, 5]
    assert moved["seq"] == 5  # the fire reports the entry it wrote

    log = cli.ok("audit", "log")
    assert all(set(e) == ENTRY_KEYS for e in log)
    assert [e["seq"] for e in log] == [1, 2, 3, 4, 5]
    assert [(e["seq"], e["actor"], e["action"], e["nomination"], e["from"], e["to"])
            for e in log] == HISTORY[:5]
    assert [e["at"] for e in log] == [
        "2026-02-12T09:00:00+07:00", "2026-02-12T09:00:00+07:00", "2026-02-12T10:30:00+07:00",
        "2026-02-12T23:59:59+07:00", "2026-02-13T01:15:00+07:00"]
    assert all(HEX64.fullmatch(e["hash"]) for e in log)
    assert len({e["hash"] for e in log}) == 5

    flow_version = cli.ok("show", item)["flow_version"]
    assert HEX64.fullmatch(flow_version)
    directory = yaml.safe_load(DIRECTORY.read_text(encoding="utf-8"))
    units, people = len(directory["units"]), len(directory["people"])
    assert log[0]["payload"] == {
        "file": "directory.sample.yaml", "units": units, "people": people,
        "roles": sum(len(p["roles"]) for p in directory["people"]),
        "awards": len(directory["awards"]), "registrations": len(directory["registrations"]),
        "units_total": units, "people_total": people}
    assert log[1]["payload"] == {
        "flow": FLOW, "flow_version": flow_version, "unit": "BN-SGD",
        "nominee": "Nguyễn Văn An", "person": "an", "fields": {"year": 2026, "rating": "HTXS"}}
    content = dossier.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    assert log[2]["payload"] == {"document": "1", "type": "to_trinh", "file": "to-trinh.pdf",
                                 "sha256": digest, "size": len(content)}
    assert log[3]["payload"] == {"document": "2", "type": "bao_cao", "file": "to-trinh.pdf",
                                 "sha256": digest, "size": len(content)}
    assert log[4]["payload"] == {"flow_version": flow_version, "trigger": "submit"}

    # what is stored: UTC text with microseconds (hashed as is), canonical JSON, linked hashes
    rows = db_rows(cli.db)
    assert [r["at"] for r in rows] == [
        "2026-02-12T02:00:00.000000+00:00", "2026-02-12T02:00:00.000000+00:00",
        "2026-02-12T03:30:00.000000+00:00", "2026-02-12T16:59:59.000000+00:00",
        "2026-02-12T18:15:00.000000+00:00"]
    assert rows[4]["payload"] == (
        '{"flow_version":"' + flow_version + '","trigger":"submit"}')
    assert [r["prev_hash"] for r in rows] == [GENESIS] + [e["hash"] for e in log[:-1]]
    assert [r["hash"] for r in rows] == [e["hash"] for e in log]


def test_comment_is_in_the_fired_payload(cli: Cli, dossier: Path) -> None:
    item = nominate(cli)
    for doc in ("to_trinh", "bao_cao"):
        cli.ok("attach", item, doc, str(dossier), user="lan")
    cli.ok("fire", item, "submit", "--comment", '  Đề nghị "xem xét" 🏅  ', user="lan")
    last = cli.ok("audit", "log", item)[-1]
    assert last["payload"] == {"flow_version": cli.ok("show", item)["flow_version"],
                               "trigger": "submit", "comment": 'Đề nghị "xem xét" 🏅'}


def test_log_of_one_item_lists_only_its_entries(cli: Cli, dossier: Path) -> None:
    first = nominate(cli)
    second = nominate(cli, "bich")
    cli.ok("attach", first, "to_trinh", str(dossier), user="lan")
    cli.ok("attach", second, "bao_cao", str(dossier), user="lan")
    everything = cli.ok("audit", "log")
    assert [(e["seq"], e["nomination"]) for e in everything] == [
        (1, None), (2, "1"), (3, "2"), (4, "1"), (5, "2")]
    assert cli.ok("audit", "log", first) == [everything[1], everything[3]]
    assert cli.ok("audit", "log", second) == [everything[2], everything[4]]
    assert cli.fails(5, "audit", "log", "999")["message"] == "no nomination 999"
    assert cli.fails(5, "audit", "log", "abc")["type"] == "NotFound"


def test_failed_commands_add_no_entry(cli: Cli, dossier: Path) -> None:
    item = nominate(cli)
    before = cli.ok("audit", "log")
    assert cli.fails(4, "fire", item, "submit", user="lan")["type"] == "GuardRefused"
    assert cli.fails(4, "fire", item, "approve", user="thu")["type"] == "NotAllowed"
    assert cli.fails(3, "fire", item, "submit", user="hung")["type"] == "PermissionDenied"
    cli.fails(1, "attach", item, "photo", str(dossier), user="lan")
    cli.fails(1, "attach", item, "to_trinh", str(dossier.parent / "missing.pdf"), user="lan")
    cli.fails(5, "fire", "999", "submit", user="lan")
    cli.fails(1, "nominate", FLOW, "--unit", "BN-SGD", "--nominee", "B", "--set",
              "year=twenty", user="lan")
    cli.fails(3, "nominate", FLOW, "--unit", "BN-SGD", "--nominee", "B", user="mai")
    for doc in ("to_trinh", "bao_cao"):
        cli.ok("attach", item, doc, str(dossier), user="lan")
    cli.ok("fire", item, "submit", user="lan")
    middle = cli.ok("audit", "log")
    assert middle[:len(before)] == before and len(middle) == len(before) + 3
    assert cli.fails(1, "fire", item, "return", user="thu")["message"] == (
        "'return' needs a comment (--comment TEXT)")
    assert cli.ok("audit", "log") == middle
    assert_intact(cli, len(middle), middle[-1]["hash"])


def _freeze_audit(db_url: str) -> None:
    """A trigger that makes every insert into audit_entry fail."""
    with sql(db_url) as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql(
                "CREATE TRIGGER audit_frozen BEFORE INSERT ON audit_entry "
                "BEGIN SELECT RAISE(ABORT, 'audit frozen'); END")
        else:
            conn.exec_driver_sql(
                "CREATE OR REPLACE FUNCTION audit_frozen() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'audit frozen'; END $$")
            conn.exec_driver_sql(
                "CREATE TRIGGER audit_frozen BEFORE INSERT ON audit_entry "
                "FOR EACH ROW EXECUTE FUNCTION audit_frozen()")


def _thaw_audit(db_url: str) -> None:
    with sql(db_url) as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_frozen")
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_frozen ON audit_entry")


def test_a_change_whose_audit_entry_fails_is_rolled_back(
        service: Service, db_url: str, dossier: Path) -> None:
    lan, thu = Actor("lan"), Actor("thu")
    item = service.items.nominate(lan, FLOW, "BN-SGD", "Nguyễn Văn An", "an",
                            {"year": "2026", "rating": "HTXS"})["id"]
    service.items.attach(lan, item, "to_trinh", dossier)
    _freeze_audit(db_url)
    with pytest.raises(Exception, match="audit frozen"):
        service.items.attach(lan, item, "bao_cao", dossier)
    with pytest.raises(Exception, match="audit frozen"):
        service.items.nominate(lan, FLOW, "BN-SGD", "Trần Văn B", None, {"year": "2026"})
    _thaw_audit(db_url)
    shown = service.items.show(item)
    assert [d["type"] for d in shown["documents"]] == ["to_trinh"]
    assert [i["id"] for i in service.items.find()] == [item]
    service.items.attach(lan, item, "bao_cao", dossier)
    service.items.fire(lan, item, "submit")
    _freeze_audit(db_url)
    with pytest.raises(Exception, match="audit frozen"):
        service.items.fire(thu, item, "accept")
    _thaw_audit(db_url)
    shown = service.items.show(item)
    assert shown["state"] == "submitted"
    assert [h["action"] for h in shown["history"]] == ["created", "attached", "attached",
                                                         "fired"]
    assert service.audit.verify().ok is True
    assert service.audit.head()["seq"] == 5
    assert service.items.fire(thu, item, "accept")["seq"] == 6


# ---- 2. verify and head on an untouched chain ---------------------------------------------


def _formula_head(row: dict[str, Any]) -> str:
    return json.dumps([row["seq"], row["at"], row["actor"], row["action"], row["nomination"],
                       row["from_state"], row["to_state"]], ensure_ascii=False,
                      separators=(",", ":"))


def test_untouched_chain_verifies_and_follows_the_spec_formula(cli: Cli, dossier: Path) -> None:
    log = build_history(cli, dossier)
    head_hash = log[-1]["hash"]
    assert_intact(cli, 6, head_hash)
    assert cli.ok("audit", "head") == {"seq": 6, "hash": head_hash}
    human = cli("audit", "verify", json_out=False)
    assert human.exit_code == 0
    assert re.fullmatch(rf"ok: 6 entries verified in \d+\.\d\ds; head seq 6 {head_hash}\n",
                        human.stdout)
    head = cli("audit", "head", json_out=False)
    assert (head.exit_code, head.stdout) == (0, f"6 {head_hash}\n")
    # SPEC §6: hash = sha256(prev_hash ‖ canonical entry), recomputed without workflow code
    prev = GENESIS
    for row in db_rows(cli.db):
        assert row["payload"] == json.dumps(json.loads(row["payload"]), ensure_ascii=False,
                                            separators=(",", ":"), sort_keys=True)
        expected = hashlib.sha256((prev + _formula_head(row) + row["payload"]).encode())
        assert (row["prev_hash"], row["hash"]) == (prev, expected.hexdigest())
        prev = row["hash"]
    # an unkeyed chain checked under a key is a key mismatch, said as such
    assert_mismatch(Cli(cli.db, env={"AWARD_AUDIT_KEY": "k1"}), unkeyed(), keyed("k1"))


def test_empty_chain(bare_cli: Cli, tmp_path: Path) -> None:
    bare_cli.ok("init")
    assert bare_cli.ok("audit", "head") == {"seq": 0, "hash": "0" * 64}
    assert bare_cli.ok("audit", "log") == []
    report = report_of(bare_cli("audit", "verify"))
    assert (report["ok"], report["entries"], report["first_bad_seq"]) == (True, 0, None)
    head = bare_cli("audit", "head", json_out=False)
    assert (head.exit_code, head.stdout) == (0, "0 " + "0" * 64 + "\n")
    assert bare_cli.ok("audit", "export", "--format", "csv", "--out",
                       str(tmp_path / "a.csv"))["entries"] == 0
    assert (tmp_path / "a.csv").read_text(encoding="utf-8").splitlines() == [",".join(CSV_HEADER)]
    assert bare_cli.ok("audit", "export", "--out", str(tmp_path / "a.jsonl"))["entries"] == 0
    assert (tmp_path / "a.jsonl").read_text(encoding="utf-8") == ""


# ---- 3. tampering -------------------------------------------------------------------------

Tamper = Callable[[Connection], None]


def _forged(conn: Connection, k: int, chain: Chain | None) -> dict[str, Any]:
    """A plausible entry for seq k, linked to seq k-1 and sealed with ``chain`` (or junk)."""
    prev = row_at(conn, k - 1)["hash"] if k > 1 else GENESIS
    row = {"seq": k, "at": "2026-02-12T02:00:00.000000+00:00", "actor": "minh",
           "action": "fired", "nomination": "1", "from_state": "draft", "to_state": "draft",
           "payload": '{"comment":"Hồ sơ đã đủ","trigger":"submit"}', "prev_hash": prev}
    row["hash"] = seal(chain, prev, row) if chain is not None else "ab" * 32
    return row


def restore(db_url: str, rows: list[dict[str, Any]]) -> None:
    with sql(db_url) as conn:
        conn.execute(text("DELETE FROM audit_entry"))
        conn.execute(text(f"INSERT INTO audit_entry ({', '.join(COLUMNS)}) VALUES "
                          f"({', '.join(':' + c for c in COLUMNS)})"), rows)


# case: (tampering done through SQL, first broken seq, problem verify reports)
TAMPERINGS: dict[str, tuple[Tamper, int, str]] = {
    "payload": (lambda c: set_columns(c, 3, payload='{"document":"1","sha256":"' + "0" * 64
                                      + '","type":"to_trinh"}'), 3, EDITED.format(k=3)),
    "payload whitespace only": (
        lambda c: set_columns(c, 5, payload=json.dumps(json.loads(row_at(c, 5)["payload"]),
                                                       sort_keys=True)), 5, EDITED.format(k=5)),
    "actor": (lambda c: set_columns(c, 4, actor="minh"), 4, EDITED.format(k=4)),
    "at by one microsecond": (lambda c: set_columns(c, 2, at="2026-02-12T02:00:00.000001+00:00"),
                              2, EDITED.format(k=2)),
    "at, same instant in another offset": (
        lambda c: set_columns(c, 2, at="2026-02-12T09:00:00.000000+07:00"), 2,
        EDITED.format(k=2)),
    "action": (lambda c: set_columns(c, 6, action="refused"), 6, EDITED.format(k=6)),
    "nomination": (lambda c: set_columns(c, 3, nomination="2"), 3, EDITED.format(k=3)),
    "nomination to null": (lambda c: set_columns(c, 2, nomination=None), 2, EDITED.format(k=2)),
    "from_state": (lambda c: set_columns(c, 5, from_state="returned"), 5, EDITED.format(k=5)),
    "to_state": (lambda c: set_columns(c, 6, to_state="pending_decision"), 6,
                 EDITED.format(k=6)),
    "first entry": (lambda c: set_columns(c, 1, actor="root"), 1, EDITED.format(k=1)),
    "hash column": (lambda c: set_columns(c, 3, hash="f" * 64), 3, EDITED.format(k=3)),
    "prev_hash column": (lambda c: set_columns(c, 3, prev_hash="f" * 64), 3,
                         RELINKED.format(k=3, p=2)),
    "delete a middle entry": (lambda c: delete(c, 3), 3,
                              "expected seq 3, found 4 (rows deleted or renumbered)"),
    "delete the first entry": (lambda c: delete(c, 1), 1,
                               "expected seq 1, found 2 (rows deleted or renumbered)"),
    "delete two entries": (lambda c: delete(c, 4, 2), 2,
                           "expected seq 2, found 3 (rows deleted or renumbered)"),
    "renumber the last entry": (lambda c: set_columns(c, 6, seq=8), 6,
                                "expected seq 6, found 8 (rows deleted or renumbered)"),
    "insert a sealed forgery": (lambda c: insert_at(c, 3, _forged(c, 3, Chain(None))), 4,
                                RELINKED.format(k=4, p=3)),
    "insert an unsealed forgery": (lambda c: insert_at(c, 3, _forged(c, 3, None)), 3,
                                   EDITED.format(k=3)),
    "insert a row before the first": (
        lambda c: insert_at(c, 0, _forged(c, 1, Chain(None)), renumber=False), 1,
        "expected seq 1, found 0 (rows out of order)"),
    "swap two rows": (lambda c: swap(c, 2, 5), 2, RELINKED.format(k=2, p=1)),
    "swap neighbours": (lambda c: swap(c, 3, 4), 3, RELINKED.format(k=3, p=2)),
}


def test_tampering_is_found_at_the_first_broken_seq(
        cli: Cli, dossier: Path, subtests: pytest.Subtests) -> None:
    hashes = [e["hash"] for e in build_history(cli, dossier)]
    original = db_rows(cli.db)
    for case, (tamper, first_bad, problem) in TAMPERINGS.items():
        with subtests.test(case):
            with sql(cli.db) as conn:
                tamper(conn)
            # the head verify reports is the last entry before the break, as it was written
            # (except after a sealed forgery, which verifies as an entry of its own)
            last_good = ([GENESIS, *hashes][first_bad - 1]
                         if case != "insert a sealed forgery" else None)
            assert_broken(cli, first_bad, problem, head_hash=last_good)
        restore(cli.db, original)
    assert_intact(cli, 6, hashes[5])
    # the human form is one line on stderr
    with sql(cli.db) as conn:
        set_columns(conn, 4, actor="minh")
    run = cli("audit", "verify", json_out=False)
    assert (run.exit_code, run.stdout) == (1, "")
    assert run.stderr == ("error: audit chain broken at seq 4: seq 4: content does not match "
                          "its hash (edited)\n")


def test_deleting_the_last_entry_is_caught_only_by_an_anchor(cli: Cli, dossier: Path) -> None:
    hashes = [e["hash"] for e in build_history(cli, dossier)]
    old_head = cli.ok("audit", "head")
    with sql(cli.db) as conn:
        delete(conn, 6)
    # the shortened chain is internally consistent...
    assert_intact(cli, 5, hashes[4])
    assert cli.ok("audit", "head") == {"seq": 5, "hash": hashes[4]}
    # ...but the head printed on an earlier document is gone
    assert_broken(cli, 6, "anchor seq 6 is beyond the head 5 (truncated)",
                  anchor=f"{old_head['seq']}:{old_head['hash']}", entries=5)
    assert_intact(cli, 5, hashes[4], anchor=f"5:{hashes[4]}")


def test_resealing_an_unkeyed_chain_passes_verify_but_not_an_anchor(
        cli: Cli, dossier: Path) -> None:
    hashes = [e["hash"] for e in build_history(cli, dossier)]
    with sql(cli.db) as conn:
        set_columns(conn, 3, actor="minh")
        reseal(conn, Chain(None), start=3)
    new = [r["hash"] for r in db_rows(cli.db)]
    assert new[:2] == hashes[:2] and all(a != b for a, b in zip(new[2:], hashes[2:], strict=True))
    assert_intact(cli, 6, new[5])  # plain sha256 can be recomputed by anyone
    assert_intact(cli, 6, new[5], anchor=f"2:{hashes[1]}")  # anchors before the edit still hold
    assert_broken(cli, 3, "seq 3: hash differs from the anchor", anchor=f"3:{hashes[2]}")
    assert_broken(cli, 6, "seq 6: hash differs from the anchor", anchor=f"6:{hashes[5]}")


def test_keyed_chain(db_url: str, dossier: Path) -> None:
    kcli = keyed_cli(db_url, "k1")
    hashes = [e["hash"] for e in build_history(kcli, dossier)]
    original = db_rows(db_url)
    # every link is HMAC-SHA-256 under the key
    prev = GENESIS
    for row in original:
        expected = hmac.new(b"k1", (prev + _formula_head(row) + row["payload"]).encode(),
                            hashlib.sha256)
        assert (row["prev_hash"], row["hash"]) == (prev, expected.hexdigest())
        prev = row["hash"]
    assert_intact(kcli, 6, hashes[5])
    # verifying without the key, or under another one, is a key mismatch, said as such
    for other in ("", "k2", "k1 ", "K1"):
        assert_mismatch(Cli(db_url, env={"AWARD_AUDIT_KEY": other}), keyed("k1"),
                        keyed(other) if other else unkeyed())

    # a forger without the key edits seq 3 and re-seals from there on with plain sha256
    with sql(db_url) as conn:
        set_columns(conn, 3, payload='{"sha256":"' + "0" * 64 + '","type":"to_trinh"}')
        reseal(conn, Chain(None), start=3)
    assert_broken(kcli, 3, EDITED.format(k=3))
    with sql(db_url) as conn:  # re-sealing the whole chain does not help either
        reseal(conn, Chain(None), start=1)
    assert_broken(kcli, 1, EDITED.format(k=1))
    resealed = [r["hash"] for r in db_rows(db_url)]
    assert_mismatch(Cli(db_url), keyed("k1"), unkeyed())  # the database says it is keyed
    with sql(db_url) as conn:  # unless the forger rewrites what the database says, too
        conn.execute(text("UPDATE meta SET value = 'sha256' WHERE key = 'audit_chain'"))
    assert_intact(Cli(db_url), 6, resealed[5])  # which only fools a check without the key
    assert_mismatch(kcli, unkeyed(), keyed("k1"))
    with sql(db_url) as conn:
        conn.execute(text("UPDATE meta SET value = :m WHERE key = 'audit_chain'"),
                     {"m": Chain("k1").mode})

    # whoever holds the key can re-seal: only an anchor printed earlier catches that
    restore(db_url, original)
    with sql(db_url) as conn:
        set_columns(conn, 5, actor="minh")
        reseal(conn, Chain("k1"), start=5)
    new = [r["hash"] for r in db_rows(db_url)]
    assert_intact(kcli, 6, new[5])
    assert_intact(kcli, 6, new[5], anchor=f"4:{hashes[3]}")
    assert_broken(kcli, 5, "seq 5: hash differs from the anchor", anchor=f"5:{hashes[4]}")


@pytest.mark.parametrize("key", [None, "k1"])
def test_a_chain_checked_on_every_core_is_reported_as_in_one_pass(
        db_url: str, dossier: Path, key: str | None, monkeypatch: pytest.MonkeyPatch,
        subtests: pytest.Subtests) -> None:
    """A long chain is checked in stretches, one per core (SQLite), each but the first in a
    worker process; every break is still named at its exact seq, as the one-pass verify
    names it (the one-pass verify is what reports it). Here every chain counts as long and
    the machine has three cores, so the six entries are three stretches of two."""
    from workflow.store import audit as store_audit

    monkeypatch.setattr(store_audit, "PARALLEL_FROM", 1)
    monkeypatch.setattr(store_audit, "CORES", 3)
    started: list[str] = []
    real_popen = store_audit.subprocess.Popen

    def popen(*args: Any, **kwargs: Any) -> Any:
        started.append(" ".join(args[0][1:]))
        return real_popen(*args, **kwargs)

    monkeypatch.setattr(store_audit.subprocess, "Popen", popen)
    kcli = keyed_cli(db_url, key) if key else Cli(db_url)
    if not key:
        kcli.ok("init")
        kcli.ok("directory", "load", str(DIRECTORY))
    hashes = [e["hash"] for e in build_history(kcli, dossier)]
    original = db_rows(db_url)
    started.clear()
    assert_intact(kcli, 6, hashes[5])
    assert_intact(kcli, 6, hashes[5], anchor=f"5:{hashes[4]}")
    on_sqlite = db_url.startswith("sqlite")
    assert started == (["-m workflow.chain"] * 6 if on_sqlite else [])  # 2 per verify
    assert_broken(kcli, 5, "seq 5: hash differs from the anchor", anchor=f"5:{'a' * 64}")
    for case, (tamper, first_bad, problem) in TAMPERINGS.items():
        if key and case == "insert a sealed forgery":
            continue  # sealed without the key: found at the forgery itself (as in one pass)
        with subtests.test(case):
            with sql(db_url) as conn:
                tamper(conn)
            last_good = ([GENESIS, *hashes][first_bad - 1]
                         if case != "insert a sealed forgery" else None)
            assert_broken(kcli, first_bad, problem, head_hash=last_good)
        restore(db_url, original)
    assert_intact(kcli, 6, hashes[5])


def test_service_with_audit_key_writes_and_verifies_a_keyed_chain(
        db_url: str, dossier: Path) -> None:
    keyed = make_service(db_url, audit_key="k1")
    plain = make_service(db_url)
    try:
        keyed.setup.init()
        keyed.setup.load_directory(DIRECTORY)
        item = keyed.items.nominate(Actor("lan"), FLOW, "BN-SGD", "Nguyễn Văn An", "an",
                               {"year": "2026"})["id"]
        keyed.items.attach(Actor("lan"), item, "to_trinh", dossier)
        report = keyed.audit.verify()
        assert (report.ok, report.entries, report.first_bad_seq) == (True, 3, None)
        assert keyed.audit.head() == {"seq": 3, "hash": report.head_hash}
        assert report.head_hash == db_rows(db_url)[2]["hash"]
        bad = plain.audit.verify()
        assert (bad.ok, bad.entries, bad.first_bad_seq) == (False, 0, None)
        assert bad.problem is not None and bad.problem.startswith("key mismatch")
        with pytest.raises(Misconfigured, match="nothing was written"):  # nor appends to it
            plain.items.attach(Actor("lan"), item, "bao_cao", dossier)
        assert keyed.audit.verify().entries == 3
    finally:
        keyed.deps.store.close()
        plain.deps.store.close()


# ---- 4. anchors ---------------------------------------------------------------------------

MALFORMED_ANCHORS = ["x", "6", "6:", ":{h}", "six:{h}", "-1:{h}", " 6:{h}", "6:{h63}",
                     "6:{h}0", "6;{h}", "{h}"]


def test_anchors(cli: Cli, dossier: Path, subtests: pytest.Subtests) -> None:
    hashes = [e["hash"] for e in build_history(cli, dossier)]
    for seq in (1, 3, 6):
        assert_intact(cli, 6, hashes[5], anchor=f"{seq}:{hashes[seq - 1]}")
    assert_intact(cli, 6, hashes[5], anchor=f"4:{hashes[3].upper()}")
    assert_intact(cli, 6, hashes[5], anchor=f"0004:{hashes[3]}")
    assert_broken(cli, 4, "seq 4: hash differs from the anchor", anchor=f"4:{hashes[2]}")
    assert_broken(cli, 99, "anchor seq 99 is beyond the head 6 (truncated)",
                  anchor=f"99:{hashes[5]}", entries=6)
    for pattern in MALFORMED_ANCHORS:
        anchor = pattern.format(h=hashes[5], h63=hashes[5][:63])
        with subtests.test(anchor):
            message = (f"--anchor {anchor!r}: write SEQ:HASH as printed on a notice or decision "
                       "(the hash is 64 hexadecimal characters)")
            error = cli.fails(1, "audit", "verify", "--anchor", anchor)
            assert error == {"type": "InvalidInput", "message": message}
            if pattern in ("x", "6:{h63}"):  # the human form: one line on stderr
                run = cli("audit", "verify", "--anchor", anchor, json_out=False)
                assert (run.exit_code, run.stdout, run.stderr) == (1, "", f"error: {message}\n")


@pytest.mark.parametrize("anchor", ["²:{h}", "0:{h}", "1:" + "g" * 64])
def test_anchor_validation_gaps(cli: Cli, anchor: str) -> None:
    digest = cli.ok("audit", "head")["hash"]
    error = cli.fails(1, "audit", "verify", "--anchor", anchor.format(h=digest))
    assert error["type"] == "InvalidInput"


def test_audit_log_survives_a_tampered_time(cli: Cli) -> None:
    with sql(cli.db) as conn:
        set_columns(conn, 1, at="yesterday")
    assert cli.ok("audit", "log")[0]["at"] == "yesterday"


# ---- 5. export ----------------------------------------------------------------------------

def _csv_matches_log(rows: list[list[str]], log: list[dict[str, Any]]) -> None:
    assert rows[0] == CSV_HEADER
    assert len(rows) == len(log) + 1
    previous = "0" * 64
    for row, entry in zip(rows[1:], log, strict=True):
        record = dict(zip(CSV_HEADER, row, strict=True))
        assert record["seq"] == str(entry["seq"])
        # the stored form: the UTC text that was hashed, the same instant as the log shows
        assert record["at"].endswith("+00:00")
        assert datetime.fromisoformat(record["at"]) == datetime.fromisoformat(entry["at"])
        assert record["prev_hash"] == previous
        previous = record["hash"]
        assert record["actor"] == entry["actor"]
        assert record["action"] == entry["action"]
        assert record["nomination"] == (entry["nomination"] or "")
        assert record["from"] == (entry["from"] or "")
        assert record["to"] == (entry["to"] or "")
        assert json.loads(record["payload"]) == entry["payload"]
        assert record["hash"] == entry["hash"]


def test_export_jsonl_to_a_file_and_to_stdout(cli: Cli, dossier: Path, tmp_path: Path) -> None:
    log = build_history(cli, dossier)
    out = tmp_path / "audit.jsonl"
    summary = cli.ok("audit", "export", "--format", "jsonl", "--out", str(out))
    assert summary == {"out": str(out), "entries": 6, "format": "jsonl"}
    lines = out.read_text(encoding="utf-8").splitlines()
    exported = [json.loads(line) for line in lines]
    assert [list(e) for e in exported] == [CSV_HEADER] * len(log)
    for stored, entry in zip(exported, log, strict=True):
        assert (stored["seq"], stored["hash"]) == (entry["seq"], entry["hash"])
        assert datetime.fromisoformat(stored["at"]) == datetime.fromisoformat(entry["at"])
        assert json.loads(stored["payload"]) == entry["payload"]  # canonical text, as hashed
    assert "Nguyễn Văn An" in lines[1]  # UTF-8 as is, not \u escapes
    # an inspector re-verifies the file offline, and catches an edit in it
    assert cli.ok("audit", "verify", "--export", str(out))["ok"] is True
    exported[2]["actor"] = "mallory"
    forged = tmp_path / "forged.jsonl"
    forged.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in exported),
                      encoding="utf-8")
    report = report_of(cli("audit", "verify", "--export", str(forged)))
    assert (report["ok"], report["first_bad_seq"]) == (False, 3)
    run = cli("audit", "export", json_out=False)  # jsonl is the default format
    assert run.exit_code == 0
    assert run.stdout.splitlines() == lines
    human = cli("audit", "export", "--out", str(tmp_path / "again.jsonl"), json_out=False)
    assert (human.exit_code, human.stdout) == (0, f"wrote 6 entries to {tmp_path}/again.jsonl\n")
    assert (tmp_path / "again.jsonl").read_text(encoding="utf-8").splitlines() == lines
    bad = cli("audit", "export", "--format", "xml", "--out", str(tmp_path / "a.xml"),
              json_out=False)
    assert bad.exit_code == 2
    assert not (tmp_path / "a.xml").exists()


def test_export_csv_to_a_file_and_to_stdout(cli: Cli, dossier: Path, tmp_path: Path) -> None:
    build_history(cli, dossier)
    item = nominate(cli, "bich")  # a comment with a comma, quotes and a newline: CSV must quote it
    cli.ok("fire", item, "withdraw", "--comment", 'Rút hồ sơ, vì "lý do" cá nhân\ndòng 2',
           user="lan")
    log = cli.ok("audit", "log")
    out = tmp_path / "audit.csv"
    assert cli.ok("audit", "export", "--format", "csv", "--out", str(out)) == {
        "out": str(out), "entries": len(log), "format": "csv"}
    with out.open(encoding="utf-8", newline="") as handle:
        from_file = list(csv.reader(handle))
    _csv_matches_log(from_file, log)
    assert cli.ok("audit", "verify", "--export", str(out))["ok"] is True
    assert json.loads(from_file[-1][7])["comment"] == 'Rút hồ sơ, vì "lý do" cá nhân\ndòng 2'
    run = cli("audit", "export", "--format", "csv", json_out=False)
    assert run.exit_code == 0
    assert list(csv.reader(io.StringIO(run.stdout))) == from_file


# ---- 6. properties (plain in-memory SQLite, no fixtures) ----------------------------------

SAMPLES = ["Nguyễn Thị Lan", "Trần Văn Hùng", "Tờ trình đề nghị", "Đã duyệt ✅", "🏅🇻🇳",
           'say "xin chào"', "it's", "back\\slash", "tab\tnew\nline", "", "null", "[1,2]",
           '"]', "ờ", "\u00a0"]
# any UTF-8-encodable character (so no lone surrogates) but NUL, which PostgreSQL text refuses
plain_text = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"),
                     max_size=12)
words = st.one_of(st.sampled_from(SAMPLES), plain_text)
optional_words = st.none() | words
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False) | words,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(words, inner, max_size=3),
    max_leaves=8)
payloads = st.dictionaries(words, json_values, max_size=4)
instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31),
                        timezones=st.just(UTC))
entries = st.tuples(instants, words, words, optional_words, optional_words, optional_words,
                    payloads)
keys = st.none() | st.sampled_from(["k1", "khóa bí mật 🔑"]) | plain_text.filter(bool)
hex64 = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
relaxed = settings(max_examples=40, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def chain_db(items: list[Any], key: str | None) -> Iterator[Connection]:
    """A fresh in-memory database holding ``items`` appended by the store's AuditRepo in one go."""
    engine = make_engine("sqlite://")  # the store's engine: it opens the transaction itself
    try:
        metadata.create_all(engine, tables=[metadata.tables["audit_entry"],
                                            metadata.tables["meta"]])
        with engine.begin() as conn:
            writer = AuditRepo(Raw(conn, "sqlite"), Chain(key))
            for seq, (at, actor, action, nom, frm, to, payload) in enumerate(items, start=1):
                appended = writer.append(at, actor, action, nom, frm, to, payload)
                assert appended.seq == seq
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def verify(conn: Connection, chain: Chain, anchor: tuple[int, str] | None = None
           ) -> VerifyReport:
    """The store's check over the rows as stored (what ``award audit verify`` streams)."""
    rows = conn.execute(text(f"SELECT {', '.join(COLUMNS)} FROM audit_entry ORDER BY seq"))
    return verify_rows((tuple(r) for r in rows), chain,
                       anchors=[Anchor(*anchor)] if anchor else ())


def check(conn: Connection, key: str | None) -> tuple[bool, int | None, int]:
    report = verify(conn, Chain(key))
    return report.ok, report.first_bad_seq, report.entries


@relaxed
@given(items=st.lists(entries, min_size=0, max_size=10), key=keys)
def test_property_an_untouched_chain_verifies(items: list[Any], key: str | None) -> None:
    with chain_db(items, key) as conn:
        rows = rows_of(conn)
        assert check(conn, key) == (True, None, len(items))
        report = verify(conn, Chain(key), anchor=(len(items), rows[-1]["hash"])) if rows else None
        assert report is None or report.ok
        for (at, actor, action, nom, frm, to, payload), row in zip(items, rows, strict=True):
            assert (row["actor"], row["action"], row["nomination"], row["from_state"],
                    row["to_state"]) == (actor, action, nom, frm, to)
            assert json.loads(row["payload"]) == payload
            assert datetime.fromisoformat(row["at"]) == at


def _edit_value(data: st.DataObject, column: str, old: Any) -> Any:
    if column in ("prev_hash", "hash"):
        return data.draw(hex64.filter(lambda v: v != old))
    if column in ("nomination", "from_state", "to_state"):
        return data.draw(optional_words.filter(lambda v: v != old))
    if column == "at":
        return data.draw(instants.map(lambda t: t.isoformat(timespec="microseconds"))
                         .filter(lambda v: v != old))
    return data.draw(words.filter(lambda v: v != old))


@relaxed
@given(items=st.lists(entries, min_size=2, max_size=10), key=keys, data=st.data())
def test_property_one_tampering_is_found_at_the_first_affected_seq(
        items: list[Any], key: str | None, data: st.DataObject) -> None:
    n = len(items)
    kind = data.draw(st.sampled_from(["edit", "renumber", "delete", "swap", "insert sealed",
                                      "insert junk", "append unsealed"]))
    with chain_db(items, key) as conn:
        if kind == "edit":
            k = data.draw(st.integers(1, n))
            column = data.draw(st.sampled_from(CONTENT))
            set_columns(conn, k, **{column: _edit_value(data, column, row_at(conn, k)[column])})
            expected = k
        elif kind == "renumber":  # move row k past the end
            k = data.draw(st.integers(1, n))
            set_columns(conn, k, seq=n + data.draw(st.integers(1, 5)))
            expected = k
        elif kind == "delete":
            k = data.draw(st.integers(1, n - 1))
            delete(conn, k)
            expected = k
        elif kind == "swap":
            i, j = sorted(data.draw(st.lists(st.integers(1, n), min_size=2, max_size=2,
                                             unique=True)))
            swap(conn, i, j)
            expected = i
        elif kind == "insert sealed":  # even with the key, the next row's prev_hash differs
            k = data.draw(st.integers(1, n))
            insert_at(conn, k, _forged(conn, k, Chain(key)))
            expected = k + 1
        elif kind == "insert junk":
            k = data.draw(st.integers(1, n))
            insert_at(conn, k, _forged(conn, k, None))
            expected = k
        else:  # a forger without the key appends an entry sealed with plain sha256
            forged = _forged(conn, n + 1, Chain(None))
            insert_at(conn, n + 1, forged)
            if key:
                expected = n + 1
            else:
                assert check(conn, key) == (True, None, n + 1)  # indistinguishable: anchors
                return
        conn.commit()
        assert check(conn, key) == (False, expected, expected - 1)


LINK_FIELDS = ("prev_hash", "seq", "at", "actor", "action", "nomination", "from_state",
               "to_state", "payload")
link_args = st.fixed_dictionaries({
    "prev_hash": hex64, "seq": st.integers(1, 10**12), "at": words, "actor": words,
    "action": words, "nomination": optional_words, "from_state": optional_words,
    "to_state": optional_words, "payload": payloads.map(
        lambda p: json.dumps(p, ensure_ascii=False, separators=(",", ":"), sort_keys=True)),
})


@relaxed
@given(args=link_args, key=keys, data=st.data())
def test_property_the_hash_depends_on_every_field(
        args: dict[str, Any], key: str | None, data: st.DataObject) -> None:
    chain = Chain(key)
    original = chain.link(**args)
    assert HEX64.fullmatch(original)
    field = data.draw(st.sampled_from(LINK_FIELDS))
    new: Any
    if field == "seq":
        new = data.draw(st.integers(0, 10**12).filter(lambda v: v != args["seq"]))
    elif field == "prev_hash":
        new = data.draw(hex64.filter(lambda v: v != args["prev_hash"]))
    elif field in ("nomination", "from_state", "to_state"):
        new = data.draw(optional_words.filter(lambda v: v != args[field]))
    else:
        new = data.draw(words.filter(lambda v: v != args[field]))
    assert chain.link(**{**args, field: new}) != original
    other_key = data.draw(keys.filter(lambda k: (k or None) != (key or None)))
    assert Chain(other_key).link(**args) != original


@relaxed
@given(args=link_args, data=st.data())
def test_property_moving_text_between_fields_changes_the_hash(
        args: dict[str, Any], data: st.DataObject) -> None:
    """The head is a JSON array, so shifting characters across a boundary is not a collision."""
    chain = Chain(None)
    original = chain.link(**args)
    pairs = [("at", "actor"), ("actor", "action"), ("action", "payload")]
    left, right = data.draw(st.sampled_from(pairs))
    if not args[left]:
        return
    cut = data.draw(st.integers(0, len(args[left]) - 1))
    moved = {**args, left: args[left][:cut], right: args[left][cut:] + args[right]}
    assert chain.link(**moved) != original
