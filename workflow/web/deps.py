"""What a route asks for, as ``Annotated`` dependencies: the service, the signed-in person
(optional or required), an auditor, an administrator, the language and its words, and the
CSRF checks that the page and API routers run before every route.

A dependency runs before the route's own parameters are checked, so a page that needs a
sign-in sends a stranger to ``/login`` whatever they sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from workflow.errors import PermissionDenied
from workflow.service import Actor, Service
from workflow.web.auth import has_role, signed_in, via_session
from workflow.web.errors import CsrfFailed, LoginRequired
from workflow.web.render import lang_of, words
from workflow.web.security import CSRF_FIELD, CSRF_HEADER, same_token
from workflow.web.state import web

__all__ = ["Acting", "Administrator", "Auditor", "Lang", "Person", "ServiceDep", "Words",
           "header_csrf", "needs_person", "page_router"]

SAFE = ("GET", "HEAD", "OPTIONS")


# Dependencies that neither wait nor read the database are ``async``: FastAPI runs a plain
# ``def`` dependency in the thread pool, a hop (and a wait for the GIL) per dependency per
# request that costs more than the dependency itself once clients run concurrently.

async def get_service(request: Request) -> Service:
    return web(request).service


ServiceDep = Annotated[Service, Depends(get_service)]
"""The engine's facade: the only way into it from the web."""

async def current_person(request: Request) -> dict[str, Any] | None:
    """:func:`signed_in`, on the event loop when it is a read of the session in a local
    database (SQLite, no Basic credentials to hash: tens of microseconds), else in a worker
    thread (a password hash, a database across the network)."""
    if "authorization" not in request.headers and web(request).service.local:
        return signed_in(request)
    return await run_in_threadpool(signed_in, request)


Person = Annotated[dict[str, Any] | None, Depends(current_person)]
"""The signed-in person with their roles, or None (the public)."""


async def acting(person: Person) -> Actor:
    if person is None:
        raise LoginRequired()
    return Actor(person["login"])


Acting = Annotated[Actor, Depends(acting)]
"""The signed-in person acting; :class:`~workflow.web.errors.LoginRequired` for nobody."""


async def auditor(who: Acting, person: Person) -> Actor:
    if not has_role(person, "auditor"):
        raise PermissionDenied(f"{who.login} may not read the audit trail: needs the auditor "
                               "role", msgid="audit.needs_auditor")
    return who


Auditor = Annotated[Actor, Depends(auditor)]
"""A signed-in person holding the auditor role somewhere (403 otherwise); what their units
let them read is the service's check."""

def administrator(who: Acting, person: Person, service: ServiceDep) -> Actor:
    if not has_role(person, "admin"):
        raise PermissionDenied(f"{who.login} may not administer flows: needs the admin role",
                               msgid="admin.denied", values={"units": []})
    service.setup.check_admin(who)
    return who


Administrator = Annotated[Actor, Depends(administrator)]
"""A signed-in administrator: the admin role at a top unit of the directory (403 otherwise)."""

async def _lang(request: Request) -> str:
    return lang_of(request)


async def _words(request: Request) -> Callable[..., str]:
    return words(request)


Lang = Annotated[str, Depends(_lang)]
"""``vi`` or ``en``: ``?lang=``, else the remembered choice, else Vietnamese."""

Words = Annotated[Callable[..., str], Depends(_words)]
"""``t(key, **values)``: the interface's words in the request's language."""


async def form_csrf(request: Request) -> None:
    """Every form POST must carry the session's CSRF token (FastAPI has parsed the form
    before dependencies run, so reading it here costs nothing)."""
    if request.method in SAFE:
        return
    form = await request.form()
    if not same_token(form.get(CSRF_FIELD), request.session.get("csrf")):
        raise CsrfFailed()


def header_csrf(request: Request) -> None:
    """A write by a person signed in with the session cookie must send the session's CSRF
    token as ``X-CSRF-Token``; HTTP Basic and the public need none."""
    if request.method in SAFE:
        return
    if (signed_in(request) is not None and via_session(request)
            and not same_token(request.headers.get(CSRF_HEADER), request.session.get("csrf"))):
        raise CsrfFailed()


def page_router() -> APIRouter:
    """A router for pages: hidden from the OpenAPI document, CSRF-checked on every POST."""
    return APIRouter(include_in_schema=False, dependencies=[Depends(form_csrf)])


def needs_person(route: APIRoute) -> bool | None:
    """What a route asks of its caller, read from its dependencies: True when it needs a
    signed-in person (:data:`Acting`, :data:`Auditor`), None when anyone may call it but a
    signed-in person may do more (:data:`Person`), False when it is public."""
    calls: set[Any] = set()
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        calls.add(dependant.call)
        stack.extend(dependant.dependencies)
    if calls & {acting, auditor, administrator}:
        return True
    return None if current_person in calls else False
