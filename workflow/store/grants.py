"""The register: one grant per awardee (of a decision, or imported with the directory), and
the eligibility history read from it.

A grant is never deleted: a revoked one stays with who revoked it, when, why and by which
decision, and from that moment no longer counts in anyone's history.

Must not import the service or anything above the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workflow.catalogue import HistoryEntry
from workflow.store.raw import Raw, placeholders
from workflow.store.rows import GrantRow, columns, decoder

__all__ = ["GrantFilter", "GrantRepo"]

_COLUMNS = columns(GrantRow)
_decode = decoder(GrantRow)


@dataclass(frozen=True)
class GrantFilter:
    """What a page of the register keeps: ``units`` (ids, e.g. a unit and its subtree; None:
    any), ``person``, ``award``, ``year`` (or ``years`` as an inclusive range), ``status``,
    ``source``, ``decision_id``, ``confidential``; ``words``: folded words (see
    ``present.fold``) each of which begins a word of the awardee's folded name."""

    units: Sequence[str] | None = None
    person: str | None = None
    award: str | None = None
    year: int | None = None
    years: tuple[int, int] | None = None
    status: str | None = None
    source: str | None = None
    decision_id: int | None = None
    confidential: bool | None = None
    words: tuple[str, ...] = ()

    def where(self) -> tuple[list[str], list[Any]]:
        conds: list[str] = []
        params: list[Any] = []
        if self.units is not None:
            # a collective's grant is found under its nominating unit and under its own unit
            conds.append(f"(unit_id IN ({placeholders(self.units)}) OR nominee_unit IN "
                         f"({placeholders(self.units)}))" if self.units else "1 = 0")
            params.extend(self.units)
            params.extend(self.units)
        for column, value in (("person_login", self.person), ("award", self.award),
                              ("year", self.year), ("status", self.status),
                              ("source", self.source), ("decision_id", self.decision_id)):
            if value is not None:
                conds.append(f"{column} = ?")
                params.append(value)
        if self.confidential is not None:
            conds.append("confidential = ?")
            params.append(self.confidential)
        for word in self.words:
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            conds.append("name_fold LIKE ? ESCAPE '\\'")
            params.append(f"% {escaped}%")
        if self.years is not None:
            conds.append("year BETWEEN ? AND ?")
            params.extend(self.years)
        return conds, params


