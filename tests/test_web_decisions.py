"""Numbered decisions signed from the browser (``/decisions/new``, ``POST /decisions``, a
decision's page, the decisions of one's units), on SQLite and PostgreSQL: the same use case as
``award decision issue``, all or nothing, in Vietnamese first."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import DIRECTORY, make_service
from fastapi.testclient import TestClient
from test_web_api import PASSWORD, csrf_of, post, sign_in

from workflow.service import Actor, Service
from workflow.web import create_app
from workflow.web.routes import decisions as decision_routes

NOW = "2026-03-02T09:00:00+07:00"  # a Monday
SCHOOL = "BN-THPT-LTT"  # its head son decides ad-hoc awards; mai is its officer
NUMBER = "1/QĐ-BN-THPT-LTT"  # the school's first decision of 2026, as the command line numbers it
cheap_hashes = __import__("test_web_api").cheap_hashes


@dataclass
class Office:
    service: Service
    app: object
    dossier: Path

    def client(self) -> TestClient:
        return TestClient(self.app)  # type: ignore[arg-type]

    def adhoc(self, nominee: str, *, ready: bool = True) -> str:
        """An ad-hoc award at the school: waiting on its head's decision when ``ready``, else
        a draft."""
        mai, son = Actor("mai"), Actor("son")
        item = str(self.service.items.nominate(
            mai, "khen-thuong-dot-xuat", SCHOOL, nominee, None,
            {"deed": "Cứu người đuối nước", "deed_date": "2026-02-27"})["id"])
        if not ready:
            return item
        for doctype in ("to_trinh", "bao_cao", "xac_nhan"):
            self.service.items.attach(mai, item, doctype, self.dossier)
        self.service.items.fire(mai, item, "submit")
        for trigger in ("accept", "propose_award"):
            self.service.items.fire(son, item, trigger)
        return item

    def state(self, item: str) -> str:
        return str(self.service.items.show(item)["state"])


@pytest.fixture
def office(db_url: str, dossier: Path, cheap_hashes: None) -> Iterator[Office]:
    service = make_service(db_url, now=NOW)
    service.setup.init()
    service.setup.load_directory(DIRECTORY)
    for login in ("son", "mai", "minh"):
        service.accounts.set_password(login, PASSWORD)
    try:
        yield Office(service, create_app(service, secret_key="secret-for-tests"), dossier)
    finally:
        service.deps.store.close()


def waiting_ids(html: str) -> list[str]:
    return re.findall(r'<input type="checkbox" name="item" value="(\d+)"', html)


def ticked_ids(html: str) -> list[str]:
    return re.findall(r'<input type="checkbox" name="item" value="(\d+)"[^>]* checked>', html)


def test_a_decider_issues_two_waiting_items_as_one_decision(office: Office) -> None:
    first, second, third = (office.adhoc(n) for n in ("Đặng Thị Yến", "Hoàng Văn Bảo",
                                                      "Trịnh Thu Cúc"))
    draft = office.adhoc("Phan Văn Nháp", ready=False)
    with office.client() as son:
        token = sign_in(son, "son")
        form = son.get("/decisions/new")
        assert form.status_code == 200
        assert '<html lang="vi">' in form.text and "Ký quyết định khen thưởng" in form.text
        assert waiting_ids(form.text) == [first, second, third]  # not the draft
        assert draft not in waiting_ids(form.text)
        assert "Hoàng Văn Bảo" in form.text and "Chờ quyết định" in form.text
        assert "Trường THPT Lý Thái Tổ" in form.text and "2026" in form.text
        done = son.post("/decisions", data={"csrf_token": token, "item": [third, first]},
                        follow_redirects=False)
        assert done.status_code == 303, done.text
        target = done.headers["location"]
        assert re.fullmatch(r"/decisions/\d+", target)
        shown = son.get(target)
        assert shown.status_code == 200
        assert NUMBER in shown.text and "Đã ban hành quyết định số" in shown.text
        assert "Trịnh Thu Cúc" in shown.text and "Đặng Thị Yến" in shown.text
        assert "Hoàng Văn Bảo" not in shown.text
        assert f'href="{target}/document"' in shown.text and f'href="{target}/pdf"' in shown.text
        assert "Nguyễn Văn Sơn" in son.get(f"{target}/document").text
        # what was decided is no longer waiting; the third still is
        assert waiting_ids(son.get("/decisions/new").text) == [second]
        assert "<dd>Nguyễn Văn Sơn</dd>" in shown.text  # who signed, by name
        listed = son.get("/decisions")
        assert listed.status_code == 200 and NUMBER in listed.text
        assert ">Nguyễn Văn Sơn</td>" in listed.text
        assert f'href="{target}"' in listed.text
    decision_id = target.rsplit("/", 1)[1]
    assert office.state(first) == office.state(third) == "awarded"
    assert office.state(second) == "pending_decision"
    decided = office.service.register.decision(None, decision_id)
    assert decided["number"] == NUMBER and decided["count"] == 2
    assert decided["issued_by"] == "son" and decided["date"] == "2026-03-02"
    assert decided["signer"] == "Nguyễn Văn Sơn"
    assert [d["number"] for d in office.service.register.decisions(unit=SCHOOL)] == [NUMBER]
    assert sorted(a["nominee"] for a in decided["awardees"]) == ["Trịnh Thu Cúc",
                                                                  "Đặng Thị Yến"]
    assert all(a["status"] == "granted" and a["decision"] == NUMBER
               for a in decided["awardees"])


@pytest.mark.parametrize("why", ["draft", "awarded"])
def test_a_refused_batch_issues_nothing_and_names_the_item(office: Office, why: str) -> None:
    ready = office.adhoc("Đặng Thị Yến")
    if why == "draft":
        bad = office.adhoc("Hoàng Văn Bảo", ready=False)
    else:
        bad = office.adhoc("Hoàng Văn Bảo")
        office.service.register.issue(Actor("son"), [bad])
    before = office.service.register.decisions()
    head = office.service.audit.head()
    with office.client() as son:
        token = sign_in(son, "son")
        refused = son.post("/decisions", data={"csrf_token": token, "item": [ready, bad]},
                           follow_redirects=False)
        assert refused.status_code == 409, refused.text
        assert '<html lang="vi">' in refused.text
        assert f"Hồ sơ số {bad} chưa thể quyết định khen thưởng" in refused.text
        assert "Chưa quyết định hồ sơ nào." in refused.text
        assert "nomination" not in refused.text.lower().split("<main", 1)[1]
        assert ticked_ids(refused.text) == [ready]  # the box is still ticked
        assert ready in waiting_ids(refused.text)
    assert office.service.register.decisions() == before
    assert office.state(ready) == "pending_decision"
    assert office.service.items.show(ready)["grant"] is None
    assert office.service.audit.head() == head  # nothing written


def test_nothing_ticked_is_refused_in_vietnamese(office: Office) -> None:
    office.adhoc("Đặng Thị Yến")
    with office.client() as son:
        token = sign_in(son, "son")
        refused = post(son, "/decisions", token)
        assert refused.status_code == 422
        assert "Quyết định cần ít nhất một hồ sơ." in refused.text
        assert post(son, "/decisions", token, item="abc").status_code == 404
    assert office.service.register.decisions() == []


def test_only_a_decider_signs_and_sees_the_links(office: Office) -> None:
    item = office.adhoc("Đặng Thị Yến")
    with office.client() as mai:
        token = sign_in(mai, "mai")
        assert mai.get("/decisions/new").status_code == 403
        refused = post(mai, "/decisions", token, item=item)
        assert refused.status_code == 403
        assert "Chỉ người có thẩm quyền quyết định khen thưởng" in refused.text
        for path in ("/queue", "/me", "/items"):
            html = mai.get(path).text
            assert 'href="/decisions/new"' not in html and 'href="/decisions"' not in html
        assert mai.get("/decisions").status_code == 200  # the decisions of her unit
    assert office.state(item) == "pending_decision"
    with office.client() as son:
        sign_in(son, "son")
        queue = son.get("/queue").text
        assert 'href="/decisions/new"' in queue and 'href="/decisions"' in queue
        assert 'href="/decisions"' in son.get("/me").text
    with office.client() as minh:  # decides at the department: nothing of the school waits
        sign_in(minh, "minh")
        assert waiting_ids(minh.get("/decisions/new").text) == []
        assert post(minh, "/decisions", csrf_of(minh.get("/me").text),
                    item=item).status_code == 403
    assert office.state(item) == "pending_decision"
    with office.client() as public:
        assert public.get("/decisions/new", follow_redirects=False).status_code == 303


def test_issuing_needs_the_csrf_token(office: Office) -> None:
    item = office.adhoc("Đặng Thị Yến")
    with office.client() as son:
        sign_in(son, "son")
        assert post(son, "/decisions", None, item=item).status_code == 403
        assert post(son, "/decisions", "not-the-token", item=item).status_code == 403
    assert office.state(item) == "pending_decision"
    assert office.service.register.decisions() == []


def test_the_decisions_page_is_newest_first_and_pages_on(office: Office,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.setattr(decision_routes, "LIST_PAGE", 2)
    son = Actor("son")
    numbers = [office.service.register.issue(son, [office.adhoc(name)])["number"]
               for name in ("Đặng Thị Yến", "Hoàng Văn Bảo", "Trịnh Thu Cúc")]
    assert numbers == [f"{n}/QĐ-BN-THPT-LTT" for n in (1, 2, 3)]
    with office.client() as client:
        sign_in(client, "son")
        first = client.get("/decisions").text
        shown = re.findall(r">(\d/QĐ-BN-THPT-LTT)</a>", first)
        assert shown == [numbers[2], numbers[1]]
        after = re.search(r'href="(/decisions\?before=\d+)"', first)
        assert after is not None
        rest = client.get(after.group(1)).text
        assert re.findall(r">(\d/QĐ-BN-THPT-LTT)</a>", rest) == [numbers[0]]
        assert 'data-testid="next"' not in rest
        assert client.get("/decisions?before=abc").status_code == 422
        assert client.get(f"/decisions/{2**40}").status_code == 404
        assert client.get("/decisions/abc").status_code == 404
