"""Official documents as PDF: the only module that imports WeasyPrint.

A document is issued as HTML (:mod:`workflow.documents`); its PDF is that same HTML laid out
on A4 pages by WeasyPrint, which embeds (a subset of) every font it uses, so the PDF reads
the same on a machine without Vietnamese fonts. WeasyPrint needs Pango and fonts from the
system; when it or they are missing, or ``AWARD_PDF=off``, :class:`Printer` says why in one
line and documents stay HTML only — issuing a document never fails for want of a PDF.

The same HTML gives the same bytes (WeasyPrint writes no creation time), so a PDF made again
from a stored document can be compared with the hash recorded when it was issued.

Must not import anything of the engine but :mod:`workflow.errors`.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ENV_PDF", "Printer", "sha256_bytes"]

ENV_PDF = "AWARD_PDF"
_OFF = ("off", "0", "no", "false")
log = logging.getLogger("workflow.pdf")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.cache
def _weasyprint() -> tuple[Any, str | None]:
    """The ``weasyprint`` module, or why it cannot be used (imported once per process: the
    import loads Pango, which is what fails on a machine without it)."""
    try:
        import weasyprint  # noqa: PLC0415 -- loads Pango: only when a PDF is wanted
    except ImportError:
        return None, ("WeasyPrint is not installed (pip install weasyprint; it needs the "
                      "system's Pango and fonts, see the README)")
    except OSError as exc:  # the Python package is there, the C libraries are not
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return None, (f"WeasyPrint cannot load its system libraries ({first}); install "
                      "libpango-1.0-0 and fonts-dejavu-core (see the README)")
    return weasyprint, None


@dataclass(frozen=True)
class Printer:
    """Makes the PDF of an issued HTML document, or says in one line why it cannot."""

    enabled: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Printer:
        value = (env if env is not None else os.environ).get(ENV_PDF, "").strip().lower()
        return cls(enabled=value not in _OFF)

    def unavailable(self) -> str | None:
        """Why no PDF is made (a line for a person), or None when PDFs are made."""
        if not self.enabled:
            return f"PDF output is off ({ENV_PDF}=off): documents are HTML only"
        return _weasyprint()[1]

    def pdf(self, html: str) -> bytes | None:
        """The document as an A4 PDF with its fonts embedded, or None when PDFs are not made
        (see :meth:`unavailable`). The HTML loads nothing: no base URL, no fetches."""
        if self.unavailable() is not None:
            return None
        weasyprint, _ = _weasyprint()
        document = weasyprint.HTML(string=html, base_url=None, url_fetcher=_no_fetch)
        data: bytes = document.write_pdf()
        return data


def _no_fetch(url: str, *_args: Any, **_kwargs: Any) -> dict[str, Any]:
    """A document refers to nothing outside itself; a reference (from a template someone
    edited) is refused, never fetched."""
    raise ValueError(f"official documents load nothing from outside: {url[:80]!r}")
