"""Public notices, objections, holds, confirmations and decision documents (SPEC §3 ``notice``,
``confirmations``, ``hold``, ``render``; §6; §7 ``award notices|object|resolve|confirm|render``).

Every database test runs on SQLite and, with AWARD_TEST_PG, on PostgreSQL, on flows and a
directory of its own (written into tmp_path and passed through AWARD_FLOWS), with the clock fixed
per CLI call. Times are in March/April 2026, which have no weekday holidays in Vietnam (checked
against the shipped calendar below), except the Tết test. Refusals are checked for their exit
code, their message and that nothing was written (the tables read back with SQLAlchemy).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from tests.conftest import ROOT, Cli
from workflow.calendar import load_calendar
from workflow.documents import Renderer
from workflow.errors import InvalidInput, NotFound

# --- definitions ---------------------------------------------------------------------------

NOTICE_HOLD = """\
flow: nt-hold
title: {vi: "Công khai có tạm dừng", en: "Notice with hold"}
award: LDTT
nominee: individual
calendar: vn
decider: unit_head@unit
fields:
  citation: {type: string}
states:
  draft: {initial: true}
  notice:
    type: notice
    notice: {working_days: 10, then: council_review}
  on_hold: {type: hold}
  council_review:
    sla: {working_days: 5}
    escalate:
      - {after: 20%, notify: officer@unit}
      - {after: 60%, notify: secretariat@unit}
      - {after: 100%, notify: council_chair@unit}
  awarded: {final: true, outcome: awarded, render: [decision.html.j2]}
  refused: {final: true, outcome: rejected}
  rejected: {final: true, outcome: rejected}
transitions:
  - {trigger: submit, from: draft, to: notice, by: officer@unit}
  - {trigger: award, from: council_review, to: awarded, by: decider}
  - {trigger: reject, from: council_review, to: rejected, by: decider}
"""

# no hold state; notices published by the parent unit; an explicit on_upheld
NOTICE_PLAIN = """\
flow: nt-plain
title: {vi: "Công khai không tạm dừng", en: "Notice without hold"}
award: LDTT
nominee: individual
calendar: vn
decider: unit_head@unit
on_upheld: withdrawn
states:
  draft: {initial: true}
  notice:
    type: notice
    notice: {working_days: 10, then: council_review, publisher: parent}
  council_review: {sla: {working_days: 5}}
  awarded: {final: true, outcome: awarded, render: [decision.html.j2]}
  rejected: {final: true, outcome: rejected}
  withdrawn: {final: true, outcome: withdrawn}
transitions:
  - {trigger: submit, from: draft, to: notice, by: officer@unit}
  - {trigger: award, from: council_review, to: awarded, by: decider}
  - {trigger: reject, from: council_review, to: rejected, by: decider}
"""

# two public notices in turn: the unit's own, then the parent unit's
NOTICE_TWICE = """\
flow: nt-twice
title: {vi: "Công khai hai lần", en: "Two notices"}
award: LDTT
nominee: individual
calendar: vn
decider: unit_head@unit
states:
  draft: {initial: true}
  local_notice:
    type: notice
    notice: {working_days: 5, then: upper_notice}
  upper_notice:
    type: notice
    notice: {working_days: 5, then: council_review, publisher: parent}
  council_review: {sla: {working_days: 5}}
  awarded: {final: true, outcome: awarded}
  rejected: {final: true, outcome: rejected}
transitions:
  - {trigger: submit, from: draft, to: local_notice, by: officer@unit}
  - {trigger: award, from: council_review, to: awarded, by: decider}
"""

CONFIRM_HOLD = """\
flow: cf-hold
title: {vi: "Xác nhận song song", en: "Parallel confirmations"}
award: LDTT
nominee: individual
calendar: vn
decider: unit_head@unit
states:
  draft: {initial: true}
  confirming:
    type: confirmations
    confirmations: {tax: tax_officer@parent, insurance: insurance_officer@parent,
                    then: council_review, on_negative: not_eligible}
    sla: {working_days: 10}
  on_hold: {type: hold}
  council_review: {sla: {working_days: 5}}
  awarded: {final: true, outcome: awarded}
  not_eligible: {final: true, outcome: rejected}
transitions:
  - {trigger: submit, from: draft, to: confirming, by: officer@unit}
  - {trigger: award, from: council_review, to: awarded, by: decider}
"""

DIRECTORY_YAML = """\
units:
  - {id: P,  name: "Tỉnh Phú Thọ", level: province}
  - {id: U,  name: "Sở Giáo dục", level: department, parent: P}
  - {id: U2, name: "Sở Y tế", level: department, parent: P}
  - {id: UC, name: "Trường THPT Hùng Vương", level: school, parent: U}
  - {id: X,  name: "Tỉnh khác", level: province}
people:
  - {login: off,   name: "Cán bộ TĐKT", roles: [officer@U]}
  - {login: off2,  name: "Cán bộ Sở Y tế", roles: [officer@U2]}
  - {login: sec,   name: "Thư ký Sở", roles: [secretariat@U]}
  - {login: psec,  name: "Thư ký tỉnh", roles: [secretariat@P]}
  - {login: coff,  name: "Cán bộ trường", roles: [officer@UC]}
  - {login: xoff,  name: "Cán bộ nơi khác", roles: [officer@X]}
  - {login: xsec,  name: "Thư ký nơi khác", roles: [secretariat@X]}
  - {login: chair, name: "Chủ tịch Hội đồng", roles: [council_chair@U]}
  - {login: member, name: "Uỷ viên", roles: [council_member@U]}
  - {login: head,  name: "Giám đốc Sở", roles: [unit_head@U]}
  - {login: tax,   name: "Cục Thuế", roles: [tax_officer@P]}
  - {login: ins,   name: "BHXH tỉnh", roles: [insurance_officer@P]}
