"""Reproductions of attacks found by adversarial passes, one per finding, on both stores.

Each test replays the hostile input as an attacker would send it (a web request, a command,
a file) and checks the engine answers with a clean error and stays usable.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import argon2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from tests.conftest import DIRECTORY, ROOT, Cli, make_service
from workflow.errors import Misconfigured
from workflow.keys import KeySource
from workflow.service import Actor, Service
from workflow.web import create_app

HUGE_NUMBERS = ["1e30000000", "-1e30000000", "9" * 5000, "1" + "0" * 4400, "1e400",
                "Infinity", "NaN", "9223372036854775808"]


@pytest.fixture
def api(service: Service, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The web API on the sample directory, with ``dn`` (an enterprise's officer) signed in
    by HTTP Basic."""
    monkeypatch.setattr(argon2, "PasswordHasher", functools.partial(
        argon2.PasswordHasher, time_cost=1, memory_cost=1024, parallelism=1))
    service.accounts.set_password("dn", "mật-khẩu-thử")
    with TestClient(create_app(service, secret_key="k" * 32)) as client:
        client.auth = ("dn", "mật-khẩu-thử")
        yield client


def _nominate_enterprise(client: TestClient, growth: Any) -> Any:
    return client.post("/api/items", json={
        "flow": "doanh-nghiep", "unit": "BN-DN-VIGLACERA", "nominee": "Viglacera",
        "fields": {"year": 2026, "rating": "HTXS", "tax_id": "2300100000",
                   "revenue_growth": growth}})


@pytest.mark.parametrize("value", HUGE_NUMBERS)
def test_a_huge_number_is_refused_at_once_and_the_server_keeps_answering(
        api: TestClient, value: str) -> None:
    """High 1: "1e30000000" made the number check build a 30-million-digit integer and the
    server stopped answering for minutes. The value is bounded before it is converted."""
    done: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: done.update(r=_nominate_enterprise(api, value)))
    worker.start()
    worker.join(timeout=30)  # a generous bound: the fix answers in milliseconds
    assert not worker.is_alive(), "the number check did not return"
    response = done["r"]
    assert response.status_code == 422, response.text
    message = response.json()["error"]["message"]
    assert "revenue_growth" in message and len(message) < 200
    assert api.get("/healthz").status_code == 200


def test_json_numbers_beyond_64_bits_and_non_finite_floats_are_refused(api: TestClient) -> None:
    for value in (10**19, -(10**19), 10**4000):
        assert _nominate_enterprise(api, value).status_code == 422
    for literal in ("1e400", "-1e400", "1" * 5000):  # what a hand-written body may hold
        body = ('{"flow": "doanh-nghiep", "unit": "BN-DN-VIGLACERA", "nominee": "V", '
                '"fields": {"year": 2026, "revenue_growth": ' + literal + '}}')
        response = api.post("/api/items", content=body,
                            headers={"content-type": "application/json"})
        assert response.status_code in (400, 422), (literal[:10], response.text)
    created = _nominate_enterprise(api, 12.5)
    assert created.status_code == 201
    assert api.get(f"/api/items/{created.json()['id']}").json()["fields"][
        "revenue_growth"] == 12.5


@pytest.mark.parametrize("value", HUGE_NUMBERS)
def test_award_update_refuses_a_huge_number(cli: Cli, value: str) -> None:
    item = cli.ok("nominate", "doanh-nghiep", "--unit", "BN-DN-VIGLACERA", "--nominee",
                  "Viglacera", "--set", "year=2026", user="dn")["id"]
    error = cli.fails(1, "update", item, "--set", f"revenue_growth={value}", user="dn")
    assert error["type"] == "InvalidInput" and "revenue_growth" in error["message"]
    assert len(error["message"]) < 200
    assert cli.fails(1, "update", item, "--set", f"year={value}", user="dn")["type"] == \
        "InvalidInput"
    assert cli.ok("show", item)["fields"] == {"year": 2026}


