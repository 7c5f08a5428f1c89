"""Ballots through the API: a member's vote (or the secretariat's record of an absent
member's written ballot) and a declared conflict."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from workflow.web.api.models import RecuseBody, VoteAnswer, VoteBody
from workflow.web.deps import Acting, ServiceDep

__all__ = ["router"]

router = APIRouter()


@router.post("/items/{nomination_id}/vote", response_model=VoteAnswer)
def vote(service: ServiceDep, who: Acting, nomination_id: str, body: VoteBody
         ) -> dict[str, Any]:
    service.staff.check_visible(who, nomination_id)
    return service.items.vote(who, nomination_id, body.choice, body.written_for)


@router.post("/items/{nomination_id}/recuse", response_model=VoteAnswer)
def recuse(service: ServiceDep, who: Acting, nomination_id: str, body: RecuseBody
           ) -> dict[str, Any]:
    service.staff.check_visible(who, nomination_id)
    return service.items.recuse(who, nomination_id, body.reason)
