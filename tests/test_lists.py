"""Lists (SPEC §10.1): the template, importing a unit's spreadsheet all or nothing, exporting
items, and ``award list --unit`` covering the unit's subtree.

Store tests run on SQLite and, with AWARD_TEST_PG, on PostgreSQL. Files are made the way
offices make them: from the template, by Excel (a CSV with a byte-order mark, semicolons and
the Vietnamese code page; a workbook whose formulas carry their computed values), or by hand
(a title above the header, Vietnamese-only headers, merged cells, dates typed as text,
trailing blank rows). Refusals are checked for every problem at once and for nothing written.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter
from sqlalchemy import create_engine, text

from tests.conftest import Cli
from workflow import intake, sheets
from workflow.definitions import load_definitions
from workflow.errors import InvalidInput

FLOW = "chien-si-thi-dua-co-so"
DEED_FLOW = "khen-thuong-dot-xuat"
ROOT = Path(__file__).resolve().parents[1]

#: people who say where they work: tam at a commune outside the department, khoa at a school
#: below it (definitions/directory.sample.yaml's nominees say nothing)
ADDON = """\
people:
  - {login: tam, name: "Đào Minh Tâm", unit: BN-TAMSON}
  - {login: khoa, name: "Vũ Minh Khoa", unit: BN-THPT-LTT}
awards:
  - {person: khoa, award: LDTT, year: 2026}