"""

MON = "2026-03-02T09:00:00+07:00"  # a Monday; 10 working days later is Mon 2026-03-16
WINDOW_END = "2026-03-16T23:59:59+07:00"
SCRIPT = "<script>alert(1)</script>"
SSTI_EXPR = "{{ ''.__class__ }}"
SSTI_LOOP = "{% for x in ().__class__.__base__.__subclasses__() %}{{ x }}{% endfor %}"
LAN_NFC = unicodedata.normalize("NFC", "Nguyễn Thị Lan")
LAN_NFD = unicodedata.normalize("NFD", "Nguyễn Thị Lan")
VN = load_calendar(ROOT / "definitions" / "calendars" / "vn.yaml")
CONTACT = "0912-345-678 lan.objector@example.vn"
OBJECTOR = "Người dân Trần Văn Phản"


def at(day: str, clock: str = "10:00:00") -> str:
    """A local instant in 2026: ``at("03-17", "08:00:00")``."""
    return f"2026-{day}T{clock}+07:00"


def sha(value: str | bytes) -> str:
    data = value.encode("utf-8") if isinstance(value, str) else value
    return hashlib.sha256(data).hexdigest()


# --- fixtures and helpers ------------------------------------------------------------------


@dataclass
class Env:
    cli: Cli
    db_url: str
    folder: Path
    engine: Engine

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]


@pytest.fixture
def env(db_url: str, tmp_path: Path) -> Iterator[Env]:
    flows = tmp_path / "flows"
    flows.mkdir()
    for name, body in (("nt-hold", NOTICE_HOLD), ("nt-plain", NOTICE_PLAIN),
                       ("cf-hold", CONFIRM_HOLD), ("nt-twice", NOTICE_TWICE)):
        (flows / f"{name}.yaml").write_text(body, encoding="utf-8")
    directory = tmp_path / "directory.yaml"
    directory.write_text(DIRECTORY_YAML, encoding="utf-8")
    cli = Cli(db_url, now=MON, env={"AWARD_FLOWS": str(flows)})
    cli.ok("init")
    cli.ok("directory", "load", str(directory))
    engine = create_engine(db_url)
    yield Env(cli, db_url, tmp_path, engine)
    engine.dispose()


SNAPSHOT_TABLES = ("nomination", "audit_entry", "objection", "notice", "notice_item", "timer",
                   "outbox", "confirmation", "rendered_document")


def snapshot(env: Env) -> dict[str, list[str]]:
    return {t: sorted(map(repr, env.rows(f"SELECT * FROM {t}"))) for t in SNAPSHOT_TABLES}


def refused(env: Env, code: int, args: list[str], *, now: str, user: str | None = None,
            message: str | None = None, error_type: str | None = None) -> dict[str, Any]:
    """Refused with ``code`` and a clean JSON error, and nothing written anywhere."""
    before = snapshot(env)
    error = env.cli.fails(code, *args, user=user, now=now)
    if message is not None:
        assert error["message"] == message
    if error_type is not None:
        assert error["type"] == error_type
    assert snapshot(env) == before
    return error


def nominate(env: Env, flow: str, *, nominee: str = "Nguyễn Văn An", unit: str = "U",
             user: str = "off", now: str = MON, citation: str | None = None) -> str:
    args = ["nominate", flow, "--unit", unit, "--nominee", nominee]
    if citation is not None:
        args += ["--set", f"citation={citation}"]
    return str(env.cli.ok(*args, user=user, now=now)["id"])


def submitted(env: Env, flow: str, *, nominee: str = "Nguyễn Văn An", unit: str = "U",
              user: str = "off", now: str = MON, citation: str | None = None) -> str:
    """A new item moved out of draft at ``now`` (into the notice or confirmations state)."""
    item = nominate(env, flow, nominee=nominee, unit=unit, user=user, now=now, citation=citation)
    env.cli.ok("fire", item, "submit", user=user, now=now)
    return item


def audit(env: Env, item: str | None = None, action: str | None = None) -> list[dict[str, Any]]:
    log = env.cli.ok("audit", "log", *([item] if item else []))
    return [e for e in log if action is None or e["action"] == action]


def show(env: Env, item: str, now: str) -> dict[str, Any]:
    result: dict[str, Any] = env.cli.ok("show", item, now=now)
    return result


def obj(env: Env, item: str, body: str, *, now: str, user: str | None = None,
        name: str | None = None, contact: str | None = None) -> dict[str, Any]:
    args = ["object", item, "--text", body]
    if name is not None:
        args += ["--name", name]
    if contact is not None:
        args += ["--contact", contact]
    result: dict[str, Any] = env.cli.ok(*args, user=user, now=now)
    # every objection gets a receipt: an unguessable code, the filing time, the text's hash
    code = result.pop("receipt")
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{12}", code)
    assert result.pop("filed_at").startswith(now[:10])
    filed_text = unicodedata.normalize("NFC", body.strip())
    assert result.pop("text_sha256") == hashlib.sha256(filed_text.encode()).hexdigest()
    # a comment (góp ý) by default, due 10 working days after filing (the catalogue)
    assert result.pop("kind") == "gop_y"
    assert result.pop("due_at") == VN.due(datetime.fromisoformat(now), 10, working=True
                                          ).astimezone(VN.tz).isoformat(timespec="seconds")
    return result


def sweep(env: Env, now: str) -> dict[str, int]:
    counts: dict[str, int] = env.cli.ok("escalate", now=now)
    return counts


def timers(env: Env, item: str, status: str = "pending") -> list[tuple[str, int, str]]:
    """``(kind, step, local due)`` of an item's state timers with ``status`` (not those of
    its objections' deadlines: tests/test_objection_kinds.py)."""
    out = []
    for kind, step, stored in env.rows(
            "SELECT kind, step, due_at FROM timer WHERE nomination_id = :n AND status = :s "
            "AND objection_id IS NULL ORDER BY due_at, id", n=int(item), s=status):
        # SQLite keeps naive UTC text, PostgreSQL an aware datetime
        due = datetime.fromisoformat(stored) if isinstance(stored, str) else stored
        if due.tzinfo is None:
            due = due.replace(tzinfo=UTC)
        out.append((kind, int(step), due.astimezone(VN.tz).isoformat(timespec="seconds")))
    return out


def counts(**nonzero: int) -> dict[str, int]:
    base = dict.fromkeys(("claimed", "reminded", "escalated", "fired", "refused", "windows",
                          "stale", "failed", "messages"), 0)
    base.update(nonzero)
    return base


# --- 0. the calendar the exact dates below rely on ----------------------------------------


def test_march_and_early_april_2026_have_no_weekday_holidays() -> None:
    day = date(2026, 3, 1)
    off = [day + timedelta(n) for n in range(45)
           if (day + timedelta(n)).weekday() < 5 and not VN.is_working_day(day + timedelta(n))]
    assert off == []
    assert VN.add_working_days(date(2026, 3, 2), 10) == date(2026, 3, 16)


# --- 1. publication ------------------------------------------------------------------------


