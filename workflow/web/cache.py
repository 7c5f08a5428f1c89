"""Rendered public pages, kept between requests for visitors with no session.

A page is kept under its path, query, language and the data's version
(:meth:`~workflow.service.facades.public.Public.version`: the audit chain's head, the
directory's generation and the clock's second), so any change anyone makes — in this
process, another worker or the command line — is shown on the next request, and what depends
on the clock alone (an objection window ending at its deadline) is at most a second behind;
the service, not the page, decides whether an objection is accepted. Only anonymous GETs with
no session cookie and no credentials are served from here: nothing of a session (sign-in,
CSRF token, flash message) is ever in a kept page. One request renders a missing page while
the others asking for it wait for that render instead of rendering it too — except when
only the clock's second moved: then they are given the page of the same data made at most
:data:`CLOCK_SLACK` seconds earlier, rather than all waiting behind one render each second.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi.responses import HTMLResponse
from starlette.requests import Request

__all__ = ["PageCache"]

MAX_PAGES = 2048  # pages of past versions are dropped all at once past this many
CLOCK_SLACK = 2  # seconds of the clock a page of unchanged data may lag while one renders


@dataclass
class PageCache:
    session_cookie: str
    _pages: dict[tuple[object, ...], bytes] = field(default_factory=dict)
    #: (path, query, language, data version) -> (clock second, page): the newest made
    _latest: dict[tuple[object, ...], tuple[int, bytes]] = field(default_factory=dict)
    _locks: dict[tuple[object, ...], threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def usable(self, request: Request) -> bool:
        return (request.method == "GET" and self.session_cookie not in request.cookies
                and "authorization" not in request.headers)

    def page(self, request: Request, version: Callable[[], tuple[object, int]], lang: str,
             render: Callable[[], HTMLResponse]) -> HTMLResponse:
        """The kept page for this request, else ``render()`` (kept when it answers 200).
        ``version()`` is ``(the data's version, the clock's second)``."""
        if not self.usable(request):
            return render()
        data, second = version()
        page = (request.url.path, request.url.query, lang, data)
        key = (*page, second)
        kept = self._pages.get(key)
        if kept is not None:
            return HTMLResponse(kept)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        if not lock.acquire(blocking=False):
            latest = self._latest.get(page)
            if latest is not None and second - CLOCK_SLACK <= latest[0] <= second:
                return HTMLResponse(latest[1])  # the same data, a second or two ago
            lock.acquire()
        try:
            kept = self._pages.get(key)  # rendered while this request waited
            if kept is not None:
                return HTMLResponse(kept)
            response = render()
            if response.status_code == 200:
                body = bytes(response.body)
                with self._guard:
                    if len(self._pages) >= MAX_PAGES:
                        self._pages.clear()
                        self._latest.clear()
                        self._locks.clear()
                    self._pages[key] = body
                    if self._latest.get(page, (second - 1,))[0] < second:
                        self._latest[page] = (second, body)
        finally:
            lock.release()
        return response
