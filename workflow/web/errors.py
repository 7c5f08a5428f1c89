"""Errors as HTTP answers: the engine's errors and the web's own, each as a page for people
and as ``{"error": {"type", "message", …}}`` under ``/api``.

The engine's errors (:mod:`workflow.errors`) map to statuses the same way everywhere
(:func:`status_of`): PermissionDenied 403, NotFound 404, NotAllowed and Conflict 409,
InvalidInput/DefinitionError/UsageError 422, StoreUnavailable 503. The web adds four:

* :class:`LoginRequired` — a page redirects to ``/login?next=…``; the API answers 401;
* :class:`CsrfFailed` — 403;
* :class:`~workflow.web.auth.BasicAuthFailed` — 401 (raised where credentials are read);
* :class:`~workflow.web.security.RateLimited` — 429 with ``Retry-After``.

Anything else is a 500 that is logged and says nothing was recorded. :func:`install` puts
every handler on the app.

People read an engine error from the message catalogue (:mod:`workflow.web.messages`) in the
request's language, with the labels of the item or flow the request is about; the API keeps
the engine's English ``message`` (as the command line prints it) and adds the message id as
``code`` and the catalogue's sentence as ``text``.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from workflow.errors import (
    AwardError,
    Conflict,
    InvalidInput,
    NotAllowed,
    NotFound,
    PermissionDenied,
    StoreUnavailable,
    UsageError,
)
from workflow.web.auth import BasicAuthFailed
from workflow.web.labels import Names, names_for
from workflow.web.messages import say_error
from workflow.web.render import lang_of, page, words
from workflow.web.security import RateLimited
from workflow.web.state import web

__all__ = ["STATUS", "TOO_LARGE", "BasicAuthFailed", "CsrfFailed", "LoginRequired",
           "RateLimited", "install", "json_error", "request_names", "spoken", "status_of"]

log = logging.getLogger("workflow.web")

TOO_LARGE = "the request is too large (50 MiB at most)"

#: How the engine's errors read as HTTP statuses, for pages and the API alike.
STATUS: tuple[tuple[type[AwardError], int], ...] = (
    (PermissionDenied, 403),
    (NotFound, 404),
    (Conflict, 409),
    (NotAllowed, 409),
    (UsageError, 422),
    (InvalidInput, 422),
    (StoreUnavailable, 503),
)

_HEADINGS = {403, 404, 409, 422, 429, 500, 503}  # statuses with a heading of their own


class LoginRequired(Exception):
    """The page or call needs a signed-in person."""


class CsrfFailed(Exception):
    """A write came without the session's CSRF token."""


def status_of(error: AwardError) -> int:
    for cls, status in STATUS:
        if isinstance(error, cls):
            return status
    return 400


def request_names(request: Request) -> Names:
    """Labels for what ``request`` is about: the item in its path, else the flow in its
    path, else none."""
    params = request.path_params
    return names_for(web(request).service, lang_of(request),
                     nomination_id=params.get("nomination_id"), flow=params.get("flow"))


def spoken(request: Request, error: AwardError, names: Names | None = None) -> str:
    """``error`` as people read it in the request's language (see
    :func:`workflow.web.messages.say_error`)."""
    t = words(request)
    status = status_of(error)
    return say_error(error, names or request_names(request),
                     lambda: t(f"error.{status}") if status in _HEADINGS else t("error.title"))


def json_error(status: int, kind: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"type": kind, "message": message, **extra}},
                        status_code=status)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _error_page(request: Request, status: int, message: str) -> Response:
    t = words(request)
    heading = t(f"error.{status}.title") if status in _HEADINGS else t("error.title")
    return page(request, "error.html.j2", {"status": status, "heading": heading,
                                           "message": message}, status=status,
                title=t("error.title"), bare=status >= 500)


async def _award_error(request: Request, exc: AwardError) -> Response:
    status = status_of(exc)
    text = spoken(request, exc)
    if _is_api(request):
        return JSONResponse({"error": {**exc.to_dict(), "code": exc.msgid, "text": text}},
                            status_code=status)
    return _error_page(request, status, text)


async def _login_required(request: Request, exc: LoginRequired) -> Response:
    if _is_api(request):
        return _challenge(json_error(401, "Unauthenticated",
                                     "sign in first (a session cookie or HTTP Basic credentials)"))
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


async def _basic_failed(request: Request, exc: BasicAuthFailed) -> Response:
    return _challenge(json_error(401, "Unauthenticated", "wrong login or password"))


def _challenge(response: Response) -> Response:
    """A 401 of the API names the scheme it takes (RFC 9110 §11.6.1): HTTP Basic (a browser's
    session cookie works too, but is not a challenge one can answer)."""
    response.headers["WWW-Authenticate"] = 'Basic realm="award", charset="UTF-8"'
    return response


async def _csrf_failed(request: Request, exc: CsrfFailed) -> Response:
    if _is_api(request):
        return json_error(403, "PermissionDenied",
                          "missing or wrong CSRF token (send X-CSRF-Token from /api/me)")
    return _error_page(request, 403, words(request)("error.csrf"))


async def _rate_limited(request: Request, exc: RateLimited) -> Response:
    if _is_api(request):
        response: Response = json_error(429, "RateLimited", "too many attempts; try again "
                                        f"in {exc.retry_after} seconds")
    else:
        minutes = max(1, (exc.retry_after + 59) // 60)
        response = _error_page(request, 429, words(request)("error.429.retry", minutes=minutes))
    response.headers.update({"Retry-After": str(exc.retry_after)})
    return response


async def _invalid(request: Request, exc: RequestValidationError) -> Response:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body')}: {e.get('msg')}"
        for e in exc.errors())
    if _is_api(request):
        return json_error(422, "InvalidInput", problems or "invalid request")
    # pydantic says what was wrong in English, naming form fields: people read the status
    t = words(request)
    return _error_page(request, 422, problems if lang_of(request) == "en" else t("error.422"))


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    detail = TOO_LARGE if exc.status_code == 413 else str(exc.detail)
    if _is_api(request):
        return json_error(exc.status_code, "InvalidInput" if exc.status_code == 413
                          else "HTTPError", detail)
    t = words(request)
    code = exc.status_code
    if lang_of(request) == "en":
        message = detail
    else:  # Starlette's details are English ("Not Found", "Method Not Allowed")
        message = t(f"error.{code}") if code in _HEADINGS or code == 413 else t("error.title")
    return _error_page(request, code, message)


async def _internal(request: Request, exc: Exception) -> Response:
    log.exception("internal error on %s %s", request.method, request.url.path)
    if _is_api(request):
        return json_error(500, "InternalError", "internal error; nothing was recorded")
    return _error_page(request, 500, words(request)("error.500"))


def install(app: FastAPI) -> None:
    """Answer every error as a page or, under ``/api``, as JSON."""
    handlers: tuple[tuple[type[Exception], Any], ...] = (
        (AwardError, _award_error),
        (LoginRequired, _login_required),
        (BasicAuthFailed, _basic_failed),
        (CsrfFailed, _csrf_failed),
        (RateLimited, _rate_limited),
        (RequestValidationError, _invalid),
        (StarletteHTTPException, _http_error),
        (Exception, _internal),
    )
    for cls, handler in handlers:
        app.add_exception_handler(cls, handler)
