"""Objection kinds and their handling deadlines (SPEC §10.4): góp ý, khiếu nại, tố cáo, kiến nghị.

Each kind's period comes from definitions/catalogue.yaml and counts in working days on the
item's calendar (Tết skipped); its reminder (80%) and escalations (100%, 150%) are timer rows
the sweep takes exactly once; resolving cancels them; a complaint or a denunciation may be
extended once. Every database test runs on SQLite and, with AWARD_TEST_PG, on PostgreSQL,
through the command line with the clock fixed per call (as tests/test_notices.py does).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import test_web_api
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, text
from test_web_api import Scene, csrf_of, post, sign_in

from tests.conftest import ROOT, Cli
from workflow.calendar import load_calendar
from workflow.catalogue import OBJECTION_KINDS, load_catalogue, parse_catalogue
from workflow.errors import DefinitionError
from workflow.escalation import objection_due, objection_steps

scene = test_web_api.scene  # the web tests' scene: a notice open for the public
cheap_hashes = test_web_api.cheap_hashes

VN = load_calendar(ROOT / "definitions" / "calendars" / "vn.yaml")
CATALOGUE = load_catalogue(ROOT / "definitions" / "catalogue.yaml")

FLOW = """\
flow: ok-review
title: {vi: "Xét khen có khiếu nại", en: "Review with objections"}
award: LDTT
nominee: individual
calendar: vn
decider: unit_head@unit
states:
  draft: {initial: true}
  review: {}
  awarded: {final: true, outcome: awarded}
  rejected: {final: true, outcome: rejected}
transitions:
  - {trigger: submit, from: draft, to: review, by: officer@unit}
  - {trigger: award, from: review, to: awarded, by: decider}
  - {trigger: reject, from: review, to: rejected, by: decider}
"""

DIRECTORY = """\
units:
  - {id: P, name: "Tỉnh Phú Thọ", level: province}
  - {id: U, name: "Sở Giáo dục", level: department, parent: P}
  - {id: X, name: "Tỉnh khác", level: province}
people:
  - {login: off,    name: "Cán bộ TĐKT", roles: [officer@U]}
  - {login: sec,    name: "Thư ký Sở", roles: [secretariat@U]}
  - {login: chair,  name: "Chủ tịch Hội đồng Sở", roles: [council_chair@U]}
  - {login: head,   name: "Giám đốc Sở", roles: [unit_head@U]}
  - {login: pchair, name: "Chủ tịch Hội đồng tỉnh", roles: [council_chair@P]}
  - {login: xoff,   name: "Cán bộ nơi khác", roles: [officer@X]}
"""

MON = "2026-03-02T10:00:00+07:00"  # a Monday of a March without weekday holidays
TET_FILED = "2027-02-01T10:00:00+07:00"  # Monday; Tết 2027 is off from Thu 4 to Wed 10 Feb
OBJECTOR = "Người dân Trần Văn Phản"
CONTACT = "0912-345-678 phan@example.vn"


def at(day: str, clock: str = "10:00:00", year: int = 2026) -> str:
    return f"{year}-{day}T{clock}+07:00"


@dataclass
class Env:
    cli: Cli
    engine: Engine

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]


@pytest.fixture
def env(db_url: str, tmp_path: Path) -> Iterator[Env]:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "ok-review.yaml").write_text(FLOW, encoding="utf-8")
    directory = tmp_path / "directory.yaml"
    directory.write_text(DIRECTORY, encoding="utf-8")
    cli = Cli(db_url, now=MON, env={"AWARD_FLOWS": str(flows)})
    cli.ok("init")
    cli.ok("directory", "load", str(directory))
    engine = create_engine(db_url)
    yield Env(cli, engine)
    engine.dispose()


def item_in_review(env: Env, now: str = MON, nominee: str = "Nguyễn Văn An") -> str:
    item = str(env.cli.ok("nominate", "ok-review", "--unit", "U", "--nominee", nominee,
                          user="off", now=now)["id"])
    env.cli.ok("fire", item, "submit", user="off", now=now)
    return item


def file(env: Env, item: str, kind: str | None, now: str, user: str | None = "off",
         **extra: str) -> dict[str, Any]:
    args = ["object", item, "--text", f"Đơn {kind or 'mặc định'}"]
    if kind is not None:
        args += ["--kind", kind]
    for key, value in extra.items():
        args += [f"--{key}", value]
    result: dict[str, Any] = env.cli.ok(*args, user=user, now=now)
    return result


def timers(env: Env, objection: str) -> list[tuple[int, str, str]]:
    """``(percent, status, local due)`` of an objection's timers."""
    out = []
    for step, status, stored in env.rows(
            "SELECT step, status, due_at FROM timer WHERE objection_id = :o ORDER BY step",
            o=int(objection)):
        due = datetime.fromisoformat(stored) if isinstance(stored, str) else stored
        due = due.replace(tzinfo=UTC) if due.tzinfo is None else due
        out.append((int(step), status, due.astimezone(VN.tz).isoformat(timespec="seconds")))
    return out


