"""``/api/queue``: items waiting on the caller."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from workflow.web.api.models import QueueRow
from workflow.web.deps import Acting, ServiceDep

__all__ = ["router"]

router = APIRouter()


@router.get("/queue", response_model=list[QueueRow])
def queue(service: ServiceDep, who: Acting) -> list[dict[str, Any]]:
    """Items waiting on the caller: overdue first, then by due time."""
    return service.items.queue(who)
