"""The documents the engine issued, across the tables that hold them: public notices
(``notice``), documents rendered for an item (``rendered_document``: decision extracts, a
round's minutes), a council session's minutes (``council_session``) and numbered decisions
(``decision``). Each keeps its HTML as
issued, that HTML's sha256, the audit head it embeds and, when one could be made, its PDF
with the PDF's sha256.

Must not import the service or anything above the store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from workflow.store.raw import Raw

__all__ = ["KINDS", "Issued", "IssuedRepo"]

#: kind -> (table, HTML column, its sha256 column, what names the row's owner)
_TABLES = {
    "notice": ("notice", "html", "sha256", "'notice'"),
    "document": ("rendered_document", "content", "sha256", "template"),
    "minutes": ("council_session", "minutes", "minutes_sha256", "'session_minutes.html.j2'"),
    # a numbered decision: the copy sent out, which names no confidential awardee (the kept
    # copy when there is none to leave out), so its PDF may go to anyone
    "decision": ("decision", "COALESCE(public_document, document)",
                 "COALESCE(public_sha256, document_sha256)", "'decision.html.j2'"),
}
KINDS = tuple(_TABLES)


@dataclass(frozen=True)
class Issued:
    kind: str  # notice | document | minutes | decision
    key: int  # the notice's, rendered document's, session's or decision's id
    template: str
    html: str
    sha256: str
    audit_seq: int | None
    audit_hash: str | None
    pdf_sha256: str | None
    nomination_id: int | None = None  # a rendered document's item


class IssuedRepo:
    def __init__(self, raw: Raw) -> None:
        self.raw = raw

    def get(self, kind: str, key: int) -> Issued | None:
        """The document as issued; None when there is none (a session not closed yet)."""
        table, html, digest, template = _TABLES[kind]
        owner = "nomination_id" if kind == "document" else "NULL"
        row = self.raw.one(f"SELECT {template}, {html}, {digest}, audit_seq, audit_hash, "
                           f"pdf_sha256, {owner} FROM {table} WHERE id = ?", (key,))
        if row is None or row[1] is None:
            return None
        return Issued(kind, key, str(row[0]), str(row[1]), str(row[2]), row[3], row[4], row[5],
                      row[6])

    def pdf(self, kind: str, key: int) -> bytes | None:
        table = _TABLES[kind][0]
        row = self.raw.one(f"SELECT pdf FROM {table} WHERE id = ?", (key,))
        return bytes(row[0]) if row is not None and row[0] is not None else None

    def keep_pdf(self, kind: str, key: int, pdf: bytes, sha256: str) -> None:
        table = _TABLES[kind][0]
        self.raw.run(f"UPDATE {table} SET pdf = ?, pdf_sha256 = ? WHERE id = ?",
                     (pdf, sha256, key))

    def keys(self, kind: str, *, without_pdf: bool = False) -> list[int]:
        """Every issued document of ``kind`` (only those with no PDF yet)."""
        table, html, _digest, _template = _TABLES[kind]
        where = f"{html} IS NOT NULL" + (" AND pdf IS NULL" if without_pdf else "")
        return [int(r[0]) for r in self.raw.all(f"SELECT id FROM {table} WHERE {where} "
                                                "ORDER BY id")]

    def altered(self) -> Iterator[str]:
        """Every issued document whose stored HTML or PDF no longer has the sha256 recorded
        for it (what was issued was changed in the database afterwards)."""
        for kind, (table, html, digest, _template) in _TABLES.items():
            rows = self.raw.stream(f"SELECT id, {html}, {digest}, pdf, pdf_sha256 FROM {table} "
                                   f"WHERE {html} IS NOT NULL ORDER BY id",
                                   name=f"award_issued_{kind}", batch=50)
            for key, text, text_digest, pdf, pdf_digest in rows:
                if hashlib.sha256(str(text).encode("utf-8")).hexdigest() != text_digest:
                    yield f"{kind} {key}: its HTML differs from the sha256 recorded at issue"
                if (pdf is None) != (pdf_digest is None) or (
                        pdf is not None and hashlib.sha256(bytes(pdf)).hexdigest() != pdf_digest):
                    yield f"{kind} {key}: its PDF differs from the sha256 recorded for it"
        # a decision with a copy sent out also keeps the issuing level's copy: checked too
        kept = self.raw.stream("SELECT id, document, document_sha256 FROM decision WHERE "
                               "public_document IS NOT NULL ORDER BY id",
                               name="award_issued_kept", batch=50)
        for key, text, text_digest in kept:
            if hashlib.sha256(str(text).encode("utf-8")).hexdigest() != text_digest:
                yield (f"decision {key}: the issuing level's copy differs from the sha256 "
                       "recorded at issue")
