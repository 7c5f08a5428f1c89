"""Small protections of the web layer: CSRF tokens, an in-memory rate limit, and a short
cache of good HTTP Basic credentials (:class:`BasicCache`).

* Every session carries a random CSRF token; every form POST must send it back
  (``csrf_token``), every session-authenticated API write sends it as ``X-CSRF-Token``.
* :class:`RateLimit` counts attempts per key (a client address) in a sliding window. It is
  per process and kept in memory: enough to slow down a script hammering the public objection
  form or the sign-in page from one address; a deployment behind several processes should
  also limit at its reverse proxy. A refused attempt raises :class:`RateLimited` (429).

Rate windows use a monotonic timer, not :mod:`workflow.clock`: they measure how fast requests
arrive, not the legal time of the domain (which ``AWARD_NOW`` may hold still).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from starlette.requests import Request

from workflow.service import Service

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SESSION_SECONDS",
    "BasicCache",
    "RateLimit",
    "RateLimited",
    "client_key",
    "new_token",
    "same_token",
]

SESSION_SECONDS = 12 * 3600  # a signed-in browser's session lasts a working day at most
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(sent: object, expected: object) -> bool:
    """Constant-time comparison; anything but two non-empty strings fails."""
    if not isinstance(sent, str) or not isinstance(expected, str) or not sent or not expected:
        return False
    return secrets.compare_digest(sent.encode(), expected.encode())


def client_key(request: Request) -> str:
    """What a rate limit counts by: the client's address."""
    return request.client.host if request.client else "unknown"


class RateLimited(Exception):
    """Too many attempts from one address; ``retry_after`` seconds until the next one."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limited; retry after {retry_after}s")
        self.retry_after = retry_after


class RateLimit:
    """At most ``limit`` hits per ``window`` seconds for each key."""

    MAX_KEYS = 50_000  # bound the memory a flood of distinct addresses can take

    def __init__(self, limit: int, window: float,
                 timer: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._timer = timer
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> bool:
        """Record an attempt; False if the key is over its limit (the attempt is refused and
        not counted)."""
        now = self._timer()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                if len(self._hits) >= self.MAX_KEYS:
                    self._prune(now)
                hits = self._hits[key] = deque()
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may try again (0: now)."""
        now = self._timer()
        with self._lock:
            hits = self._hits.get(key)
            if not hits or len(hits) < self.limit:
                return 0
            return max(1, int(hits[0] + self.window - now + 0.999))

    def spend(self, request: Request, person: str | None = None) -> None:
        """Count an attempt from the request's address — and, for a signed-in ``person``,
        under their login too (an account is not a way around the limit) — or raise
        :class:`RateLimited`."""
        keys = [client_key(request)] + ([f"person:{person}"] if person else [])
        for key in keys:
            if not self.hit(key):
                raise RateLimited(self.retry_after(key))

    def refuse_if_spent(self, request: Request) -> None:
        """Raise :class:`RateLimited` if the address is over its limit, counting nothing
        (failed sign-ins are counted only when they fail)."""
        wait = self.retry_after(client_key(request))
        if wait:
            raise RateLimited(wait)

    def _prune(self, now: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
            del self._hits[key]


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