def outbox(env: Env) -> list[tuple[str, str, str]]:
    return sorted((m["kind"], m["recipient"], m["subject"]) for m in env.cli.ok("outbox"))


def end_of(day: str, year: int = 2026) -> str:
    return f"{year}-{day}T23:59:59+07:00"


SNAPSHOT = ("objection", "timer", "audit_entry", "outbox")


def snapshot(env: Env) -> dict[str, list[str]]:
    return {t: sorted(map(repr, env.rows(f"SELECT * FROM {t}"))) for t in SNAPSHOT}


def refused(env: Env, code: int, args: list[str], *, user: str | None, now: str
            ) -> dict[str, Any]:
    """Refused with ``code``, one line, and nothing written."""
    before = snapshot(env)
    error = env.cli.fails(code, *args, user=user, now=now)
    assert "\n" not in error["message"]
    assert snapshot(env) == before
    return error


# ---- deadlines over Tết ---------------------------------------------------------------------


def test_each_kind_is_due_its_working_days_later_skipping_tet(env: Env) -> None:
    item = item_in_review(env, now=TET_FILED)
    # counted by hand on the 2027 calendar: Feb 2, 3 (Tết Feb 4–10 off), 11, 12, 15 … 19, 22
    expected = {
        "gop_y": end_of("02-22", 2027),  # 10 working days; without Tết it would be Feb 15
        "kien_nghi": end_of("03-01", 2027),  # 15
        "khieu_nai": end_of("03-22", 2027),  # 30
        "to_cao": end_of("03-22", 2027),  # 30
    }
    for kind, due in expected.items():
        result = file(env, item, kind, TET_FILED)
        assert (result["kind"], result["due_at"]) == (kind, due)
        # the reminder at 80%, the escalations at 100% (the deadline itself) and 150%
        steps = timers(env, result["id"])
        assert [s[:2] for s in steps] == [(80, "pending"), (100, "pending"), (150, "pending")]
        assert steps[1][2] == due
        assert steps[0][2] < steps[1][2] < steps[2][2]
    # without --kind: a comment (góp ý)
    assert file(env, item, None, TET_FILED)["kind"] == "gop_y"
    kinds = [o["kind"] for o in env.cli.ok("show", item, now=TET_FILED)["objections"]]
    assert kinds == ["gop_y", "kien_nghi", "khieu_nai", "to_cao", "gop_y"]
    [row] = env.rows("SELECT kind, due_at IS NOT NULL FROM objection WHERE id = 3")
    assert row == ("khieu_nai", True)


