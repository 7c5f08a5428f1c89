"""Reading the audit trail: the chain's head, verifying the whole chain, exporting it, and
one item's timeline.

The audit pages need the auditor role; the whole chain names every unit's items, so its
export also needs an auditor at a top unit. An item's timeline needs an auditor at the
item's unit or above.
"""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse

from workflow.errors import PermissionDenied
from workflow.service import Actor, Service
from workflow.web.deps import Acting, Auditor, Lang, ServiceDep, Words, page_router
from workflow.web.files import export_response
from workflow.web.labels import item_names, names_for
from workflow.web.params import Number
from workflow.web.present import action_label, payload_rows
from workflow.web.render import page

__all__ = ["router"]

router = page_router()


def _may_export(service: Service, who: Actor) -> bool:
    """Only an auditor at a top unit may export the whole chain: offer nobody else a link
    that would always answer 403."""
    try:
        service.audit.check_whole(who)
    except PermissionDenied:
        return False
    return True


@router.get("/audit")
def audit(request: Request, service: ServiceDep, who: Auditor, t: Words) -> HTMLResponse:
    return page(request, "audit.html.j2", {"head": service.audit.head(), "report": None,
                                           "may_export": _may_export(service, who)},
                title=t("audit.title"))


@router.post("/audit/verify")
def audit_verify(request: Request, service: ServiceDep, who: Auditor, t: Words
                 ) -> HTMLResponse:
    report = service.audit.verify()
    return page(request, "audit.html.j2", {"head": service.audit.head(),
                                           "report": report.as_dict(),
                                           "may_export": _may_export(service, who)},
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
def timeline(request: Request, service: ServiceDep, who: Acting, lang: Lang, t: Words,
             nomination_id: str) -> HTMLResponse:
    view = service.staff.item_view(who, nomination_id)
    if not view["may_audit"]:
        raise PermissionDenied(f"{who.login} may not read the audit timeline of nomination "
                               f"{view['id']}: needs auditor at {view['unit']} or above",
                               msgid="audit.item_denied",
                               values={"id": view["id"], "unit": view["unit"]})
    names = names_for(service, lang, nomination_id=view["id"])
    people = view.get("people", {})
    entries = [{**e, "action_text": action_label(e, names, t), "actor_name":
                names.person(e["actor"], people),
                "details": payload_rows(e["payload"], names, t, people)}
               for e in service.audit.log(view["id"])]
    return page(request, "timeline.html.j2", {"item": view, "entries": entries, "n": names,
                                              "people": people,
                                              "states": item_names(view, names, t)["states"]},
                title=t("timeline.title", id=view["id"]))
