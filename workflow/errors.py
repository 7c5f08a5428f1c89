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

Must not import anything outside the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    "StoreUnavailable",
    "UsageError",
]


class AwardError(Exception):
    """Base class: a message for people plus structured ``fields`` for programs."""

    exit_code: ClassVar[int] = 1

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields: dict[str, Any] = fields

    @property
    def type(self) -> str:
        return type(self).__name__

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
                         file=file, problems=list(problems), cells=list(cells or []))
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

    def __init__(self, trigger: str, guard: str, reason: str, **fields: Any) -> None:
        super().__init__(
            f"cannot '{trigger}': guard '{guard}' refused: {reason}",
            trigger=trigger,
            guard=guard,
            reason=reason,
            **fields,
        )


class NotFound(AwardError):
    exit_code = 5


class Conflict(AwardError):
    exit_code = 6


def _jsonable(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool | list | tuple | dict)