def test_an_unknown_kind_is_one_line_and_writes_nothing(env: Env) -> None:
    item = item_in_review(env)
    for bad in ("complaint", "GOP_Y", ""):
        error = refused(env, 1, ["object", item, "--text", "x", "--kind", bad], user="off",
                        now=MON)
        assert error["type"] == "InvalidInput"
        assert error["message"] == (f"objection kind {bad!r}: use one of gop_y, khieu_nai, "
                                    "to_cao, kien_nghi")
    error = refused(env, 1, ["objections", "--kind", "nope"], user="sec", now=MON)
    assert "use one of gop_y, khieu_nai, to_cao, kien_nghi" in error["message"]


# ---- the one extension ----------------------------------------------------------------------


def test_a_complaint_is_extended_once_by_its_examining_secretariat(env: Env) -> None:
    item = item_in_review(env, now=TET_FILED)
    complaint = file(env, item, "khieu_nai", TET_FILED, name=OBJECTOR, contact=CONTACT)
    assert complaint["due_at"] == end_of("03-22", 2027)
    later = at("03-01", year=2027)
    # only the secretariat that resolves it may extend it
    for user in ("off", "xoff", "chair"):
        error = refused(env, 3, ["extend", complaint["id"], "--reason", "Phức tạp"],
                        user=user, now=later)
        assert error["type"] == "PermissionDenied"
        assert error["message"] == (f"{user} may not extend objection {complaint['id']}: "
                                    "needs secretariat at U or above")
    refused(env, 1, ["extend", complaint["id"], "--reason", "  "], user="sec", now=later)
    refused(env, 5, ["extend", "99", "--reason", "x"], user="sec", now=later)

    extended = env.cli.ok("extend", complaint["id"], "--reason", "Vụ việc phức tạp",
                          user="sec", now=later)
    # 15 working days after Mar 22: Mar 23–26, Mar 29–Apr 2, Apr 5–9, Apr 12
    assert extended == {"id": complaint["id"], "nomination": item, "kind": "khieu_nai",
                        "days": 15, "due_at": end_of("04-12", 2027),
                        "extended_at": later, "status": "open"}
    # its pending steps move with it: N% of 45 working days after filing
    steps = timers(env, complaint["id"])
    assert [(s[0], s[2]) for s in steps] == [
        (80, VN.due(datetime.fromisoformat(TET_FILED), 36, working=True).astimezone(VN.tz)
         .isoformat(timespec="seconds")),
        (100, end_of("04-12", 2027)),
        (150, VN.due(datetime.fromisoformat(TET_FILED), 68, working=True).astimezone(VN.tz)
         .isoformat(timespec="seconds"))]
    [entry] = [e for e in env.cli.ok("audit", "log", item) if e["action"] == "objection_extended"]
    assert entry["actor"] == "sec"
    assert entry["payload"] == {"objection": int(complaint["id"]), "kind": "khieu_nai",
                                "days": 15, "due_at": end_of("04-12", 2027),
                                "reason": "Vụ việc phức tạp"}
    blob = repr(env.rows("SELECT * FROM audit_entry"))
    assert OBJECTOR not in blob and CONTACT not in blob

    # a second extension is refused: the law allows one
    error = refused(env, 4, ["extend", complaint["id"], "--reason", "Lần nữa"], user="sec",
                    now=at("03-02", year=2027))
    assert error["message"] == (f"objection {complaint['id']} was already extended on "
                                f"{later}; the law allows one extension")

    # a denunciation has 30 more working days; a comment or a petition has none
    denunciation = file(env, item, "to_cao", TET_FILED)
    moved = env.cli.ok("extend", denunciation["id"], "--reason", "Cần xác minh thêm",
                       user="sec", now=later)
    due = VN.add_working_days(date(2027, 3, 22), 30)
    assert moved["days"] == 30 and moved["due_at"] == end_of(due.strftime("%m-%d"), 2027)
    for kind in ("gop_y", "kien_nghi"):
        other = file(env, item, kind, TET_FILED)
        error = refused(env, 4, ["extend", other["id"], "--reason", "x"], user="sec", now=later)
        assert error["message"] == (f"objection {other['id']} is a {kind}: a {kind} has no "
                                    "extension (only khieu_nai and to_cao)")
    # resolved: no extension either
    env.cli.ok("resolve", denunciation["id"], "dismissed", "--comment", "Không đúng",
               user="sec", now=later)
    error = refused(env, 4, ["extend", denunciation["id"], "--reason", "x"], user="sec",
                    now=later)
    assert error["message"] == f"objection {denunciation['id']} is already dismissed"


