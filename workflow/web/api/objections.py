"""Objections through the API: filing one (the public, while a window is open; staff, at any
time), resolving one, and those waiting for the caller to resolve."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from workflow.service import PUBLIC, Actor
from workflow.web.api.models import ObjectBody, OpenObjection, Receipt, ResolveBody, Resolved
from workflow.web.deps import Acting, Person, ServiceDep
from workflow.web.security import client_key
from workflow.web.state import web

__all__ = ["router"]

router = APIRouter()


@router.post("/items/{nomination_id}/objections", status_code=201, response_model=Receipt)
def object_(request: Request, service: ServiceDep, person: Person, nomination_id: str,
            body: ObjectBody) -> dict[str, Any]:
    """Anyone may object while the nominee's notice window is open (the answer is the receipt
    number and the handling deadline only); a signed-in officer or secretariat files a
    complaint at any time. ``kind`` (default ``gop_y``) must be one of the four kinds (else
    422, ``objection.bad_kind``)."""
    if person is None:
        limit = web(request).objections
        limit.refuse_if_spent(request)  # only objections filed count, not refused ones
        result = service.items.file_objection(PUBLIC, nomination_id, body.text, body.name,
                                              body.contact, body.kind)
        limit.hit(client_key(request))
        return {k: result[k] for k in ("id", "status", "receipt", "filed_at", "text_sha256",
                                       "kind", "due_at")}
    web(request).objections.spend(request, person["login"])
    return service.items.file_objection(Actor(person["login"]), nomination_id, body.text,
                                        body.name, body.contact, body.kind)


@router.post("/objections/{objection_id}/resolve", response_model=Resolved)
def resolve(service: ServiceDep, who: Acting, objection_id: str, body: ResolveBody
            ) -> dict[str, Any]:
    return service.items.resolve(who, objection_id, body.outcome, body.comment)


@router.get("/objections", response_model=list[OpenObjection])
def objections(service: ServiceDep, who: Acting) -> list[dict[str, Any]]:
    """Open objections the caller (as secretariat) may resolve."""
    return list(service.staff.objections_to_resolve(who))
