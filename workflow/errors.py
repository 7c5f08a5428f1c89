"""The engine's one exception tree.

Every error the engine raises on purpose derives from :class:`AwardError`, carries structured
fields (``error.fields``) and a one-line message that says what *was* allowed. Entry points map
the class to an exit code (``error.exit_code``) and never show a traceback::

    AwardError                       1  failed check / invalid input
    ├── InvalidInput                 1  a bad value, file or reference supplied by the user
    │   ├── DefinitionError          1  flow, catalogue, calendar, directory files (Problems)
    │   └── ListRejected             1  a list (spreadsheet) with problems: nothing imported
    ├── StoreUnavailable             1  the database URL cannot be opened
    ├── Misconfigured                1  the installation's key or settings are unusable
    ├── UsageError                   2  a command used wrongly (bad choice, missing option)
    ├── PermissionDenied             3  the actor lacks the role at the unit the step requires
    ├── NotAllowed                   4  not allowed now: state, closed window, double vote …
    │   └── GuardRefused             4  a ``require:`` guard failed; names the guard and why
    ├── NotFound                     5  no such nomination, flow, objection, person …
    └── Conflict                     6  the item changed concurrently (optimistic concurrency)

Messages for people. ``message`` is English for the command line, scripts and logs (it may name
the command line's own options). People on the web read the error from a message catalogue
(``workflow/web/messages.py``) in their language, so every error a person can meet also carries
a **message id**, and the values its catalogue texts name::

    raise InvalidInput(f"'{trigger}' needs a comment (--comment TEXT)",
                       msgid="fire.comment_required", trigger=trigger)

* ``msgid`` is a dotted key, ``area.what`` (``fire.comment_required``, ``vote.twice``); one
  key per distinct sentence, never reused with other values.
* The values are the error's ``fields`` (printed by ``--json``) plus ``values=`` for what only
  the message needs (kept out of the JSON, so adding one never changes the command line's
  output). Give codes, not words: a state, trigger, document type, field, enum value, award
  code or unit id; the catalogue's renderer turns each into its label from the flow, the
  catalogue or the directory, by the value's name (``state``, ``trigger``, ``doctype``,
  ``field``, ``award``, ``unit`` …, see ``workflow/web/messages.py``).
* A nested reason (why a guard refused) is a :class:`Reason`: the same three parts.
* Add the key to the catalogue in Vietnamese and English; ``tests/test_messages.py`` fails for
  a raise without a key, a key without a text, or a text naming a value the raise lacks.

Must not import anything outside the standard library.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

__all__ = [
    "AwardError",
    "Conflict",
    "DefinitionError",
    "GuardRefused",
    "InvalidInput",
    "ListRejected",
    "Misconfigured",
    "NotAllowed",
    "NotFound",
    "PermissionDenied",
    "Problem",
    "Reason",
    "StoreUnavailable",
    "UsageError",
]


@dataclass(frozen=True)
class Reason:
    """Something said to people: a message id of the catalogue, the values its texts name,
    and the English ``text`` for the command line (which ``str()`` gives)."""

    msgid: str
    text: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.text

    def as_dict(self) -> dict[str, Any]:
        """Plain data (nested reasons too), for JSON: ``{"msgid", "text", "values"}``."""
        return {"msgid": self.msgid, "text": self.text,
                "values": {k: _plain(v) for k, v in self.values.items()}}


def _plain(value: Any) -> Any:
    if isinstance(value, Reason):
        return value.as_dict()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class AwardError(Exception):
    """Base class: a message for people plus structured ``fields`` for programs; ``msgid``
    and ``values`` say it again through the message catalogue (see the module's docstring)."""

    exit_code: ClassVar[int] = 1

    def __init__(self, message: str, *, msgid: str | None = None,
                 values: Mapping[str, Any] | None = None, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.msgid = msgid
        self.values: dict[str, Any] = dict(values or {})
        self.fields: dict[str, Any] = fields

    @property
    def type(self) -> str:
        return type(self).__name__

    @property
    def reason(self) -> Reason | None:
        """The error as the catalogue says it (None for an error without a message id)."""
        if self.msgid is None:
            return None
        return Reason(self.msgid, self.message, {**self.fields, **self.values})

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.type, "message": self.message}
        data.update({k: v for k, v in self.fields.items() if _jsonable(v)})
        return data


class InvalidInput(AwardError):
    exit_code = 1


@dataclass(frozen=True, order=True)
class Problem:
    """One error in a definition file, located as ``file:line:col`` (1-based)."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class DefinitionError(InvalidInput):
    """One or more problems in definition files; the message is the first, ``problems`` all."""

    def __init__(self, problems: list[Problem]) -> None:
        ordered = sorted(problems)
        first = str(ordered[0]) if ordered else "invalid definition"
        more = f" (and {len(ordered) - 1} more)" if len(ordered) > 1 else ""
        super().__init__(first + more, problems=[str(p) for p in ordered])
        self.problems = ordered


class ListRejected(InvalidInput):
    """A list sent for import has problems, so nothing of it was imported: the message is the
    first problem, ``problems`` every one, each ``FILE:ROW:COLUMN: message``; ``cells`` the
    same as ``{row, column, message}`` for a table of them."""

    def __init__(self, file: str, problems: list[str],
                 cells: list[dict[str, Any]] | None = None) -> None:
        # the first problem alone: printed with the others under it, one line each
        super().__init__(problems[0] if problems else f"{file}: the list has problems",
                         msgid="list.rejected", values={"count": len(problems)}, file=file,
                         problems=list(problems), cells=list(cells or []))
        self.problems = list(problems)


class Misconfigured(AwardError):
    """The installation cannot run as configured (a key that cannot be read, or that does not
    match the one the database was used with)."""


class StoreUnavailable(AwardError):
    exit_code = 1


class UsageError(AwardError):
    exit_code = 2


class PermissionDenied(AwardError):
    exit_code = 3


class NotAllowed(AwardError):
    exit_code = 4


class GuardRefused(NotAllowed):
    """A guard of the transition failed; ``guard`` names it and ``reason`` says why."""

    def __init__(self, trigger: str, guard: str, reason: str | Reason, **fields: Any) -> None:
        super().__init__(
            f"cannot '{trigger}': guard '{guard}' refused: {reason}",
            msgid="guard.refused",
            values={"reason": reason},
            trigger=trigger,
            guard=guard,
            reason=str(reason),
            **fields,
        )


class NotFound(AwardError):
    exit_code = 5


class Conflict(AwardError):
    exit_code = 6


def _jsonable(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool | list | tuple | dict)
