"""The JSON API under ``/api``: the same use cases as the pages and the CLI, one module per
resource.

Authentication: the session cookie of a signed-in browser (writes must also send the session's
CSRF token as ``X-CSRF-Token``; ``GET /api/me`` returns it) or HTTP Basic with a directory
login and password (for scripts). Public calls (notices, nominees, filing an objection, the
audit head) need neither. Errors are ``{"error": {"type", "message", …}}`` with the statuses of
:data:`workflow.web.errors.STATUS`; an unauthenticated call is 401.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from workflow.web.api import (
    audit,
    ballots,
    confirmations,
    items,
    objections,
    public,
    queue,
    session,
)
from workflow.web.deps import header_csrf

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["award"], dependencies=[Depends(header_csrf)])
for _part in (session, items, ballots, confirmations, objections, queue, public, audit):
    router.include_router(_part.router)
