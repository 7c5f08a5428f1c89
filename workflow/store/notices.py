"""Public notices, objections, confirmations and the outbox.

Objections keep the objector's name and contact in their own row only: they are personal data
and never enter the audit log (which records a hash of the text instead).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workflow.store.raw import Raw

__all__ = ["NoticeRepo", "NoticeRow", "ObjectionRow", "OutboxRepo"]


@dataclass
class NoticeRow:
    id: int
    flow_id: str
    unit_id: str
    day: str
    starts_at: datetime
    ends_at: datetime
    template: str
    sha256: str
    audit_seq: int
    audit_hash: str


@dataclass
class ObjectionRow:
    id: int
    nomination_id: int
    notice_id: int | None
    text: str
    name: str | None
    contact: str | None
    filed_by: str | None
    filed_at: datetime
    status: str
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None


_NOTICE = ("id, flow_id, unit_id, day, starts_at, ends_at, template, sha256, audit_seq, "
           "audit_hash")
_OBJECTION = ("id, nomination_id, notice_id, text, name, contact, filed_by, filed_at, status, "
              "resolved_at, resolved_by, resolution")


def _notice(row: tuple[Any, ...]) -> NoticeRow:
    return NoticeRow(row[0], row[1], row[2], row[3], Raw.time_in(row[4]),  # type: ignore[arg-type]
                     Raw.time_in(row[5]), row[6], row[7], row[8], row[9])  # type: ignore[arg-type]


def _objection(row: tuple[Any, ...]) -> ObjectionRow:
    return ObjectionRow(row[0], row[1], row[2], row[3], row[4], row[5], row[6],
                        Raw.time_in(row[7]), row[8], Raw.time_in(row[9]),  # type: ignore[arg-type]
                        row[10], row[11])


class NoticeRepo:
    def __init__(self, raw: Raw) -> None:
        self.raw = raw

    # ---- notices -------------------------------------------------------------------------

    def find(self, flow_id: str, unit_id: str, day: str) -> NoticeRow | None:
        row = self.raw.one(f"SELECT {_NOTICE} FROM notice WHERE flow_id = ? AND unit_id = ? "
                           "AND day = ?", (flow_id, unit_id, day))
        return _notice(row) if row else None

    def get(self, notice_id: int) -> NoticeRow | None:
        row = self.raw.one(f"SELECT {_NOTICE} FROM notice WHERE id = ?", (notice_id,))
        return _notice(row) if row else None

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

    def latest_for(self, nomination_id: int) -> NoticeRow | None:
        row = self.raw.one(
            f"SELECT {', '.join('n.' + c.strip() for c in _NOTICE.split(','))} FROM notice n "
            "JOIN notice_item i ON i.notice_id = n.id WHERE i.nomination_id = ? "
            "ORDER BY n.id DESC LIMIT 1", (nomination_id,))
        return _notice(row) if row else None

    def html(self, notice_id: int) -> str | None:
        row = self.raw.one("SELECT html FROM notice WHERE id = ?", (notice_id,))
        return str(row[0]) if row else None

    def page(self, after_id: int, limit: int) -> list[NoticeRow]:
        rows = self.raw.all(f"SELECT {_NOTICE} FROM notice WHERE id > ? ORDER BY id LIMIT ?",
                            (after_id, limit))
        return [_notice(r) for r in rows]

    # ---- objections ----------------------------------------------------------------------

    def file(self, nomination_id: int, notice_id: int | None, text: str, name: str | None,
             contact: str | None, filed_by: str | None, at: datetime) -> int:
        row = self.raw.one(
            "INSERT INTO objection (nomination_id, notice_id, text, name, contact, filed_by, "
            "filed_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'open') RETURNING id",
            (nomination_id, notice_id, text, name, contact, filed_by, self.raw.time_out(at)))
        assert row is not None
        return int(row[0])

    def objection(self, objection_id: int, *, lock: bool = False) -> ObjectionRow | None:
        sql = f"SELECT {_OBJECTION} FROM objection WHERE id = ?"
        if lock and self.raw.pg:
            sql += " FOR UPDATE"
        row = self.raw.one(sql, (objection_id,))
        return _objection(row) if row else None

    def objections(self, nomination_id: int) -> list[ObjectionRow]:
        rows = self.raw.all(f"SELECT {_OBJECTION} FROM objection WHERE nomination_id = ? "
                            "ORDER BY id", (nomination_id,))
        return [_objection(r) for r in rows]

    def resolve(self, objection_id: int, status: str, by: str, comment: str, at: datetime
                ) -> bool:
        return self.raw.run(
            "UPDATE objection SET status = ?, resolved_by = ?, resolution = ?, resolved_at = ? "
            "WHERE id = ? AND status = 'open'",
            (status, by, comment, self.raw.time_out(at), objection_id)) == 1

    # ---- confirmations -------------------------------------------------------------------

    def confirmations(self, nomination_id: int, entry_no: int) -> list[tuple[Any, ...]]:
        """``(key, decision, actor, comment, at)`` of one state entry."""
        rows = self.raw.all("SELECT key, decision, actor, comment, at FROM confirmation "
                            "WHERE nomination_id = ? AND entry_no = ? ORDER BY at, key",
                            (nomination_id, entry_no))
        return [(r[0], r[1], r[2], r[3], Raw.time_in(r[4])) for r in rows]

    def confirm(self, nomination_id: int, entry_no: int, key: str, decision: str, actor: str,
                comment: str | None, at: datetime) -> bool:
        exists = self.raw.one("SELECT 1 FROM confirmation WHERE nomination_id = ? AND "
                              "entry_no = ? AND key = ?", (nomination_id, entry_no, key))
        if exists is not None:
            return False
        self.raw.run("INSERT INTO confirmation (nomination_id, entry_no, key, decision, actor, "
                     "comment, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (nomination_id, entry_no, key, decision, actor, comment,
                      self.raw.time_out(at)))
        return True

    def rekey_confirmations(self, nomination_id: int, old_entry: int, new_entry: int) -> None:
        self.raw.run("UPDATE confirmation SET entry_no = ? WHERE nomination_id = ? AND "
                     "entry_no = ?", (new_entry, nomination_id, old_entry))


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
             recipient: str | None = None, kind: str | None = None) -> list[tuple[Any, ...]]:
        conds: list[str] = ["id > ?"]
        params: list[Any] = [after_id]
        for column, value in (("nomination_id", nomination_id), ("recipient", recipient),
                              ("kind", kind)):
            if value is not None:
                conds.append(f"{column} = ?")
                params.append(value)
        rows = self.raw.all(
            "SELECT id, at, kind, recipient, nomination_id, subject, body FROM outbox "
            f"WHERE {' AND '.join(conds)} ORDER BY id LIMIT ?", (*params, limit))
        return [(r[0], Raw.time_in(r[1]), *r[2:]) for r in rows]
