"""The outbox: messages produced by the engine (reminders, escalations, notices, digests).

Must not import the service or anything above the store.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from workflow.store.raw import Raw
from workflow.store.rows import OutboxRow, columns, decoder

__all__ = ["OutboxRepo"]

_OUTBOX = columns(OutboxRow)
_decode = decoder(OutboxRow)


class OutboxRepo:
    def __init__(self, raw: Raw) -> None:
        self.raw = raw

    def put(self, at: datetime, kind: str, recipient: str, nomination_id: int | None,
            subject: str, body: str, dedupe: str | None = None) -> bool:
        """Queue a message; with ``dedupe`` a second message with the same key is dropped
        (by the unique index itself, so concurrent writers cannot both insert it)."""
        return self.raw.run(
            "INSERT INTO outbox (at, kind, recipient, nomination_id, subject, body, dedupe) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe) DO NOTHING",
            (self.raw.time_out(at), kind, recipient, nomination_id, subject, body,
             dedupe)) == 1

    def page(self, after_id: int, limit: int, nomination_id: int | None = None,
             recipient: str | None = None, kind: str | None = None) -> list[OutboxRow]:
        conds: list[str] = ["id > ?"]
        params: list[Any] = [after_id]
        for column, value in (("nomination_id", nomination_id), ("recipient", recipient),
                              ("kind", kind)):
            if value is not None:
                conds.append(f"{column} = ?")
                params.append(value)
        rows = self.raw.all(f"SELECT {_OUTBOX} FROM outbox WHERE {' AND '.join(conds)} "
                            "ORDER BY id LIMIT ?", (*params, limit))
        return [_decode(r) for r in rows]
