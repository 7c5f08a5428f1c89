"""Rendered pages, kept between requests: public pages for visitors with no session, and a
signed-in session's own item pages for that session alone.

A page is kept under its path, query, language and whose it is, with the data's version
(:meth:`~workflow.service.facades.public.Public.version`: the audit chain's head, the
directory's generation and the clock's second) it was made from; it is served only while that
version is still the current one, so any change anyone makes — in this process, another worker
or the command line — is shown on the next request, and what depends on the clock alone (an
objection window ending at its deadline, an action whose time has come) is at most a second
behind; the service, not the page, decides whether a filing or an action is accepted.

A public page is kept only for GETs with no session cookie and no credentials: nothing of a
session (sign-in, CSRF token, flash message) is ever in it. A private page is kept under the
signed-in person (login and roles) *and* the session's own CSRF token, which the page prints in
its forms: no other session, not even the same person's on another device, is ever served it.
It is kept only when rendering it would leave the session as it found it (a CSRF token already
made, no flash message waiting), and the person is looked up on every request before the kept
page is: a sign-out or an ended session still sends the browser to the sign-in.

One request renders a missing page while the others asking for it wait for that render instead
of rendering it too — except when only the clock's second moved: then they are given the page
of the same data made at most :data:`CLOCK_SLACK` seconds earlier, rather than all waiting
behind one render each second. Only the newest page of each kind is kept.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

__all__ = ["PageCache"]

MAX_PAGES = 2048  # all pages are dropped at once past this many ...
MAX_BYTES = 64 * 1024 * 1024  # ... or this much
CLOCK_SLACK = 2  # seconds of the clock a page of unchanged data may lag while one renders


@dataclass
class _Kept:
    data: object
    second: int
    body: bytes


@dataclass
class PageCache:
    session_cookie: str
    #: (path, query, language, whose) -> the newest page made of it
    _pages: dict[tuple[object, ...], _Kept] = field(default_factory=dict)
    _locks: dict[tuple[object, ...], threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)
    _bytes: int = 0

    def _whose(self, request: Request, person: Mapping[str, Any] | None) -> object | None:
        """Whose page this request may be served from the cache: ``()`` for the public, the
        person and their session's CSRF token for a signed-in person, None when it may not."""
        if request.method != "GET" or "authorization" in request.headers:
            return None
        if person is None:
            return () if self.session_cookie not in request.cookies else None
        session = request.session
        csrf = session.get("csrf")
        if "flash" in session or not isinstance(csrf, str) or not csrf:
            return None  # rendering would change the session: pop the flash, make a token
        return (str(person["login"]), tuple(sorted(person.get("roles") or ())), csrf)

    def page(self, request: Request, version: Callable[[], tuple[object, int]], lang: str,
             render: Callable[[], HTMLResponse], *,
             person: Mapping[str, Any] | None = None) -> HTMLResponse:
        """The kept page for this request, else ``render()`` (kept when it answers 200).
        ``version()`` is ``(the data's version, the clock's second)``; ``person`` the
        signed-in person the page is made for (None: a public page)."""
        whose = self._whose(request, person)
        if whose is None:
            return render()
        data, second = version()
        return self._made(_key(request, lang, whose), data, second, render)

    async def answer(self, request: Request, version: Callable[[], tuple[object, int]],
                     lang: str, render: Callable[[], HTMLResponse], *,
                     person: Mapping[str, Any] | None = None, inline: bool = False
                     ) -> HTMLResponse:
        """:meth:`page` for an ``async`` route. With ``inline`` (the version is a local read of
        tens of microseconds: SQLite) a kept page is answered on the event loop, without
        handing the request to a worker thread and back — under many clients those hand-offs,
        not the page, were most of a kept page's time; a render, or a wait for one, runs in a
        worker thread as before."""
        if not inline:
            return await run_in_threadpool(
                functools.partial(self.page, request, version, lang, render, person=person))
        whose = self._whose(request, person)
        if whose is None:
            return await run_in_threadpool(render)
        data, second = version()
        page = _key(request, lang, whose)
        kept = self._current(page, data, second)
        if kept is not None:
            return kept
        return await run_in_threadpool(self._made, page, data, second, render)

    def _current(self, page: tuple[object, ...], data: object, second: int
                 ) -> HTMLResponse | None:
        """The kept page if it was made of this data in this second."""
        kept = self._pages.get(page)
        if kept is not None and kept.data == data and kept.second == second:
            return HTMLResponse(kept.body)
        return None

    def _made(self, page: tuple[object, ...], data: object, second: int,
              render: Callable[[], HTMLResponse]) -> HTMLResponse:
        """The kept page of ``data`` in ``second``, else rendered by one request at a time."""
        kept = self._pages.get(page)
        if kept is not None and kept.data == data and kept.second == second:
            return HTMLResponse(kept.body)
        with self._guard:
            lock = self._locks.setdefault(page, threading.Lock())
        if not lock.acquire(blocking=False):
            if (kept is not None and kept.data == data
                    and second - CLOCK_SLACK <= kept.second <= second):
                return HTMLResponse(kept.body)  # the same data, a second or two ago
            lock.acquire()
        try:
            done = self._current(page, data, second)  # rendered while this request waited
            if done is not None:
                return done
            response = render()
            if response.status_code == 200:
                self._keep(page, _Kept(data, second, bytes(response.body)))
        finally:
            lock.release()
        return response

    def _keep(self, page: tuple[object, ...], made: _Kept) -> None:
        with self._guard:
            old = self._pages.get(page)
            if old is not None and old.second > made.second:
                return  # a newer page was kept meanwhile
            if len(self._pages) >= MAX_PAGES or self._bytes + len(made.body) > MAX_BYTES:
                self._pages.clear()
                self._locks.clear()
                self._bytes = 0
                old = None
            self._pages[page] = made
            self._bytes += len(made.body) - (len(old.body) if old is not None else 0)


def _key(request: Request, lang: str, whose: object) -> tuple[object, ...]:
    """What a page is kept under: its path, query, language and whose it is."""
    return (request.url.path, request.url.query, lang, whose)
