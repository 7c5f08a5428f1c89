"""Every page and every error the web shows, read in Vietnamese: no command-line flag, no
internal code (state keys, trigger names, document types, field names, enum values, award
codes, unit ids, snake_case or dotted message keys) and no English sentence.

The walk signs in as each kind of person of the scene of ``test_web_api`` (officer, school
officer, secretariat, council member, agency, auditor, the public), opens every page they
have, and sends every refused form the interface can meet (empty texts, missing comments,
guards, double votes, closed windows, stale versions, foreign items, bad field values …). A
response is checked on what a reader sees: text, titles, labels and the names of controls —
not attribute values a browser hides (form values, ids). Official documents (the published
notice, the minutes) are bilingual by law and checked elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Any

import pytest
import test_web_api
import yaml
from conftest import DIRECTORY
from fastapi.testclient import TestClient
from test_web_api import Scene, csrf_of, post, sign_in

from workflow.web import create_app
from workflow.web.messages import CATALOGUE, placeholders

pytestmark = pytest.mark.slow

scene = test_web_api.scene  # the scene of the web tests, with its cheap password hashes
cheap_hashes = test_web_api.cheap_hashes

FLAG = re.compile(r"(?<![\w-])--[a-z][\w-]*")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
DOTTED = re.compile(r"\b[a-z]+(?:\.[a-z_0-9]+)+\b")
FILES = ("pdf", "doc", "docx", "xls", "xlsx", "csv", "jsonl", "html", "txt", "png", "jpg")
ENGLISH = re.compile(
    r"\b(the|is|are|not|of|and|or|needs|cannot|allowed|must|has|have|with|for|from|this|"
    r"that|which|was|were|been|please|your|you|yet|already|nothing|should|would|will|"
    r"does|than|into|at|by|nominee|nomination|ballot|objection|window|closed|open|"
    r"failed|passed|refused|guard|missing)\b", re.IGNORECASE)
# words the interface shows on purpose: the language switch, file formats, hashes' names
ALLOWED = ("English", "JSON Lines (.jsonl)", "CSV (.csv)", "SHA-256", "MiB")


class _Visible(HTMLParser):
    """Text a reader sees or hears: text nodes (outside script/style), and the labels
    assistive technology reads (aria-label, title, alt, placeholder)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "alt", "placeholder") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def visible(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.parts)


def codes(scene: Scene) -> set[str]:
    """Every internal code a page could leak: the flows' states, triggers, document types,
    fields and enum values, the catalogue's award codes, the directory's unit ids."""
    out: set[str] = set()
    for flow in scene.service.definitions.flows.values():
        out |= set(flow.states) | {t.trigger for t in flow.transitions}
        out |= set(flow.documents) | set(flow.fields)
        out |= {v for f in flow.fields.values() for v in f.values}
    out |= set(scene.service.definitions.catalogue.codes())
    units = yaml.safe_load(DIRECTORY.read_text(encoding="utf-8"))["units"]
    out |= {u["id"] for u in units}
    # words that are codes but also ordinary Vietnamese (none today) would go here
    return {c for c in out if len(c) > 1}


def problems(text: str, known: set[str]) -> list[str]:
    """What a Vietnamese reader should not see in ``text``."""
    for word in ALLOWED:
        text = text.replace(word, " ")
    found = [f"flag {m}" for m in FLAG.findall(text)]
    found += [f"engine code {m}" for m in re.findall(r"\S*@\w+", text)]
    found += [f"code {m}" for m in SNAKE.findall(text)]
    found += [f"key {m}" for m in DOTTED.findall(text) if m.rsplit(".", 1)[1] not in FILES]
    found += [f"English {m!r}" for m in ENGLISH.findall(text)]
    tokens = set(re.findall(r"[\w-]+", text))
    found += [f"code {c}" for c in sorted(known & tokens)]
    return found


