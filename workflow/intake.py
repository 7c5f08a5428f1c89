"""A unit's list of nominees: the columns a flow's list has, and a sheet's cells turned into
typed nominations with every problem located as ``FILE:ROW:COLUMN: message``.

A list is what an office sends: one row per nominee, a header row naming the columns (the
keys of the template, or the Vietnamese labels alone), perhaps a title above it, a row of
labels under it, a running number (``STT``) and notes beside it. Cells arrive as a
spreadsheet holds them (:mod:`workflow.sheets` reads the file): text, whole or decimal
numbers, dates, booleans, or a formula whose value was never computed. Here they become the
nominee's name, the person's login and the flow's fields, each checked with
:func:`workflow.flow.fields.coerce`, so a list and ``award nominate --set`` accept the same
values. Problems are collected for the whole sheet, never stopping at the first.

What needs the directory or the store — an unknown person, a person who works elsewhere,
eligibility that already fails — is the service's to check; it reports with the same
locations (:class:`Entry` keeps where each value came from).

Each problem is a :class:`~workflow.errors.Reason` (a message id of the web's catalogue, the
English text, the values), so the command line prints the text and the web says it in the
reader's language with the flow's labels.

Pure: no file, no store, no clock. Must not import the store, jinja2, typer or apscheduler.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from workflow.directory import LOGIN_RE
from workflow.errors import InvalidInput, Reason
from workflow.flow import FieldSpec, FlowSpec, coerce, nfc
from workflow.yamlnodes import suggest

__all__ = ["MAX_ROWS", "Column", "Entry", "Grid", "Located", "ParsedList", "Uncomputed",
           "column_letter", "columns", "parse"]

MAX_ROWS = 10_000
HEADER_SEARCH = 20  # a title block above the header is at most this many rows
NOMINEE, PERSON, NOMINEE_UNIT = "nominee", "person", "nominee_unit"

NOMINEE_LABEL = {"vi": "Họ và tên (cá nhân) hoặc tên tập thể",
                 "en": "Nominee (a person's full name or a collective's name)"}
PERSON_LABEL = {"vi": "Tài khoản trong danh bạ (nếu có)",
                "en": "Login in the directory (if any)"}
NOMINEE_UNIT_LABEL = {"vi": "Mã đơn vị được đề nghị (tập thể)",
                      "en": "Nominated unit's id (a collective)"}
#: what offices write over these two columns, compared without accents or case
_ALIASES = {
    NOMINEE: ("nominee", "name", "ho va ten", "ho ten", "ten", "nguoi duoc de nghi",
              "ten tap the", "ten don vi", "ca nhan", "doi tuong", "ho va ten tap the"),
    PERSON: ("person", "login", "tai khoan", "ten dang nhap", "ma can bo"),
    NOMINEE_UNIT: ("nominee_unit", "nominee unit", "ma don vi", "ma don vi duoc de nghi",
                   "don vi duoc de nghi", "ma tap the"),
}
#: columns a list may carry that are not nomination data: a running number, notes
_IGNORED = ("stt", "tt", "so tt", "so thu tu", "no", "no.", "#", "ghi chu", "note", "notes")
_TRUE = {"x", "✓", "✔", "đúng", "dung", "có", "co"}
_DAY_FIRST = re.compile(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})")
_DECIMAL_COMMA = re.compile(r"-?[0-9]+,[0-9]+")
_TYPES_VI = {"string": "chữ", "text": "đoạn văn", "integer": "số nguyên", "number": "số",
             "boolean": "có / không", "date": "ngày (dd/mm/yyyy hoặc yyyy-mm-dd)",
             "enum": "một giá trị trong danh sách"}
_TYPES_EN = {"string": "text", "text": "text (long)", "integer": "whole number",
             "number": "number", "boolean": "yes / no", "date": "date (dd/mm/yyyy or "
             "yyyy-mm-dd)", "enum": "one value of the list"}


@dataclass(frozen=True)
class Uncomputed:
    """A cell holding a formula whose value the file does not carry (saved by a program that
    does not calculate): there is nothing to read until a spreadsheet computes it."""

    formula: str


@dataclass(frozen=True)
class Grid:
    """A sheet as read: the file's name and its rows that hold anything, each as its 1-based
    row number and its cells from column A (``None`` for an empty cell)."""

    file: str
    rows: tuple[tuple[int, tuple[Any, ...]], ...]


@dataclass(frozen=True, order=True)
class Located:
    """One problem of a list, at a 1-based row and column (shown as a letter, as in Excel)."""

    row: int
    col: int
    reason: Reason = field(compare=False)
    file: str = field(default="", compare=False)

    @property
    def message(self) -> str:
        return self.reason.text

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{column_letter(self.col)}: {self.message}"


@dataclass(frozen=True)
class Column:
    """A column of a flow's list: the nominee, the person's login, or one of the fields."""

    key: str
    label: Mapping[str, str]
    required: bool = False
    spec: FieldSpec | None = None

    @property
    def choices(self) -> tuple[str, ...]:
        if self.spec is None:
            return ()
        if self.spec.type == "enum":
            return self.spec.values
        return ("có", "không") if self.spec.type == "boolean" else ()

    def describe(self, lang: str) -> str:
        """How to fill the column, for the template's instructions."""
        if self.key == NOMINEE:
            return ("Họ và tên như trong danh bạ; để trống nếu đã ghi tài khoản"
                    if lang == "vi" else "The name as the directory has it; may be left "
                    "empty when a login is given")
        if self.key == NOMINEE_UNIT:
            return ("Mã đơn vị trong danh bạ của tập thể được đề nghị (đơn vị gửi hoặc đơn vị "
                    "trực thuộc); chỉ ghi tên mà để trống mã: chính đơn vị gửi" if lang == "vi"
                    else "The directory's id of the nominated unit (the sending unit or one "
                    "below it); a name without an id: the sending unit itself")
        if self.key == PERSON:
            return ("Tài khoản của người được đề nghị trong danh bạ (để xét lịch sử khen "
                    "thưởng); để trống với tập thể" if lang == "vi" else "The nominee's "
                    "login in the directory (for their award history); empty for a collective")
        spec = self.spec
        assert spec is not None
        parts = [(_TYPES_VI if lang == "vi" else _TYPES_EN)[spec.type]]
        if spec.values:
            parts.append(", ".join(spec.values))
        if spec.min is not None:
            parts.append(("từ " if lang == "vi" else "at least ") + _num(spec.min))
        if spec.max is not None:
            parts.append(("đến " if lang == "vi" else "at most ") + _num(spec.max))
        if spec.max_length is not None:
            parts.append(("tối đa " if lang == "vi" else "at most ")
                         + f"{spec.max_length} " + ("ký tự" if lang == "vi" else "characters"))
        return "; ".join(parts)