def test_items_entering_the_same_day_share_one_notice(env: Env, tmp_path: Path) -> None:
    a = submitted(env, "nt-hold", nominee="Nguyễn Văn An", now=MON)
    b = submitted(env, "nt-hold", nominee="Lý Thị Bích", now=at("03-02", "14:00:00"))
    c = submitted(env, "nt-hold", nominee="Lê Văn Cường", now=at("03-03", "09:00:00"))
    fired = {e["nomination"]: e for e in audit(env, action="fired")}
    published = audit(env, action="notice_published")
    assert [p["payload"]["nominations"] for p in published] == [[a], [a, b], [c]]
    assert [p["actor"] for p in published] == ["system"] * 3
    # each render embeds the audit head as it was: the item's own 'fired' entry, just before
    for entry, item in zip(published, (a, b, c), strict=True):
        assert entry["seq"] == fired[item]["seq"] + 1
        assert entry["payload"]["audit_head"] == {"seq": fired[item]["seq"],
                                                  "hash": fired[item]["hash"]}
    assert {k: v for k, v in published[1]["payload"].items()
            if k not in ("sha256", "audit_head")} == {
        "notice": 1, "flow": "nt-hold", "unit": "U", "day": "2026-03-02",
        "nominations": [a, b], "starts_at": MON, "ends_at": WINDOW_END}
    assert published[2]["payload"]["starts_at"] == "2026-03-03T09:00:00+07:00"
    assert published[2]["payload"]["ends_at"] == "2026-03-17T23:59:59+07:00"

    listed = env.cli.ok("notices", now=at("03-03"))
    for row in listed:
        assert re.fullmatch(r"[0-9a-f]{64}", row.pop("sha256"))
        assert row.pop("pdf_sha256") is None  # the tests make PDFs only where they test them
    assert listed == [
        {"id": "1", "flow": "nt-hold", "unit": "U", "unit_name": "Sở Giáo dục",
         "day": "2026-03-02", "starts_at": MON, "ends_at": WINDOW_END, "extended_to": None,
         "status": "open",
         "nominees": [{"id": a, "nominee": "Nguyễn Văn An", "unit": "U", "state": "notice",
                       "window_open": True, "window_ends_at": WINDOW_END},
                      {"id": b, "nominee": "Lý Thị Bích", "unit": "U", "state": "notice",
                       "window_open": True, "window_ends_at": WINDOW_END}],
         "confidential": 0, "audit_head": published[1]["payload"]["audit_head"]},
        {"id": "2", "flow": "nt-hold", "unit": "U", "unit_name": "Sở Giáo dục",
         "day": "2026-03-03", "starts_at": "2026-03-03T09:00:00+07:00",
         "ends_at": "2026-03-17T23:59:59+07:00", "extended_to": None, "status": "open",
         "nominees": [{"id": c, "nominee": "Lê Văn Cường", "unit": "U", "state": "notice",
                       "window_open": True, "window_ends_at": "2026-03-17T23:59:59+07:00"}],
         "confidential": 0, "audit_head": published[2]["payload"]["audit_head"]},
    ]
    later = env.cli.ok("notices", now=at("03-17", "08:00:00"))
    assert [(n["id"], n["status"]) for n in later] == [("1", "closed"), ("2", "open")]

    # the stored document: every nominee, the window, the audit head; its hash is audited
    out = tmp_path / "notice-1.html"
    wrote = env.cli.ok("notices", "--html", "1", "--out", str(out))
    assert wrote == {"notice": "1", "out": str(out), "sha256": sha(out.read_bytes())}
    html = out.read_text(encoding="utf-8")
    notice = env.cli.ok("notices")[0]
    assert sha(out.read_bytes()) == notice["sha256"] == published[1]["payload"]["sha256"]
    assert published[0]["payload"]["sha256"] != published[1]["payload"]["sha256"]
    for needle in ("Nguyễn Văn An", "Lý Thị Bích", "Từ 09 giờ 00 ngày 02 tháng 3 năm 2026",
                   "đến hết ngày 16 tháng 3 năm 2026", "10 ngày làm việc", "10 working days",
                   # Decree 30 layout: national title, number, place and date in words,
                   # recipients, signature; the board's address and the office's contact
                   "Độc lập – Tự do – Hạnh phúc", "Số: 1/TB-TĐKT",
                   "Bắc Ninh, ngày 02 tháng 3 năm 2026", "Nơi nhận:", "TM. Sở Giáo dục",
                   "https://tdkt.bacninh.example.vn/notices/1", "0222 3822 567",
                   "2 hồ sơ / nominations", "Sở Giáo dục",
                   f"seq {notice['audit_head']['seq']}, "
                   f"<code>{notice['audit_head']['hash']}</code>"):
        assert needle in html, needle
    assert "award object" not in html  # no command for citizens to type
    assert "Lê Văn Cường" not in html
    plain = env.cli("notices", "--html", "1", json_out=False)
    assert plain.exit_code == 0 and plain.stdout == html
    second = env.cli("notices", "--html", "2", json_out=False).stdout
    assert "Lê Văn Cường" in second and "Nguyễn Văn An" not in second
    assert sha(second) == published[2]["payload"]["sha256"]
    env.cli.fails(5, "notices", "--html", "3")
    env.cli.fails(5, "notices", "--html", "abc")

    # one outbox message per notice, to the publishing unit's secretariat only
    messages = env.cli.ok("outbox", "--kind", "notice")
    assert [(m["kind"], m["recipient"], m["nomination"], m["subject"], m["at"])
            for m in messages] == [
        ("notice", "sec", a, "Thông báo công khai số 1 / Public notice 1", MON),
        ("notice", "sec", c, "Thông báo công khai số 2 / Public notice 2",
         "2026-03-03T09:00:00+07:00")]
    assert f"objections until {WINDOW_END}" in messages[0]["body"]
    assert f"sha256 {published[0]['payload']['sha256']}" in messages[0]["body"]
    assert len(env.cli.ok("outbox")) == 2
    assert env.cli.ok("audit", "verify")["ok"] is True


def test_notice_html_under_json_is_one_json_document(env: Env) -> None:
    submitted(env, "nt-hold", now=MON)
    run = env.cli("notices", "--html", "1")
    assert run.exit_code == 0
    document = run.json()  # today: json.JSONDecodeError on "<!DOCTYPE html>…"
    assert any(isinstance(v, str) and v.startswith("<!DOCTYPE html>") for v in document.values())


def test_publisher_scope_batches_the_units_below_it(env: Env) -> None:
    a = submitted(env, "nt-plain", nominee="Nguyễn Văn An", unit="U", now=MON)
    b = submitted(env, "nt-plain", nominee="Lý Thị Bích", unit="U2", user="off2",
                  now=at("03-02", "16:00:00"))
    [notice] = env.cli.ok("notices")
    assert (notice["unit"], notice["unit_name"], notice["day"]) == ("P", "Tỉnh Phú Thọ",
                                                                    "2026-03-02")
    assert [(n["id"], n["unit"]) for n in notice["nominees"]] == [(a, "U"), (b, "U2")]
    html = env.cli("notices", "--html", notice["id"], json_out=False).stdout
    assert "Sở Giáo dục" in html and "Sở Y tế" in html and "Tỉnh Phú Thọ" in html
    assert [(m["recipient"], m["nomination"]) for m in env.cli.ok("outbox")] == [("psec", a)]


def test_notice_window_across_tet(env: Env) -> None:
    # the shipped calendar: Feb 16-20 2026 are Tết, so 10 working days from Thu Feb 12 end on
    # Thu Mar 5 (counted here by hand from the calendar's own day list)
    assert [VN.is_working_day(date(2026, 2, d)) for d in range(16, 21)] == [False] * 5
    assert all(VN.holiday_name(date(2026, 2, d)) for d in range(16, 21))
    start = date(2026, 2, 12)
    days = [start + timedelta(n) for n in range(1, 40)]
    working = [d for d in days if d.weekday() < 5 and not date(2026, 2, 16) <= d <= date(
        2026, 2, 20)]
    assert working[9] == date(2026, 3, 5) == VN.add_working_days(start, 10)

    thu = "2026-02-12T09:00:00+07:00"
    quiet = submitted(env, "nt-plain", nominee="Nguyễn Văn An", now=thu)
    objected = submitted(env, "nt-plain", nominee="Lý Thị Bích", now=thu)
    [notice] = env.cli.ok("notices", now=thu)
    assert (notice["starts_at"], notice["ends_at"]) == (thu, "2026-03-05T23:59:59+07:00")
    # the window includes its last second and nothing after it
    assert obj(env, objected, "Hồ sơ chưa đúng", now="2026-03-05T23:59:59+07:00")["held"] is False
    refused(env, 4, ["object", quiet, "--text", "Quá hạn"], now="2026-03-06T00:00:00+07:00",
            message=f"the public notice window for nomination {quiet} is closed",
            error_type="NotAllowed")
    assert sweep(env, "2026-03-05T23:59:58+07:00") == counts()
    assert sweep(env, "2026-03-06T00:00:00+07:00") == counts(claimed=2, windows=2)
    moved = show(env, quiet, "2026-03-06T00:00:00+07:00")
    assert (moved["state"], moved["due_at"]) == ("council_review", "2026-03-13T23:59:59+07:00")
    assert show(env, objected, "2026-03-06T00:00:00+07:00")["state"] == "notice"