class Walk:
    """Requests made in Vietnamese; each response's visible text is checked."""

    def __init__(self, scene: Scene, known: set[str]) -> None:
        self.scene = scene
        self.known = known
        self.seen: list[tuple[str, int]] = []
        self.bad: list[str] = []

    def check(self, what: str, response: Any, status: int | Iterable[int] = 200) -> str:
        wanted = {status} if isinstance(status, int) else set(status)
        assert response.status_code in wanted, (what, response.status_code,
                                                visible(response.text)[:500])
        text = visible(response.text)
        self.seen.append((what, response.status_code))
        self.bad += [f"{what}: {p}" for p in problems(text, self.known)]
        return text

    def get(self, client: TestClient, path: str, status: int | Iterable[int] = 200) -> str:
        return self.check(f"GET {path}", client.get(path, follow_redirects=False), status)

    def post(self, client: TestClient, path: str, token: str | None,
             status: int | Iterable[int], **data: Any) -> str:
        return self.check(f"POST {path} {sorted(data)}", post(client, path, token, **data),
                          status)


def test_every_page_and_error_reads_in_vietnamese(scene: Scene) -> None:
    ids = scene.ids
    walk = Walk(scene, codes(scene))
    a, b, c, f, g, h, d1, d2 = (ids[k] for k in ("A", "B", "C", "F", "G", "H", "D1", "D2"))
    # ---- the public ---------------------------------------------------------------------
    with scene.client() as public:
        walk.get(public, "/")
        for notice in scene.service.public.board():
            walk.get(public, f"/notices/{notice['id']}")
        for item in (d1, c, h):
            walk.get(public, f"/nominees/{item}")
            walk.get(public, f"/nominees/{item}/object")
        walk.get(public, "/receipt")
        walk.get(public, "/login")
        for missing in ("/nominees/99999", "/notices/99999", "/nominees/abc", "/no-such-page",
                        f"/nominees/{a}"):
            walk.get(public, missing, 404)
        token = csrf_of(public.get("/login").text)
        walk.post(public, f"/nominees/{c}/object", token, 409, text="Quá hạn rồi")
        walk.post(public, f"/nominees/{d1}/object", token, 422, text="   ")
        walk.post(public, f"/nominees/{d1}/object", None, 403, text="Không có mã")
        walk.post(public, "/login", token, 401, login="lan", password="sai-mat-khau")
        text = walk.post(public, f"/nominees/{d2}/object", token, 303,
                         text="Ông Đức chưa hoàn thành nhiệm vụ được giao.")
        walk.get(public, "/receipt")
        walk.get(public, "/receipts")
        walk.post(public, "/receipts", token, 404, code="ABCD-EFGH-2345")
        walk.post(public, "/receipts", token, 422, code="x" * 100)
    limited = create_app(scene.service, secret_key="k", objection_limit=(1, 600.0))
    with TestClient(limited) as public:
        token = csrf_of(public.get("/login").text)
        post(public, f"/nominees/{d1}/object", token, text="Phản ánh thứ nhất")
        text = walk.post(public, f"/nominees/{d1}/object", token, 429, text="Phản ánh thứ hai")
        assert "{minutes}" not in text and "phút" in text
    # ---- an officer of the department -----------------------------------------------------
    with scene.client() as lan:
        token = sign_in(lan, "lan")
        for path in ("/me", "/queue", "/items", "/nominate", "/items?step=Dự+thảo",
                     "/items?year=2026&name=nguyen+van", "/items?unit=BN-SGD&year=abc"):
            walk.get(lan, path)
        for option in scene.service.staff.nomination_options(_actor("lan")):
            walk.get(lan, f"/nominate/{option['id']}")
        for item in ids.values():
            walk.get(lan, f"/items/{item}")
        walk.get(lan, f"/items/{a}/timeline", 403)
        walk.get(lan, "/audit", 403)
        walk.post(lan, f"/items/{b}/fire", token, 403, trigger="withdraw", comment="giả mạo")
        walk.post(lan, f"/items/{g}/fire", token, 409, trigger="award")
        walk.post(lan, f"/items/{g}/fire", token, 409, trigger="no_such_trigger")
        walk.post(lan, f"/items/{g}/fire", token, 409, trigger="withdraw", comment="x",
                  expect_version="1")
        walk.post(lan, f"/items/{g}/fire", token, 422, trigger="withdraw", comment="  ")
        walk.post(lan, f"/items/{g}/documents", token, 422, doctype="no_such_type")
        walk.post(lan, f"/items/{g}/documents/bao_cao/withdraw", token, 409)
        walk.get(lan, f"/items/{g}/edit", 409)
        walk.get(lan, f"/items/{b}/edit", 403)
        walk.post(lan, f"/items/{g}/edit", token, 409, **{"field.year": "2026"})
        walk.post(lan, f"/items/{g}/objections", token, 422, text="  ")
        walk.post(lan, f"/items/{a}/vote", token, 403, choice="yes")
        walk.post(lan, f"/items/{g}/vote", token, 409, choice="yes")
        walk.post(lan, f"/items/{h}/confirm", token, 409, key="tax", decision="yes")
        flow = "chien-si-thi-dua-co-so"
        for status, fields in (
                (422, {"nominee": " "}),
                (404, {"nominee": "Nguyễn Văn An", "person": "ai-do"}),
                (422, {"nominee": "Người Khác", "person": "an"}),
                (422, {"nominee": "Ngô Thị Sai", "field.year": "1990"}),
                (422, {"nominee": "Ngô Thị Sai", "field.year": "năm nay"}),
                (422, {"nominee": "Ngô Thị Sai", "field.rating": "XUAT_SAC"}),
                (403, {"nominee": "Ngô Thị Sai", "unit": "BN-TAMSON"})):
            walk.post(lan, f"/nominate/{flow}", token, status, **{"unit": "BN-SGD", **fields})
        walk.get(lan, "/nominate/no-such-flow", 404)
        # a new draft refused by its guards: the reason names the documents by their labels
        created = post(lan, f"/nominate/{flow}", token, unit="BN-SGD", nominee="Đỗ Văn Mới",
                       **{"field.year": "2026", "field.rating": "HTT"})
        new = created.headers["location"].rsplit("/", 1)[1]
        text = walk.post(lan, f"/items/{new}/fire", token, 409, trigger="submit",
                         expect_version="1")
        assert "Tờ trình (Mẫu 01)" in text and "Báo cáo thành tích (Mẫu 05)" in text
    # ---- the school's officer ---------------------------------------------------------------
    with scene.client() as mai:
        sign_in(mai, "mai")
        walk.get(mai, f"/items/{b}")
        walk.get(mai, f"/items/{b}/edit")
        walk.get(mai, f"/items/{a}", 403)
    # ---- the secretariat --------------------------------------------------------------------
    with scene.client() as thu:
        token = sign_in(thu, "thu")
        for path in ("/me", "/queue", "/items", f"/items/{a}/ballot", f"/items/{f}",
                     f"/items/{g}", f"/items/{d2}"):
            walk.get(thu, path)
        text = walk.post(thu, f"/items/{g}/fire", token, 422, trigger="return", comment="")
        assert "“Trả lại để bổ sung” cần ghi ý kiến." in text
        walk.post(thu, f"/items/{a}/vote", token, 403, choice="yes", written_for="ai-do")
        walk.post(thu, f"/items/{a}/vote", token, 422, choice="maybe", written_for="hoa")
        objection = scene.service.items.show(d2)["objections"][0]["id"]
        walk.post(thu, f"/objections/{objection}/resolve", token, 422, outcome="dismissed",
                  comment=" ", nomination=d2)
        walk.post(thu, f"/objections/{objection}/resolve", token, 422, outcome="maybe",
                  comment="Xác minh", nomination=d2)
        walk.post(thu, f"/objections/{objection}/resolve", token, 303, outcome="dismissed",
                  comment="Đã xác minh: không có cơ sở.", nomination=d2)
        walk.post(thu, f"/objections/{objection}/resolve", token, 409, outcome="dismissed",
                  comment="Lần hai", nomination=d2)
        walk.get(thu, f"/items/{d2}")
        walk.post(thu, f"/items/{a}/fire", token, 200, trigger="close_vote", back="ballot")
        walk.post(thu, f"/items/{a}/fire", token, 303, trigger="close_vote", back="ballot",
                  confirmed="yes")
        walk.get(thu, f"/items/{a}/ballot")  # the flash names the state by its label
        walk.get(thu, f"/items/{a}")
        walk.post(thu, f"/items/{a}/vote", token, 409, choice="yes", written_for="hoa")
    # ---- a council member -------------------------------------------------------------------
    with scene.client() as minh:
        token = sign_in(minh, "minh")
        walk.get(minh, "/ballots")
        walk.get(minh, f"/items/{a}/ballot")
        walk.post(minh, f"/items/{a}/recuse", token, 409, reason="")
    # ---- agencies and the province ----------------------------------------------------------
    digest = scene.service.deps.run(lambda tx: tx.directory.person("lan"))["password_hash"]
    scene.service.deps.run(lambda tx: tx.accounts.set_password_hash("thue", digest))
    with scene.client() as thue:
        token = sign_in(thue, "thue")
        walk.get(thue, f"/items/{h}")
        walk.post(thue, f"/items/{h}/confirm", token, 409, key="tax", decision="yes")
        walk.post(thue, f"/items/{h}/confirm", token, 409, key="tax", decision="")
    with scene.client() as hung:
        sign_in(hung, "hung")
        for path in ("/me", "/queue", "/ballots", f"/items/{h}"):
            walk.get(hung, path)
    # ---- lists and a council session ---------------------------------------------------------
    flow = "chien-si-thi-dua-co-so"
    with scene.client() as lan:
        token = sign_in(lan, "lan")
        # (the last: a certificate for Cường, who has no nomination for it that year — Bích
        # and An have one open for the grassroots title: one achievement, one award)
        for name, content, status, target in (
                ("ds.csv", "Họ và tên,Tài khoản,Năm,Xếp loại,Điểm\nAi Đó,khongco,20x6,HTXX,1\n"
                 ",,,,\nLê Văn Cường,cuong,2026,HTXS,\nNguyễn Văn An,an,2026,HTXS,\n"
                 "Nguyễn Văn Bê,an,2026,HTXS,\n", 422, flow),
                ("ds.csv", "Danh sách\n", 422, flow), ("ds.xls", "x", 422, flow),
                ("ds.txt", "x", 422, flow),
                ("ds.csv", "Họ và tên,Tài khoản,Năm,Xếp loại\nLý Thị Bích,bich,2026,HTXS\n",
                 422, flow),
                ("ds.csv", "Họ và tên,Tài khoản,Năm,Xếp loại\nLê Văn Cường,cuong,2026,HTXS\n",
                 303, "cong-khai-thu")):
            response = lan.post(f"/nominate/{target}/list", data={
                "csrf_token": token, "unit": "BN-SGD"},
                files={"file": (name, content.encode(), "text/csv")}, follow_redirects=False)
            walk.check(f"POST /nominate/{target}/list {name}", response, status)
        walk.get(lan, "/items")  # the flash of the list sent
    scene.service.items.fire(_actor("thu"), f, "accept")  # F reaches the council's vote
    with scene.client() as thu:
        token = sign_in(thu, "thu")
        walk.get(thu, "/sessions")
        walk.get(thu, "/sessions/new?unit=BN-SGD")
        walk.post(thu, "/sessions", token, 409, unit="BN-SGD", item=[b])
        walk.post(thu, "/sessions", token, 422, unit="BN-SGD")
        opened = post(thu, "/sessions", token, unit="BN-SGD", item=[f], title="Phiên họp")
        session = opened.headers["location"].rsplit("/", 1)[1]
        walk.get(thu, f"/sessions/{session}")
        walk.get(thu, f"/sessions/{session}/minutes", 409)
        walk.get(thu, "/sessions/99999", 404)
        walk.post(thu, f"/sessions/{session}/paper", token, 403, written_for="ai-do",
                  **{f"mark.{f}": "yes"})
        walk.post(thu, f"/items/{f}/vote", token, 409, choice="yes")
    with scene.client() as minh:
        token = sign_in(minh, "minh")
        walk.get(minh, "/ballots")
        walk.get(minh, f"/sessions/{session}/paper")
        walk.post(minh, f"/sessions/{session}/paper", token, 422)
        walk.post(minh, f"/sessions/{session}/paper", token, 303, **{f"mark.{f}": "yes"})
        walk.get(minh, f"/sessions/{session}/paper")
        walk.post(minh, f"/sessions/{session}/paper", token, 409, **{f"mark.{f}": "no"})
    with scene.client() as thu:
        token = sign_in(thu, "thu")
        walk.post(thu, f"/sessions/{session}/close", token, 303)
        walk.get(thu, f"/sessions/{session}")
        walk.post(thu, f"/sessions/{session}/close", token, 409)
        walk.post(thu, f"/sessions/{session}/paper", token, 409, **{f"mark.{f}": "yes"})
    # ---- the auditor ------------------------------------------------------------------------
    with scene.client() as auditor:
        token = sign_in(auditor, "kiemtoan")
        walk.get(auditor, "/audit")
        walk.post(auditor, "/audit/verify", token, 200)
        for item in ids.values():
            walk.get(auditor, f"/items/{item}/timeline")
        walk.get(auditor, "/audit/export?format=xml", 422)
    # ---- the department's head signs a numbered decision -----------------------------------
    scene.service.timers.escalate()  # C's notice ended on 2 March: it waits on the decision
    assert scene.service.items.show(c)["state"] == "cho_quyet_dinh"
    with scene.client() as minh:
        token = sign_in(minh, "minh")
        for path in ("/decisions/new", "/decisions", "/queue"):
            walk.get(minh, path)
        walk.post(minh, "/decisions", token, 409, item=[c, g])
        walk.post(minh, "/decisions", token, 422)
        walk.post(minh, "/decisions", None, 403, item=[c])
        issued = post(minh, "/decisions", token, item=[c])
        assert issued.status_code == 303, issued.text
        walk.get(minh, issued.headers["location"])
        walk.get(minh, "/decisions")
        walk.get(minh, "/decisions/99999", 404)
    with scene.client() as lan:
        sign_in(lan, "lan")
        walk.get(lan, "/decisions/new", 403)
        walk.get(lan, "/decisions")
    assert len(walk.seen) > 100
    assert not walk.bad, "\n".join(walk.bad)


