"""The PDF of each issued document: made from the HTML as issued (so it prints the same audit
head), kept beside it with its sha256, and made again on request (``award pdf``).

Issuing never fails for want of a PDF: without WeasyPrint, its system libraries, or with
``AWARD_PDF=off``, the document is HTML only and ``award pdf`` can make the PDF later.
Above :mod:`workflow.service.base` only.
"""

from __future__ import annotations

import logging
from typing import Any

from workflow.errors import NotFound
from workflow.logs import fields
from workflow.pdf import sha256_bytes
from workflow.service.base import Deps
from workflow.store import Tx

__all__ = ["print_issued", "reprint"]

log = logging.getLogger("workflow.pdf")


def print_issued(deps: Deps, tx: Tx, kind: str, key: int, html: str) -> str | None:
    """Make and keep the PDF of the document just issued; its sha256, or None when no PDF is
    made. A layout the PDF engine cannot handle is logged, never an error of the issue."""
    try:
        pdf = deps.printer.pdf(html)
    except Exception as exc:
        log.warning("pdf_failed", extra=fields(kind=kind, id=key, error=type(exc).__name__))
        return None
    if pdf is None:
        return None
    digest = sha256_bytes(pdf)
    tx.issued.keep_pdf(kind, key, pdf, digest)
    return digest


def reprint(deps: Deps, tx: Tx, kind: str, key: int) -> dict[str, Any]:
    """Make the PDF of an issued document again from its stored HTML. Kept (and audited,
    ``pdf_issued``) when there was none or it differs — a new WeasyPrint or new fonts lay the
    page out anew; ``changed`` says which. None for ``pdf_sha256`` when no PDF can be made."""
    issued = tx.issued.get(kind, key)
    if issued is None:
        raise NotFound(f"no issued {kind} {key}", msgid="document.unknown", kind=kind,
                       id=str(key))
    pdf = deps.printer.pdf(issued.html)
    out: dict[str, Any] = {"kind": kind, "id": str(key), "template": issued.template,
                           "sha256": issued.sha256, "pdf_sha256": None, "changed": False,
                           "previous": issued.pdf_sha256}
    if pdf is None:
        return out
    digest = sha256_bytes(pdf)
    out["pdf_sha256"] = digest
    if digest != issued.pdf_sha256:
        tx.issued.keep_pdf(kind, key, pdf, digest)
        nomination = str(issued.nomination_id) if issued.nomination_id else None
        tx.audit.append(deps.now(), "system", "pdf_issued", nomination, None, None, {
            "kind": kind, "id": str(key), "template": issued.template, "sha256": issued.sha256,
            "pdf_sha256": digest, "previous": issued.pdf_sha256})
        out["changed"] = True
    return out
