"""Council ballots: the open ballots waiting on a member, one item's ballot page, casting a
vote, declaring a conflict, and the minutes of the latest closed round.

The ballot page never shows a tally while the round is open; the minutes are the copy stored
when the round closed, not a fresh rendering.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from workflow.web.deps import Acting, Lang, ServiceDep, Words, page_router
from workflow.web.files import document
from workflow.web.labels import StateLabels
from workflow.web.render import flash, page

__all__ = ["router"]

router = page_router()

MINUTES = "minutes.html.j2"


@router.get("/ballots")
def ballots(request: Request, service: ServiceDep, who: Acting, lang: Lang, t: Words
            ) -> HTMLResponse:
    rows = [r for r in service.items.queue(who)
            if any(a["action"] in ("vote", "close_vote") for a in r["actions"])]
    return page(request, "ballots.html.j2", {"rows": rows, "labels": StateLabels(service, lang),
                                             "sessions": service.sessions.find(
                                                 actor=who, status="open")},
                title=t("ballots.title"))


@router.get("/items/{nomination_id}/ballot")
def ballot(request: Request, service: ServiceDep, who: Acting, t: Words, nomination_id: str
           ) -> HTMLResponse:
    view = service.staff.item_view(who, nomination_id)
    kinds = {a["action"] for a in view["actions"]}
    return page(request, "ballot.html.j2", {"item": view, "kinds": kinds},
                title=t("ballot.title", id=view["id"], nominee=view["nominee"]))


@router.post("/items/{nomination_id}/vote")
def vote(
    request: Request,
    service: ServiceDep,
    who: Acting,
    t: Words,
    nomination_id: str,
    choice: Annotated[str, Form(max_length=8)] = "",
    written_for: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    service.staff.check_visible(who, nomination_id)
    result = service.items.vote(who, nomination_id, choice, written_for or None)
    flash(request, t("ballot.recorded") + (" " + t("ballot.closed_now")
                                           if result.get("closed") else ""))
    return RedirectResponse(f"/items/{nomination_id}/ballot", status_code=303)


@router.post("/items/{nomination_id}/recuse")
def recuse(
    request: Request,
    service: ServiceDep,
    who: Acting,
    t: Words,
    nomination_id: str,
    reason: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    service.staff.check_visible(who, nomination_id)
    service.items.recuse(who, nomination_id, reason or None)
    flash(request, t("ballot.recused"))
    return RedirectResponse(f"/items/{nomination_id}/ballot", status_code=303)


@router.get("/items/{nomination_id}/minutes")
def minutes(service: ServiceDep, who: Acting, nomination_id: str) -> HTMLResponse:
    """The minutes of the latest closed round: the official copy stored when the round closed
    (its sha256 is in the audit log), not a fresh rendering."""
    service.staff.item_view(who, nomination_id)  # who may see the item may read its minutes
    stored = [d for d in service.items.rendered(nomination_id) if d["template"] == MINUTES]
    if stored:
        return document(stored[-1]["content"], stored[-1]["sha256"])
    result = service.items.render(nomination_id, MINUTES)  # no round has closed: NotAllowed → 409
    return document(result["text"], result["sha256"])