def test_integer_fields_keep_their_bounds_and_their_type(service: Service) -> None:
    officer = Actor("dn")
    item = service.items.nominate(officer, "doanh-nghiep", "BN-DN-VIGLACERA", "Viglacera", None,
                            {"year": "2026", "revenue_growth": "1e3"})
    assert service.items.show(item["id"])["fields"] == {"year": 2026, "revenue_growth": 1000}
    for year in ("1999", "2101", "2026.0", "+", "1_000", "２０２６"):
        with pytest.raises(Exception) as caught:
            service.items.update(officer, item["id"], {"year": year})
        assert type(caught.value).__name__ == "InvalidInput", year


@pytest.mark.parametrize("bound", ["1e999", "-.inf", ".nan", "99999999999999999999"])
def test_a_field_bound_beyond_64_bits_is_a_load_error(tmp_path: Any, bound: str) -> None:
    cli = Cli(f"sqlite:///{tmp_path / 'unused.db'}")  # validating needs no database
    source = (ROOT / "definitions" / "flows" / "doanh-nghiep.yaml").read_text(encoding="utf-8")
    flow = tmp_path / "doanh-nghiep.yaml"
    flow.write_text(source.replace("min: 2000, max: 2100", f"min: {bound}, max: 2100"),
                    encoding="utf-8")
    run = cli("flows", "validate", str(flow), json_out=False)
    assert run.exit_code == 1
    line = source[:source.index("min: 2000, max: 2100")].count("\n") + 1
    assert f"doanh-nghiep.yaml:{line}:48: field 'year' min must " in run.stdout  # a number


# ---- High 3: sessions cannot be forged by someone who can read the database ------------------

def _every_stored_text(service: Service) -> set[str]:
    """Every text value in every table, as someone holding the database files reads them."""
    from workflow.store import tables

    found: set[str] = set()
    for table in tables.metadata.tables:
        for row in service.deps.run(lambda tx, t=table: tx.raw.all(f"SELECT * FROM {t}")):
            found |= {v for v in row if isinstance(v, str)}
            found |= {v.decode("latin-1") for v in row if isinstance(v, bytes)}
    return found


def test_reading_the_database_gives_nothing_to_forge_a_session_with(api: TestClient,
                                                                   service: Service) -> None:
    from itsdangerous import TimestampSigner

    page = api.get("/login").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    signed_in = api.post("/login", data={"login": "dn", "password": "mật-khẩu-thử",
                                         "csrf_token": token, "next": "/me"},
                         follow_redirects=False)
    assert signed_in.status_code == 303
    api.auth = None  # from now on only the cookie speaks for the browser
    assert api.get("/api/me").status_code == 200
    cookie = api.cookies["award_session"]
    session_token = json.loads(base64.b64decode(cookie.split(".")[0] + "=="))["token"]
    stored = _every_stored_text(service)
    # neither the browser's token nor the key that signs cookies is in the database
    assert not any(session_token in value for value in stored)
    assert not any(service.accounts.session_key() in value for value in stored)
    # a cookie signed with anything the database holds, carrying what the database knows
    # of the person's session (its hash, the password hash's digest), is refused
    hashed = service.deps.run(lambda tx: tx.raw.one(
        "SELECT token_hash FROM web_session WHERE login = 'dn'"))[0]
    password_hash = service.deps.run(lambda tx: tx.directory.person("dn"))["password_hash"]
    stamp = hashlib.sha256(f"{password_hash}\n".encode()).hexdigest()[:32]
    payload = base64.b64encode(json.dumps({"token": hashed, "login": "dn",
                                           "stamp": stamp}).encode())
    for candidate in sorted(stored):
        forged = TimestampSigner(candidate).sign(payload).decode()
        with TestClient(api.app) as thief:
            thief.cookies.set("award_session", forged)
            assert thief.get("/api/me").status_code == 401


def test_a_session_ends_on_sign_out_and_on_a_new_password(api: TestClient,
                                                          service: Service) -> None:
    first = service.accounts.open_session("dn", 3600)
    second = service.accounts.open_session("dn", 3600)
    assert service.accounts.session_person(first)["login"] == "dn"  # type: ignore[index]
    service.accounts.sign_out("dn")
    assert service.accounts.session_person(first) is None
    assert service.accounts.session_person(second) is None
    third = service.accounts.open_session("dn", 3600)
    service.accounts.set_password("dn", "một-mật-khẩu-mới")
    assert service.accounts.session_person(third) is None
    assert service.accounts.session_person("not-a-token") is None


