"""Lists and council sessions on the web, without a browser (FastAPI's TestClient), on the
scene of ``tests/test_web_api.py``: the officer sends a list from the nomination page and
sees every problem in a table, downloads the items list as a spreadsheet; the secretariat
opens a session, follows it (counts only) and closes it; members cast one paper each.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterator
from pathlib import Path

import argon2
import openpyxl
import pytest
from conftest import make_service
from test_web_api import Scene, build_scene, check_page, csrf_of, post, sign_in, write_flow

from workflow.clock import FixedClock
from workflow.service import Actor
from workflow.web import create_app

FLOW = "chien-si-thi-dua-co-so"


@pytest.fixture
def scene(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Scene]:
    monkeypatch.setattr(argon2, "PasswordHasher", functools.partial(
        argon2.PasswordHasher, time_cost=1, memory_cost=1024, parallelism=1))
    service = make_service(db_url, flow_dirs=[write_flow(tmp_path / "flows")])
    clock = service.deps.clock
    assert isinstance(clock, FixedClock)
    ids = build_scene(service, clock, tmp_path)
    try:
        yield Scene(service, clock, ids, create_app(service, secret_key="secret-for-tests"))
    finally:
        service.deps.store.close()


def upload(client: object, token: str, name: str, content: bytes, unit: str = "BN-SGD"
           ) -> object:
    return client.post(f"/nominate/{FLOW}/list",  # type: ignore[attr-defined]
                       data={"csrf_token": token, "unit": unit},
                       files={"file": (name, content, "text/csv")}, follow_redirects=False)


# ---- lists ---------------------------------------------------------------------------------


def test_an_officer_sends_a_list_and_sees_every_problem_in_a_table(scene: Scene) -> None:
    with scene.client() as officer:
        sign_in(officer, "lan")
        form = officer.get(f"/nominate/{FLOW}").text
        assert 'data-testid="list-upload"' in form and "Gửi cả danh sách" in form
        check_page(form)
        template = officer.get(f"/nominate/{FLOW}/template.xlsx")
        assert template.status_code == 200
        assert "danh-sach-chien-si-thi-dua-co-so.xlsx" in template.headers[
            "content-disposition"]
        sheet = openpyxl.load_workbook(io.BytesIO(template.content)).active
        assert [c.value for c in sheet[1]] == ["nominee", "person", "year", "rating",
                                               "initiative"]
        before = len(list(scene.service.audit.log()))
        bad = upload(officer, csrf_of(form), "ds.csv",
                     "Họ và tên,Tài khoản,Năm,Xếp loại\nNguyễn Văn An,an,20x6,HTXS\n"
                     "Ai Đó,khongco,2026,HTXX\n".encode())
        assert bad.status_code == 422  # type: ignore[attr-defined]
        page = bad.text  # type: ignore[attr-defined]
        check_page(page)
        assert "Danh sách ds.csv chưa được nhận" in page and "3 lỗi" in page
        rows = re.findall(r"<tr><td>(\d+)</td><td>([A-Z]+)</td><td>(.*?)</td></tr>", page)
        assert [(r, c) for r, c, _ in rows] == [("2", "C"), ("3", "B"), ("3", "D")]
        # in the reader's words, with the flow's labels: never the engine's English or codes
        assert rows[1][2] == "Không có ai có tên đăng nhập “khongco” trong danh bạ."
        assert rows[2][2].startswith("“Xếp loại” phải là một trong: Hoàn thành xuất sắc")
        assert len(list(scene.service.audit.log())) == before  # nothing created
        # one achievement, one award: both already have a CSTĐCS 2026 nomination open
        twice = upload(officer, csrf_of(page), "ds.csv",
                       "Họ và tên,Tài khoản,Năm,Xếp loại\nNguyễn Văn An,an,2026,HTXS\n"
                       "Lý Thị Bích,bich,2026,HTXS\n".encode())
        assert twice.status_code == 422  # type: ignore[attr-defined]
        page = twice.text  # type: ignore[attr-defined]
        check_page(page)
        rows = re.findall(r"<tr><td>(\d+)</td><td>([A-Z]+)</td><td>(.*?)</td></tr>", page)
        assert [(r, c) for r, c, _ in rows] == [("2", "B"), ("3", "B")]
        assert rows[0][2].startswith("Một thành tích chỉ khen thưởng một lần: người được đề "
                                     f"nghị đã có hồ sơ số {scene.ids['A']} đề nghị")
        assert f"hồ sơ số {scene.ids['F']}" in rows[1][2]
        assert len(list(scene.service.audit.log())) == before  # nothing created
        # once Bích's nomination is withdrawn she may be proposed again
        scene.service.items.fire(Actor("lan"), scene.ids["F"], "withdraw", "Gửi lại theo danh "
                                 "sách")
        good = upload(officer, csrf_of(page), "ds.csv",
                      "Họ và tên,Tài khoản,Năm,Xếp loại\nLý Thị Bích,bich,2026,HTXS\n".encode())
        assert good.status_code == 303  # type: ignore[attr-defined]
        assert good.headers["location"] == "/items"  # type: ignore[attr-defined]
        listed = officer.get("/items").text
        assert "Đã tạo 1 hồ sơ từ danh sách ds.csv" in listed
        [entry] = [e for e in scene.service.audit.log()
                   if e["action"] == "imported" and e["actor"] == "lan"]
        assert entry["payload"]["file"] == "ds.csv" and len(entry["payload"]["created"]) == 1
    with scene.client() as other:
        sign_in(other, "mai")  # the school's officer may not send the department's list
        token = csrf_of(other.get("/me").text)
        assert upload(other, token, "ds.csv", b"nominee\nA\n").status_code == 403  # type: ignore[attr-defined]


def test_the_items_list_downloads_as_a_spreadsheet_of_what_the_person_sees(scene: Scene
                                                                           ) -> None:
    with scene.client() as officer:
        sign_in(officer, "lan")
        page = officer.get("/items").text
        assert 'href="/export/items.xlsx?"' in page  # no filter: everything listed
        filtered = officer.get(f"/items?flow={FLOW}&unit=BN-SGD").text
        assert f'href="/export/items.xlsx?flow={FLOW}&amp;unit=BN-SGD"' in filtered
        book = officer.get(f"/export/items.xlsx?flow={FLOW}")
        assert book.status_code == 200
        assert book.headers["content-type"].startswith("application/vnd.openxmlformats")
        rows = list(openpyxl.load_workbook(io.BytesIO(book.content)).active.iter_rows(
            values_only=True))
        assert rows[0][:3] == ("id", "flow", "award") and rows[0][-3:] == (
            "year", "rating", "initiative")
        mine = {r[0] for r in rows[2:]}
        assert {scene.ids[k] for k in ("A", "F", "G", "B")} <= mine
        assert officer.get("/export/items.pdf").status_code == 422
        # the list's own filters: the nominee's name (accents aside), the step by its label
        named = officer.get("/export/items.csv?name=nguyen%20van%20an").content.decode(
            "utf-8-sig")
        assert {r[5] for r in list(csv.reader(io.StringIO(named)))[2:]} == {"Nguyễn Văn An"}
        voting = officer.get(f"/export/items.csv?flow={FLOW}&step=Hội đồng bỏ phiếu kín")
        ids = [r[0] for r in list(csv.reader(io.StringIO(
            voting.content.decode("utf-8-sig"))))[2:]]
        assert ids == [scene.ids["A"]]
    with scene.client() as school:
        sign_in(school, "mai")
        text = school.get("/export/items.csv").content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert [r[0] for r in table[2:]] == [scene.ids["B"]]  # only the school's own item


# ---- council sessions ----------------------------------------------------------------------


def test_a_council_meets_on_the_web_one_paper_each_then_the_close_and_minutes(
        scene: Scene) -> None:
    a, f = scene.ids["A"], scene.ids["F"]
    scene.service.items.fire(Actor("thu"), f, "accept")  # F joins A in the council's vote
    with scene.client() as secretariat:
        sign_in(secretariat, "thu")
        listing = secretariat.get("/sessions").text
        check_page(listing)
        assert 'href="/sessions/new?unit=BN-SGD"' in listing
        new = secretariat.get("/sessions/new?unit=BN-SGD").text
        check_page(new)
        assert f'value="{a}"' in new and f'value="{f}"' in new
        opened = secretariat.post("/sessions", data={
            "csrf_token": csrf_of(new), "unit": "BN-SGD", "item": [a, f],
            "title": "Phiên họp tháng 3"}, follow_redirects=False)
        assert opened.status_code == 303
        session = opened.headers["location"].rsplit("/", 1)[1]
        page = secretariat.get(f"/sessions/{session}").text
        check_page(page)
        assert "Đã mở phiên họp số" in page and "Phiên họp tháng 3" in page
        assert "3/5 thành viên đã bỏ phiếu" in page  # minh, nam, binh voted on A before
        assert 'data-testid="close-session"' in page and 'data-testid="written-paper"' in page
        for hidden in ("Kết quả kiểm phiếu", "ĐẠT", 'data-testid="minutes"'):
            assert hidden not in page  # counts only while the session is open
        item = secretariat.get(f"/items/{a}").text
        assert f'href="/sessions/{session}"' in item
    with scene.client() as member:
        sign_in(member, "hoa")
        assert f'href="/sessions/{session}/paper"' in member.get("/ballots").text
        form = member.get(f"/sessions/{session}/paper").text
        check_page(form)
        assert 'data-testid="paper-form"' in form
        assert form.count('type="radio"') == 6  # two items, three choices each
        assert "Gửi phiếu (2 hồ sơ)" in form
        missing = post(member, f"/sessions/{session}/paper", csrf_of(form),
                       **{f"mark.{a}": "yes"})
        assert missing.status_code == 422 and "còn thiếu hồ sơ số" in missing.text
        cast = post(member, f"/sessions/{session}/paper", csrf_of(form),
                    **{f"mark.{a}": "yes", f"mark.{f}": "yes"})
        assert cast.status_code == 303
        done = member.get(f"/sessions/{session}/paper").text
        assert "Phiếu của bạn đã được ghi nhận cho cả danh sách." in done
        assert 'data-testid="paper-done"' in done
        again = post(member, f"/sessions/{session}/paper", csrf_of(done),
                     **{f"mark.{a}": "no", f"mark.{f}": "no"})
        assert again.status_code == 409
    with scene.client() as earlier:
        sign_in(earlier, "minh")  # voted on A alone before the meeting: F is left
        form = earlier.get(f"/sessions/{session}/paper").text
        assert 'data-testid="mark-voted"' in form and form.count('type="radio"') == 3
        assert post(earlier, f"/sessions/{session}/paper", csrf_of(form),
                    **{f"mark.{f}": "yes"}).status_code == 303
    with scene.client() as stranger:
        sign_in(stranger, "mai")  # a school's officer: no role at the department
        assert stranger.get(f"/sessions/{session}/paper").status_code == 403
    with scene.client() as secretariat:
        sign_in(secretariat, "thu")
        page = secretariat.get(f"/sessions/{session}").text
        written = post(secretariat, f"/sessions/{session}/paper", csrf_of(page),
                       written_for="nam", **{f"mark.{a}": "", f"mark.{f}": "no"})
        assert written.status_code == 303
        page = secretariat.get(f"/sessions/{session}").text
        assert "Đã ghi phiếu bằng văn bản của nam." in page
        closed = post(secretariat, f"/sessions/{session}/close", csrf_of(page))
        assert closed.status_code == 303
        page = secretariat.get(f"/sessions/{session}").text
        check_page(page)
        assert "Đã kết thúc phiên họp số" in page and 'data-testid="minutes"' in page
        minutes = secretariat.get(f"/sessions/{session}/minutes")
    assert minutes.status_code == 200
    assert "BIÊN BẢN" in minutes.text and "Độc lập – Tự do – Hạnh phúc" in minutes.text
    assert "sandbox" in minutes.headers["content-security-policy"]
    stored = scene.service.sessions.minutes(session)
    assert minutes.headers["x-document-sha256"] == stored["sha256"]
    # A: minh, nam, binh, hoa yes of 5 (80% needs 4); F: hoa and minh yes, nam no
    assert scene.service.items.show(a)["state"] == "pending_decision"
    # F: 3 of 5 is short of the quorum, so how they split is never published
    f_ballot = scene.service.items.show(f)["ballot"]
    assert f_ballot["cast"] == 3 and f_ballot["withheld"] is True and f_ballot["yes"] is None
