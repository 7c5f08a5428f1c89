"""For administrators: the schema, the directory, the flows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workflow.definitions import flow_files
from workflow.directory import parse_directory
from workflow.errors import DefinitionError, Problem, StoreUnavailable
from workflow.flow import load_flow
from workflow.flow.io import describe, render_graph
from workflow.service.base import Deps
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

        def work(tx: Tx) -> dict[str, Any]:
            # a file may add people to units and people already loaded (an add-on file)
            data = parse_directory(text, str(path), codes,
                                   {u.id: u for u in tx.directory.units()},
                                   tx.directory.logins())
            counts = tx.directory.apply(data)
            if any(counts.values()):
                tx.audit.append(deps.now(), "admin", "imported", None, None, None, {
                    "file": path.name, **counts,
                    "units_total": len(data.units), "people_total": len(data.people)})
            return {"file": str(path), "changed": counts,
                    "units": len(data.units), "people": len(data.people),
                    "awards": len(data.awards)}

        return deps.run(work)

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
