"""Sign-offs of a ``confirmations`` state: one per key and state entry.

Must not import the service or anything above the store.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from workflow.store.raw import Raw

__all__ = ["ConfirmationRepo"]


class ConfirmationRepo:
    def __init__(self, raw: Raw) -> None:
        self.raw = raw

    def of(self, nomination_id: int, entry_no: int) -> list[tuple[Any, ...]]:
        """``(key, decision, actor, comment, at)`` of one state entry."""
        rows = self.raw.all("SELECT key, decision, actor, comment, at FROM confirmation "
                            "WHERE nomination_id = ? AND entry_no = ? ORDER BY at, key",
                            (nomination_id, entry_no))
        return [(r[0], r[1], r[2], r[3], Raw.time_in(r[4])) for r in rows]

    def add(self, nomination_id: int, entry_no: int, key: str, decision: str, actor: str,
            comment: str | None, at: datetime) -> bool:
        """Record a sign-off; False if that key already signed in this entry."""
        exists = self.raw.one("SELECT 1 FROM confirmation WHERE nomination_id = ? AND "
                              "entry_no = ? AND key = ?", (nomination_id, entry_no, key))
        if exists is not None:
            return False
        self.raw.run("INSERT INTO confirmation (nomination_id, entry_no, key, decision, actor, "
                     "comment, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (nomination_id, entry_no, key, decision, actor, comment,
                      self.raw.time_out(at)))
        return True

    def rekey(self, nomination_id: int, old_entry: int, new_entry: int) -> None:
        """Sign-offs follow their item back from a hold into the resumed state entry."""
        self.raw.run("UPDATE confirmation SET entry_no = ? WHERE nomination_id = ? AND "
                     "entry_no = ?", (new_entry, nomination_id, old_entry))
