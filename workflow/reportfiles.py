"""Reports as files: ``.csv`` (one table per file), ``.xlsx`` (one sheet per table, native
Excel bar charts, frozen headers, number formats) and ``.html`` (a self-contained, printable
A4 page with the charts drawn as inline SVG — nothing fetched from the internet).

Charts are simple horizontal bar charts: :func:`bars` computes their geometry here and the
page's template draws it, so every label reaches the SVG through the template's autoescape.

Adapter: imports openpyxl and the pure :mod:`workflow.report`; the HTML page is rendered by a
renderer passed in (the documents adapter), never by importing it.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

import openpyxl
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from workflow.errors import UsageError
from workflow.report import Chart, Report, Table

__all__ = ["FORMATS", "ChartGeometry", "bars", "csv_names", "format_of", "minute",
           "write_csv", "write_html", "write_xlsx"]

FORMATS = ("csv", "xlsx", "html")
PALETTE = ("#1f5f99", "#e07b28", "#3a9a5b", "#b8423a", "#7d5ba6", "#8c6d31")
_NUMBER_FORMATS = {"int": "#,##0", "share": "0.0%", "days": "0.00"}
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_TOTAL_LABEL = "Tổng cộng"
#: what a spreadsheet program reads as the start of a formula in a text cell
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Renderer(Protocol):
    def render(self, name: str, context: Mapping[str, Any]) -> str: ...


def minute(value: str) -> str:
    """An ISO instant as people read it: ``2026-01-28 23:59`` (the local time it holds)."""
    return value[:16].replace("T", " ")


def format_of(path: Path) -> str:
    """``csv``, ``xlsx`` or ``html`` from ``--out``; a folder (existing, or a path ending
    in a separator) is ``csv``, one file per table."""
    if path.is_dir() or str(path).endswith(("/", "\\")):
        return "csv"
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise UsageError(f"--out {path}: the file name must end in .csv, .xlsx or .html "
                         "(or name a folder, for one .csv per table)")
    return suffix


def csv_names(report: Report, path: Path) -> list[tuple[Table, Path]]:
    """Where each table goes: into a folder as ``KIND-TABLE.csv``; a ``.csv`` file holds a
    report of one table, and ``NAME-TABLE.csv`` files beside it hold a report of several."""
    if path.is_dir() or str(path).endswith(("/", "\\")):
        return [(t, path / f"{report.kind}-{t.key}.csv") for t in report.tables]
    if len(report.tables) == 1:
        return [(report.tables[0], path)]
    return [(t, path.with_name(f"{path.stem}-{t.key}{path.suffix}")) for t in report.tables]


def _cell_text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # shown as text by spreadsheet programs, never run
    return "" if value is None else value


def write_csv(table: Table, out: IO[bytes]) -> None:
    """One table: a row of Vietnamese headers, then the rows (shares as fractions), UTF-8
    with a byte-order mark (which Excel needs to show Vietnamese)."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow([c.vi or c.en or c.key for c in table.columns])
    for row in table.rows:
        writer.writerow([_cell_text(row.get(c.key)) for c in table.columns])
    text.flush()
    text.detach()


def _sheet_title(table: Table, used: set[str]) -> str:
    base = "".join(ch for ch in table.vi if ch not in "[]:*?/\\")[:28] or table.key
    title, n = base, 2
    while title.lower() in used:
        title, n = f"{base[:25]} {n}", n + 1
    used.add(title.lower())
    return title


def write_xlsx(report: Report, out: IO[bytes]) -> None:
    """A summary sheet, then one sheet per table: title, frozen header row, number formats
    by column kind, a bold total row, and a native bar chart where the table has one."""
    book = openpyxl.Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "Tóm tắt"
    summary["A1"] = report.vi
    summary["A1"].font = Font(bold=True, size=14)
    summary["A2"] = report.en
    summary["A2"].font = Font(italic=True, color="555555")
    facts = [("Đơn vị / Unit", report.unit_name + (f" ({report.unit})" if report.unit else "")),
             ("Kỳ báo cáo / Period", report.period.label),
             ("Lập lúc / Generated", report.generated_at)]
    for i, (label, value) in enumerate(facts, start=4):
        summary.cell(row=i, column=1, value=label).font = Font(bold=True)
        summary.cell(row=i, column=2, value=_cell_text(value))
    row = 4 + len(facts) + 1
    for vi, en in report.basis:
        summary.cell(row=row, column=1, value=vi).alignment = Alignment(wrap_text=True)
        summary.cell(row=row + 1, column=1, value=en).font = Font(italic=True, color="555555")
        row += 2
    summary.column_dimensions["A"].width = 60
    summary.column_dimensions["B"].width = 40
    used = {"tóm tắt"}
    for table in report.tables:
        _sheet(book.create_sheet(_sheet_title(table, used)), table)
    book.save(out)


def _sheet(sheet: Any, table: Table) -> None:
    sheet["A1"] = f"{table.vi} — {table.en}"
    sheet["A1"].font = Font(bold=True, size=12)
    header = 2
    for col, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=header, column=col, value=column.vi or column.en)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        width = 34 if column.kind == "text" else 14
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.freeze_panes = sheet.cell(row=header + 1, column=1)
    for r, values in enumerate(table.rows, start=header + 1):
        total = values.get(table.columns[0].key) == _TOTAL_LABEL
        for col, column in enumerate(table.columns, start=1):
            value = values.get(column.key)
            cell = sheet.cell(row=r, column=col)
            if isinstance(value, str):
                cell.value = value
                cell.data_type = "s"  # text that looks like a formula stays text
            else:
                cell.value = value
            if column.kind in _NUMBER_FORMATS:
                cell.number_format = _NUMBER_FORMATS[column.kind]
            if total:
                cell.font = Font(bold=True)
    if table.note:
        sheet.cell(row=header + len(table.rows) + 2, column=1, value=table.note).font = Font(
            italic=True)
    if table.chart is not None and table.rows:
        _chart(sheet, table, table.chart, header)


