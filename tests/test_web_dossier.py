"""The web and the API on a nomination's dossier and on objections: drafts edited, documents
replaced and withdrawn until submission; the objector's name and contact shown to the
examining secretariat only; receipts with a code the filer looks the objection up by."""

from __future__ import annotations

import re

import test_web_api
from test_web_api import Scene, basic, csrf_of, post, sign_in

from workflow.service import PUBLIC, Actor

scene = test_web_api.scene  # the scene of the web tests, with its cheap password hashes
cheap_hashes = test_web_api.cheap_hashes

OBJECTOR, CONTACT = "Nguyễn Văn Dân", "0912 345 678"


def test_a_draft_is_edited_on_the_web_and_a_refusal_keeps_what_was_typed(scene: Scene) -> None:
    draft = scene.service.items.nominate(Actor("lan"), "cong-khai-thu", "BN-SGD", "Bản Nháp",
                                         None, {"year": 2026})["id"]
    with scene.client() as client:
        token = sign_in(client, "lan")
        page = client.get(f"/items/{draft}")
        assert f'href="/items/{draft}/edit"' in page.text
        form = client.get(f"/items/{draft}/edit")
        assert form.status_code == 200
        assert 'name="field.year"' in form.text and 'value="2026"' in form.text
        assert 'name="field.rating"' in form.text and 'name="field.note"' in form.text
        refused = post(client, f"/items/{draft}/edit", token, **{
            "field.year": "1800", "field.rating": "HTXS", "field.note": "Ghi chú mới"})
        assert refused.status_code == 422
        assert 'role="alert"' in refused.text and "Ghi chú mới" in refused.text
        saved = post(client, f"/items/{draft}/edit", token, **{
            "field.year": "2026", "field.rating": "HTXS", "field.note": "Ghi chú mới",
            "expect_version": re.search(r'name="expect_version" value="(\d+)"',
                                        form.text).group(1)})  # type: ignore[union-attr]
        assert saved.status_code == 303
        assert "Đã lưu thông tin hồ sơ." in client.get(saved.headers["location"]).text
        # a stale form (the item changed since it was opened) is refused, not applied
        stale = post(client, f"/items/{draft}/edit", token, **{
            "field.year": "2025", "field.rating": "HT", "expect_version": "0"})
        assert stale.status_code == 409
    fields = scene.service.items.show(draft)["fields"]
    assert fields == {"year": 2026, "rating": "HTXS", "note": "Ghi chú mới"}


def test_edit_and_withdraw_are_offered_only_while_the_dossier_is_open(scene: Scene) -> None:
    submitted = scene.ids["G"]  # waiting for the dossier check
    with scene.client() as client:
        token = sign_in(client, "lan")
        page = client.get(f"/items/{submitted}").text
        assert f'/items/{submitted}/edit"' not in page
        assert "/withdraw" not in page and 'id="attach"' not in page
        assert client.get(f"/items/{submitted}/edit").status_code == 409
        refused = post(client, f"/items/{submitted}/documents/bao_cao/withdraw", token)
        assert refused.status_code == 409
        assert "Hồ sơ đã được khóa từ khi trình" in refused.text
    assert [d["type"] for d in scene.service.items.show(submitted)["documents"]] == [
        "to_trinh", "bao_cao"]


def test_a_document_is_withdrawn_from_a_draft_on_the_web(scene: Scene) -> None:
    lan = Actor("lan")
    draft = scene.service.items.nominate(lan, "cong-khai-thu", "BN-SGD", "Bản Nháp", None,
                                         {"year": 2026})["id"]
    with scene.client() as client:
        token = sign_in(client, "lan")
        uploaded = client.post(f"/items/{draft}/documents", data={
            "doctype": "to_trinh", "csrf_token": token},
            files={"file": ("to-trinh.pdf", b"ban 1")}, follow_redirects=False)
        assert uploaded.status_code == 303
        empty = client.post(f"/items/{draft}/documents", data={
            "doctype": "to_trinh", "csrf_token": token},
            files={"file": ("rong.pdf", b"")}, follow_redirects=False)
        assert empty.status_code == 422 and "Tệp “rong.pdf” rỗng." in empty.text
        page = client.get(f"/items/{draft}").text
        assert 'data-testid="withdraw-to_trinh"' in page
        withdrawn = post(client, f"/items/{draft}/documents/to_trinh/withdraw", token)
        assert withdrawn.status_code == 303
        after = client.get(f"/items/{draft}").text
        assert "Đã rút Tờ trình khỏi hồ sơ" in after
        assert "Rút tài liệu khỏi hồ sơ" in after  # the history's label for it
    assert scene.service.items.show(draft)["documents"] == []


