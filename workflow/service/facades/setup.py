"""For administrators: the schema, the directory, the flows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workflow.definitions import flow_files
from workflow.directory import parse_directory
from workflow.errors import AwardError, DefinitionError, Problem, StoreUnavailable
from workflow.flow import load_flow
from workflow.flow.io import describe, render_graph
from workflow.mailer import MailError
from workflow.service.base import Deps
from workflow.service.commands.campaigns import import_registrations
from workflow.store import Tx
from workflow.yamlnodes import read_definition

__all__ = ["Setup"]


class Setup:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    def init(self) -> dict[str, Any]:
        """Create the schema, or upgrade it in place to this release's revision."""
        before, after = self._deps.store.create_schema()
        return {"created": before is None, "from": before, "revision": after,
                "database": self._deps.store.url}

    def revision(self) -> dict[str, Any]:
        revision, head = self._deps.store.revision()
        return {"revision": revision, "head": head, "at_head": revision == head,
                "database": self._deps.store.url}

    def health(self) -> None:
        """Raise :class:`~workflow.errors.StoreUnavailable` unless one unit of work can read
        the award schema now (a connection is borrowed and returned like any request's)."""
        if self._deps.run(lambda tx: tx.meta.get("schema")) is None:
            raise StoreUnavailable("the database has no award schema; run `award init`")

    def load_directory(self, path: Path) -> dict[str, Any]:
        deps = self._deps
        text = read_definition(path)
        codes = deps.definitions.catalogue.codes()
        campaigns = deps.definitions.campaigns

        def work(tx: Tx) -> dict[str, Any]:
            # a file may add people to units and people already loaded (an add-on file)
            data = parse_directory(text, str(path), codes,
                                   {u.id: u for u in tx.directory.units()},
                                   tx.directory.logins(),
                                   {c.id: c.awards for c in campaigns.values()})
            counts = tx.directory.apply(data)
            registered = import_registrations(deps, tx, str(path), data.registrations)
            if any(counts.values()) or registered:
                extra = {"registrations": registered} if registered else {}
                tx.audit.append(deps.now(), "admin", "imported", None, None, None, {
                    "file": path.name, **counts, **extra,
                    "units_total": len(data.units), "people_total": len(data.people)})
            return {"file": str(path), "changed": counts,
                    "units": len(data.units), "people": len(data.people),
                    "awards": len(data.awards), "registrations": len(data.registrations)}

        return deps.run(work)

    def backup(self, target: Path) -> dict[str, Any]:
        """A consistent copy of a live SQLite database (see :meth:`Store.backup`)."""
        size = self._deps.store.backup(target)
        return {"out": str(target), "bytes": size, "database": self._deps.store.url}

    def doctor(self) -> list[dict[str, str]]:
        """Checks of the installation, one per line: ``ok``, ``warn`` or ``fail`` with why."""
        deps = self._deps
        checks: list[dict[str, str]] = []

        def check(name: str, status: str, detail: str) -> None:
            checks.append({"check": name, "status": status, "detail": detail})

        try:
            self.health()
            check("database", "ok", deps.store.url)
        except AwardError as exc:
            check("database", "fail", exc.message)
        try:
            revision = self.revision()
            if revision["at_head"]:
                check("schema", "ok", f"revision {revision['revision']}")
            else:
                check("schema", "fail", f"revision {revision['revision'] or 'none'}, this "
                      f"release needs {revision['head']}: run award db upgrade")
        except AwardError as exc:
            check("schema", "fail", exc.message)
        broken = deps.definitions.broken
        check("definitions", "fail" if broken else "ok",
              f"{len(broken)} flow file(s) with problems: {', '.join(sorted(broken))}"
              if broken else f"{len(deps.definitions.flows)} flows, "
              f"{len(deps.definitions.catalogue.codes())} awards, "
              f"{len(deps.definitions.calendars)} calendar(s)")
        next_year = deps.now().astimezone(deps.display_tz).year + 1
        for calendar in deps.definitions.calendars.values():
            announced = [d for d in (*calendar.days_off, *calendar.working_days)
                         if d.year == next_year]
            holidays = calendar.holidays_in(next_year)
            if not holidays:
                check(f"calendar {calendar.id}", "fail", f"no public holidays known for "
                      f"{next_year}: upgrade the holidays package")
            elif not announced:
                check(f"calendar {calendar.id}", "warn", f"{len(holidays)} public holidays "
                      f"known for {next_year}, but no days swapped or added by the "
                      f"government yet: add them to the calendar file when announced")
            else:
                check(f"calendar {calendar.id}", "ok", f"{len(holidays)} public holidays and "
                      f"{len(announced)} announced day(s) for {next_year}")
        try:
            deps.keys.key()
            check("installation key", "ok", "readable (AWARD_SECRET or the key file)")
        except AwardError as exc:
            check("installation key", "fail", exc.message)
        try:
            mailer = deps.mail()
        except AwardError as exc:
            check("email", "fail", exc.message)
        else:
            if mailer is None:
                check("email", "warn", "AWARD_SMTP_URL is not set: messages stay in the outbox")
            else:
                try:
                    mailer.check()
                    check("email", "ok", f"{mailer.describe()} answers")
                except MailError as exc:
                    check("email", "fail", str(exc))
        return checks

    def flows(self) -> list[dict[str, Any]]:
        defs = self._deps.definitions
        out = [
            {"id": f.id, "version": f.version, "title": dict(f.title), "award": f.award,
             "states": list(f.states), "path": f.path, "ok": True}
            for f in sorted(defs.flows.values(), key=lambda f: f.id)
        ]
        for path, error in sorted(defs.broken.items()):
            out.append({"id": Path(path).stem, "path": path, "ok": False,
                        "error": str(error.problems[0]) if error.problems else error.message,
                        "problems": len(error.problems)})
        return out

    def flow_show(self, flow_id: str) -> dict[str, Any]:
        return describe(self._deps.definitions.flow(flow_id))

    def flow_graph(self, flow_id: str, fmt: str) -> str:
        return render_graph(self._deps.definitions.flow(flow_id), fmt)

    def validate(self, paths: list[Path]) -> list[Problem]:
        """Every problem in the given flow files (folders: their ``*.yaml``)."""
        problems: list[Problem] = []
        missing = [p for p in paths if not p.exists()]
        for path in missing:
            problems.append(Problem(str(path), 1, 1, "no such file or folder"))
        files = flow_files([p for p in paths if p.exists()])
        if not files and not missing:
            problems.append(Problem(str(paths[0]) if paths else ".", 1, 1, "no flow files found"))
        seen: dict[str, str] = {}
        for path in files:
            try:
                spec = load_flow(path, self._deps.definitions.env)
            except DefinitionError as exc:
                problems.extend(exc.problems)
                continue
            if spec.id in seen:
                problems.append(Problem(str(path), 1, 1,
                                        f"flow id {spec.id!r} is also defined in {seen[spec.id]}"))
            seen[spec.id] = str(path)
        return problems
