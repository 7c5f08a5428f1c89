"""What the API tells anyone: the notices and a nominee on a notice (no sign-in)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from workflow.web.deps import ServiceDep
from workflow.web.params import Cursor, Number

__all__ = ["router"]

router = APIRouter()


@router.get("/notices")
def notices(service: ServiceDep, before: Cursor = None, limit: Number = 50
            ) -> list[dict[str, Any]]:
    return list(service.public.board(before=before, limit=max(1, min(limit, 200))))


@router.get("/notices/{notice_id}")
def notice(service: ServiceDep, notice_id: str) -> dict[str, Any]:
    return service.public.notice(notice_id)


@router.get("/nominees/{nomination_id}")
def nominee(service: ServiceDep, nomination_id: str) -> dict[str, Any]:
    return service.public.nominee(nomination_id)
