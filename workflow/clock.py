"""The only reader of the wall clock.

Everything that needs "now" is handed a :class:`Clock`. ``AWARD_NOW`` (ISO 8601 with an offset)
fixes the time for a whole process, which is how tests, demos and users replay time. A
:class:`FixedClock` can also be moved forward by a simulation (the demo does).

All datetimes handed out are timezone-aware and in UTC; presentation converts to local time.
Must not import anything outside the standard library.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Protocol

from workflow.errors import InvalidInput

__all__ = ["Clock", "FixedClock", "SystemClock", "clock_from_env", "parse_instant"]

ENV_NOW = "AWARD_NOW"
FIRST_YEAR, LAST_YEAR = 1900, 2999


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until told to move."""

    def __init__(self, instant: datetime) -> None:
        self._now = _utc(instant)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        self._now = _utc(instant)

    def advance(self, delta: timedelta) -> None:
        self._now = self._now + delta


def parse_instant(text: str, *, what: str = ENV_NOW) -> datetime:
    """Parse ISO 8601 *with an offset*; a naive time would be ambiguous across time zones."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            f"{what}: {text!r} is not an ISO 8601 time; expected e.g. 2026-02-12T09:00:00+07:00",
            value=text,
        ) from None
    if value.tzinfo is None:
        raise InvalidInput(
            f"{what}: {text!r} has no UTC offset; expected e.g. 2026-02-12T09:00:00+07:00",
            value=text,
        )
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        # deadlines are counted forward from "now" (up to ten years), on calendars of these
        # years; the edges of datetime's range would overflow on the first move
        raise InvalidInput(f"{what}: {text!r} is outside the years {FIRST_YEAR}–{LAST_YEAR}",
                           value=text)
    return value.astimezone(UTC)


def clock_from_env(environ: dict[str, str] | None = None) -> Clock:
    env = os.environ if environ is None else environ
    fixed = env.get(ENV_NOW)
    if fixed:
        return FixedClock(parse_instant(fixed))
    return SystemClock()


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("naive datetimes are not accepted by the clock")
    return instant.astimezone(UTC)