# --- 2. objections -------------------------------------------------------------------------


def test_who_may_object_when(env: Env) -> None:
    item = submitted(env, "nt-plain", now=MON)
    other = submitted(env, "nt-plain", nominee="Lý Thị Bích", now=MON)
    during = at("03-04")
    assert obj(env, item, "Thành tích kê khai chưa đúng", now=during, name=OBJECTOR,
               contact=CONTACT) == {"id": "1", "status": "open", "nomination": item,
                                    "held": False}
    # a person of an unrelated unit, or of a unit below the item's, is the public
    assert obj(env, item, "Ý kiến 2", now=during, user="xoff")["id"] == "2"
    assert obj(env, item, "Ý kiến 3", now=during, user="coff")["id"] == "3"
    assert obj(env, item, "Ý kiến 4", now=during, user="member")["id"] == "4"
    filed = audit(env, item, "objection_filed")
    assert [(e["actor"], e["payload"]["complaint"]) for e in filed] == [("public", False)] * 4
    assert [e["payload"]["notice"] for e in filed] == [1] * 4

    # after the window: the public (and outsiders) are refused, staff of the unit or above not
    after = at("03-17", "09:00:00")
    closed = f"the public notice window for nomination {item} is closed"
    for user in (None, "xoff", "xsec", "coff", "member", "off2"):
        refused(env, 4, ["object", item, "--text", "Muộn"], user=user, now=after,
                message=closed, error_type="NotAllowed")
    for n, user in enumerate(("off", "sec", "psec"), start=5):
        assert obj(env, item, f"Khiếu nại {user}", now=after, user=user) == {
            "id": str(n), "status": "open", "nomination": item, "held": False}
    filed = audit(env, item, "objection_filed")[4:]
    assert [(e["actor"], e["payload"]["complaint"]) for e in filed] == [
        ("off", True), ("sec", True), ("psec", True)]
    assert [o["by"] for o in show(env, item, after)["objections"]] == [
        "public", "public", "public", "public", "off", "sec", "psec"]

    # an empty text is invalid input whoever files it; an unknown item is not found
    for user in (None, "off"):
        for blank in ("", "   \n "):
            refused(env, 1, ["object", item, "--text", blank], user=user, now=during,
                    message="an objection needs a text (--text)", error_type="InvalidInput")
    refused(env, 5, ["object", "999", "--text", "x"], now=during, error_type="NotFound")

    # out of the notice state: a complaint is still possible, a public objection is not
    # (and the 80% reminders of the four public objections filed in the window)
    assert sweep(env, after) == counts(claimed=6, windows=2, reminded=4, messages=4)
    assert show(env, other, after)["state"] == "council_review"
    refused(env, 4, ["object", other, "--text", "Muộn"], now=after, user="xoff",
            message=f"nomination {other} is not on public notice now", error_type="NotAllowed")
    assert obj(env, other, "Khiếu nại sau công khai", now=after, user="sec")["held"] is False
    assert show(env, other, after)["state"] == "council_review"  # no hold state in this flow
    env.cli.ok("fire", other, "award", user="head", now=at("03-18"))
    # after the decision anyone may complain against the award (SPEC §10.4): it is examined
    # by the level that issued the decision, and the item stays where it is
    for user in (None, "off", "psec"):
        filed = obj(env, other, "Sau quyết định", now=at("03-18"), user=user)
        assert filed["held"] is False and filed["grant"]
    assert show(env, other, at("03-18"))["state"] == "awarded"


def test_objection_audit_keeps_the_objector_out(env: Env) -> None:
    item = submitted(env, "nt-plain", now=MON)
    complaint = f"Hồ sơ khai man thành tích — {SCRIPT}"
    result = obj(env, item, f"  {complaint}  ", now=at("03-04"), name=OBJECTOR, contact=CONTACT)
    [filed] = audit(env, item, "objection_filed")
    assert (filed["actor"], filed["from"], filed["to"]) == ("public", "notice", "notice")
    assert filed["payload"] == {"objection": int(result["id"]), "notice": 1,
                                "text_sha256": sha(complaint), "complaint": False,
                                "kind": "gop_y", "due_at": "2026-03-18T23:59:59+07:00"}
    # the contact and the name are nowhere in the chain (stored form), the view or the show
    stored = repr(env.rows("SELECT * FROM audit_entry"))
    exported = env.cli("audit", "export", "--format", "jsonl", json_out=False).stdout
    shown = show(env, item, at("03-04"))
    for blob in (stored, exported, json.dumps(audit(env), ensure_ascii=False),
                 json.dumps(shown, ensure_ascii=False)):
        assert CONTACT not in blob and "lan.objector" not in blob
        assert OBJECTOR not in blob
    # …but stay in the objection row
    assert env.rows("SELECT name, contact, text, filed_by, status FROM objection") == [
        (OBJECTOR, CONTACT, complaint, None, "open")]
    [view] = shown["objections"]
    assert view == {"id": result["id"], "status": "open", "filed_at": at("03-04"),
                    "by": "public", "text": complaint, "notice": 1, "resolved_at": None,
                    "resolved_by": None, "resolution": None, "grant": None, "kind": "gop_y",
                    "kind_label": {"vi": "Góp ý", "en": "Comment"},
                    "due_at": "2026-03-18T23:59:59+07:00", "extended": False,
                    "extended_at": None, "overdue": False}
    human = env.cli("show", item, json_out=False, now=at("03-04")).stdout
    assert (f"objection {result['id']} (gop_y): open, due 2026-03-18T23:59:59+07:00" in human
            and CONTACT not in human)


# --- 3. holds ------------------------------------------------------------------------------


