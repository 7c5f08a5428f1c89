"""The web interface without a browser: pages and the JSON API through FastAPI's TestClient.

Every test runs on a scenario built through the service (the sample directory, the shipped
flows plus one small notice flow from ``AWARD_FLOWS``), on SQLite and on PostgreSQL when
``AWARD_TEST_PG`` is set. Passwords are argon2 hashes made with cheap parameters here (a test
of ``award passwd`` checks the real ones) so that sign-ins stay fast.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import argon2
import pytest
import yaml
from conftest import DIRECTORY, Cli, make_service
from fastapi.testclient import TestClient

from workflow.clock import FixedClock, parse_instant
from workflow.errors import InvalidInput, NotFound
from workflow.flow import INTERNAL
from workflow.service import Actor, Service
from workflow.web import create_app
from workflow.web.i18n import MESSAGES

ROOT = Path(__file__).resolve().parents[1]
WEB_NOW = "2026-03-16T09:00:00+07:00"  # a Monday, a month after Tết 2026
PASSWORD = "mat-khau-thu-nghiem"
STAFF = ("lan", "mai", "thu", "hoa", "minh", "nam", "hung", "kiemtoan")

# A small flow with a public notice decided at the unit (the shipped notice flows take many
# steps to reach their notice); it is loaded from AWARD_FLOWS like any administrator's flow.
NOTICE_FLOW = """\
flow: cong-khai-thu
title: {vi: "Giấy khen (công khai thử nghiệm)", en: "Certificate of merit (notice trial)"}
award: LDTT
nominee: individual
calendar: vn
decider: unit_head@unit
fields:
  year:   {type: integer, required: true, min: 2000, max: 2100, label: {vi: "Năm", en: "Year"}}
  rating:
    type: enum
    required: true
    label: {vi: "Xếp loại", en: "Rating"}
    values:
      HTXS: {vi: "Hoàn thành xuất sắc nhiệm vụ", en: "Duties completed with excellence"}
      HTT: {vi: "Hoàn thành tốt nhiệm vụ", en: "Duties completed well"}
      HT: {vi: "Hoàn thành nhiệm vụ", en: "Duties completed"}
  note:   {type: text, label: {vi: "Ghi chú", en: "Note"}}
documents:
  to_trinh: {label: {vi: "Tờ trình", en: "Cover letter"}}
states:
  draft: {initial: true, label: {vi: "Dự thảo", en: "Draft"}}
  cong_khai:
    type: notice
    label: {vi: "Công khai lấy ý kiến", en: "Public notice"}
    notice: {working_days: 5, template: notice.html.j2, then: cho_quyet_dinh}
  tam_dung: {type: hold, label: {vi: "Tạm dừng xác minh", en: "On hold"}}
  cho_quyet_dinh:
    label: {vi: "Chờ quyết định", en: "Awaiting decision"}
    sla: {working_days: 5}
  da_khen: {final: true, outcome: awarded, label: {vi: "Đã khen thưởng", en: "Awarded"}}
  khong_khen: {final: true, outcome: rejected, label: {vi: "Không khen thưởng", en: "Rejected"}}
transitions:
  - {trigger: submit, from: draft, to: cong_khai, by: officer@unit, require: [fields_complete],
     label: {vi: "Trình công khai", en: "Publish for comment"}}
  - {trigger: award, from: cho_quyet_dinh, to: da_khen, by: decider, require: [no_open_objections],
     label: {vi: "Quyết định khen thưởng", en: "Award"}}
  - {trigger: reject, from: cho_quyet_dinh, to: khong_khen, by: decider, comment: required,
     label: {vi: "Không khen thưởng", en: "Reject"}}
"""


def write_flow(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cong-khai-thu.yaml").write_text(NOTICE_FLOW, encoding="utf-8")
    return folder


def build_scene(service: Service, clock: FixedClock, folder: Path,
                passwords: bool = True) -> dict[str, str]:
    """Items in every interesting state, made the way people would (moving the clock)."""
    lan, mai, thu, hung = Actor("lan"), Actor("mai"), Actor("thu"), Actor("hung")
    doc = folder / "ho-so.pdf"
    doc.write_bytes("Tờ trình và báo cáo thành tích\n".encode())
    ids: dict[str, str] = {}

    def at(when: str) -> None:
        clock.set(parse_instant(when))

    def dossier(who: Actor, item: str, *types: str) -> None:
        for doctype in types:
            service.items.attach(who, item, doctype, doc)

    service.setup.init()
    service.setup.load_directory(DIRECTORY)
    # F: submitted before Tết and never checked: overdue on 16 March
    at("2026-02-12T09:00:00+07:00")
    ids["F"] = service.items.nominate(lan, "chien-si-thi-dua-co-so", "BN-SGD", "Lý Thị Bích",
                                      "bich", {"year": 2026, "rating": "HTXS"})["id"]
    dossier(lan, ids["F"], "to_trinh", "bao_cao")
    service.items.fire(lan, ids["F"], "submit")
    # C: on a notice whose window ended on 2 March
    at("2026-02-23T09:00:00+07:00")
    ids["C"] = service.items.nominate(lan, "cong-khai-thu", "BN-SGD", "Hoàng Văn Cũ", None,
                                {"year": 2026, "rating": "HTT"})["id"]
    service.items.fire(lan, ids["C"], "submit")
    # A: in the council's secret ballot, three of five members have voted
    at("2026-03-10T09:00:00+07:00")
    ids["A"] = service.items.nominate(lan, "chien-si-thi-dua-co-so", "BN-SGD", "Nguyễn Văn An",
                                      "an", {"year": 2026, "rating": "HTXS"})["id"]
    dossier(lan, ids["A"], "to_trinh", "bao_cao")
    service.items.fire(lan, ids["A"], "submit")
    service.items.fire(thu, ids["A"], "accept")
    for member in ("minh", "nam", "binh"):
        service.items.vote(Actor(member), ids["A"], "yes")
    # G: submitted last Friday, waiting for the dossier check
    at("2026-03-13T09:00:00+07:00")
    ids["G"] = service.items.nominate(lan, "chien-si-thi-dua-co-so", "BN-SGD", "Trần Văn Mới", None,
                                {"year": 2026, "rating": "HTT"})["id"]
    dossier(lan, ids["G"], "to_trinh", "bao_cao")
    service.items.fire(lan, ids["G"], "submit")
    # H: a Labour Order on the province's public notice after the agencies confirmed
    ids["H"] = service.items.nominate(lan, "huan-chuong-lao-dong-hang-ba", "BN-SGD", "Lê Văn Cường",
                                "cuong", {"year": 2026, "years_good": 6,
                                          "years_excellent": 2})["id"]
    dossier(lan, ids["H"], "to_trinh", "bao_cao", "bien_ban")
    service.items.fire(lan, ids["H"], "submit")
    service.items.fire(hung, ids["H"], "accept")
    for who, key in (("thue", "tax"), ("bhxh", "social_insurance"),
                     ("thanhtra", "inspectorate")):
        service.items.confirm(Actor(who), ids["H"], key, "yes")
    # D1-D3: this morning's notice at the department, open until the 23rd
    at("2026-03-16T08:00:00+07:00")
    for key, name in (("D1", "Lê Thị Hồng"), ("D2", "Phạm Văn Đức"), ("D3", "Vũ Minh Khoa")):
        ids[key] = service.items.nominate(lan, "cong-khai-thu", "BN-SGD", name, None,
                                    {"year": 2026, "rating": "HTXS",
                                     "note": f"ghi chú nội bộ {key}"})["id"]
        service.items.fire(lan, ids[key], "submit")
    # B: a draft of the school's officer (another unit, below the department)
    ids["B"] = service.items.nominate(mai, "chien-si-thi-dua-co-so", "BN-THPT-LTT", "Đặng Thị Yến",
                                "yen", {"year": 2026})["id"]
    if passwords:
        set_passwords(service)
    at(WEB_NOW)
    return ids


def set_passwords(service: Service) -> None:
    """One hash for everybody (the same test password): hashing is the slow part."""
    service.accounts.set_password(STAFF[0], PASSWORD)
    digest = service.deps.run(lambda tx: tx.directory.person(STAFF[0]))["password_hash"]
    for login in STAFF[1:]:
        service.deps.run(lambda tx, who=login: tx.accounts.set_password_hash(who, digest))


@pytest.fixture
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(argon2, "PasswordHasher", functools.partial(
        argon2.PasswordHasher, time_cost=1, memory_cost=1024, parallelism=1))


@dataclass
class Scene:
    service: Service
    clock: FixedClock
    ids: dict[str, str]
    app: Any

    def client(self, **kwargs: Any) -> TestClient:
        return TestClient(self.app, **kwargs)


@pytest.fixture
def scene(db_url: str, tmp_path: Path, cheap_hashes: None) -> Iterator[Scene]:
    flows = write_flow(tmp_path / "flows")
    service = make_service(db_url, flow_dirs=[flows])
    clock = service.deps.clock
    assert isinstance(clock, FixedClock)
    ids = build_scene(service, clock, tmp_path)
    app = create_app(service, secret_key="secret-for-tests")
    try:
        yield Scene(service, clock, ids, app)
    finally:
        service.deps.store.close()


# ---- helpers --------------------------------------------------------------------------------

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client: TestClient, login: str, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the new session's CSRF token."""
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"login": login, "password": password,
                                           "csrf_token": token, "next": "/me"},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/me"
    return csrf_of(client.get("/me").text)


