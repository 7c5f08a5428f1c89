"""Operations: email delivery against a real SMTP server (aiosmtpd, on 127.0.0.1), health and
metrics, log lines, backups and the doctor — on both stores."""

from __future__ import annotations

import email
import email.policy
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from fastapi.testclient import TestClient

from tests.conftest import DIRECTORY, NOW, ROOT, Cli, make_service
from workflow.clock import FixedClock
from workflow.service import Actor, Service
from workflow.service.delivery import MAX_ATTEMPTS
from workflow.web import create_app

EMAILS = """\
people:
  - {login: thu, name: "Phạm Thị Thu", email: "thu@so-giao-duc.example"}
  - {login: minh, name: "Lê Văn Minh", email: "minh@so-giao-duc.example"}
  - {login: hung, name: "Trần Văn Hùng", email: "hung@noi-vu.example"}
"""


@dataclass
class Inbox:
    """What the SMTP server received, and how it should answer the next messages."""

    messages: list[email.message.EmailMessage] = field(default_factory=list)
    refuse: list[str] = field(default_factory=list)  # next answers: "451 …", "550 …"
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.refuse:
                return self.refuse.pop(0)
            self.messages.append(email.message_from_bytes(envelope.content,
                                                          policy=email.policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, str]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


def _service(db_url: str, smtp_url: str | None, tmp_path: Path) -> Service:
    env = {"AWARD_SMTP_URL": smtp_url or "", "AWARD_MAIL_FROM": "Văn phòng <tdkt@bn.example>"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        service = make_service(db_url)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    service.setup.init()
    service.setup.load_directory(DIRECTORY)
    extra = tmp_path / "emails.yaml"
    extra.write_text(EMAILS, encoding="utf-8")
    service.setup.load_directory(extra)
    return service


DOCS = ("to_trinh", "bao_cao", "xac_nhan")


def _submitted(service: Service, name: str, folder: Path) -> str:
    """An ad-hoc nomination with its dossier, submitted: its escalations notify the
    department's secretariat and head."""
    dossier = folder / "dossier.pdf"
    dossier.write_bytes("Hồ sơ".encode())
    item: str = service.items.nominate(Actor("lan"), "khen-thuong-dot-xuat", "BN-SGD", name,
                                       None, {"deed": "Cứu người trong lũ",
                                              "deed_date": "2026-02-01"})["id"]
    for doctype in DOCS:
        service.items.attach(Actor("lan"), item, doctype, dossier)
    service.items.fire(Actor("lan"), item, "submit")
    return item


def _queue_messages(service: Service, folder: Path, count: int = 1) -> None:
    """Overdue items: the sweep writes reminders and escalations to the outbox."""
    clock = service.clock
    assert isinstance(clock, FixedClock)
    for n in range(count):
        _submitted(service, f"Người {n}", folder)
    clock.advance(timedelta(days=20))
    service.timers.escalate()


def test_messages_are_delivered_once_with_a_vietnamese_subject_and_two_parts(
        db_url: str, tmp_path: Path, smtp: tuple[Inbox, str]) -> None:
    inbox, url = smtp
    service = _service(db_url, url, tmp_path)
    try:
        _queue_messages(service, tmp_path)
        queued = list(service.timers.outbox(status="pending"))
        assert queued, "the sweep wrote messages"
        with_address = [m for m in queued if m["recipient"] in ("thu", "minh", "hung")]
        counts = service.timers.deliver()
        assert counts["sent"] == len(with_address) == len(inbox.messages) > 0
        assert counts["no_address"] == len(queued) - len(with_address)
        assert service.timers.deliver()["claimed"] == 0  # nothing twice
        received = inbox.messages[0]
        assert received["Subject"] == next(m["subject"] for m in queued
                                           if m["recipient"] in ("thu", "minh", "hung"))
        assert any(ord(c) > 127 for c in received["Subject"])  # Vietnamese survived encoding
        assert received["From"].addresses[0].addr_spec == "tdkt@bn.example"
        parts = {part.get_content_type() for part in received.walk()}
        assert {"text/plain", "text/html"} <= parts
        assert received["Message-ID"].startswith("<outbox-")
        shown = {m["id"]: m for m in service.timers.outbox()}
        for message in queued:
            status = shown[message["id"]]["status"]
            assert status == ("sent" if message in with_address else "no_address")
            assert shown[message["id"]]["attempts"] == 1
    finally:
        service.close()


def test_a_server_that_fails_then_recovers_gets_the_message_later(
        db_url: str, tmp_path: Path, smtp: tuple[Inbox, str]) -> None:
    inbox, url = smtp
    service = _service(db_url, url, tmp_path)
    try:
        _queue_messages(service, tmp_path)
        addressed = [m for m in service.timers.outbox(status="pending")
                     if m["recipient"] in ("thu", "minh", "hung")]
        inbox.refuse = ["451 4.3.0 try again later"] * len(addressed)
        first = service.timers.deliver()
        assert first["retry"] == len(addressed) and first["sent"] == 0
        waiting = {m["id"]: m for m in service.timers.outbox(status="pending")}
        assert all(waiting[m["id"]]["last_error"] and waiting[m["id"]]["next_attempt_at"]
                   for m in addressed)
        assert service.timers.deliver()["claimed"] == 0  # not before its time
        clock = service.clock
        assert isinstance(clock, FixedClock)
        clock.advance(timedelta(minutes=2))
        second = service.timers.deliver()
        assert second["sent"] == len(addressed) == len(inbox.messages)
        sent = {m["id"]: m for m in service.timers.outbox(status="sent")}
        assert all(sent[m["id"]]["attempts"] == 2 and sent[m["id"]]["last_error"] is None
                   for m in addressed)
    finally:
        service.close()


def test_a_refused_address_fails_at_once_and_a_dead_server_after_the_bound(
        db_url: str, tmp_path: Path, smtp: tuple[Inbox, str]) -> None:
    inbox, url = smtp
    service = _service(db_url, url, tmp_path)
    clock = service.clock
    assert isinstance(clock, FixedClock)
    try:
        _queue_messages(service, tmp_path)
        addressed = [m for m in service.timers.outbox(status="pending")
                     if m["recipient"] in ("thu", "minh", "hung")]
        inbox.refuse = ["550 5.1.1 no such mailbox"] + ["451 4.3.0 busy"] * 100
        service.timers.deliver()
        failed = list(service.timers.outbox(status="failed"))
        assert len(failed) == 1 and "550" in failed[0]["last_error"]
        for _ in range(MAX_ATTEMPTS + 2):
            clock.advance(timedelta(days=1, minutes=1))
            service.timers.deliver()
        failed = list(service.timers.outbox(status="failed"))
        assert len(failed) == len(addressed)
        assert all(m["attempts"] <= MAX_ATTEMPTS for m in failed)
        assert inbox.messages == []
    finally:
        service.close()


def test_credentials_come_from_the_environment_and_are_never_printed(
        db_url: str, tmp_path: Path) -> None:
    seen: list[tuple[str, str]] = []

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                     data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        seen.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=data.password == b"mat-khau-so-9")

    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticate,
                            auth_require_tls=False)
    controller.start()
    try:
        cli = Cli(db_url, env={"AWARD_SMTP_URL": f"smtp://127.0.0.1:{port}",
                               "AWARD_SMTP_USER": "tdkt", "AWARD_SMTP_PASSWORD": "mat-khau-so-9",
                               "AWARD_MAIL_FROM": "tdkt@bn.example"})
        cli.ok("init")
        cli.ok("directory", "load", str(DIRECTORY))
        extra = tmp_path / "emails.yaml"
        extra.write_text(EMAILS, encoding="utf-8")
        cli.ok("directory", "load", str(extra))
        item = cli.ok("nominate", "khen-thuong-dot-xuat", "--unit", "BN-SGD", "--nominee",
                      "Lê Thị Hồng", "--set", "deed=x", "--set", "deed_date=2026-02-01",
                      user="lan")["id"]
        dossier = tmp_path / "dossier.pdf"
        dossier.write_bytes(b"x")
        for doctype in DOCS:
            cli.ok("attach", item, doctype, str(dossier), user="lan")
        cli.ok("fire", item, "submit", user="lan")
        cli.ok("escalate", now="2026-03-20T09:00:00+07:00")
        run = cli("deliver", now="2026-03-20T09:00:00+07:00", json_out=False)
        assert run.exit_code == 0 and "sent" in run.stdout
        assert seen and seen[0][0] == "tdkt" and inbox.messages
        doctor = cli("doctor", json_out=False)
        assert "mat-khau-so-9" not in doctor.stdout + doctor.stderr + run.stdout + run.stderr
        bad = Cli(db_url, env={"AWARD_SMTP_URL": f"smtp://tdkt:secret@127.0.0.1:{port}"})
        error = bad.fails(1, "deliver")
        assert "must not carry a password" in error["message"] and "secret" not in str(error)
    finally:
        controller.stop()


