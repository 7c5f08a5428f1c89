"""Item pages and what is done on them: the list of items at the person's units, one item,
firing a trigger, attaching a document, an agency's confirmation.

Every page asks :meth:`Service.item_view` what this person may see and do; buttons are
exactly the actions :meth:`Service.available` reports, and every POST goes to the same use
case the command line calls, so a forged request meets the same role checks, guards and audit
as a real one. A POST about an item first refuses (403) a person who may not see it, before
anything is said about its state.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from workflow.web.deps import Acting, Lang, ServiceDep, Words, page_router
from workflow.web.files import attach_upload
from workflow.web.i18n import trigger_label
from workflow.web.labels import StateLabels, item_names
from workflow.web.params import Cursor, FormVersion
from workflow.web.render import flash, page

__all__ = ["router"]

router = page_router()

LIST_PAGE = 50


@router.get("/items")
def items(request: Request, service: ServiceDep, who: Acting, lang: Lang, t: Words,
          state: str | None = None, flow: str | None = None, before: Cursor = None
          ) -> HTMLResponse:
    rows = service.staff.items_for(who, state=state or None, flow=flow or None, before=before,
                             limit=LIST_PAGE)
    older = rows[-1]["id"] if len(rows) == LIST_PAGE else None
    flows = [f for f in service.setup.flows() if f.get("ok")]
    return page(request, "items.html.j2", {
        "rows": rows, "older": older, "flows": flows, "state": state or "", "flow": flow or "",
        "labels": StateLabels(service, lang)}, title=t("items.title"))


@router.get("/items/{nomination_id}")
def item(request: Request, service: ServiceDep, who: Acting, lang: Lang, t: Words,
         nomination_id: str) -> HTMLResponse:
    view = service.staff.item_view(who, nomination_id)
    return page(request, "item.html.j2", {"item": view, "names": item_names(view, lang, t)},
                title=t("item.title", id=view["id"], nominee=view["nominee"]))


@router.post("/items/{nomination_id}/fire")
def fire(
    request: Request,
    service: ServiceDep,
    who: Acting,
    lang: Lang,
    t: Words,
    nomination_id: str,
    trigger: Annotated[str, Form(max_length=64)],
    comment: Annotated[str, Form(max_length=10_000)] = "",
    expect_version: FormVersion = None,
    back: Annotated[str, Form(max_length=16)] = "item",
) -> Response:
    service.staff.check_visible(who, nomination_id)
    # the transition's own label, as the item's version has it, before the item moves on
    label = next((a["label"] for a in service.items.available(who, nomination_id)
                  if a["action"] == "fire" and a["trigger"] == trigger), None)
    result = service.items.fire(who, nomination_id, trigger, comment or None, expect_version)
    states = StateLabels(service, lang)
    flash(request, t("item.fired", trigger=trigger_label(label, trigger, lang),
                     state=states(str(result.get("flow", "")), result["state"])))
    to = f"/items/{nomination_id}/ballot" if back == "ballot" else f"/items/{nomination_id}"
    return RedirectResponse(to, status_code=303)


@router.post("/items/{nomination_id}/documents")
def attach(
    request: Request,
    service: ServiceDep,
    who: Acting,
    t: Words,
    nomination_id: str,
    doctype: Annotated[str, Form(max_length=64)],
    file: Annotated[UploadFile, File()],
) -> Response:
    service.staff.check_visible(who, nomination_id)
    result = attach_upload(service, who, nomination_id, doctype, file)
    flash(request, t("item.attached", file=result["file"], sha=result["sha256"][:16] + "…"))
    return RedirectResponse(f"/items/{nomination_id}", status_code=303)


@router.post("/items/{nomination_id}/confirm")
def confirm(
    request: Request,
    service: ServiceDep,
    who: Acting,
    t: Words,
    nomination_id: str,
    key: Annotated[str, Form(max_length=64)],
    decision: Annotated[str, Form(max_length=8)],
    comment: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    service.staff.check_visible(who, nomination_id)
    service.items.confirm(who, nomination_id, key, decision, comment or None)
    flash(request, t("item.confirmed"))
    return RedirectResponse(f"/items/{nomination_id}", status_code=303)
