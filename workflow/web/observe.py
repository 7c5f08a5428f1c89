"""Watching the server: ``/healthz``, ``/metrics`` (Prometheus) and one log line per request.

The log line says which route answered (its template, ``/items/{nomination_id}``, never the
path with an id or a query string in it), with what status and how fast — nothing a person
typed, no name, no query.
"""

from __future__ import annotations

import logging
import time

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workflow.errors import AwardError
from workflow.logs import fields
from workflow.metrics import CONTENT_TYPE_LATEST, WebMetrics
from workflow.service import Service
from workflow.web.state import web

__all__ = ["install"]

log = logging.getLogger("workflow.web.request")


def install(app: FastAPI, service: Service) -> None:
    metrics = WebMetrics(service)

    def measured(inner: ASGIApp) -> ASGIApp:
        """Plain ASGI (``@app.middleware("http")`` wraps every request in a task and two
        streams): the time until the answer is sent, under the route that answered."""
        async def measure(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await inner(scope, receive, send)
                return
            started = time.perf_counter()
            status = [500]

            async def send_status(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status[0] = message["status"]
                await send(message)

            await inner(scope, receive, send_status)
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "(no route)"
            metrics.requests.labels(route, scope["method"], str(status[0])).observe(seconds)
            log.info("request", extra=fields(method=scope["method"], route=route,
                                             status=status[0], ms=round(seconds * 1000, 1)))

        return measure

    app.add_middleware(measured)

    def healthz(request: Request) -> JSONResponse:
        """Up when the database answers a unit of work and its schema is this release's;
        with the newest scheduler heartbeat's age for whoever watches the schedulers."""
        service = web(request).service
        try:
            service.setup.health()
            revision = service.setup.revision()
            state = service.timers.state()
        except AwardError as exc:
            return JSONResponse({"ok": False, "error": exc.message}, status_code=503)
        ok = bool(revision["at_head"])
        body = {"ok": ok, "database": "ok",
                "schema": {"revision": revision["revision"], "head": revision["head"]},
                "scheduler": {"heartbeat_age_s": state["heartbeat_age_s"]}}
        if not ok:
            body["error"] = "the schema is not this release's: run award db upgrade"
        return JSONResponse(body, status_code=200 if ok else 503)

    def metrics_page(request: Request) -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    app.add_api_route("/healthz", healthz, include_in_schema=False)
    app.add_api_route("/metrics", metrics_page, include_in_schema=False)
