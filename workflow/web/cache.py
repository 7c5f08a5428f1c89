"""Rendered public pages, kept between requests for visitors with no session.

A page is kept under its path, query, language and the data's version
(:meth:`~workflow.service.facades.public.Public.version`: the audit chain's head, the
directory's generation and the clock's second), so any change anyone makes — in this
process, another worker or the command line — is shown on the next request, and what depends
on the clock alone (an objection window ending at its deadline) is at most a second behind;
the service, not the page, decides whether an objection is accepted. Only anonymous GETs with
no session cookie and no credentials are served from here: nothing of a session (sign-in,
CSRF token, flash message) is ever in a kept page. One request renders a missing page while
the others asking for it wait for that render instead of rendering it too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi.responses import HTMLResponse
from starlette.requests import Request

__all__ = ["PageCache"]

MAX_PAGES = 2048  # pages of past versions are dropped all at once past this many


@dataclass
class PageCache:
    session_cookie: str
    _pages: dict[tuple[object, ...], bytes] = field(default_factory=dict)
    _locks: dict[tuple[object, ...], threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def usable(self, request: Request) -> bool:
        return (request.method == "GET" and self.session_cookie not in request.cookies
                and "authorization" not in request.headers)

    def page(self, request: Request, version: Callable[[], object], lang: str,
             render: Callable[[], HTMLResponse]) -> HTMLResponse:
        """The kept page for this request, else ``render()`` (kept when it answers 200)."""
        if not self.usable(request):
            return render()
        key = (request.url.path, request.url.query, lang, version())
        kept = self._pages.get(key)
        if kept is not None:
            return HTMLResponse(kept)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            kept = self._pages.get(key)  # rendered while this request waited
            if kept is not None:
                return HTMLResponse(kept)
            response = render()
            if response.status_code == 200:
                with self._guard:
                    if len(self._pages) >= MAX_PAGES:
                        self._pages.clear()
                        self._locks.clear()
                    self._pages[key] = bytes(response.body)
        return response
