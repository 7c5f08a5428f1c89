"""For the scheduler (and ``award escalate``): sweeps of due timers, the daily digest of
overdue items, and the outbox of messages they produce."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from workflow.ids import parse_id
from workflow.service.base import Deps, load, paged
from workflow.service.facades.items import Items
from workflow.service.sweep import SWEEP_BATCH, sweep_batch, write_digest

__all__ = ["Timers"]


class Timers:
    def __init__(self, deps: Deps, items: Items) -> None:
        self._deps = deps
        self._items = items

    def escalate(self, batch: int = SWEEP_BATCH) -> dict[str, int]:
        """One sweep at "now": reminders, escalations, timer fires, notice windows."""
        now = self._deps.now()
        totals: dict[str, int] = {}
        while True:
            counts = self._deps.run(lambda tx: sweep_batch(self._deps, tx, now, batch),
                                    immediate=True)
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + value
            if counts["claimed"] < batch:
                return totals

    def digest(self) -> dict[str, int]:
        """Today's digest of overdue items, one message per unit and recipient (idempotent:
        any number of schedulers may run it; each message is written once per day)."""
        now = self._deps.now()
        by_unit: dict[str, list[dict[str, Any]]] = {}
        for row in self._items.find(overdue=True):
            by_unit.setdefault(row["unit"], []).append(row)
        return self._deps.run(functools.partial(write_digest, self._deps, now, by_unit))

    def outbox(self, nomination_id: str | None = None, recipient: str | None = None,
               kind: str | None = None, limit: int | None = None) -> Iterator[dict[str, Any]]:
        deps = self._deps
        nom = None if nomination_id is None else parse_id(nomination_id, "nomination")
        if nom is not None:
            deps.run(lambda tx: load(deps, tx, nom))
        for row in paged(deps, lambda tx, after, size: tx.outbox.page(
                after, size, nom, recipient, kind), lambda row: row.id, limit):
            yield {"id": str(row.id), "at": deps.iso(row.at), "kind": row.kind,
                   "recipient": row.recipient,
                   "nomination": None if row.nomination_id is None else str(row.nomination_id),
                   "subject": row.subject, "body": row.body}