@pytest.mark.slow
def test_two_schedulers_deliver_each_message_once(db_url: str, tmp_path: Path,
                                                  smtp: tuple[Inbox, str]) -> None:
    inbox, url = smtp
    service = _service(db_url, None, tmp_path)
    try:
        _queue_messages(service, tmp_path, count=15)  # many messages: both find work
        clock = service.clock
        assert isinstance(clock, FixedClock)
        addressed = [m for m in service.timers.outbox(status="pending")
                     if m["recipient"] in ("thu", "minh", "hung")]
        later = (clock.now() + timedelta(hours=1)).isoformat()
    finally:
        service.close()
    env = {**os.environ, "AWARD_DB": db_url, "AWARD_NOW": later, "AWARD_SMTP_URL": url,
           "AWARD_MAIL_FROM": "tdkt@bn.example", "AWARD_FLOWS": ""}
    procs = [subprocess.Popen([sys.executable, "-m", "workflow", "--json", "scheduler",
                               "--interval", "0.1", "--max-sweeps", "3", "--log-format", "json"],
                              env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(2)]
    outputs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outputs]
    totals = [json.loads(out) for out, _err in outputs]
    assert sum(t.get("mail_sent", 0) for t in totals) == len(addressed) > 0
    ids = [m["Message-ID"] for m in inbox.messages]
    assert len(ids) == len(set(ids)) == len(addressed)
    for _out, err in outputs:  # one JSON line per sweep, nothing personal
        lines = [json.loads(line) for line in err.decode().splitlines() if line.startswith("{")]
        assert any(line["event"] == "sweep" for line in lines)
        assert "@so-giao-duc" not in err.decode() and "Người" not in err.decode()


