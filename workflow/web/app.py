"""The FastAPI application: pages, the JSON API, sessions, errors as HTTP statuses.

:func:`create_app` wires a ready :class:`~workflow.service.Service` (built by
:mod:`workflow.bootstrap`, as for the CLI) into an ASGI app. Errors of the engine map to
statuses the same way everywhere — PermissionDenied 403, NotFound 404, NotAllowed and
Conflict 409, InvalidInput/DefinitionError/UsageError 422, StoreUnavailable 503 — as a page
for people and as ``{"error": {"type", "message"}}`` under ``/api``.

Must not be imported by the core or the service (it is an entry point, like ``workflow.cli``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from workflow.bootstrap import find_home
from workflow.errors import AwardError
from workflow.service import Service
from workflow.web import api, pages, staff
from workflow.web.context import (
    LANG_COOKIE,
    BasicAuthFailed,
    CsrfFailed,
    LoginRequired,
    RateLimited,
    Web,
    make_templates,
    page,
    status_of,
    t_for,
)
from workflow.web.i18n import LANGS
from workflow.web.security import SESSION_SECONDS, RateLimit

__all__ = ["create_app"]

log = logging.getLogger("workflow.web")

SESSION_COOKIE = "award_session"
MAX_BODY = 55 * 1024 * 1024  # a 50 MiB document plus the form around it
TOO_LARGE = "the request is too large (50 MiB at most)"
PAGE_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _json_error(status: int, kind: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"type": kind, "message": message, **extra}},
                        status_code=status)


def _error_page(request: Request, status: int, message: str) -> Response:
    t = t_for(request)
    heading = t(f"error.{status}") if f"error.{status}" in _KNOWN else t("error.title")
    return page(request, "error.html.j2", {"status": status, "heading": heading,
                                           "message": message}, status=status,
                title=t("error.title"), bare=status >= 500)


_KNOWN = {"error.403", "error.404", "error.409", "error.422", "error.429", "error.500"}


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
    key = secret_key or service.accounts.session_key()
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
    app.state.web = Web(
        service=service,
        templates=make_templates(folder),
        objections=RateLimit(*objection_limit),
        logins=RateLimit(*login_limit),
        static=folder / "static",
        secure_cookies=secure_cookies,
    )

    @app.middleware("http")
    async def headers(request: Request,
                      call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > max_body:
            return _json_error(413, "InvalidInput", TOO_LARGE)
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        asked = request.query_params.get("lang")
        if asked in LANGS and request.cookies.get(LANG_COOKIE) != asked:
            response.set_cookie(LANG_COOKIE, asked, max_age=365 * 24 * 3600, httponly=True,
                                samesite="lax", secure=secure_cookies)
        return response

    app.add_middleware(SessionMiddleware, secret_key=key, session_cookie=SESSION_COOKIE,
                       max_age=SESSION_SECONDS, same_site="lax", https_only=secure_cookies)

    @app.exception_handler(AwardError)
    async def award_error(request: Request, exc: AwardError) -> Response:
        status = status_of(exc)
        if _is_api(request):
            return JSONResponse({"error": exc.to_dict()}, status_code=status)
        return _error_page(request, status, exc.message)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if _is_api(request):
            return _json_error(401, "Unauthenticated",
                               "sign in first (a session cookie or HTTP Basic credentials)")
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={_quote(target)}", status_code=303)

    @app.exception_handler(BasicAuthFailed)
    async def basic_failed(request: Request, exc: BasicAuthFailed) -> Response:
        return _json_error(401, "Unauthenticated", "wrong login or password")

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, exc: CsrfFailed) -> Response:
        if _is_api(request):
            return _json_error(403, "PermissionDenied",
                               "missing or wrong CSRF token (send X-CSRF-Token from /api/me)")
        return _error_page(request, 403, t_for(request)("error.csrf"))

    @app.exception_handler(RateLimited)
    async def rate_limited(request: Request, exc: RateLimited) -> Response:
        headers = {"Retry-After": str(exc.retry_after)}
        if _is_api(request):
            response: Response = _json_error(429, "RateLimited", "too many attempts; try again "
                                             f"in {exc.retry_after} seconds")
        else:
            minutes = max(1, (exc.retry_after + 59) // 60)
            response = _error_page(request, 429, t_for(request)("error.429", minutes=minutes))
        response.headers.update(headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body')}: {e.get('msg')}"
            for e in exc.errors())
        if _is_api(request):
            return _json_error(422, "InvalidInput", problems or "invalid request")
        return _error_page(request, 422, problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = TOO_LARGE if exc.status_code == 413 else str(exc.detail)
        if _is_api(request):
            return _json_error(exc.status_code, "InvalidInput" if exc.status_code == 413
                               else "HTTPError", detail)
        return _error_page(request, exc.status_code, detail)

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s %s", request.method, request.url.path)
        if _is_api(request):
            return _json_error(500, "InternalError", "internal error; nothing was recorded")
        return _error_page(request, 500, t_for(request)("error.500"))

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        # a real unit of work on the store: a server that cannot use its database is not up
        try:
            app.state.web.service.setup.health()
        except AwardError as exc:
            return JSONResponse({"ok": False, "error": exc.message}, status_code=503)
        return JSONResponse({"ok": True})

    @app.get("/static/web.css", include_in_schema=False)
    def stylesheet() -> FileResponse:
        return FileResponse(app.state.web.static / "web.css", media_type="text/css",
                            headers={"Cache-Control": "max-age=3600"})

    app.include_router(pages.router)
    app.include_router(staff.router)
    app.include_router(api.router)
    return app


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")