def test_the_api_edits_a_draft_and_withdraws_a_document(scene: Scene) -> None:
    lan = Actor("lan")
    draft = scene.service.items.nominate(lan, "cong-khai-thu", "BN-SGD", "Bản Nháp", None,
                                         {"year": 2026})["id"]
    with scene.client() as client:
        shown = client.get(f"/api/items/{draft}", auth=basic("lan")).json()
        assert shown["may_edit"] is True
        changed = client.patch(f"/api/items/{draft}", auth=basic("lan"), json={
            "fields": {"rating": "HT", "note": "Qua API"}, "expect_version": shown["version"]})
        assert changed.status_code == 200, changed.text
        cleared = client.patch(f"/api/items/{draft}", auth=basic("lan"),
                               json={"fields": {"note": None}})
        assert cleared.status_code == 200
        bad = client.patch(f"/api/items/{draft}", auth=basic("lan"),
                           json={"fields": {"khong_co": 1}})
        assert bad.status_code == 422
        other = client.patch(f"/api/items/{draft}", auth=basic("thu"),
                             json={"fields": {"note": "x"}})
        assert other.status_code == 403  # the secretariat does not write the unit's dossier
        client.post(f"/api/items/{draft}/documents", auth=basic("lan"),
                    data={"doctype": "to_trinh"}, files={"file": ("a.pdf", b"abc")})
        replaced = client.post(f"/api/items/{draft}/documents", auth=basic("lan"),
                               data={"doctype": "to_trinh"}, files={"file": ("b.pdf", b"abd")})
        assert len(replaced.json()["replaced"]) == 1
        gone = client.delete(f"/api/items/{draft}/documents/to_trinh", auth=basic("lan"))
        assert gone.status_code == 200 and gone.json()["type"] == "to_trinh"
        frozen = client.patch(f"/api/items/{scene.ids['D1']}", auth=basic("lan"),
                              json={"fields": {"note": "x"}})
        assert frozen.status_code == 409
    item = scene.service.items.show(draft)
    assert item["fields"] == {"year": 2026, "rating": "HT"} and item["documents"] == []


def test_the_examining_secretariat_sees_who_objected_and_nobody_else(scene: Scene) -> None:
    d1 = scene.ids["D1"]
    filed = scene.service.items.file_objection(PUBLIC, d1, "Chưa đủ tiêu chuẩn", OBJECTOR,
                                               CONTACT)
    code = filed["receipt"]
    with scene.client() as client:
        sign_in(client, "thu")  # the department's secretariat examines it
        page = client.get(f"/items/{d1}").text
        assert OBJECTOR in page and CONTACT in page
        assert f"{code[:4]}-{code[4:8]}-{code[8:]}" in page
        queue = client.get("/queue").text
        assert OBJECTOR in queue and CONTACT in queue
        api = client.get(f"/api/items/{d1}", auth=basic("thu")).json()["objections"][0]
        assert (api["name"], api["contact"], api["receipt"]) == (OBJECTOR, CONTACT, code)
        waiting = client.get("/api/objections", auth=basic("thu")).json()[0]
        assert waiting["contact"] == CONTACT
    for login in ("lan", "kiemtoan"):  # the proposing officer, an auditor
        with scene.client() as client:
            sign_in(client, login)
            page = client.get(f"/items/{d1}").text
            assert "Chưa đủ tiêu chuẩn" in page
            assert OBJECTOR not in page and CONTACT not in page and code not in page
            api = client.get(f"/api/items/{d1}", auth=basic(login)).json()["objections"][0]
            assert (api["name"], api["contact"], api["receipt"]) == (None, None, None)
    with scene.client() as client:  # and the public, nowhere
        for path in ("/", f"/nominees/{d1}"):
            assert OBJECTOR not in client.get(path).text
    log = str(scene.service.audit.log(d1))
    assert OBJECTOR not in log and CONTACT not in log and code not in log