# ---- timers: exactly once, cancelled on resolution -------------------------------------------


def test_reminder_and_escalations_fire_once_each_and_resolving_cancels_them(env: Env) -> None:
    item = item_in_review(env)
    comment = file(env, item, "gop_y", MON)  # 10 working days: due Mon 16 March
    quick = file(env, item, "gop_y", MON)
    assert comment["due_at"] == end_of("03-16")
    # 80% = 8 working days (Thu 12), 100% = 10 (Mon 16), 150% = 15 (Mon 23)
    assert timers(env, comment["id"]) == [(80, "pending", end_of("03-12")),
                                          (100, "pending", end_of("03-16")),
                                          (150, "pending", end_of("03-23"))]
    # resolving one cancels its steps: it never reminds anyone
    env.cli.ok("resolve", quick["id"], "dismissed", "--comment", "Đã xử lý", user="sec",
               now=at("03-03"))
    assert {s[1] for s in timers(env, quick["id"])} == {"cancelled"}

    assert env.cli.ok("escalate", now=at("03-12", "23:00:00"))["claimed"] == 0
    first = env.cli.ok("escalate", now=at("03-13", "08:00:00"))
    assert (first["claimed"], first["reminded"], first["messages"], first["fired"]) == (
        1, 1, 1, 0)
    assert env.cli.ok("escalate", now=at("03-13", "09:00:00"))["claimed"] == 0  # once
    [(kind, to, subject)] = outbox(env)
    assert (kind, to) == ("reminder", "sec")
    assert subject == (f"[Nhắc việc / Reminder] Góp ý số {comment['id']} — hồ sơ {item} "
                       "(Nguyễn Văn An)")

    due = env.cli.ok("escalate", now=at("03-17", "08:00:00"))
    assert (due["claimed"], due["escalated"], due["messages"]) == (1, 1, 2)
    late = env.cli.ok("escalate", now=at("03-24", "08:00:00"))
    # 150%: the unit's chair and head, and the chair of the level above
    assert (late["claimed"], late["escalated"], late["messages"]) == (1, 1, 3)
    for again in ("03-24", "03-30"):
        assert env.cli.ok("escalate", now=at(again, "09:00:00"))["claimed"] == 0
    assert [(k, r) for k, r, _ in outbox(env)] == [
        ("escalation", "chair"), ("escalation", "chair"), ("escalation", "head"),
        ("escalation", "head"), ("escalation", "pchair"), ("reminder", "sec")]
    body = env.cli.ok("outbox", "--to", "pchair")[0]["body"]
    assert "QUÁ HẠN" in body and "OVERDUE" in body
    # the objection's timers never move the item, and its own state has none
    assert env.cli.ok("show", item, now=at("03-24"))["state"] == "review"
    actions = [e["action"] for e in env.cli.ok("audit", "log", item)]
    assert actions.count("reminded") == 1 and actions.count("escalated") == 2
    assert actions.count("fired") == 1  # the submission only
    assert {s[1] for s in timers(env, comment["id"])} == {"done"}


def test_a_complaint_against_a_granted_award_has_a_deadline_too(env: Env) -> None:
    item = item_in_review(env)
    env.cli.ok("fire", item, "award", user="head", now=MON)
    filed = file(env, item, "khieu_nai", at("03-03"), user=None)
    assert filed["grant"] and filed["due_at"] == VN.due(
        datetime.fromisoformat(at("03-03")), 30, working=True).astimezone(VN.tz).isoformat(
        timespec="seconds")
    assert [s[:2] for s in timers(env, filed["id"])] == [(80, "pending"), (100, "pending"),
                                                         (150, "pending")]
    env.cli.ok("resolve", filed["id"], "dismissed", "--comment", "Không có cơ sở", user="sec",
               now=at("03-04"))
    assert {s[1] for s in timers(env, filed["id"])} == {"cancelled"}


