"""Documents: the only module that imports jinja2.

Templates under ``templates/`` render in a :class:`~jinja2.sandbox.SandboxedEnvironment` with
autoescaping for HTML/XML and :class:`~jinja2.StrictUndefined`, so a template cannot reach
Python internals, a value (a nominee's name, an objection's text) is never markup, and a
misspelt variable is an error instead of an empty string. Output is Unicode NFC, so
Vietnamese text compares and hashes the same however it was typed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflow.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

__all__ = ["Renderer", "date_in_words", "sha256_text"]

_ESCAPED_SUFFIXES = (".html", ".htm", ".xml", ".html.j2", ".htm.j2", ".xml.j2")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def date_in_words(day: date) -> str:
    """A date as an official document writes it (Decree 30/2020, Annex I): ``ngày 05 tháng
    02 năm 2026`` — a zero before days under 10 and before months 1 and 2."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _date_words(value: Any) -> str:
    """Filter ``date_words``: the date part of an ISO time as the context gives it (already in
    the display time zone) in words; anything else is shown as it is."""
    found = _ISO_DAY.match(value) if isinstance(value, str) else None
    if found is None:
        return "" if value is None else str(value)
    try:
        return date_in_words(date(*(int(g) for g in found.groups())))
    except ValueError:
        return str(value)


def _time_words(value: Any) -> str:
    """Filter ``time_words``: ``09 giờ 30`` from an ISO time (display time zone)."""
    if isinstance(value, str) and len(value) >= 16 and value[13] == ":":
        return f"{value[11:13]} giờ {value[14:16]}"
    return "" if value is None else str(value)


def _autoescape(name: str | None) -> bool:
    return name is not None and name.endswith(_ESCAPED_SUFFIXES)


def _nfc(value: Any) -> Any:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


class Renderer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @cached_property
    def env(self) -> SandboxedEnvironment:
        """Built on the first render: a command that renders nothing never loads jinja2."""
        from jinja2 import FileSystemLoader, StrictUndefined
        from jinja2.sandbox import SandboxedEnvironment

        env = SandboxedEnvironment(
            loader=FileSystemLoader(str(self.folder)),
            autoescape=_autoescape,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        env.filters["nfc"] = _nfc
        env.filters["date_words"] = _date_words
        env.filters["time_words"] = _time_words
        return env

    def exists(self, name: str) -> bool:
        if "/" in name or "\\" in name or name.startswith("."):
            return False
        return (self.folder / name).is_file()

    def names(self) -> list[str]:
        """The document templates one may name (``*.j2`` at the top of the folder)."""
        return sorted(p.name for p in self.folder.glob("*.j2") if p.is_file())

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        if not self.exists(name):
            raise NotFound(f"no template {name!r} in {self.folder}", template=name)
        from jinja2 import TemplateError, TemplateNotFound
        from jinja2.exceptions import SecurityError

        try:
            template = self.env.get_template(name)
            text = template.render(**context)
        except TemplateNotFound:
            raise NotFound(f"no template {name!r} in {self.folder}", template=name) from None
        except SecurityError as exc:
            raise InvalidInput(f"template {name!r} tried something unsafe: {exc}",
                               template=name) from None
        except TemplateError as exc:
            raise InvalidInput(f"template {name!r} failed: {exc}", template=name) from None
        return unicodedata.normalize("NFC", text)
