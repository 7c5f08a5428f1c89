"""The outbox: messages produced by the engine (reminders, escalations, notices, digests),
and their delivery by email.

Delivery claims messages the way a sweep claims timers (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, SQLite's single writer otherwise): a claimed message is ``sending`` until its
claim runs out (``next_attempt_at``), so any number of schedulers never send one message
twice at once, and a sender that died leaves it to be claimed again later.

Must not import the service or anything above the store.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from workflow.store.raw import Raw, placeholders
from workflow.store.rows import DeliveryRow, OutboxRow, columns, decoder

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
            "INSERT INTO outbox (at, kind, recipient, nomination_id, subject, body, dedupe, "
            "status, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0) "
            "ON CONFLICT (dedupe) DO NOTHING",
            (self.raw.time_out(at), kind, recipient, nomination_id, subject, body,
             dedupe)) == 1

    def page(self, after_id: int, limit: int, nomination_id: int | None = None,
             recipient: str | None = None, kind: str | None = None,
             status: str | None = None) -> list[OutboxRow]:
        conds: list[str] = ["id > ?"]
        params: list[Any] = [after_id]
        for column, value in (("nomination_id", nomination_id), ("recipient", recipient),
                              ("kind", kind), ("status", status)):
            if value is not None:
                conds.append(f"{column} = ?")
                params.append(value)
        rows = self.raw.all(f"SELECT {_OUTBOX} FROM outbox WHERE {' AND '.join(conds)} "
                            "ORDER BY id LIMIT ?", (*params, limit))
        return [_decode(r) for r in rows]

    # ---- delivery ------------------------------------------------------------------------

    def claim(self, now: datetime, limit: int, until: datetime) -> list[DeliveryRow]:
        """Up to ``limit`` messages due for delivery — pending ones whose time has come, and
        claimed ones whose claim ran out — now claimed until ``until``, oldest first."""
        raw = self.raw
        at = raw.time_out(now)
        sql = ("SELECT o.id, o.recipient, p.email, o.subject, o.body, o.attempts FROM outbox o "
               "LEFT JOIN person p ON p.login = o.recipient WHERE o.status IN ('pending', "
               "'sending') AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?) "
               "ORDER BY o.id LIMIT ?")
        if raw.pg:
            sql += " FOR UPDATE OF o SKIP LOCKED"
        rows = [DeliveryRow(*r) for r in raw.all(sql, (at, limit))]
        if rows:
            raw.run(f"UPDATE outbox SET status = 'sending', attempts = attempts + 1, "
                    f"next_attempt_at = ? WHERE id IN ({placeholders(rows)})",
                    (raw.time_out(until), *[r.id for r in rows]))
        return rows

    def delivered(self, message_id: int, at: datetime) -> None:
        self.raw.run("UPDATE outbox SET status = 'sent', sent_at = ?, next_attempt_at = NULL, "
                     "last_error = NULL WHERE id = ?", (self.raw.time_out(at), message_id))

    def retry_later(self, message_id: int, when: datetime, error: str) -> None:
        self.raw.run("UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = ? "
                     "WHERE id = ?", (self.raw.time_out(when), error, message_id))

    def give_up(self, message_id: int, status: str, error: str) -> None:
        """``failed`` (a permanent error, or too many attempts) or ``no_address``."""
        self.raw.run("UPDATE outbox SET status = ?, next_attempt_at = NULL, last_error = ? "
                     "WHERE id = ?", (status, error, message_id))

    def by_status(self) -> dict[str, int]:
        return {str(r[0]): int(r[1]) for r in self.raw.all(
            "SELECT status, count(*) FROM outbox GROUP BY status")}
