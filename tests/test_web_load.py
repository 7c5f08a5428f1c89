"""A burst of concurrent clients against a real ``award serve`` on 127.0.0.1, on both stores.

A server that kept one database connection per worker thread broke for good after one burst
of about 20 concurrent requests (the pool ran dry and stayed dry). Here 50 clients share 5,000
requests; every one must be answered normally, and the server must answer normally afterwards.
Loops are bounded in count and in time.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import DIRECTORY, NOW, ROOT, Cli
from tests.test_web_browser import PASSWORD, free_port, wait_until_up

CLIENTS = 50
REQUESTS = 5_000
DEADLINE_S = 600.0  # the whole burst; a healthy server needs a small part of it
# what a visitor and a script read: the notice board, a notice, a nominee, the API's lists,
# the award lookup (also searched by a name in odd Unicode) and the receipt lookup form
ODD_NAME = "/lookup?name=%E1%BB%B2%CC%81%F0%9F%98%80%E2%80%AE&year=2026"
PATHS = ("/", "/healthz", "/api/notices", "/notices/1", "/nominees/1", "/login", "/lookup",
         ODD_NAME, "/receipts")

pytestmark = [pytest.mark.slow]


@pytest.fixture
def served(db_url: str, tmp_path: Path) -> Iterator[tuple[str, Cli]]:
    cli = Cli(db_url)
    cli.ok("init")
    cli.ok("directory", "load", str(DIRECTORY))
    for name in ("Lê Thị Hồng", "Phạm Văn Đức"):
        cli.ok("nominate", "khen-thuong-dot-xuat", "--unit", "BN-SGD", "--nominee", name,
               "--set", "deed=Cứu người trong lũ", user="lan")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    env = {**os.environ, "AWARD_DB": db_url, "AWARD_NOW": NOW, "AWARD_FLOWS": ""}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "workflow", "serve", "--host", "127.0.0.1", "--port",
             str(port)], env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        wait_until_up(url, process, log)
        yield url, cli
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
    assert "Traceback" not in log.read_text(encoding="utf-8", errors="replace")


def _get(conn: http.client.HTTPConnection, path: str) -> int:
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return response.status


def _burst(port: int) -> tuple[Counter[tuple[str, int | str]], int]:
    """50 clients, each on its own keep-alive connection, share 5,000 requests."""
    counts: Counter[tuple[str, int | str]] = Counter()
    lock = threading.Lock()
    issued = 0
    deadline = time.monotonic() + DEADLINE_S

    def client(number: int) -> None:
        nonlocal issued
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            while time.monotonic() < deadline:
                with lock:
                    if issued >= REQUESTS:
                        return
                    issued += 1
                    path = PATHS[(issued + number) % len(PATHS)]
                try:
                    outcome: int | str = _get(conn, path)
                except (OSError, http.client.HTTPException) as exc:
                    outcome = type(exc).__name__
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                with lock:
                    counts[(path, outcome)] += 1
        finally:
            conn.close()

    _together(CLIENTS, client)
    return counts, issued


def _together(clients: int, client: Callable[[int], None]) -> None:
    """``client(0)`` … ``client(clients - 1)``, each in a thread of its own, all at once."""
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DEADLINE_S + 120)


def test_fifty_clients_share_five_thousand_requests_without_an_error(
        served: tuple[str, Cli]) -> None:
    url, _cli = served
    port = int(url.rsplit(":", 1)[1])
    counts, issued = _burst(port)
    assert issued == REQUESTS, f"only {issued} requests in {DEADLINE_S:.0f}s"
    expected = {"/": 200, "/healthz": 200, "/api/notices": 200, "/notices/1": 404,
                "/nominees/1": 404, "/login": 200, "/lookup": 200, ODD_NAME: 200,
                "/receipts": 200}
    wrong = {key: n for key, n in counts.items() if expected[key[0]] != key[1]}
    assert not wrong, wrong
    assert sum(counts.values()) == REQUESTS
    # and afterwards, single requests are answered at once, as before the burst
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        for path in PATHS:
            started = time.monotonic()
            assert _get(conn, path) == expected[path]
            assert time.monotonic() - started < 10
    finally:
        conn.close()


def test_healthz_fails_while_the_database_cannot_be_used(served: tuple[str, Cli]) -> None:
    url, cli = served
    port = int(url.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        assert _get(conn, "/healthz") == 200
        _rename_meta(cli.db, "meta", "meta_gone")
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        body = response.read().decode()
        assert response.status == 503 and '"ok":false' in body
        _rename_meta(cli.db, "meta_gone", "meta")
        assert _get(conn, "/healthz") == 200
    finally:
        conn.close()


def _rename_meta(db_url: str, old: str, new: str) -> None:
    """Take the engine's own table away (and give it back) from another connection."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))
    finally:
        engine.dispose()


def test_healthz_answers_for_an_initialised_database_only(db_url: str) -> None:
    from tests.conftest import make_service

    service = make_service(db_url)
    try:
        with pytest.raises(Exception) as caught:
            service.setup.health()
        assert type(caught.value).__name__ == "StoreUnavailable"
        service.setup.init()
        service.setup.health()
    finally:
        service.deps.store.close()


__all__ = ["NOW"]


SESSIONS = 8
PAGES_EACH = 100


def test_signed_in_sessions_in_a_burst_each_see_their_own_item_page(
        served: tuple[str, Cli]) -> None:
    """Eight sessions of one officer read the same item page together, again and again (a
    page kept per session, answered on the event loop on SQLite): every answer is the page,
    and each carries its own session's CSRF token, never another's."""
    import re

    from workflow.bench import _sign_in

    url, cli = served
    port = int(url.rsplit(":", 1)[1])
    done = subprocess.run([sys.executable, "-m", "workflow", "passwd", "lan", "--password-stdin"],
                          input=f"{PASSWORD}\n".encode(), capture_output=True, check=False,
                          cwd=ROOT, timeout=60,
                          env={**os.environ, "AWARD_DB": cli.db, "AWARD_NOW": NOW,
                               "AWARD_FLOWS": ""})
    assert done.returncode == 0, done.stderr.decode()
    cookies = [_sign_in(port, "lan", PASSWORD) for _ in range(SESSIONS)]
    token = re.compile(r'name="csrf_token" value="([^"]+)"')
    seen: list[set[str]] = [set() for _ in range(SESSIONS)]
    failures: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + DEADLINE_S

    def client(number: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            for _ in range(PAGES_EACH):
                if time.monotonic() > deadline:
                    return
                conn.request("GET", "/items/1", headers={"Cookie": cookies[number]})
                response = conn.getresponse()
                body = response.read().decode()
                with lock:
                    if response.status != 200:
                        failures.append(f"{number}: {response.status}")
                    seen[number].update(token.findall(body))
        finally:
            conn.close()

    _together(SESSIONS, client)
    assert not failures, failures[:5]
    assert all(len(tokens) == 1 for tokens in seen), seen  # one token a session, every time
    assert len(set().union(*seen)) == SESSIONS  # and no session was shown another's
