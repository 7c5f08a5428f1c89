"""The web interface in a real browser: Debian's Chromium driven by Playwright.

The suite prepares a fresh SQLite database (the scenario of ``test_web_api``), sets passwords
with ``award passwd --password-stdin``, starts ``python -m workflow serve`` on a free port of
127.0.0.1 with ``AWARD_NOW`` fixed, and drives pages as people would: a citizen objects, a
council member votes, an officer tries another unit's item, an auditor checks the chain.
Screenshots of the main pages go to ``docs/screenshots/``.

Chromium is looked up as ``$AWARD_CHROMIUM``, ``chromium`` on the PATH or /usr/bin/chromium
(``apt-get install -y chromium``; ``.ci/run`` installs it). Without it these tests fail in CI
(``CI`` set) and are skipped, saying why, elsewhere. Playwright's own browser downloads are
never used.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import make_service
from test_web_api import PASSWORD, STAFF, WEB_NOW, build_scene, write_flow
from test_web_language import problems
from typer.testing import CliRunner

from workflow.cli import app as cli_app
from workflow.service import Actor

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking"]

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("AWARD_CHROMIUM"), shutil.which("chromium"),
                      "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


@dataclass
class Server:
    url: str
    ids: dict[str, str]
    db: str
    log: Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path,
                  seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"award serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"award serve did not answer within {seconds}s:\n{log.read_text()}")


def set_passwords(db: str, flows: Path) -> None:
    """As an administrator would: ``award passwd LOGIN --password-stdin``; the first in a
    real process, the others in-process (each one costs an argon2 hash either way)."""
    env = {**os.environ, "AWARD_DB": db, "AWARD_NOW": WEB_NOW, "AWARD_FLOWS": str(flows)}
    done = subprocess.run([sys.executable, "-m", "workflow", "passwd", STAFF[0],
                           "--password-stdin"], input=f"{PASSWORD}\n".encode(), env=env,
                          capture_output=True, check=False, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    runner = CliRunner()
    for login in STAFF[1:]:
        result = runner.invoke(cli_app, ["passwd", login, "--password-stdin"],
                               input=f"{PASSWORD}\n", env={"AWARD_DB": db, "AWARD_NOW": WEB_NOW,
                                                           "AWARD_FLOWS": str(flows)})
        assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if chromium_path() is None:
        _unavailable("Chromium not found (set AWARD_CHROMIUM or apt-get install -y chromium)")
    folder = tmp_path_factory.mktemp("web")
    flows = write_flow(folder / "flows")
    db = f"sqlite:///{folder / 'award.db'}"
    service = make_service(db, flow_dirs=[flows])
    try:
        ids = build_scene(service, service.deps.clock, folder, passwords=False)  # type: ignore[arg-type]
    finally:
        service.deps.store.close()
    set_passwords(db, flows)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = folder / "server.log"
    env = {**os.environ, "AWARD_DB": db, "AWARD_NOW": WEB_NOW, "AWARD_FLOWS": str(flows)}
    env.pop("AWARD_SECRET", None)  # the key file the whole run shares (conftest)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "workflow", "serve", "--host", "127.0.0.1", "--port",
             str(port)], env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        wait_until_up(url, process, log)
        yield Server(url, ids, db, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Any]:
    path = chromium_path()
    assert path is not None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        _unavailable("Playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        except Exception as exc:
            _unavailable(f"Chromium at {path} did not start: {str(exc).splitlines()[0]}")
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser: Any, server: Server) -> Iterator[Any]:
    """``new_page()`` opens a page in a fresh context (its own cookies: its own person)."""
    contexts: list[Any] = []

    def make(**kwargs: Any) -> Any:
        kwargs.setdefault("viewport", {"width": 1200, "height": 900})
        kwargs.setdefault("base_url", server.url)
        context = browser.new_context(accept_downloads=True, **kwargs)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_in(page: Any, login: str) -> None:
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill(login)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/me")


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def csrf_of(page: Any) -> str:
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    assert token
    return str(token)


# ---- the public -----------------------------------------------------------------------------


def test_a_citizen_files_an_objection_and_gets_a_receipt(new_page: Any, server: Server) -> None:
    page = new_page()
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text() == "Bảng thông báo công khai"
    shot(page, "notice-board")
    page.get_by_role("link", name=re.compile(r"Thông báo công khai số 3")).click()
    page.wait_for_url("**/notices/3")
    shot(page, "notice")
    nominee = page.get_by_role("link", name="Lê Thị Hồng", exact=True)
    nominee.click()
    page.get_by_role("link", name="Gửi góp ý, phản ánh").click()
    page.get_by_label("Nội dung góp ý, phản ánh (bắt buộc)").fill(
        "Bà Hồng chưa hoàn thành chỉ tiêu năm 2026 theo báo cáo của tổ.")
    page.get_by_label("Họ và tên (không bắt buộc)").fill("Nguyễn Văn Dân")
    page.get_by_label("Số điện thoại hoặc thư điện tử (không bắt buộc)").fill("0912 345 678")
    shot(page, "objection-form")
    page.get_by_role("button", name="Gửi góp ý").click()
    page.wait_for_url("**/receipt")
    code = page.get_by_test_id("receipt-number").inner_text()
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", code)
    assert page.get_by_test_id("receipt-filed-at").inner_text().startswith("16/03/2026")
    body = page.locator("main").inner_text()
    assert "chỉ tiêu" not in body and "0912" not in body  # nothing else about it
    shot(page, "objection-receipt")
    page.emulate_media(media="print")  # printed: the receipt alone, no menus or links
    assert page.locator("nav.main-nav").is_hidden() and page.get_by_test_id("receipt").is_visible()
    page.emulate_media(media="screen")
    page.reload()  # post/redirect/get: a reload files nothing twice
    assert page.get_by_test_id("receipt-number").inner_text() == code
    service = make_service(server.db)
    try:
        objections = service.items.show(server.ids["D1"])["objections"]
    finally:
        service.deps.store.close()
    assert len(objections) == 1
    # later, from another browser: the status, looked up by the code
    later = new_page()
    later.goto("/")
    later.get_by_role("link", name="Tra cứu góp ý").click()
    later.get_by_label("Mã tiếp nhận").fill(code.lower())
    later.get_by_role("button", name="Tra cứu").click()
    assert later.get_by_test_id("receipt-state").inner_text() == "Đang xem xét, xác minh"
    assert "0912" not in later.locator("main").inner_text()
    shot(later, "objection-lookup")
    # the examining secretariat sees who objected and how to reach them; the officer does not
    staff = new_page()
    sign_in(staff, "thu")
    staff.goto(f"/items/{server.ids['D1']}#objections")
    objector = staff.get_by_test_id("objector").first.inner_text()
    assert "Nguyễn Văn Dân" in objector and "0912 345 678" in objector
    officer = new_page()
    sign_in(officer, "lan")
    officer.goto(f"/items/{server.ids['D1']}")
    assert officer.get_by_test_id("objector").count() == 0
    assert "0912" not in officer.locator("main").inner_text()


def test_a_script_in_an_objection_is_shown_as_text(new_page: Any, server: Server) -> None:
    d2 = server.ids["D2"]
    attack = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned=2\">"
    page = new_page()
    page.goto(f"/nominees/{d2}/object")
    page.get_by_label("Nội dung góp ý, phản ánh (bắt buộc)").fill(attack)
    page.get_by_role("button", name="Gửi góp ý").click()
    page.wait_for_url("**/receipt")
    staff = new_page()
    sign_in(staff, "thu")
    staff.goto(f"/items/{d2}")
    shown = staff.get_by_test_id("objection-text").first
    assert shown.inner_text() == attack  # the markup is text on the page
    assert staff.evaluate("() => window.__pwned") is None
    assert staff.locator("main script").count() == 0
    assert staff.locator("main img").count() == 0


def test_the_objection_form_after_the_window_is_refused(new_page: Any, server: Server) -> None:
    old = server.ids["C"]
    page = new_page()
    page.goto(f"/nominees/{old}")
    assert page.get_by_test_id("closed").is_visible()
    assert page.get_by_role("link", name="Gửi góp ý, phản ánh").count() == 0
    page.goto(f"/nominees/{old}/object")
    assert page.get_by_label("Nội dung góp ý, phản ánh (bắt buộc)").count() == 0
    page.goto("/login")
    token = csrf_of(page)  # a valid token of this session, to force the closed form
    forced = page.request.post(f"/nominees/{old}/object",
                               form={"csrf_token": token, "text": "Gửi muộn"})
    assert forced.status == 409
    assert "Thời gian lấy ý kiến về hồ sơ này đã kết thúc." in forced.text()


def test_a_post_without_the_csrf_token_is_refused(new_page: Any, server: Server) -> None:
    d3 = server.ids["D3"]
    page = new_page()
    page.goto(f"/nominees/{d3}/object")
    refused = page.request.post(f"/nominees/{d3}/object", form={"text": "Không có mã"})
    assert refused.status == 403
    assert "Vui lòng tải lại trang" in refused.text()
    page.goto(f"/nominees/{d3}")
    assert page.get_by_role("link", name="Gửi góp ý, phản ánh").is_visible()  # still open


# ---- council, officers, secretariat ---------------------------------------------------------


def test_a_council_member_votes_and_sees_no_tally_before_close(new_page: Any,
                                                              server: Server) -> None:
    a = server.ids["A"]
    member = new_page()
    sign_in(member, "hoa")
    member.get_by_role("link", name="Phiếu bầu").first.click()
    member.get_by_role("link", name=re.compile(f"Phiếu bầu: hồ sơ số {a}")).click()
    member.wait_for_url(f"**/items/{a}/ballot")
    assert member.get_by_test_id("tally").count() == 0
    shot(member, "ballot")
    member.get_by_label("Đồng ý", exact=True).check()
    member.get_by_role("button", name="Bỏ phiếu").click()
    member.wait_for_url(f"**/items/{a}/ballot")
    assert "Phiếu của bạn đã được ghi nhận" in member.get_by_role("status").inner_text()
    assert member.get_by_test_id("cannot-vote").is_visible()
    # the member's own act, timed, and what the round is about: its deadline and dossier
    assert member.get_by_test_id("voted-at").inner_text().startswith("Bạn đã bỏ phiếu lúc")
    assert member.get_by_test_id("deadline").inner_text()
    assert "Tờ trình" in member.get_by_test_id("dossier").inner_text()
    assert member.get_by_test_id("roll").count() == 0  # the roll is the secretariat's
    assert "4/5" in member.get_by_test_id("progress").inner_text()
    text = member.locator("main").inner_text()
    assert member.get_by_test_id("tally").count() == 0
    assert "Kết quả kiểm phiếu" not in text and "Đồng ý" not in text
    shot(member, "ballot-voted")
    # the secretariat closes the round
    secretariat = new_page()
    sign_in(secretariat, "thu")
    secretariat.goto(f"/items/{a}/ballot")
    roll = secretariat.get_by_test_id("roll").inner_text()
    assert "Trần Thị Hoa" in roll and "Chưa bỏ phiếu" in roll  # who, never how
    assert "Đồng ý" not in roll
    secretariat.get_by_test_id("remind").click()
    secretariat.wait_for_url(f"**/items/{a}/ballot")
    assert "Đã gửi lời nhắc tới 1 thành viên." in secretariat.get_by_role("status").inner_text()
    secretariat.get_by_role("button", name="Kết thúc bỏ phiếu và kiểm phiếu").click()
    secretariat.get_by_test_id("confirm-close").get_by_role("button").click()
    secretariat.wait_for_url(f"**/items/{a}/ballot")
    assert secretariat.get_by_test_id("tally").is_visible()
    # now the member reads the tally and the minutes
    member.reload()
    assert "ĐẠT" in member.get_by_test_id("tally").inner_text()
    shot(member, "ballot-closed")
    member.get_by_role("link", name="Xem biên bản họp Hội đồng").click()
    member.wait_for_url(f"**/items/{a}/minutes")
    assert "BIÊN BẢN" in member.locator("h1").inner_text()
    assert "ĐẠT — PASSED" in member.locator("body").inner_text()
    shot(member, "minutes")


def test_an_officer_cannot_act_on_another_units_item(new_page: Any, server: Server) -> None:
    b, a = server.ids["B"], server.ids["A"]
    lan = new_page()
    sign_in(lan, "lan")
    lan.goto(f"/items/{b}")  # the school's draft: lan sees it from the department above
    assert lan.get_by_test_id("state").is_visible()
    assert lan.locator("button[data-trigger]").count() == 0
    assert lan.get_by_test_id("no-actions").is_visible()
    forged = lan.request.post(f"/items/{b}/fire", form={
        "csrf_token": csrf_of(lan), "trigger": "withdraw", "comment": "giả mạo"})
    assert forged.status == 403
    mai = new_page()
    sign_in(mai, "mai")
    mai.goto(f"/items/{b}")  # her own draft: submit is refused by a guard, withdraw allowed
    assert mai.locator('button[data-trigger="submit"]').is_disabled()
    assert mai.locator('button[data-trigger="withdraw"]').is_enabled()
    shot(mai, "item")
    response = mai.goto(f"/items/{a}")  # the department's item: not hers to see
    assert response is not None and response.status == 403
    assert mai.locator("button[data-trigger]").count() == 0


def test_an_officer_nominates_with_the_generated_form(new_page: Any, server: Server) -> None:
    page = new_page()
    sign_in(page, "lan")
    page.get_by_role("link", name="Tạo hồ sơ đề nghị").first.click()
    page.get_by_role("link", name="Chiến sĩ thi đua cơ sở").click()
    # (2027: Nguyễn Văn An's 2026 nomination is open, and one achievement has one award)
    page.get_by_label("Năm (bắt buộc)").fill("2027")
    page.get_by_label("Xếp loại (bắt buộc)").select_option("HTXS")
    # the nominee is picked from the unit's people by name, not typed as a login
    page.get_by_label("Tìm theo họ tên").fill("nguyen van an")
    page.get_by_test_id("search-people").click()
    page.get_by_role("radio", name=re.compile("Nguyễn Văn An")).check()
    assert page.get_by_label("Năm (bắt buộc)").input_value() == "2027"  # kept by the search
    shot(page, "nominate")
    page.get_by_role("button", name="Tạo hồ sơ", exact=True).click()
    page.wait_for_url(re.compile(r".*/items/\d+$"))
    assert "Đã tạo hồ sơ số" in page.get_by_role("status").inner_text()
    assert "Nguyễn Văn An" in page.locator("h1").inner_text()
    # a draft's details are edited on the web
    page.get_by_role("link", name="Sửa thông tin hồ sơ").click()
    page.get_by_label("Sáng kiến được công nhận").fill("SK-2026-07")
    page.get_by_role("button", name="Lưu thay đổi").click()
    page.wait_for_url(re.compile(r".*/items/\d+$"))
    assert "SK-2026-07" in page.locator("main").inner_text()
    for doctype in ("to_trinh", "bao_cao"):
        page.get_by_label("Loại tài liệu").select_option(doctype)
        page.get_by_label("Tệp", exact=True).set_input_files(
            files=[{"name": f"{doctype}.pdf", "mimeType": "application/pdf",
                    "buffer": f"nội dung {doctype}".encode()}])
        page.get_by_role("button", name="Tải lên").click()
        page.wait_for_url(re.compile(r".*/items/\d+$"))
    # a second version of the cover letter replaces the first; a stray one is withdrawn
    page.get_by_label("Loại tài liệu").select_option("to_trinh")
    page.get_by_label("Tệp", exact=True).set_input_files(files=[{
        "name": "to_trinh-v2.pdf", "mimeType": "application/pdf", "buffer": b"ban 2"}])
    page.get_by_role("button", name="Tải lên").click()
    page.wait_for_url(re.compile(r".*/items/\d+$"))
    documents = page.locator("#documents ~ table").inner_text()
    assert "to_trinh-v2.pdf" in documents and "to_trinh.pdf" not in documents
    page.get_by_test_id("withdraw-bao_cao").click()
    page.wait_for_url(re.compile(r".*/items/\d+$"))
    assert "Đã rút" in page.get_by_role("status").inner_text()
    assert page.locator('button[data-trigger="submit"]').is_disabled()  # a required one gone
    page.get_by_label("Loại tài liệu").select_option("bao_cao")
    page.get_by_label("Tệp", exact=True).set_input_files(files=[{
        "name": "bao_cao.pdf", "mimeType": "application/pdf", "buffer": b"bao cao"}])
    page.get_by_role("button", name="Tải lên").click()
    page.wait_for_url(re.compile(r".*/items/\d+$"))
    submit = page.locator('button[data-trigger="submit"]')
    assert submit.is_enabled()
    submit.click()
    page.wait_for_url(re.compile(r".*/items/\d+$"))
    assert page.get_by_test_id("state").inner_text().startswith("Đã trình")
    # submitted: the dossier is frozen, nothing to edit, upload or withdraw
    assert page.locator("#attach").count() == 0
    assert page.get_by_role("link", name="Sửa thông tin hồ sơ").count() == 0
    assert page.locator('[data-testid^="withdraw-"]').count() == 0


def test_the_secretariat_queue_is_overdue_first(new_page: Any, server: Server) -> None:
    page = new_page()
    sign_in(page, "thu")
    page.get_by_role("link", name="Việc chờ xử lý").click()
    rows = page.get_by_test_id("queue").locator("tbody tr")
    first = rows.first.inner_text()
    assert server.ids["F"] in first.split()[0] and "Quá hạn" in first
    assert "26/02/2026 23:59" in first
    shot(page, "queue")


def test_a_list_is_sent_and_a_council_meets_with_a_paper_on_a_phone(
        new_page: Any, server: Server) -> None:
    f = server.ids["F"]
    officer = new_page()
    sign_in(officer, "lan")
    officer.goto("/nominate/chien-si-thi-dua-co-so")
    officer.get_by_label("Tệp danh sách").set_input_files(files=[{
        "name": "danh-sach.csv", "mimeType": "text/csv",
        "buffer": "Họ và tên,Tài khoản,Năm,Xếp loại\nNguyễn Văn An,an,2026,HTXX\n"
                  "Người Lạ,khongco,2026,HTXS\n".encode()}])
    officer.get_by_role("button", name="Gửi danh sách").click()
    problems = officer.get_by_test_id("list-problems").locator("tbody tr")
    assert problems.count() == 2
    assert problems.first.inner_text().split("\t")[:2] == ["2", "D"]
    shot(officer, "list-problems")
    service = make_service(server.db)
    try:
        service.items.fire(Actor("thu"), f, "accept")  # F reaches the council's vote
    finally:
        service.deps.store.close()
    secretariat = new_page()
    sign_in(secretariat, "thu")
    secretariat.get_by_role("link", name="Phiên họp Hội đồng").first.click()
    secretariat.get_by_role("link", name=re.compile("Mở phiên họp mới")).click()
    secretariat.get_by_label("Tên phiên họp (không bắt buộc)").fill("Phiên họp tháng 3")
    secretariat.get_by_role("button", name="Mở phiên họp").click()
    secretariat.wait_for_url(re.compile(r".*/sessions/\d+$"))
    session = secretariat.url.rsplit("/", 1)[1]
    shot(secretariat, "session-open")
    phone = new_page(viewport={"width": 375, "height": 740}, is_mobile=True,
                     has_touch=True)
    sign_in(phone, "hoa")
    phone.goto(f"/sessions/{session}/paper")
    radios = phone.locator('input[type="radio"]')
    assert radios.count() % 3 == 0 and radios.count() >= 3
    # made for a phone: nothing wider than the screen, choices big enough for a thumb
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    box = phone.locator(".paper-item fieldset.choices label").first.bounding_box()
    assert box is not None and box["height"] >= 40 and box["width"] >= 250
    shot(phone, "paper-phone")
    for fieldset in phone.locator(".paper-item fieldset").all():
        fieldset.get_by_label("Đồng ý", exact=True).check()
    phone.get_by_role("button", name=re.compile("Gửi phiếu")).click()
    phone.wait_for_url(f"**/sessions/{session}/paper")
    assert phone.get_by_test_id("paper-done").is_visible()
    secretariat.reload()
    assert "Kết quả kiểm phiếu" not in secretariat.locator("main").inner_text()
    secretariat.get_by_test_id("close-session").click()
    secretariat.wait_for_url(f"**/sessions/{session}")
    secretariat.get_by_test_id("minutes").click()
    assert "BIÊN BẢN" in secretariat.locator("body").inner_text()
    shot(secretariat, "session-minutes")


# ---- auditors, language, keyboard -----------------------------------------------------------


def test_an_auditor_reads_a_timeline_verifies_and_exports(new_page: Any, server: Server) -> None:
    a = server.ids["A"]
    page = new_page()
    sign_in(page, "kiemtoan")
    page.get_by_role("link", name="Kiểm toán").first.click()
    page.get_by_role("button", name="Kiểm tra toàn bộ chuỗi").click()
    assert "Chuỗi nhật ký nguyên vẹn" in page.get_by_test_id("verify-result").inner_text()
    shot(page, "audit")
    with page.expect_download() as info:
        page.get_by_role("link", name="JSON Lines (.jsonl)").click()
    download = info.value
    assert download.suggested_filename == "audit-export.jsonl"
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert len(lines) > 20
    page.get_by_label("Số hồ sơ").fill(a)
    page.get_by_role("button", name="Xem").click()
    page.wait_for_url(f"**/items/{a}/timeline")
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "Bỏ phiếu" in timeline and "Tạo hồ sơ" in timeline
    assert "vote_cast" not in timeline and "created" not in timeline
    shot(page, "timeline")


def test_english_on_request_and_keyboard_use(new_page: Any, server: Server) -> None:
    page = new_page()
    page.goto("/")
    page.get_by_role("link", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Public notice board"
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto("/login")  # the choice is remembered
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert page.evaluate("() => document.activeElement.className") == "skip"
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0  # visible when focused
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # sign in with the keyboard only
    page.get_by_label("Login").focus()
    page.keyboard.type("hung")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/me")
    assert "Trần Văn Hùng" in page.locator("main").inner_text()
    shot(page, "my-page-en")


# ---- in the reader's language; forms that keep what was typed (issue 10, points 3 and 4) -----


PHONE = {"width": 390, "height": 844}


def scene_service(server: Server) -> Any:
    """The engine on the server's database, at the server's moment (for setting a scene up
    quickly; what is tested is done in the browser)."""
    return make_service(server.db, now=WEB_NOW, flow_dirs=[Path(server.db[len("sqlite:///"):]
                                                                ).parent / "flows"])


def voted_round(server: Server, choices: tuple[str, ...]) -> str:
    """A new grassroots nomination in the department council's ballot, with ``choices``
    cast by the first members (not closed). Each names a person of its own (one
    achievement, one award: nobody is proposed twice for the title of one year), added to
    the directory with what makes them eligible."""
    service = scene_service(server)
    try:
        lan, thu = Actor("lan"), Actor("thu")
        login = f"phieu{sum(1 for _ in service.items.find()) + 1}"
        name = f"Nguyễn Văn Phiếu {login[5:]}"
        service.setup.load_directory_text(
            f'people:\n  - {{login: {login}, name: "{name}", unit: BN-SGD, roles: []}}\n'
            f"awards:\n  - {{person: {login}, award: LDTT, year: 2026}}\n"
            f"registrations:\n  - {{campaign: bac-ninh-2026, unit: BN-SGD, person: {login}, "
            "award: CSTDCS}\n", f"{login}.yaml")
        item = service.items.nominate(lan, "chien-si-thi-dua-co-so", "BN-SGD", name,
                                      login, {"year": 2026, "rating": "HTXS"})["id"]
        doc = Path(server.log).parent / "ho-so.pdf"
        for doctype in ("to_trinh", "bao_cao"):
            service.items.attach(lan, item, doctype, doc)
        service.items.fire(lan, item, "submit")
        service.items.fire(thu, item, "accept")
        for member, choice in zip(("minh", "nam", "binh", "hoa"), choices, strict=False):
            service.items.vote(Actor(member), item, choice)
        return str(item)
    finally:
        service.deps.store.close()


def test_a_refused_action_reads_in_vietnamese_and_keeps_what_was_typed(
        new_page: Any, server: Server) -> None:
    page = new_page()
    sign_in(page, "lan")
    page.goto("/nominate/chien-si-thi-dua-co-so")
    page.get_by_label("Họ và tên (khi không chọn từ danh bạ)").fill("Phan Thị Lụa")
    page.get_by_label("Năm (bắt buộc)").fill("2026")
    page.get_by_label("Xếp loại (bắt buộc)").select_option(label="Hoàn thành tốt nhiệm vụ")
    page.get_by_role("button", name="Tạo hồ sơ", exact=True).click()
    page.wait_for_url(re.compile(r".*/items/\d+$"))
    item = page.url.rsplit("/", 1)[1]
    # the guard's reason names the documents by their labels, not their codes
    why = page.locator("#why-submit").inner_text()
    assert "hồ sơ còn thiếu: Tờ trình (Mẫu 01), Báo cáo thành tích (Mẫu 05)" in why
    assert page.get_by_test_id("state").inner_text() == "Dự thảo"
    fields = page.locator("section[aria-labelledby=fields]").inner_text()
    assert "Hoàn thành tốt nhiệm vụ" in fields and "HTT" not in fields
    history = page.get_by_test_id("history").inner_text()
    assert "Tạo hồ sơ" in history and "created" not in history
    # someone else changes the item while a withdrawal is being typed here
    other = page.context.new_page()
    other.goto(f"/items/{item}")
    page.get_by_label("Ý kiến (bắt buộc)").fill("Trùng với hồ sơ đã nộp ở trường")
    other.get_by_label("Loại tài liệu").select_option(label="Tờ trình (Mẫu 01)")
    other.get_by_label("Tệp", exact=True).set_input_files(files=[{
        "name": "to-trinh.pdf", "mimeType": "application/pdf", "buffer": b"to trinh"}])
    other.get_by_role("button", name="Tải lên").click()
    other.wait_for_url(f"**/items/{item}")
    page.locator('button[data-trigger="withdraw"]').click()
    alert = page.get_by_test_id("error-message").inner_text()
    assert f"Hồ sơ số {item} vừa được người khác thay đổi" in alert
    assert page.get_by_test_id("form-error").inner_text().startswith("Hồ sơ số")
    assert page.get_by_label("Ý kiến (bắt buộc)").input_value() == (
        "Trùng với hồ sơ đã nộp ở trường")  # what was typed is still there
    assert not problems(page.locator("body").inner_text(), set())
    shot(page, "refused-form")


def test_a_closed_vote_says_its_result_in_words(new_page: Any, server: Server) -> None:
    item = voted_round(server, ("no", "no", "yes", "no"))
    page = new_page()
    sign_in(page, "thu")
    page.goto(f"/items/{item}/ballot")
    page.get_by_role("button", name="Kết thúc bỏ phiếu và kiểm phiếu").click()
    # 4 of 5 have voted: the page says what closing now means, and asks again
    confirm = page.get_by_test_id("confirm-close")
    assert "Mới có 4/5 thành viên bỏ phiếu." in confirm.inner_text()
    assert "được tính như không đồng ý" in confirm.inner_text()
    confirm.get_by_role("button", name="Vẫn đóng phiếu").click()
    page.wait_for_url(f"**/items/{item}/ballot")
    flash = page.get_by_role("status").inner_text()
    assert "“Kết thúc bỏ phiếu”" in flash and "“Không đạt biểu quyết”" in flash
    assert "not_passed" not in flash and "close_vote" not in flash
    outcome = page.get_by_test_id("outcome").inner_text()
    assert outcome == "Không đạt: 1/5 phiếu đồng ý (tổng số thành viên); ngưỡng 80% cần 4."
    assert "Sở Giáo dục và Đào tạo" in page.locator("main").inner_text()  # the council


def test_a_council_member_opens_the_minutes_and_their_pdf_from_the_item_page(
        new_page: Any, server: Server) -> None:
    item = voted_round(server, ("yes", "yes", "yes", "yes"))
    service = scene_service(server)
    try:  # the last ballot closes the round: its minutes, and their PDF, are issued
        service.documents.make_pdfs(True)
        service.items.vote(Actor("thu"), item, "yes")
        [minutes] = service.documents.of_item(None, item)
    finally:
        service.deps.store.close()
    page = new_page()
    sign_in(page, "hoa")  # a member of the council, nothing more
    page.goto(f"/items/{item}")
    issued = page.get_by_test_id("issued")
    assert "minutes.html.j2" not in issued.inner_text()
    pdf_link = page.get_by_test_id(f"issued-pdf-{minutes['id']}")
    answer = page.request.get(server.url + str(pdf_link.get_attribute("href")))
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF-")
    assert answer.headers["x-document-sha256"] == minutes["pdf_sha256"]
    page.get_by_test_id(f"issued-html-{minutes['id']}").click()
    page.wait_for_url(f"**/items/{item}/issued/{minutes['id']}")
    text = page.locator("body").inner_text()
    for part in ("BIÊN BẢN", "Độc lập – Tự do – Hạnh phúc", "Nơi nhận:", "CHỦ TỊCH HỘI ĐỒNG",
                 "Sở Giáo dục và Đào tạo"):
        assert part in text, part
    shot(page, "minutes-official")


# ---- phones (issue 10, point 12) ------------------------------------------------------------


def fits(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']} px phone"


def test_staff_pages_fit_a_phone(new_page: Any, server: Server) -> None:
    item = voted_round(server, ("yes", "yes", "yes", "yes"))
    secretariat = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(secretariat, "thu")
    secretariat.goto(f"/items/{item}/ballot")
    secretariat.get_by_role("button", name="Kết thúc bỏ phiếu và kiểm phiếu").click()
    fits(secretariat)  # the confirmation too
    secretariat.get_by_test_id("confirm-close").get_by_role("button").click()
    secretariat.wait_for_url(f"**/items/{item}/ballot")
    for path, name in (("/queue", "queue-phone"), ("/items", "items-phone"),
                       (f"/items/{item}", "item-phone"), (f"/items/{item}/ballot", None)):
        secretariat.goto(path)
        fits(secretariat)
        if name:
            shot(secretariat, name)
    cells = secretariat.goto("/queue") and secretariat.locator(
        "[data-testid=queue] td").first.bounding_box()
    assert cells is not None and cells["width"] > 250  # a card per row, not 7 slim columns
    secretariat.goto(f"/items/{item}/minutes")
    assert "BIÊN BẢN" in secretariat.locator("h1").inner_text()
    fits(secretariat)
    shot(secretariat, "minutes-phone")
    auditor = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(auditor, "kiemtoan")
    auditor.goto(f"/items/{item}/timeline")
    fits(auditor)
    timeline = auditor.get_by_test_id("timeline")
    text = timeline.inner_text()
    assert "{" not in text and '":' not in text  # labelled fields, not JSON
    assert "Số phiếu thu về" in text and "Đạt: 4/5 phiếu đồng ý" in text
    widths = auditor.evaluate("""() => [...document.querySelectorAll(
        '[data-testid=timeline] dd')].map(d => d.getBoundingClientRect().width)""")
    assert widths and min(widths) > 150  # no value squeezed to a few characters a line
    shot(auditor, "timeline-phone")


def test_an_administrator_reads_a_flow_and_checks_a_file_on_a_phone(
        new_page: Any, server: Server) -> None:
    result = CliRunner().invoke(cli_app, ["passwd", "quantri", "--password-stdin"],
                                input=f"{PASSWORD}\n", env={"AWARD_DB": server.db,
                                                            "AWARD_NOW": WEB_NOW})
    assert result.exit_code == 0, result.output
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "quantri")
    page.get_by_role("link", name="Quy trình", exact=True).click()
    page.wait_for_url("**/flows")
    fits(page)
    page.get_by_role("link", name="Chiến sĩ thi đua cơ sở").click()
    page.wait_for_url("**/flows/chien-si-thi-dua-co-so")
    diagram = page.get_by_test_id("diagram")
    assert page.locator("figure.diagram svg g.state").count() == 11
    assert "Hội đồng bỏ phiếu kín" in diagram.inner_text()
    box = diagram.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]  # it scrolls inside the page
    fits(page)
    shot(page, "flow-phone")
    page.goto("/flows/validate")
    page.get_by_label("Nội dung tệp quy trình (YAML)").fill(
        "flow: thu\ntitle: Thử\naward: CSTDCS\nnominee: individual\ncalendar: vn\n"
        "states:\n  a: {initial: true, sla: {working_dayz: 3}}\ntransitions: []\n")
    page.get_by_role("button", name="Kiểm tra").click()
    problems = page.get_by_test_id("problems").inner_text()
    assert re.search(r"flow.yaml:7:\d+: unknown key 'working_dayz' in state 'a' sla \(did you mean "
                     r"'working_days'\?\)", problems), problems
    fits(page)
def test_an_officer_registers_in_a_campaign_on_a_phone(new_page: Any, server: Server) -> None:
    visitor = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    visitor.goto("/campaigns/bac-ninh-2026")
    main = visitor.locator("main").inner_text()
    assert "Phong trào thi đua yêu nước tỉnh Bắc Ninh năm 2026" in main
    assert "Khối thi đua các sở, ngành tỉnh" in main and "Đang nhận đăng ký" in main
    assert visitor.get_by_test_id("register-form").count() == 0
    fits(visitor)
    shot(visitor, "campaign-public-phone")
    officer = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(officer, "lan")
    officer.goto("/campaigns/bac-ninh-2026")
    form = officer.get_by_test_id("register-form")
    form.get_by_label("Danh hiệu").select_option(label="Cờ thi đua của UBND tỉnh")
    form.get_by_label("Đăng ký cho").select_option(label="Tập thể Sở Giáo dục và Đào tạo")
    form.get_by_role("button", name="Đăng ký").click()
    officer.wait_for_url("**/campaigns/bac-ninh-2026#desk")
    assert "Đã đăng ký (số" in officer.locator(".flash").inner_text()
    rows = officer.get_by_test_id("registrations").inner_text()
    assert "Cờ thi đua của UBND tỉnh" in rows and "chưa đề nghị" in rows
    fits(officer)
    shot(officer, "campaign-officer-phone")


# ---- lists, the API reference (issue 10, point 13) -------------------------------------------


def test_the_items_list_filters_by_step_and_name(new_page: Any, server: Server) -> None:
    page = new_page()
    sign_in(page, "lan")
    page.goto("/items")
    page.get_by_label("Bước").select_option(label="Công khai lấy ý kiến")
    page.get_by_label("Tên người / tập thể được đề nghị").fill("vu minh khoa")
    page.get_by_role("button", name="Lọc").click()
    rows = page.get_by_test_id("items").locator("tbody tr")
    assert rows.count() == 1 and "Vũ Minh Khoa" in rows.first.inner_text()
    shot(page, "items")


def test_the_api_reference_opens_without_the_internet(new_page: Any, server: Server) -> None:
    page = new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto("/docs")
    title = page.locator(".swagger-ui .info .title")
    title.wait_for()
    assert "Award workflow engine" in title.inner_text()
    assert page.locator(".opblock-summary-path", has_text="/api/items/{nomination_id}/fire"
                        ).count() == 1
    page.get_by_role("button", name="Authorize").click()
    assert page.get_by_text("basic  (http, Basic)").count() == 1
    assert not failed and all(r.startswith(server.url) for r in [page.url])
    shot(page, "api-docs")


# ---- the demo, opened in a browser (issue 10, point 14) --------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """``award demo`` as a newcomer runs it, then the web interface on its database as the
    demo says to start it (its clock at the demo's last moment)."""
    if chromium_path() is None:
        _unavailable("Chromium not found (set AWARD_CHROMIUM or apt-get install -y chromium)")
    folder = tmp_path_factory.mktemp("demo") / "award-demo"
    env = {**os.environ}
    for name in ("AWARD_DB", "AWARD_NOW", "AWARD_FLOWS", "AWARD_SECRET"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, "-m", "workflow", "--json", "demo", "--out",
                           str(folder)], env=env, capture_output=True, check=False, cwd=ROOT,
                          timeout=300)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    result = json.loads(done.stdout)
    now, _, rest = result["serve"].partition(" award ")
    assert now == f"AWARD_NOW={result['end']}" and rest.endswith(" serve")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = folder.parent / "serve.log"
    env["AWARD_NOW"] = result["end"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "workflow", "--db", result["database"], "serve", "--host",
             "127.0.0.1", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT,
            cwd=ROOT)
    try:
        wait_until_up(url, process, log)
        yield {**result, "url": url}
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def test_the_demo_opens_in_a_browser_with_something_to_click(new_page: Any,
                                                              demo: dict[str, Any]) -> None:
    people = {p["login"]: p for p in demo["sign_ins"]}
    assert len(people) >= 7 and all(p["password"] for p in people.values())
    assert any("auditor" in p["role"] for p in people.values())
    live = demo["live"]
    # the public: an open notice with the live nominee and its objection form
    page = new_page(base_url=demo["url"])
    page.goto("/")
    current = page.get_by_test_id("current-notices")
    assert current.locator(f'a[href="/nominees/{live["notice"]}"]').count() == 1
    page.goto(f"/nominees/{live['notice']}")
    assert page.get_by_role("link", name="Gửi góp ý, phản ánh").is_visible()
    shot(page, "demo-board")
    # everyone printed can sign in; each lands on their own page
    for login, person in people.items():
        visitor = new_page(base_url=demo["url"])
        visitor.goto("/login")
        visitor.get_by_label("Tên đăng nhập").fill(login)
        visitor.get_by_label("Mật khẩu").fill(person["password"])
        visitor.get_by_role("button", name="Đăng nhập").click()
        visitor.wait_for_url("**/me")
        assert person["name"] in visitor.locator("main").inner_text(), login
        if "council member" in person["role"]:
            visitor.goto("/ballots")
            visitor.get_by_role("link", name=re.compile(f"hồ sơ số {live['ballot']}")).click()
            assert "2/" in visitor.get_by_test_id("progress").inner_text()
            assert visitor.get_by_test_id("vote-form").is_visible()
            shot(visitor, "demo-ballot")
        if "auditor" in person["role"]:
            visitor.goto("/audit")
            assert visitor.get_by_role("link", name="JSON Lines (.jsonl)").is_visible()
            visitor.goto(f"/items/{live['ballot']}/timeline")
            assert "Bỏ phiếu" in visitor.get_by_test_id("timeline").inner_text()


