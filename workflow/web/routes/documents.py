"""Opening documents on the web: a dossier file (for whoever may see the item, so council
members read what they vote on), what the engine issued for an item (decisions, a round's
minutes) and a session's minutes, as issued in HTML and as PDF; a public notice's PDF for
anyone. Access is the service's (:class:`~workflow.service.facades.documents.Documents`).
"""

from __future__ import annotations

from fastapi import Response
from fastapi.responses import HTMLResponse

from workflow.web.deps import Acting, ServiceDep, page_router
from workflow.web.files import document, download

__all__ = ["router"]

router = page_router()


@router.get("/items/{nomination_id}/dossier/{document_id}")
def dossier_file(service: ServiceDep, who: Acting, nomination_id: str, document_id: str
                 ) -> Response:
    """One file of the dossier, as attached (a download: it is never shown inline)."""
    found = service.documents.dossier_file(who, nomination_id, document_id)
    return download(found["content"], found["file"], found["sha256"])


@router.get("/items/{nomination_id}/issued/{document_id}")
def issued(service: ServiceDep, who: Acting, nomination_id: str, document_id: str
           ) -> HTMLResponse:
    """A decision or a round's minutes exactly as issued."""
    found = service.documents.issued(who, "document", document_id, nomination_id=nomination_id)
    return document(found["html"], found["sha256"])


@router.get("/items/{nomination_id}/issued/{document_id}/pdf")
def issued_pdf(service: ServiceDep, who: Acting, nomination_id: str, document_id: str
               ) -> Response:
    found = service.documents.pdf(who, "document", document_id, nomination_id=nomination_id)
    name = f"{found['template'].split('.')[0]}-{nomination_id}-{found['id']}.pdf"
    return download(found["pdf"], name, found["pdf_sha256"], inline=True)


@router.get("/sessions/{session_id}/minutes/pdf")
def session_minutes_pdf(service: ServiceDep, who: Acting, session_id: str) -> Response:
    found = service.documents.pdf(who, "minutes", session_id)
    return download(found["pdf"], f"bien-ban-phien-hop-{found['id']}.pdf",
                    found["pdf_sha256"], inline=True)


@router.get("/decisions/{decision_id}/pdf")
def decision_pdf(service: ServiceDep, decision_id: str) -> Response:
    """A numbered decision's PDF: the copy sent out (confidential awardees counted, not
    named), public as that copy is."""
    found = service.documents.pdf(None, "decision", decision_id)
    return download(found["pdf"], f"quyet-dinh-{found['id']}.pdf", found["pdf_sha256"],
                    inline=True)


@router.get("/notices/{notice_id}/pdf")
def notice_pdf(service: ServiceDep, notice_id: str) -> Response:
    """A public notice's PDF: public, as the notice is."""
    found = service.documents.pdf(None, "notice", notice_id)
    return download(found["pdf"], f"thong-bao-{found['id']}.pdf", found["pdf_sha256"],
                    inline=True)
