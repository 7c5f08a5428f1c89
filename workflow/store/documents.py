"""The dossier (attached documents, with their content and SHA-256) and the documents the
engine rendered (decisions, minutes).

Must not import the service or anything above the store.
"""

from __future__ import annotations

from datetime import datetime

from workflow.store.raw import Raw, placeholders
from workflow.store.rows import DocumentRow, RenderedRow, columns, decoder

__all__ = ["DocumentRepo"]

_DOCUMENT = columns(DocumentRow)
_document = decoder(DocumentRow)
_RENDERED = columns(RenderedRow)
_rendered = decoder(RenderedRow)


class DocumentRepo:
    def __init__(self, raw: Raw) -> None:
        self.raw = raw

    def add(self, nomination_id: int, doctype: str, filename: str, sha256: str, content: bytes,
            at: datetime, by: str) -> int:
        row = self.raw.one(
            "INSERT INTO document (nomination_id, doctype, filename, sha256, size, content, "
            "attached_at, attached_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (nomination_id, doctype, filename, sha256, len(content), content,
             self.raw.time_out(at), by))
        assert row is not None
        return int(row[0])

    def types(self, nomination_id: int) -> set[str]:
        """The document types the dossier holds now."""
        rows = self.raw.all("SELECT DISTINCT doctype FROM document WHERE nomination_id = ? "
                            "AND superseded_at IS NULL", (nomination_id,))
        return {r[0] for r in rows}

    def of(self, nomination_id: int) -> list[DocumentRow]:
        """The dossier as it stands (replaced and withdrawn versions are kept, not listed)."""
        rows = self.raw.all(f"SELECT {_DOCUMENT} FROM document WHERE nomination_id = ? "
                            "AND superseded_at IS NULL ORDER BY id", (nomination_id,))
        return [_document(r) for r in rows]

    def content(self, document_id: int) -> tuple[int, bytes] | None:
        """``(nomination_id, content)`` of one dossier document (current or set aside)."""
        row = self.raw.one("SELECT nomination_id, content FROM document WHERE id = ?",
                           (document_id,))
        return (int(row[0]), bytes(row[1])) if row is not None else None

    def supersede(self, nomination_id: int, doctype: str, at: datetime) -> list[DocumentRow]:
        """Set aside the current documents of ``doctype`` (replaced or withdrawn); them."""
        current = [d for d in self.of(nomination_id) if d.doctype == doctype]
        if current:
            self.raw.run(f"UPDATE document SET superseded_at = ? WHERE id IN "
                         f"({placeholders(current)})",
                         (self.raw.time_out(at), *[d.id for d in current]))
        return current

    def add_rendered(self, nomination_id: int, template: str, sha256: str, content: str,
                     at: datetime, anchor: tuple[int, str] | None = None) -> int:
        """Keep a rendered document; ``anchor`` is the audit head it embeds, which
        ``award audit verify`` checks is still in the chain."""
        seq, digest = anchor or (None, None)
        row = self.raw.one(
            "INSERT INTO rendered_document (nomination_id, template, sha256, content, "
            "rendered_at, audit_seq, audit_hash) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (nomination_id, template, sha256, content, self.raw.time_out(at), seq, digest))
        assert row is not None
        return int(row[0])

    def rendered(self, nomination_id: int) -> list[RenderedRow]:
        rows = self.raw.all(f"SELECT {_RENDERED} FROM rendered_document WHERE "
                            "nomination_id = ? ORDER BY id", (nomination_id,))
        return [_rendered(r) for r in rows]

    def rendered_content(self, nomination_id: int) -> list[tuple[int, str, str, str]]:
        """``(id, template, sha256, content)`` of every document rendered for an item."""
        rows = self.raw.all("SELECT id, template, sha256, content FROM rendered_document "
                            "WHERE nomination_id = ? ORDER BY id", (nomination_id,))
        return [(r[0], r[1], r[2], r[3]) for r in rows]
