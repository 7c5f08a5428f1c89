"""For deciders and everyone who checks an award: numbered decisions, the register,
revocation, and the public lookup.

Each method is one use case in one unit of work (reads that stream page in short ones).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from workflow.errors import InvalidInput, NotFound
from workflow.ids import parse_id
from workflow.service import access, registry
from workflow.service.base import Actor, Deps
from workflow.service.commands import decisions
from workflow.service.present import decision_view
from workflow.service.registry import Query
from workflow.store import DecisionRow, Tx

__all__ = ["EXPORT_COLUMNS", "Register"]

#: the register's export: (key, Vietnamese label)
EXPORT_COLUMNS = (
    ("id", "Mã"), ("kind", "Cá nhân/Tập thể"), ("nominee", "Họ và tên / Tập thể"),
    ("unit", "Mã đơn vị"), ("unit_name", "Đơn vị"), ("award", "Mã hình thức"),
    ("award_title", "Hình thức khen thưởng"), ("year", "Năm"),
    ("decision", "Số quyết định"), ("decided_on", "Ngày quyết định"),
    ("issuer_name", "Cấp quyết định"), ("status", "Trạng thái"), ("source", "Nguồn"),
    ("revoked_at", "Ngày hủy bỏ"), ("revoke_reason", "Lý do hủy bỏ"),
)


class Register:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    # ---- decisions -----------------------------------------------------------------------

    def issue(self, actor: Actor, items: list[str], number: int | None = None,
              on: str | None = None) -> dict[str, Any]:
        """One numbered decision awarding every item, all or nothing."""
        return self._deps.run(lambda tx: decisions.issue(self._deps, tx, actor, items,
                                                         number, on))

    def decision(self, actor: Actor | None, decision_id: str) -> dict[str, Any]:
        """A decision and its awardees (confidential ones named only to those who may)."""
        deps = self._deps

        def work(tx: Tx) -> dict[str, Any]:
            row = _decision(tx, decision_id)
            shown = _signed(tx, [decision_view(deps, tx, row)])[0]
            shown["awardees"] = list(registry.readable_rows(
                deps, tx, actor, tx.grants.of_decision(row.id)))
            return shown
        return deps.run(work)

    def decisions(self, *, unit: str | None = None, year: int | None = None,
                  limit: int = 100, after: int = 0) -> list[dict[str, Any]]:
        """Decisions in number order, of a unit and the units below it, of a year."""
        deps = self._deps

        def work(tx: Tx) -> list[dict[str, Any]]:
            units = None
            if unit is not None:
                tree = deps.tree(tx)
                if unit not in tree:
                    raise NotFound(f"no unit {unit!r} in the directory", msgid="unit.unknown",
                                   unit=unit)
                units = sorted({unit, *tree.descendants(unit)})
            rows = tx.decisions.page(units=units, year=year, after_id=after, limit=limit)
            return [decision_view(deps, tx, r) for r in rows]
        return deps.run(work)

    def awaiting(self, actor: Actor, limit: int = 1000) -> list[dict[str, Any]]:
        """Items waiting on ``actor``'s decision, each passing the checks of ``issue``."""
        return self._deps.run(lambda tx: decisions.awaiting(self._deps, tx, actor, limit))

    def decisions_for(self, actor: Actor, *, before: int | None = None, limit: int = 50
                      ) -> list[dict[str, Any]]:
        """Decisions of the units where ``actor`` holds a role and the units below them,
        newest first (``before``: older than that decision)."""
        deps = self._deps

        def work(tx: Tx) -> list[dict[str, Any]]:
            units = sorted(access.reach(deps, tx, actor))
            rows = tx.decisions.page(units=units, before_id=before, newest_first=True,
                                     limit=limit)
            return _signed(tx, [decision_view(deps, tx, r) for r in rows])
        return deps.run(work)

    def decider_roles(self) -> frozenset[str]:
        """The roles that sign award decisions in some flow."""
        return frozenset(r.role for f in self._deps.definitions.flows.values()
                         for r in f.decider.roles)

    def document(self, actor: Actor | None, decision_id: str) -> str:
        """The decision as issued: the issuing level's copy for someone with a role at the
        issuing unit or above (or the operator), else the copy sent out."""
        deps = self._deps

        def work(tx: Tx) -> str:
            row = _decision(tx, decision_id)
            kept = registry.sees_names(deps, tx, actor, row.unit_id)
            text = tx.decisions.document(row.id, public=not kept)
            if text is None:
                raise NotFound(f"decision {row.number} has no document",
                               msgid="decision.no_document", values={"number": row.number})
            return text
        return deps.run(work)

    # ---- revocation ----------------------------------------------------------------------

    def revoke(self, actor: Actor, grant_id: str, reason: str,
               decision: str | None = None) -> dict[str, Any]:
        return self._deps.run(lambda tx: decisions.revoke(self._deps, tx, actor, grant_id,
                                                          reason, decision))

    # ---- the register --------------------------------------------------------------------

    def grant(self, actor: Actor | None, grant_id: str) -> dict[str, Any]:
        deps = self._deps

        def work(tx: Tx) -> dict[str, Any]:
            key = parse_id(grant_id, "grant")
            row = tx.grants.get(key)
            if row is None:
                raise NotFound(f"no grant {key} in the register", msgid="grant.unknown",
                               values={"id": str(key)}, id=str(key))
            return next(iter(registry.readable_rows(deps, tx, actor, [row])))
        return deps.run(work)

    def grants(self, query: Query, limit: int | None = None) -> Iterator[dict[str, Any]]:
        """The register as data for other use cases (reports, statistics): every grant the
        query names — by unit subtree, person, award, year or range, status, source,
        decision, name — unmasked, page by page."""
        return registry.grants(self._deps, query, limit)

    def count(self, query: Query) -> int:
        return registry.count(self._deps, query)

    def registry(self, actor: Actor | None, query: Query, limit: int | None = None
                 ) -> Iterator[dict[str, Any]]:
        """``award registry``: the register as ``actor`` may read it."""
        return registry.readable(self._deps, actor, query, limit)

    def export(self, out: IO[bytes], fmt: str, actor: Actor | None, query: Query,
               limit: int | None = None) -> int:
        """Write the register to ``out`` as ``xlsx`` or ``csv``, streamed page by page."""
        if fmt not in ("xlsx", "csv"):
            raise InvalidInput(f"format {fmt!r}: use xlsx or csv", msgid="export.bad_format",
                               format=fmt)
        rows = ([_cell(view, key) for key, _ in EXPORT_COLUMNS]
                for view in registry.readable(self._deps, actor, query, limit))
        from workflow import sheets  # openpyxl: only the commands that write a register

        return sheets.write_table(out, fmt, [k for k, _ in EXPORT_COLUMNS],
                                  [label for _, label in EXPORT_COLUMNS], rows)

    def lookup(self, query: Query, page: int = 1) -> dict[str, Any]:
        """The public lookup: one page, confidential awardees counted only."""
        return registry.lookup(self._deps, query, page)



def _decision(tx: Tx, decision_id: str) -> DecisionRow:
    key = parse_id(decision_id, "decision")
    row = tx.decisions.get(key)
    if row is None:
        raise NotFound(f"no decision {key}", msgid="decision.unknown",
                       values={"id": str(key)}, id=str(key))
    return row


def _cell(view: dict[str, Any], key: str) -> Any:
    value = view.get(key)
    if key == "award_title" and isinstance(value, dict):
        return value.get("vi")
    if key == "nominee" and value is None and view.get("confidential"):
        return "(không nêu tên — nhiệm vụ đặc biệt)"
    return value


def _signed(tx: Tx, views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Decisions with the name of who signed each (``signer``), as the directory has it."""
    names = tx.directory.names(v["issued_by"] for v in views)
    for view in views:
        view["signer"] = names.get(view["issued_by"], view["issued_by"])
    return views