def test_award_init_creates_the_sqlite_file_for_its_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "award.db"
    Cli(f"sqlite:///{database}").ok("init")
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    for log in (tmp_path / "award.db-wal", tmp_path / "award.db-shm"):
        assert not log.exists() or stat.S_IMODE(log.stat().st_mode) == 0o600
    older = tmp_path / "older.db"  # a database made by an earlier release, readable by all
    Cli(f"sqlite:///{older}").ok("init")
    older.chmod(0o644)
    Cli(f"sqlite:///{older}").ok("init")
    assert stat.S_IMODE(older.stat().st_mode) == 0o600


def test_the_key_file_is_made_once_for_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "award" / "secret.key"
    first = KeySource(path=path)
    key = first.key()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert KeySource(path=path).key() == key and len(key) == 32
    assert KeySource(path=path).derive("a") != KeySource(path=path).derive("b")
    with pytest.raises(Misconfigured, match="at least 32 characters"):
        KeySource(secret="short").key()
    path.write_text("not hex\n")
    with pytest.raises(Misconfigured, match="cannot read the key file"):
        KeySource(path=path).key()


def test_a_process_with_another_key_is_refused(service: Service, tmp_path: Path,
                                               db_url: str) -> None:
    service.accounts.session_key()  # the database now knows the run's key by its fingerprint
    other = make_service(db_url)
    other.deps.keys = KeySource(secret="x" * 40)
    try:
        with pytest.raises(Misconfigured, match="another installation key"):
            other.accounts.session_key()
    finally:
        other.deps.store.close()


# ---- Medium 5: definitions that cost memory or time to read -------------------------------

def _flow_text(replace: dict[str, str] | None = None) -> str:
    text = (ROOT / "definitions" / "flows" / "khen-thuong-dot-xuat.yaml").read_text(
        encoding="utf-8")
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def test_scalar_aliases_cannot_blow_a_small_file_up(tmp_path: Path) -> None:
    """A 10 KB scalar named once and repeated 2,000 times is 20 MB read and hashed."""
    flow = tmp_path / "khen-thuong-dot-xuat.yaml"
    big = "x" * 10_000
    body = _flow_text() + "\n# " + "\n".join(["padding"])
    body = body.replace("title:", f"description: {{vi: &big \"{big}\"}}\ntitle:", 1)
    body += "\nx-refs: [" + ", ".join(["*big"] * 2_000) + "]\n"
    flow.write_text(body, encoding="utf-8")
    started = time.monotonic()
    run = Cli(f"sqlite:///{tmp_path / 'unused.db'}")("flows", "validate", str(flow),
                                                     json_out=False)
    assert run.exit_code == 1
    assert "aliases repeat more than 100,000 characters" in run.stdout
    assert time.monotonic() - started < 60  # a bound on the attack, not a speed check


@pytest.mark.parametrize("what", ["huge", "device", "nul", "long-id", "long-state",
                                  "deadline", "message-template"])
