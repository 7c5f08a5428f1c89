"""The reports dashboard without a browser (FastAPI's TestClient), on the scene of
``tests/test_web_api.py``: the secretariat of a department reads its unit's figures (the
same as ``award report``'s), downloads them; an auditor reads any unit below them; an officer
and a stranger to the unit are refused.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterator
from pathlib import Path

import argon2
import openpyxl
import pytest
from conftest import make_service
from test_web_api import Scene, build_scene, check_page, sign_in, write_flow

from workflow.clock import FixedClock
from workflow.web import create_app


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


def test_the_secretariat_reads_its_units_dashboard_and_downloads_it(scene: Scene) -> None:
    expected = scene.service.reports.build("cycle", unit="BN-SGD", year=2026)
    flows = expected.table("flows").rows[-1]
    assert flows["nominated"] > 0
    with scene.client() as thu:
        sign_in(thu, "thu")
        page = thu.get("/reports")
        assert page.status_code == 200
        html = page.text
        check_page(html)
        assert '<a href="/reports" aria-current="page">Báo cáo</a>' in html
        assert '<option value="BN-SGD" selected>' in html and 'value="BN"' not in html
        tiles = html[html.index('data-testid="tiles"'):html.index("</ul>", html.index(
            'data-testid="tiles"'))]
        for key in ("nominated", "awarded", "open", "on_hold", "overdue"):
            assert f'<span class="n">{flows[key]}</span>' in tiles, key
        assert html.count("<svg") >= 2 and "<script" not in html
        shares = scene.service.reports.build("priority", unit="BN-SGD", year=2026)
        assert shares.table("shares").chart is not None
        assert 'data-testid="shares"' in html
        assert 'data-testid="eligible-none"' in html or 'data-testid="people"' in html

        book = thu.get("/reports/statistics.xlsx?unit=BN-SGD&year=2026")
        assert book.status_code == 200
        assert 'filename="statistics-BN-SGD-2026.xlsx"' in book.headers["content-disposition"]
        sheets = openpyxl.load_workbook(io.BytesIO(book.content)).sheetnames
        assert sheets[0] == "Tóm tắt" and len(sheets) == 6
        report = thu.get("/reports/cycle.html?unit=BN-SGD&year=2026")
        assert report.status_code == 200 and "<svg" in report.text
        assert "sandbox" in report.headers["content-security-policy"]
        rows = list(csv.reader(io.StringIO(thu.get(
            "/reports/cycle.csv?unit=BN-SGD&year=2026&table=flows").content.decode("utf-8-sig"))))
        assert rows[0][0] == "Quy trình" and rows[-1][:2] == ["Tổng cộng",
                                                               str(flows["nominated"])]
        assert thu.get("/reports/cycle.csv?unit=BN-SGD&table=nope").status_code == 404
        assert thu.get("/reports/cycle.pdf?unit=BN-SGD").status_code == 422
        english = thu.get("/reports?lang=en").text
        assert "Reports and statistics" in english and "On-time share" in english


def test_who_may_read_the_dashboard(scene: Scene) -> None:
    with scene.client() as thu:
        sign_in(thu, "thu")
        refused = thu.get("/reports?unit=BN")  # the province is above the department
        assert refused.status_code == 403
        assert "Chỉ cơ quan thường trực" in refused.text
        assert thu.get("/reports?year=20x6").status_code == 422
    with scene.client() as auditor:
        sign_in(auditor, "kiemtoan")
        page = auditor.get("/reports?unit=BN-THPT-LTT&year=2026")
        assert page.status_code == 200 and '<option value="BN-THPT-LTT" selected>' in page.text
        assert auditor.get("/reports/priority.xlsx?unit=BN").status_code == 200
    with scene.client() as officer:
        sign_in(officer, "lan")
        assert 'href="/reports"' not in officer.get("/me").text
        assert officer.get("/reports").status_code == 403
        assert officer.get("/reports/cycle.xlsx?unit=BN-SGD").status_code == 403
    with scene.client() as nobody:
        answer = nobody.get("/reports", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
