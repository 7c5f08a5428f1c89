"""Public pages (no sign-in) and signing in and out.

The public sees notices, their nominees and windows, and may file an objection while a
nominee's window is open; the answer is a receipt number and nothing else about the objection.
What a nominee page shows comes from :meth:`Service.public_nominee`, which knows only items
that were on a notice and never shows their fields, state or history.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from workflow.errors import AwardError, NotAllowed
from workflow.service import PUBLIC
from workflow.web.context import (
    actor,
    client_key,
    flash,
    form_router,
    page,
    person,
    rate_limit,
    safe_next,
    status_of,
    t_for,
    web,
)
from workflow.web.params import Cursor
from workflow.web.security import SESSION_SECONDS, new_token

__all__ = ["router"]

router = form_router()

NOTICE_DOCUMENT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                       "base-uri 'none'; form-action 'none'; sandbox")


@router.get("/")
def board(request: Request, before: Cursor = None) -> HTMLResponse:
    t = t_for(request)
    limit = 50
    notices = web(request).service.public.board(before=before, limit=limit)
    current = [n for n in notices if n["status"] == "open"]
    past = [n for n in notices if n["status"] != "open"]
    older = notices[-1]["id"] if len(notices) == limit else None
    return page(request, "board.html.j2", {"current": current, "past": past, "older": older},
                title=t("board.title"))


@router.get("/notices/{notice_id}")
def notice(request: Request, notice_id: str) -> HTMLResponse:
    view = web(request).service.public.notice(notice_id)
    return page(request, "notice.html.j2", {"notice": view},
                title=t_for(request)("notice.title", id=view["id"]))


@router.get("/notices/{notice_id}/document")
def notice_document(request: Request, notice_id: str) -> HTMLResponse:
    """The notice exactly as published (its sha256 is on the notice page)."""
    html = web(request).service.public.notice_html(notice_id)
    return HTMLResponse(html, headers={"Content-Security-Policy": NOTICE_DOCUMENT_CSP})


@router.get("/nominees/{nomination_id}")
def nominee(request: Request, nomination_id: str) -> HTMLResponse:
    view = web(request).service.public.nominee(nomination_id)
    return page(request, "nominee.html.j2", {"nominee": view},
                title=t_for(request)("nominee.title", name=view["nominee"]))


def _objection_page(request: Request, view: dict[str, object], status: int = 200,
                    error: str | None = None, values: dict[str, str] | None = None
                    ) -> HTMLResponse:
    return page(request, "object.html.j2",
                {"nominee": view, "error": error,
                 "values": values or {"text": "", "name": "", "contact": ""}},
                status=status, title=t_for(request)("object.title", id=view["id"]))


@router.get("/nominees/{nomination_id}/object")
def objection_form(request: Request, nomination_id: str) -> HTMLResponse:
    view = web(request).service.public.nominee(nomination_id)
    return _objection_page(request, view)


@router.post("/nominees/{nomination_id}/object")
def objection_filed(
    request: Request,
    nomination_id: str,
    text: Annotated[str, Form(max_length=20_000)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    contact: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    rate_limit(request, web(request).objections)
    service = web(request).service
    view = service.public.nominee(nomination_id)
    values = {"text": text, "name": name, "contact": contact}
    try:
        result = service.items.file_objection(PUBLIC, nomination_id, text, name or None,
                                              contact or None)
    except AwardError as exc:
        still_open = bool(view["window_open"]) and not isinstance(exc, NotAllowed)
        return _objection_page(request, {**view, "window_open": still_open}, status_of(exc),
                               exc.message, values)
    request.session["receipt"] = {"id": result["id"], "nomination": view["id"],
                                  "nominee": view["nominee"]}
    return RedirectResponse("/receipt", status_code=303)


@router.get("/receipt")
def receipt(request: Request) -> HTMLResponse:
    """The last receipt this browser was given (post/redirect/get: reloading is harmless)."""
    kept = request.session.get("receipt")
    return page(request, "receipt.html.j2", {"receipt": kept if isinstance(kept, dict) else None},
                title=t_for(request)("receipt.title"))


# ---- signing in and out ---------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return page(request, "login.html.j2", {"next": safe_next(next), "error": None, "login": ""},
                title=t_for(request)("login.title"))


@router.post("/login")
def login(
    request: Request,
    login: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/me",
) -> Response:
    t = t_for(request)
    limit = web(request).logins
    key = client_key(request)
    if limit.retry_after(key):
        rate_limit(request, limit)  # raises: too many failed attempts from this address
    found = web(request).service.accounts.authenticate(login.strip(), password)
    if found is None:
        limit.hit(key)
        return page(request, "login.html.j2",
                    {"next": safe_next(next), "error": t("login.failed"), "login": login},
                    status=401, title=t("login.title"))
    token = web(request).service.accounts.open_session(found["login"], SESSION_SECONDS)
    request.session.clear()  # a new session on sign-in (no fixation)
    request.session.update({"token": token, "csrf": new_token()})
    flash(request, t("login.welcome", name=found["name"]))
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    signed_in = person(request)  # a live session only: a dead copied cookie signs nobody out
    if signed_in is not None:
        web(request).service.accounts.sign_out(signed_in["login"])  # a copied cookie dies with it
    request.session.clear()
    request.session["csrf"] = new_token()
    flash(request, t_for(request)("logout.done"))
    return RedirectResponse("/", status_code=303)


@router.get("/me")
def me(request: Request) -> HTMLResponse:
    who = actor(request)
    service = web(request).service
    found = person(request)
    queue = service.items.queue(who)
    objections = service.staff.objections_to_resolve(who)
    return page(request, "me.html.j2", {"person": found, "queue": queue,
                                        "objections": objections},
                title=t_for(request)("me.title"))
