"""Rendered public pages, kept between requests for visitors with no session.

A page is kept under its path, query, language and the data's version
(:meth:`~workflow.service.facades.public.Public.version`: the audit chain's head and the
directory's generation), so any change anyone makes — in this process, another worker or the
command line — is shown on the next request. What depends on the clock alone (an objection
window closing at its deadline) is at most :data:`FRESH_SECONDS` behind; the service, not the
page, decides whether an objection is accepted. Only anonymous GETs with no session cookie
and no credentials are served from here: nothing of a session (sign-in, CSRF token, flash
message) is ever in a kept page. One request renders a missing page while the others asking
for it wait for that render instead of rendering it too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi.responses import HTMLResponse
from starlette.requests import Request

__all__ = ["FRESH_SECONDS", "PageCache"]

FRESH_SECONDS = 1.0
MAX_PAGES = 2048


@dataclass
class PageCache:
    session_cookie: str
    fresh_seconds: float = FRESH_SECONDS
    _pages: dict[tuple[object, ...], tuple[float, bytes]] = field(default_factory=dict)
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
        kept = self._fresh(key)
        if kept is not None:
            return HTMLResponse(kept)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            kept = self._fresh(key)  # rendered while this request waited
            if kept is not None:
                return HTMLResponse(kept)
            response = render()
            if response.status_code == 200:
                with self._guard:
                    if len(self._pages) >= MAX_PAGES:
                        self._pages.clear()
                        self._locks.clear()
                    self._pages[key] = (time.monotonic() + self.fresh_seconds,
                                        bytes(response.body))
        return response

    def _fresh(self, key: tuple[object, ...]) -> bytes | None:
        kept = self._pages.get(key)
        if kept is None or kept[0] < time.monotonic():
            return None
        return kept[1]
