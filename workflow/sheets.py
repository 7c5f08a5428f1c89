"""Spreadsheets in and out: ``.xlsx`` through openpyxl and ``.csv`` as Excel writes it.

Reading turns a file into an :class:`~workflow.intake.Grid` of cells as the spreadsheet holds
them, dealing with what real files contain: a formula yields the value the file computed (or
an :class:`~workflow.intake.Uncomputed` marker when it was saved without one); a merged range
gives its value to every cell it covers; trailing empty rows and columns are dropped. A
``.csv`` may be UTF-8 with or without a byte-order mark, UTF-16 (Excel's "Unicode text"), or
the Vietnamese Windows code page (Excel's plain "CSV" on a Vietnamese system), separated by
commas, semicolons or tabs.

Writing makes the list template of a flow (the list's columns with their labels, drop-downs
for the choices, frozen headers and a sheet of instructions), and streams exports without
holding them in memory.

Untrusted files: the size is capped before anything is parsed, a workbook is refused when its
parts unpack to far more than the file (a zip bomb), and openpyxl parses XML through
defusedxml (installed with it here), so entity tricks are refused.

Adapter: imports openpyxl and the pure :mod:`workflow.intake`; nothing above it.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import IO, Any

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from workflow.errors import InvalidInput
from workflow.intake import Column, Grid, Uncomputed

__all__ = ["EXTENSIONS", "FORMULA_START", "LIST_SHEET", "MAX_BYTES", "format_of", "read",
           "write_list", "write_table"]

MAX_BYTES = 20 * 1024 * 1024
MAX_UNPACKED = 400 * 1024 * 1024
EXTENSIONS = (".xlsx", ".csv")
LIST_SHEET = "Danh sách"
GUIDE_SHEET = "Hướng dẫn"
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_LABEL_FONT = Font(italic=True, color="555555")


def format_of(name: str) -> str:
    """``xlsx`` or ``csv`` from a file name; anything else is refused with what is allowed."""
    lowered = name.lower()
    if lowered.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith(".xls"):
        raise InvalidInput(f"{name}: the old Excel format (.xls) is not read; save the list as "
                           "Excel Workbook (.xlsx) or CSV UTF-8 (.csv)", msgid="list.old_excel",
                           values={"name": name}, file=name)
    raise InvalidInput(f"{name}: not a spreadsheet; give an .xlsx or .csv file",
                       msgid="list.not_spreadsheet", values={"name": name}, file=name)


# ---- reading -------------------------------------------------------------------------------


def read(name: str, content: bytes) -> Grid:
    """The cells of the list in ``content`` (a file called ``name``)."""
    kind = format_of(name)
    if len(content) > MAX_BYTES:
        raise InvalidInput(f"{name} is larger than {MAX_BYTES // 2**20} MiB; split the list",
                           msgid="attach.too_large",
                           values={"name": name, "mib": MAX_BYTES // 2**20}, file=name)
    return _read_xlsx(name, content) if kind == "xlsx" else _read_csv(name, content)


def _read_xlsx(name: str, content: bytes) -> Grid:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise InvalidInput(f"{name}: not an Excel workbook (.xlsx); save the list again as "
                           "Excel Workbook or CSV", msgid="list.unreadable",
                           values={"name": name}, file=name) from None
    if unpacked > MAX_UNPACKED:
        raise InvalidInput(f"{name}: the workbook unpacks to more than "
                           f"{MAX_UNPACKED // 2**20} MiB; it is not a list",
                           msgid="list.unreadable", values={"name": name}, file=name)
    try:
        values = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(content), data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        first = (str(exc).strip().splitlines() or [""])[0][:120]
        raise InvalidInput(f"{name}: cannot be read as an Excel workbook: "
                           f"{type(exc).__name__}: {first}", msgid="list.unreadable",
                           values={"name": name}, file=name) from None
    sheet = _list_sheet(values)
    source = formulas[sheet.title]
    merged = {}
    for cells in sheet.merged_cells.ranges:
        top_left = sheet.cell(cells.min_row, cells.min_col).value
        for row in range(cells.min_row, cells.max_row + 1):
            for col in range(cells.min_col, cells.max_col + 1):
                merged[(row, col)] = top_left
    rows: list[tuple[int, tuple[Any, ...]]] = []
    for number, row in enumerate(sheet.iter_rows(), start=1):  # from A1: numbers are rows
        out: list[Any] = []
        for col, cell in enumerate(row, start=1):
            value = merged.get((number, col), cell.value)
            if value is None:
                formula = source.cell(number, col).value
                if isinstance(formula, str) and formula.startswith("="):
                    value = Uncomputed(formula)
            out.append(_cell(value))
        _keep(rows, number, out)
    return Grid(name, tuple(rows))


def _list_sheet(book: Any) -> Any:
    """The template's list sheet if the workbook has one, else its first sheet."""
    return book[LIST_SHEET] if LIST_SHEET in book.sheetnames else book.worksheets[0]


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value)
        return value if value.strip() else None
    return value


