"""Small facts the store keeps: meta key/values and the stored flow versions.

Must not import the service or anything above the store.
"""

from __future__ import annotations

from datetime import datetime

from workflow.store.raw import Raw

__all__ = ["FlowVersionRepo", "MetaRepo"]


class MetaRepo:
    def __init__(self, raw: Raw) -> None:
        self.raw = raw

    def get(self, key: str) -> str | None:
        row = self.raw.one("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    def set(self, key: str, value: str) -> None:
        # one statement, so two first writers of a key cannot both insert it
        self.raw.run("INSERT INTO meta (key, value) VALUES (?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    def setdefault(self, key: str, value: str) -> str:
        """The value under ``key``, storing ``value`` first if there is none (the first
        writer wins when several processes race)."""
        self.raw.run("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                     (key, value))
        stored = self.get(key)
        assert stored is not None
        return stored


class FlowVersionRepo:
    """The exact text of every flow version ever used, so an item in flight keeps its rules."""

    def __init__(self, raw: Raw) -> None:
        self.raw = raw

    def keep(self, version: str, flow_id: str, path: str, source: str, now: datetime) -> None:
        if self.raw.one("SELECT 1 FROM flow_version WHERE version = ?", (version,)) is None:
            self.raw.run("INSERT INTO flow_version (version, flow_id, path, source, stored_at) "
                         "VALUES (?, ?, ?, ?, ?)",
                         (version, flow_id, path, source, self.raw.time_out(now)))

    def used(self, flow_id: str) -> bool:
        """Whether any version of ``flow_id`` was ever used here (its file may be gone)."""
        return self.raw.one("SELECT 1 FROM flow_version WHERE flow_id = ? LIMIT 1",
                            (flow_id,)) is not None

    def get(self, version: str) -> tuple[str, str, str] | None:
        """``(flow_id, path, source)`` of a stored version."""
        row = self.raw.one("SELECT flow_id, path, source FROM flow_version WHERE version = ?",
                           (version,))
        return (row[0], row[1], row[2]) if row else None

    def versions(self, flow_id: str) -> list[tuple[str, str, datetime]]:
        """``(version, path, stored_at)`` of every stored version of ``flow_id``, oldest
        first."""
        rows = self.raw.all("SELECT version, path, stored_at FROM flow_version WHERE "
                            "flow_id = ? ORDER BY stored_at, version", (flow_id,))
        out = []
        for version, path, stored_at in rows:
            at = Raw.time_in(stored_at)
            assert at is not None
            out.append((str(version), str(path), at))
        return out