def test_definitions_that_validated_but_broke_later_are_load_errors(tmp_path: Path,
                                                                    what: str) -> None:
    folder = tmp_path / "flows"
    folder.mkdir()
    flow = folder / "khen-thuong-dot-xuat.yaml"
    expected = {
        "huge": "larger than 1024 KiB",
        "device": "not a regular file",
        "nul": "must not contain control characters",
        "long-id": "flow id",
        "long-state": "is not well formed",
        "deadline": "must be at most 3660",
        "message-template": "is not a document template",
    }[what]
    if what == "huge":
        flow.write_text(_flow_text() + "#" * (1024 * 1024 + 1), encoding="utf-8")
    elif what == "device":
        flow.symlink_to("/dev/zero")
    elif what == "nul":
        flow.write_text(_flow_text({'vi: "Khen thưởng đột xuất"': 'vi: "Khen\\0 thưởng"'}),
                        encoding="utf-8")
    elif what == "long-id":
        flow = folder / ("k" * 70 + ".yaml")
        flow.write_text(_flow_text({"flow: khen-thuong-dot-xuat": "flow: " + "k" * 70}),
                        encoding="utf-8")
    elif what == "long-state":
        flow.write_text(_flow_text().replace("submitted", "s" * 70), encoding="utf-8")
    elif what == "deadline":
        flow.write_text(_flow_text({"working_days: 2": "working_days: 1000000000"}),
                        encoding="utf-8")
    else:
        flow.write_text(_flow_text({"render: [decision.html.j2]":
                                    "render: [escalation.txt.j2]"}), encoding="utf-8")
    started = time.monotonic()
    run = Cli(f"sqlite:///{tmp_path / 'unused.db'}")("flows", "validate", str(flow),
                                                     json_out=False)
    assert run.exit_code == 1, run.stdout
    assert expected in run.stdout, run.stdout
    assert max(len(line) for line in run.stdout.splitlines()) < 400  # values cut short
    assert time.monotonic() - started < 60


# ---- Medium 6 and 7: key mix-ups, truncation, re-sealing ----------------------------------

def _history(cli: Cli, dossier: Path) -> str:
    item = cli.ok("nominate", "chien-si-thi-dua-co-so", "--unit", "BN-SGD", "--nominee",
                  "Nguyễn Văn An", "--person", "an", "--set", "year=2026", "--set",
                  "rating=HTXS", user="lan")["id"]
    for doctype in ("to_trinh", "bao_cao"):
        cli.ok("attach", item, doctype, str(dossier), user="lan")
    cli.ok("fire", item, "submit", user="lan")
    return str(item)


def test_a_process_without_the_audit_key_refuses_to_append(db_url: str, dossier: Path
                                                           ) -> None:
    keyed = Cli(db_url, env={"AWARD_AUDIT_KEY": "khoá-của-sở"})
    keyed.ok("init")
    keyed.ok("directory", "load", str(DIRECTORY))
    item = _history(keyed, dossier)
    head = keyed.ok("audit", "head")
    for other in ({"AWARD_AUDIT_KEY": ""}, {"AWARD_AUDIT_KEY": "khoá-khác"}):
        error = Cli(db_url, env=other).fails(1, "fire", item, "accept", user="thu")
        assert error["type"] == "Misconfigured" and "nothing was written" in error["message"]
        assert keyed.ok("audit", "head") == head  # nothing appended
        verdict = Cli(db_url, env=other)("audit", "verify").json()
        assert verdict["ok"] is False and verdict["problem"].startswith("key mismatch")
    assert keyed.ok("audit", "verify")["ok"] is True


