"""Reports as data: a titled set of tables (columns with a kind, rows of plain values) with the
charts to draw from them, and the period a report covers.

A :class:`Report` is what every output shows — the terminal table, JSON, CSV, the workbook and
the HTML page are views of the same object, so the figures cannot differ between them. Shares
are fractions (0.25), rounded once here; days are calendar days with two decimals.

Pure: no store, no jinja2, no typer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from workflow.errors import InvalidInput

__all__ = ["Chart", "Column", "Period", "Report", "Table", "days", "period", "share"]

#: what a column holds: how it is aligned, formatted in a workbook and drawn ("time": an ISO
#: 8601 instant with the local offset, shown to the minute)
KINDS = ("text", "int", "share", "days", "time")


def share(part: int, whole: int) -> float | None:
    """``part / whole`` to four decimals; None when there is nothing to share."""
    return None if whole == 0 else round(part / whole, 4)


def days(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


@dataclass(frozen=True)
class Column:
    key: str
    vi: str
    en: str
    kind: str = "int"

    def to_dict(self) -> dict[str, str]:
        return {"key": self.key, "vi": self.vi, "en": self.en, "kind": self.kind}


@dataclass(frozen=True)
class Chart:
    """A bar chart of a table: one bar group per row (labelled by ``category``), one bar per
    ``series`` column. ``percent`` draws shares on a 0–100 % axis."""

    vi: str
    en: str
    category: str
    series: tuple[str, ...]
    percent: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"vi": self.vi, "en": self.en, "category": self.category,
                "series": list(self.series), "percent": self.percent}


@dataclass
class Table:
    key: str
    vi: str
    en: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    chart: Chart | None = None
    note: str = ""

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "vi": self.vi, "en": self.en,
                "columns": [c.to_dict() for c in self.columns], "rows": self.rows,
                "chart": self.chart.to_dict() if self.chart else None, "note": self.note}


@dataclass(frozen=True)
class Period:
    """Local dates ``first``..``last`` (both included; None: open) and the UTC instants
    ``[start, end)`` that bound them. ``year`` when the period is one calendar year."""

    first: date | None
    last: date | None
    start: datetime | None
    end: datetime | None
    year: int | None = None

    @property
    def label(self) -> str:
        if self.year is not None:
            return str(self.year)
        if self.first is None and self.last is None:
            return "all time"
        return f"{self.first or '…'} – {self.last or '…'}"

    def previous_year(self, tz: ZoneInfo) -> Period | None:
        return None if self.year is None else period(tz, year=self.year - 1)

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "from": self.first.isoformat() if self.first else None,
                "to": self.last.isoformat() if self.last else None, "label": self.label}


def period(tz: ZoneInfo, *, year: int | None = None, first: date | None = None,
           last: date | None = None) -> Period:
    """The period of ``--year`` or ``--from``/``--to`` in the calendar's time zone."""
    if year is not None and (first is not None or last is not None):
        raise InvalidInput("give --year or --from/--to, not both", msgid="report.period_both")
    if year is not None:
        if not 1900 <= year <= 2100:
            raise InvalidInput(f"--year {year}: give a year between 1900 and 2100",
                               msgid="report.bad_year")
        first, last = date(year, 1, 1), date(year, 12, 31)
    if first is not None and last is not None and last < first:
        raise InvalidInput(f"--to {last} is before --from {first}", msgid="report.bad_period")

    def at(day: date | None) -> datetime | None:
        return None if day is None else datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)

    return Period(first, last, at(first), at(last + timedelta(days=1)) if last else None, year)


@dataclass
class Report:
    kind: str
    vi: str
    en: str
    unit: str | None
    unit_name: str
    period: Period
    generated_at: str
    tables: list[Table] = field(default_factory=list)
    #: how the figures are counted, said on every output (Vietnamese, English)
    basis: list[tuple[str, str]] = field(default_factory=list)
    #: headline figures for a summary line (priority shares …)
    headline: dict[str, Any] = field(default_factory=dict)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "title": {"vi": self.vi, "en": self.en},
                "unit": self.unit, "unit_name": self.unit_name,
                "period": self.period.to_dict(), "generated_at": self.generated_at,
                "basis": [{"vi": vi, "en": en} for vi, en in self.basis],
                "headline": self.headline,
                "tables": [t.to_dict() for t in self.tables]}