def test_hold_pauses_the_sla_mid_way_and_resumes_with_the_time_left(env: Env) -> None:
    item = submitted(env, "nt-hold", now=MON)
    # the window ends with no objection: into council_review on Tue 03-17, due in 5 WD
    assert sweep(env, at("03-17", "08:00:00")) == counts(claimed=1, windows=1)
    entered = show(env, item, at("03-17", "08:00:00"))
    assert (entered["state"], entered["due_at"]) == ("council_review", "2026-03-24T23:59:59+07:00")
    assert timers(env, item) == [("step", 0, "2026-03-18T23:59:59+07:00"),
                                 ("step", 1, "2026-03-20T23:59:59+07:00"),
                                 ("step", 2, "2026-03-24T23:59:59+07:00")]
    # the 20% step is taken before the hold
    assert sweep(env, at("03-19", "08:00:00")) == counts(claimed=1, reminded=1, messages=1)

    # a complaint on D+2 working days holds it: no due time, 3 working days left
    held_at = at("03-19")
    assert obj(env, item, "Khiếu nại về thành tích", now=held_at, user="off") == {
        "id": "1", "status": "open", "nomination": item, "held": True}
    held = show(env, item, held_at)
    assert (held["state"], held["due_at"], held["overdue"]) == ("on_hold", None, False)
    assert held["hold"] == {
        "origin": "council_review", "origin_entry": 3,  # draft 1, notice 2, council_review 3
        "sla_remaining": 3, "sla_expired": False,
        "timers": [{"kind": "step", "step": 1, "remaining": 1, "working": True,
                    "expired": False},
                   {"kind": "step", "step": 2, "remaining": 3, "working": True,
                    "expired": False}]}
    assert timers(env, item) == []
    assert len(timers(env, item, "cancelled")) == 2
    [entry] = audit(env, item, "held")
    assert (entry["actor"], entry["from"], entry["to"]) == ("system", "council_review", "on_hold")
    assert {k: v for k, v in entry["payload"].items() if k != "flow_version"} == {
        "objection": 1, "origin": "council_review", "sla_remaining": 3}
    # nothing happens to a held item when its old due time passes
    assert sweep(env, at("03-25", "08:00:00")) == counts()
    assert env.cli.ok("list", "--overdue", now=at("03-25", "08:00:00")) == []

    # a second complaint while held; the item resumes only when both are dismissed
    assert obj(env, item, "Khiếu nại thứ hai", now=at("03-25"), user="psec") == {
        "id": "2", "status": "open", "nomination": item, "held": False}
    assert len(audit(env, item, "held")) == 1
    first = env.cli.ok("resolve", "1", "dismissed", "--comment", "Đã xác minh: không đúng",
                       user="sec", now=at("03-26"))
    assert first == {"id": "1", "status": "dismissed", "nomination": item, "state": "on_hold"}
    assert show(env, item, at("03-26"))["hold"]["sla_remaining"] == 3
    resumed_at = at("03-30")  # Monday R: 3 working days left → due end of Thu 04-02
    second = env.cli.ok("resolve", "2", "dismissed", "--comment", "Không có cơ sở",
                        user="sec", now=resumed_at)
    assert second == {"id": "2", "status": "dismissed", "nomination": item,
                      "state": "council_review"}
    back = show(env, item, resumed_at)
    assert (back["state"], back["due_at"], back["hold"]) == (
        "council_review", "2026-04-02T23:59:59+07:00", None)
    assert back["entered_at"] == resumed_at
    [resumed] = audit(env, item, "resumed")
    assert (resumed["actor"], resumed["from"], resumed["to"]) == ("sec", "on_hold",
                                                                  "council_review")
    assert {k: v for k, v in resumed["payload"].items() if k != "flow_version"} == {
        "origin": "council_review", "sla_remaining": 3}
    # the steps not yet taken are re-created, shifted; the 20% step is not
    assert timers(env, item) == [("step", 1, "2026-03-31T23:59:59+07:00"),
                                 ("step", 2, "2026-04-02T23:59:59+07:00")]
    assert sweep(env, at("04-02", "08:00:00")) == counts(claimed=1, reminded=1, messages=1)
    assert sweep(env, at("04-03", "08:00:00")) == counts(claimed=1, escalated=1, messages=1)
    steps = [(e["action"], e["payload"]["step"], e["payload"]["recipients"])
             for e in audit(env, item) if e["action"] in ("reminded", "escalated")]
    assert steps == [("reminded", 0, ["off"]), ("reminded", 1, ["sec"]),
                     ("escalated", 2, ["chair"])]
    assert sorted((m["kind"], m["recipient"]) for m in env.cli.ok("outbox")
                  if m["kind"] != "notice") == [("escalation", "chair"), ("reminder", "off"),
                                                ("reminder", "sec")]
    assert env.cli.ok("audit", "verify")["ok"] is True


def test_upheld_objection_goes_to_the_first_rejected_final_state(env: Env) -> None:
    item = submitted(env, "nt-hold", now=MON)
    filed = obj(env, item, "Người được đề nghị bị kỷ luật năm 2025", now=at("03-04"),
                name=OBJECTOR, contact=CONTACT)
    assert filed == {"id": "1", "status": "open", "nomination": item, "held": True}
    held = show(env, item, at("03-04"))
    assert held["hold"] == {"origin": "notice", "origin_entry": 2, "sla_remaining": None,
                            "sla_expired": False,
                            "timers": [{"kind": "window", "step": 0, "remaining": 8,
                                        "working": True, "expired": False}]}
    assert timers(env, item) == []
    assert held["objections"][0]["status"] == "open"
    assert {"name", "contact"}.isdisjoint(held["objections"][0])

    # only the secretariat of the item's unit or above may resolve
    for user in ("off", "member", "xsec", "head"):
        refused(env, 3, ["resolve", "1", "upheld", "--comment", "x"], user=user, now=at("03-05"),
                message=f"{user} may not resolve objection 1: needs secretariat at U or above",
                error_type="PermissionDenied")
    refused(env, 5, ["resolve", "99", "upheld", "--comment", "x"], user="sec", now=at("03-05"),
            message="no objection 99", error_type="NotFound")
    refused(env, 5, ["resolve", "abc", "upheld", "--comment", "x"], user="sec", now=at("03-05"),
            error_type="NotFound")
    refused(env, 1, ["resolve", "1", "upheld", "--comment", "  "], user="sec", now=at("03-05"),
            message="resolving an objection needs a comment (--comment)",
            error_type="InvalidInput")
    assert env.cli("resolve", "1", "maybe", "--comment", "x", user="sec", json_out=False,
                   now=at("03-05")).exit_code == 2

    upheld = env.cli.ok("resolve", "1", "upheld", "--comment", "Xác minh đúng: có kỷ luật",
                        user="psec", now=at("03-05"))
    assert upheld == {"id": "1", "status": "upheld", "nomination": item, "state": "refused"}
    done = show(env, item, at("03-05"))
    assert (done["state"], done["final"], done["outcome"], done["due_at"], done["hold"]) == (
        "refused", True, "rejected", None, None)
    [entry] = audit(env, item, "objection_resolved")
    assert (entry["actor"], entry["from"], entry["to"]) == ("psec", "on_hold", "refused")
    assert {k: v for k, v in entry["payload"].items() if k != "flow_version"} == {
        "objection": 1, "outcome": "upheld", "comment": "Xác minh đúng: có kỷ luật"}
    assert done["objections"][0]["status"] == "upheld"
    assert done["objections"][0]["resolved_by"] == "psec"
    refused(env, 4, ["resolve", "1", "dismissed", "--comment", "again"], user="sec",
            now=at("03-06"), message="objection 1 is already upheld", error_type="NotAllowed")
    for who in (None, "off"):
        refused(env, 4, ["object", item, "--text", "Thêm"], user=who, now=at("03-06"),
                error_type="NotAllowed")
    # a refused nominee gets no award decision, not even on request
    refused(env, 4, ["render", item, "decision.html.j2"], now=at("03-06"),
            message=f"nomination {item} has no decision.html.j2: the flow issues it on entering "
                    "awarded; the item is in refused", error_type="NotAllowed")
    assert sweep(env, at("03-17", "08:00:00")) == counts()


def test_upheld_without_a_hold_state_goes_to_on_upheld(env: Env) -> None:
    item = submitted(env, "nt-plain", now=MON)
    obj(env, item, "Sai sót hồ sơ", now=at("03-04"))
    dismissed = obj(env, item, "Ý kiến không có cơ sở", now=at("03-04"))
    assert show(env, item, at("03-04"))["state"] == "notice"
    # the notice was published by the parent unit P: its secretariat examines objections to
    # it, not the nominating unit's own staff
    refused(env, 3, ["resolve", dismissed["id"], "dismissed", "--comment", "Không có cơ sở"],
            user="sec", now=at("03-05"),
            message="sec may not resolve objection 2: needs secretariat at P or above")
    # dismissing one while the window is open changes nothing else
    assert env.cli.ok("resolve", dismissed["id"], "dismissed", "--comment", "Không có cơ sở",
                      user="psec", now=at("03-05"))["state"] == "notice"
    assert env.cli.ok("resolve", "1", "upheld", "--comment", "Đúng", user="psec",
                      now=at("03-05"))["state"] == "withdrawn"
    assert show(env, item, at("03-05"))["outcome"] == "withdrawn"
    assert timers(env, item) == []