def post(client: TestClient, path: str, token: str | None, **data: Any) -> Any:
    if token is not None:
        data["csrf_token"] = token
    return client.post(path, data=data, follow_redirects=False)


def triggers_on(html: str) -> dict[str, bool]:
    """Trigger buttons on a page: name → enabled."""
    out = {}
    for match in re.finditer(r'<button type="submit" data-trigger="(\w+)"([^>]*)>', html):
        out[match.group(1)] = "disabled" not in match.group(2)
    return out


def error_of(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}
    assert {"type", "message"} <= set(body["error"])
    error: dict[str, Any] = body["error"]
    return error


def basic(login: str, password: str = PASSWORD) -> tuple[str, str]:
    return (login, password)


# ---- the public -----------------------------------------------------------------------------


def test_public_board_shows_current_and_past_notices(scene: Scene) -> None:
    with scene.client() as client:
        page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="vi">' in html
    current, _, past = html.partition('id="past"')
    for key in ("D1", "D2", "D3"):
        assert f'href="/nominees/{scene.ids[key]}"' in current
    assert "Lê Văn Cường" in current  # the province's Labour Order notice
    assert "Hoàng Văn Cũ" in past and "Hoàng Văn Cũ" not in current
    assert "Đang lấy ý kiến" in current


def test_public_views_leak_no_private_data(scene: Scene) -> None:
    d1 = scene.ids["D1"]
    with scene.client() as client:
        pages = [client.get(p).text for p in ("/", f"/nominees/{d1}", f"/nominees/{d1}/object")]
        notices = client.get("/api/notices").json()
        nominee = client.get(f"/api/nominees/{d1}").json()
        private = client.get(f"/api/nominees/{scene.ids['B']}")  # never on a notice
    for html in pages:
        assert "ghi chú nội bộ" not in html  # a field value
        assert "HTXS" not in html
    for notice in notices:
        for entry in notice["nominees"]:
            assert set(entry) == {"id", "nominee", "unit", "unit_name", "window_open",
                                "window_ends_at"}
    assert "fields" not in nominee and "state" not in nominee and "history" not in nominee
    assert nominee["window_open"] is True
    assert nominee["window_ends_at"] == "2026-03-23T23:59:59+07:00"
    assert private.status_code == 404


def test_citizen_files_an_objection_and_gets_only_a_receipt(scene: Scene) -> None:
    d1 = scene.ids["D1"]
    with scene.client() as client:
        form = client.get(f"/nominees/{d1}/object")
        assert form.status_code == 200
        assert '<label for="text">' in form.text and 'name="text"' in form.text
        response = post(client, f"/nominees/{d1}/object", csrf_of(form.text),
                        text="Ông/bà này chưa hoàn thành nhiệm vụ năm 2026.",
                        name="Nguyễn Văn Dân", contact="0912 345 678")
        assert response.status_code == 303
        assert response.headers["location"] == "/receipt"
        receipt = client.get("/receipt")
    objections = scene.service.deps.run(lambda tx: tx.objections.of(int(d1)))
    assert len(objections) == 1
    found = re.search(r'data-testid="receipt-number">([A-Z2-9-]+)<', receipt.text)
    assert found and found.group(1).replace("-", "") == objections[0].receipt
    filed = objections[0].filed_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert filed.strftime("%d/%m/%Y %H:%M") in receipt.text  # the filing time
    text_hash = hashlib.sha256("Ông/bà này chưa hoàn thành nhiệm vụ năm 2026.".encode())
    assert text_hash.hexdigest() in receipt.text
    # nothing else about it: not the text, not the contact, not what happened to the item
    for secret in ("chưa hoàn thành", "0912", "Nguyễn Văn Dân", "tam_dung", "Tạm dừng"):
        assert secret not in receipt.text
    entries = [e for e in scene.service.audit.log(d1) if e["action"] == "objection_filed"]
    assert entries[-1]["actor"] == "public"
    assert "0912" not in json.dumps(entries)  # contact details never reach the audit log


