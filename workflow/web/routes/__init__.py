"""The pages, one module per resource; each module's ``router`` is CSRF-checked on every POST
and hidden from the OpenAPI document (see :func:`workflow.web.deps.page_router`)."""

from __future__ import annotations

from workflow.web.routes import (
    audit,
    ballots,
    campaigns,
    councils,
    decisions,
    documents,
    flows,
    items,
    lists,
    nominate,
    objections,
    public,
    queue,
    register,
    reports,
    session,
)

__all__ = ["ROUTERS"]

ROUTERS = tuple(m.router for m in (public, register, session, queue, items, objections,
                                   decisions, ballots, nominate, lists, councils, campaigns,
                                   documents, audit, flows, reports))