# --- 4. window end -------------------------------------------------------------------------


def test_window_end_moves_on_or_waits_for_the_last_objection(env: Env) -> None:
    quiet = submitted(env, "nt-plain", nominee="Nguyễn Văn An", now=MON)
    objected = submitted(env, "nt-plain", nominee="Lý Thị Bích", now=MON)
    obj(env, objected, "Có dấu hiệu gian dối", now=at("03-05"))
    assert sweep(env, at("03-16", "23:00:00")) == counts()
    assert sweep(env, at("03-17", "08:00:00")) == counts(claimed=2, windows=2)

    [moved] = [e for e in audit(env, quiet) if e["action"] == "fired" and e["actor"] == "system"]
    assert (moved["from"], moved["to"], moved["at"]) == ("notice", "council_review",
                                                         at("03-17", "08:00:00"))
    assert {k: v for k, v in moved["payload"].items() if k != "flow_version"} == {
        "trigger": "@then", "reason": "notice window ended"}
    assert show(env, quiet, at("03-17"))["due_at"] == "2026-03-24T23:59:59+07:00"

    [waiting] = audit(env, objected, "notice_waiting")
    assert (waiting["actor"], waiting["from"], waiting["to"], waiting["payload"]) == (
        "system", "notice", "notice", {"open_objections": 1})
    assert show(env, objected, at("03-17"))["state"] == "notice"
    # the window is acted on once; what this sweep takes is the objection's 80% reminder
    # (8 working days after 03-05) to the examining secretariat
    assert sweep(env, at("03-18", "08:00:00")) == counts(claimed=1, reminded=1, messages=1)
    assert len(audit(env, objected, "notice_waiting")) == 1

    obj(env, objected, "Khiếu nại bổ sung", now=at("03-18"), user="sec")
    assert env.cli.ok("resolve", "1", "dismissed", "--comment", "Không đúng", user="psec",
                      now=at("03-19"))["state"] == "notice"
    assert [e["action"] for e in audit(env, objected)][-1] == "objection_resolved"
    last = env.cli.ok("resolve", "2", "dismissed", "--comment", "Không đúng", user="psec",
                      now=at("03-20"))
    assert last == {"id": "2", "status": "dismissed", "nomination": objected,
                    "state": "council_review"}
    tail = audit(env, objected)[-2:]
    assert [(e["actor"], e["action"], e["from"], e["to"]) for e in tail] == [
        ("psec", "objection_resolved", "notice", "notice"),
        ("system", "fired", "notice", "council_review")]
    assert tail[1]["payload"]["trigger"] == "@then"
    assert show(env, objected, at("03-20"))["due_at"] == "2026-03-27T23:59:59+07:00"


def test_objection_held_across_the_window_end_resumes_with_the_window_left(env: Env) -> None:
    item = submitted(env, "nt-hold", now=MON)
    assert obj(env, item, "Ý kiến phản ánh", now=at("03-04"))["held"] is True
    # 8 working days of the window were left (Mar 5, 6, 9 … 16)
    assert show(env, item, at("03-04"))["hold"]["timers"] == [
        {"kind": "window", "step": 0, "remaining": 8, "working": True, "expired": False}]
    # the window stays stopped; the objection's own 80% reminder (8 working days) is due
    assert sweep(env, at("03-17", "08:00:00")) == counts(claimed=1, reminded=1, messages=1)
    # while the objection holds the item its window is stopped, not over
    [board] = env.cli.ok("notices", now=at("03-17"))
    assert (board["status"], board["extended_to"]) == ("open", None)
    assert board["nominees"][0]["window_open"] is True
    assert show(env, item, at("03-17"))["window"] == {"ends_at": None, "open": True,
                                                      "paused": True}
    assert env.cli.ok("resolve", "1", "dismissed", "--comment", "Không có cơ sở", user="sec",
                      now=at("03-23"))["state"] == "notice"
    assert timers(env, item) == [("window", 0, "2026-04-02T23:59:59+07:00")]
    assert [e["action"] for e in audit(env, item)][-2:] == ["objection_resolved", "resumed"]
    assert len(audit(env, action="notice_published")) == 1  # resuming does not republish
    # the board tells the public the truth: this nominee's window runs on past the published end
    [board] = env.cli.ok("notices", now=at("03-23"))
    assert (board["ends_at"], board["extended_to"], board["status"]) == (
        "2026-03-16T23:59:59+07:00", "2026-04-02T23:59:59+07:00", "open")
    [nominee] = board["nominees"]
    assert (nominee["window_open"], nominee["window_ends_at"]) == (
        True, "2026-04-02T23:59:59+07:00")
    assert show(env, item, at("03-23"))["window"] == {"ends_at": "2026-04-02T23:59:59+07:00",
                                                      "open": True, "paused": False}
    human = env.cli("show", item, json_out=False, now=at("03-23")).stdout
    assert "state     notice, notice window ends 2026-04-02T23:59:59+07:00\n" in human
    assert sweep(env, at("04-02", "23:00:00")) == counts()
    assert show(env, item, at("04-02", "23:00:00"))["state"] == "notice"
    assert sweep(env, at("04-03", "00:00:30")) == counts(claimed=1, windows=1)
    moved = show(env, item, at("04-03"))
    assert (moved["state"], moved["due_at"]) == ("council_review", "2026-04-10T23:59:59+07:00")
    assert env.cli.ok("notices", now=at("04-03"))[0]["status"] == "closed"
    assert audit(env, item)[-1]["payload"]["trigger"] == "@then"


def test_an_earlier_notice_is_not_held_open_by_a_later_one(env: Env) -> None:
    item = submitted(env, "nt-twice", now=MON)  # local window: Mar 3-9, 5 working days
    assert sweep(env, at("03-10", "08:00:00")) == counts(claimed=1, windows=1)
    assert show(env, item, at("03-10"))["state"] == "upper_notice"
    local, upper = env.cli.ok("notices", now=at("03-11"))
    assert (local["unit"], upper["unit"]) == ("U", "P")
    assert (local["status"], local["extended_to"]) == ("closed", None)
    assert local["nominees"][0]["window_open"] is False
    assert local["nominees"][0]["window_ends_at"] is None
    assert upper["status"] == "open" and upper["nominees"][0]["window_open"] is True


def test_a_window_that_ended_before_the_hold_is_not_reopened(env: Env) -> None:
    item = submitted(env, "nt-hold", now=MON)
    late = at("03-17", "09:00:00")  # the window ended at the end of 03-16; no sweep yet
    refused(env, 4, ["object", item, "--text", "Muộn"], now=late,
            message=f"the public notice window for nomination {item} is closed")
    assert obj(env, item, "Khiếu nại", now=late, user="sec")["held"] is True
    result = env.cli.ok("resolve", "1", "dismissed", "--comment", "Không có cơ sở", user="sec",
                        now=at("03-20"))
    # nothing of the window was left: the item moves on, and the public stays shut out
    assert result["state"] == "council_review"
    refused(env, 4, ["object", item, "--text", "Lại muộn"], now=at("03-20", "11:00:00"))