def _sql(db_url: str, *statements: str) -> None:
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def test_verify_notices_a_deleted_tail_an_emptied_table_and_a_resealed_chain(
        cli: Cli, dossier: Path, tmp_path: Path) -> None:
    from workflow.store.audit import Chain

    item = _history(cli, dossier)
    cli.ok("fire", item, "accept", user="thu")
    for member in ("minh", "hoa", "nam", "binh", "thu"):
        cli.ok("vote", item, "yes", user=member)  # the round closes: minutes embed the head
    assert cli.ok("audit", "verify")["ok"] is True
    witness = tmp_path / "witness.jsonl"
    cli.ok("audit", "witness", str(witness))
    head = cli.ok("audit", "head")["seq"]
    rows = _rows(cli.db)
    embedded = max(seq for (seq,) in _select(cli.db, "SELECT audit_seq FROM rendered_document"))
    assert 0 < embedded < head

    # the tail, from the entry the minutes embed: the chain alone is consistent
    _sql(cli.db, f"DELETE FROM audit_entry WHERE seq >= {embedded}")
    verdict = cli("audit", "verify").json()
    assert verdict["ok"] is False and "(truncated)" in verdict["problem"]
    assert verdict["first_bad_seq"] == embedded
    _restore(cli.db, rows)

    # the whole table: an empty chain in a database with items is not "ok"
    _sql(cli.db, "DELETE FROM audit_entry")
    verdict = cli("audit", "verify").json()
    assert verdict["ok"] is False and "the chain is empty" in verdict["problem"]
    _restore(cli.db, rows)

    # an edit sealed again from there on (no key): the documents' heads no longer match
    chain = Chain(None)
    _sql(cli.db, "UPDATE audit_entry SET actor = 'minh' WHERE seq = 3")
    prev = next(r for r in _rows(cli.db) if r[0] == 2)[9]
    for row in [r for r in _rows(cli.db) if r[0] >= 3]:
        digest = chain.link(prev, *row[:8])
        _sql(cli.db, f"UPDATE audit_entry SET prev_hash = '{prev}', hash = '{digest}' "
                     f"WHERE seq = {row[0]}")
        prev = digest
    verdict = cli("audit", "verify").json()
    assert verdict["ok"] is False and "sealed again" in verdict["problem"]
    # and with the database's own anchors rewritten too, the witness kept elsewhere holds
    _sql(cli.db, "UPDATE rendered_document SET audit_seq = NULL",
         "UPDATE notice SET audit_seq = 0")
    assert cli.ok("audit", "verify")["ok"] is True  # fooled: nothing in the database says
    fooled = cli("audit", "verify", "--witness", str(witness))
    assert fooled.exit_code == 1 and "witnessed in witness.jsonl" in fooled.json()["problem"]
    _restore(cli.db, rows)

    # a witness never goes back: a head behind the last one witnessed is refused
    _sql(cli.db, f"DELETE FROM audit_entry WHERE seq > {head - 2}")
    refused = cli.fails(4, "audit", "witness", str(witness))
    assert "behind the last head witnessed" in refused["message"]
    assert len(witness.read_text(encoding="utf-8").splitlines()) == 1


def _select(db_url: str, statement: str) -> list[tuple[Any, ...]]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(statement))]
    finally:
        engine.dispose()


def _rows(db_url: str) -> list[tuple[Any, ...]]:
    return _select(db_url, "SELECT seq, at, actor, action, nomination, from_state, to_state, "
                           "payload, prev_hash, hash FROM audit_entry ORDER BY seq")


def _restore(db_url: str, rows: list[tuple[Any, ...]]) -> None:
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_entry"))
            conn.execute(text("INSERT INTO audit_entry (seq, at, actor, action, nomination, "
                              "from_state, to_state, payload, prev_hash, hash) VALUES (:s, :a, "
                              ":ac, :an, :n, :f, :t, :p, :ph, :h)"),
                         [dict(zip(("s", "a", "ac", "an", "n", "f", "t", "p", "ph", "h"), r,
                                   strict=True)) for r in rows])
    finally:
        engine.dispose()


# ---- Medium 8: names that break terminal tables ---------------------------------------------

def test_names_reach_the_terminal_as_written_and_never_as_commands(cli: Cli) -> None:
    names = ["[/]", "Trường [tiểu học] Lý Thái Tổ", "[bold]x[/bold]"]
    for name in names:
        cli.ok("nominate", "khen-thuong-dot-xuat", "--unit", "BN-SGD", "--nominee", name,
               "--set", "deed=x", user="lan")
    # a name written before control characters were refused at input (an older database)
    engine = create_engine(cli.db)
    with engine.begin() as conn:
        conn.execute(text("UPDATE nomination SET nominee = :n WHERE id = 3"),
                     {"n": "Đỏ \x1b[31m!"})
    engine.dispose()
    for command in (["list"], ["outbox"], ["notices"], ["audit", "log"]):
        run = cli(*command, json_out=False)
        assert run.exit_code == 0, (command, run.stderr)
        assert "\x1b" not in run.stdout
    listed = cli("list", json_out=False).stdout
    for shown in ("[/]", "[tiểu học]", "Đỏ \ufffd[31m!"):
        assert shown in listed


# ---- Low 9–11: every bad input a clean error --------------------------------------------------

