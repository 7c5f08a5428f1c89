"""For the secretariat, the councils and the auditors of a unit: ``award report`` and the web's
dashboard. A report covers a unit and every unit below it; one who acts (``actor``) must hold
a reporting role at that unit or above it. Each report is one read-only unit of work.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import IO, Any

from workflow.documents import Renderer
from workflow.errors import InvalidInput, NotFound, PermissionDenied
from workflow.report import Report, period
from workflow.service import access
from workflow.service.base import Actor, Deps
from workflow.service.reports import KINDS, Scope
from workflow.store import Tx
from workflow.yamlnodes import suggest

__all__ = ["REPORT_ROLES", "Reports"]

#: who reads a unit's reports: its secretariat, council, head, chairman and auditors (for the
#: unit and everything below it)
REPORT_ROLES = ("secretariat", "council_member", "council_chair", "unit_head", "chairman",
                "auditor")


class Reports:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    @property
    def kinds(self) -> list[str]:
        return list(KINDS)

    def build(self, kind: str, *, actor: Actor | None = None, unit: str | None = None,
              year: int | None = None, first: date | None = None, last: date | None = None,
              arg: str | None = None) -> Report:
        """The report ``kind`` for ``unit``'s subtree (None: the whole directory, or the
        actor's own top unit) over ``year`` or ``first``..``last``."""
        found = KINDS.get(kind)
        if found is None:
            raise InvalidInput(f"unknown report kind {kind!r}{suggest(kind, list(KINDS))}; "
                               f"allowed: {', '.join(KINDS)}", msgid="report.unknown_kind",
                               values={"kind": kind, "allowed": ", ".join(KINDS)})
        when = period(self._deps.display_tz, year=year, first=first, last=last)
        deps = self._deps

        def work(tx: Tx) -> Report:
            chosen = self._unit(tx, actor, unit)
            units = None
            if chosen is not None:
                units = sorted({chosen, *deps.tree(tx).descendants(chosen)})
            return found.build(Scope(deps, tx, chosen, units, when, deps.now(), arg))

        return deps.run(work)

    def units_for(self, actor: Actor) -> list[dict[str, str]]:
        """The units whose reports ``actor`` may read (where they hold a reporting role, and
        below), the highest first."""
        def work(tx: Tx) -> list[dict[str, str]]:
            tree = self._deps.tree(tx)
            out: dict[str, dict[str, str]] = {}
            for role, unit_id in tx.directory.roles_of(actor.login):
                if role not in REPORT_ROLES or unit_id not in tree.units:
                    continue
                for u in [unit_id, *sorted(tree.descendants(unit_id))]:
                    out.setdefault(u, {"id": u, "name": tree.units[u].name,
                                       "depth": str(len(tree.ancestors(u)))})
            return sorted(out.values(), key=lambda u: (int(u["depth"]), u["name"]))
        return self._deps.run(work)

    def _unit(self, tx: Tx, actor: Actor | None, unit: str | None) -> str | None:
        tree = self._deps.tree(tx)
        if unit is not None and unit not in tree.units:
            raise NotFound(f"no unit {unit!r} in the directory{suggest(unit, list(tree.units))}",
                           msgid="report.unknown_unit", values={"unit": unit})
        if actor is None:
            return unit
        if unit is None:
            held = [u for r, u in tx.directory.roles_of(actor.login)
                    if r in REPORT_ROLES and u in tree.units]
            if not held:
                raise PermissionDenied(f"{actor.login} may not read reports: needs one of "
                                       f"{', '.join(REPORT_ROLES)} at a unit",
                                       msgid="report.denied_any", actor=actor.login)
            return min(held, key=lambda u: (len(tree.ancestors(u)), u))
        if not any(access.sees(self._deps, tx, actor, unit, role) for role in REPORT_ROLES):
            raise PermissionDenied(
                f"{actor.login} may not read the reports of {unit}: needs one of "
                f"{', '.join(REPORT_ROLES)} at {unit} or a unit above it",
                msgid="report.denied", values={"unit": unit}, actor=actor.login)
        return unit

    # ---- files ---------------------------------------------------------------------------

    def renderer(self) -> Renderer:
        return Renderer(self._deps.renderer.folder / "reports")

    def write(self, report: Report, fmt: str, out: IO[bytes]) -> None:
        """``xlsx`` or ``html`` into ``out``; a ``csv`` of a report with one table."""
        from workflow import reportfiles  # openpyxl and the page's template: only when written

        if fmt == "xlsx":
            reportfiles.write_xlsx(report, out)
        elif fmt == "html":
            reportfiles.write_html(report, self.renderer(), out)
        elif fmt == "csv" and len(report.tables) == 1:
            reportfiles.write_csv(report.tables[0], out)
        else:
            raise InvalidInput(f"format {fmt!r}: use xlsx, html or csv",
                               msgid="report.bad_format", values={"format": fmt})

    def csv_files(self, report: Report, path: Path) -> list[tuple[Any, Path]]:
        from workflow import reportfiles

        return reportfiles.csv_names(report, path)
