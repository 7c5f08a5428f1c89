"""Reading the register: grants by unit subtree, year, award, status, person and name, page by
page (nothing loads everything), and what each reader may see of confidential awardees.

:func:`grants` is the query other use cases build on (reports, statistics): it yields plain
grant views, unmasked. :func:`readable` yields what one reader may see: a confidential
awardee is named only to someone with a role at the nominating unit or above; to anyone else
the row keeps its award, year and decision but not who holds it. The public lookup
(:func:`lookup`) lists no confidential awardee at all, only their count.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from workflow.errors import InvalidInput, NotFound
from workflow.flow import fold
from workflow.service import access
from workflow.service.base import Actor, Deps, paged
from workflow.service.present import grant_views
from workflow.store import GrantFilter, GrantRow, Tx

__all__ = ["PUBLIC_KEYS", "STATUSES", "Query", "count", "grants", "lookup", "readable",
           "readable_rows", "sees_names"]

STATUSES = ("granted", "revoked")
SOURCES = ("decision", "imported")
LOOKUP_PAGE = 20
#: what the public lookup shows of a grant: never a login, contact or reason
PUBLIC_KEYS = ("id", "kind", "nominee", "unit", "unit_name", "award", "award_title", "year",
               "decision", "decided_on", "issuer", "issuer_name", "status", "revoked_at",
               "revoke_decision")


@dataclass(frozen=True)
class Query:
    """A question to the register. ``unit`` means the unit and every unit below it;
    ``name`` matches as people search (diacritics and case aside, each word beginning a
    word of the name)."""

    unit: str | None = None
    person: str | None = None
    award: str | None = None
    year: int | None = None
    years: tuple[int, int] | None = None
    status: str | None = None
    source: str | None = None
    decision_id: int | None = None
    name: str | None = None

    def checked(self, deps: Deps, tx: Tx) -> GrantFilter:
        """The store's filter; InvalidInput / NotFound for values that name nothing."""
        if self.status is not None and self.status not in STATUSES:
            raise InvalidInput(f"status {self.status!r}: use {' or '.join(STATUSES)}",
                               msgid="registry.bad_status", values={"status": self.status})
        if self.source is not None and self.source not in SOURCES:
            raise InvalidInput(f"source {self.source!r}: use {' or '.join(SOURCES)}",
                               msgid="registry.bad_source", values={"source": self.source})
        units: list[str] | None = None
        if self.unit is not None:
            tree = deps.tree(tx)
            if self.unit not in tree:
                raise NotFound(f"no unit {self.unit!r} in the directory", msgid="unit.unknown",
                               unit=self.unit)
            units = sorted({self.unit, *tree.descendants(self.unit)})
        return GrantFilter(units=units, person=self.person, award=self.award, year=self.year,
                           years=self.years, status=self.status, source=self.source,
                           decision_id=self.decision_id,
                           words=tuple(fold(self.name).split()) if self.name else ())


def _pages(deps: Deps, query: Query, shape: Any, limit: int | None
           ) -> Iterator[dict[str, Any]]:
    """Rows of the register in id order, shaped by ``shape(tx, rows) -> [view or None]``."""
    where: list[GrantFilter] = []

    def fetch(tx: Tx, after: int, size: int) -> list[tuple[int, dict[str, Any] | None]]:
        if not where:
            where.append(query.checked(deps, tx))
        rows = tx.grants.page(where[0], after_id=after, limit=size)
        return list(zip((r.id for r in rows), shape(tx, rows), strict=True))

    shown = (view for _, view in paged(deps, fetch, lambda pair: pair[0])
             if view is not None)
    for count, view in enumerate(shown, start=1):
        yield view
        if limit is not None and count >= limit:
            return


def grants(deps: Deps, query: Query, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Every grant the query names, unmasked (for use cases that count or report)."""
    return _pages(deps, query, lambda tx, rows: grant_views(deps, tx, rows), limit)


def count(deps: Deps, query: Query) -> int:
    """How many grants the query names."""
    return deps.run(lambda tx: tx.grants.count(query.checked(deps, tx)))


def sees_names(deps: Deps, tx: Tx, actor: Actor | None, unit_id: str | None) -> bool:
    """Whether ``actor`` may see a confidential awardee of ``unit_id`` by name (a role at
    that unit or above); ``None`` is the operator of the command line (no ``--as``)."""
    if actor is None:
        return True
    if actor.public or actor.system or unit_id is None:
        return False
    return access.sees(deps, tx, actor, unit_id)


def mask(view: dict[str, Any]) -> dict[str, Any]:
    """A confidential awardee's row for someone who may not see who it is."""
    return {**view, "nominee": None, "person": None, "nomination": None,
            "revoke_reason": None}


def readable(deps: Deps, actor: Actor | None, query: Query, limit: int | None = None
             ) -> Iterator[dict[str, Any]]:
    """The register as ``actor`` may read it (``award registry``, its export). A search by
    name never finds a confidential awardee the reader may not see."""
    def shape(tx: Tx, rows: list[GrantRow]) -> list[dict[str, Any] | None]:
        views = readable_rows(deps, tx, actor, rows)
        # a masked row is never found by a name
        return [None if query.name and v["nominee"] is None else v for v in views]
    return _pages(deps, query, shape, limit)


def readable_rows(deps: Deps, tx: Tx, actor: Actor | None, rows: list[GrantRow]
                  ) -> list[dict[str, Any]]:
    """``rows`` as ``actor`` may read them, in the caller's unit of work."""
    seen: dict[str | None, bool] = {}
    out = []
    for row, view in zip(rows, grant_views(deps, tx, rows), strict=True):
        if row.confidential and row.unit_id not in seen:
            seen[row.unit_id] = sees_names(deps, tx, actor, row.unit_id)
        out.append(mask(view) if row.confidential and not seen[row.unit_id] else view)
    return out


def lookup(deps: Deps, query: Query, page: int = 1) -> dict[str, Any]:
    """The public lookup ("Tra cứu khen thưởng"): one page of awardees matching the query,
    newest first, with decision number and date; confidential awardees only counted. No
    contact data, no login, no revocation reason: the fact and its date."""
    if page < 1 or page > 10_000:
        raise InvalidInput(f"page {page}: pages are numbered from 1",
                           msgid="lookup.bad_page", values={"page": page})

    def work(tx: Tx) -> dict[str, Any]:
        where = query.checked(deps, tx)
        public = replace(where, confidential=False)
        total = tx.grants.count(public)
        # counted with the other filters but never by name: a name says nothing of them
        hidden = tx.grants.count(replace(where, confidential=True, words=()))
        rows = tx.grants.newest(public, offset=(page - 1) * LOOKUP_PAGE, limit=LOOKUP_PAGE)
        shown = [{k: v[k] for k in PUBLIC_KEYS} for v in grant_views(deps, tx, rows)]
        return {"rows": shown, "total": total, "page": page,
                "pages": max(1, -(-total // LOOKUP_PAGE)), "confidential": hidden}
    return deps.run(work)