def _keep(rows: list[tuple[int, tuple[Any, ...]]], number: int, cells: list[Any]) -> None:
    while cells and cells[-1] is None:
        cells.pop()
    if cells:
        rows.append((number, tuple(cells)))


def _decode(name: str, content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1258")  # Excel's "CSV" on a Vietnamese Windows
    except UnicodeDecodeError:
        raise InvalidInput(f"{name}: the text is neither UTF-8 nor the Vietnamese Windows code "
                           "page; save the list as CSV UTF-8", msgid="list.encoding",
                           values={"name": name}, file=name) from None


def _read_csv(name: str, content: bytes) -> Grid:
    text = unicodedata.normalize("NFC", _decode(name, content))
    delimiter = _delimiter(text)
    rows: list[tuple[int, tuple[Any, ...]]] = []
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text, newline=""),
                                                   delimiter=delimiter), start=1):
            _keep(rows, number, [_cell(v) for v in record])
    except csv.Error as exc:
        raise InvalidInput(f"{name}: not a readable CSV file: {exc}", msgid="list.unreadable",
                           values={"name": name}, file=name) from None
    return Grid(name, tuple(rows))


def _delimiter(text: str) -> str:
    """The separator Excel used: whichever of comma, semicolon (a system whose decimal mark is
    a comma) or tab splits the first rows into the most columns; comma on a tie. (csv.Sniffer
    gives up on a file where a quoted cell holds the other separator.)"""
    head = "\n".join(text.splitlines()[:20])
    best, widest = ",", 0
    for candidate in (",", ";", "\t"):
        try:
            width = max((len(r) for r in csv.reader(io.StringIO(head), delimiter=candidate)),
                        default=0)
        except csv.Error:
            continue
        if width > widest:
            best, widest = candidate, width
    return best


# ---- writing -------------------------------------------------------------------------------