def test_objection_after_the_window_is_refused(scene: Scene) -> None:
    old = scene.ids["C"]  # its window ended on 2 March
    with scene.client() as client:
        form = client.get(f"/nominees/{old}/object")
        assert form.status_code == 200
        assert 'name="text"' not in form.text
        assert 'data-testid="closed"' in form.text
        token = csrf_of(client.get("/login").text)  # a valid token of this session
        response = post(client, f"/nominees/{old}/object", token, text="Quá hạn rồi")
        assert response.status_code == 409
        assert "Thời gian lấy ý kiến về hồ sơ này đã kết thúc" in response.text
        assert 'name="text"' not in response.text
        api = client.post(f"/api/items/{old}/objections", json={"text": "Quá hạn rồi"})
        assert api.status_code == 409
        assert error_of(api)["type"] == "NotAllowed"
    assert scene.service.items.show(old)["objections"] == []


def test_objection_form_needs_the_csrf_token(scene: Scene) -> None:
    d1 = scene.ids["D1"]
    with scene.client() as client:
        client.get(f"/nominees/{d1}/object")
        missing = post(client, f"/nominees/{d1}/object", None, text="Không có mã")
        wrong = post(client, f"/nominees/{d1}/object", "forged-token", text="Mã giả")
    assert missing.status_code == 403 and wrong.status_code == 403
    assert "Vui lòng tải lại trang" in missing.text
    assert scene.service.items.show(d1)["objections"] == []


def test_the_public_cannot_tell_unpublished_items_from_missing_ones(scene: Scene) -> None:
    a = scene.ids["A"]  # in the council's hands, never on a public notice
    with scene.client() as client:
        unpublished = client.get(f"/api/nominees/{a}")
        missing = client.get("/api/nominees/99999")
        page = client.get(f"/nominees/{a}")
    assert unpublished.status_code == missing.status_code == page.status_code == 404
    assert error_of(unpublished)["message"] == f"no nominee {a} on a public notice"
    assert error_of(missing)["message"] == "no nominee 99999 on a public notice"


def test_a_body_without_a_length_is_cut_off_at_the_limit(scene: Scene) -> None:
    app = create_app(scene.service, secret_key="k", max_body=64 * 1024)
    a, d1 = scene.ids["A"], scene.ids["D1"]

    def body() -> Iterator[bytes]:  # chunked: no Content-Length to refuse up front
        boundary = b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\n"
        yield boundary
        for _ in range(64):
            yield b"0" * 16 * 1024

    headers = {"content-type": "multipart/form-data; boundary=x"}
    with TestClient(app) as client:
        page = client.post(f"/items/{a}/documents", content=body(), headers=headers)
        api = client.post(f"/api/items/{d1}/objections", content=body(),
                          headers={"content-type": "application/json"})
    assert page.status_code == 413 and api.status_code == 413
    assert error_of(api) == {"type": "InvalidInput",
                             "message": "the request is too large (50 MiB at most)"}
    assert scene.service.items.show(d1)["objections"] == []


def test_public_objections_are_rate_limited_per_address(scene: Scene) -> None:
    app = create_app(scene.service, secret_key="k", objection_limit=(2, 600.0))
    d1, d2, d3 = scene.ids["D1"], scene.ids["D2"], scene.ids["D3"]
    with TestClient(app) as client:
        token = csrf_of(client.get("/login").text)
        codes = [post(client, f"/nominees/{i}/object", token, text="Phản ánh").status_code
                 for i in (d1, d2, d3)]
        api = client.post(f"/api/items/{d3}/objections", json={"text": "Phản ánh"})
    assert codes == [303, 303, 429]
    assert api.status_code == 429 and error_of(api)["type"] == "RateLimited"
    assert int(api.headers["retry-after"]) > 0
    assert scene.service.items.show(d3)["objections"] == []


def test_script_in_an_objection_is_shown_as_text(scene: Scene) -> None:
    d2 = scene.ids["D2"]
    attack = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
    with scene.client() as client:
        form = client.get(f"/nominees/{d2}/object")
        assert post(client, f"/nominees/{d2}/object", csrf_of(form.text),
                    text=attack).status_code == 303
        sign_in(client, "thu")
        page = client.get(f"/items/{d2}")
        queue = client.get("/queue")
    assert page.status_code == 200
    for html in (page.text, queue.text):
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in page.text
    assert "script-src 'none'" in page.headers["content-security-policy"]


def test_a_nominee_named_like_markup_is_escaped_everywhere(scene: Scene) -> None:
    with scene.client() as client:
        token = sign_in(client, "lan")
        response = post(client, "/nominate/cong-khai-thu", token, unit="BN-SGD",
                        nominee="<b>Bold</b> & Co", **{"field.year": "2026",
                                                        "field.rating": "HTT"})
        item = response.headers["location"].rsplit("/", 1)[1]
        post(client, f"/items/{item}/fire", csrf_of(client.get(f"/items/{item}").text),
             trigger="submit")
        board = client.get("/").text
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in board and "<b>Bold</b>" not in board


# ---- signing in -----------------------------------------------------------------------------


def test_sign_in_sets_a_protected_cookie_and_sign_out_ends_it(scene: Scene) -> None:
    with scene.client() as client:
        token = csrf_of(client.get("/login").text)
        wrong = post(client, "/login", token, login="lan", password="sai-mat-khau", next="/me")
        assert wrong.status_code == 401 and "Sai tên đăng nhập" in wrong.text
        unknown = post(client, "/login", token, login="ai-do", password=PASSWORD, next="/me")
        assert unknown.status_code == 401
        good = post(client, "/login", token, login="lan", password=PASSWORD, next="/queue")
        assert good.status_code == 303 and good.headers["location"] == "/queue"
        cookie = good.headers["set-cookie"]
        assert "award_session=" in cookie
        assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
        assert "secure" not in cookie.lower()
        page = client.get("/me")
        assert "Nguyễn Thị Lan" in page.text
        assert "Cán bộ thi đua – khen thưởng, Sở Giáo dục và Đào tạo" in page.text
        copied = client.cookies.get("award_session")
        out = post(client, "/logout", csrf_of(page.text))
        assert out.status_code == 303
        assert client.get("/me", follow_redirects=False).status_code == 303
    # a copy of the cookie taken before signing out is worth nothing after it
    with scene.client() as thief:
        thief.cookies.set("award_session", copied)
        assert thief.get("/api/me").status_code == 401
        with scene.client() as client:  # signing in again works
            sign_in(client, "lan")
            assert client.get("/api/me").status_code == 200
            # and the dead copy cannot sign the person out of the new session
            assert post(thief, "/logout", csrf_of(thief.get("/login").text)).status_code == 303
            assert client.get("/api/me").status_code == 200


