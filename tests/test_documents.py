"""Official documents: the Decree 30/2020 layout every notice, decision and set of minutes
shares, dates in words, the office's configuration, each document's PDF (A4, fonts embedded,
its sha256 kept and audited, the audit head printed on it), and opening documents: the
dossier a council votes on, what was issued, on the web, the API and the command line.

These tests make real PDFs (``AWARD_PDF=on``; the rest of the suite leaves them off).
"""

from __future__ import annotations

import base64
import hashlib
import re
import sys
import zlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import ROOT, Cli, make_service
from tests.test_web_api import PASSWORD, build_scene, cheap_hashes, sign_in, write_flow
from workflow import pdf as pdf_module
from workflow.clock import FixedClock
from workflow.definitions import load_definitions
from workflow.documents import Renderer, date_in_words
from workflow.errors import DefinitionError
from workflow.office import Office, load_office, parse_office
from workflow.service import Actor, Service
from workflow.web.app import create_app

__all__ = ["cheap_hashes"]  # a fixture the scene needs, imported for pytest to find

WORDS = re.compile(r"ngày (\d{2}) tháng (\d{1,2}) năm (\d{4})")


def sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def pdf_text(data: bytes) -> bytes:
    """A PDF's bytes with every compressed stream inflated (WeasyPrint packs the objects that
    name fonts and pages into compressed object streams)."""
    parts = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        end = data.find(b"endstream", match.end())
        try:
            parts.append(zlib.decompress(data[match.end():end]))
        except zlib.error:
            continue
    return b"\n".join(parts)


# ---- dates in words and the office ----------------------------------------------------------


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_a_date_in_words_reads_back_as_the_same_date(day: date) -> None:
    text = date_in_words(day)
    match = WORDS.fullmatch(text)
    assert match is not None, text
    dd, mm, yyyy = match.groups()
    assert date(int(yyyy), int(mm), int(dd)) == day
    # Decree 30, Annex I: a zero before days under 10 and before months 1 and 2 only
    assert mm == (f"{day.month:02d}" if day.month < 3 else str(day.month))


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
       st.integers(0, 23), st.integers(0, 59), st.sampled_from(["+07:00", "+00:00", "-05:00"]))
def test_templates_write_a_stored_time_in_words(day: date, hour: int, minute: int,
                                                 offset: str) -> None:
    renderer = Renderer(ROOT / "templates")
    iso = f"{day.isoformat()}T{hour:02d}:{minute:02d}:00{offset}"
    template = renderer.env.from_string("{{ t | time_words }} {{ t | date_words }}")
    assert template.render(t=iso) == f"{hour:02d} giờ {minute:02d} {date_in_words(day)}"


