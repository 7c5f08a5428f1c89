"""The administrators' flow pages (TestClient, SQLite and PostgreSQL): the list, one flow with
its diagram drawn on the server, its versions and a diff, the items per state, and the form
that checks a pasted or uploaded flow file. Only ``admin`` at a top unit may see them."""

from __future__ import annotations

import functools
import re
import shutil
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import argon2
import pytest
from fastapi.testclient import TestClient

from tests.conftest import DIRECTORY
from tests.test_web_api import check_page, csrf_of, sign_in
from workflow.bootstrap import Settings, build_service
from workflow.clock import FixedClock, parse_instant
from workflow.service import Actor, Service
from workflow.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "mat-khau-thu-nghiem"
CSTDCS = "chien-si-thi-dua-co-so"
NOW = "2026-03-02T09:00:00+07:00"


def service_for(db_url: str, home: Path = ROOT) -> Service:
    settings = Settings.from_env(db=db_url)
    settings.clock = FixedClock(parse_instant(NOW))
    settings.flow_dirs = []
    settings.home = home
    return build_service(settings)


@pytest.fixture
def office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[tuple[Service, Any, Path]]:
    monkeypatch.setattr(argon2, "PasswordHasher", functools.partial(
        argon2.PasswordHasher, time_cost=1, memory_cost=1024, parallelism=1))
    service = service_for(db_url)
    service.setup.init()
    service.setup.load_directory(DIRECTORY)
    for login in ("quantri", "lan", "kiemtoan"):
        service.accounts.set_password(login, PASSWORD)
    dossier = tmp_path / "to-trinh.pdf"
    dossier.write_bytes(b"To trinh")
    for person in ("an", "bich"):  # one achievement, one award: two people
        made = service.items.nominate(Actor("lan"), CSTDCS, "BN-SGD", "", person,
                                      {"year": 2026, "rating": "HTXS"})
        for doctype in ("to_trinh", "bao_cao"):
            service.items.attach(Actor("lan"), made["id"], doctype, dossier)
    service.items.fire(Actor("lan"), made["id"], "submit")
    try:
        yield service, create_app(service, secret_key="secret-for-tests"), tmp_path
    finally:
        service.deps.store.close()


def admin(app: Any) -> TestClient:
    client = TestClient(app)
    sign_in(client, "quantri", PASSWORD)
    return client


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_only_an_administrator_at_a_top_unit_sees_the_flow_pages(
        office: tuple[Service, Any, Path]) -> None:
    service, app, _ = office
    with TestClient(app) as stranger:
        response = stranger.get("/flows", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    for login in ("lan", "kiemtoan"):
        with TestClient(app) as client:
            sign_in(client, login, PASSWORD)
            assert "/flows" not in client.get("/me").text  # no link in the navigation
            for path in ("/flows", f"/flows/{CSTDCS}", "/flows/validate"):
                refused = client.get(path)
                assert refused.status_code == 403, (login, path)
                assert "Trang này dành cho quản trị quy trình" in refused.text
    # the admin role at a unit below the top is not enough
    service.setup.load_directory_text(
        "people:\n  - {login: qtso, name: \"Quản trị Sở\", roles: [admin@BN-SGD]}\n", "x.yaml")
    service.accounts.set_password("qtso", PASSWORD)
    with TestClient(app) as client:
        sign_in(client, "qtso", PASSWORD)
        assert client.get("/flows").status_code == 403
    with admin(app) as client:
        assert 'href="/flows"' in client.get("/me").text


def test_the_flows_list_names_each_flow_and_counts_its_items(
        office: tuple[Service, Any, Path]) -> None:
    _, app, _ = office
    with admin(app) as client:
        response = client.get("/flows")
        assert response.status_code == 200
        check_page(response.text)
        page = text_of(response.text)
        assert "Quy trình khen thưởng" in page
        assert "Chiến sĩ thi đua cơ sở" in page and "Huân chương Lao động hạng Ba" in page
        row = re.search(rf'<tr data-flow="{CSTDCS}">(.*?)</tr>', response.text, re.S)
        assert row is not None
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
        assert [text_of(c).strip() for c in cells[2:]] == ["11", "1", "2"]
        assert f'href="/flows/{CSTDCS}"' in response.text
        english = text_of(client.get("/flows?lang=en").text)
        assert "Award procedures" in english and "Grassroots emulation fighter" in english


def test_a_flow_page_draws_its_diagram_and_counts_items_per_state(
        office: tuple[Service, Any, Path]) -> None:
    _, app, _ = office
    with admin(app) as client:
        response = client.get(f"/flows/{CSTDCS}")
        assert response.status_code == 200
        html = response.text
        check_page(html)
        svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S)
        assert svg is not None
        drawing = svg.group(0)
        # every state is a box labelled for people, every declared move an arrow
        assert drawing.count('class="state"') == 11
        assert "Đã trình, chờ kiểm tra hồ sơ" in drawing and "Trình hồ sơ" in drawing
        assert 'data-source="draft" data-dest="submitted"' in drawing
        assert '<text x="' in drawing and 'class="count">1<' in drawing
        # nothing fetched from elsewhere, nothing run
        assert "<script" not in html and not re.search(r'(src|href)="https?://', html)
        states = re.search(r'data-testid="states">(.*?)</table>', html, re.S)
        assert states is not None
        assert re.search(r'data-state="submitted">.*?5 ngày làm việc.*?<td[^>]*>1</td>',
                         states.group(1), re.S)
        assert re.search(r'data-state="draft">.*?<td[^>]*>1</td>', states.group(1), re.S)
        assert "Hội đồng biểu quyết" in states.group(1)
        assert "Kết thúc: được khen thưởng" in states.group(1)
        assert ">vote<" not in states.group(1) and ">voting<" not in states.group(1)
        english = client.get(f"/flows/{CSTDCS}?lang=en").text
        assert "Submitted, dossier check" in english and "Council vote" in english
        assert client.get("/flows/no-such-flow").status_code == 404