"""


@pytest.fixture
def lists(cli: Cli, tmp_path: Path) -> Cli:
    addon = tmp_path / "addon.yaml"
    addon.write_text(ADDON, encoding="utf-8")
    cli.ok("directory", "load", str(addon))
    return cli


def template(cli: Cli, tmp_path: Path, flow: str = FLOW) -> Path:
    out = tmp_path / f"mau-{flow}.xlsx"
    cli.ok("import-template", flow, "--out", str(out))
    return out


def fill(path: Path, rows: list[list[Any]], out: Path) -> Path:
    book = openpyxl.load_workbook(path)
    sheet = book[sheets.LIST_SHEET]
    for number, row in enumerate(rows, start=3):
        for col, value in enumerate(row, start=1):
            sheet.cell(number, col, value)
    book.save(out)
    return out


def counts(cli: Cli) -> tuple[int, int]:
    """Items and audit entries, read straight from the tables."""
    engine = create_engine(cli.db)
    try:
        with engine.connect() as conn:
            items = conn.execute(text("SELECT count(*) FROM nomination")).scalar_one()
            entries = conn.execute(text("SELECT count(*) FROM audit_entry")).scalar_one()
    finally:
        engine.dispose()
    return int(items), int(entries)


def imported(cli: Cli, path: Path, flow: str = FLOW, unit: str = "BN-SGD",
             user: str = "lan") -> dict[str, Any]:
    result: dict[str, Any] = cli.ok("import", str(path), "--flow", flow, "--unit", unit,
                                    user=user)
    return result


def refused(cli: Cli, path: Path, flow: str = FLOW, unit: str = "BN-SGD",
            user: str = "lan") -> list[str]:
    """Every problem of a refused import (JSON), after checking the human form prints the
    same lines and that nothing was written."""
    before = counts(cli)
    error = cli.fails(1, "import", str(path), "--flow", flow, "--unit", unit, user=user)
    assert error["type"] == "ListRejected"
    problems: list[str] = error["problems"]
    assert error["message"] == problems[0]
    human = cli("import", str(path), "--flow", flow, "--unit", unit, user=user,
                json_out=False)
    assert human.exit_code == 1 and human.stdout == ""
    assert human.stderr.splitlines() == [f"error: {p}" for p in problems]
    assert counts(cli) == before
    return problems


# ---- the template --------------------------------------------------------------------------


def test_the_template_names_the_flows_columns_with_labels_choices_and_instructions(
        cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "mau.xlsx"
    result = cli.ok("import-template", FLOW, "--out", str(out))
    assert result["columns"] == ["nominee", "person", "year", "rating", "initiative"]
    assert result["required"] == ["year", "rating"]
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [sheets.LIST_SHEET, "Hướng dẫn"]
    sheet = book[sheets.LIST_SHEET]
    assert [c.value for c in sheet[1]] == result["columns"]
    assert [c.value for c in sheet[2]] == [
        "Họ và tên (cá nhân) hoặc tên tập thể", "Tài khoản trong danh bạ (nếu có)", "Năm *",
        "Xếp loại *", "Sáng kiến được công nhận"]
    assert "Xếp loại" in sheet["D1"].comment.text and "Bắt buộc" in sheet["D1"].comment.text
    [choice] = sheet.data_validations.dataValidation
    assert choice.type == "list" and choice.formula1 == '"HTXS,HTT,HT,KHT"'
    assert str(choice.sqref).startswith("D3:D")
    assert sheet.freeze_panes == "A3"
    guide = [[c.value for c in row] for row in book["Hướng dẫn"].iter_rows()]
    assert ["rating", "Xếp loại", "một giá trị trong danh sách; HTXS, HTT, HT, KHT",
            "one value of the list; HTXS, HTT, HT, KHT", "Có / yes"] in guide
    assert any("award import" in str(row[0]) for row in guide)
    # the empty template imports as "no nominees", not as a broken file
    assert refused(cli, out) == [f"{out.name}:3:A: the list has no nominees"]
    # the same flow at the same (replayed) time gives the same bytes: a file's SHA-256 in the
    # audit names what was sent, not when it happened to be saved
    again = tmp_path / "mau-2.xlsx"
    cli.ok("import-template", FLOW, "--out", str(again))
    assert again.read_bytes() == out.read_bytes()
    later = tmp_path / "mau-3.xlsx"
    cli.ok("import-template", FLOW, "--out", str(later), now="2026-02-13T09:00:00+07:00")
    assert later.read_bytes() != out.read_bytes()


def test_template_refusals(cli: Cli, tmp_path: Path) -> None:
    assert "must end in .xlsx" in cli.fails(2, "import-template", FLOW, "--out",
                                             str(tmp_path / "mau.csv"))["message"]
    assert cli.fails(5, "import-template", "khong-co", "--out",
                     str(tmp_path / "x.xlsx"))["type"] == "NotFound"
    assert "does not exist" in cli.fails(1, "import-template", FLOW, "--out",
                                         str(tmp_path / "no" / "x.xlsx"))["message"]
    assert sorted(tmp_path.glob("*.xlsx")) == []


# ---- a good file ---------------------------------------------------------------------------


def test_a_good_list_creates_every_row_with_one_audit_entry_each(lists: Cli,
                                                                  tmp_path: Path) -> None:
    path = fill(template(lists, tmp_path), [
        ["Nguyễn Văn An", "an", 2026, "HTXS", None],
        [None, "bich", 2026, "HTT", "SK-2026-01: giáo án điện tử"],
        ["Vũ Minh Khoa", "khoa", 2026, "htxs", None],  # a school below the department
    ], tmp_path / "danh-sach-so-gd.xlsx")
    before = int(lists.ok("audit", "head")["seq"])
    result = imported(lists, path)
    assert result["created"] == ["1", "2", "3"]
    assert result["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    shown = [lists.ok("show", i) for i in result["created"]]
    assert [(s["nominee"], s["person"], s["unit"], s["state"]) for s in shown] == [
        ("Nguyễn Văn An", "an", "BN-SGD", "draft"), ("Lý Thị Bích", "bich", "BN-SGD", "draft"),
        ("Vũ Minh Khoa", "khoa", "BN-SGD", "draft")]
    assert shown[1]["fields"] == {"year": 2026, "rating": "HTT",
                                  "initiative": "SK-2026-01: giáo án điện tử"}
    assert shown[2]["fields"] == {"year": 2026, "rating": "HTXS"}
    log = lists.ok("audit", "log")[before:]
    assert [e["action"] for e in log] == ["created", "created", "created", "imported"]
    assert [e["nomination"] for e in log] == ["1", "2", "3", None]
    assert all(e["actor"] == "lan" for e in log)
    assert log[-1]["payload"] == {
        "file": path.name, "sha256": result["sha256"], "flow": FLOW,
        "flow_version": shown[0]["flow_version"], "unit": "BN-SGD", "rows": 3,
        "created": ["1", "2", "3"]}
    assert lists.ok("audit", "verify")["ok"] is True


def test_who_may_send_a_list_is_checked_before_its_content(lists: Cli, tmp_path: Path
                                                           ) -> None:
    path = tmp_path / "rac.csv"
    path.write_bytes(b"\x00\x01 not a list")
    before = counts(lists)
    error = lists.fails(3, "import", str(path), "--flow", FLOW, "--unit", "BN-SGD", user="mai")
    assert error["message"] == (f"mai may not nominate in {FLOW!r} at BN-SGD: needs officer "
                                "at BN-SGD")
    assert lists.fails(5, "import", str(path), "--flow", FLOW, "--unit", "NOWHERE",
                       user="lan")["message"] == "no unit 'NOWHERE' in the directory"
    assert lists.fails(5, "import", str(path), "--flow", "khong-co", "--unit", "BN-SGD",
                       user="lan")["type"] == "NotFound"
    missing = lists.fails(1, "import", str(tmp_path / "khong.xlsx"), "--flow", FLOW, "--unit",
                          "BN-SGD", user="lan")
    assert missing["message"].startswith("no file") and missing["type"] == "InvalidInput"
    for name, content, says in (
            ("cu.xls", b"\xd0\xcf\x11\xe0", "the old Excel format (.xls) is not read"),
            ("ds.txt", b"a,b", "not a spreadsheet; give an .xlsx or .csv file"),
            ("hong.xlsx", b"PK\x03\x04 broken", "not an Excel workbook"),
            ("hong.csv", b"\xff\x00\xfe\x81\x90", "neither UTF-8 nor")):
        bad = tmp_path / name
        bad.write_bytes(content)
        error = lists.fails(1, "import", str(bad), "--flow", FLOW, "--unit", "BN-SGD",
                            user="lan")
        assert says in error["message"], (name, error)
    assert counts(lists) == before


# ---- every problem at once -----------------------------------------------------------------


def test_a_list_with_ten_problems_reports_all_ten_and_creates_nothing(lists: Cli,
                                                                      tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["nominee", "person", "year", "rating", "initiative", "Điểm thưởng"])
    sheet.append(["Nguyễn Văn An", "an", 2026, "HTXS", None])          # 2: good
    sheet.append(["Lý Thị Bích", "bich", "2026a", "HTXS", None])       # 3: not an integer
    sheet.append(["Người Lạ", None, 2026, "HTSX", None])               # 4: near miss
    sheet.append(["Người Lạ Hai", None, 2026, None, None])             # 5: required missing
    sheet.append(["Ai Đó", "khongco", 2026, "HTXS", None])             # 6: unknown person
    sheet.append(["Nguyễn Văn An", "an", 2026, "HTXS", None])          # 7: duplicate
    sheet.append(["Đào Minh Tâm", "tam", 2026, "HTXS", None])          # 8: works elsewhere
    sheet.append(["Lê Văn Cường", "cuong", 2026, "HTXS", None])        # 9: not eligible
    sheet.append(["Vũ Minh Khoa", "khoa", 1999, "HTXS", None])         # 10: below the minimum
    sheet.append(["Người Lạ Ba", None, "=2020+6", "HTXS", "SK-1"])     # 11: formula, no value
    path = tmp_path / "danh-sach-loi.xlsx"
    book.save(path)
    problems = refused(lists, path)
    name = path.name
    assert problems == [
        f"{name}:1:F: unknown column 'Điểm thưởng'; the columns of this list are nominee, "
        "person, year, rating, initiative",
        f"{name}:3:C: field 'year' must be an integer, got '2026a'",
        f"{name}:4:D: field 'rating' must be one of HTXS, HTT, HT, KHT, got 'HTSX' "
        "(did you mean 'HTXS'?)",
        f"{name}:5:D: 'rating' (Xếp loại) is required",
        f"{name}:6:B: no person 'khongco' in the directory",
        f"{name}:7:B: the same nominee as row 2",
        f"{name}:8:B: tam does not work at BN-SGD or a unit below it",
        f"{name}:9:B: not eligible for CSTDCS: needs LDTT held in the nomination's year",
        f"{name}:10:C: field 'year' must be at least 2000, got 1999",
        f"{name}:11:C: the formula '=2020+6' has no computed value in the file; open and save "
        "it in a spreadsheet program, or type the value",
    ]


def test_a_name_that_is_not_the_persons_and_an_empty_nominee_are_located(
        lists: Cli, tmp_path: Path) -> None:
    path = tmp_path / "ten.csv"
    path.write_text("nominee,person,year,rating\nNguyễn Văn Bê,an,2026,HTXS\n"
                    ",,2026,HTXS\nMột Tập Thể,,2026,HTXS\n", encoding="utf-8")
    assert refused(lists, path) == [
        "ten.csv:2:A: 'Nguyễn Văn Bê' is not the name the directory has for 'an'",
        "ten.csv:3:A: no nominee: give the name (nominee) or a login (person)",
        "ten.csv:4:B: CSTDCS is granted on the nominee's history: give their login (person)",
    ]


def test_header_problems_are_reported_with_the_rows(lists: Cli, tmp_path: Path) -> None:
    path = tmp_path / "dau.csv"
    path.write_text("person,year,year,ratin\nan,2026,2026,HTXS\n", encoding="utf-8")
    assert refused(lists, path) == [
        "dau.csv:1:C: column 'year' appears twice (first in B)",
        "dau.csv:1:D: unknown column 'ratin' (did you mean 'rating'?); the columns of this "
        "list are nominee, person, year, rating, initiative",
        "dau.csv:1:E: missing column 'rating' (Xếp loại): every row must fill it",
    ]
    nothing = tmp_path / "khong-dau.csv"
    nothing.write_text("Danh sách\n1,2,3\n", encoding="utf-8")
    [problem] = refused(lists, nothing)
    assert problem.startswith("khong-dau.csv:1:A: no header row: the list needs a row naming "
                              "its columns (nominee or person, then the fields: year, rating, "
                              "initiative)")


def test_eligibility_counts_nominations_still_in_progress(lists: Cli, tmp_path: Path) -> None:
    """cuong has no Lao động tiên tiến for 2026 yet: a CSTĐCS list for him fails, unless an
    LĐTT nomination of his for 2026 is in progress (it may still be granted this year)."""
    path = tmp_path / "cuong.csv"
    path.write_text("nominee,person,year,rating\nLê Văn Cường,cuong,2026,HTXS\n",
                    encoding="utf-8")
    assert refused(lists, path) == [
        "cuong.csv:2:B: not eligible for CSTDCS: needs LDTT held in the nomination's year"]
    ldtt = tmp_path / "ldtt"
    ldtt.mkdir()
    (ldtt / "lao-dong-tien-tien.yaml").write_text(LDTT_FLOW, encoding="utf-8")
    env = {"AWARD_FLOWS": str(ldtt)}
    lists.ok("nominate", "lao-dong-tien-tien", "--unit", "BN-SGD", "--person", "cuong",
             "--set", "year=2026", user="lan", env=env)
    assert lists.ok("import", str(path), "--flow", FLOW, "--unit", "BN-SGD", user="lan",
                    env=env)["created"] == ["2"]


LDTT_FLOW = """\
flow: lao-dong-tien-tien
title: {vi: "Lao động tiên tiến", en: "Advanced worker"}
award: LDTT
nominee: individual
calendar: vn
decider: unit_head@unit
fields:
  year: {type: integer, required: true, min: 2000}
