"""The PDF of each issued document: made from the HTML as issued (so it prints the same audit
head), kept beside it with its sha256 (audited, ``pdf_issued``), and made again on request
(``award pdf``).

Laying out a PDF takes from half a second to a few seconds, so it is never done inside the
unit of work that issues the document (which holds the database's write lock): issuing
announces the document (:func:`print_issued`), and once that unit has committed,
:func:`printer_observer` makes the PDF and keeps it in a short unit of its own. Issuing never
fails for want of a PDF: without WeasyPrint, its system libraries, or with ``AWARD_PDF=off``,
the document is HTML only (one log line says why) and ``award pdf KIND --missing`` makes
the PDFs later. Above :mod:`workflow.service.base` only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from workflow.documents import sha256_text
from workflow.errors import NotFound
from workflow.logs import fields
from workflow.pdf import sha256_bytes
from workflow.service.base import Deps
from workflow.store import Tx

__all__ = ["ISSUED", "print_issued", "printer_observer", "reprint"]

ISSUED = "issued"  # the event: a document was issued (kind, key, html)
log = logging.getLogger("workflow.pdf")


def print_issued(tx: Tx, kind: str, key: int, html: str) -> None:
    """Announce a document issued in this unit of work: its PDF is made once it commits."""
    tx.events.append((ISSUED, {"kind": kind, "key": key, "html": html}))


def printer_observer(deps: Deps) -> Callable[[str, dict[str, Any]], None]:
    """The observer that makes and keeps the PDF of every document issued, after commit."""
    told: list[str] = []

    def observe(event: str, data: dict[str, Any]) -> None:
        if event != ISSUED:
            return
        why = deps.printer.unavailable()
        if why is not None:
            if not told:  # once per process: the reason does not change
                told.append(why)
                log.info("pdf_skipped", extra=fields(reason=why))
            return
        try:
            pdf = deps.printer.pdf(data["html"])
        except Exception as exc:
            log.warning("pdf_failed", extra=fields(kind=data["kind"], id=data["key"],
                                                   error=type(exc).__name__))
            return
        if pdf is not None:
            deps.run(lambda tx: _keep(deps, tx, data["kind"], data["key"], data["html"], pdf))

    return observe


def _keep(deps: Deps, tx: Tx, kind: str, key: int, html: str, pdf: bytes) -> None:
    issued = tx.issued.get(kind, key)
    if issued is None or issued.sha256 != sha256_text(html):
        return  # issued anew meanwhile (a notice re-published): its own PDF follows
    if issued.pdf_sha256 is None:
        _store(deps, tx, issued.kind, key, issued.template, issued.sha256, None,
               issued.nomination_id, pdf)


def _store(deps: Deps, tx: Tx, kind: str, key: int, template: str, html_sha256: str,
           previous: str | None, nomination_id: int | None, pdf: bytes) -> str:
    digest = sha256_bytes(pdf)
    tx.issued.keep_pdf(kind, key, pdf, digest)
    tx.audit.append(deps.now(), "system", "pdf_issued",
                    str(nomination_id) if nomination_id else None, None, None, {
                        "kind": kind, "id": str(key), "template": template,
                        "sha256": html_sha256, "pdf_sha256": digest, "previous": previous})
    return digest


def reprint(deps: Deps, tx: Tx, kind: str, key: int,
            laid_out: tuple[str, bytes] | None = None) -> dict[str, Any]:
    """Make the PDF of an issued document again from its stored HTML. Kept (and audited)
    when there was none or it differs — a new WeasyPrint or new fonts lay the page out
    anew; ``changed`` says which. ``pdf_sha256`` None when no PDF can be made.

    ``laid_out``: ``(sha256 of an HTML, its PDF)`` made by a worker process
    (:class:`~workflow.pdf.Presses`); used only when that HTML is the document as issued,
    else the PDF is made here."""
    issued = tx.issued.get(kind, key)
    if issued is None:
        raise NotFound(f"no issued {kind} {key}", msgid="document.unknown",
                       values={"id": str(key)}, kind=kind)
    pdf = laid_out[1] if laid_out is not None and laid_out[0] == issued.sha256 else \
        deps.printer.pdf(issued.html)
    out: dict[str, Any] = {"kind": kind, "id": str(key), "template": issued.template,
                           "sha256": issued.sha256, "pdf_sha256": None, "changed": False,
                           "previous": issued.pdf_sha256}
    if pdf is None:
        return out
    digest = sha256_bytes(pdf)
    out["pdf_sha256"] = digest
    if digest != issued.pdf_sha256:
        _store(deps, tx, kind, key, issued.template, issued.sha256, issued.pdf_sha256,
               issued.nomination_id, pdf)
        out["changed"] = True
    return out