def test_thirtieth_of_november_as_the_decree_writes_it() -> None:
    assert date_in_words(date(2026, 11, 30)) == "ngày 30 tháng 11 năm 2026"
    assert date_in_words(date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"


def test_the_sample_office_loads_and_a_missing_one_means_no_contact(tmp_path: Path) -> None:
    office = load_office(ROOT / "definitions")
    assert office.board_url.startswith("https://") and office.name and office.phone
    assert load_office(tmp_path) == Office()  # no file: no contact printed, board by path
    assert load_definitions(ROOT / "definitions").office == office


@pytest.mark.parametrize(("text", "where", "says"), [
    ("name: Văn phòng\nboard_url: https://x.example.vn\nfax: '1'\n", ":3:1:",
     "unknown key 'fax' in the office"),
    ("name: Văn phòng\nboard_url: tdkt.example.vn\n", ":2:12:", "board_url 'tdkt.example.vn' "
     "is not well formed; an http:// or https:// address"),
    ("name: Văn phòng\nboard_url: https://x.example.vn\nemail: not-an-address\n", ":3:8:",
     "email 'not-an-address' is not well formed"),
    ("board_url: https://x.example.vn\n", ":1:1:", "the office is missing required key 'name'"),
    ("name: Văn phòng\nboard_url: https://x.example.vn\nphone: [1, 2]\n", ":3:8:",
     "phone must be a non-empty string"),
])
def test_a_bad_office_file_is_reported_where_it_is_wrong(tmp_path: Path, text: str, where: str,
                                                         says: str) -> None:
    home = tmp_path / "definitions"
    home.mkdir()
    for name in ("catalogue.yaml",):
        (home / name).write_text((ROOT / "definitions" / name).read_text("utf-8"), "utf-8")
    (home / "office.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        parse_office(text, str(home / "office.yaml"))
    line = str(caught.value).splitlines()[0]
    assert f"office.yaml{where}" in line and says in line, line
    with pytest.raises(DefinitionError):  # the whole installation refuses to load
        load_definitions(home)


def test_every_official_document_extends_the_one_layout() -> None:
    folder = ROOT / "templates"
    official = ("notice.html.j2", "decision.html.j2", "minutes.html.j2",
                "session_minutes.html.j2")
    for name in official:
        text = (folder / name).read_text(encoding="utf-8")
        assert '{% extends "official/layout.html.j2" %}' in text, name
        assert "<style" not in text, name  # the look is the layout's alone
    layout = (folder / "official" / "layout.html.j2").read_text(encoding="utf-8")
    for part in ("Cộng hòa xã hội chủ nghĩa Việt Nam", "Độc lập – Tự do – Hạnh phúc",
                 "Nơi nhận:", "size: A4", "{% block signature %}", "audit.hash"):
        assert part in layout, part
    assert "official/layout.html.j2" not in Renderer(folder).names()  # not one to name


# ---- documents issued and opened: a scene with PDFs ---------------------------------------


class Docs:
    def __init__(self, service: Service, ids: dict[str, str], app: Any, flows: Path,
                 db_url: str) -> None:
        self.service, self.ids, self.app, self.flows, self.db_url = (service, ids, app,
                                                                     flows, db_url)

    def client(self) -> TestClient:
        return TestClient(self.app)

    def cli(self, **env: str) -> Cli:
        return Cli(self.db_url, now="2026-03-17T10:00:00+07:00",
                   env={"AWARD_FLOWS": str(self.flows), "AWARD_PDF": "on", **env})

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        from sqlalchemy import text

        with self.service.deps.store.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]


@pytest.fixture
def docs(db_url: str, tmp_path: Path, cheap_hashes: None, monkeypatch: pytest.MonkeyPatch
         ) -> Iterator[Docs]:
    """The web tests' scene with PDFs on; then item A's round is completed (its minutes)
    and A is awarded (its decision)."""
    monkeypatch.setenv("AWARD_PDF", "on")
    flows = write_flow(tmp_path / "flows")
    service = make_service(db_url, flow_dirs=[flows])
    clock = service.deps.clock
    assert isinstance(clock, FixedClock)
    ids = build_scene(service, clock, tmp_path)
    for member in ("thu", "hoa"):  # the last two ballots close the round: minutes
        service.items.vote(Actor(member), ids["A"], "yes")
    service.items.fire(Actor("minh"), ids["A"], "award")  # the decision
    try:
        yield Docs(service, ids, create_app(service, secret_key="secret-for-tests"), flows,
                   db_url)
    finally:
        service.deps.store.close()


def basic(login: str) -> dict[str, str]:
    token = base64.b64encode(f"{login}:{PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_each_document_issued_keeps_an_a4_pdf_with_fonts_embedded_and_the_audit_head(
        docs: Docs) -> None:
    service, a = docs.service, docs.ids["A"]
    issued = service.documents.of_item(None, a)
    assert [d["template"] for d in issued] == ["minutes.html.j2", "decision.html.j2"]
    made = [e for e in service.audit.log() if e["action"] == "pdf_issued"]
    notices = service.public.board()
    # each notice, then A's minutes, the extract of A's decision and the numbered decision
    assert len(made) == len(notices) + 3
    [decided] = [e["payload"] for e in service.audit.log() if e["action"] == "decided"]
    numbered = service.documents.pdf(None, "decision", decided["decision_id"])
    assert numbered["pdf"].startswith(b"%PDF-") and numbered["sha256"] == decided["sha256"]
    assert b"841.88" in pdf_text(numbered["pdf"])
    served = docs.client().get(f"/decisions/{decided['decision_id']}/pdf")
    assert served.status_code == 200 and served.content == numbered["pdf"]
    assert served.headers["content-type"] == "application/pdf"
    for doc in issued:
        found = service.documents.pdf(None, "document", doc["id"], nomination_id=a)
        data = found["pdf"]
        assert data.startswith(b"%PDF-") and sha(data) == doc["pdf_sha256"]
        assert {e["payload"]["pdf_sha256"] for e in made if e["payload"]["id"] == doc["id"]
                and e["payload"]["kind"] == "document"} == {doc["pdf_sha256"]}
        inside = pdf_text(data)
        assert b"/MediaBox [0 0 595.27" in inside and b"841.88" in inside  # A4 in points
        assert inside.count(b"/FontFile2") >= 2  # the fonts travel with the document
        # the audit head the HTML prints is the one the PDF was made from
        assert f"--anchor {doc['audit']['seq']}:{doc['audit']['hash']}" in doc["html"]
    decision = next(d for d in issued if d["template"] == "decision.html.j2")["html"]
    for part in ("QUYẾT ĐỊNH", "Độc lập – Tự do – Hạnh phúc", "Nơi nhận:", "Số: ",
                 "ngày 16 tháng 3 năm 2026", '<p class="name">Lê Văn Minh</p>'):
        assert part in decision, part
    minutes = next(d for d in issued if d["template"] == "minutes.html.j2")["html"]
    assert "Sở Giáo dục và Đào tạo" in minutes and "BN-SGD" not in minutes  # by its name
    assert "Chủ tịch Hội đồng" in minutes and "Thư ký" in minutes  # the signature block
    # made again from the same HTML, the PDF is the same bytes: nothing changes
    again = service.documents.reprint("document", issued[0]["id"])
    assert again["made"][0]["changed"] is False
    assert again["made"][0]["pdf_sha256"] == issued[0]["pdf_sha256"]
    assert service.audit.verify().ok


def test_audit_verify_finds_an_issued_pdf_or_html_changed_afterwards(docs: Docs) -> None:
    service = docs.service
    [doc, *_] = service.documents.of_item(None, docs.ids["A"])
    assert service.audit.verify().ok
    with service.deps.store.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(text("UPDATE rendered_document SET pdf = :p WHERE id = :i"),
                     {"p": b"%PDF-1.7 forged", "i": int(doc["id"])})
    report = service.audit.verify()
    assert not report.ok
    assert report.problem == f"document {doc['id']}: its PDF differs from the sha256 recorded " \
                             "for it"
    with service.deps.store.engine.begin() as conn:
        conn.execute(text("UPDATE rendered_document SET pdf = NULL, pdf_sha256 = NULL"))
        conn.execute(text("UPDATE decision SET pdf = :p"), {"p": b"%PDF-1.7 forged"})
    assert "decision 1: its PDF differs" in (service.audit.verify().problem or "")
    with service.deps.store.engine.begin() as conn:
        conn.execute(text("UPDATE notice SET html = :h WHERE id = 1"), {"h": "<p>forged</p>"})
    assert "notice 1: its HTML differs" in (service.audit.verify().problem or "")


def test_council_members_open_the_dossier_and_the_item_page_links_what_was_issued(
        docs: Docs) -> None:
    a, service = docs.ids["A"], docs.service
    dossier = service.items.show(a)["documents"]
    with docs.client() as client:
        sign_in(client, "hoa")  # a council member, nothing else
        ballot = client.get(f"/items/{a}/ballot").text
        for d in dossier:
            assert f'href="/items/{a}/dossier/{d["id"]}"' in ballot
        got = client.get(f"/items/{a}/dossier/{dossier[0]['id']}")
        assert got.status_code == 200
        assert got.content == "Tờ trình và báo cáo thành tích\n".encode()
        assert got.headers["x-document-sha256"] == dossier[0]["sha256"]
        assert got.headers["content-disposition"].startswith("attachment;")
        assert got.headers["x-content-type-options"] == "nosniff"
        # the item page links the decision and the minutes, HTML and PDF, not file names
        page = client.get(f"/items/{a}").text
        assert "decision.html.j2" not in page and "minutes.html.j2" not in page
        for doc in service.documents.of_item(None, a):
            assert f'href="/items/{a}/issued/{doc["id"]}"' in page
            assert f'href="/items/{a}/issued/{doc["id"]}/pdf"' in page
            html = client.get(f"/items/{a}/issued/{doc['id']}")
            assert html.status_code == 200 and sha(html.text) == doc["sha256"]
            assert "sandbox" in html.headers["content-security-policy"]
            pdf = client.get(f"/items/{a}/issued/{doc['id']}/pdf")
            assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
            assert sha(pdf.content) == doc["pdf_sha256"] == pdf.headers["x-document-sha256"]
        # another item's document under this item's address answers as none
        other = service.documents.of_item(None, a)[0]["id"]
        assert client.get(f"/items/{docs.ids['G']}/issued/{other}").status_code == 404
    with docs.client() as client:
        sign_in(client, "mai")  # the school's officer: the department's items are not hers
        for path in (f"/items/{a}/dossier/{dossier[0]['id']}",
                     f"/items/{a}/issued/{other}", f"/items/{a}/issued/{other}/pdf"):
            refused = client.get(path)
            assert refused.status_code == 403, path
            assert "Tờ trình" not in refused.text
    with docs.client() as client:  # nobody signed in: sent to sign in, nothing shown
        anonymous = client.get(f"/items/{a}/dossier/{dossier[0]['id']}",
                               follow_redirects=False)
        assert anonymous.status_code in (303, 401) and b"Tr" not in anonymous.content


def test_a_public_notice_has_its_pdf_for_anyone(docs: Docs) -> None:
    with docs.client() as client:
        page = client.get("/notices/1").text
        assert 'href="/notices/1/pdf"' in page
        got = client.get("/notices/1/pdf")
        assert got.status_code == 200 and got.content.startswith(b"%PDF-")
        assert got.headers["content-disposition"].startswith("inline;")
        html = client.get("/notices/1/document").text
        # a citizen is told where to object on the web and whom to ask, not a command
        assert "https://tdkt.bacninh.example.vn/notices/1" in html and "award object" not in html
        assert client.get("/notices/999/pdf").status_code == 404


def test_the_api_lists_issued_documents_and_serves_the_dossier(docs: Docs) -> None:
    a = docs.ids["A"]
    with docs.client() as client:
        listed = client.get(f"/api/items/{a}/issued", headers=basic("hoa"))
        assert listed.status_code == 200
        rows = listed.json()
        assert [r["template"] for r in rows] == ["minutes.html.j2", "decision.html.j2"]
        for row in rows:
            assert row["pdf_url"] == f"/api/items/{a}/issued/{row['id']}/pdf"
            assert "html" not in row
            got = client.get(row["pdf_url"], headers=basic("hoa"))
            assert sha(got.content) == row["pdf_sha256"]
            assert sha(client.get(row["html_url"], headers=basic("hoa")).text) == row["sha256"]
        file = client.get(f"/api/items/{a}/dossier/to_trinh", headers=basic("hoa"))
        assert file.status_code == 200 and file.content.startswith("Tờ trình".encode())
        missing = client.get(f"/api/items/{a}/dossier/giay_khen", headers=basic("hoa"))
        assert missing.status_code == 404
        assert client.get(f"/api/items/{a}/issued", headers=basic("mai")).status_code == 403
        schema = client.get("/api/openapi.json").json()
        assert "/api/items/{nomination_id}/issued" in schema["paths"]


def test_award_document_saves_a_dossier_file_and_award_pdf_makes_a_pdf_again(
        docs: Docs, tmp_path: Path) -> None:
    a, cli = docs.ids["A"], docs.cli()
    out = tmp_path / "to-trinh.pdf"
    wrote = cli.ok("document", a, "to_trinh", "--out", str(out), user="hoa")
    assert out.read_bytes() == "Tờ trình và báo cáo thành tích\n".encode()
    assert wrote["sha256"] == sha(out.read_bytes()) and wrote["type"] == "to_trinh"
    refused = cli.fails(3, "document", a, "to_trinh", "--out", str(tmp_path / "x"), user="mai")
    assert "may not see nomination" in refused["message"] and not (tmp_path / "x").exists()
    unknown = cli.fails(5, "document", a, "to_trinhh", "--out", str(tmp_path / "y"))
    assert "did you mean 'to_trinh'" in unknown["message"]
    plain = cli("document", a, "to_trinh", "--out", str(out), user="hoa", json_out=False)
    assert plain.exit_code == 0 and plain.stdout.startswith(f"wrote {out}: ")

    target = tmp_path / "notice-1.pdf"
    made = cli.ok("pdf", "notice", "1", "--out", str(target))
    assert made["made"][0]["changed"] is False  # same HTML, same PDF
    assert sha(target.read_bytes()) == made["made"][0]["pdf_sha256"]
    assert cli.ok("pdf", "minutes", "--missing") == {"made": [], "unavailable": None,
                                                      "count": 0}
    off = docs.cli(AWARD_PDF="off").fails(1, "pdf", "notice", "1")
    assert off["message"] == "no PDF made: PDF output is off (AWARD_PDF=off): documents are " \
                           "HTML only"
    assert "Traceback" not in str(off)
    assert cli.fails(5, "pdf", "notices", "1")["message"].startswith(
        "no kind of document 'notices' (did you mean 'notice'?)")
    assert cli.fails(5, "pdf", "document", "999")["message"] == "no issued document 999"


def test_without_weasyprint_documents_are_html_only_and_nothing_fails(
        db_url: str, tmp_path: Path, cheap_hashes: None, monkeypatch: pytest.MonkeyPatch
        ) -> None:
    monkeypatch.setenv("AWARD_PDF", "on")
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if it were not installed
    missing = pdf_module._weasyprint.__wrapped__()  # type: ignore[attr-defined]
    assert missing[0] is None and missing[1].startswith("WeasyPrint is not installed")
    monkeypatch.setattr(pdf_module, "_weasyprint", lambda: missing)
    flows = write_flow(tmp_path / "flows")
    service = make_service(db_url, flow_dirs=[flows])
    try:
        clock = service.deps.clock
        assert isinstance(clock, FixedClock)
        build_scene(service, clock, tmp_path, passwords=False)
        notice = service.public.board()[0]
        assert notice["pdf_sha256"] is None and notice["sha256"]
        with pytest.raises(Exception) as caught:
            service.documents.pdf(None, "notice", notice["id"])
        assert "WeasyPrint is not installed" in str(caught.value)
        assert not [e for e in service.audit.log() if e["action"] == "pdf_issued"]
        assert service.audit.verify().ok
    finally:
        service.deps.store.close()


def test_a_council_sessions_minutes_have_their_pdf_for_those_who_see_the_council(
        docs: Docs, tmp_path: Path) -> None:
    service, f = docs.service, docs.ids["F"]
    service.items.fire(Actor("thu"), f, "accept")  # F goes to the department council's vote
    opened = service.sessions.open(Actor("thu"), "BN-SGD", [f], "Phiên họp tháng 3")
    session = opened["id"]
    for member in ("thu", "minh", "hoa", "nam", "binh"):
        service.sessions.ballot(Actor(member), session, {f: "yes"})
    service.sessions.close(Actor("thu"), session)
    minutes = service.documents.issued(None, "minutes", session)
    assert minutes["pdf_sha256"] is not None
    for part in ("BIÊN BẢN", "Số: 01/BB-HĐTĐKT", "Bắc Ninh, ngày 16 tháng 3 năm 2026",
                 "Nơi nhận:", "Chủ tịch Hội đồng", "Sở Giáo dục và Đào tạo"):
        assert part in minutes["html"], part
    with docs.client() as client:
        sign_in(client, "hoa")
        page = client.get(f"/sessions/{session}").text
        assert f'href="/sessions/{session}/minutes/pdf"' in page
        got = client.get(f"/sessions/{session}/minutes/pdf")
        assert got.status_code == 200 and sha(got.content) == minutes["pdf_sha256"]
    with docs.client() as client:
        sign_in(client, "mai")
        assert client.get(f"/sessions/{session}/minutes/pdf").status_code == 403
    out = tmp_path / "bien-ban.pdf"
    made = docs.cli().ok("pdf", "minutes", session, "--out", str(out))
    assert made["made"][0]["changed"] is False and sha(out.read_bytes()) == minutes["pdf_sha256"]


def test_weasyprint_without_its_system_libraries_says_so_in_one_line(
        monkeypatch: pytest.MonkeyPatch) -> None:
    class NoPango:
        """Imports of weasyprint fail as they do on a machine without Pango."""

        def find_spec(self, name: str, *_args: Any) -> None:
            if name == "weasyprint":
                raise OSError("cannot load library 'libgobject-2.0-0': error 0x7e.\n"
                              "Additionally, ctypes.util.find_library() did not manage to "
                              "locate a library called 'libgobject-2.0-0'")

    monkeypatch.delitem(sys.modules, "weasyprint", raising=False)
    monkeypatch.setattr(sys, "meta_path", [NoPango(), *sys.meta_path])
    module, why = pdf_module._weasyprint.__wrapped__()  # type: ignore[attr-defined]
    assert module is None and why is not None and "\n" not in why
    assert why.startswith("WeasyPrint cannot load its system libraries (cannot load library "
                          "'libgobject-2.0-0': error 0x7e.)")
    assert "libpango-1.0-0" in why
    monkeypatch.setattr(pdf_module, "_weasyprint", lambda: (None, why))
    printer = pdf_module.Printer(enabled=True)
    assert printer.unavailable() == why and printer.pdf("<p>x</p>") is None
    assert pdf_module.Printer.from_env({"AWARD_PDF": "off"}).unavailable() == \
        "PDF output is off (AWARD_PDF=off): documents are HTML only"


def test_pdfs_laid_out_by_worker_processes_are_the_engines_own(docs: Docs) -> None:
    """``Documents.reprint_many`` lays the pages out in ``python -m workflow.pdf`` workers:
    the same bytes as this process makes, kept only for the HTML as issued, in order."""
    from workflow.service.printing import reprint

    service = docs.service
    issued = service.documents.of_item(None, docs.ids["A"])
    assert len(issued) >= 2 and all(d["pdf_sha256"] for d in issued)
    with pdf_module.Presses(workers=2) as presses:
        assert presses.unavailable() is None
        made = service.documents.reprint_many([("document", d["id"]) for d in issued],
                                              presses)
        # the workers' PDFs are byte for byte this process's: nothing new is kept
        assert [m["pdf_sha256"] for m in made] == [d["pdf_sha256"] for d in issued]
        assert not any(m["changed"] for m in made)
        [html] = [d["html"] for d in issued[:1]]
        assert presses.pdfs([html, "<p>một trang khác</p>"])[0] == service.documents.pdf(
            None, "document", issued[0]["id"])["pdf"]
    # a PDF laid out from other HTML is never kept for the document: it is made again here
    deps = service.deps
    again = deps.run(lambda tx: reprint(deps, tx, "document", int(issued[0]["id"]),
                                        (sha("<p>khác</p>"), b"%PDF-1.7 forged")))
    assert again["pdf_sha256"] == issued[0]["pdf_sha256"] and not again["changed"]
    assert service.audit.verify().ok

