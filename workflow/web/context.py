"""What every request handler needs: the service, who is signed in, the language, pages.

:class:`Web` is built once by :func:`workflow.web.app.create_app` and kept on
``app.state.web``. Handlers get it with :func:`web`, the signed-in person with :func:`person`
or :func:`actor` (which asks for a sign-in), and render a page with :func:`page`.

The web layer reaches the engine only through :class:`~workflow.service.Service`: it never
opens the store, and nothing a form sends is executed — names (a trigger, a document type, a
choice) are handed to the same use cases the command line calls, which check roles and guards.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

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
from workflow.service import Actor, Service
from workflow.web.i18n import DEFAULT, LANGS, pick, translator, trigger_label
from workflow.web.security import CSRF_FIELD, RateLimit, new_token, same_token

__all__ = [
    "BasicAuthFailed",
    "CsrfFailed",
    "LoginRequired",
    "RateLimited",
    "Web",
    "actor",
    "check_csrf",
    "client_key",
    "csrf_token",
    "flash",
    "form_router",
    "lang_of",
    "page",
    "person",
    "rate_limit",
    "safe_next",
    "status_of",
    "web",
]

LANG_COOKIE = "lang"

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


def status_of(error: AwardError) -> int:
    for cls, status in STATUS:
        if isinstance(error, cls):
            return status
    return 400


class LoginRequired(Exception):
    """The page or call needs a signed-in person."""


class CsrfFailed(Exception):
    """A POST came without the session's CSRF token."""


class BasicAuthFailed(Exception):
    """HTTP Basic credentials were sent and are wrong."""


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limited; retry after {retry_after}s")
        self.retry_after = retry_after


class BasicCache:
    """Remembers recent good HTTP Basic credentials for a few minutes, so a script's every
    call does not pay for an argon2 verification. Entries are keyed by an HMAC under a
    per-process random key (no password is kept) and re-checked against the person's current
    password stamp, so a changed password takes effect at once."""

    TTL = 300.0
    MAX = 1000

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)
        self._entries: dict[str, tuple[float, str, str]] = {}
        self._lock = threading.Lock()

    def check(self, service: Service, login: str, password: str) -> dict[str, Any] | None:
        digest = hmac.new(self._key, f"{login}\0{password}".encode(), "sha256").hexdigest()
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(digest)
        if entry is not None and entry[0] > now:
            found = service.accounts.signed_in(entry[1], entry[2])
            if found is not None:
                return found
        found = service.accounts.authenticate(login, password)
        with self._lock:
            if found is None:
                self._entries.pop(digest, None)
                return None
            if len(self._entries) >= self.MAX:
                self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
            if len(self._entries) < self.MAX:
                self._entries[digest] = (now + self.TTL, found["login"], found["stamp"])
        return found


@dataclass
class Web:
    service: Service
    templates: Environment
    objections: RateLimit
    logins: RateLimit
    static: Path
    secure_cookies: bool = False
    basic: BasicCache = field(default_factory=BasicCache)


def make_templates(folder: Path) -> Environment:
    """Server-side templates: every value autoescaped, a misspelt name is an error."""
    env = Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["day"] = _day
    return env


def _when(value: str | None) -> str:
    """An ISO time as people read it: ``26/02/2026 23:59`` (always the calendar's zone)."""
    if not value:
        return ""
    try:
        return datetime.fromisoformat(value).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return value


def _day(value: str | None) -> str:
    if not value:
        return ""
    try:
        return datetime.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


def web(request: Request) -> Web:
    state: Web = request.app.state.web
    return state


