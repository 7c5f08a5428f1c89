"""The pages, one module per resource; each module's ``router`` is CSRF-checked on every POST
and hidden from the OpenAPI document (see :func:`workflow.web.deps.page_router`)."""

from __future__ import annotations

from workflow.web.routes import (
    audit,
    ballots,
    councils,
    items,
    lists,
    nominate,
    objections,
    public,
    queue,
    reports,
    session,
)

__all__ = ["ROUTERS"]

ROUTERS = tuple(m.router for m in (public, session, queue, items, objections, ballots,
                                   nominate, lists, councils, audit, reports))