# ---- health, metrics, log lines ------------------------------------------------------------

def test_healthz_and_metrics(service: Service, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(service, secret_key="k" * 32)
    with TestClient(app) as client:
        health = client.get("/healthz").json()
        assert health["ok"] is True and health["schema"]["revision"] == health["schema"]["head"]
        assert health["scheduler"] == {"heartbeat_age_s": None}
        service.timers.beat(0.25, {"claimed": 3})
        assert client.get("/healthz").json()["scheduler"]["heartbeat_age_s"] == 0
        item = service.items.nominate(Actor("lan"), "khen-thuong-dot-xuat", "BN-SGD",
                                      "Lê Thị Hồng", None, {"deed": "x"})["id"]
        with caplog.at_level("INFO", logger="workflow.web.request"):
            client.get(f"/nominees/{item}?q=Nguyễn Văn An")
        page = client.get("/metrics")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/plain")
        text = page.text
        for name in ("award_http_request_duration_seconds_bucket", "award_database_up 1.0",
                     'award_items{kind="due"}', 'award_outbox_messages{status="pending"}',
                     "award_scheduler_heartbeat_age_seconds",
                     "award_scheduler_last_sweep_seconds 0.25"):
            assert name in text, name
        assert 'route="/nominees/{nomination_id}"' in text
    line = next(r for r in caplog.records if r.getMessage() == "request")
    assert line.fields["route"] == "/nominees/{nomination_id}"  # type: ignore[attr-defined]
    assert "Nguyễn" not in caplog.text and "?q=" not in caplog.text


def test_the_web_counts_its_transitions_by_flow_and_trigger(service: Service,
                                                             tmp_path: Path) -> None:
    app = create_app(service, secret_key="k" * 32)
    with TestClient(app) as client:
        _submitted(service, "A", tmp_path)  # through this process's service
        text = client.get("/metrics").text
    assert 'award_transitions_total{flow="khen-thuong-dot-xuat",trigger="submit"} 1.0' in text


def test_healthz_fails_when_the_schema_is_behind(db_url: str) -> None:
    service = make_service(db_url)
    try:
        service.setup.init()
        from sqlalchemy import create_engine, text

        engine = create_engine(db_url)
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0002'"))
        engine.dispose()
        with TestClient(create_app(service, secret_key="k" * 32)) as client:
            answer = client.get("/healthz")
        assert answer.status_code == 503 and "award db upgrade" in answer.json()["error"]
    finally:
        service.close()


# ---- backup and doctor ----------------------------------------------------------------------

def test_a_backup_of_a_live_database_verifies(cli: Cli, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    if not cli.db.startswith("sqlite"):
        error = cli.fails(1, "backup", "--out", str(copy))
        assert "pg_dump" in error["message"]
        return
    cli.ok("nominate", "khen-thuong-dot-xuat", "--unit", "BN-SGD", "--nominee", "A", "--set",
           "deed=x", user="lan")
    made = cli.ok("backup", "--out", str(copy))
    assert made["bytes"] > 0 and oct(copy.stat().st_mode & 0o777) == "0o600"
    assert Cli(f"sqlite:///{copy}").ok("audit", "verify")["ok"] is True
    assert Cli(f"sqlite:///{copy}").ok("show", "1")["nominee"] == "A"
    assert "never overwrites" in cli.fails(1, "backup", "--out", str(copy))["message"]


def test_the_doctor_says_what_is_wrong(cli: Cli) -> None:
    checks = {c["check"]: c for c in cli.ok("doctor")}
    assert checks["database"]["status"] == "ok" and checks["schema"]["status"] == "ok"
    assert checks["email"]["status"] == "warn"
    assert checks["calendar vn"]["status"] in ("ok", "warn")
    dead = Cli(cli.db, env={"AWARD_SMTP_URL": f"smtp://127.0.0.1:{_free_port()}"})
    run = dead("doctor", json_out=False)
    assert run.exit_code == 1 and "FAIL email: cannot reach smtp://127.0.0.1" in run.stdout
    assert Cli(cli.db.replace("award.db", "nothing-here.db") if "sqlite" in cli.db
               else cli.db)("doctor").exit_code in (0, 1)


__all__ = ["NOW"]
