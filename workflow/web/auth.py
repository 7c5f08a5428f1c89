"""Who is signed in: the session's sign-in token, or HTTP Basic on ``/api`` (with a short
cache of good credentials), and signing in and out through the form.

A session cookie holds a random sign-in token (only its SHA-256 is stored by the service)
and the session's CSRF token. A dead token — signed out, expired, a new password, a person
removed — is dropped from the session and counts as nobody. Failed sign-ins, by form or by
Basic, are rate limited per address.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request

from workflow.web.security import SESSION_SECONDS, client_key, new_token
from workflow.web.state import web

__all__ = ["BasicAuthFailed", "csrf_token", "has_role", "safe_next",
           "sign_in", "sign_out", "signed_in", "via_session"]


class BasicAuthFailed(Exception):
    """HTTP Basic credentials were sent and are wrong."""


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


def signed_in(request: Request) -> dict[str, Any] | None:
    """The signed-in person (with roles), from the session or, on the API, HTTP Basic;
    looked up once per request. Wrong Basic credentials raise :class:`BasicAuthFailed`."""
    if getattr(request.state, "person_known", False):
        cached: dict[str, Any] | None = request.state.person
        return cached
    state = web(request)
    found: dict[str, Any] | None = None
    request.state.via = "session"
    header = request.headers.get("authorization")
    if header and request.url.path.startswith("/api"):
        creds = _basic(header)
        if creds is None:
            raise BasicAuthFailed()
        state.logins.refuse_if_spent(request)
        found = state.basic.check(state.service, *creds)
        if found is None:
            state.logins.hit(client_key(request))
            raise BasicAuthFailed()
        request.state.via = "basic"
    else:
        token = request.session.get("token")
        if isinstance(token, str) and token:
            found = state.service.accounts.session_person(token)
            if found is None:  # signed out, expired, a new password, or the person is gone
                request.session.pop("token", None)
    request.state.person = found
    request.state.person_known = True
    return found


def via_session(request: Request) -> bool:
    """Whether this request's person (if any) came from the session cookie, not Basic."""
    return getattr(request.state, "via", "session") == "session"


def has_role(person: Mapping[str, Any] | None, role: str) -> bool:
    """Whether ``person`` holds ``role`` at any unit."""
    if not person:
        return False
    return any(r.split("@")[0] == role for r in person["roles"])


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or not token:
        token = request.session["csrf"] = new_token()
    return token


def sign_in(request: Request, login: str, password: str) -> dict[str, Any] | None:
    """Check a login and password from the form; on success start a new session (no
    fixation) holding a fresh sign-in token. None if they are wrong (the failure is counted
    against the address)."""
    state = web(request)
    state.logins.refuse_if_spent(request)
    found = state.service.accounts.authenticate(login.strip(), password)
    if found is None:
        state.logins.hit(client_key(request))
        return None
    token = state.service.accounts.open_session(found["login"], SESSION_SECONDS)
    request.session.clear()
    request.session.update({"token": token, "csrf": new_token()})
    return found


def sign_out(request: Request) -> None:
    """End the session; a live sign-in also ends on the server, so a copied cookie dies with
    it (a dead copied cookie signs nobody out)."""
    person = signed_in(request)
    if person is not None:
        web(request).service.accounts.sign_out(person["login"])
    request.session.clear()
    request.session["csrf"] = new_token()


def safe_next(target: str | None, default: str = "/me") -> str:
    """Only a path on this site (``/…``, not ``//host``) may follow a sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default
