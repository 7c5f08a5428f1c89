"""Public notices: one published document per flow, publishing unit and day, and the
nominees on it.

Must not import the service or anything above the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from workflow.store.raw import Raw, placeholders
from workflow.store.rows import NoticeRow, columns, decoder

__all__ = ["NoticeRepo"]

_NOTICE = columns(NoticeRow)
_NOTICE_N = columns(NoticeRow, "n")
_decode = decoder(NoticeRow)


class NoticeRepo:
    def __init__(self, raw: Raw) -> None:
        self.raw = raw

    def find(self, flow_id: str, unit_id: str, day: str) -> NoticeRow | None:
        row = self.raw.one(f"SELECT {_NOTICE} FROM notice WHERE flow_id = ? AND unit_id = ? "
                           "AND day = ?", (flow_id, unit_id, day))
        return _decode(row) if row else None

    def get(self, notice_id: int) -> NoticeRow | None:
        row = self.raw.one(f"SELECT {_NOTICE} FROM notice WHERE id = ?", (notice_id,))
        return _decode(row) if row else None

    def create(self, flow_id: str, unit_id: str, day: str, starts_at: datetime,
               ends_at: datetime, template: str) -> int:
        row = self.raw.one(
            "INSERT INTO notice (flow_id, unit_id, day, starts_at, ends_at, template, html, "
            "sha256, audit_seq, audit_hash) VALUES (?, ?, ?, ?, ?, ?, '', '', 0, '') "
            "RETURNING id",
            (flow_id, unit_id, day, self.raw.time_out(starts_at), self.raw.time_out(ends_at),
             template))
        assert row is not None
        return int(row[0])

    def publish(self, notice_id: int, html: str, sha256: str, seq: int, digest: str,
                ends_at: datetime) -> None:
        self.raw.run("UPDATE notice SET html = ?, sha256 = ?, audit_seq = ?, audit_hash = ?, "
                     "ends_at = ? WHERE id = ?",
                     (html, sha256, seq, digest, self.raw.time_out(ends_at), notice_id))

    def add_item(self, notice_id: int, nomination_id: int) -> None:
        exists = self.raw.one("SELECT 1 FROM notice_item WHERE notice_id = ? AND "
                              "nomination_id = ?", (notice_id, nomination_id))
        if exists is None:
            self.raw.run("INSERT INTO notice_item (notice_id, nomination_id) VALUES (?, ?)",
                         (notice_id, nomination_id))

    def items(self, notice_id: int) -> list[int]:
        return [r[0] for r in self.raw.all("SELECT nomination_id FROM notice_item WHERE "
                                           "notice_id = ? ORDER BY nomination_id",
                                           (notice_id,))]

    def items_of(self, notice_ids: Sequence[int]) -> dict[int, list[int]]:
        """:meth:`items` of several notices in one query."""
        out: dict[int, list[int]] = {n: [] for n in notice_ids}
        if notice_ids:
            for notice_id, nomination_id in self.raw.all(
                    "SELECT notice_id, nomination_id FROM notice_item WHERE notice_id IN "
                    f"({placeholders(notice_ids)}) ORDER BY notice_id, nomination_id",
                    list(notice_ids)):
                out[int(notice_id)].append(int(nomination_id))
        return out

    def latest_ids(self, nomination_ids: Sequence[int]) -> dict[int, int]:
        """The id of each item's latest notice (:meth:`latest_for`), in one query."""
        if not nomination_ids:
            return {}
        return {int(r[0]): int(r[1]) for r in self.raw.all(
            "SELECT nomination_id, max(notice_id) FROM notice_item WHERE nomination_id IN "
            f"({placeholders(nomination_ids)}) GROUP BY nomination_id", list(nomination_ids))}

    def latest_for(self, nomination_id: int) -> NoticeRow | None:
        row = self.raw.one(
            f"SELECT {_NOTICE_N} FROM notice n JOIN notice_item i ON i.notice_id = n.id "
            "WHERE i.nomination_id = ? ORDER BY n.id DESC LIMIT 1", (nomination_id,))
        return _decode(row) if row else None

    def html(self, notice_id: int) -> str | None:
        row = self.raw.one("SELECT html FROM notice WHERE id = ?", (notice_id,))
        return str(row[0]) if row else None

    def page(self, after_id: int, limit: int) -> list[NoticeRow]:
        rows = self.raw.all(f"SELECT {_NOTICE} FROM notice WHERE id > ? ORDER BY id LIMIT ?",
                            (after_id, limit))
        return [_decode(r) for r in rows]

    def newest_ids(self, before_id: int | None, limit: int) -> list[int]:
        if before_id is None:
            rows = self.raw.all("SELECT id FROM notice ORDER BY id DESC LIMIT ?", (limit,))
        else:
            rows = self.raw.all("SELECT id FROM notice WHERE id < ? ORDER BY id DESC LIMIT ?",
                                (before_id, limit))
        return [int(r[0]) for r in rows]