def test_versions_and_the_diff_between_two(office: tuple[Service, Any, Path]) -> None:
    service, _, tmp_path = office
    home = tmp_path / "home"
    shutil.copytree(ROOT / "definitions", home / "definitions")
    shutil.copytree(ROOT / "templates", home / "templates")
    path = home / "definitions" / "flows" / f"{CSTDCS}.yaml"
    step = "\n    escalate:\n      - {after: 80%,  notify: secretariat@unit}"
    path.write_text(path.read_text("utf-8").replace(
        "    sla: {working_days: 5}" + step, "    sla: {working_days: 7}" + step, 1), "utf-8")
    edited = service_for(service.deps.store.url, home)
    try:
        app = create_app(edited, secret_key="secret-for-tests")
        with admin(app) as client:
            html = client.get(f"/flows/{CSTDCS}").text
            versions = re.search(r'data-testid="versions">(.*?)</table>', html, re.S)
            assert versions is not None
            assert versions.group(1).count("<tr>") == 3  # head and two versions
            assert "đang áp dụng" in versions.group(1) and "chưa có hồ sơ nào" in versions.group(1)
            old = service.setup.flow_versions(CSTDCS)[0]["version"]
            response = client.get(f"/flows/{CSTDCS}?from={old[:8]}&to=current")
            assert response.status_code == 200
            diff = re.search(r'data-testid="diff">(.*?)</section>', response.text, re.S)
            assert diff is not None
            said = text_of(diff.group(1))
            assert ("Bước “Đã trình, chờ kiểm tra hồ sơ”, thời hạn xử lý: 5 ngày làm việc → 7 "
                    "ngày làm việc") in said
            assert "working days" not in said
            assert "award flows migrate chien-si-thi-dua-co-so" in said
            same = client.get(f"/flows/{CSTDCS}?from=current&to=current")
            assert "Hai phiên bản giống nhau." in same.text
            bad = client.get(f"/flows/{CSTDCS}?from=zzzz")
            assert bad.status_code == 404
            assert "Quy trình không có phiên bản “zzzz”." in bad.text
    finally:
        edited.deps.store.close()


BROKEN = """flow: thu-nghiem
title: {vi: "Thử nghiệm"}
award: CSTDCS
nominee: individual
calendar: vn
states:
  draft: {initial: true}
  done: {final: true, outcome: awarded}
  refused: {final: true, outcome: rejected}
transitions:
  - {trigger: finish, from: draft, to: donne, by: officer@unit}
  - {trigger: refuse, from: draft, to: refused, by: officer@unit}
"""


def test_the_validate_form_shows_each_problem_where_it_is(
        office: tuple[Service, Any, Path]) -> None:
    _, app, _ = office
    with admin(app) as client:
        form = client.get("/flows/validate")
        assert form.status_code == 200
        check_page(form.text)
        token = csrf_of(form.text)
        assert client.post("/flows/validate", data={"text": BROKEN}).status_code == 403
        response = client.post("/flows/validate", data={"text": BROKEN, "csrf_token": token})
        assert response.status_code == 422
        check_page(response.text)
        problems = text_of(re.search(r'data-testid="problems"(.*?)</section>', response.text,
                                     re.S).group(1))  # type: ignore[union-attr]
        assert "flow.yaml:11:40: to: unknown state 'donne' (did you mean 'done'?)" in problems
        assert "11 | - {trigger: finish, from: draft, to: donne" in problems
        assert "to: donne, by: officer@unit}" in response.text.split("<textarea")[1]  # kept
        fixed = BROKEN.replace("donne", "done")
        upload = client.post("/flows/validate", data={"csrf_token": token},
                             files={"file": ("thu-nghiem.yaml", fixed.encode(), "text/yaml")})
        assert upload.status_code == 200
        assert "Hợp lệ: “Thử nghiệm”, 3 bước, phiên bản" in text_of(upload.text)
        upload = client.post("/flows/validate", data={"csrf_token": token},
                             files={"file": ("x.yaml", BROKEN.encode(), "text/yaml")})
        assert "x.yaml:11:40:" in upload.text
        empty = client.post("/flows/validate", data={"text": " ", "csrf_token": token})
        assert empty.status_code == 422
        assert "Hãy dán nội dung tệp quy trình hoặc chọn một tệp." in empty.text
        binary = client.post("/flows/validate", data={"csrf_token": token},
                             files={"file": ("x.yaml", b"\xff\xfe\x00", "text/yaml")})
        assert binary.status_code == 422 and "không phải văn bản UTF-8" in binary.text
        script = client.post("/flows/validate", data={
            "csrf_token": token, "text": "flow: <script>alert(1)</script>\n"})
        assert "<script>alert" not in script.text