def _chart(sheet: Any, table: Table, chart: Chart, header: int) -> None:
    keys = [c.key for c in table.columns]
    rows = [r for r in table.rows if r.get(table.columns[0].key) != _TOTAL_LABEL]
    if not rows or chart.category not in keys:
        return
    last = header + len(rows)
    bar = BarChart()
    bar.type = "bar"
    bar.style = 10
    bar.title = chart.vi
    bar.height = max(7.5, 0.6 * len(rows) * max(1, len(chart.series)) + 3)
    bar.width = 18
    for key in chart.series:
        if key not in keys:
            continue
        col = keys.index(key) + 1
        bar.add_data(Reference(sheet, min_col=col, min_row=header, max_row=last),
                     titles_from_data=True)
    cat = keys.index(chart.category) + 1
    bar.set_categories(Reference(sheet, min_col=cat, min_row=header + 1, max_row=last))
    if chart.percent:
        bar.y_axis.number_format = "0%"
        bar.y_axis.scaling.min = 0
        bar.y_axis.scaling.max = 1
    bar.x_axis.delete = False
    bar.y_axis.delete = False
    sheet.add_chart(bar, f"{get_column_letter(len(keys) + 2)}{header}")


# ---- HTML ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    color: str
    value: str


@dataclass(frozen=True)
class Group:
    label: str
    y: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class ChartGeometry:
    """A horizontal bar chart, ready to draw: the box, one group of bars per row, the axis
    ticks, and the legend."""

    title: str
    width: int
    height: int
    left: int
    plot_width: int
    groups: tuple[Group, ...]
    ticks: tuple[tuple[float, str], ...]
    legend: tuple[tuple[str, str], ...]


def _fmt(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.1f}%".replace(".", ",")
    return f"{value:,.0f}".replace(",", ".") if float(value).is_integer() else f"{value:.2f}"


def _nice(largest: float) -> float:
    """The axis end for counts: four whole steps of 1, 2 or 5 times a power of ten."""
    step = max(largest / 4, 1.0)
    power = 10 ** math.floor(math.log10(step))
    for factor in (1, 2, 5, 10):
        if step <= factor * power:
            return float(factor * power * 4)
    return float(10 * power * 4)


def bars(table: Table, width: int = 720, bar_height: int = 14, left: int = 290
         ) -> ChartGeometry | None:
    """The geometry of a table's chart (None: no chart, or nothing to draw)."""
    chart = table.chart
    if chart is None:
        return None
    labels = {c.key: c.vi or c.en for c in table.columns}
    series = [s for s in chart.series if s in labels]
    rows = [r for r in table.rows if r.get(chart.category) != _TOTAL_LABEL]
    if not rows or not series:
        return None
    values = [float(r.get(s) or 0) for r in rows for s in series]
    top = 1.0 if chart.percent else _nice(max([*values, 1.0]))
    plot = width - left - 60
    gap = 8
    group_height = bar_height * len(series) + gap
    groups = []
    y = 24.0
    for row in rows:
        items = []
        for i, key in enumerate(series):
            value = row.get(key)
            number = float(value or 0)
            items.append(Bar(left, y + i * bar_height, round(plot * min(number, top) / top, 1),
                             bar_height - 2, PALETTE[i % len(PALETTE)],
                             "–" if value is None else _fmt(number, chart.percent)))
        label = str(row.get(chart.category) or "")
        groups.append(Group(label if len(label) <= 46 else label[:45] + "…", y, tuple(items)))
        y += group_height
    ticks = tuple((round(left + plot * f, 1), _fmt(top * f, chart.percent))
                  for f in (0, 0.25, 0.5, 0.75, 1))
    legend = tuple((PALETTE[i % len(PALETTE)], labels[key]) for i, key in enumerate(series))
    return ChartGeometry(chart.vi, width, int(y + 34), left, plot, tuple(groups), ticks, legend)


def write_html(report: Report, renderer: Renderer, out: IO[bytes]) -> None:
    tables = []
    for table in report.tables:
        rows = []
        for row in table.rows:
            cells = []
            for column in table.columns:
                value = row.get(column.key)
                if value is None:
                    text = "–" if column.kind != "text" else ""
                elif column.kind == "share":
                    text = _fmt(float(value), True)
                elif column.kind == "days":
                    text = f"{float(value):.2f}".replace(".", ",")
                elif column.kind == "int":
                    text = _fmt(float(value), False)
                elif column.kind == "time":
                    text = minute(str(value))
                else:
                    text = str(value)
                cells.append({"text": text, "number": column.kind not in ("text", "time")})
            rows.append({"cells": cells, "total": row.get(table.columns[0].key) == _TOTAL_LABEL})
        tables.append({"key": table.key, "vi": table.vi, "en": table.en, "note": table.note,
                       "columns": table.columns, "rows": rows, "chart": bars(table)})
    page = renderer.render("report.html.j2", {"report": report, "tables": tables})
    out.write(page.encode("utf-8"))
