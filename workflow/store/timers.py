"""Timers: the due steps of a state entry (escalation steps, notice windows) as rows, and the
steps of an objection's handling deadline (``objection_id`` set, kind ``objection``; a state's
own reads and cancellations never touch those).

A sweep claims due rows in batches; on PostgreSQL with ``FOR UPDATE SKIP LOCKED``, so any
number of sweepers act on each timer exactly once; SQLite sweeps hold its single write lock.

Must not import the service or anything above the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from workflow.store.raw import Raw
from workflow.store.rows import TimerRow, columns, decoder

__all__ = ["TimerRepo"]

_TIMER = columns(TimerRow)
_decode = decoder(TimerRow)


class TimerRepo:
    def __init__(self, raw: Raw) -> None:
        self.raw = raw

    def add(self, nomination_id: int, entry_no: int,
            rows: Iterable[tuple[str, int, datetime]]) -> None:
        """``(kind, step, due)`` rows for one state entry."""
        values = [(nomination_id, entry_no, kind, step, self.raw.time_out(due))
                  for kind, step, due in rows]
        if values:
            self.raw.many(
                "INSERT INTO timer (nomination_id, entry_no, kind, step, due_at, status, payload)"
                " VALUES (?, ?, ?, ?, ?, 'pending', '{}')", values)

    def add_for_objection(self, nomination_id: int, entry_no: int, objection_id: int,
                          rows: Iterable[tuple[int, datetime]]) -> None:
        """``(step, due)`` rows of an objection's deadline (``step``: percent of the period)."""
        values = [(nomination_id, entry_no, step, self.raw.time_out(due), objection_id)
                  for step, due in rows]
        if values:
            self.raw.many(
                "INSERT INTO timer (nomination_id, entry_no, kind, step, due_at, status, payload,"
                " objection_id) VALUES (?, ?, 'objection', ?, ?, 'pending', '{}', ?)", values)

    def of_objection(self, objection_id: int, status: str = "pending") -> list[TimerRow]:
        rows = self.raw.all(f"SELECT {_TIMER} FROM timer WHERE objection_id = ? AND "
                            "status = ? ORDER BY due_at, id", (objection_id, status))
        return [_decode(r) for r in rows]

    def reschedule(self, timer_id: int, due: datetime) -> bool:
        return self.raw.run("UPDATE timer SET due_at = ? WHERE id = ? AND status = 'pending'",
                            (self.raw.time_out(due), timer_id)) == 1

    def cancel_objection(self, objection_id: int) -> int:
        return self.raw.run("UPDATE timer SET status = 'cancelled' WHERE objection_id = ? AND "
                            "status = 'pending'", (objection_id,))

    def pending(self, nomination_id: int, entry_no: int) -> list[TimerRow]:
        rows = self.raw.all(f"SELECT {_TIMER} FROM timer WHERE nomination_id = ? AND "
                            "entry_no = ? AND status = 'pending' AND objection_id IS NULL "
                            "ORDER BY due_at, id",
                            (nomination_id, entry_no))
        return [_decode(r) for r in rows]

    def claim_due(self, now: datetime, limit: int) -> list[TimerRow]:
        """Pending timers due by ``now``, oldest first, locked for this transaction."""
        sql = (f"SELECT {_TIMER} FROM timer WHERE status = 'pending' AND due_at <= ? "
               "ORDER BY due_at, id LIMIT ?")
        if self.raw.pg:
            sql += " FOR UPDATE SKIP LOCKED"
        return [_decode(r) for r in self.raw.all(sql, (self.raw.time_out(now), limit))]

    def finish(self, timer_id: int, status: str) -> None:
        self.raw.run("UPDATE timer SET status = ? WHERE id = ?", (status, timer_id))

    def window_due(self, nomination_id: int, entry_no: int) -> datetime | None:
        """When the notice window of this state entry ends (``None``: no window timer)."""
        row = self.raw.one("SELECT due_at FROM timer WHERE nomination_id = ? AND entry_no = ? "
                           "AND kind = 'window' AND status <> 'cancelled' ORDER BY id DESC "
                           "LIMIT 1", (nomination_id, entry_no))
        return Raw.time_in(row[0]) if row else None

    def steps_done(self, nomination_id: int, entry_no: int) -> set[int]:
        """Escalation steps of this state entry already taken."""
        rows = self.raw.all("SELECT step FROM timer WHERE nomination_id = ? AND entry_no = ? "
                            "AND kind = 'step' AND status = 'done'", (nomination_id, entry_no))
        return {int(r[0]) for r in rows}

    def cancel_steps(self, nomination_id: int) -> int:
        """Cancel the pending escalation steps (a notice window's timer stays)."""
        return self.raw.run(
            "UPDATE timer SET status = 'cancelled' WHERE nomination_id = ? AND kind = 'step' "
            "AND status = 'pending' AND objection_id IS NULL", (nomination_id,))

    def cancel(self, nomination_id: int) -> int:
        """Cancel a state entry's timers (an objection's keep running until it is resolved)."""
        return self.raw.run(
            "UPDATE timer SET status = 'cancelled' WHERE nomination_id = ? "
            "AND status IN ('pending', 'paused') AND objection_id IS NULL", (nomination_id,))
