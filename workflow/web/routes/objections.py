"""Objections handled by staff: a complaint registered against an item, and the examining
secretariat's resolution (the public's objections are filed in :mod:`.public`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request, Response
from fastapi.responses import RedirectResponse

from workflow.errors import AwardError
from workflow.web.deps import Acting, ServiceDep, Words, page_router
from workflow.web.errors import spoken
from workflow.web.forms import Failed
from workflow.web.labels import names_for
from workflow.web.render import flash, lang_of
from workflow.web.routes.items import item_page
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
    text: Annotated[str, Form(max_length=20_000)] = "",
    kind: Annotated[str, Form(max_length=32)] = "gop_y",
) -> Response:
    """A complaint registered by staff (officer or secretariat of the unit or above), of one
    of the four kinds (góp ý by default, as on the command line)."""
    service.staff.check_visible(who, nomination_id)
    web(request).objections.spend(request, who.login)
    try:
        result = service.items.file_objection(who, nomination_id, text, kind=kind)
    except AwardError as exc:
        return item_page(request, service, who, nomination_id, failed=Failed(
            "complain", spoken(request, exc), exc, {"text": text, "kind": kind}))
    flash(request, t("item.complained", id=result["id"]))
    return RedirectResponse(f"/items/{nomination_id}", status_code=303)


@router.post("/objections/{objection_id}/resolve")
def resolve(
    request: Request,
    service: ServiceDep,
    who: Acting,
    t: Words,
    objection_id: str,
    outcome: Annotated[str, Form(max_length=16)] = "",
    comment: Annotated[str, Form(max_length=10_000)] = "",
    nomination: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=2_000)] = "",
    decision: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """The examining secretariat's conclusion; refused, the item's page again (``nomination``
    names it; the objection's own item is looked up by the service) with what was typed."""
    try:
        result = service.items.resolve(who, objection_id, outcome, comment, reason or None,
                                       decision or None)
    except AwardError as exc:
        if not nomination:
            raise
        service.staff.check_visible(who, nomination)
        return item_page(request, service, who, nomination, failed=Failed(
            f"resolve-{objection_id}", spoken(request, exc, names_for(
                service, lang_of(request), nomination_id=nomination)), exc,
            {"outcome": outcome, "comment": comment, "reason": reason, "decision": decision}))
    flash(request, t("item.resolved", id=result["id"]))
    return RedirectResponse(f"/items/{result['nomination']}", status_code=303)


@router.post("/objections/{objection_id}/extend")
def extend(
    request: Request,
    service: ServiceDep,
    who: Acting,
    t: Words,
    objection_id: str,
    nomination: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    """The one extension the law allows a complaint or a denunciation (as ``award extend``);
    refused, the item's page again with the reason typed."""
    try:
        result = service.items.extend(who, objection_id, reason)
    except AwardError as exc:
        if not nomination:
            raise
        service.staff.check_visible(who, nomination)
        return item_page(request, service, who, nomination, failed=Failed(
            f"extend-{objection_id}", spoken(request, exc), exc, {"reason": reason}))
    flash(request, t("item.extended", id=result["id"]))
    return RedirectResponse(f"/items/{result['nomination']}", status_code=303)