def write_list(out: IO[bytes], columns: Sequence[Column], rows: Iterable[Sequence[Any]] = (),
               *, title: str = "", guide: Sequence[str] = (), when: datetime | None = None
               ) -> None:
    """A flow's list as an ``.xlsx``: the list sheet (keys on row 1 with each column's
    Vietnamese label as a comment, the labels on row 2, drop-downs for choices, ``rows``
    from row 3) and an instructions sheet (``guide`` lines, then one line per column).
    With ``when`` the file is reproducible: that time stands for its creation, so the same
    list written at the same (replayed) time is the same bytes, and the same SHA-256."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = LIST_SHEET
    for index, column in enumerate(columns, start=1):
        head = sheet.cell(1, index, column.key)
        head.font = Font(bold=True)
        head.fill = _HEADER_FILL
        label = column.label.get("vi", column.key)
        head.comment = Comment(f"{label}\n{column.describe('vi')}"
                               + ("\nBắt buộc" if column.required else ""), "award")
        note = sheet.cell(2, index, label + (" *" if column.required else ""))
        note.font = _LABEL_FONT
        note.alignment = Alignment(wrap_text=True, vertical="top")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, min(40, len(label) + 4))
        choices = column.choices
        if choices:
            check = DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                                   allow_blank=not column.required, showErrorMessage=True,
                                   errorTitle="Giá trị không hợp lệ",
                                   error="Chọn một giá trị trong danh sách: "
                                   + ", ".join(choices))
            sheet.add_data_validation(check)
            check.add(f"{letter}3:{letter}{3 + 2000}")
    sheet.freeze_panes = "A3"
    for number, row in enumerate(rows, start=3):
        for index, value in enumerate(row, start=1):
            cell = sheet.cell(number, index)
            _put(cell, value)
    info = book.create_sheet(GUIDE_SHEET)
    line = 1
    for text in ([title] if title else []) + list(guide):
        info.cell(line, 1, text)
        line += 1
    line += 1
    for index, value in enumerate(("Cột / Column", "Tên / Label", "Cách ghi", "How to fill",
                                   "Bắt buộc / Required"), start=1):
        info.cell(line, index, value).font = Font(bold=True)
    for column in columns:
        line += 1
        info.cell(line, 1, column.key)
        info.cell(line, 2, column.label.get("vi", column.key))
        info.cell(line, 3, column.describe("vi"))
        info.cell(line, 4, column.describe("en"))
        info.cell(line, 5, "Có / yes" if column.required else "")
    for letter, width in zip("ABCDE", (18, 36, 48, 48, 18), strict=True):
        info.column_dimensions[letter].width = width
    if when is None:
        book.save(out)
        return
    buffer = io.BytesIO()
    book.save(buffer)
    out.write(_stamped(buffer.getvalue(), when))


_STAMP = re.compile(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _stamped(content: bytes, when: datetime) -> bytes:
    """The workbook with ``when`` as its creation and modification time and as the time of
    every part of the archive (openpyxl stamps the wall clock in both)."""
    utc = when.astimezone(UTC).replace(tzinfo=None)
    stamp = utc.isoformat(timespec="seconds") + "Z"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _STAMP.sub(rf"\g<1>{stamp}\g<2>", data.decode("utf-8")).encode("utf-8")
            part = zipfile.ZipInfo(info.filename, date_time=utc.timetuple()[:6])
            part.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(part, data)
    return out.getvalue()


def write_table(out: IO[bytes], fmt: str, header: Sequence[str], labels: Sequence[str],
                rows: Iterable[Sequence[Any]]) -> int:
    """Rows streamed to ``out`` as ``xlsx`` or ``csv`` (UTF-8 with a byte-order mark, which
    Excel needs to show Vietnamese): the keys on the first row, the labels on the second.
    Returns how many rows were written."""
    if fmt == "csv":
        return _write_csv(out, header, labels, rows)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(LIST_SHEET)
    sheet.freeze_panes = "A3"
    sheet.append(list(header))
    sheet.append(list(labels))
    count = 0
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet)
            _put(cell, value)
            cells.append(cell)
        sheet.append(cells)
        count += 1
    book.save(out)
    return count


def _write_csv(out: IO[bytes], header: Sequence[str], labels: Sequence[str],
               rows: Iterable[Sequence[Any]]) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerow(labels)
    count = 0
    for row in _rows(rows):
        writer.writerow(["" if v is None else v for v in row])
        count += 1
    text.flush()
    text.detach()
    return count


def _rows(rows: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    for row in rows:
        yield [_defused(v) for v in row]


#: what a spreadsheet program reads as the start of a formula in a text cell
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _put(cell: Any, value: Any) -> None:
    """A value into a workbook cell as data: text that looks like a formula (a nominee
    named ``=HYPERLINK(…)``) stays text, never a formula (openpyxl would store it as one)."""
    value = _plain(value)
    if isinstance(value, str) and value.startswith("="):
        cell.value = value
        cell.data_type = "s"
    else:
        cell.value = value


def _defused(value: Any) -> Any:
    """A CSV cell: text a spreadsheet program would run as a formula is given a leading
    apostrophe, which Excel shows as text (and :mod:`workflow.intake` removes on import)."""
    value = _plain(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, bool | int | float | str | date | datetime) or value is None:
        return value
    return str(value)
