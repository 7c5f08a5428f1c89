"""Council ballots: the open ballots waiting on a member, one item's ballot page, casting a
vote, declaring a conflict, and the minutes of the latest closed round.

The ballot page never shows a tally while the round is open; the minutes are the copy stored
when the round closed, not a fresh rendering.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from workflow.errors import AwardError
from workflow.service import Actor
from workflow.web.deps import Acting, Lang, ServiceDep, Words, page_router
from workflow.web.errors import spoken, status_of
from workflow.web.files import document
from workflow.web.forms import Failed
from workflow.web.labels import ListNames, names_for
from workflow.web.render import flash, lang_of, page, words

__all__ = ["router"]

router = page_router()

MINUTES = "minutes.html.j2"


@router.get("/ballots")
def ballots(request: Request, service: ServiceDep, who: Acting, lang: Lang, t: Words
            ) -> HTMLResponse:
    rows = [r for r in service.items.queue(who)
            if any(a["action"] in ("vote", "close_vote") for a in r["actions"])]
    return page(request, "ballots.html.j2", {"rows": rows, "labels": ListNames(service, lang),
                                             "sessions": service.sessions.find(
                                                 actor=who, status="open")},
                title=t("ballots.title"))


def ballot_page(request: Request, service: ServiceDep, who: Actor, nomination_id: str, *,
                failed: Failed | None = None, confirm_close: bool = False) -> HTMLResponse:
    """The ballot page; after a refused vote, again with the refusal and the choice kept;
    with ``confirm_close``, asking the secretariat to confirm closing an incomplete round."""
    lang, t = lang_of(request), words(request)
    view = service.staff.item_view(who, nomination_id)
    kinds = {a["action"] for a in view["actions"]}
    return page(request, "ballot.html.j2", {
        "item": view, "kinds": kinds, "failed": failed, "confirm_close": confirm_close,
        "n": names_for(service, lang, nomination_id=view["id"])},
        status=status_of(failed.error) if failed else 200,
        title=t("ballot.title", id=view["id"], nominee=view["nominee"]))


@router.get("/items/{nomination_id}/ballot")
def ballot(request: Request, service: ServiceDep, who: Acting, nomination_id: str
           ) -> HTMLResponse:
    return ballot_page(request, service, who, nomination_id)


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
    try:
        result = service.items.vote(who, nomination_id, choice, written_for or None)
    except AwardError as exc:
        form = "written" if written_for else "vote"
        return ballot_page(request, service, who, nomination_id, failed=Failed(
            form, spoken(request, exc), exc, {"choice": choice, "written_for": written_for}))
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
    try:
        service.items.recuse(who, nomination_id, reason or None)
    except AwardError as exc:
        return ballot_page(request, service, who, nomination_id, failed=Failed(
            "recuse", spoken(request, exc), exc, {"reason": reason}))
    flash(request, t("ballot.recused"))
    return RedirectResponse(f"/items/{nomination_id}/ballot", status_code=303)


@router.post("/items/{nomination_id}/remind")
def remind(request: Request, service: ServiceDep, who: Acting, t: Words, nomination_id: str
           ) -> Response:
    """The secretariat reminds the members who have not voted yet."""
    service.staff.check_visible(who, nomination_id)
    try:
        result = service.items.remind_voters(who, nomination_id)
    except AwardError as exc:
        return ballot_page(request, service, who, nomination_id, failed=Failed(
            "remind", spoken(request, exc), exc, {}))
    flash(request, t("ballot.reminded", count=len(result["reminded"])))
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
