"""Council sessions: a meeting of one council, the items on its paper, its close and minutes.

A session holds no ballot and no choice. Each item on its paper keeps its own ballot round
(:mod:`workflow.store.ballots`); the session row says which rounds belong to the meeting,
whether it is open, and, once closed, what each item came to and the minutes as issued.

Must not import the service or anything above the store.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from workflow.store.raw import Raw, placeholders
from workflow.store.rows import CouncilSessionRow, SessionItemRow, columns, decoder

__all__ = ["SessionRepo"]

_COLUMNS = columns(CouncilSessionRow)
_session = decoder(CouncilSessionRow)
_ITEM = columns(SessionItemRow)
_item = decoder(SessionItemRow)


class SessionRepo:
    def __init__(self, raw: Raw) -> None:
        self.raw = raw

    def open(self, council_unit: str, title: str | None, at: datetime, by: str,
             items: Sequence[tuple[int, int]]) -> int:
        """A new open session with ``items`` as ``(nomination id, round id)`` in paper order."""
        raw = self.raw
        row = raw.one("INSERT INTO council_session (council_unit, title, status, opened_at, "
                      "opened_by) VALUES (?, ?, 'open', ?, ?) RETURNING id",
                      (council_unit, title, raw.time_out(at), by))
        assert row is not None
        session_id = int(row[0])
        raw.many("INSERT INTO council_session_item (session_id, nomination_id, round_id, "
                 "position) VALUES (?, ?, ?, ?)",
                 [(session_id, item, round_id, position)
                  for position, (item, round_id) in enumerate(items, start=1)])
        return session_id

    def get(self, session_id: int, *, lock: bool = False) -> CouncilSessionRow | None:
        sql = f"SELECT {_COLUMNS} FROM council_session WHERE id = ?"
        if lock and self.raw.pg:
            sql += " FOR UPDATE"  # serialises the papers and the close of one session
        row = self.raw.one(sql, (session_id,))
        return _session(row) if row else None

    def items(self, session_id: int) -> list[SessionItemRow]:
        rows = self.raw.all(f"SELECT {_ITEM} FROM council_session_item WHERE session_id = ? "
                            "ORDER BY position", (session_id,))
        return [_item(r) for r in rows]

    def open_holding(self, round_ids: Sequence[int]) -> dict[int, int]:
        """``round id -> session id`` for those of ``round_ids`` on an open session's paper."""
        if not round_ids:
            return {}
        rows = self.raw.all(
            "SELECT i.round_id, s.id FROM council_session_item i JOIN council_session s "
            f"ON s.id = i.session_id WHERE s.status = 'open' AND i.round_id IN "
            f"({placeholders(round_ids)})", list(round_ids))
        return {int(r[0]): int(r[1]) for r in rows}

    def of_round(self, round_id: int) -> int | None:
        """The latest session whose paper held this round, open or closed."""
        row = self.raw.one("SELECT max(session_id) FROM council_session_item "
                           "WHERE round_id = ?", (round_id,))
        return None if row is None or row[0] is None else int(row[0])

    def page(self, *, units: Sequence[str] | None = None, status: str | None = None,
             after_id: int = 0, limit: int = 100) -> list[CouncilSessionRow]:
        conds: list[str] = ["id > ?"]
        params: list[Any] = [after_id]
        if units is not None:
            conds.append(f"council_unit IN ({placeholders(units)})" if units else "1 = 0")
            params.extend(units)
        if status is not None:
            conds.append("status = ?")
            params.append(status)
        rows = self.raw.all(f"SELECT {_COLUMNS} FROM council_session WHERE "
                            f"{' AND '.join(conds)} ORDER BY id LIMIT ?", (*params, limit))
        return [_session(r) for r in rows]

    def closed_between(self, council_unit: str, start: datetime, end: datetime) -> int:
        """How many sessions of a council closed in ``[start, end)`` (numbering per year)."""
        raw = self.raw
        row = raw.one("SELECT count(*) FROM council_session WHERE council_unit = ? AND "
                      "status = 'closed' AND closed_at >= ? AND closed_at < ?",
                      (council_unit, raw.time_out(start), raw.time_out(end)))
        return int(row[0]) if row else 0

    def close(self, session_id: int, at: datetime, by: str, number: int,
              result: dict[str, Any]) -> None:
        raw = self.raw
        raw.run("UPDATE council_session SET status = 'closed', closed_at = ?, closed_by = ?, "
                "number = ?, result = ? WHERE id = ?",
                (raw.time_out(at), by, number, json.dumps(result, sort_keys=True,
                                                          ensure_ascii=False), session_id))

    def keep_minutes(self, session_id: int, html: str, sha256: str, head: tuple[int, str]
                     ) -> None:
        """The minutes as issued, their hash, and the audit head they embed."""
        self.raw.run("UPDATE council_session SET minutes = ?, minutes_sha256 = ?, "
                     "audit_seq = ?, audit_hash = ? WHERE id = ?",
                     (html, sha256, head[0], head[1], session_id))

    def minutes(self, session_id: int) -> tuple[str, str] | None:
        """The minutes as issued at the close and their sha256, or None before the close."""
        row = self.raw.one("SELECT minutes, minutes_sha256 FROM council_session WHERE id = ?",
                           (session_id,))
        if row is None or row[0] is None:
            return None
        return str(row[0]), str(row[1])
