"""The web's smaller promises, through FastAPI's TestClient on both stores: refused
objections cost no attempt, a refused form comes back filled in, lists filter and page, the
API documents itself (offline) with its security and typed answers, and says how to sign in.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import test_web_api
from conftest import Cli
from fastapi.testclient import TestClient
from test_web_api import Scene, basic, csrf_of, post, sign_in

from workflow.web import create_app

scene = test_web_api.scene  # the scene of the web tests, with its cheap password hashes
cheap_hashes = test_web_api.cheap_hashes


def test_refused_objections_do_not_count_toward_the_limit(scene: Scene) -> None:
    app = create_app(scene.service, secret_key="k", objection_limit=(1, 600.0))
    d1, d2, old = scene.ids["D1"], scene.ids["D2"], scene.ids["C"]
    with TestClient(app) as client:
        token = csrf_of(client.get("/login").text)
        # empty, blank and too late: each refused, none counted
        assert post(client, f"/nominees/{d1}/object", token, text="").status_code == 422
        assert post(client, f"/nominees/{d1}/object", token, text="   ").status_code == 422
        assert post(client, f"/nominees/{old}/object", token, text="Muộn").status_code == 409
        assert client.post(f"/api/items/{d1}/objections", json={"text": " "}).status_code == 422
        # the one real objection goes through; only then is the address spent
        assert post(client, f"/nominees/{d1}/object", token, text="Có thật").status_code == 303
        spent = post(client, f"/nominees/{d2}/object", token, text="Lần hai")
        assert spent.status_code == 429 and "{minutes}" not in spent.text
        assert "Vui lòng thử lại sau 10 phút" in spent.text
    assert len(scene.service.items.show(d1)["objections"]) == 1


def test_a_refused_action_shows_the_form_again_with_what_was_typed(scene: Scene) -> None:
    g = scene.ids["G"]
    with scene.client() as client:
        token = sign_in(client, "thu")
        # "return" needs a comment: whitespace is refused, and the page is the item's again
        refused = post(client, f"/items/{g}/fire", token, trigger="return", comment="   ")
        assert refused.status_code == 422
        assert "“Trả lại để bổ sung” cần ghi ý kiến." in refused.text
        assert re.search(r'<form class="card" method="post" action="/items/\d+/fire" '
                         r'id="fire-return">', refused.text)
        complaint = "Nội dung phản ánh dài, đã gõ xong"
        # a staff complaint refused for its item being decided keeps the text typed
        stale = post(client, f"/items/{g}/fire", token, trigger="accept", comment="ghi chú",
                     expect_version="1")
        assert stale.status_code == 409 and "vừa được người khác thay đổi" in stale.text
        assert 'value="ghi chú"' in stale.text
        blank = post(client, f"/items/{g}/objections", token, text=" " * 3)
        assert blank.status_code == 422 and "Cần nhập nội dung góp ý" in blank.text
        kept = post(client, f"/items/{g}/fire", token, trigger="return",
                    comment=complaint, expect_version="1")
        assert kept.status_code == 409 and f">{complaint}</textarea>" in kept.text
    assert scene.service.items.show(g)["state"] == "submitted"


def test_the_items_list_filters_by_step_unit_year_and_name_and_pages(scene: Scene) -> None:
    with scene.client() as client:
        sign_in(client, "lan")

        def ids(query: str) -> set[str]:
            html = client.get(f"/items?{query}").text
            return set(re.findall(r'<a href="/items/(\d+)">', html))

        everything = ids("")
        assert {scene.ids[k] for k in ("A", "B", "C", "F", "G", "H")} <= everything
        drafts = ids("step=Dự+thảo")  # a label, found in every procedure that has it
        assert drafts == {scene.ids["B"]}
        assert ids("step=Chờ+quyết+định") == set()
        assert ids("name=nguyen+van+an") == {scene.ids["A"]}  # no diacritics, no case
        assert ids("name=Lê") == {scene.ids["D1"], scene.ids["H"]}
        assert ids("unit=BN-THPT-LTT") == {scene.ids["B"]}  # a unit and those below it
        assert everything - ids("unit=BN-THPT-LTT") <= ids("unit=BN-SGD")
        assert ids("year=2026") == everything and ids("year=2025") == set()
        assert ids("year=abc") == set()
        assert ids("flow=cong-khai-thu&step=Công+khai+lấy+ý+kiến") == {
            scene.ids[k] for k in ("C", "D1", "D2", "D3")}  # C: its window ended, unswept
    # pages of one item: each page links the next with the filters kept
    app = scene.app
    import workflow.web.routes.items as items_routes
    saved = items_routes.LIST_PAGE
    items_routes.LIST_PAGE = 2
    try:
        with TestClient(app) as client:
            sign_in(client, "lan")
            seen: list[str] = []
            path = "/items?year=2026"
            while path:
                html = client.get(path).text
                seen += re.findall(r'<a href="/items/(\d+)">', html)
                found = re.search(r'<a href="(/items\?[^"]+)" data-testid="next">', html)
                path = found.group(1).replace("&amp;", "&") if found else ""
                assert not path or "year=2026" in path
        assert sorted(seen, key=int, reverse=True) == seen and len(seen) == len(set(seen))
        assert set(seen) == everything
    finally:
        items_routes.LIST_PAGE = saved


def test_api_lists_link_their_next_page(scene: Scene) -> None:
    with scene.client() as client:
        first = client.get("/api/items?limit=3", auth=basic("lan"))
        assert first.status_code == 200 and len(first.json()) == 3
        link = first.headers["link"]
        target = re.fullmatch(r'<(/api/items\?limit=3&before=(\d+))>; rel="next"', link)
        assert target and target.group(2) == first.json()[-1]["id"]
        second = client.get(target.group(1), auth=basic("lan")).json()
        assert not {i["id"] for i in second} & {i["id"] for i in first.json()}
        notices = client.get("/api/notices?limit=1")
        assert 'rel="next"' in notices.headers["link"]
        assert "link" not in client.get("/api/notices?limit=200").headers


def test_an_unauthenticated_api_call_is_challenged_with_basic(scene: Scene) -> None:
    with scene.client() as client:
        missing = client.get("/api/queue")
        wrong = client.get("/api/queue", auth=("lan", "sai-mat-khau"))
    for response in (missing, wrong):
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Basic realm=")


def test_the_openapi_document_declares_security_and_typed_answers(scene: Scene) -> None:
    with scene.client() as client:
        schema = client.get("/api/openapi.json").json()
        docs = client.get("/docs")
        bundle = client.get("/docs/assets/swagger-ui-bundle.js")
        starter = client.get("/static/docs.js")
        nothing = client.get("/docs/assets/../../secret.key")
    schemes = schema["components"]["securitySchemes"]
    assert schemes["basic"] == {"type": "http", "scheme": "basic",
                                "description": schemes["basic"]["description"]}
    assert schemes["session"]["in"] == "cookie" and schemes["csrf"]["in"] == "header"
    paths = schema["paths"]
    assert paths["/api/notices"]["get"]["security"] == []
    assert {"basic": []} in paths["/api/queue"]["get"]["security"]
    assert {"session": [], "csrf": []} in paths["/api/items/{nomination_id}/fire"]["post"][
        "security"]
    assert {} in paths["/api/items/{nomination_id}/objections"]["post"]["security"]
    # every operation answers a named model, none a bare object
    for path, operations in paths.items():
        for method, operation in operations.items():
            if path == "/api/audit/export" or "/dossier/" in path or "/issued/" in path:
                continue  # a file: the export, a dossier file, a document as issued
            body = operation["responses"][next(c for c in operation["responses"]
                                               if c.startswith("2"))]
            content = body["content"]["application/json"]["schema"]
            assert "$ref" in content or "$ref" in content.get("items", {}), (method, path)
    item = schema["components"]["schemas"]["ItemSummary"]["properties"]
    assert item["id"]["type"] == "string" and item["version"]["type"] == "integer"
    assert docs.status_code == 200 and "script-src 'self'" in docs.headers[
        "content-security-policy"]
    assert "unsafe-inline" not in docs.headers["content-security-policy"].split(
        "script-src")[1].split(";")[0]
    assert '<script src="/docs/assets/swagger-ui-bundle.js">' in docs.text
    assert "http" not in docs.text.replace('lang="en"', "")  # nothing from elsewhere
    assert bundle.status_code == 200 and len(bundle.content) > 100_000
    assert starter.status_code == 200 and "SwaggerUIBundle" in starter.text
    assert nothing.status_code == 404


def test_ids_in_api_answers_are_strings(scene: Scene) -> None:
    a, d1 = scene.ids["A"], scene.ids["D1"]
    with scene.client() as client:
        item = client.get(f"/api/items/{a}", auth=basic("thu")).json()
        voted = client.post(f"/api/items/{a}/vote", json={"choice": "yes"},
                            auth=basic("hoa")).json()
        nominee = client.get(f"/api/nominees/{d1}").json()
        filed = client.post(f"/api/items/{d1}/objections", json={"text": "Phản ánh"}).json()
        objections = client.get(f"/api/items/{d1}", auth=basic("thu")).json()["objections"]
    assert isinstance(item["ballot"]["round"], str) and isinstance(item["id"], str)
    assert isinstance(voted["round"], str)
    assert isinstance(nominee["notice"]["id"], str) and isinstance(filed["id"], str)
    assert all(isinstance(o["notice"], str) for o in objections)


def test_an_auditor_below_the_top_sees_no_export_links(scene: Scene, tmp_path: Path) -> None:
    extra = tmp_path / "auditor.yaml"
    extra.write_text('people:\n  - {login: kiemtoan-sgd, name: "Kiểm toán Sở", '
                     'roles: [auditor@BN-SGD]}\n', encoding="utf-8")
    scene.service.setup.load_directory(extra)
    digest = scene.service.deps.run(lambda tx: tx.directory.person("lan"))["password_hash"]
    scene.service.deps.run(lambda tx: tx.accounts.set_password_hash("kiemtoan-sgd", digest))
    with scene.client() as client:
        sign_in(client, "kiemtoan-sgd")
        page = client.get("/audit").text
        assert "/audit/export" not in page
        assert client.get("/audit/export?format=jsonl").status_code == 403
        assert client.get(f"/items/{scene.ids['A']}/timeline").status_code == 200
    with scene.client() as client:
        sign_in(client, "kiemtoan")  # at the top unit: the links are there and work
        assert 'href="/audit/export?format=jsonl"' in client.get("/audit").text


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["passwd", "lan",
                                                                  "--password-stdin"]])
def test_serve_and_passwd_leave_no_empty_database_behind(tmp_path: Path,
                                                         command: list[str]) -> None:
    missing = tmp_path / "nowhere.db"
    error = Cli(f"sqlite:///{missing}").fails(1, *command)
    assert error["type"] == "StoreUnavailable" and "award init" in error["message"]
    assert not missing.exists() and list(tmp_path.iterdir()) == []


def test_a_refused_written_ballot_keeps_the_member_typed(scene: Scene) -> None:
    a = scene.ids["A"]
    with scene.client() as client:
        token = sign_in(client, "thu")
        refused = post(client, f"/items/{a}/vote", token, choice="yes", written_for="ai-do")
    assert refused.status_code == 403
    assert "“ai-do” không có trong danh sách thành viên Hội đồng (Sở Giáo dục và Đào tạo)." \
        in refused.text
    assert 'id="written_for" name="written_for" required maxlength="64" autocapitalize="none" ' \
        'spellcheck="false" value="ai-do"' in refused.text
