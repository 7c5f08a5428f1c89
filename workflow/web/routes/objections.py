"""Objections handled by staff: a complaint registered against an item, and the examining
secretariat's resolution (the public's objections are filed in :mod:`.public`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request, Response
from fastapi.responses import RedirectResponse

from workflow.web.deps import Acting, ServiceDep, Words, page_router
from workflow.web.render import flash
from workflow.web.state import web

__all__ = ["router"]

router = page_router()


@router.post("/items/{nomination_id}/objections")
def complain(
    request: Request,
    service: ServiceDep,
    who: Acting,
    t: Words,
    nomination_id: str,
    text: Annotated[str, Form(max_length=20_000)],
) -> Response:
    """A complaint registered by staff (officer or secretariat of the unit or above)."""
    service.staff.check_visible(who, nomination_id)
    web(request).objections.spend(request, who.login)
    result = service.items.file_objection(who, nomination_id, text)
    flash(request, t("item.complained", id=result["id"]))
    return RedirectResponse(f"/items/{nomination_id}", status_code=303)


@router.post("/objections/{objection_id}/resolve")
def resolve(
    request: Request,
    service: ServiceDep,
    who: Acting,
    t: Words,
    objection_id: str,
    outcome: Annotated[str, Form(max_length=16)],
    comment: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    result = service.items.resolve(who, objection_id, outcome, comment)
    flash(request, t("item.resolved", id=result["id"]))
    return RedirectResponse(f"/items/{result['nomination']}", status_code=303)
