"""Signing in and out through the form, and the signed-in person's own page."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from workflow.web.auth import safe_next, sign_in, sign_out
from workflow.web.deps import Acting, Lang, Person, ServiceDep, Words, page_router
from workflow.web.labels import names_for
from workflow.web.render import flash, page

__all__ = ["router"]

router = page_router()


@router.get("/login")
def login_form(request: Request, t: Words, next: str | None = None) -> HTMLResponse:
    return page(request, "login.html.j2", {"next": safe_next(next), "error": None, "login": ""},
                title=t("login.title"))


@router.post("/login")
def login(
    request: Request,
    t: Words,
    login: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/me",
) -> Response:
    found = sign_in(request, login, password)
    if found is None:
        return page(request, "login.html.j2",
                    {"next": safe_next(next), "error": t("login.failed"), "login": login},
                    status=401, title=t("login.title"))
    flash(request, t("login.welcome", name=found["name"]))
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, t: Words) -> Response:
    sign_out(request)
    flash(request, t("logout.done"))
    return RedirectResponse("/", status_code=303)


@router.get("/me")
def me(request: Request, service: ServiceDep, who: Acting, person: Person, lang: Lang,
       t: Words) -> HTMLResponse:
    return page(request, "me.html.j2", {"person": person, "queue": service.items.queue(who),
                                        "objections": service.staff.objections_to_resolve(who),
                                        "n": names_for(service, lang)},
                title=t("me.title"))
