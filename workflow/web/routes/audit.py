"""Reading the audit trail: the chain's head, verifying the whole chain, exporting it, and
one item's timeline.

The audit pages need the auditor role; the whole chain names every unit's items, so its
export also needs an auditor at a top unit. An item's timeline needs an auditor at the
item's unit or above.
"""

from __future__ import annotations

import json

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse

from workflow.errors import PermissionDenied
from workflow.web.deps import Acting, Auditor, ServiceDep, Words, page_router
from workflow.web.files import export_response
from workflow.web.params import Number
from workflow.web.render import page

__all__ = ["router"]

router = page_router()


@router.get("/audit")
def audit(request: Request, service: ServiceDep, _who: Auditor, t: Words) -> HTMLResponse:
    return page(request, "audit.html.j2", {"head": service.audit.head(), "report": None},
                title=t("audit.title"))


@router.post("/audit/verify")
def audit_verify(request: Request, service: ServiceDep, _who: Auditor, t: Words
                 ) -> HTMLResponse:
    report = service.audit.verify()
    return page(request, "audit.html.j2", {"head": service.audit.head(),
                                           "report": report.as_dict()},
                title=t("audit.title"))


@router.get("/audit/export")
def audit_export(service: ServiceDep, who: Auditor, format: str = "jsonl"
                 ) -> StreamingResponse:
    service.audit.check_whole(who)
    return export_response(service, format)


@router.get("/audit/item")
def audit_item(_who: Auditor, id: Number) -> Response:
    return RedirectResponse(f"/items/{id}/timeline", status_code=303)


@router.get("/items/{nomination_id}/timeline")
def timeline(request: Request, service: ServiceDep, who: Acting, t: Words,
             nomination_id: str) -> HTMLResponse:
    view = service.staff.item_view(who, nomination_id)
    if not view["may_audit"]:
        raise PermissionDenied(f"{who.login} may not read the audit timeline of nomination "
                               f"{view['id']}: needs auditor at {view['unit']} or above")
    entries = [{**e, "payload_text": json.dumps(e["payload"], ensure_ascii=False,
                                                 sort_keys=True)}
               for e in service.audit.log(view["id"])]
    return page(request, "timeline.html.j2", {"item": view, "entries": entries},
                title=t("timeline.title", id=view["id"]))
