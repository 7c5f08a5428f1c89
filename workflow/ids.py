"""Ids as people, URLs and forms write them: one syntax for every interface.

An id is a plain decimal number from 1 to :data:`MAX_ID`: ASCII digits only — no sign,
spaces, underscores or digits of other scripts, all of which ``int()`` and ``str.isdigit()``
accept. Anything else names nothing, so it is "not found", the same answer as for a
well-formed id that no row has; a number the store cannot bind never reaches it.

Must not import anything outside the standard library and :mod:`workflow.errors`.
"""

from __future__ import annotations

import re

from workflow.errors import NotFound

__all__ = ["MAX_ID", "decimal", "parse_id", "shorten"]

MAX_ID = 2**31 - 1
"""The id columns are SQL ``INTEGER``: 32 bits on PostgreSQL (64 on SQLite, but an id must mean
the same on both stores, and a larger one fails PostgreSQL's bind instead of finding nothing)."""

_DIGITS = re.compile(r"[0-9]+")  # not \d: that matches every script's digits
_MAX_DIGITS = len(str(MAX_ID))
_SHOWN = 40  # characters of a bad value echoed in a message (it may be megabytes long)


def decimal(text: str) -> int | None:
    """``text`` as a number from 0 to :data:`MAX_ID` if it is written as ids are (leading
    zeros allowed), else None."""
    if not _DIGITS.fullmatch(text) or len(text.lstrip("0")) > _MAX_DIGITS:
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def shorten(text: str) -> str:
    """``text`` cut to its first characters, to be echoed in a message."""
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def parse_id(text: str | int, what: str) -> int:
    """The id ``text`` names; :class:`NotFound` ("no ``what`` '…'") if it is not one."""
    if isinstance(text, int):  # from the store or another use case, never typed by anyone
        if 1 <= text <= MAX_ID:
            return text
        raise NotFound(f"no {what} with an id out of 1 … {MAX_ID}", msgid="id.unknown",
                       values={"what": what})
    key = decimal(text)
    if not key:  # None, or 0, which no row has
        shown = shorten(text)
        raise NotFound(f"no {what} {shown!r}", msgid="id.unknown", values={"what": what},
                       id=shown)
    return key
