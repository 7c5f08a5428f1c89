"""Printing: the only place the CLI writes to the terminal.

With ``--json`` every command prints exactly one JSON document on stdout, errors included
(``{"error": {"type", "message", …}}``). Without it, results are short human-readable lines
or tables on stdout and errors one line on stderr. Exit codes come from the error class.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from workflow.errors import AwardError, InvalidInput

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["LogFormat", "Output", "clean", "writing"]


class LogFormat(StrEnum):
    text = "text"
    json = "json"

PIPED_WIDTH = 160
# C0 and C1 control characters but tab and newline: an ANSI escape in a nominee's name must
# reach the terminal as text, never as a command to it
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(value: object) -> str:
    """A value as a terminal may show it: control characters replaced by U+FFFD."""
    return _CONTROL.sub("\ufffd", "" if value is None else str(value))


def _width(stream: Any) -> int | None:
    """Rich assumes 80 columns when output is piped, and folds wide tables to fit; a file or
    a pager has no such limit, so give tables room there (``COLUMNS`` still wins)."""
    if os.environ.get("COLUMNS") or (hasattr(stream, "isatty") and stream.isatty()):
        return None
    return PIPED_WIDTH


@contextmanager
def writing(path: Path, *, newline: str | None = None) -> Iterator[TextIO]:
    """A text file opened for ``--out``: a path that cannot be written is a one-line error
    (InvalidInput, exit 1), not a traceback."""
    try:
        handle = path.open("w", encoding="utf-8", newline=newline)
    except OSError as exc:
        raise InvalidInput(f"cannot write {str(path)!r}: {exc.strerror or exc}",
                           file=str(path)) from None
    with handle:
        yield handle


class Output:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    # rich is loaded on the first human-readable line: a --json run never imports it
    @cached_property
    def console(self) -> Console:
        from rich.console import Console

        return Console(highlight=False, soft_wrap=True, width=_width(sys.stdout))

    @cached_property
    def err_console(self) -> Console:
        from rich.console import Console

        return Console(stderr=True, highlight=False, soft_wrap=True, width=_width(sys.stderr))

    def json(self, data: Any) -> None:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
        sys.stdout.flush()

    def emit(self, data: Any, human: Callable[[Any], None] | None = None) -> None:
        if self.as_json or human is None:
            self.json(data)
        else:
            human(data)

    def line(self, text: str) -> None:
        self.console.print(clean(text), markup=False)

    def table(self, columns: list[str], rows: Iterable[Iterable[Any]], title: str | None = None
              ) -> None:
        from rich.table import Table
        from rich.text import Text

        table = Table(title=None if title is None else Text(clean(title)), show_lines=False,
                      header_style="bold")
        for i, col in enumerate(columns):
            # the first column names the row (an id, a flow): keep it whole, fold the others
            table.add_column(col, overflow="fold", no_wrap=i == 0)
        for row in rows:
            # Text, not str: a name like "[/]" or "Trường [tiểu học] Lý Thái Tổ" is shown as
            # written, never read as console markup
            table.add_row(*[Text(clean(v)) for v in row])
        self.console.print(table)

    def progress(self, text: str) -> None:
        """Progress of long work: stderr, never mixed into a JSON document."""
        self.err_console.print(clean(text), markup=False)

    def error(self, exc: AwardError) -> None:
        if self.as_json:
            self.json({"error": exc.to_dict()})
        else:
            self.err_console.print(clean(f"error: {exc.message}"), markup=False)
            for extra in exc.fields.get("problems", [])[1:]:
                self.err_console.print(clean(f"error: {extra}"), markup=False)
