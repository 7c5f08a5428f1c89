"""What the API tells anyone: the notices and a nominee on a notice (no sign-in)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from workflow.web.api.models import Notice, PublicNominee
from workflow.web.api.paging import next_page
from workflow.web.deps import ServiceDep
from workflow.web.params import Cursor, Number

__all__ = ["router"]

router = APIRouter()


@router.get("/notices", response_model=list[Notice])
def notices(request: Request, response: Response, service: ServiceDep, before: Cursor = None,
            limit: Number = 50) -> list[dict[str, Any]]:
    """Public notices, newest first; a full page links the next (``Link: rel="next"``)."""
    size = max(1, min(limit, 200))
    rows = list(service.public.board(before=before, limit=size))
    if len(rows) == size:
        next_page(request, response, rows[-1]["id"])
    return rows


@router.get("/notices/{notice_id}", response_model=Notice)
def notice(service: ServiceDep, notice_id: str) -> dict[str, Any]:
    return service.public.notice(notice_id)


@router.get("/nominees/{nomination_id}", response_model=PublicNominee)
def nominee(service: ServiceDep, nomination_id: str) -> dict[str, Any]:
    return service.public.nominee(nomination_id)
