"""Opening documents: the dossier a council votes on, and what the engine issued (notices,
decisions, a round's minutes, a session's minutes) as HTML and as PDF.

Who may open what: the dossier and an item's issued documents, whoever may see the item (a
role at its unit or above — council members of the council above included); a session's
minutes, whoever may see the council; a public notice, anyone. ``actor`` None is the
operator at the command line, who holds the database anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workflow.documents import sha256_text
from workflow.errors import NotAllowed, NotFound, PermissionDenied
from workflow.ids import parse_id
from workflow.pdf import Presses, Printer
from workflow.service import access
from workflow.service.base import Actor, Deps, load
from workflow.service.printing import reprint
from workflow.store import KINDS, Issued, Tx
from workflow.yamlnodes import suggest

__all__ = ["Documents"]

PDF_NOT_MADE = "document.no_pdf"


class Documents:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    # ---- the dossier ---------------------------------------------------------------------

    def dossier_file(self, actor: Actor | None, nomination_id: str, which: str
                     ) -> dict[str, Any]:
        """One document of an item's dossier as it stands, by its id or by its document type
        (the newest of that type): ``{id, type, file, sha256, size, content}``."""
        deps = self._deps

        def work(tx: Tx) -> dict[str, Any]:
            item, _machine = load(deps, tx, nomination_id)
            if actor is not None:
                access.check_sees(deps, tx, actor, item)
            current = tx.documents.of(item.id)
            by_id = [d for d in current if which.isdigit() and d.id == int(which)]
            by_type = [d for d in current if d.doctype == which]
            found = (by_id or by_type)[-1:] if (by_id or by_type) else []
            if not found:
                known = sorted({d.doctype for d in current})
                raise NotFound(
                    f"nomination {item.id} has no document {which!r} in its dossier"
                    f"{suggest(which, known)}; it holds: {', '.join(known) or 'nothing yet'}",
                    msgid="dossier.no_document",
                    values={"id": str(item.id), "doctype": which},
                    doctype=which)
            doc = found[0]
            stored = tx.documents.content(doc.id)
            assert stored is not None
            return {"id": str(doc.id), "nomination": str(item.id), "type": doc.doctype,
                    "file": doc.filename, "sha256": doc.sha256, "size": doc.size,
                    "content": stored[1]}

        return deps.run(work)

    # ---- what the engine issued ----------------------------------------------------------

    def issued(self, actor: Actor | None, kind: str, key: str, *,
               nomination_id: str | None = None) -> dict[str, Any]:
        """An issued document as issued: ``{kind, id, template, sha256, pdf_sha256, html,
        nomination}``. ``kind`` is notice, document (an item's; give ``nomination_id``) or
        minutes (a council session's)."""
        deps = self._deps
        return deps.run(lambda tx: _view(self._get(tx, actor, kind, key, nomination_id)))

    def pdf(self, actor: Actor | None, kind: str, key: str, *,
            nomination_id: str | None = None) -> dict[str, Any]:
        """An issued document's PDF: ``{…, pdf}``; NotAllowed when none was made (say
        why and how: ``award pdf``)."""
        deps = self._deps

        def work(tx: Tx) -> dict[str, Any]:
            issued = self._get(tx, actor, kind, key, nomination_id)
            pdf = tx.issued.pdf(kind, issued.key)
            if pdf is None:
                why = deps.printer.unavailable()
                raise NotAllowed(
                    f"{kind} {issued.key} has no PDF"
                    + (f": {why}" if why else "; make it with `award pdf`"),
                    msgid=PDF_NOT_MADE, kind=kind, id=str(issued.key))
            return {**_view(issued), "pdf": pdf}

        return deps.run(work)

    def of_item(self, actor: Actor | None, nomination_id: str) -> list[dict[str, Any]]:
        """Every document issued for an item (without content), for the item's page."""
        deps = self._deps

        def work(tx: Tx) -> list[dict[str, Any]]:
            item, _ = load(deps, tx, nomination_id)
            if actor is not None:
                access.check_sees(deps, tx, actor, item)
            out = []
            for row in tx.documents.rendered(item.id):
                issued = tx.issued.get("document", row.id)
                assert issued is not None
                out.append({**_view(issued), "at": deps.iso(row.rendered_at)})
            return out

        return deps.run(work)

    def reprint(self, kind: str, key: str | None = None, *, missing_only: bool = False
                ) -> dict[str, Any]:
        """Make the PDF of one issued document (``key``) or of every one of ``kind`` (only
        those without one with ``missing_only``) again from the HTML as issued; each in its
        own unit of work. ``{made: [...], unavailable: why | None}``."""
        deps = self._deps
        _check_kind(kind)
        why = deps.printer.unavailable()
        if key is not None:
            number = parse_id(key, kind)
            keys = [number]
            deps.run(lambda tx: self._get(tx, None, kind, str(number), None))  # NotFound
        else:
            keys = deps.run(lambda tx: tx.issued.keys(kind, without_pdf=missing_only))
        if why is not None:
            return {"made": [], "unavailable": why, "count": len(keys)}
        made = [self._reprint_one(kind, k) for k in keys]
        return {"made": made, "unavailable": None, "count": len(keys)}

    def reprint_many(self, documents: Sequence[tuple[str, str]], presses: Presses
                     ) -> list[dict[str, Any]]:
        """:meth:`reprint` of each ``(kind, key)``, in order, each kept in its own unit of
        work as :meth:`reprint` keeps it, the pages laid out by ``presses`` on every core
        meanwhile. A document issued anew since its HTML was read, or one a worker could not
        lay out, is made here."""
        deps = self._deps
        keys = []
        for kind, key in documents:
            _check_kind(kind)
            keys.append((kind, parse_id(key, kind)))

        def read(tx: Tx) -> list[str]:
            out = []
            for kind, number in keys:
                issued = tx.issued.get(kind, number)
                if issued is None:
                    raise NotFound(f"no issued {kind} {number}", msgid="document.unknown",
                                   values={"id": str(number)}, kind=kind)
                out.append(issued.html)
            return out

        htmls = deps.run(read)
        pdfs = presses.pdfs(htmls)
        out = []
        for (kind, number), html, pdf in zip(keys, htmls, pdfs, strict=True):
            made = None if pdf is None else (sha256_text(html), pdf)

            def keep(tx: Tx, kind: str = kind, number: int = number,
                     made: tuple[str, bytes] | None = made) -> dict[str, Any]:
                return reprint(deps, tx, kind, number, made)

            out.append(deps.run(keep))
        return out

    def _reprint_one(self, kind: str, key: int) -> dict[str, Any]:
        return self._deps.run(lambda tx: reprint(self._deps, tx, kind, key))

    def make_pdfs(self, on: bool) -> bool:
        """Whether documents issued from now on get their PDF (``on``), until told again;
        what it was. A run that issues hundreds of documents at once (the demo) turns PDFs
        off while it does, then makes those it needs with :meth:`reprint`."""
        was = self._deps.printer.enabled
        self._deps.printer = Printer(enabled=on)
        return was

    def pdf_unavailable(self) -> str | None:
        """Why no PDF is made here (one line), or None when PDFs are made."""
        return self._deps.printer.unavailable()

    # ---- shared --------------------------------------------------------------------------

    def _get(self, tx: Tx, actor: Actor | None, kind: str, key: str,
             nomination_id: str | None) -> Issued:
        deps = self._deps
        _check_kind(kind)
        number = parse_id(key, "document" if kind == "document" else kind)
        issued = tx.issued.get(kind, number)
        missing = NotFound(f"no issued {kind} {number}", msgid="document.unknown",
                           values={"id": str(number)}, kind=kind)
        if issued is None:
            if kind == "minutes" and tx.sessions.get(number) is not None:
                raise NotAllowed(f"council session {number} is not closed yet; its minutes "
                                 "are written when it closes", msgid="session.not_closed",
                                 session=str(number))
            raise missing
        if kind == "document":
            owner = load(deps, tx, nomination_id)[0] if nomination_id is not None else None
            if owner is not None and owner.id != issued.nomination_id:
                raise missing  # another item's document answers as none
            if actor is not None:
                item = owner or load(deps, tx, str(issued.nomination_id))[0]
                access.check_sees(deps, tx, actor, item)
        elif kind == "minutes" and actor is not None:
            session = tx.sessions.get(number)
            assert session is not None
            if not access.sees(deps, tx, actor, session.council_unit):
                raise PermissionDenied(
                    f"{actor.login} may not see council session {number}: no role at "
                    f"{session.council_unit} or a unit above it", msgid="session.not_visible",
                    values={"id": str(number), "unit": session.council_unit},
                    actor=actor.login)
        return issued  # a public notice is public


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise NotFound(f"no kind of document {kind!r}{suggest(kind, KINDS)}; kinds: "
                       f"{', '.join(KINDS)}", msgid="document.unknown_kind", kind=kind)


def _view(issued: Issued) -> dict[str, Any]:
    return {"kind": issued.kind, "id": str(issued.key), "template": issued.template,
            "sha256": issued.sha256, "pdf_sha256": issued.pdf_sha256, "html": issued.html,
            "nomination": str(issued.nomination_id) if issued.nomination_id else None,
            "audit": {"seq": issued.audit_seq, "hash": issued.audit_hash}}