# --- 5. confirmations ----------------------------------------------------------------------


def confirmation_rows(env: Env, item: str) -> list[tuple[Any, ...]]:
    return env.rows("SELECT key, decision, actor, comment FROM confirmation WHERE "
                    "nomination_id = :n ORDER BY key", n=int(item))


def test_confirmations_each_by_its_role_once(env: Env) -> None:
    draft = nominate(env, "cf-hold", now=MON)
    item = submitted(env, "cf-hold", now=MON)
    assert show(env, item, MON)["due_at"] == WINDOW_END  # 10 working days
    refused(env, 4, ["confirm", draft, "tax", "yes"], user="tax", now=at("03-03"),
            message=f"nomination {draft} is in 'draft', which takes no confirmations",
            error_type="NotAllowed")
    refused(env, 3, ["confirm", item, "tax", "yes"], user="ins", now=at("03-03"),
            message=f"ins may not confirm 'tax' for nomination {item}: needs tax_officer at P",
            error_type="PermissionDenied")
    refused(env, 3, ["confirm", item, "insurance", "yes"], user="off", now=at("03-03"),
            error_type="PermissionDenied")
    error = refused(env, 1, ["confirm", item, "environment", "yes"], user="tax",
                    now=at("03-03"), error_type="InvalidInput")
    assert error["message"] == ("'confirming' has no confirmation 'environment'; "
                                "keys: tax, insurance")
    assert env.cli("confirm", item, "tax", "maybe", user="tax", json_out=False,
                   now=at("03-03")).exit_code == 2

    first = env.cli.ok("confirm", item, "tax", "yes", "--comment", "Không nợ thuế", user="tax",
                       now=at("03-03"))
    assert first == {"id": item, "key": "tax", "decision": "yes", "waiting": ["insurance"],
                     "state": "confirming"}
    for decision in ("yes", "no"):
        refused(env, 4, ["confirm", item, "tax", decision], user="tax", now=at("03-03"),
                message=f"'tax' is already signed off for nomination {item}",
                error_type="NotAllowed")
    assert show(env, item, at("03-03"))["confirmations"] == [
        {"key": "tax", "decision": "yes", "actor": "tax", "comment": "Không nợ thuế",
         "at": at("03-03")},
        {"key": "insurance", "decision": None, "actor": None, "comment": None, "at": None}]

    last = env.cli.ok("confirm", item, "insurance", "yes", user="ins", now=at("03-04"))
    assert last == {"id": item, "key": "insurance", "decision": "yes", "waiting": [],
                    "from": "confirming", "state": "council_review"}
    confirmed = audit(env, item, "confirmed")
    assert [(e["actor"], e["payload"]) for e in confirmed] == [
        ("tax", {"key": "tax", "decision": "yes", "comment": "Không nợ thuế"}),
        ("ins", {"key": "insurance", "decision": "yes"})]
    moved = audit(env, item)[-1]
    assert (moved["action"], moved["actor"], moved["from"], moved["to"]) == (
        "fired", "ins", "confirming", "council_review")
    assert {k: v for k, v in moved["payload"].items() if k != "flow_version"} == {
        "trigger": "@then", "confirmations": {"tax": "yes", "insurance": "yes"}}
    after = show(env, item, at("03-04"))
    assert [(c["key"], c["decision"], c["actor"]) for c in after["confirmations"]] == [
        ("tax", "yes", "tax"), ("insurance", "yes", "ins")]
    refused(env, 4, ["confirm", item, "insurance", "yes"], user="ins", now=at("03-05"),
            message=f"nomination {item} is in 'council_review', which takes no confirmations",
            error_type="NotAllowed")


def test_one_refusal_routes_to_on_negative_at_once(env: Env) -> None:
    item = submitted(env, "cf-hold", now=MON)
    result = env.cli.ok("confirm", item, "insurance", "no", "--comment", "Nợ BHXH 6 tháng",
                        user="ins", now=at("03-03"))
    assert result == {"id": item, "key": "insurance", "decision": "no", "waiting": ["tax"],
                      "from": "confirming", "state": "not_eligible"}
    done = show(env, item, at("03-03"))
    assert (done["final"], done["outcome"]) == (True, "rejected")
    assert audit(env, item)[-1]["payload"]["trigger"] == "@negative"
    assert [(c["key"], c["decision"]) for c in done["confirmations"]] == [("insurance", "no")]
    refused(env, 4, ["confirm", item, "tax", "yes"], user="tax", now=at("03-04"),
            error_type="NotAllowed")
    assert timers(env, item) == []


def test_a_hold_during_confirmations_keeps_the_signatures(env: Env) -> None:
    item = submitted(env, "cf-hold", now=MON)
    env.cli.ok("confirm", item, "tax", "yes", user="tax", now=at("03-03"))
    assert obj(env, item, "Khiếu nại về nghĩa vụ thuế", now=at("03-04"), user="sec")[
        "held"] is True
    held = show(env, item, at("03-04"))
    assert (held["state"], held["hold"]["origin"], held["hold"]["sla_remaining"]) == (
        "on_hold", "confirming", 8)
    assert [(c["key"], c["decision"]) for c in held["confirmations"]] == [("tax", "yes")]
    refused(env, 4, ["confirm", item, "insurance", "yes"], user="ins", now=at("03-05"),
            error_type="NotAllowed")

    assert env.cli.ok("resolve", "1", "dismissed", "--comment", "Đã nộp đủ", user="sec",
                      now=at("03-09"))["state"] == "confirming"
    back = show(env, item, at("03-09"))
    assert back["due_at"] == "2026-03-19T23:59:59+07:00"  # 8 working days after Mon 03-09
    assert back["confirmations"] == [
        {"key": "tax", "decision": "yes", "actor": "tax", "comment": None, "at": at("03-03")},
        {"key": "insurance", "decision": None, "actor": None, "comment": None, "at": None}]
    refused(env, 4, ["confirm", item, "tax", "no"], user="tax", now=at("03-10"),
            message=f"'tax' is already signed off for nomination {item}")
    result = env.cli.ok("confirm", item, "insurance", "yes", user="ins", now=at("03-10"))
    assert (result["waiting"], result["state"]) == ([], "council_review")
    assert confirmation_rows(env, item) == [("insurance", "yes", "ins", None),
                                            ("tax", "yes", "tax", None)]


# --- 6. documents and injection ------------------------------------------------------------


