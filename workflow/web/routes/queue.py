"""The queue page: items the signed-in person can act on now (overdue first) and the
objections waiting for them to resolve."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from workflow.web.deps import Acting, Lang, ServiceDep, Words, page_router
from workflow.web.labels import StateLabels
from workflow.web.render import page

__all__ = ["router"]

router = page_router()


@router.get("/queue")
def queue(request: Request, service: ServiceDep, who: Acting, lang: Lang, t: Words
          ) -> HTMLResponse:
    return page(request, "queue.html.j2", {
        "rows": service.items.queue(who), "objections": service.staff.objections_to_resolve(who),
        "labels": StateLabels(service, lang)}, title=t("queue.title"))
