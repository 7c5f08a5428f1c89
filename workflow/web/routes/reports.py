"""The dashboard of a unit for its secretariat, council, head and auditors (the unit and
everything below it): the cycle at a glance, the priority shares against the year before,
what is late, who may have been missed — and the same downloads as ``award report``.

Every figure comes from :meth:`Service.reports.build`, so the page, the CLI and the files
agree; the charts are inline SVG drawn from :func:`workflow.reportfiles.bars` (no script, no
internet).
"""

from __future__ import annotations

import io
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse

from workflow.errors import InvalidInput, NotFound, PermissionDenied
from workflow.report import Chart, Report, Table
from workflow.reportfiles import bars, write_csv
from workflow.service import Service
from workflow.web.deps import Acting, Lang, ServiceDep, Words, page_router
from workflow.web.files import DOCUMENT_CSP
from workflow.web.render import page

__all__ = ["router"]

router = page_router()

DOWNLOADS = ("cycle", "priority", "timeliness", "statistics", "eligible")
MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "html": "text/html; charset=utf-8", "csv": "text/csv; charset=utf-8"}
LATE_SHOWN = 10


def _year(service: Service, year: str | None) -> int:
    if year is None or year == "":
        return service.clock.now().astimezone(service.display_tz).year
    if not year.isdigit() or not 1900 <= int(year) <= 2100:
        raise InvalidInput(f"year {year!r}: give a year between 1900 and 2100",
                           msgid="report.bad_year")
    return int(year)


def _unit(service: Service, units: list[dict[str, str]], unit: str | None) -> str:
    if not units:
        raise PermissionDenied("reports need a reporting role at a unit",
                               msgid="report.denied_any")
    return unit or units[0]["id"]


def _columns(table: Table, lang: str) -> list[dict[str, Any]]:
    return [{"key": c.key, "kind": c.kind, "label": (c.en if lang == "en" else c.vi) or c.vi}
            for c in table.columns]


def _view(table: Table, lang: str) -> dict[str, Any]:
    return {"key": table.key, "title": table.en if lang == "en" else table.vi,
            "columns": _columns(table, lang), "rows": table.rows, "chart": bars(table)}


def _glance(cycle: Report) -> dict[str, Any]:
    """Totals for the tiles and the stages where items are now (the chart)."""
    total = cycle.table("flows").rows[-1]
    stages = cycle.table("stages").rows
    due = sum(r["finished_with_due"] for r in stages)
    on_time = sum(round((r["on_time"] or 0) * r["finished_with_due"]) for r in stages)
    now = Table("now", "Hồ sơ đang ở từng bước", "Items at each stage now",
                cycle.table("stages").columns,
                [{**r, "stage": f"{r['stage']} ({r['flow']})"} for r in stages if r["open"]],
                Chart("Hồ sơ đang ở từng bước", "Items at each stage now", "stage",
                      ("open", "overdue")))
    return {"total": total, "on_time": (on_time / due) if due else None, "now": now}


@router.get("/reports")
def dashboard(request: Request, service: ServiceDep, who: Acting, lang: Lang, t: Words,
              unit: str | None = None, year: str | None = None) -> HTMLResponse:
    units = service.reports.units_for(who)
    chosen = _unit(service, units, unit)
    when = _year(service, year)
    build = service.reports.build
    cycle = build("cycle", actor=who, unit=chosen, year=when)
    priority = build("priority", actor=who, unit=chosen, year=when)
    timeliness = build("timeliness", actor=who, unit=chosen, year=when)
    eligible = build("eligible", actor=who, unit=chosen, year=when)
    glance = _glance(cycle)
    late = timeliness.table("units")
    late.rows = [r for r in late.rows if r["late"]][:LATE_SHOWN]
    return page(request, "reports.html.j2", {
        "units": units, "unit": chosen, "year": when, "cycle": cycle, "glance": glance,
        "now": _view(glance["now"], lang), "stages": _view(cycle.table("stages"), lang),
        "shares": _view(priority.table("shares"), lang),
        "levels": _view(priority.table("awards"), lang),
        "late": _view(late, lang),
        "longest": _view(timeliness.table("longest"), lang),
        "eligible": _view(eligible.table("people"), lang),
        "downloads": [{"kind": k, "tables": _tables(service, k)} for k in DOWNLOADS],
        "query": f"unit={chosen}&year={when}"}, title=t("reports.title"))


def _tables(service: Service, kind: str) -> list[str]:
    """The tables of a kind, for its CSV links (known without building it)."""
    return {"cycle": ["flows", "stages"], "priority": ["shares", "awards", "nominations"],
            "timeliness": ["units", "stages", "longest", "objections"],
            "statistics": ["awards", "forms", "levels", "nominations", "complaints"],
            "eligible": ["people", "awards"]}.get(kind, [])


@router.get("/reports/{kind}.{fmt}")
def download(service: ServiceDep, who: Acting, kind: str, fmt: str, unit: str | None = None,
             year: str | None = None, table: str | None = None) -> Response:
    """A report as a file, as ``award report KIND --out`` writes it."""
    if fmt not in MEDIA:
        raise InvalidInput(f"format {fmt!r}: use xlsx, html or csv", msgid="report.bad_format",
                           values={"format": fmt})
    chosen = _unit(service, service.reports.units_for(who), unit)
    built = service.reports.build(kind, actor=who, unit=chosen, year=_year(service, year))
    out = io.BytesIO()
    name = f"{kind}-{chosen}-{built.period.label}"
    if fmt == "csv":
        picked = next((tb for tb in built.tables if tb.key == (table or built.tables[0].key)),
                      None)
        if picked is None:
            raise NotFound(f"report {kind} has no table {table!r}", msgid="report.no_table",
                           values={"table": table})
        write_csv(picked, out)
        name += f"-{picked.key}"
    else:
        service.reports.write(built, fmt, out)
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    if fmt == "html":
        headers["Content-Security-Policy"] = DOCUMENT_CSP
    return Response(out.getvalue(), media_type=MEDIA[fmt], headers=headers)
