"""For administrators: the schema, the directory, the flows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workflow.definitions import flow_files
from workflow.directory import parse_directory
from workflow.errors import AwardError, DefinitionError, Problem, StoreUnavailable
from workflow.flow import load_flow, parse_flow
from workflow.flow.io import describe, render_graph
from workflow.flow.io.diff import diff_flows
from workflow.flow.io.svg import render_svg
from workflow.mailer import MailError
from workflow.schemas import schema_text
from workflow.service import access
from workflow.service.base import Actor, Deps
from workflow.service.commands import migration
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
        return self.load_directory_text(read_definition(path), str(path))

    def load_directory_text(self, text: str, path: str) -> dict[str, Any]:
        """Load a directory file's text (``path`` names it in messages and the audit)."""
        deps = self._deps
        codes = deps.definitions.catalogue.codes()
        campaigns = deps.definitions.campaigns

        def work(tx: Tx) -> dict[str, Any]:
            # a file may add people to units and people already loaded (an add-on file)
            data = parse_directory(text, path, codes,
                                   {u.id: u for u in tx.directory.units()},
                                   tx.directory.logins(),
                                   {c.id: c.awards for c in campaigns.values()})
            counts = tx.directory.apply(data)
            registered = import_registrations(deps, tx, str(path), data.registrations)
            if any(counts.values()) or registered:
                extra = {"registrations": registered} if registered else {}
                tx.audit.append(deps.now(), "admin", "imported", None, None, None, {
                    "file": Path(path).name, **counts, **extra,
                    "units_total": len(data.units), "people_total": len(data.people)})
            return {"file": path, "changed": counts,
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

    def copy_database_to(self, other: Setup) -> None:
        """Copy this (SQLite) database into ``other``'s: a rehearsal starts each scenario
        from a template database that already has the schema."""
        self._deps.store.copy_to(other._deps.store)

    def check_admin(self, actor: Actor) -> None:
        """PermissionDenied unless ``actor`` is an administrator (admin at a top unit)."""
        self._deps.run(lambda tx: access.check_admin(self._deps, tx, actor))

    def flow_svg(self, flow_id: str, lang: str, counts: dict[str, int] | None = None) -> str:
        """The flow's diagram as SVG (labels in ``lang``; item counts on the states)."""
        return render_svg(self._deps.definitions.flow(flow_id), lang, counts)

    def flow_schema(self, kind: str = "flow") -> str:
        """The JSON Schema of a kind of definition file, as shipped in ``definitions/``."""
        return schema_text(kind, self._deps.guards.names())

    def flow_versions(self, flow_id: str) -> list[dict[str, Any]]:
        """Every known version of a flow (stored and current), oldest first, with the number
        of items in flight on each."""
        def work(tx: Tx) -> list[dict[str, Any]]:
            versions = migration.flow_versions(self._deps, tx, flow_id)
            counts: dict[str, int] = {}
            for version, _state, final, n in tx.items.state_counts(flow_id):
                if not final:
                    counts[version] = counts.get(version, 0) + n
            return [{**v, "in_flight": counts.get(v["version"], 0)} for v in versions]

        return self._deps.run(work)

    def flow_states(self, flow_id: str) -> list[dict[str, Any]]:
        """Items per version and state: ``{version, state, final, items}``."""
        self._deps.run(lambda tx: migration.flow_versions(self._deps, tx, flow_id))
        return [{"version": v, "state": s, "final": f, "items": n}
                for v, s, f, n in self._deps.run(lambda tx: tx.items.state_counts(flow_id))]

    def flow_diff(self, flow_id: str, old: str, new: str) -> dict[str, Any]:
        """What changed from version ``old`` to ``new`` (hash prefixes, stored, current)."""
        def work(tx: Tx) -> dict[str, Any]:
            before = migration.resolve_version(self._deps, tx, flow_id, old)
            after = migration.resolve_version(self._deps, tx, flow_id, new)
            # the words for people of either version's states and buttons (pages show them)
            words: dict[str, dict[str, dict[str, str]]] = {"states": {}, "triggers": {}}
            for spec in (before, after):
                words["states"].update({n: dict(s.label) for n, s in spec.states.items()
                                        if s.label})
                words["triggers"].update({t.trigger: dict(t.label)
                                          for t in spec.transitions if t.label})
            return {**diff_flows(before, after), "words": words}

        return self._deps.run(work)

    def flow_migrate(self, flow_id: str, to: str, maps: list[str], dry_run: bool = False
                     ) -> dict[str, Any]:
        """Move every in-flight item of a flow to version ``to``, all or nothing (see
        :mod:`workflow.service.commands.migration`)."""
        pairs = migration.parse_maps(maps)
        return self._deps.run(lambda tx: migration.migrate(
            self._deps, tx, "admin", flow_id, to, pairs, dry_run), immediate=True)

    def validate_text(self, text: str, name: str) -> dict[str, Any]:
        """Every problem in one flow's text (the web's validate form): ``problems``, or the
        flow's ``id`` and ``version`` when it is valid. ``name`` names it in the messages."""
        try:
            spec = parse_flow(text, name, self._deps.definitions.env)
        except DefinitionError as exc:
            return {"ok": False, "problems": list(exc.problems)}
        return {"ok": True, "problems": [], "id": spec.id, "version": spec.version,
                "title": dict(spec.title), "states": len(spec.states)}

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