def test_notice_and_decision_render_hostile_text_literally(env: Env, tmp_path: Path) -> None:
    hostile = submitted(env, "nt-hold", nominee=SCRIPT, citation=SSTI_EXPR, now=MON)
    expr = submitted(env, "nt-hold", nominee=SSTI_EXPR, now=MON)
    submitted(env, "nt-hold", nominee=SSTI_LOOP, now=MON)
    lan = submitted(env, "nt-hold", nominee=LAN_NFD, citation=LAN_NFD, now=MON)
    html = env.cli("notices", "--html", "1", json_out=False).stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html
    assert "{{ &#39;&#39;.__class__ }}" in html
    assert SSTI_LOOP in html  # nothing in it needs escaping, and it was not evaluated
    assert "<class" not in html and "&lt;class" not in html and "subclasses__() %}{{" in html
    assert LAN_NFC in html and LAN_NFD not in html
    assert html == unicodedata.normalize("NFC", html)
    assert sha(html) == audit(env, action="notice_published")[-1]["payload"]["sha256"]

    # objection texts are kept literally and hashed as typed
    text_ = f"{SCRIPT} {SSTI_EXPR} {SSTI_LOOP}"
    obj(env, expr, text_, now=at("03-04"))
    assert show(env, expr, at("03-04"))["objections"][0]["text"] == text_
    assert audit(env, expr, "objection_filed")[0]["payload"]["text_sha256"] == sha(text_)
    env.cli.ok("resolve", "1", "dismissed", "--comment", SSTI_EXPR, user="sec", now=at("03-05"))
    assert show(env, expr, at("03-05"))["objections"][0]["resolution"] == SSTI_EXPR

    # (the held item lost a day of its window to the hold: it ends a day later)
    assert sweep(env, at("03-17", "08:00:00"))["windows"] == 3
    assert show(env, expr, at("03-17"))["state"] == "notice"
    for item in (hostile, lan):
        env.cli.ok("fire", item, "award", user="head", now=at("03-18"))
    for item, must in ((hostile, ["&lt;script&gt;alert(1)&lt;/script&gt;",
                                  "<dd>{{ &#39;&#39;.__class__ }}</dd>"]),
                       (lan, [f"<dd>{LAN_NFC}</dd>"])):
        [fired] = [e for e in audit(env, item, "fired") if e["to"] == "awarded"]
        [rendered] = audit(env, item, "rendered")
        # the award is granted, its decision numbered and issued, then the item's copy
        [granted] = audit(env, item, "granted")
        assert granted["seq"] == fired["seq"] + 1
        [decided] = [e for e in audit(env, action="decided")
                     if e["payload"]["decision"] == granted["payload"]["decision"]]
        assert decided["seq"] == granted["seq"] + 1 == rendered["seq"] - 1
        fired = decided  # the head the item's copy embeds
        [doc] = rendered["payload"]["documents"]
        [(template, digest, content)] = env.rows(
            "SELECT template, sha256, content FROM rendered_document WHERE nomination_id = :n",
            n=int(item))
        assert (doc["template"], doc["sha256"]) == ("decision.html.j2", digest)
        assert template == "decision.html.j2" and sha(content) == digest
        assert f"seq {fired['seq']}, <code>{fired['hash']}</code>" in content
        assert f"--anchor {fired['seq']}:{fired['hash']}" in content
        assert '<p class="name">Giám đốc Sở' in content  # the person who decided, by name
        assert "QUYẾT ĐỊNH" in content and "Nơi nhận:" in content
        for needle in must:
            assert needle in content, needle
        assert "<script" not in content and "<class" not in content
        assert LAN_NFD not in content
        assert [(r["template"], r["sha256"]) for r in show(env, item, at("03-18"))[
            "rendered"]] == [("decision.html.j2", digest)]

    # on request: the same template, with the audit head of now, written to a file
    out = tmp_path / "decision.html"
    result = env.cli.ok("render", hostile, "decision.html.j2", "--out", str(out))
    head = env.cli.ok("audit", "head")
    assert result == {"nomination": hostile, "template": "decision.html.j2",
                      "sha256": sha(out.read_bytes()), "out": str(out)}
    written = out.read_text(encoding="utf-8")
    assert f"seq {head['seq']}, <code>{head['hash']}</code>" in written
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in written and "<script" not in written
    assert env.cli.ok("audit", "head") == head  # rendering on request writes nothing
    env.cli.fails(5, "render", hostile, "nope.html.j2")
    env.cli.fails(5, "render", hostile, "../pyproject.toml")
    env.cli.fails(5, "render", "999", "decision.html.j2")
    assert env.cli.ok("audit", "verify")["ok"] is True


def test_a_decomposed_nominee_name_is_stored_nfc(env: Env) -> None:
    item = submitted(env, "nt-hold", nominee=LAN_NFD, now=MON)
    assert show(env, item, MON)["nominee"] == LAN_NFC
    assert env.cli.ok("notices")[0]["nominees"][0]["nominee"] == LAN_NFC


@pytest.fixture
def templates(tmp_path: Path) -> Renderer:
    folder = tmp_path / "templates"
    folder.mkdir()
    bodies = {
        "mro.html.j2": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "cls.txt.j2": "{{ ''.__class__ }}",
        "loop.html.j2": "{% for x in ().__class__.__base__.__subclasses__() %}{{ x }}{% endfor %}",
        "globals.html.j2": "{{ cycler.__init__.__globals__ }}",
        "format.txt.j2": "{{ '{0.__class__}'.format(value) }}",
        "undefined.html.j2": "{{ undefined_name }}",
        "undefined_attr.html.j2": "{{ value.missing }}",
        "value.html.j2": "{{ value }}",
        "value.txt.j2": "{{ value }}",
    }
    for name, body in bodies.items():
        (folder / name).write_text(body, encoding="utf-8")
    (tmp_path / "outside.html.j2").write_text("secret", encoding="utf-8")
    return Renderer(folder)


@pytest.mark.parametrize("name", ["mro.html.j2", "cls.txt.j2", "loop.html.j2", "globals.html.j2",
                                  "format.txt.j2"])
def test_renderer_refuses_to_reach_python_internals(templates: Renderer, name: str) -> None:
    with pytest.raises(InvalidInput, match="tried something unsafe"):
        templates.render(name, {"value": "x"})


@pytest.mark.parametrize("name", ["undefined.html.j2", "undefined_attr.html.j2"])
def test_renderer_undefined_is_an_error(templates: Renderer, name: str) -> None:
    with pytest.raises(InvalidInput, match=r"is undefined|has no attribute"):
        templates.render(name, {"value": {"present": 1}})


def test_renderer_escapes_html_only_and_outputs_nfc(templates: Renderer) -> None:
    assert templates.render("value.html.j2", {"value": f"{SCRIPT}&\"'"}) == (
        "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#34;&#39;")
    assert templates.render("value.txt.j2", {"value": SCRIPT}) == SCRIPT
    assert templates.render("value.html.j2", {"value": SSTI_EXPR}) == "{{ &#39;&#39;.__class__ }}"
    assert templates.render("value.html.j2", {"value": LAN_NFD}) == LAN_NFC
    for name in ("../outside.html.j2", "missing.html.j2", ".hidden.html.j2"):
        with pytest.raises(NotFound):
            templates.render(name, {"value": 1})


def test_a_second_citizen_may_object_while_the_first_objection_holds_the_item(env: Env) -> None:
    item = submitted(env, "nt-hold", now=MON)
    first = obj(env, item, "Phản ánh thứ nhất", now=at("03-04"))
    assert first["held"] is True
    # the window is paused by the hold, not closed: the public may still add objections
    second = obj(env, item, "Phản ánh thứ hai", now=at("03-05"))
    assert (second["status"], second["held"]) == ("open", False)
    entries = audit(env, item, "objection_filed")
    assert [e["payload"]["notice"] for e in entries] == [1, 1]
    env.cli.ok("resolve", first["id"], "dismissed", "--comment", "Không có cơ sở", user="sec",
               now=at("03-06"))
    assert show(env, item, at("03-06"))["state"] == "on_hold"  # one is still open
    env.cli.ok("resolve", second["id"], "dismissed", "--comment", "Không có cơ sở", user="sec",
               now=at("03-06"))
    assert show(env, item, at("03-06"))["state"] == "notice"
