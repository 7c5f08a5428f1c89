"""APScheduler wiring only: it triggers sweeps; correctness lives in the database.

``award scheduler`` runs a background scheduler with its jobs: a sweep every ``interval``
seconds (reminders, escalations, timer fires, notice windows), followed — when a mail server
is set (``AWARD_SMTP_URL``) — by delivery of the outbox, and a daily digest of overdue items
per unit at 07:00 local time. Each sweep leaves a heartbeat in the database (``/healthz`` and
``/metrics`` read its age) and one log line.

Any number of these processes, on any number of machines, may run against one PostgreSQL
database: timers are claimed with ``FOR UPDATE SKIP LOCKED`` and
acted on in the same transaction that marks them done, and digests are deduplicated by key, so
every step happens exactly once whether one scheduler runs or ten, and a process killed
mid-sweep loses nothing (its transaction rolls back; the next sweep redoes the work).
SIGINT and SIGTERM stop it cleanly after the running sweep.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from workflow.clock import SystemClock
from workflow.errors import AwardError
from workflow.logs import fields
from workflow.metrics import SchedulerMetrics
from workflow.service import Service

__all__ = ["run_scheduler"]

log = logging.getLogger("workflow.scheduler")


def run_scheduler(service: Service, interval: float, report: Callable[[str], None],
                  digest_hour: int = 7, max_sweeps: int | None = None,
                  metrics: SchedulerMetrics | None = None) -> dict[str, int]:
    """Run until SIGINT/SIGTERM (or ``max_sweeps`` sweeps); returns the summed counts.
    ``metrics`` counts sweeps and deliveries for a Prometheus endpoint of this process."""
    tz = service.display_tz
    scheduler = BackgroundScheduler(timezone=tz)
    totals: dict[str, int] = {"sweeps": 0}
    # Held while a job talks to the database: stopping waits for it, so a sweep is never cut
    # off half-way and the store is never closed under it.
    working = threading.Lock()
    stopping = threading.Event()

    mail = service.timers.mail_configured()

    def sweep() -> None:
        with working:
            if stopping.is_set():
                return
            started = time.perf_counter()
            try:
                counts = service.timers.escalate()
                if mail:
                    sent = service.timers.deliver()
                    counts.update({f"mail_{k}": v for k, v in sent.items()})
                seconds = time.perf_counter() - started
                service.timers.beat(seconds, counts)
            except AwardError as exc:  # the database went away for a moment: next interval
                report(f"sweep failed: {exc.message}")
                log.warning("sweep failed", extra=fields(error=exc.type))
                return
            totals["sweeps"] += 1
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + value
            done = totals["sweeps"]
        log.info("sweep", extra=fields(seconds=round(seconds, 3),
                                       **{k: v for k, v in counts.items() if v}))
        if metrics is not None:
            metrics.sweep(seconds, counts)
        if counts.get("claimed") or counts.get("mail_claimed"):
            report("sweep: " + ", ".join(f"{k} {v}" for k, v in counts.items() if v))
        if max_sweeps is not None and done >= max_sweeps:
            stopping.set()

    def digest() -> None:
        with working:
            if stopping.is_set():
                return
            try:
                result = service.timers.digest()
            except AwardError as exc:
                report(f"digest failed: {exc.message}")
                return
        report(f"digest: {result['messages']} message(s) for {result['units']} unit(s)")

    # APScheduler runs on wall-clock time (when to sweep); what is due is decided by the
    # engine's clock inside the sweep, so AWARD_NOW replays still work.
    scheduler.add_job(sweep, IntervalTrigger(seconds=interval), id="sweep", max_instances=1,
                      coalesce=True, next_run_time=SystemClock().now().astimezone(tz))
    scheduler.add_job(digest, CronTrigger(hour=digest_hour, minute=0, timezone=tz),
                      id="digest", max_instances=1, coalesce=True)

    # The handler only records the signal: writing or shutting down from inside it could
    # interrupt the main thread half-way through its own write to stderr (a reentrant write
    # is an error in Python), so the main loop below does both.
    signalled: list[str] = []

    def stop(signum: int, _frame: FrameType | None) -> None:
        signalled.append(signal.Signals(signum).name)

    previous: dict[signal.Signals, Any] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, stop)
    report(f"scheduler started: sweep every {interval:g}s, digest daily at {digest_hour:02d}:00")
    try:
        scheduler.start()
        while not signalled and not stopping.wait(0.1):
            pass
        if signalled:
            report(f"received {signalled[0]}; stopping after the running sweep")
        stopping.set()
        scheduler.shutdown(wait=False)
        with working:  # the running sweep, if any, finishes before we report and close
            return dict(totals)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
