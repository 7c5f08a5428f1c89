"""``award report KIND``: the statistics of SPEC §10.6 on the terminal, as JSON, or as files."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from workflow.cli.base import app, command, state
from workflow.cli.output import Output
from workflow.errors import InvalidInput

if TYPE_CHECKING:
    from workflow.report import Report

__all__ = ["print_report"]


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{option} {value!r} is not a date; write YYYY-MM-DD",
                           msgid="report.bad_date", values={"option": option}) from None


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "share":
        return f"{float(value) * 100:.1f}%"
    if kind == "days":
        return f"{float(value):.2f}"
    if kind == "time":
        return str(value)[:16].replace("T", " ")
    return str(value)


def print_report(out: Output, report: Report) -> None:
    """The report as terminal tables: title, unit and period, how it counts, each table."""
    out.line(f"{report.en} — {report.vi}")
    out.line(f"unit: {report.unit_name}{f' ({report.unit}) and below' if report.unit else ''}"
             f"; period: {report.period.label}; at {report.generated_at}")
    for _, en in report.basis:
        out.line(f"  · {en}")
    for table in report.tables:
        if not table.rows:
            out.line(f"{table.en}: nothing in this period")
            continue
        out.table([c.en or c.key for c in table.columns],
                  ([_cell(row.get(c.key), c.kind) for c in table.columns] for row in table.rows),
                  title=f"{table.en} — {table.vi}")


@command(app, "report")
def report(
    ctx: typer.Context,
    kind: str = typer.Argument(..., metavar="KIND", help="cycle, priority, timeliness, "
                               "statistics, eligible or campaign"),
    argument: str | None = typer.Argument(None, metavar="[CAMPAIGN]",
                                          help="the campaign (kind campaign)"),
    unit: str | None = typer.Option(None, "--unit", help="the unit and every unit below it "
                                    "(default: everything, or your own unit with --as)"),
    year: int | None = typer.Option(None, "--year", help="a calendar year: of the decision "
                                    "for awards, of creation for nominations"),
    first: str | None = typer.Option(None, "--from", metavar="DATE", help="first day "
                                     "(YYYY-MM-DD)"),
    last: str | None = typer.Option(None, "--to", metavar="DATE", help="last day, included"),
    out: Path | None = typer.Option(None, "--out", metavar="FILE", help=".xlsx, .html or "
                                    ".csv (one file per table), or a folder for the .csv"),
) -> None:
    """Statistics for a unit and everything below it: cycle, priority, timeliness,
    statistics, eligible, or campaign CAMPAIGN (the campaign's review)."""
    from workflow.cli.lists import _written

    st = state(ctx)
    service = st.service()
    fmt = None
    if out is not None:
        from workflow.reportfiles import format_of
        fmt = format_of(out)
    # with --as (or AWARD_USER) the report is what that person may read; without, the
    # administrator's command line reads everything, like award list
    actor = st.actor() if st.user or os.environ.get("AWARD_USER") else None
    built = service.reports.build(kind, actor=actor, unit=unit, year=year,
                                  first=_date(first, "--from"), last=_date(last, "--to"),
                                  arg=argument)
    if out is None or fmt is None:
        st.out.emit(built.to_dict(), lambda _: print_report(st.out, built))
        return
    written: list[str] = []
    if fmt == "csv":
        pairs = service.reports.csv_files(built, out)
        if pairs and not pairs[0][1].parent.exists():
            raise InvalidInput(f"--out {out}: the folder {pairs[0][1].parent} does not exist")
        from workflow.reportfiles import write_csv
        for table, path in pairs:
            with _written(path) as handle:
                write_csv(table, handle)
            written.append(str(path))
    else:
        with _written(out) as handle:
            service.reports.write(built, fmt, handle)
        written.append(str(out))
    st.out.emit({"kind": built.kind, "format": fmt, "out": written,
                 "period": built.period.to_dict(), "headline": built.headline},
                lambda r: st.out.line(f"wrote {', '.join(r['out'])}"))
