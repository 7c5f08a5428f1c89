"""Prometheus metrics (prometheus-client), for the process that serves them.

Each process counts what it does itself — the web server its requests (latency by route) and
the transitions it made (by flow and trigger), a scheduler its sweeps and deliveries — as
Prometheus expects of a fleet scraped process by process. On every scrape the web server also
reads the shared state from the database with a few indexed counts: due and overdue items,
outbox messages by delivery status, and the age of the newest scheduler heartbeat.

Entry points use this module; the service knows nothing of Prometheus (it reports moves to
observers, :meth:`workflow.service.Service.observe`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector

from workflow.errors import AwardError
from workflow.service import Service

__all__ = ["CONTENT_TYPE_LATEST", "SchedulerMetrics", "WebMetrics"]

#: request latencies are mostly milliseconds; the tail matters
DELIVERY_STATUSES = ("pending", "sending", "sent", "failed", "no_address", "held")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _transitions(registry: CollectorRegistry) -> Counter:
    return Counter("award_transitions", "Items moved by this process, by flow and trigger",
                   ["flow", "trigger"], registry=registry)


class WebMetrics:
    """The web server's metrics: its requests, its transitions, and the shared state."""

    def __init__(self, service: Service) -> None:
        self.registry = CollectorRegistry()
        self.requests = Histogram("award_http_request_duration_seconds",
                                  "Web requests by route, method and status",
                                  ["route", "method", "status"], buckets=LATENCY_BUCKETS,
                                  registry=self.registry)
        transitions = _transitions(self.registry)
        service.observe(lambda event, data: transitions.labels(
            data["flow"], data["trigger"]).inc() if event == "moved" else None)
        self.registry.register(_SharedState(service))

    def render(self) -> bytes:
        return generate_latest(self.registry)


class SchedulerMetrics:
    """A scheduler's metrics: sweeps, their duration, what they did, deliveries."""

    def __init__(self, service: Service) -> None:
        self.registry = CollectorRegistry()
        self.sweeps = Histogram("award_sweep_duration_seconds", "Sweeps and how long they took",
                                buckets=LATENCY_BUCKETS, registry=self.registry)
        self.steps = Counter("award_sweep_steps", "What sweeps did (reminded, escalated, fired, "
                             "refused, windows, failed …)", ["outcome"], registry=self.registry)
        self.deliveries = Counter("award_deliveries", "Email deliveries by outcome (sent, retry, "
                                  "failed, no_address)", ["outcome"], registry=self.registry)
        transitions = _transitions(self.registry)
        service.observe(lambda event, data: transitions.labels(
            data["flow"], data["trigger"]).inc() if event == "moved" else None)

    def sweep(self, seconds: float, counts: dict[str, int]) -> None:
        self.sweeps.observe(seconds)
        for key, value in counts.items():
            if not value or key == "claimed":
                continue
            if key.startswith("mail_"):
                if key != "mail_claimed":
                    self.deliveries.labels(key.removeprefix("mail_")).inc(value)
            else:
                self.steps.labels(key).inc(value)

    def serve(self, port: int, host: str = "127.0.0.1") -> None:
        """Serve ``/metrics`` for this process on ``host:port`` (a thread of its own)."""
        start_http_server(port, addr=host, registry=self.registry)


class _SharedState(Collector):
    """Read on each scrape from the database: the state every process shares."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def collect(self) -> Iterator[Any]:
        up = GaugeMetricFamily("award_database_up", "Whether the database answered the scrape")
        try:
            state = self.service.timers.state()
        except AwardError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        items = GaugeMetricFamily("award_items", "Open items with a due time, and overdue ones",
                                  labels=["kind"])
        for kind, value in state["items"].items():
            items.add_metric([kind], value)
        yield items
        outbox = GaugeMetricFamily("award_outbox_messages", "Outbox messages by delivery status",
                                   labels=["status"])
        for status in sorted({*DELIVERY_STATUSES, *state["outbox"]}):
            outbox.add_metric([status], state["outbox"].get(status, 0))
        yield outbox
        if state["heartbeat_age_s"] is not None:
            age = GaugeMetricFamily("award_scheduler_heartbeat_age_seconds",
                                    "Seconds since the newest scheduler sweep finished")
            age.add_metric([], max(state["heartbeat_age_s"], 0.0))
            yield age
            last = GaugeMetricFamily("award_scheduler_last_sweep_seconds",
                                     "How long the newest scheduler sweep took")
            last.add_metric([], state["heartbeat"]["seconds"])
            yield last
