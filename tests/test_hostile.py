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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import argon2
import pytest
from fastapi.testclient import TestClient

from tests.conftest import ROOT, Cli, make_service
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
    assert "doanh-nghiep.yaml:21:48: field 'year' min must " in run.stdout  # a number, in range


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
