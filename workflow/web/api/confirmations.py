"""An agency's confirmation (or refusal) of an item through the API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from workflow.web.api.models import ConfirmBody, Confirmed
from workflow.web.deps import Acting, ServiceDep

__all__ = ["router"]

router = APIRouter()


@router.post("/items/{nomination_id}/confirm", response_model=Confirmed)
def confirm(service: ServiceDep, who: Acting, nomination_id: str, body: ConfirmBody
            ) -> dict[str, Any]:
    service.staff.check_visible(who, nomination_id)
    return service.items.confirm(who, nomination_id, body.key, body.decision, body.comment)
