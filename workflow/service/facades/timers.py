"""For the scheduler (and ``award escalate``, ``award deliver``): sweeps of due timers, the
daily digest of overdue items, the outbox of messages they produce and its delivery."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from workflow.errors import Misconfigured
from workflow.ids import parse_id
from workflow.service.base import Deps, load, paged
from workflow.service.delivery import BATCH, COUNTS, deliver
from workflow.service.facades.items import Items
from workflow.service.sweep import SWEEP_BATCH, sweep_batch, write_digest
from workflow.store import Tx

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
        """Today's digest of overdue items and overdue objections, one message per unit and
        recipient (idempotent:
        any number of schedulers may run it; each message is written once per day)."""
        now = self._deps.now()
        by_unit: dict[str, list[dict[str, Any]]] = {}
        for row in self._items.find(overdue=True, by_objections=False):
            by_unit.setdefault(row["unit"], []).append(row)
        objections: dict[str, list[dict[str, Any]]] = {}
        for row in self._items.overdue_objections():
            objections.setdefault(row["unit"], []).append(row)
        return self._deps.run(functools.partial(write_digest, self._deps, now, by_unit,
                                                objections=objections))

    def deliver(self, batch: int = BATCH) -> dict[str, int]:
        """Deliver due outbox messages by email until none are due now (a scheduler's job;
        ``award deliver`` runs it once). Misconfigured when no mail server is set."""
        mailer = self._deps.mail()
        if mailer is None:
            raise Misconfigured("no mail server: set AWARD_SMTP_URL (messages stay in the "
                                "outbox until then)", msgid="delivery.no_server")
        totals = dict.fromkeys(COUNTS, 0)
        while True:
            counts = deliver(self._deps, mailer, batch)
            for key, value in counts.items():
                totals[key] += value
            # a batch that sent nothing (a server down) waits for the next run
            if counts["claimed"] < batch or not counts["sent"]:
                return totals

    def mail_configured(self) -> bool:
        return self._deps.mail() is not None

    def beat(self, seconds: float, counts: dict[str, int]) -> None:
        """A scheduler's heartbeat after a sweep: when, how long, and what it did."""
        at = self._deps.now()
        self._deps.run(lambda tx: tx.meta.set("scheduler_heartbeat", json.dumps(
            {"at": at.isoformat(), "seconds": round(seconds, 3), "counts": counts},
            sort_keys=True)))

    def state(self) -> dict[str, Any]:
        """What monitoring reads (cheap, indexed counts): the newest heartbeat and its age,
        due and overdue items, outbox messages by delivery status."""
        deps = self._deps
        now = deps.now()

        def work(tx: Tx) -> dict[str, Any]:
            beat = tx.meta.get("scheduler_heartbeat")
            heartbeat = json.loads(beat) if beat else None
            age = ((now - datetime.fromisoformat(heartbeat["at"])).total_seconds()
                   if heartbeat else None)
            return {"heartbeat": heartbeat, "heartbeat_age_s": age,
                    "items": tx.items.due_counts(now), "outbox": tx.outbox.by_status()}

        return deps.run(work)

    def outbox(self, nomination_id: str | None = None, recipient: str | None = None,
               kind: str | None = None, limit: int | None = None,
               status: str | None = None) -> Iterator[dict[str, Any]]:
        deps = self._deps
        nom = None if nomination_id is None else parse_id(nomination_id, "nomination")
        if nom is not None:
            deps.run(lambda tx: load(deps, tx, nom))
        for row in paged(deps, lambda tx, after, size: tx.outbox.page(
                after, size, nom, recipient, kind, status), lambda row: row.id, limit):
            yield {"id": str(row.id), "at": deps.iso(row.at), "kind": row.kind,
                   "recipient": row.recipient,
                   "nomination": None if row.nomination_id is None else str(row.nomination_id),
                   "subject": row.subject, "body": row.body, "status": row.status,
                   "attempts": row.attempts, "next_attempt_at": deps.iso(row.next_attempt_at),
                   "last_error": row.last_error, "sent_at": deps.iso(row.sent_at)}