@dataclass
class Entry:
    """One nominee of the list: where it came from and its typed values (``None`` omitted).
    ``at`` gives the column each key was read from, to locate the service's problems."""

    row: int
    nominee: str | None
    person: str | None
    values: dict[str, Any]
    at: dict[str, int]
    nominee_unit: str | None = None  # a collective flow's nominated unit


@dataclass
class ParsedList:
    file: str
    header_row: int
    entries: list[Entry]
    problems: list[Located]
    at: dict[str, int]  # key -> column
    first_row: int = 0  # where the nominees start (after the header and a label row)
    columns_ok: bool = True  # every column read once and none required missing

    def problem(self, row: int, key: str, reason: Reason) -> None:
        """Add a problem of ``row`` at the column of ``key`` (column A if it has none)."""
        self.problems.append(Located(row, self.at.get(key, 1), reason, self.file))


def column_letter(index: int) -> str:
    """1 → A, 26 → Z, 27 → AA, as spreadsheets name columns."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters or "A"


def columns(flow: FlowSpec) -> list[Column]:
    """The columns of the flow's list, in the template's order."""
    out = [Column(NOMINEE, NOMINEE_LABEL), Column(PERSON, PERSON_LABEL)]
    if flow.nominee == "collective":  # the nominee is a unit of the directory
        out.append(Column(NOMINEE_UNIT, NOMINEE_UNIT_LABEL))
    out += [Column(spec.name, dict(spec.label) or {"vi": spec.name, "en": spec.name},
                   spec.required, spec) for spec in flow.fields.values()]
    return out


def parse(grid: Grid, flow: FlowSpec) -> ParsedList:
    """The list's entries and every problem of the sheet (nothing is half-read: a row with a
    problem still yields the values it could read, so its other problems are found too)."""
    known = columns(flow)
    by_key = {c.key: c for c in known}
    result = ParsedList(grid.file, 0, [], [], {})
    found = _header(grid, known)
    if found is None:
        result.problems.append(Located(
            grid.rows[0][0] if grid.rows else 1, 1, Reason(
                "list.no_header", "no header row: the list needs a row naming its columns "
                f"(nominee or person, then the fields: {', '.join(flow.fields) or 'none'}); "
                "start from award import-template", {"fields": list(flow.fields)}),
            grid.file))
        return result
    header_row, cells = found
    result.header_row = header_row
    _read_header(cells, known, result)
    for column in known:
        if column.required and column.key not in result.at:
            result.columns_ok = False
            result.problems.append(Located(header_row, len(cells) + 1, Reason(
                "list.missing_column", f"missing column {column.key!r} "
                f"({column.label.get('vi', column.key)}): every row must fill it",
                {"field": column.key}), grid.file))
    if not {NOMINEE, PERSON, NOMINEE_UNIT} & set(result.at):
        result.problems.append(Located(header_row, 1, Reason(
            "list.no_nominee_column", "no nominee column: give 'nominee' (the name) or "
            "'person' (a login of the directory)"), grid.file))
    rows = [(n, c) for n, c in grid.rows if n > header_row]
    result.first_row = header_row + 1
    if rows and _is_label_row(rows[0][1], result.at, by_key):
        result.first_row = rows[0][0] + 1
        rows = rows[1:]
    seen: dict[str, int] = {}
    for count, (number, row) in enumerate(rows, start=1):
        if count > MAX_ROWS:
            result.problems.append(Located(number, 1, Reason(
                "list.too_many_rows", f"a list holds at most {MAX_ROWS:,} rows; split the "
                "file", {"max": MAX_ROWS}), grid.file))
            break
        entry = _entry(number, row, by_key, result)
        if entry is None:
            continue
        key = entry.person or (f"unit:{entry.nominee_unit}" if entry.nominee_unit else None) or (
            _name_key(entry.nominee) if entry.nominee else None)
        if key is not None:
            first = seen.setdefault(key, number)
            if first != number:
                where = PERSON if entry.person else (
                    NOMINEE_UNIT if entry.nominee_unit else NOMINEE)
                result.problem(number, where, Reason(
                    "list.same_nominee", f"the same nominee as row {first}", {"row": first}))
        result.entries.append(entry)
    result.problems.sort()
    return result


# ---- the header ----------------------------------------------------------------------------


def _plain(text: str) -> str:
    """Compared as people type headers: no accents, no case, single spaces, no marks of
    'required' at the end."""
    decomposed = unicodedata.normalize("NFD", nfc(text).replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(bare.casefold().split()).rstrip(" *:")


def _names(column: Column) -> set[str]:
    names = {_plain(column.key), *(_plain(v) for v in column.label.values())}
    names |= set(_ALIASES.get(column.key, ()))
    return names


def _match(text: str, known: Sequence[Column]) -> Column | None:
    plain = _plain(text)
    inner = re.fullmatch(r".*\(([^()]*)\)", plain)  # "Xếp loại (rating)"
    for column in known:
        names = _names(column)
        if plain in names or (inner and inner.group(1).strip() in names):
            return column
    return None


def _header(grid: Grid, known: Sequence[Column]) -> tuple[int, tuple[Any, ...]] | None:
    for number, cells in grid.rows[:HEADER_SEARCH]:
        matched = [_match(str(c), known) for c in cells if isinstance(c, str) and c.strip()]
        if any(m is not None and m.key in (NOMINEE, PERSON, NOMINEE_UNIT) for m in matched):
            return number, cells
    return None


def _read_header(cells: tuple[Any, ...], known: Sequence[Column], result: ParsedList) -> None:
    options = [c.key for c in known]
    for index, cell in enumerate(cells, start=1):
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        text = str(cell).strip()
        column = _match(text, known)
        if column is None:
            if _plain(text) not in _IGNORED:
                result.problems.append(Located(result.header_row, index, Reason(
                    "list.unknown_column", f"unknown column {text!r}{suggest(text, options)}; "
                    f"the columns of this list are {', '.join(options)}", {"column": text}),
                    result.file))
            continue
        first = result.at.setdefault(column.key, index)
        if first != index:
            result.columns_ok = False
            result.problems.append(Located(result.header_row, index, Reason(
                "list.column_twice", f"column {column.key!r} appears twice (first in "
                f"{column_letter(first)})", {"column": column.key,
                                             "first": column_letter(first)}), result.file))


def _is_label_row(cells: tuple[Any, ...], at: Mapping[str, int],
                  by_key: Mapping[str, Column]) -> bool:
    """The template's second row, which repeats each column's label."""
    filled = 0
    for key, index in at.items():
        cell = cells[index - 1] if index <= len(cells) else None
        if cell is None:
            continue
        if not isinstance(cell, str) or _match(cell, [by_key[key]]) is None:
            return False
        filled += 1
    return filled > 0


# ---- the rows ------------------------------------------------------------------------------


def _entry(number: int, cells: tuple[Any, ...], by_key: Mapping[str, Column],
           result: ParsedList) -> Entry | None:
    def cell(key: str) -> Any:
        index = result.at.get(key)
        value = cells[index - 1] if index is not None and index <= len(cells) else None
        return None if isinstance(value, str) and not value.strip() else value

    if all(cell(key) is None for key in result.at):
        return None  # a row with nothing in the list's columns: a note, a blank line
    entry = Entry(number, None, None, {}, dict(result.at))
    for key in result.at:
        raw = cell(key)
        if isinstance(raw, Uncomputed):
            result.problem(number, key, Reason(
                "list.formula", f"the formula {raw.formula!r} has no computed value in the "
                "file; open and save it in a spreadsheet program, or type the value",
                {"formula": raw.formula}))
            continue
        if key == NOMINEE:
            entry.nominee = None if raw is None else " ".join(nfc(_text(raw)).split())
        elif key == PERSON:
            entry.person = _login(raw, number, result)
        elif key == NOMINEE_UNIT:
            entry.nominee_unit = None if raw is None else _text(raw).strip() or None
        else:
            spec = by_key[key].spec
            assert spec is not None
            try:
                value = coerce(spec, _prepare(spec, raw))
            except InvalidInput as exc:
                result.problem(number, key, exc.reason or Reason("list.bad_value", exc.message,
                                                                 {"field": key}))
                continue
            if value is not None:
                entry.values[key] = value
    for column in by_key.values():
        if (column.required and column.key in result.at and column.key not in entry.values
                and cell(column.key) is None):
            result.problem(number, column.key, Reason(
                "list.required", f"{column.key!r} ({column.label.get('vi', column.key)}) is "
                "required", {"field": column.key}))
    if entry.nominee is None and entry.person is None and entry.nominee_unit is None and not any(
            isinstance(cell(k), Uncomputed) for k in (NOMINEE, PERSON, NOMINEE_UNIT)):
        result.problem(number, NOMINEE if NOMINEE in result.at else PERSON, Reason(
            "list.no_nominee", "no nominee: give the name (nominee) or a login (person)"))
    return entry


def _login(raw: Any, number: int, result: ParsedList) -> str | None:
    if raw is None:
        return None
    login = _text(raw).strip().lower()
    if not LOGIN_RE.fullmatch(login):
        result.problem(number, PERSON, Reason(
            "list.bad_login", f"{_text(raw)!r} is not a login (lowercase letters, digits, "
            "'.', '_' and '-')", {"login": _text(raw)}))
        return None
    return login


#: what a spreadsheet program reads as the start of a formula; an export writes such text
#: with a leading apostrophe (see workflow.sheets), which is dropped again here
_FORMULA_START = ("=", "+", "-", "@")


def _text(value: Any) -> str:
    if isinstance(value, str) and value.startswith("'") and value[1:2] in _FORMULA_START:
        return value[1:]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() \
            else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _prepare(spec: FieldSpec, raw: Any) -> Any:
    """A cell as :func:`coerce` reads text: what a spreadsheet stores, and what Vietnamese
    offices type (``15/01/2026``, ``8,5``, ``x`` for yes), turned into the engine's spelling.
    Anything else is passed on for coerce to refuse with its own message."""
    if raw is None:
        return None
    kind = spec.type
    if kind == "date":
        if isinstance(raw, datetime):
            return raw.date().isoformat()
        if isinstance(raw, date):
            return raw.isoformat()
        text = str(raw).strip()
        match = _DAY_FIRST.fullmatch(text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                return text  # 31/02/2026: coerce says it is not a date
        return text
    if isinstance(raw, datetime | date) and kind in ("integer", "number", "boolean", "enum"):
        return _text(raw)  # a date where a number belongs: refused by coerce, as typed
    if kind == "integer" and isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if kind == "number" and isinstance(raw, str) and _DECIMAL_COMMA.fullmatch(raw.strip()):
        return raw.strip().replace(",", ".")
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int | float):
            return {1: True, 0: False}.get(int(raw), raw) if float(raw).is_integer() else raw
        text = nfc(str(raw)).strip().casefold()
        return True if text in _TRUE else raw
    if kind == "enum":
        text = nfc(_text(raw)).strip()
        if text not in spec.values:
            folded = [v for v in spec.values if v.casefold() == text.casefold()]
            if len(folded) == 1:
                return folded[0]
        return text
    if kind in ("string", "text"):
        return nfc(_text(raw)).strip()
    return raw


def _name_key(name: str) -> str:
    return " ".join(nfc(name).casefold().split())


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