# ---- lists, digest ---------------------------------------------------------------------------


def test_objections_list_overdue_digest_and_list_overdue(env: Env) -> None:
    late_item = item_in_review(env)
    calm_item = item_in_review(env, nominee="Lê Thị Bình")
    # filed by an officer for a citizen who came to the office, with their name and contact
    late = file(env, late_item, "gop_y", MON, name=OBJECTOR, contact=CONTACT)
    calm = file(env, calm_item, "khieu_nai", MON)
    now = at("03-17")  # the comment was due at the end of 16 March

    listed = env.cli.ok("objections", user="off", now=now)
    assert [(o["id"], o["kind"], o["status"], o["overdue"], o["extended"]) for o in listed] == [
        (late["id"], "gop_y", "open", True, False), (calm["id"], "khieu_nai", "open", False,
                                                      False)]
    assert listed[0]["kind_label"] == {"vi": "Góp ý", "en": "Comment"}
    assert listed[0]["due_at"] == end_of("03-16") and listed[0]["filed_at"] == MON
    # the officer is not the examining secretariat: no name, no contact
    assert all("name" not in o and "contact" not in o for o in listed)
    assert OBJECTOR not in env.cli("objections", user="off", now=now, json_out=False).stdout
    examiner = env.cli.ok("objections", "--overdue", user="sec", now=now)
    assert [(o["id"], o["name"], o["contact"]) for o in examiner] == [
        (late["id"], OBJECTOR, CONTACT)]
    assert [o["id"] for o in env.cli.ok("objections", "--kind", "khieu_nai", user="sec",
                                        now=now)] == [calm["id"]]
    assert env.cli.ok("objections", "--unit", "X", user="sec", now=now) == []
    assert env.cli.ok("objections", user="xoff", now=now) == []  # a role elsewhere only
    table = env.cli("objections", "--open", user="sec", now=now, json_out=False).stdout
    assert "Comment" in table and "Complaint" in table and " !" in table
    assert "Phản" in table  # the examining secretariat sees who objected (wrapped)

    # award list --overdue: the item with an overdue open objection (no SLA of its own)
    assert [r["id"] for r in env.cli.ok("list", "--overdue", now=now)] == [late_item]
    assert env.cli.ok("list", "--overdue", now=at("03-16")) == []

    # the daily digest: a section of overdue objections for the unit
    digest = env.cli.ok("digest", now=now)
    assert digest == {"units": 1, "messages": 2, "overdue": 0, "objections": 1}
    bodies = {m["recipient"]: m["body"] for m in env.cli.ok("outbox", "--kind", "digest")}
    assert set(bodies) == {"sec", "chair"}  # the unit's secretariat and council chair
    body = bodies["sec"]
    assert "Đơn thư quá hạn giải quyết / Overdue objections: 1" in body
    assert f"Góp ý số {late['id']} (gop_y), hồ sơ/item {late_item}" in body
    assert OBJECTOR not in body and CONTACT not in body
    assert env.cli.ok("digest", now=now)["messages"] == 0  # once a day

    # resolved, it is neither overdue nor in the next digest
    env.cli.ok("resolve", late["id"], "dismissed", "--comment", "Đã trả lời", user="sec",
               now=now)
    assert env.cli.ok("objections", "--overdue", user="sec", now=now) == []
    assert env.cli.ok("list", "--overdue", now=now) == []


# ---- the web ------------------------------------------------------------------------------