def test_nul_and_control_characters_are_clean_errors(cli: Cli) -> None:
    item = cli.ok("nominate", "khen-thuong-dot-xuat", "--unit", "BN-SGD", "--nominee", "A",
                  "--set", "deed=x", user="lan")["id"]
    for args in (["object", item, "--text", "phản\x00ánh"],
                 ["object", item, "--text", "phản ánh", "--name", "A\x00"],
                 ["nominate", "khen-thuong-dot-xuat", "--unit", "BN-SGD", "--nominee", "A\x00B"],
                 ["update", item, "--set", "deed=a\x00b"],
                 ["fire", item, "submit", "--comment", "x\x07"]):
        error = cli.fails(1, *args, user="lan")
        assert "control characters" in error["message"], args


def test_unwritable_out_paths_and_unknown_drivers_are_clean_errors(cli: Cli, tmp_path: Path
                                                                   ) -> None:
    for args in (["audit", "export", "--out", str(tmp_path / "missing" / "x.jsonl")],
                 ["audit", "export", "--out", str(tmp_path)]):
        error = cli.fails(1, *args)
        assert error["message"].startswith("cannot write"), error
    for url in ("mysql://root@127.0.0.1/test", "oracle://x", "not a url", "sqlite:"):
        run = Cli(url)("init")
        assert run.exit_code == 1 and "error" in run.json(), url


@pytest.mark.parametrize("now", ["9999-12-31T23:59:59+07:00", "0001-01-01T00:00:00+00:00",
                                 "1899-12-31T00:00:00+00:00", "2026-02-12T09:00:00"])
def test_extreme_or_naive_award_now_is_refused(cli: Cli, now: str) -> None:
    error = cli.fails(1, "list", now=now)
    assert "AWARD_NOW" in error["message"]


def test_directory_files_refuse_nul_long_ids_huge_years_and_reserved_logins(
        cli: Cli, tmp_path: Path) -> None:
    cases = {
        "units:\n  - {id: X, name: \"a\\0b\", level: unit, parent: BN}\n":
            "must not contain control characters",
        "units:\n  - {id: " + "X" * 65 + ", name: A, level: unit, parent: BN}\n":
            "longer than 64 characters",
        "people:\n  - {login: " + "a" * 65 + ", name: A}\n": "longer than 64 characters",
        "awards:\n  - {person: lan, award: LDTT, year: 99999999999}\n": "at most 2100",
        "people:\n  - {login: system, name: Hệ thống}\n": "reserved",
        "people:\n  - {login: public, name: Công chúng}\n": "reserved",
        "people:\n  - {login: admin, name: Quản trị}\n": "reserved",
    }
    for body, expected in cases.items():
        path = tmp_path / "add-on.yaml"
        path.write_text(body, encoding="utf-8")
        run = cli("directory", "load", str(path), json_out=False)
        assert run.exit_code == 1, body
        assert f"{path}:" in run.stderr and expected in run.stderr, (body, run.stderr)


def test_malformed_exports_fail_cleanly_and_a_large_csv_reverifies(cli: Cli, dossier: Path,
                                                                   tmp_path: Path) -> None:
    item = cli.ok("nominate", "khen-thuong-dot-xuat", "--unit", "BN-SGD", "--nominee", "A",
                  "--set", "deed=" + "đ" * 9_000, user="lan")["id"]
    for _ in range(20):  # each update's entry carries the long field: > 128 KiB in all
        cli.ok("update", item, "--set", "deed=" + "ê" * 9_000, user="lan")
        cli.ok("update", item, "--set", "deed=" + "ư" * 9_000, user="lan")
    out = tmp_path / "chain.csv"
    cli.ok("audit", "export", "--format", "csv", "--out", str(out))
    assert out.stat().st_size > 128 * 1024
    assert cli.ok("audit", "verify", "--export", str(out))["ok"] is True
    for name, body in (("bad.csv", "seq,at\n1,2\n"), ("bad.jsonl", "{not json\n"),
                       ("bin.csv", "\x00\x01\x02"), ("empty.csv", "")):
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        assert cli.fails(1, "audit", "verify", "--export", str(path))["type"] == "InvalidInput"