def test_the_demos_dashboard_and_printed_report(new_page: Any, demo: dict[str, Any]) -> None:
    """The auditor of the demo reads the province's dashboard; the annual statistics the demo
    wrote open as one page with its charts, with nothing fetched from the internet."""
    auditor = next(p for p in demo["sign_ins"] if "auditor" in p["role"])
    page = new_page(base_url=demo["url"])
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill(auditor["login"])
    page.get_by_label("Mật khẩu").fill(auditor["password"])
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/me")
    page.get_by_role("link", name="Báo cáo").click()
    page.get_by_label("Đơn vị (kể cả đơn vị trực thuộc)").select_option("BN")
    page.get_by_role("spinbutton", name="Năm").fill("2026")
    page.get_by_role("button", name="Xem").click()
    tiles = page.get_by_test_id("tiles").inner_text()
    awarded = sum(f["awarded"] for f in demo["flows"])
    assert str(awarded) in tiles and "Đã khen thưởng" in tiles
    assert page.get_by_test_id("chart").count() >= 2
    share = demo["reports"]["priority"]["women"]
    assert f"{share * 100:.1f}%" in page.get_by_test_id("shares").inner_text()
    shot(page, "reports-dashboard")
    with page.expect_download() as download:
        page.get_by_test_id("downloads").get_by_role("link", name="Excel (.xlsx)").first.click()
    assert download.value.suggested_filename == "cycle-BN-2026.xlsx"

    printed = new_page(viewport={"width": 900, "height": 1270})
    requests: list[str] = []
    printed.on("request", lambda r: requests.append(r.url))
    report = Path(demo["folder"]) / "reports" / "thong-ke-2026.html"
    printed.goto(report.as_uri())
    assert printed.locator("svg").count() >= 2
    assert printed.get_by_role("heading", level=1).inner_text() == "THỐNG KÊ THI ĐUA, KHEN THƯỞNG"
    assert requests == [report.as_uri()]  # the page alone: no font, script or image fetched
    shot(printed, "report-html")
    pdf = printed.pdf(format="A4")
    assert pdf[:4] == b"%PDF"


def test_without_chromium_ci_fails_and_a_laptop_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run in CI: no browser"):
        _unavailable("no browser")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="skipped: no browser"):
        _unavailable("no browser")