def test_the_public_form_offers_the_four_kinds_and_refuses_another(scene: Scene) -> None:
    d1 = scene.ids["D1"]
    with scene.client() as client:
        form = client.get(f"/nominees/{d1}/object").text
        assert '<select id="kind" name="kind"' in form
        assert '<option value="gop_y" selected>Góp ý</option>' in form
        for value, label in (("khieu_nai", "Khiếu nại"), ("to_cao", "Tố cáo"),
                             ("kien_nghi", "Kiến nghị")):
            assert f'<option value="{value}">{label}</option>' in form
        token = csrf_of(form)
        bad = post(client, f"/nominees/{d1}/object", token, text="Có thật", kind="khac")
        assert bad.status_code == 422
        assert "Loại đơn không hợp lệ" in bad.text
        assert '<option value="khac"' not in bad.text
        api = client.post(f"/api/items/{d1}/objections", json={"text": "x", "kind": "khac"})
        assert api.status_code == 422
        assert api.json()["error"]["type"] == "InvalidInput"
        assert api.json()["error"]["code"] == "objection.bad_kind"
        assert scene.service.items.show(d1)["objections"] == []
        filed = post(client, f"/nominees/{d1}/object", token, text="Tố cáo sai phạm",
                     kind="to_cao")
        assert filed.status_code == 303
        [objection] = scene.service.items.show(d1)["objections"]
        assert objection["kind"] == "to_cao" and objection["due_at"]
        assert objection["kind_label"]["vi"] == "Tố cáo"
        # the receipt and the lookup by its code tell the filer the kind and the deadline
        due = datetime.fromisoformat(objection["due_at"]).strftime("%d/%m/%Y")
        receipt = client.get("/receipt").text
        assert 'data-testid="receipt-kind">Tố cáo<' in receipt
        assert 'data-testid="receipt-due"' in receipt and due in receipt
        code = re.search(r'data-testid="receipt-number">([^<]+)<', receipt)
        assert code is not None
        lookup = post(client, "/receipts", csrf_of(client.get("/receipts").text),
                      code=code.group(1))
        assert 'data-testid="receipt-kind">Tố cáo<' in lookup.text
        assert "Hạn giải quyết theo quy định" in lookup.text and due in lookup.text


def test_staff_pages_show_kind_and_deadline_and_file_a_kind(scene: Scene) -> None:
    d1, d2 = scene.ids["D1"], scene.ids["D2"]
    scene.service.items.file_objection(None, d1, "Tố cáo sai phạm", kind="to_cao")
    with scene.client() as thu:
        token = sign_in(thu, "thu")  # the department's secretariat
        page = thu.get(f"/items/{d1}").text
        assert '<span data-testid="objection-kind">Tố cáo</span>' in page
        assert "Hạn giải quyết" in page
        assert '<select id="complaint-kind" name="kind">' in page
        bad = post(thu, f"/items/{d2}/objections", token, text="Khiếu nại", kind="khac")
        assert bad.status_code == 422 and "Loại đơn không hợp lệ" in bad.text
        filed = post(thu, f"/items/{d2}/objections", token, text="Khiếu nại", kind="khieu_nai")
        assert filed.status_code == 303
        queue = thu.get("/queue").text
        kinds = re.findall(r'data-testid="objection-kind">([^<]+)<', queue)
        assert sorted(kinds) == ["Khiếu nại", "Tố cáo"]
        assert queue.count('data-testid="objection-due"><time') == 2
        listed = thu.get("/api/objections", auth=None).json()
    assert {o["kind"] for o in listed} == {"to_cao", "khieu_nai"}
    assert all(o["due_at"] and o["overdue"] is False for o in listed)