def test_secure_cookies_and_no_open_redirect(scene: Scene) -> None:
    app = create_app(scene.service, secret_key="k", secure_cookies=True)
    with TestClient(app, base_url="https://testserver") as client:
        token = csrf_of(client.get("/login").text)
        response = post(client, "/login", token, login="lan", password=PASSWORD,
                        next="//evil.example/steal")
    assert response.headers["location"] == "/me"
    assert "; secure" in response.headers["set-cookie"].lower()


def test_a_changed_password_ends_existing_sessions(scene: Scene) -> None:
    with scene.client() as client:
        sign_in(client, "lan")
        assert client.get("/queue").status_code == 200
        scene.service.accounts.set_password("lan", "mot-mat-khau-moi")
        again = client.get("/queue", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/login?next=/queue"


def test_staff_pages_and_the_api_need_a_sign_in(scene: Scene) -> None:
    with scene.client() as client:
        for path in ("/me", "/queue", "/ballots", "/items", f"/items/{scene.ids['A']}",
                     "/nominate", "/audit"):
            response = client.get(path, follow_redirects=False)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login?next=")
        api = client.get("/api/queue")
        assert api.status_code == 401 and error_of(api)["type"] == "Unauthenticated"


# ---- officers -------------------------------------------------------------------------------


def test_buttons_are_exactly_the_triggers_the_engine_allows(scene: Scene) -> None:
    b = scene.ids["B"]  # mai's draft lacks the rating and the documents
    with scene.client() as client:
        sign_in(client, "mai")
        html = client.get(f"/items/{b}").text
    available = scene.service.items.available(Actor("mai"), b)
    expected = {a["trigger"]: a["ok"] for a in available if a["action"] == "fire"}
    assert triggers_on(html) == expected == {"submit": False, "withdraw": True}
    refused = next(a for a in available if a["trigger"] == "submit")
    assert refused["why"]["msgid"] == "guard.fields_missing"
    assert "Chưa thể thực hiện: còn thiếu thông tin bắt buộc: Xếp loại" in html
    assert 'aria-describedby="why-submit"' in html


def test_an_officer_cannot_act_on_another_units_item(scene: Scene) -> None:
    a, b = scene.ids["A"], scene.ids["B"]
    with scene.client() as client:
        token = sign_in(client, "lan")  # officer of the department, above the school
        html = client.get(f"/items/{b}").text
        assert triggers_on(html) == {}
        assert 'data-testid="no-actions"' in html
        forged = post(client, f"/items/{b}/fire", token, trigger="withdraw",
                      comment="giả mạo")
        assert forged.status_code == 403
        assert ("cần một trong các vai trò: Cán bộ thi đua – khen thưởng, Trường THPT Lý "
                "Thái Tổ") in forged.text
        upload = client.post(f"/items/{b}/documents", data={"csrf_token": token,
                                                             "doctype": "to_trinh"},
                             files={"file": ("x.pdf", b"x")}, follow_redirects=False)
        assert upload.status_code == 403
    with scene.client() as client:
        token = sign_in(client, "mai")  # the school's officer may not even see the department's
        assert client.get(f"/items/{a}").status_code == 403
        assert post(client, f"/items/{a}/fire", token, trigger="withdraw",
                    comment="x").status_code == 403
    assert scene.service.items.show(b)["state"] == "draft"
    assert scene.service.items.show(b)["documents"] == []


def test_the_nomination_form_is_generated_from_the_flows_fields(scene: Scene) -> None:
    with scene.client() as client:
        token = sign_in(client, "lan")
        choose = client.get("/nominate").text
        form = client.get("/nominate/chien-si-thi-dua-co-so").text
        bad = post(client, "/nominate/chien-si-thi-dua-co-so", token, unit="BN-SGD",
                   nominee="Ngô Thị Sai", **{"field.year": "1990", "field.rating": "HTXS"})
        elsewhere = post(client, "/nominate/chien-si-thi-dua-co-so", token, unit="BN-TAMSON",
                         nominee="Ngô Thị Sai", **{"field.year": "2026"})
    assert 'href="/nominate/cong-khai-thu"' in choose
    assert "Sở Giáo dục và Đào tạo" in choose and "Xã Tam Sơn" not in choose
    assert re.search(r'<select id="field-rating" name="field.rating" required>', form)
    assert all(f'<option value="{v}">' in form for v in ("HTXS", "HTT", "HT", "KHT"))
    assert '<option value="HTXS">Hoàn thành xuất sắc nhiệm vụ</option>' in form
    assert re.search(r'<input type="number" id="field-year" name="field.year" step="1" '
                     r'min="2000" max="2100" required', form)
    assert '<input type="text" id="field-initiative" name="field.initiative"' in form
    assert '<label for="field-year">' in form
    assert bad.status_code == 422
    assert "“Năm” phải từ 2000 trở lên." in bad.text and 'value="Ngô Thị Sai"' in bad.text
    assert elsewhere.status_code == 403  # the same use case checks the unit
    with scene.client() as client:
        sign_in(client, "hoa")  # a council member proposes nothing
        assert "Bạn không có quyền tạo hồ sơ" in client.get("/nominate").text
        assert client.get("/nominate/cong-khai-thu").status_code == 403
        assert client.get("/nominate/khong-co-quy-trinh").status_code == 404


def test_an_officer_nominates_attaches_and_submits_through_the_forms(scene: Scene) -> None:
    content = "Tờ trình số 12/TTr\n".encode()
    with scene.client() as client:
        token = sign_in(client, "lan")
        created = post(client, "/nominate/cong-khai-thu", token, unit="BN-SGD",
                       nominee="Đinh Văn Mới", person="",
                       **{"field.year": "2026", "field.rating": "HTXS",
                          "field.note": "Hai sáng kiến"})
        assert created.status_code == 303
        item = created.headers["location"].rsplit("/", 1)[1]
        page = client.get(f"/items/{item}").text
        assert "Đã tạo hồ sơ số" in page
        assert triggers_on(page) == {"submit": True}
        uploaded = client.post(f"/items/{item}/documents",
                               data={"csrf_token": token, "doctype": "to_trinh"},
                               files={"file": ("../../etc/to trinh.pdf", content,
                                               "application/pdf")},
                               follow_redirects=False)
        assert uploaded.status_code == 303
        page = client.get(f"/items/{item}").text
        fired = post(client, f"/items/{item}/fire", csrf_of(page), trigger="submit",
                     comment="", expect_version=str(scene.service.items.show(item)["version"]))
        assert fired.status_code == 303
    shown = scene.service.items.show(item)
    assert shown["state"] == "cong_khai"
    assert shown["fields"] == {"year": 2026, "rating": "HTXS", "note": "Hai sáng kiến"}
    [document] = shown["documents"]
    assert document["file"] == "to trinh.pdf"
    assert document["sha256"] == hashlib.sha256(content).hexdigest()
    attached = [e for e in scene.service.audit.log(item) if e["action"] == "attached"]
    assert attached[0]["payload"]["sha256"] == document["sha256"]
    assert any(n["id"] == item for x in scene.service.public.board() for n in x["nominees"])


def test_a_stale_form_is_a_conflict(scene: Scene) -> None:
    g = scene.ids["G"]
    with scene.client() as client:
        token = sign_in(client, "thu")
        version = scene.service.items.show(g)["version"]
        scene.service.items.fire(Actor("thu"), g, "return", "Thiếu bản sao")
        stale = post(client, f"/items/{g}/fire", token, trigger="return", comment="lần hai",
                     expect_version=str(version))
    assert stale.status_code == 409


def test_buttons_and_the_message_after_firing_read_the_flows_own_labels(scene: Scene) -> None:
    item = scene.service.items.nominate(Actor("lan"), "cong-khai-thu", "BN-SGD", "Tạ Văn Nhãn",
                                        None, {"year": 2026, "rating": "HTT"})["id"]
    with scene.client() as client:
        token = sign_in(client, "lan")
        assert "Publish for comment" in client.get(f"/items/{item}?lang=en").text
        assert "Trình công khai" in client.get(f"/items/{item}?lang=vi").text
        fired = post(client, f"/items/{item}/fire", token, trigger="submit")
        assert fired.status_code == 303
        page = client.get(f"/items/{item}").text
    assert "Đã thực hiện “Trình công khai”" in page


def test_every_shipped_transition_carries_its_own_label() -> None:
    """The interface names no flow's trigger: buttons read each transition's ``label``
    (Vietnamese first); only the engine's own actions have words in the catalogue."""
    for path in sorted((ROOT / "definitions" / "flows").glob("*.yaml")):
        for transition in yaml.safe_load(path.read_text(encoding="utf-8"))["transitions"]:
            label = transition.get("label") or {}
            assert list(label) == ["vi", "en"] and all(label.values()), (
                path.name, transition["trigger"])
    # the engine's own moves (``@pass`` …, never written in a flow) read as words too
    engine = {"trigger." + str(t) for t in INTERNAL} | {"trigger.@resume"}
    assert {k for k in MESSAGES if k.startswith("trigger.")} == {
        "trigger.close_vote", "trigger.recuse", *engine}


# ---- council members, secretariat, deciders -------------------------------------------------


def test_a_council_member_votes_without_seeing_a_tally_then_reads_the_minutes(
        scene: Scene) -> None:
    a = scene.ids["A"]
    with scene.client() as member:
        sign_in(member, "hoa")
        ballots = member.get("/ballots").text
        assert f'href="/items/{a}/ballot"' in ballots
        page = member.get(f"/items/{a}/ballot").text
        assert 'data-testid="vote-form"' in page and 'data-testid="tally"' not in page
        assert "3/5" in page
        voted = post(member, f"/items/{a}/vote", csrf_of(page), choice="yes")
        assert voted.status_code == 303
        page = member.get(f"/items/{a}/ballot").text
        assert "Phiếu của bạn đã được ghi nhận" in page
        assert 'data-testid="vote-form"' not in page and 'data-testid="cannot-vote"' in page
        assert "4/5" in page
        for sealed in ('data-testid="tally"', "Kết quả kiểm phiếu", "/minutes"):
            assert sealed not in page
        item_page = member.get(f"/items/{a}").text
        assert 'data-testid="tally"' not in item_page
        ballot = member.get(f"/api/items/{a}").json()["ballot"]
        assert ballot["status"] == "open" and not {"yes", "no", "abstain"} & set(ballot)
        twice = post(member, f"/items/{a}/vote", csrf_of(page), choice="no")
        assert twice.status_code == 409
        assert member.get(f"/items/{a}/minutes").status_code == 409  # no closed round yet
        with scene.client() as secretariat:
            sign_in(secretariat, "thu")
            page = secretariat.get(f"/items/{a}/ballot").text
            assert 'data-trigger="close_vote"' in page
            asked = post(secretariat, f"/items/{a}/fire", csrf_of(page),
                         trigger="close_vote", back="ballot")
            # 4 of 5 have voted: closing now decides for the last, so it asks first
            assert asked.status_code == 200 and 'data-testid="confirm-close"' in asked.text
            assert "Mới có 4/5 thành viên bỏ phiếu." in asked.text
            assert scene.service.items.show(a)["ballot"]["status"] == "open"
            closed = post(secretariat, f"/items/{a}/fire", csrf_of(page),
                          trigger="close_vote", back="ballot", confirmed="yes")
            assert closed.status_code == 303
            assert closed.headers["location"] == f"/items/{a}/ballot"
        page = member.get(f"/items/{a}/ballot").text
        assert 'data-testid="tally"' in page and "ĐẠT" in page
        minutes = member.get(f"/items/{a}/minutes")
    assert minutes.status_code == 200
    assert "BIÊN BẢN" in minutes.text and "ĐẠT — PASSED" in minutes.text
    assert "sandbox" in minutes.headers["content-security-policy"]
    assert scene.service.items.show(a)["state"] == "pending_decision"


def test_the_queue_puts_overdue_items_first_with_due_dates(scene: Scene) -> None:
    f, g, a = scene.ids["F"], scene.ids["G"], scene.ids["A"]
    with scene.client() as client:
        sign_in(client, "thu")
        rows = client.get("/api/queue").json()
        html = client.get("/queue").text
    order = [r["id"] for r in rows]
    assert order[:2] == [f, g] and a in order
    assert rows[0]["overdue"] is True and rows[1]["overdue"] is False
    assert rows[0]["due_at"] == "2026-02-26T23:59:59+07:00"
    assert html.index(f'href="/items/{f}"') < html.index(f'href="/items/{g}"')
    assert "Quá hạn" in html and "26/02/2026 23:59" in html


def test_the_secretariat_resolves_an_objection(scene: Scene) -> None:
    d1 = scene.ids["D1"]
    receipt = scene.service.items.file_objection(Actor("public"), d1, "Chưa đủ tiêu chuẩn")["id"]
    assert scene.service.items.show(d1)["state"] == "tam_dung"
    with scene.client() as client:
        token = sign_in(client, "thu")
        queue = client.get("/queue").text
        assert f'href="/items/{d1}#objections"' in queue
        page = client.get(f"/items/{d1}").text
        assert f'action="/objections/{receipt}/resolve"' in page
        missing = post(client, f"/objections/{receipt}/resolve", token, outcome="dismissed",
                       comment="")
        assert missing.status_code == 422
        done = post(client, f"/objections/{receipt}/resolve", token, outcome="dismissed",
                    comment="Đã xác minh: không có cơ sở")
        assert done.status_code == 303 and done.headers["location"] == f"/items/{d1}"
    shown = scene.service.items.show(d1)
    assert shown["state"] == "cong_khai"
    assert shown["objections"][0]["status"] == "dismissed"
    with scene.client() as client:
        token = sign_in(client, "lan")  # an officer cannot resolve
        page = client.get(f"/items/{d1}").text
        assert "/resolve" not in page


def test_a_decider_sees_their_decision_in_the_queue(scene: Scene) -> None:
    a = scene.ids["A"]
    scene.service.items.vote(Actor("hoa"), a, "yes")
    scene.service.items.fire(Actor("thu"), a, "close_vote")
    with scene.client() as client:
        token = sign_in(client, "minh")
        rows = client.get("/api/queue").json()
        assert [r["id"] for r in rows if any(x.get("trigger") == "award"
                                                 for x in r["actions"])] == [a]
        page = client.get(f"/items/{a}").text
        assert triggers_on(page) == {"award": True, "reject": True}
        assert '<textarea id="comment-reject" name="comment" required' in page
        no_comment = post(client, f"/items/{a}/fire", token, trigger="reject", comment="")
        assert no_comment.status_code == 422
        done = post(client, f"/items/{a}/fire", token, trigger="award")
        assert done.status_code == 303
    assert scene.service.items.show(a)["state"] == "awarded"


# ---- auditors -------------------------------------------------------------------------------


def test_an_auditor_reads_a_timeline_verifies_and_exports(scene: Scene, tmp_path: Path
                                                          ) -> None:
    a = scene.ids["A"]
    with scene.client() as client:
        token = sign_in(client, "kiemtoan")
        me = client.get("/me").text
        assert 'href="/audit"' in me
        timeline = client.get(f"/items/{a}/timeline").text
        verified = post(client, "/audit/verify", token).text
        export = client.get("/audit/export?format=jsonl")
        csv_export = client.get("/audit/export?format=csv")
        api = client.get("/api/audit/verify").json()
        entries = client.get(f"/api/items/{a}/audit").json()
    for entry in scene.service.audit.log(a):
        assert entry["hash"] in timeline
    for document in scene.service.items.show(a)["documents"]:
        assert document["sha256"] in timeline
    assert "Bỏ phiếu" in timeline and "vote_cast" not in timeline
    assert "Chuỗi nhật ký nguyên vẹn" in verified
    assert api["ok"] is True and api["entries"] == scene.service.audit.head()["seq"]
    assert export.status_code == 200
    assert export.headers["content-disposition"] == 'attachment; filename="audit-export.jsonl"'
    saved = tmp_path / "export.jsonl"
    saved.write_bytes(export.content)
    assert len(saved.read_text(encoding="utf-8").splitlines()) == api["entries"]
    assert scene.service.audit.verify_export(saved).ok
    assert csv_export.text.startswith("seq,")
    assert [e["seq"] for e in entries] == [e["seq"] for e in scene.service.audit.log(a)]


def test_a_unit_auditor_reads_its_timelines_but_not_the_whole_chain(scene: Scene,
                                                                     tmp_path: Path) -> None:
    a = scene.ids["A"]
    addon = tmp_path / "auditor.yaml"
    addon.write_text("people:\n  - {login: ktbn, name: Kiểm toán tỉnh, roles: [auditor@BN]}\n",
                     encoding="utf-8")
    scene.service.setup.load_directory(addon)
    scene.service.accounts.set_password("ktbn", PASSWORD)
    with scene.client() as client:
        sign_in(client, "ktbn")
        assert client.get(f"/items/{a}/timeline").status_code == 200
        assert client.get("/api/audit/verify").json()["ok"] is True
        assert client.get("/audit/export").status_code == 403
        refused = client.get("/api/audit/export")
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == (
        "ktbn may not export the whole audit trail: needs auditor at VN")


def test_only_auditors_reach_the_audit_pages(scene: Scene) -> None:
    a = scene.ids["A"]
    with scene.client() as client:
        token = sign_in(client, "lan")
        assert 'href="/audit"' not in client.get("/me").text
        assert client.get("/audit").status_code == 403
        assert post(client, "/audit/verify", token).status_code == 403
        assert client.get("/audit/export").status_code == 403
        assert client.get(f"/items/{a}/timeline").status_code == 403
        assert client.get("/api/audit/verify").status_code == 403
        assert client.get(f"/api/items/{a}/audit").status_code == 403
        head = client.get("/api/audit/head").json()  # public: notices embed it
    assert head == scene.service.audit.head()


# ---- the JSON API ---------------------------------------------------------------------------


def test_api_errors_map_to_statuses_with_a_json_body(scene: Scene) -> None:
    a, b = scene.ids["A"], scene.ids["B"]
    version = scene.service.items.show(b)["version"]
    with scene.client() as client:
        cases = [
            (client.get("/api/items/999", auth=basic("lan")), 404, "NotFound"),
            (client.get("/api/items/abc", auth=basic("lan")), 404, "NotFound"),
            (client.post(f"/api/items/{b}/fire", json={"trigger": "withdraw", "comment": "x"},
                         auth=basic("lan")), 403, "PermissionDenied"),
            (client.post(f"/api/items/{a}/fire", json={"trigger": "submit"},
                         auth=basic("lan")), 409, "NotAllowed"),
            (client.post(f"/api/items/{b}/fire", json={"trigger": "withdraw", "comment": "x",
                                                        "expect_version": version - 1},
                         auth=basic("mai")), 409, "Conflict"),
            (client.post("/api/items", json={"flow": "cong-khai-thu", "unit": "BN-SGD",
                                             "nominee": "X", "fields": {"year": "năm"}},
                         auth=basic("lan")), 422, "InvalidInput"),
            (client.post("/api/items", json={"flow": "khong-co", "unit": "BN-SGD",
                                             "nominee": "X"}, auth=basic("lan")),
             404, "NotFound"),
            (client.post(f"/api/items/{a}/vote", json={"choice": "maybe"},
                         auth=basic("hoa")), 422, "UsageError"),
            (client.post(f"/api/items/{a}/fire", json={}, auth=basic("lan")), 422,
             "InvalidInput"),
            (client.post(f"/api/items/{a}/fire", json={"trigger": "x", "extra": 1},
                         auth=basic("lan")), 422, "InvalidInput"),
            (client.get("/api/items", auth=basic("lan", "sai")), 401, "Unauthenticated"),
            (client.get("/api/nothing-here"), 404, "HTTPError"),
        ]
        for response, status, kind in cases:
            assert response.status_code == status, (response.request.url, response.text)
            assert error_of(response)["type"] == kind, response.text
    assert scene.service.items.show(b)["state"] == "draft"


def test_api_use_cases_with_http_basic(scene: Scene) -> None:
    a, d3, h = scene.ids["A"], scene.ids["D3"], scene.ids["H"]
    with scene.client() as client:
        options = client.get("/api/nomination-options", auth=basic("lan")).json()
        assert "cong-khai-thu" in [o["id"] for o in options]
        created = client.post("/api/items", auth=basic("lan"), json={
            "flow": "cong-khai-thu", "unit": "BN-SGD", "nominee": "Qua API",
            "fields": {"year": 2026, "rating": "HT"}})
        assert created.status_code == 201
        item = created.json()["id"]
        upload = client.post(f"/api/items/{item}/documents", auth=basic("lan"),
                             data={"doctype": "to_trinh"}, files={"file": ("a.txt", b"abc")})
        assert upload.status_code == 201
        assert upload.json()["sha256"] == hashlib.sha256(b"abc").hexdigest()
        fired = client.post(f"/api/items/{item}/fire", auth=basic("lan"),
                            json={"trigger": "submit"})
        assert fired.json()["state"] == "cong_khai"
        listed = client.get("/api/items?flow=cong-khai-thu", auth=basic("lan")).json()
        assert listed[0]["id"] == item  # newest first
        shown = client.get(f"/api/items/{item}", auth=basic("lan")).json()
        # on notice: the dossier is frozen from submission on
        assert shown["may_attach"] is False and shown["actions"] == []
        recused = client.post(f"/api/items/{a}/recuse", auth=basic("hoa"),
                              json={"reason": "người thân"})
        assert recused.json()["recused"] is True
        written = client.post(f"/api/items/{a}/vote", auth=basic("thu"),
                              json={"choice": "yes", "written_for": "thu"})
        assert written.status_code == 200 and written.json()["closed"] is True
        public = client.post(f"/api/items/{d3}/objections", json={"text": "Phản ánh"})
        assert public.status_code == 201 and set(public.json()) == {
            "id", "status", "receipt", "filed_at", "text_sha256", "kind", "due_at"}
        assert public.json()["kind"] == "gop_y" and public.json()["due_at"]
        # the filer follows it by the code, sent in the body (not the address)
        lookup = client.post("/api/receipts", json={"code": public.json()["receipt"].lower()})
        assert lookup.status_code == 200 and lookup.json()["status"] == "open"
        assert lookup.json()["text"] == "Phản ánh" and "name" not in lookup.json()
        unknown = client.post("/api/receipts", json={"code": "AAAA-AAAA-AAAA"})
        assert unknown.status_code == 404 and error_of(unknown)["type"] == "NotFound"
        waiting = client.get("/api/objections", auth=basic("thu")).json()
        assert [o["id"] for o in waiting] == [public.json()["id"]]
        resolved = client.post(f"/api/objections/{public.json()['id']}/resolve",
                               auth=basic("thu"), json={"outcome": "upheld",
                                                        "comment": "Có cơ sở"})
        assert resolved.json()["state"] == "khong_khen"
        concluded = client.post("/api/receipts", json={"code": public.json()["receipt"]}).json()
        assert (concluded["status"], concluded["resolution"]) == ("upheld", "Có cơ sở")
        notice = client.get(f"/api/notices/{scene.service.public.nominee(h)['notice']['id']}")
        assert [n["nominee"] for n in notice.json()["nominees"]] == ["Lê Văn Cường"]
    assert scene.service.items.show(a)["ballot"]["status"] == "closed"


def test_api_session_writes_need_the_csrf_header(scene: Scene) -> None:
    b = scene.ids["B"]
    with scene.client() as client:
        sign_in(client, "mai")
        me = client.get("/api/me").json()
        assert me["login"] == "mai" and "stamp" not in me
        body = {"trigger": "withdraw", "comment": "rút"}
        refused = client.post(f"/api/items/{b}/fire", json=body)
        assert refused.status_code == 403 and "CSRF" in error_of(refused)["message"]
        done = client.post(f"/api/items/{b}/fire", json=body,
                           headers={"X-CSRF-Token": me["csrf_token"]})
        assert done.status_code == 200 and done.json()["state"] == "withdrawn"


def test_openapi_describes_the_api_only(scene: Scene) -> None:
    with scene.client() as client:
        schema = client.get("/api/openapi.json").json()
    paths = set(schema["paths"])
    assert {"/api/items", "/api/items/{nomination_id}", "/api/items/{nomination_id}/fire",
            "/api/items/{nomination_id}/vote", "/api/items/{nomination_id}/recuse",
            "/api/items/{nomination_id}/objections", "/api/objections/{objection_id}/resolve",
            "/api/items/{nomination_id}/confirm", "/api/notices", "/api/audit/head",
            "/api/audit/verify", "/api/queue"} <= paths
    assert all(p.startswith("/api/") for p in paths)


def test_every_form_post_checks_the_csrf_token(scene: Scene) -> None:
    from fastapi.routing import APIRoute

    from workflow.web.routes import ROUTERS

    routes = [r for router in ROUTERS for r in router.routes
              if isinstance(r, APIRoute) and "POST" in r.methods]
    assert len(routes) >= 12
    with scene.client() as client:
        sign_in(client, "thu")
        for route in routes:
            path = route.path.format(nomination_id=scene.ids["A"], objection_id="1",
                                     flow="cong-khai-thu", notice_id="1", session_id="1",
                                     doctype="to_trinh", campaign_id="bac-ninh-2026")
            path = path.replace("{nomination_id}", scene.ids["A"])
            response = client.post(path, data={"trigger": "close_vote", "choice": "yes"},
                                   follow_redirects=False)
            assert response.status_code == 403, (route.path, response.status_code)
    assert scene.service.items.show(scene.ids["A"])["ballot"]["status"] == "open"


# ---- language and accessibility -------------------------------------------------------------


def test_vietnamese_first_english_on_request_and_remembered(scene: Scene) -> None:
    with scene.client() as client:
        first = client.get("/")
        english = client.get("/?lang=en")
        notice = scene.service.public.nominee(scene.ids["D1"])["notice"]["id"]
        kept = client.get(f"/notices/{notice}")
        back = client.get("/?lang=vi")
    assert "Bảng thông báo công khai" in first.text and '<html lang="vi">' in first.text
    assert "Public notice board" in english.text and '<html lang="en">' in english.text
    assert "lang=en" in english.headers["set-cookie"]
    assert "Public notice no." in kept.text
    assert "Bảng thông báo công khai" in back.text


class Outline(HTMLParser):
    """Headings, labelled controls and ids of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.ids: set[str] = set()
        self.label_for: set[str] = set()
        self.controls: list[tuple[str, str | None, bool]] = []  # tag, id, inside a label
        self.skip = False
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "label":
            self.depth += 1
            if a.get("for"):
                self.label_for.add(a["for"] or "")
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.controls.append((tag, a.get("id"), self.depth > 0))
        if tag == "a" and a.get("class") == "skip" and a.get("href") == "#main":
            self.skip = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.depth -= 1


def check_page(html: str) -> None:
    outline = Outline()
    outline.feed(html)
    assert outline.skip and "main" in outline.ids
    assert outline.headings.count(1) == 1 and outline.headings[0] == 1
    for before, after in zip(outline.headings, outline.headings[1:], strict=False):
        assert after <= before + 1, outline.headings  # no skipped heading level
    for tag, control_id, in_label in outline.controls:
        assert in_label or (control_id and control_id in outline.label_for), (tag, control_id)


def test_pages_are_accessible_by_structure(scene: Scene) -> None:
    a, d1 = scene.ids["A"], scene.ids["D1"]
    notice = scene.service.public.nominee(d1)["notice"]["id"]
    public = ["/", f"/notices/{notice}", f"/nominees/{d1}", f"/nominees/{d1}/object", "/login",
              "/receipt", "/nominees/999"]
    staff = {"lan": ["/me", "/items", f"/items/{a}", "/nominate",
                     "/nominate/chien-si-thi-dua-co-so", "/nominate/huan-chuong-lao-dong-hang-ba",
                     "/queue"],
             "thu": [f"/items/{a}/ballot", f"/items/{d1}", "/queue"],
             "hoa": ["/ballots", f"/items/{a}/ballot"],
             "kiemtoan": ["/audit", f"/items/{a}/timeline"]}
    with scene.client() as client:
        for path in public:
            check_page(client.get(path).text)
    for login, paths in staff.items():
        with scene.client() as client:
            sign_in(client, login)
            for path in paths:
                response = client.get(path)
                assert response.status_code == 200, path
                check_page(response.text)


# ---- set-up commands and the layering -------------------------------------------------------


def test_every_process_with_the_installation_key_signs_the_same_cookies(scene: Scene,
                                                                        db_url: str) -> None:
    first = scene.service.accounts.session_key()
    again = make_service(db_url)
    try:
        assert again.accounts.session_key() == first and len(first) == 64
    finally:
        again.deps.store.close()
    stored = scene.service.deps.run(lambda tx: tx.raw.all("SELECT key, value FROM meta"))
    assert first not in {value for _key, value in stored}
    assert "web_secret" not in {key for key, _value in stored}


def test_award_passwd_sets_a_real_argon2_hash(db_url: str) -> None:
    cli = Cli(db_url)
    cli.ok("init")
    cli.ok("directory", "load", str(DIRECTORY))
    result = cli.runner.invoke(
        __import__("workflow.cli", fromlist=["app"]).app,
        ["--json", "passwd", "lan", "--password-stdin"], input="mot-mat-khau-dai\n",
        env={"AWARD_DB": db_url, "AWARD_NOW": WEB_NOW})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"login": "lan", "set": True}
    service = make_service(db_url)
    try:
        stored = service.deps.run(lambda tx: tx.directory.person("lan"))["password_hash"]
        assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        assert service.accounts.authenticate("lan", "mot-mat-khau-dai") is not None
        assert service.accounts.authenticate("lan", "mot-mat-khau-sai") is None
        entry = list(service.audit.log())[-1]
        assert entry["action"] == "password_set" and entry["payload"] == {"login": "lan"}
        assert "argon2" not in json.dumps(entry)
    finally:
        service.deps.store.close()


def test_several_passwords_are_hashed_at_once_and_set_in_order(service: Service,
                                                                cheap_hashes: None) -> None:
    """``set_passwords`` hashes on every core, then sets each as ``set_password`` does, in
    the order given; one bad password sets none."""
    with pytest.raises(InvalidInput, match="at least 8"):
        service.accounts.set_passwords([("lan", "mot-mat-khau-dai"), ("dn", "ngan")])
    assert service.accounts.authenticate("lan", "mot-mat-khau-dai") is None
    pairs = [("lan", "mat-khau-cua-lan"), ("dn", "mat-khau-cua-dn"), ("thu", "mat-khau-thu-3")]
    assert service.accounts.set_passwords(pairs) == [{"login": login, "set": True}
                                                     for login, _ in pairs]
    for login, password in pairs:
        assert service.accounts.authenticate(login, password) is not None
        assert service.accounts.authenticate(login, password + "x") is None
    entries = [e for e in service.audit.log() if e["action"] == "password_set"]
    assert [e["payload"]["login"] for e in entries] == [login for login, _ in pairs]
    with pytest.raises(NotFound):
        service.accounts.set_passwords([("khong-ai", "mot-mat-khau-dai")])


def test_award_passwd_refuses_bad_input(db_url: str) -> None:
    from workflow.cli import app

    cli = Cli(db_url)
    cli.ok("init")
    cli.ok("directory", "load", str(DIRECTORY))
    env = {"AWARD_DB": db_url, "AWARD_NOW": WEB_NOW}

    def run(*args: str, stdin: str) -> Any:
        return cli.runner.invoke(app, ["--json", "passwd", *args], input=stdin, env=env)

    short = run("lan", "--password-stdin", stdin="ngan\n")
    assert short.exit_code == 1 and "at least 8" in json.loads(short.stdout)["error"]["message"]
    empty = run("lan", "--password-stdin", stdin="")
    assert empty.exit_code == 1
    unknown = run("khong-ai", "--password-stdin", stdin="mot-mat-khau-dai\n")
    assert unknown.exit_code == 5
    assert json.loads(unknown.stdout)["error"]["type"] == "NotFound"
    prompted = run("lan", stdin="mat-khau-moi-1\nkhac-mat-khau\nmat-khau-moi-1\nmat-khau-moi-1\n")
    assert prompted.exit_code == 0, prompted.output
    assert "do not match" in prompted.output


def test_award_serve_refuses_a_database_without_the_schema(db_url: str) -> None:
    run = Cli(db_url)("serve", "--port", "1")
    assert run.exit_code == 1
    assert "award init" in run.json()["error"]["message"]


def test_the_web_facade_is_pinned() -> None:
    import workflow.web

    assert workflow.web.__all__ == ["create_app"]


def test_the_web_layer_reaches_the_engine_through_the_service_only() -> None:
    banned = ("workflow.store", "sqlalchemy", "sqlmodel", "psycopg")
    for path in sorted((ROOT / "workflow" / "web").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert not name.startswith(banned), (path.name, name)
    for path in sorted((ROOT / "workflow").rglob("*.py")):
        if "web" in path.relative_to(ROOT / "workflow").parts[:1] or path.name == "web.py":
            continue
        assert "workflow.web" not in path.read_text(encoding="utf-8"), path


def test_times_on_pages_are_local(scene: Scene) -> None:
    f = scene.ids["F"]
    due = scene.service.items.show(f)["due_at"]
    assert datetime.fromisoformat(due).utcoffset().total_seconds() == 7 * 3600  # type: ignore[union-attr]
    with scene.client() as client:
        sign_in(client, "thu")
        assert "26/02/2026 23:59" in client.get(f"/items/{f}").text
