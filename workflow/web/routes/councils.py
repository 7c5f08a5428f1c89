"""Council sessions on the web: the list of meetings a person can follow, the secretariat's
page to open one, follow its progress (counts only, never a tally while open), record an
absent member's written paper and close it; the member's paper (every item of the meeting on
one form, one submit); the minutes as issued.

Every POST goes to the same use case as ``award session …`` and ``award ballot``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData

from workflow.web.deps import Acting, Lang, ServiceDep, Words, page_router
from workflow.web.files import document
from workflow.web.labels import ListNames
from workflow.web.render import flash, page

__all__ = ["router"]

router = page_router()

CHOICES = ("yes", "no", "abstain")


async def form_data(request: Request) -> FormData:
    return await request.form()


Form = Annotated[FormData, Depends(form_data)]


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@router.get("/sessions")
def sessions(request: Request, service: ServiceDep, who: Acting, t: Words) -> HTMLResponse:
    rows = service.sessions.find(actor=who)
    return page(request, "sessions.html.j2", {
        "open": [r for r in rows if r["status"] == "open"],
        "closed": [r for r in reversed(rows) if r["status"] == "closed"][:50],
        "councils": service.sessions.councils(who)}, title=t("sessions.title"))


@router.get("/sessions/new")
def new(request: Request, service: ServiceDep, who: Acting, lang: Lang, t: Words,
        unit: str) -> HTMLResponse:
    candidates = service.sessions.candidates(who, unit)
    council = next((c for c in service.sessions.councils(who) if c["id"] == unit),
                   {"id": unit, "name": unit})
    return page(request, "session_new.html.j2", {
        "council": council, "candidates": candidates, "labels": ListNames(service, lang)},
        title=t("sessions.new_title", council=council["name"]))


@router.post("/sessions")
def open_session(request: Request, service: ServiceDep, who: Acting, t: Words,
                 form: Form) -> Response:
    items = [v for v in form.getlist("item") if isinstance(v, str)]
    result = service.sessions.open(who, _text(form, "unit"), items,
                                   _text(form, "title") or None)
    flash(request, t("sessions.opened", id=result["id"], n=len(result["items"])))
    return RedirectResponse(f"/sessions/{result['id']}", status_code=303)


@router.get("/sessions/{session_id}")
def session(request: Request, service: ServiceDep, who: Acting, t: Words,
            session_id: str) -> HTMLResponse:
    view = service.sessions.show(session_id, who)
    mine = service.sessions.paper(who, session_id)
    return page(request, "session.html.j2", {"s": view, "paper": mine},
                title=t("sessions.title_one", id=view["id"], council=view["council_name"]))


@router.post("/sessions/{session_id}/close")
def close(request: Request, service: ServiceDep, who: Acting, t: Words,
          session_id: str) -> Response:
    result = service.sessions.close(who, session_id)
    flash(request, t("sessions.closed", id=result["id"], number=result["number"]))
    return RedirectResponse(f"/sessions/{session_id}", status_code=303)


@router.get("/sessions/{session_id}/paper")
def paper(request: Request, service: ServiceDep, who: Acting, t: Words,
          session_id: str) -> HTMLResponse:
    mine = service.sessions.paper(who, session_id)
    return page(request, "paper.html.j2", {"paper": mine, "choices": CHOICES},
                title=t("paper.title", id=mine["id"], council=mine["council_name"]))


@router.post("/sessions/{session_id}/paper")
def cast(request: Request, service: ServiceDep, who: Acting, t: Words, session_id: str,
         form: Form) -> Response:
    """One paper: ``mark.ID`` = yes|no|abstain for each item; ``written_for`` when the
    secretariat records an absent member's written paper (unmarked items are left out)."""
    marks: dict[str, Any] = {}
    for key, value in form.multi_items():
        if key.startswith("mark.") and isinstance(value, str) and value:
            marks[key.removeprefix("mark.")] = value
    written_for = _text(form, "written_for") or None
    service.sessions.ballot(who, session_id, marks, written_for)
    flash(request, t("paper.recorded_for", member=written_for) if written_for
          else t("paper.recorded"))
    back = f"/sessions/{session_id}" if written_for else f"/sessions/{session_id}/paper"
    return RedirectResponse(back, status_code=303)


@router.get("/sessions/{session_id}/minutes")
def minutes(service: ServiceDep, who: Acting, session_id: str) -> HTMLResponse:
    """The minutes as issued at the close (their sha256 is in the audit log)."""
    stored = service.sessions.minutes(session_id, who)
    return document(stored["text"], stored["sha256"])