def test_the_examining_secretariat_extends_once_from_the_item_page(scene: Scene) -> None:
    d1 = scene.ids["D1"]
    denounced = scene.service.items.file_objection(None, d1, "Tố cáo sai phạm", kind="to_cao")
    commented = scene.service.items.file_objection(None, d1, "Góp ý thêm", kind="gop_y")
    key = denounced["id"]
    with scene.client() as thu:
        token = sign_in(thu, "thu")
        page = thu.get(f"/items/{d1}").text
        # a denunciation may be extended (30 WD more), a comment may not
        assert f'action="/objections/{key}/extend"' in page
        assert "thêm 30 ngày làm việc" in page
        assert f'action="/objections/{commented["id"]}/extend"' not in page
        empty = post(thu, f"/objections/{key}/extend", token, nomination=d1, reason="")
        assert empty.status_code == 422 and "Cần nhập lý do gia hạn." in empty.text
        done = post(thu, f"/objections/{key}/extend", token, nomination=d1,
                    reason="Vụ việc phức tạp, cần xác minh thêm")
        assert done.status_code == 303
        [shown] = [o for o in scene.service.items.show(d1)["objections"] if o["id"] == key]
        assert shown["extended"] and shown["due_at"] != denounced["due_at"]
        page = thu.get(f"/items/{d1}").text
        assert f'action="/objections/{key}/extend"' not in page  # once only
        again = post(thu, f"/objections/{key}/extend", token, nomination=d1, reason="Lần hai")
        assert again.status_code == 409
        assert "pháp luật chỉ cho gia hạn một lần" in again.text
    with scene.client() as lan:  # the nominating unit's officer: neither form nor extension
        token = sign_in(lan, "lan")
        assert f'action="/objections/{key}/extend"' not in lan.get(f"/items/{d1}").text


# ---- property ---------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(day=st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)),
       minute=st.integers(min_value=0, max_value=24 * 60 - 1),
       kind=st.sampled_from(OBJECTION_KINDS), extended=st.booleans())
def test_a_deadline_is_a_working_day_at_least_the_period_after_filing(
        day: date, minute: int, kind: str, extended: bool) -> None:
    spec = CATALOGUE.objection_kind(kind)
    assert spec is not None
    filed = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=VN.tz)
    due = objection_due(VN, spec, filed, extended)
    period = spec.days + (spec.extension if extended else 0)
    last = VN.local_date(due)
    assert VN.is_working_day(last)
    assert VN.local(due).time() == time(23, 59, 59)
    # exactly the period's working days after the filing day (not counted), so never earlier
    # than the filing date plus the period in calendar days
    assert VN.working_days_between(day, last) == period
    assert last >= day + timedelta(days=period)
    steps = [VN.local_date(VN.due(filed, n, working=True))
             for _, n in objection_steps(spec, extended)]
    assert steps == sorted(steps) and steps[1] == last


# ---- the catalogue section -------------------------------------------------------------------


def test_the_catalogue_section_is_read_strictly() -> None:
    assert {k: (v.days, v.extension) for k, v in CATALOGUE.objection_kinds.items()} == {
        "gop_y": (10, 0), "khieu_nai": (30, 15), "to_cao": (30, 30), "kien_nghi": (15, 0)}
    assert "Điều 28" in CATALOGUE.objection_kinds["khieu_nai"].basis
    assert "Điều 30" in CATALOGUE.objection_kinds["to_cao"].basis
    head = ("awards:\n  X:\n    title: x\n    form: title\n    level: unit\n"
            "    nominees: individual\n")
    for body, problem in (
            ("objection_kinds:\n  khieu:\n    label: x\n    days: 30\n",
             "objection kind 'khieu' is not allowed (did you mean 'khieu_nai'?); allowed: "
             "gop_y, khieu_nai, to_cao, kien_nghi"),
            ("objection_kinds:\n  to_cao:\n    label: x\n    days: 0\n", "to_cao days"),
            ("objection_kinds:\n  to_cao:\n    label: x\n    days: 30\n    extention: 5\n",
             "extention"),
            ("objection_kinds:\n  gop_y:\n    days: 10\n", "label")):
        with pytest.raises(DefinitionError) as caught:
            parse_catalogue(head + body, "catalogue.yaml")
        assert problem in caught.value.message, caught.value.message
    # no section: kinds are still accepted, without a deadline
    assert parse_catalogue(head, "catalogue.yaml").objection_kind("khieu_nai") is None
