"""Documents: the only module that imports jinja2.

Templates under ``templates/`` render in a :class:`~jinja2.sandbox.SandboxedEnvironment` with
autoescaping for HTML/XML and :class:`~jinja2.StrictUndefined`, so a template cannot reach
Python internals, a value (a nominee's name, an objection's text) is never markup, and a
misspelt variable is an error instead of an empty string. Output is Unicode NFC, so
Vietnamese text compares and hashes the same however it was typed.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflow.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

__all__ = ["Renderer", "sha256_text"]

_ESCAPED_SUFFIXES = (".html", ".htm", ".xml", ".html.j2", ".htm.j2", ".xml.j2")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