def test_a_citizen_looks_up_an_objection_by_its_receipt_code(scene: Scene) -> None:
    d2 = scene.ids["D2"]
    with scene.client() as client:
        board = client.get("/")
        assert 'href="/receipts"' in board.text  # said where to look it up
        token = csrf_of(client.get(f"/nominees/{d2}/object").text)
        post(client, f"/nominees/{d2}/object", token, text="Thành tích chưa đúng",
             name=OBJECTOR, contact=CONTACT)
        receipt = client.get("/receipt").text
        code = re.search(r'data-testid="receipt-number">([A-Z2-9-]{14})<',
                         receipt).group(1)  # type: ignore[union-attr]
        assert "In trang này" in receipt
        form = client.get("/receipts")
        assert form.status_code == 200 and 'name="code"' in form.text
        # typed as people type it: lower case, spaces instead of dashes
        found = post(client, "/receipts", token, code=code.lower().replace("-", " "))
        assert found.status_code == 200
        assert "Đang xem xét, xác minh" in found.text and "Thành tích chưa đúng" in found.text
        assert OBJECTOR not in found.text and CONTACT not in found.text
        missing = post(client, "/receipts", token, code="ABCD-EFGH-2345")
        assert missing.status_code == 404
        assert "Không có góp ý nào với mã tiếp nhận này" in missing.text
        assert "ABCD-EFGH-2345" in missing.text  # what was typed stays in the box
        assert post(client, "/receipts", token, code="x" * 500).status_code == 422
    [objection] = scene.service.items.show(d2)["objections"]
    scene.service.items.resolve(Actor("thu"), objection["id"], "dismissed",
                                "Đã xác minh: thành tích đúng như kê khai")
    with scene.client() as client:
        token = csrf_of(client.get("/receipts").text)
        concluded = post(client, "/receipts", token, code=code).text
        assert "Đã kết luận: không chấp nhận" in concluded
        assert "Đã xác minh: thành tích đúng như kê khai" in concluded


def test_the_nominee_is_picked_from_the_units_people(scene: Scene) -> None:
    flow = "chien-si-thi-dua-co-so"
    with scene.client() as client:
        token = sign_in(client, "lan")
        form = client.get(f"/nominate/{flow}").text
        assert 'name="person"' in form and 'type="radio"' in form
        assert 'name="person" maxlength' not in form  # no login typed by hand
        found = post(client, f"/nominate/{flow}/people", token, unit="BN-SGD",
                     q="nguyen van an", **{"field.year": "2026"})
        assert found.status_code == 200
        assert 'value="an"' in found.text and "Nguyễn Văn An" in found.text
        assert 'value="bich"' not in found.text
        assert 'value="2026"' in found.text  # what was typed stays
        nobody = post(client, f"/nominate/{flow}/people", token, unit="BN-SGD", q="zzz")
        assert 'data-testid="nobody"' in nobody.text
        # one achievement, one award: An's 2026 nomination is open (the scene's item A)
        twice = post(client, f"/nominate/{flow}", token, unit="BN-SGD", person="an",
                     nominee="", **{"field.year": "2026", "field.rating": "HTXS"})
        assert twice.status_code == 409
        assert (f"Một thành tích chỉ khen thưởng một lần: người được đề nghị đã có hồ sơ số "
                f"{scene.ids['A']} đề nghị “Chiến sĩ thi đua cơ sở” năm 2026") in twice.text
        created = post(client, f"/nominate/{flow}", token, unit="BN-SGD", person="an",
                       nominee="", **{"field.year": "2027", "field.rating": "HTXS"})
        assert created.status_code == 303
        item = created.headers["location"].rsplit("/", 1)[1]
    shown = scene.service.items.show(item)
    assert (shown["nominee"], shown["person"]) == ("Nguyễn Văn An", "an")


def test_a_refused_nomination_names_nobody(scene: Scene) -> None:
    flow = "chien-si-thi-dua-co-so"
    with scene.client() as client:
        token = sign_in(client, "mai")  # the school's officer
        # a person of the department above, typed in by hand: refused without their name
        elsewhere = post(client, f"/nominate/{flow}", token, unit="BN-THPT-LTT", person="an",
                         **{"field.year": "2026"})
        assert elsewhere.status_code == 409
        assert "không công tác tại đơn vị đề nghị" in elsewhere.text
        mismatch = post(client, f"/nominate/{flow}", token, unit="BN-THPT-LTT", person="yen",
                        nominee="Tên Khác", **{"field.year": "2026"})
        assert mismatch.status_code == 422
        assert "Nguyễn Văn An" not in elsewhere.text
        alert = re.search(r'role="alert"[^>]*>([^<]*)<', mismatch.text)
        assert alert and "không khớp" in alert.group(1)
        assert "Đặng Thị Yến" not in alert.group(1)  # the directory's name is not said
        # the school's own people only: the department's are not listed to the school
        listed = post(client, f"/nominate/{flow}/people", token, unit="BN-THPT-LTT", q="")
        assert "Nguyễn Văn An" not in listed.text and 'value="yen"' in listed.text
        api = client.get(f"/api/nomination-options/{flow}/people?unit=BN-SGD",
                         auth=basic("mai"))
        assert api.status_code == 403 and "Nguyễn Văn An" not in api.text
        ok = client.get(f"/api/nomination-options/{flow}/people?unit=BN-SGD&q=an",
                        auth=basic("lan")).json()
        assert "an" in [p["login"] for p in ok["people"]]
