"""Objections (public objections and staff complaints) and how they were resolved.

The objector's name and contact stay in their own row only: they are personal data and never
enter the audit log (which records a hash of the text instead).

Must not import the service or anything above the store.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from workflow.store.raw import Raw, placeholders
from workflow.store.rows import ObjectionRow, columns, decoder

__all__ = ["RECEIPT_ALPHABET", "RECEIPT_LENGTH", "ObjectionRepo", "new_receipt",
           "normal_receipt"]

# no 0/O, 1/I: read over the telephone and typed from paper; 32**12 = 2**60 codes
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 12

_OBJECTION = columns(ObjectionRow)
_decode = decoder(ObjectionRow)


def new_receipt() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def normal_receipt(code: str) -> str | None:
    """A receipt code as typed (any case, with spaces or dashes) → stored form, or None."""
    plain = "".join(ch for ch in code.upper() if ch not in " -\t")
    if len(plain) != RECEIPT_LENGTH or any(ch not in RECEIPT_ALPHABET for ch in plain):
        return None
    return plain


class ObjectionRepo:
    def __init__(self, raw: Raw) -> None:
        self.raw = raw

    def file(self, nomination_id: int, notice_id: int | None, text: str, name: str | None,
             contact: str | None, filed_by: str | None, at: datetime,
             grant_id: int | None = None, kind: str = "gop_y",
             due_at: datetime | None = None) -> tuple[int, str]:
        """The new objection's id and receipt code (``grant_id``: a complaint against an
        award already granted; ``due_at``: its handling deadline)."""
        receipt = new_receipt()
        row = self.raw.one(
            "INSERT INTO objection (nomination_id, notice_id, text, name, contact, filed_by, "
            "filed_at, status, receipt, grant_id, kind, due_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?) RETURNING id",
            (nomination_id, notice_id, text, name, contact, filed_by, self.raw.time_out(at),
             receipt, grant_id, kind,
             None if due_at is None else self.raw.time_out(due_at)))
        assert row is not None
        return int(row[0]), receipt

    def by_receipt(self, receipt: str) -> ObjectionRow | None:
        row = self.raw.one(f"SELECT {_OBJECTION} FROM objection WHERE receipt = ?", (receipt,))
        return _decode(row) if row else None

    def get(self, objection_id: int, *, lock: bool = False) -> ObjectionRow | None:
        sql = f"SELECT {_OBJECTION} FROM objection WHERE id = ?"
        if lock and self.raw.pg:
            sql += " FOR UPDATE"
        row = self.raw.one(sql, (objection_id,))
        return _decode(row) if row else None

    def of(self, nomination_id: int) -> list[ObjectionRow]:
        rows = self.raw.all(f"SELECT {_OBJECTION} FROM objection WHERE nomination_id = ? "
                            "ORDER BY id", (nomination_id,))
        return [_decode(r) for r in rows]

    def open_count(self, nomination_id: int) -> int:
        row = self.raw.one(
            "SELECT count(*) FROM objection WHERE nomination_id = ? AND status = 'open'",
            (nomination_id,))
        return int(row[0]) if row else 0

    def open_in(self, units: Sequence[str], limit: int, after_id: int = 0
                ) -> list[tuple[int, int]]:
        """``(objection id, nomination id)`` of open objections on items of these units."""
        if not units:
            return []
        rows = self.raw.all(
            "SELECT o.id, o.nomination_id FROM objection o JOIN nomination n "
            f"ON n.id = o.nomination_id WHERE o.status = 'open' AND n.unit_id IN "
            f"({placeholders(units)}) AND o.id > ? ORDER BY o.id LIMIT ?",
            (*units, after_id, limit))
        return [(int(r[0]), int(r[1])) for r in rows]

    def extend(self, objection_id: int, due_at: datetime, by: str, reason: str, at: datetime
               ) -> bool:
        """Take the one extension: False when it was already taken (or the row is closed)."""
        return self.raw.run(
            "UPDATE objection SET due_at = ?, extended_at = ?, extended_by = ?, "
            "extend_reason = ? WHERE id = ? AND status = 'open' AND extended_at IS NULL",
            (self.raw.time_out(due_at), self.raw.time_out(at), by, reason,
             objection_id)) == 1

    def page(self, *, units: Sequence[str] | None, open_only: bool = False,
             overdue_at: datetime | None = None, kind: str | None = None,
             after_id: int = 0, limit: int = 500) -> list[tuple[ObjectionRow, str]]:
        """Objections (with their item's unit) in id order, narrowed to items of ``units``
        (None: every unit), open ones, open ones past their deadline at ``overdue_at``, or
        one kind."""
        conds: list[str] = ["o.id > ?"]
        params: list[Any] = [after_id]
        if units is not None:
            conds.append(f"n.unit_id IN ({placeholders(units)})" if units else "1 = 0")
            params.extend(units)
        if open_only or overdue_at is not None:
            conds.append("o.status = 'open'")
        if overdue_at is not None:
            conds.append("o.due_at IS NOT NULL AND o.due_at < ?")
            params.append(self.raw.time_out(overdue_at))
        if kind is not None:
            conds.append("o.kind = ?")
            params.append(kind)
        rows = self.raw.all(
            f"SELECT {columns(ObjectionRow, 'o')}, n.unit_id FROM objection o JOIN nomination n"
            f" ON n.id = o.nomination_id WHERE {' AND '.join(conds)} ORDER BY o.id LIMIT ?",
            (*params, limit))
        return [(_decode(r[:-1]), str(r[-1])) for r in rows]

    def resolve(self, objection_id: int, status: str, by: str, comment: str, at: datetime
                ) -> bool:
        return self.raw.run(
            "UPDATE objection SET status = ?, resolved_by = ?, resolution = ?, resolved_at = ? "
            "WHERE id = ? AND status = 'open'",
            (status, by, comment, self.raw.time_out(at), objection_id)) == 1
