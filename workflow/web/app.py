"""The FastAPI application: state, middleware, the page and API routers, error handlers.

:func:`create_app` wires a ready :class:`~workflow.service.Service` (built by
:mod:`workflow.bootstrap`, as for the CLI) into an ASGI app. Must not be imported by the core
or the service (it is an entry point, like ``workflow.cli``).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import FileResponse
from starlette.datastructures import MutableHeaders
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workflow.bootstrap import find_home
from workflow.service import Service
from workflow.web import api, docs, errors, observe
from workflow.web.cache import PageCache
from workflow.web.deps import needs_person
from workflow.web.i18n import LANGS
from workflow.web.render import LANG_COOKIE, environment
from workflow.web.routes import ROUTERS
from workflow.web.security import SESSION_SECONDS, BasicCache, RateLimit
from workflow.web.state import Web, web

__all__ = ["create_app"]

SESSION_COOKIE = "award_session"
MAX_BODY = 55 * 1024 * 1024  # a 50 MiB document plus the form around it
PAGE_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def create_app(service: Service, *, secret_key: str | None = None, secure_cookies: bool = False,
               objection_limit: tuple[int, float] = (5, 600.0),
               login_limit: tuple[int, float] = (10, 600.0),
               templates: Path | None = None, max_body: int = MAX_BODY) -> FastAPI:
    """The web app on ``service``.

    ``secret_key`` signs session cookies (default: derived from the installation key, kept
    outside the database, see :mod:`workflow.keys`); ``secure_cookies`` adds the ``Secure``
    flag (serve over HTTPS). ``objection_limit`` and ``login_limit`` are ``(attempts,
    seconds)`` per client address for the public objection form and failed sign-ins.
    """
    folder = templates or find_home() / "templates" / "web"
    app = FastAPI(
        title="Award workflow engine",
        description="Nominations, council ballots, public notices and the audit chain. "
                    "Authenticate with the session cookie of a signed-in browser (send "
                    "X-CSRF-Token on writes) or with HTTP Basic.",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        # also stops reading a chunked body that declares no length, before it is spooled
        max_body_size=max_body,
    )
    app.state.web = Web(service=service, templates=environment(folder),
                        objections=RateLimit(*objection_limit), logins=RateLimit(*login_limit),
                        basic=BasicCache(), static=folder / "static",
                        pages=PageCache(SESSION_COOKIE), secure_cookies=secure_cookies)
    app.add_middleware(_Headers, max_body=max_body, secure_cookies=secure_cookies)
    app.add_middleware(SessionMiddleware, secret_key=secret_key or service.accounts.session_key(),
                       session_cookie=SESSION_COOKIE, max_age=SESSION_SECONDS, same_site="lax",
                       https_only=secure_cookies)
    errors.install(app)
    observe.install(app, service)
    app.add_api_route("/static/web.css", _stylesheet, include_in_schema=False)
    app.add_api_route("/static/docs.js", _docs_script, include_in_schema=False)
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(api.router)
    docs.install(app, needs_person=needs_person)
    return app


class _Headers:
    """Refuse a body declared too large before reading it; put the page security headers on
    every answer; remember a language asked for with ``?lang=``. Plain ASGI, not
    ``@app.middleware("http")``: that wraps every request in a task and two streams."""

    def __init__(self, app: ASGIApp, max_body: int, secure_cookies: bool) -> None:
        self.app = app
        self.max_body = max_body
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            await errors.json_error(413, "InvalidInput", errors.TOO_LARGE)(scope, receive, send)
            return
        private = bool(request.cookies.get(SESSION_COOKIE) or request.headers.get("authorization"))
        asked = request.query_params.get("lang")
        remember = asked in LANGS and request.cookies.get(LANG_COOKIE) != asked

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if private:
                    # what a signed-in person sees is theirs: no shared cache, no back-button
                    # copy
                    headers.setdefault("Cache-Control", "no-store")
                headers.setdefault("Content-Security-Policy", PAGE_CSP)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                if remember and asked is not None:
                    cookie = Response()
                    cookie.set_cookie(LANG_COOKIE, asked, max_age=365 * 24 * 3600,
                                      httponly=True, samesite="lax", secure=self.secure_cookies)
                    headers.append("set-cookie", cookie.headers["set-cookie"])
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _docs_script(request: Request) -> FileResponse:
    return FileResponse(web(request).static / "docs.js", media_type="text/javascript",
                        headers={"Cache-Control": "max-age=3600"})


def _stylesheet(request: Request) -> FileResponse:
    return FileResponse(web(request).static / "web.css", media_type="text/css",
                        headers={"Cache-Control": "max-age=3600"})
