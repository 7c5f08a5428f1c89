"""The queue page: items the signed-in person can act on now (overdue first) and the
objections waiting for them to resolve. The queue is ordered by due time, not by id, so it
pages by showing more (``?limit=``) rather than by a cursor."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from workflow.web.deps import Acting, Lang, ServiceDep, Words, page_router
from workflow.web.labels import ListNames
from workflow.web.params import Number
from workflow.web.render import page

__all__ = ["router"]

router = page_router()

QUEUE_PAGE = 100
QUEUE_MAX = 2_000


@router.get("/queue")
def queue(request: Request, service: ServiceDep, who: Acting, lang: Lang, t: Words,
          limit: Number = QUEUE_PAGE) -> HTMLResponse:
    shown = max(1, min(limit, QUEUE_MAX))
    rows = service.items.queue(who, limit=shown + 1)  # one more tells whether there is more
    more = min(shown + QUEUE_PAGE, QUEUE_MAX) if len(rows) > shown and shown < QUEUE_MAX \
        else None
    return page(request, "queue.html.j2", {
        "rows": rows[:shown], "more": more,
        "objections": service.staff.objections_to_resolve(who),
        "labels": ListNames(service, lang)}, title=t("queue.title"))
