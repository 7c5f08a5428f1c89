"""Pages: the Jinja2 environment of ``templates/web`` (every value autoescaped, a misspelt
name an error), its filters, and :func:`page`, which renders a template inside the base layout
in the request's language with the navigation the signed-in person's roles allow.

Documents of the engine (notices, minutes, decisions) are not rendered here: they are stored
as published and sent as they are (:mod:`workflow.web.files`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request

from workflow.errors import AwardError
from workflow.service.facades.reports import REPORT_ROLES
from workflow.web.auth import BasicAuthFailed, csrf_token, has_role, signed_in
from workflow.web.i18n import DEFAULT, LANGS, pick, translator, trigger_label
from workflow.web.present import ballot_outcome, document_label
from workflow.web.security import RateLimited
from workflow.web.state import web

__all__ = ["LANG_COOKIE", "environment", "flash", "lang_of", "page", "receipt_code", "words"]

LANG_COOKIE = "lang"


def environment(folder: Path) -> Environment:
    """The page templates in ``folder``: every value autoescaped, a misspelt name is an
    error."""
    env = Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["day"] = _day
    env.filters["receipt_code"] = receipt_code
    return env


def receipt_code(code: str | None) -> str:
    """An objection's receipt code as printed: ``ABCD-EFGH-2345``."""
    code = code or ""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


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


def lang_of(request: Request) -> str:
    """``?lang=`` if it names a language, else the remembered one, else Vietnamese."""
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    kept = request.cookies.get(LANG_COOKIE)
    return kept if kept in LANGS else DEFAULT


def words(request: Request) -> Callable[..., str]:
    """``t(key, **values)`` in the request's language."""
    return translator(lang_of(request))


def flash(request: Request, message: str) -> None:
    """A message for the next page this session sees (post/redirect/get)."""
    request.session["flash"] = message


class _Csrf:
    """The session's CSRF token, made when a page first prints it: a page with no form for
    its visitor (the public board, a nominee) leaves the session, and so the visitor's
    cookies, as it found them."""

    __slots__ = ("request",)

    def __init__(self, request: Request) -> None:
        self.request = request

    def __html__(self) -> str:
        return csrf_token(self.request)

    __str__ = __html__


def page(request: Request, template: str, values: Mapping[str, Any] | None = None, *,
         status: int = 200, title: str = "", bare: bool = False) -> HTMLResponse:
    """Render ``template`` in the base layout, in the request's language. ``bare`` pages
    (errors of the store itself) look nobody up."""
    lang = lang_of(request)
    person = None
    if not bare:
        try:
            person = signed_in(request)
        except (BasicAuthFailed, RateLimited, AwardError):
            person = None
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
        "ballots": has_role(person, "council_member"),
        "sessions": has_role(person, "council_member") or has_role(person, "secretariat"),
        "nominate": has_role(person, "officer"),
        "audit": has_role(person, "auditor"),
        "flows": has_role(person, "admin"),
        "reports": any(has_role(person, r) for r in REPORT_ROLES),
        "decisions": person is not None and any(
            has_role(person, r) for r in web(request).service.register.decider_roles()),
    }
    t = translator(lang)
    data: dict[str, Any] = {
        "lang": lang, "t": t, "label": label, "trigger": trigger,
        "outcome": lambda tally: ballot_outcome(tally, t),
        "document_label": lambda template: document_label(template, t),
        "lang_url": lang_url, "me": person, "nav": nav,
        "csrf": "" if bare else _Csrf(request),
        "flash": message if isinstance(message, str) else None,
        "path": request.url.path, "title": title,
    }
    data.update(values or {})
    html = web(request).templates.get_template(template).render(**data)
    return HTMLResponse(html, status_code=status)
