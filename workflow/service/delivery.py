"""Delivery of the outbox by email.

A batch is claimed in one short unit of work (see :mod:`workflow.store.outbox`), sent over one
connection outside any transaction, and recorded in another: delivered; tried again later
after a temporary failure, waiting twice as long each time; or given up — after a permanent
refusal, after :data:`MAX_ATTEMPTS`, or at once when the recipient has no address in the
directory. Each message is sent by one scheduler at a time however many run. A process that
dies between sending and recording leaves its claim to run out, and the message is sent
again: the ``Message-ID`` stays the same, so mail clients show it once.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from workflow.mailer import Mail, Mailer
from workflow.service.base import Deps
from workflow.store import DeliveryRow, Tx

__all__ = ["BACKOFF", "BATCH", "LEASE", "MAX_ATTEMPTS", "deliver"]

BATCH = 50
MAX_ATTEMPTS = 8
BACKOFF = timedelta(minutes=1)  # after the first failure; doubled after each, up to a day
LEASE = timedelta(minutes=10)  # how long a claim holds before another scheduler may retry
COUNTS = ("claimed", "sent", "retry", "failed", "no_address")


def deliver(deps: Deps, mailer: Mailer, batch: int = BATCH) -> dict[str, int]:
    """One batch: claim, send, record. Counts of what happened."""
    counts = dict.fromkeys(COUNTS, 0)
    now = deps.now()

    def claim(tx: Tx) -> tuple[list[DeliveryRow], str]:
        instance = tx.meta.setdefault("instance_id", _new_instance_id())
        return tx.outbox.claim(now, batch, now + LEASE), instance

    claimed, instance = deps.run(claim, immediate=True)
    counts["claimed"] = len(claimed)
    if not claimed:
        return counts
    sendable = [d for d in claimed if d.email]
    outcomes = mailer.send([Mail(d.email or "", d.subject, d.body,
                                 f"<outbox-{d.id}.{instance}@award-workflow>")
                            for d in sendable])
    results = dict(zip((d.id for d in sendable), outcomes, strict=True))

    def record(tx: Tx) -> None:
        done = deps.now()
        for message in claimed:
            if message.id not in results:
                tx.outbox.give_up(message.id, "no_address",
                                  f"{message.recipient} has no email address in the directory")
                counts["no_address"] += 1
                continue
            error = results[message.id]
            if error is None:
                tx.outbox.delivered(message.id, done)
                counts["sent"] += 1
            elif error.temporary and message.attempts + 1 < MAX_ATTEMPTS:
                wait = min(BACKOFF * 2 ** message.attempts, timedelta(days=1))
                tx.outbox.retry_later(message.id, done + wait, str(error))
                counts["retry"] += 1
            else:
                tx.outbox.give_up(message.id, "failed", str(error))
                counts["failed"] += 1

    deps.run(record)
    return counts


def _new_instance_id() -> str:
    return secrets.token_hex(6)