def _actor(login: str) -> Any:
    from workflow.service import Actor
    return Actor(login)


def test_the_checker_catches_what_it_looks_for() -> None:
    """The walk is only as good as its checks: each kind of leak is caught."""
    known = {"draft", "to_trinh", "HTXS", "BN-SGD", "CSTDCS"}
    for leak in ("an objection needs a text (--text)", "trạng thái not_passed",
                 "Hồ sơ còn thiếu: to_trinh", "Xếp loại: HTXS", "Đơn vị BN-SGD",
                 "Khen thưởng CSTDCS", "Bước draft", "error.404", "the window is closed",
                 "failed: 6 yes of 9 members", "@then", "officer@BN-SGD"):
        assert problems(leak, known), leak
    for fine in ("Hồ sơ còn thiếu: Tờ trình (Mẫu 01)", "Sở Giáo dục và Đào tạo",
                 "Từ 16/03/2026 08:00 đến hết 23/03/2026 23:59", "English", "an toàn",
                 "Mã băm SHA-256 e3b0c44298fc1c149afbf4c8996fb924"):
        assert not problems(fine, known), fine


def test_every_catalogue_sentence_is_vietnamese_with_the_same_values_in_english() -> None:
    for msgid, (vi, en) in CATALOGUE.items():
        assert placeholders(vi) == placeholders(en), msgid
        bare = re.sub(r"\{\w+\}", " ", vi)
        assert not problems(bare, set()), (msgid, problems(bare, set()))