def lang_of(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    kept = request.cookies.get(LANG_COOKIE)
    return kept if kept in LANGS else DEFAULT


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _basic(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    login, sep, password = decoded.partition(":")
    return (login, password) if sep else None


def person(request: Request) -> dict[str, Any] | None:
    """The signed-in person (with roles), from the session or, on the API, HTTP Basic."""
    cached: dict[str, Any] | None = getattr(request.state, "person", None)
    if getattr(request.state, "person_known", False):
        return cached
    found: dict[str, Any] | None = None
    request.state.via = "session"
    header = request.headers.get("authorization")
    if header and request.url.path.startswith("/api"):
        creds = _basic(header)
        if creds is None:
            raise BasicAuthFailed()
        key = client_key(request)
        limit = web(request).logins
        if limit.retry_after(key):
            raise RateLimited(limit.retry_after(key))
        found = web(request).basic.check(web(request).service, *creds)
        if found is None:
            limit.hit(key)
            raise BasicAuthFailed()
        request.state.via = "basic"
    else:
        token = request.session.get("token")
        if isinstance(token, str) and token:
            found = web(request).service.accounts.session_person(token)
            if found is None:  # signed out, expired, a new password, or the person is gone
                request.session.pop("token", None)
    request.state.person = found
    request.state.person_known = True
    return found


def actor(request: Request) -> Actor:
    """The acting person; :class:`LoginRequired` if nobody is signed in."""
    found = person(request)
    if found is None:
        raise LoginRequired()
    return Actor(found["login"])


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str) or not token:
        token = request.session["csrf"] = new_token()
    return token


def flash(request: Request, message: str) -> None:
    request.session["flash"] = message


def has_role(found: Mapping[str, Any] | None, role: str) -> bool:
    return bool(found) and any(r.split("@")[0] == role for r in found["roles"])  # type: ignore[index]


def page(request: Request, template: str, context: Mapping[str, Any] | None = None,
         status: int = 200, title: str = "", bare: bool = False) -> HTMLResponse:
    """Render ``template`` in the base layout, in the request's language. ``bare`` pages
    (errors of the store itself) look nobody up."""
    lang = lang_of(request)
    t = translator(lang)
    found = None
    if not bare:
        try:
            found = person(request)
        except (BasicAuthFailed, RateLimited, AwardError):
            found = None
    message = None if bare else request.session.pop("flash", None)

    def lang_url(code: str) -> str:
        query = dict(request.query_params)
        query["lang"] = code
        return f"{request.url.path}?{urlencode(query)}"

    def label(mapping: Mapping[str, str] | None, fallback: str = "") -> str:
        return pick(mapping, lang, fallback)

    def trigger(mapping: Mapping[str, str] | None, name: str) -> str:
        return trigger_label(mapping, name, lang)

    nav = {
        "ballots": has_role(found, "council_member"),
        "nominate": has_role(found, "officer"),
        "audit": has_role(found, "auditor"),
    }
    data: dict[str, Any] = {
        "lang": lang, "t": t, "label": label, "trigger": trigger, "lang_url": lang_url,
        "me": found, "nav": nav,
        "csrf": "" if bare else csrf_token(request),
        "flash": message if isinstance(message, str) else None,
        "path": request.url.path, "title": title,
    }
    data.update(context or {})
    html = web(request).templates.get_template(template).render(**data)
    return HTMLResponse(html, status_code=status)


def t_for(request: Request) -> Callable[..., str]:
    return translator(lang_of(request))


async def check_csrf(request: Request) -> None:
    """Every form POST must carry the session's CSRF token (FastAPI has parsed the form
    before dependencies run, so reading it here costs nothing)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    form = await request.form()
    if not same_token(form.get(CSRF_FIELD), request.session.get("csrf")):
        raise CsrfFailed()


def form_router() -> APIRouter:
    """A router for pages: hidden from the OpenAPI schema, CSRF-checked on every POST."""
    return APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])


def rate_limit(request: Request, limit: RateLimit) -> None:
    key = client_key(request)
    if not limit.hit(key):
        raise RateLimited(limit.retry_after(key))


def safe_next(target: str | None, default: str = "/me") -> str:
    """Only a path on this site (``/…``, not ``//host``) may follow a sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default