def test_attaching_a_device_or_a_huge_file_reads_no_further_than_the_limit(
        cli: Cli, tmp_path: Path) -> None:
    item = cli.ok("nominate", "khen-thuong-dot-xuat", "--unit", "BN-SGD", "--nominee", "A",
                  "--set", "deed=x", user="lan")["id"]
    started = time.monotonic()
    error = cli.fails(1, "attach", item, "to_trinh", "/dev/zero", user="lan")
    assert "not a regular file" in error["message"]
    sparse = tmp_path / "huge.pdf"
    with sparse.open("wb") as handle:  # 8 GiB on paper, no space on disk
        handle.truncate(8 * 2**30)
    error = cli.fails(1, "attach", item, "to_trinh", str(sparse), user="lan")
    assert "larger than 50 MiB" in error["message"]
    long_name = tmp_path / (("tờ-trình-" * 12)[:100] + ".pdf")  # 100 characters, 230 bytes
    long_name.write_bytes(b"x")
    cli.ok("attach", item, "to_trinh", str(long_name), user="lan")
    assert time.monotonic() - started < 60  # a bound on the attack, not a speed check
    assert cli.ok("show", item)["documents"][0]["size"] == 1


def test_an_upload_with_a_long_non_ascii_name_is_kept_under_a_name_that_fits(
        api: TestClient) -> None:
    item = api.post("/api/items", json={
        "flow": "doanh-nghiep", "unit": "BN-DN-VIGLACERA", "nominee": "Viglacera",
        "fields": {"year": 2026}}).json()["id"]
    name = "ữ" * 300 + ".pdf"  # 900 bytes: no file system takes that name
    upload = api.post(f"/api/items/{item}/documents", data={"doctype": "to_trinh"},
                      files={"file": (name, b"abc")})
    assert upload.status_code == 201, upload.text
    kept = upload.json()["file"]
    assert kept.endswith(".pdf") and kept.startswith("ữ")
    assert len(kept.encode("utf-8")) <= 200


def test_a_text_field_takes_text_not_a_list(api: TestClient) -> None:
    created = api.post("/api/items", json={
        "flow": "doanh-nghiep", "unit": "BN-DN-VIGLACERA", "nominee": "Viglacera",
        "fields": {"year": 2026, "tax_id": ["2300100000"]}})
    assert created.status_code == 422
    assert "tax_id" in created.json()["error"]["message"]


def test_one_id_syntax_everywhere(cli: Cli) -> None:
    item = cli.ok("nominate", "khen-thuong-dot-xuat", "--unit", "BN-SGD", "--nominee", "A",
                  "--set", "deed=x", user="lan")["id"]
    assert item == "1"
    for command in (["show", "+1"], ["audit", "log", "+1"], ["show", " 1"], ["show", "1_0"],
                    ["show", "١"], ["audit", "log", "99999999999999999999999"]):
        assert cli.fails(5, *command)["type"] == "NotFound", command


# ---- Low 12: the web's own limits ------------------------------------------------------------

def test_a_signed_in_account_does_not_lift_the_objection_limit(service: Service,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    monkeypatch.setattr(argon2, "PasswordHasher", functools.partial(
        argon2.PasswordHasher, time_cost=1, memory_cost=1024, parallelism=1))
    service.accounts.set_password("an", "mật-khẩu-thử")  # a teacher, not staff anywhere
    item = service.items.nominate(Actor("lan"), "khen-thuong-dot-xuat", "BN-SGD", "A", None,
                                  {"deed": "x"})["id"]
    app = create_app(service, secret_key="k" * 32, objection_limit=(3, 600.0))
    with TestClient(app) as client:
        client.auth = ("an", "mật-khẩu-thử")
        statuses = [client.post(f"/api/items/{item}/objections", json={"text": "Phản ánh"},
                                headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code
                    for n in range(5)]
    # the item is not on notice: refused as not allowed, but counted, then limited
    assert statuses[:3] == [409, 409, 409] and statuses[3:] == [429, 429]


def test_signed_in_answers_are_not_cached(api: TestClient) -> None:
    assert api.get("/api/me").headers["cache-control"] == "no-store"
    with TestClient(api.app) as anonymous:
        assert "cache-control" not in anonymous.get("/").headers
