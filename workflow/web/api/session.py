"""``/api/me``: who the caller is, and the CSRF token a browser session sends on writes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from workflow.web.api.models import Me
from workflow.web.auth import csrf_token, via_session
from workflow.web.deps import Acting, Person

__all__ = ["router"]

router = APIRouter()


@router.get("/me", response_model=Me)
def me(request: Request, who: Acting, person: Person) -> dict[str, Any]:
    """The signed-in person, their roles, and the CSRF token for session writes."""
    assert person is not None
    data = {k: v for k, v in person.items() if k != "stamp"}
    if via_session(request):
        data["csrf_token"] = csrf_token(request)
    return data
