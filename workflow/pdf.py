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
import struct
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

__all__ = ["ENV_PDF", "Presses", "Printer", "sha256_bytes"]

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


# ---- laying out many PDFs on every core ------------------------------------------------------

_LENGTH = struct.Struct(">Q")


def _send(out: IO[bytes], data: bytes) -> None:
    out.write(_LENGTH.pack(len(data)))
    out.write(data)


def _receive(source: IO[bytes]) -> bytes | None:
    """One framed message, or None at the end of the stream."""
    head = source.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(head)
    data = source.read(size)
    if len(data) < size:
        return None
    return data


class Presses:
    """Worker processes (``python -m workflow.pdf``, one per core by default) that lay out
    PDFs from HTML, so a run that makes many (the demo, ``award pdf KIND --missing``) uses
    every core. A worker only turns HTML into PDF bytes, as :meth:`Printer.pdf` does here; the
    caller keeps them (and checks them against the document as issued). Started at once, so
    WeasyPrint loads in the workers while the caller does other work."""

    def __init__(self, workers: int | None = None) -> None:
        count = workers if workers is not None else min(os.cpu_count() or 1, 4)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).resolve().parents[1]),
             *filter(None, [os.environ.get("PYTHONPATH")])])}
        self._workers = [subprocess.Popen([sys.executable, "-m", "workflow.pdf"], env=env,
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=subprocess.DEVNULL)
                         for _ in range(max(1, count))]
        self._why: list[str | None] = []

    def unavailable(self) -> str | None:
        """Why the workers make no PDF (as :meth:`Printer.unavailable` says it), or None.
        The first answer of each worker; this process never loads WeasyPrint for it."""
        if not self._why:
            for worker in self._workers:
                assert worker.stdout is not None
                said = _receive(worker.stdout)
                self._why.append("the PDF worker did not start" if said is None else
                                 said.decode("utf-8") or None)
        return next((why for why in self._why if why is not None), None)

    def pdfs(self, documents: Sequence[str]) -> list[bytes | None]:
        """The PDF of each HTML document, in order; None where a worker could not make it
        (the caller makes that one itself, or reports it)."""
        out: list[bytes | None] = [None] * len(documents)
        if self.unavailable() is not None:
            return out
        workers = self._workers

        def serve(worker: subprocess.Popen[bytes], indexes: list[int]) -> None:
            assert worker.stdin is not None and worker.stdout is not None
            feeder = threading.Thread(target=self._feed, args=(
                worker.stdin, [documents[i] for i in indexes]), daemon=True)
            feeder.start()
            for i in indexes:
                data = _receive(worker.stdout)
                if data is None:
                    break
                out[i] = data or None  # empty: the worker could not lay this one out
            feeder.join()

        threads = [threading.Thread(target=serve, args=(w, list(range(n, len(documents),
                                                                      len(workers)))))
                   for n, w in enumerate(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return out

    @staticmethod
    def _feed(stdin: IO[bytes], documents: list[str]) -> None:
        try:
            for html in documents:
                _send(stdin, html.encode("utf-8"))
            stdin.flush()
        except (BrokenPipeError, ValueError):
            pass  # the worker ended: what it did not answer stays None

    def close(self) -> None:
        for worker in self._workers:
            try:
                if worker.stdin is not None:
                    worker.stdin.close()
            except BrokenPipeError:
                pass
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            if worker.stdout is not None:
                worker.stdout.close()

    def __enter__(self) -> Presses:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _main() -> None:
    """A worker: first why it cannot make PDFs (empty: it can), then for each framed HTML
    document on stdin its PDF framed on stdout (empty when one cannot be laid out), until
    stdin ends."""
    printer = Printer(enabled=True)
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    why = printer.unavailable()  # loads WeasyPrint now, before the first document arrives
    _send(sink, (why or "").encode("utf-8"))
    sink.flush()
    if why is not None:
        return
    while (data := _receive(source)) is not None:
        try:
            pdf = printer.pdf(data.decode("utf-8")) or b""
        except Exception:  # one bad document: the caller is told (empty), the next goes on
            pdf = b""
        _send(sink, pdf)
        sink.flush()


if __name__ == "__main__":
    _main()
