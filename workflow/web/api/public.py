"""What the API tells anyone: the notices and a nominee on a notice (no sign-in)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from workflow.web.api.models import (
    Lookup,
    Notice,
    PublicNominee,
    ReceiptLookup,
    ReceiptStatus,
)
from workflow.web.api.paging import next_page
from workflow.web.deps import ServiceDep
from workflow.web.params import Cursor, Number
from workflow.web.routes.register import lookup_query

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


@router.post("/receipts", response_model=ReceiptStatus)
def receipt(service: ServiceDep, body: ReceiptLookup) -> dict[str, Any]:
    """An objection as its filer may follow it, by the receipt code they were given (sent in
    the body, not the address, so it stays out of logs and browser history)."""
    return service.public.receipt(body.code)


@router.get("/lookup", response_model=Lookup)
def lookup(service: ServiceDep, name: Annotated[str, Query(max_length=200)] = "",
           unit: Annotated[str, Query(max_length=200)] = "",
           award: Annotated[str, Query(max_length=200)] = "",
           year: Annotated[str, Query(max_length=10)] = "",
           page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> dict[str, Any]:
    """The public register ("Tra cứu khen thưởng"): awards by name, unit (and the units
    below it), award and year, newest first, 20 a page, with the decision's number and date;
    revoked ones with the date; awards to people on special tasks only counted."""
    query, _ = lookup_query(name, unit, award, year)
    return service.register.lookup(query, page)
