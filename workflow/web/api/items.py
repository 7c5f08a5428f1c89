"""Items through the API: listing, nominating (and the flows one may nominate in), one item,
what the caller may do to it, firing a trigger, attaching a document."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile

from workflow.web.api.models import (
    Action,
    Attached,
    FireBody,
    Fired,
    IssuedDocument,
    ItemSummary,
    ItemView,
    NominateBody,
    NominationOption,
    NomineeChoices,
    UpdateBody,
    Withdrawn,
)
from workflow.web.api.paging import next_page
from workflow.web.deps import Acting, ServiceDep
from workflow.web.files import attach_upload, download
from workflow.web.files import document as document_response
from workflow.web.params import Cursor, Number

__all__ = ["router"]

router = APIRouter()


@router.get("/items", response_model=list[ItemSummary])
def list_items(request: Request, response: Response, service: ServiceDep, who: Acting,
               state: str | None = None, flow: str | None = None, unit: str | None = None,
               before: Cursor = None, limit: Number = 100) -> list[dict[str, Any]]:
    """Items at the caller's units and below (``unit``: that unit and below), newest first.
    A full page carries ``Link: <…>; rel="next"``: the next page (``before`` the last id)."""
    size = max(1, min(limit, 500))
    rows = list(service.staff.items_for(who, state=state, flow=flow, before=before,
                                        limit=size, unit=unit))
    if len(rows) == size:
        next_page(request, response, rows[-1]["id"])
    return rows


@router.post("/items", status_code=201, response_model=ItemSummary)
def nominate(service: ServiceDep, who: Acting, body: NominateBody) -> dict[str, Any]:
    return service.items.nominate(who, body.flow, body.unit, body.nominee, body.person,
                                  body.fields, nominee_unit=body.nominee_unit)


@router.get("/nomination-options", response_model=list[NominationOption])
def nomination_options(service: ServiceDep, who: Acting) -> list[dict[str, Any]]:
    """The flows the caller may start, the units they may nominate at, and each flow's
    fields and document types."""
    return list(service.staff.nomination_options(who))


@router.get("/nomination-options/{flow}/people", response_model=NomineeChoices)
def nominee_choices(service: ServiceDep, who: Acting, flow: str,
                    unit: Annotated[str, Query(max_length=64)],
                    q: Annotated[str, Query(max_length=200)] = "") -> dict[str, Any]:
    """The people a nomination at ``unit`` may name (who work there or below, or hold a role
    there), matched by name as people search (diacritics and case aside), at most 20."""
    return service.staff.nominee_choices(who, flow, unit, q)


@router.get("/items/{nomination_id}", response_model=ItemView)
def show(service: ServiceDep, who: Acting, nomination_id: str) -> dict[str, Any]:
    return service.staff.item_view(who, nomination_id)


@router.patch("/items/{nomination_id}", response_model=ItemSummary)
def update(service: ServiceDep, who: Acting, nomination_id: str, body: UpdateBody
           ) -> dict[str, Any]:
    """Change a nomination's details while its dossier is open (draft, or returned)."""
    service.staff.check_visible(who, nomination_id)
    return service.items.update(who, nomination_id, body.fields, body.expect_version)


@router.get("/items/{nomination_id}/available", response_model=list[Action])
def available(service: ServiceDep, who: Acting, nomination_id: str) -> list[dict[str, Any]]:
    service.staff.check_visible(who, nomination_id)
    return service.items.available(who, nomination_id)


@router.post("/items/{nomination_id}/fire", response_model=Fired)
def fire(service: ServiceDep, who: Acting, nomination_id: str, body: FireBody
         ) -> dict[str, Any]:
    service.staff.check_visible(who, nomination_id)
    return service.items.fire(who, nomination_id, body.trigger, body.comment, body.expect_version)


@router.post("/items/{nomination_id}/documents", status_code=201, response_model=Attached)
def attach(service: ServiceDep, who: Acting, nomination_id: str,
           doctype: Annotated[str, Form(max_length=64)],
           file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    service.staff.check_visible(who, nomination_id)
    return attach_upload(service, who, nomination_id, doctype, file)


@router.delete("/items/{nomination_id}/documents/{doctype}", response_model=Withdrawn)
def detach(service: ServiceDep, who: Acting, nomination_id: str, doctype: str
           ) -> dict[str, Any]:
    """Withdraw the documents of a type while the dossier is open (the versions are kept)."""
    service.staff.check_visible(who, nomination_id)
    return service.items.detach(who, nomination_id, doctype)


_FILE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/octet-stream": {}}, "description": "the file"}}
_PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "the PDF"}}
_HTML: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {}}, "description": "the document as issued"}}


@router.get("/items/{nomination_id}/dossier/{document}", response_class=Response,
            responses=_FILE)
def dossier_file(service: ServiceDep, who: Acting, nomination_id: str, document: str
                 ) -> Response:
    """A file of the dossier (by its id, or by document type: the newest of that type), for
    whoever may see the item — council members read what they vote on."""
    found = service.documents.dossier_file(who, nomination_id, document)
    return download(found["content"], found["file"], found["sha256"])


@router.get("/items/{nomination_id}/issued", response_model=list[IssuedDocument])
def issued(service: ServiceDep, who: Acting, nomination_id: str) -> list[dict[str, Any]]:
    """The documents issued for the item (decisions, minutes), with where to read them."""
    out = []
    for doc in service.documents.of_item(who, nomination_id):
        base = f"/api/items/{nomination_id}/issued/{doc['id']}"
        out.append({**{k: v for k, v in doc.items() if k != "html"},
                    "html_url": base, "pdf_url": f"{base}/pdf" if doc["pdf_sha256"] else None})
    return out


@router.get("/items/{nomination_id}/issued/{document_id}", response_class=Response,
            responses=_HTML)
def issued_html(service: ServiceDep, who: Acting, nomination_id: str, document_id: str
                ) -> Response:
    found = service.documents.issued(who, "document", document_id, nomination_id=nomination_id)
    return document_response(found["html"], found["sha256"])


@router.get("/items/{nomination_id}/issued/{document_id}/pdf", response_class=Response,
            responses=_PDF)
def issued_pdf(service: ServiceDep, who: Acting, nomination_id: str, document_id: str
               ) -> Response:
    found = service.documents.pdf(who, "document", document_id, nomination_id=nomination_id)
    return download(found["pdf"], f"{found['template'].split('.')[0]}-{found['id']}.pdf",
                    found["pdf_sha256"], inline=True)