class GrantRepo:
    def __init__(self, raw: Raw) -> None:
        self.raw = raw

    def add(self, *, kind: str, person_login: str | None, nominee: str, unit_id: str | None,
            award: str, year: int, ad_hoc: bool, decision_id: int | None,
            nomination_id: int | None, source: str, confidential: bool,
            granted_at: datetime | None, name_fold: str,
            nominee_unit: str | None = None) -> int:
        """A new grant; ``name_fold`` is the nominee's name as searches compare it;
        ``nominee_unit`` the unit that is the nominee of a collective title."""
        row = self.raw.one(
            "INSERT INTO award_grant (kind, person_login, nominee, name_fold, unit_id, award, "
            "year, ad_hoc, decision_id, nomination_id, source, status, confidential, "
            "granted_at, nominee_unit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'granted', ?, "
            "?, ?) RETURNING id",
            (kind, person_login, nominee, " " + name_fold, unit_id, award, year, ad_hoc,
             decision_id, nomination_id, source, confidential,
             self.raw.time_out(granted_at), nominee_unit))
        assert row is not None
        return int(row[0])

    def import_prior(self, login: str, nominee: str, unit_id: str | None, award: str,
                     year: int, name_fold: str) -> bool:
        """A prior award from the directory file; False if it is there already."""
        if self.raw.one("SELECT 1 FROM award_grant WHERE person_login = ? AND award = ? AND "
                        "year = ? AND source = 'imported'", (login, award, year)) is not None:
            return False
        self.add(kind="individual", person_login=login, nominee=nominee, unit_id=unit_id,
                 award=award, year=year, ad_hoc=False, decision_id=None, nomination_id=None,
                 source="imported", confidential=False, granted_at=None,
                 name_fold=name_fold)
        return True

    def get(self, grant_id: int, *, lock: bool = False) -> GrantRow | None:
        sql = f"SELECT {_COLUMNS} FROM award_grant WHERE id = ?"
        if lock and self.raw.pg:
            sql += " FOR UPDATE"
        row = self.raw.one(sql, (grant_id,))
        return _decode(row) if row else None

    def of_nomination(self, nomination_id: int) -> GrantRow | None:
        row = self.raw.one(f"SELECT {_COLUMNS} FROM award_grant WHERE nomination_id = ?",
                           (nomination_id,))
        return _decode(row) if row else None

    def standing(self, award: str, year: int, *, person: str | None = None,
                 nominee: str | None = None, unit_id: str | None = None) -> GrantRow | None:
        """A grant of ``award`` for ``year`` not revoked, held by the person ``person`` (or,
        without a login, by the name ``nominee`` at ``unit_id``): for "one achievement, one
        award"."""
        params: list[str | None]
        if person is not None:
            where, params = "person_login = ?", [person]
        else:
            where, params = "person_login IS NULL AND nominee = ? AND unit_id = ?", [
                nominee, unit_id]
        row = self.raw.one(f"SELECT {_COLUMNS} FROM award_grant WHERE award = ? AND year = ? "
                           f"AND status = 'granted' AND {where} ORDER BY id LIMIT 1",
                           (award, year, *params))
        return _decode(row) if row else None

    def of_decision(self, decision_id: int) -> list[GrantRow]:
        rows = self.raw.all(f"SELECT {_COLUMNS} FROM award_grant WHERE decision_id = ? "
                            "ORDER BY id", (decision_id,))
        return [_decode(r) for r in rows]

    def history(self, login: str) -> list[HistoryEntry]:
        """What counts for eligibility: the person's grants not revoked."""
        rows = self.raw.all(
            "SELECT award, year, ad_hoc, source FROM award_grant WHERE person_login = ? AND "
            "status = 'granted' ORDER BY year, award", (login,))
        return [HistoryEntry(r[0], r[1], bool(r[2]),
                             "imported" if r[3] == "imported" else "granted") for r in rows]

    def unit_history(self, unit_id: str) -> list[HistoryEntry]:
        """What counts for a collective's eligibility: the grants not revoked whose nominee
        is the unit ``unit_id`` (collective titles, e.g. Tập thể lao động xuất sắc)."""
        rows = self.raw.all(
            "SELECT award, year, ad_hoc, source FROM award_grant WHERE nominee_unit = ? AND "
            "status = 'granted' ORDER BY year, award", (unit_id,))
        return [HistoryEntry(r[0], r[1], bool(r[2]),
                             "imported" if r[3] == "imported" else "granted") for r in rows]

    def revoke(self, grant_id: int, at: datetime, by: str, reason: str,
               decision: str | None) -> bool:
        """Mark a granted award revoked; False if it was not ``granted``."""
        return self.raw.run(
            "UPDATE award_grant SET status = 'revoked', revoked_at = ?, revoked_by = ?, "
            "revoke_reason = ?, revoke_decision = ? WHERE id = ? AND status = 'granted'",
            (self.raw.time_out(at), by, reason, decision, grant_id)) == 1

    def page(self, where: GrantFilter, *, after_id: int = 0, limit: int = 500
             ) -> list[GrantRow]:
        """One page in id order; callers page with ``after_id``."""
        conds, params = where.where()
        conds.append("id > ?")
        params.append(after_id)
        rows = self.raw.all(f"SELECT {_COLUMNS} FROM award_grant WHERE {' AND '.join(conds)} "
                            "ORDER BY id LIMIT ?", (*params, limit))
        return [_decode(r) for r in rows]

    def newest(self, where: GrantFilter, *, offset: int, limit: int) -> list[GrantRow]:
        """A numbered page, newest first (the public lookup's pages are few and short)."""
        conds, params = where.where()
        sql = f"SELECT {_COLUMNS} FROM award_grant"
        if conds:
            sql += f" WHERE {' AND '.join(conds)}"
        rows = self.raw.all(sql + " ORDER BY id DESC LIMIT ? OFFSET ?",
                            (*params, limit, offset))
        return [_decode(r) for r in rows]

    def count(self, where: GrantFilter) -> int:
        conds, params = where.where()
        sql = "SELECT count(*) FROM award_grant"
        if conds:
            sql += f" WHERE {' AND '.join(conds)}"
        row = self.raw.one(sql, params)
        return int(row[0]) if row else 0