states:
  draft: {initial: true}
  awarded: {final: true, outcome: awarded}
  not_awarded: {final: true, outcome: rejected}
transitions:
  - {trigger: award, from: draft, to: awarded, by: officer@unit}
  - {trigger: reject, from: draft, to: not_awarded, by: officer@unit}
"""


# ---- what real files contain ---------------------------------------------------------------


def _with_cached_values(path: Path, values: dict[str, tuple[str, str]]) -> None:
    """Give formula cells the values a spreadsheet program would have stored with them
    (openpyxl writes the formula only): ``values`` maps a cell to (cell type, value)."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for ref, (kind, value) in values.items():
        sheet, done = re.subn(rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/>',
                              rf'<c r="{ref}" t="{kind}"><f>\2</f><v>{value}</v>', sheet)
        assert done == 1, ref
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_a_hand_made_workbook_with_title_merged_cells_formulas_and_dates(
        lists: Cli, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "DS khen đột xuất"
    sheet["A1"] = "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG ĐỘT XUẤT NĂM 2026"
    sheet.merge_cells("A1:D1")
    sheet.append([])
    sheet.append(["STT", "Họ và tên", "Thành tích đột xuất", "Ngày lập thành tích",
                  "Ghi chú"])  # Vietnamese headers only, row 3
    sheet.append([1, "Nguyễn Văn Dũng", "Cứu người đuối nước", datetime(2026, 1, 15), None])
    sheet.append([2, "Trần Thị Hạnh", "Dập tắt đám cháy", "16/01/2026", "đã xác minh"])
    sheet.append([3, "Lê Văn Phúc", None, date(2026, 1, 20), None])
    sheet.merge_cells("C5:C6")  # one deed for two people, written once
    sheet.append(["=A6+1", "=\"Phạm \"&\"Văn Lực\"", "Bắt cướp", " 2026-01-21 ", None])
    for number in range(8, 40):  # formatted but empty rows, as a copied template leaves
        sheet.cell(number, 2).number_format = "@"
        sheet.cell(number, 2).value = "   "
    path = tmp_path / "dot-xuat.xlsx"
    book.save(path)
    _with_cached_values(path, {"A7": ("n", "4"), "B7": ("str", "Phạm Văn Lực")})
    [cell_xml] = re.findall(r'<c r="B7"[^>]*>.*?</c>',
                            zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode())
    assert "<v>Phạm Văn Lực</v>" in cell_xml
    result = imported(lists, path, DEED_FLOW)
    assert len(result["created"]) == 4
    shown = [lists.ok("show", i) for i in result["created"]]
    assert [(s["nominee"], s["fields"]) for s in shown] == [
        ("Nguyễn Văn Dũng", {"deed": "Cứu người đuối nước", "deed_date": "2026-01-15"}),
        ("Trần Thị Hạnh", {"deed": "Dập tắt đám cháy", "deed_date": "2026-01-16"}),
        ("Lê Văn Phúc", {"deed": "Dập tắt đám cháy", "deed_date": "2026-01-20"}),
        ("Phạm Văn Lực", {"deed": "Bắt cướp", "deed_date": "2026-01-21"}),
    ]


_TONES = "\u0300\u0301\u0303\u0309\u0323"


def _windows_vietnamese(text: str) -> bytes:
    """``text`` as Windows writes code page 1258: letters with their shape marks composed
    (ê, ơ, ư, ă, â, ô, đ) and the tone marks as separate combining characters."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize(("encoding", "delimiter", "newline"), [
    ("utf-8-sig", ",", "\r\n"),   # Excel: "CSV UTF-8 (Comma delimited)"
    ("cp1258", ";", "\r\n"),      # Excel: "CSV" on a Vietnamese Windows (list separator ;)
    ("utf-16", "\t", "\r\n"),     # Excel: "Unicode Text"
    ("utf-8", ",", "\n"),         # written by a script, no byte-order mark
])
def test_csv_as_excel_writes_it(lists: Cli, tmp_path: Path, encoding: str, delimiter: str,
                                newline: str) -> None:
    rows = [["Họ và tên", "Tài khoản", "Năm", "Xếp loại", "Sáng kiến được công nhận"],
            ["Nguyễn Văn An", "an", "2026", "HTXS", ""],
            ["Lý Thị Bích", "bich", "2026", "HTT", "Sáng kiến “Lớp học số”; áp dụng toàn trường"],
            ["", "", "", "", ""], ["", "", "", "", ""]]  # the blank rows Excel leaves
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    path = tmp_path / "danh-sach.csv"
    path.write_bytes(_windows_vietnamese(buffer.getvalue()) if encoding == "cp1258"
                     else buffer.getvalue().encode(encoding))
    if encoding == "utf-8-sig":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    result = imported(lists, path)
    assert result["created"] == ["1", "2"]
    assert lists.ok("show", "2")["fields"]["initiative"] == (
        "Sáng kiến “Lớp học số”; áp dụng toàn trường")
    assert lists.ok("show", "1")["nominee"] == "Nguyễn Văn An"


# ---- export and award list --unit ----------------------------------------------------------


def test_list_and_export_cover_the_units_subtree(lists: Cli, tmp_path: Path) -> None:
    source = tmp_path / "ds.csv"
    source.write_text("nominee,person,year,rating\nNguyễn Văn An,an,2026,HTXS\n"
                      "Lý Thị Bích,bich,2026,HTXS\n", encoding="utf-8")
    imported(lists, source)
    school = lists.ok("nominate", FLOW, "--unit", "BN-THPT-LTT", "--person", "khoa",
                      "--set", "year=2026", user="mai")
    assert [i["id"] for i in lists.ok("list", "--unit", "BN")] == ["1", "2", school["id"]]
    assert [i["id"] for i in lists.ok("list", "--unit", "BN-SGD")] == ["1", "2", "3"]
    assert [i["id"] for i in lists.ok("list", "--unit", "BN-THPT-LTT")] == ["3"]
    assert lists.ok("list", "--unit", "BN-TAMSON") == []
    assert lists.fails(5, "list", "--unit", "NOWHERE")["message"] == (
        "no unit 'NOWHERE' in the directory")

    xlsx = tmp_path / "ho-so.xlsx"
    assert lists.ok("export", "items", "--out", str(xlsx), "--unit", "BN", "--flow",
                    FLOW) == {"out": str(xlsx), "format": "xlsx", "items": 3}
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(xlsx).active.iter_rows()]
    assert rows[0][:10] == ["id", "flow", "award", "unit", "unit_name", "nominee", "person",
                            "state", "state_label", "due_at"]
    assert rows[0][-3:] == ["year", "rating", "initiative"]
    assert rows[1][:3] == ["Số hồ sơ", "Quy trình", "Hình thức khen thưởng"]
    assert rows[1][-3:] == ["Năm", "Xếp loại", "Sáng kiến được công nhận"]
    assert [r[0] for r in rows[2:]] == ["1", "2", "3"]
    assert rows[4][3:9] == ["BN-THPT-LTT", "Trường THPT Lý Thái Tổ", "Vũ Minh Khoa", "khoa",
                            "draft", "Dự thảo"]
    assert rows[2][-3:] == [2026, "HTXS", None]

    comma = tmp_path / "ho-so.csv"
    assert lists.ok("export", "items", "--out", str(comma), "--unit", "BN-THPT-LTT",
                    "--state", "draft")["items"] == 1
    raw = comma.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel shows Vietnamese only with the mark
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0][:2] == ["id", "flow"] and "year" not in table[0]  # no flow: no fields
    assert table[2][:6] == ["3", FLOW, "CSTDCS", "BN-THPT-LTT", "Trường THPT Lý Thái Tổ",
                            "Vũ Minh Khoa"]
    assert lists.ok("export", "items", "--out", str(tmp_path / "x.csv"), "--overdue")[
        "items"] == 0
    assert "must end in .xlsx or .csv" in lists.fails(2, "export", "items", "--out",
                                                      str(tmp_path / "x.pdf"))["message"]
    assert lists.fails(5, "export", "items", "--out", str(tmp_path / "y.csv"), "--unit",
                       "NOWHERE")["type"] == "NotFound"
    assert not (tmp_path / "y.csv").exists()  # nothing half-written
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


# ---- the pure parts: properties ------------------------------------------------------------

_DEFINITIONS = load_definitions(ROOT / "definitions")
NAME = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạếềểễệóòỏõọứừửữựíìỉĩịýỳỷỹỵ ",
               min_size=1, max_size=30).map(lambda s: " ".join(s.split()).title()).filter(
                   bool)


@st.composite
def nominee_rows(draw: st.DrawFn) -> list[list[Any]]:
    names = draw(st.lists(NAME, min_size=1, max_size=12, unique_by=str.casefold))
    return [[name, None, draw(st.integers(2000, 2100)),
             draw(st.sampled_from(["HTXS", "HTT", "HT", "KHT"])),
             draw(st.one_of(st.none(), NAME))] for name in names]


@settings(max_examples=40, deadline=None)
@given(nominee_rows(), st.sampled_from(["xlsx", "csv"]))
def test_written_lists_read_back_as_the_same_values(rows: list[list[Any]], fmt: str) -> None:
    flow = _DEFINITIONS.flow(FLOW)
    columns = intake.columns(flow)
    out = io.BytesIO()
    if fmt == "xlsx":
        sheets.write_list(out, columns, rows)
    else:
        sheets.write_table(out, "csv", [c.key for c in columns],
                           [c.label["vi"] for c in columns], rows)
    parsed = intake.parse(sheets.read(f"ds.{fmt}", out.getvalue()), flow)
    assert parsed.problems == []
    assert [(e.row, e.nominee, e.values) for e in parsed.entries] == [
        (n, row[0], {k: v for k, v in zip(("year", "rating", "initiative"), row[2:],
                                          strict=True) if v is not None})
        for n, row in enumerate(rows, start=3)]


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
       st.sampled_from(["{d:02d}/{m:02d}/{y}", "{d}/{m}/{y}", "{d:02d}-{m:02d}-{y}",
                        "{d}.{m}.{y}", "{y}-{m:02d}-{d:02d}", "excel"]))
def test_dates_typed_any_usual_way_are_the_same_date(day: date, spelling: str) -> None:
    flow = _DEFINITIONS.flow(DEED_FLOW)
    cell: Any = (datetime(day.year, day.month, day.day) if spelling == "excel"
                 else spelling.format(d=day.day, m=day.month, y=day.year))
    grid = intake.Grid("d.csv", ((1, ("nominee", "deed", "deed_date")),
                                 (2, ("Ai", "Việc tốt", cell))))
    parsed = intake.parse(grid, flow)
    assert parsed.problems == []
    assert parsed.entries[0].values["deed_date"] == day.isoformat()


@given(st.integers(1, 16384))
def test_column_letters_are_the_spreadsheets_own(index: int) -> None:
    assert intake.column_letter(index) == get_column_letter(index)


def test_a_workbook_that_unpacks_to_far_more_than_it_weighs_is_refused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheets, "MAX_UNPACKED", 1024 * 1024)  # the real cap is 400 MiB
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (2 * 1024 * 1024))
    assert len(out.getvalue()) < 10_000
    with pytest.raises(InvalidInput, match="unpacks to more than 1 MiB"):
        sheets.read("bom.xlsx", out.getvalue())


def test_text_that_looks_like_a_formula_is_exported_as_text(cli: Cli, tmp_path: Path) -> None:
    """A name typed as ``=HYPERLINK(…)`` is data: the export must not hand it to Excel as a
    formula (CSV injection)."""
    name = '=HYPERLINK("http://ke-gian.example","Bấm vào đây")'
    cli.ok("nominate", DEED_FLOW, "--unit", "BN-SGD", "--nominee", name, "--set",
           "deed=-1+1", "--set", "deed_date=2026-01-15", user="lan")
    xlsx, comma = tmp_path / "x.xlsx", tmp_path / "x.csv"
    cli.ok("export", "items", "--out", str(xlsx), "--flow", DEED_FLOW)
    cli.ok("export", "items", "--out", str(comma), "--flow", DEED_FLOW)
    sheet = openpyxl.load_workbook(xlsx).active
    [cell] = [c for c in sheet[3] if c.value == name]
    assert cell.data_type == "s"  # text, not "f"
    assert "<f>" not in zipfile.ZipFile(xlsx).read("xl/worksheets/sheet1.xml").decode()
    row = list(csv.reader(io.StringIO(comma.read_bytes().decode("utf-8-sig"))))[2]
    assert "'" + name in row and "'-1+1" in row
    # and an apostrophe so added is dropped when such a cell is read back as a list
    grid = intake.Grid("x.csv", ((1, ("nominee", "deed", "deed_date")),
                                 (2, ("'" + name, "'-1+1", "2026-01-15"))))
    parsed = intake.parse(grid, _DEFINITIONS.flow(DEED_FLOW))
    assert [(e.nominee, e.values["deed"]) for e in parsed.entries] == [(name, "-1+1")]


def test_a_workbook_with_an_xml_entity_bomb_is_refused_in_one_line(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["nominee"])
    sheet.append(["Nguyễn Văn An"])
    plain = io.BytesIO()
    book.save(plain)
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    body = parts["xl/worksheets/sheet1.xml"].decode()
    entities = "".join(f'<!ENTITY e{n} "{f"&e{n - 1};" * 10}">' for n in range(1, 9))
    parts["xl/worksheets/sheet1.xml"] = (
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY e0 "ha">' + entities + "]>"
        + body[body.index("<worksheet"):].replace("<v>", "<v>&e8;", 1)).encode()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    with pytest.raises(InvalidInput) as caught:
        sheets.read("bom.xlsx", bomb.getvalue())
    assert caught.value.message.startswith("bom.xlsx: cannot be read as an Excel workbook")
    assert "\n" not in caught.value.message
