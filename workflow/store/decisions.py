"""Numbered award decisions: the number per issuing unit and year, the decision row and the
document kept as issued.

Numbers are gap-free and never reused: the next one is taken by an ``UPDATE … RETURNING`` on
the unit's counter row for the year, which holds that row's lock until the decision commits
(concurrent issuers at the same unit queue behind it; a decision that rolls back gives its
number back with the rest of its work).

Must not import the service or anything above the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from workflow.store.raw import Raw, placeholders
from workflow.store.rows import DecisionRow, columns, decoder

__all__ = ["DecisionRepo"]

_COLUMNS = columns(DecisionRow)
_decode = decoder(DecisionRow)


class DecisionRepo:
    def __init__(self, raw: Raw) -> None:
        self.raw = raw

    def _counter(self, unit_id: str, year: int) -> None:
        self.raw.run("INSERT INTO decision_counter (unit_id, year, last) VALUES (?, ?, 0) "
                     "ON CONFLICT DO NOTHING", (unit_id, year))

    def next_seq(self, unit_id: str, year: int) -> int:
        """The next free number of ``unit_id`` in ``year`` (locks the counter row)."""
        self._counter(unit_id, year)
        while True:
            row = self.raw.one("UPDATE decision_counter SET last = last + 1 WHERE unit_id = ? "
                               "AND year = ? RETURNING last", (unit_id, year))
            assert row is not None
            seq = int(row[0])
            if self.by_seq(unit_id, year, seq) is None:  # not taken by a number given by hand
                return seq

    def claim_seq(self, unit_id: str, year: int, seq: int) -> DecisionRow | None:
        """Take a number given by hand (the counter moves past it); the decision that holds
        it already, if any (then nothing is taken)."""
        self._counter(unit_id, year)
        self.raw.run("UPDATE decision_counter SET last = CASE WHEN last < ? THEN ? ELSE last END "
                     "WHERE unit_id = ? AND year = ?", (seq, seq, unit_id, year))
        return self.by_seq(unit_id, year, seq)

    def by_seq(self, unit_id: str, year: int, seq: int) -> DecisionRow | None:
        row = self.raw.one(f"SELECT {_COLUMNS} FROM decision WHERE unit_id = ? AND year = ? "
                           "AND seq = ?", (unit_id, year, seq))
        return _decode(row) if row else None

    def insert(self, *, unit_id: str, year: int, seq: int, number: str, decided_on: str,
               issued_at: datetime, issued_by: str, basis: str | None, items: int) -> int:
        row = self.raw.one(
            "INSERT INTO decision (unit_id, year, seq, number, decided_on, issued_at, issued_by, "
            "basis, items) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (unit_id, year, seq, number, decided_on, self.raw.time_out(issued_at), issued_by,
             basis, items))
        assert row is not None
        return int(row[0])

    def set_document(self, decision_id: int, document: str, sha256: str,
                     public: str | None, public_sha256: str | None,
                     anchor: tuple[int, str], basis: str | None) -> None:
        """The document as issued (and the copy sent out), the audit head it embeds and the
        legal basis it cites."""
        self.raw.run("UPDATE decision SET document = ?, document_sha256 = ?, "
                     "public_document = ?, public_sha256 = ?, audit_seq = ?, audit_hash = ?, "
                     "basis = ? WHERE id = ?", (document, sha256, public, public_sha256,
                                                anchor[0], anchor[1], basis, decision_id))

    def get(self, decision_id: int) -> DecisionRow | None:
        row = self.raw.one(f"SELECT {_COLUMNS} FROM decision WHERE id = ?", (decision_id,))
        return _decode(row) if row else None

    def many(self, ids: Sequence[int]) -> dict[int, DecisionRow]:
        wanted = sorted(set(ids))
        out: dict[int, DecisionRow] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            rows = self.raw.all(f"SELECT {_COLUMNS} FROM decision WHERE id IN "
                                f"({placeholders(chunk)})", chunk)
            out.update({int(r[0]): _decode(r) for r in rows})
        return out

    def document(self, decision_id: int, *, public: bool) -> str | None:
        """The copy kept by the issuing level, or (``public``) the copy sent out: the same
        document unless it lists a confidential awardee."""
        row = self.raw.one("SELECT document, public_document FROM decision WHERE id = ?",
                           (decision_id,))
        if row is None:
            return None
        return str(row[1]) if public and row[1] is not None else row[0]

    def page(self, *, units: Sequence[str] | None = None, year: int | None = None,
             after_id: int = 0, limit: int = 100, newest_first: bool = False,
             before_id: int | None = None) -> list[DecisionRow]:
        """Decisions in id order (``newest_first``: from the newest, older than
        ``before_id`` when given)."""
        conds: list[str] = ["id > ?"]
        params: list[Any] = [after_id]
        if before_id is not None:
            conds.append("id < ?")
            params.append(before_id)
        if units is not None:
            conds.append(f"unit_id IN ({placeholders(units)})" if units else "1 = 0")
            params.extend(units)
        if year is not None:
            conds.append("year = ?")
            params.append(year)
        rows = self.raw.all(f"SELECT {_COLUMNS} FROM decision WHERE {' AND '.join(conds)} "
                            f"ORDER BY id{' DESC' if newest_first else ''} LIMIT ?",
                            (*params, limit))
        return [_decode(r) for r in rows]
