"""Files in and out: an uploaded document copied under a safe name with a size cap and
handed to the service, the audit chain streamed from a spool, and a stored document sent
as published under a sandboxing Content-Security-Policy.
"""

from __future__ import annotations

import io
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import UploadFile
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from workflow.errors import InvalidInput
from workflow.service import Actor, Service

__all__ = ["DOCUMENT_CSP", "MAX_UPLOAD", "attach_upload", "document", "download",
           "export_response", "read_upload", "safe_filename"]

MAX_UPLOAD = 50 * 1024 * 1024
DOCUMENT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                "base-uri 'none'; form-action 'none'; sandbox")


MAX_NAME_BYTES = 200  # file systems allow 255 bytes; Vietnamese letters take 2–3 each


def safe_filename(name: str | None) -> str:
    """The last path part of an uploaded file's name, without control characters, cut to
    what a file system holds (by bytes, keeping the extension and whole characters)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip().lstrip(".")
    if len(base.encode("utf-8")) > MAX_NAME_BYTES:
        stem, dot, ext = base.rpartition(".")
        ext = f".{ext}" if dot and 0 < len(ext.encode("utf-8")) <= 16 else ""
        stem = stem if ext else base
        room = MAX_NAME_BYTES - len(ext.encode("utf-8"))
        base = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore") + ext
    return base or "document"


def read_upload(upload: UploadFile, folder: Path) -> Path:
    """Copy an upload to ``folder`` under its own (safe) name, refusing more than
    :data:`MAX_UPLOAD` bytes."""
    target = folder / safe_filename(upload.filename)
    size = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(1024 * 1024):
            size += len(chunk)
            if size > MAX_UPLOAD:
                raise InvalidInput(f"{target.name} is larger than {MAX_UPLOAD // 2**20} MiB",
                                   msgid="attach.too_large",
                                   values={"name": target.name, "mib": MAX_UPLOAD // 2**20})
            out.write(chunk)
    return target


def attach_upload(service: Service, who: Actor, nomination_id: str, doctype: str,
                  upload: UploadFile) -> dict[str, Any]:
    """:meth:`Service.attach` on a copy of the upload in a folder of its own, removed after."""
    with tempfile.TemporaryDirectory(prefix="award-upload-") as folder:
        path = read_upload(upload, Path(folder))
        return service.items.attach(who, nomination_id, doctype, path)


def document(html: str, digest: str | None = None) -> HTMLResponse:
    """A stored document exactly as published, unable to run or load anything; ``digest``
    (its sha256) goes in ``X-Document-SHA256``."""
    headers = {"Content-Security-Policy": DOCUMENT_CSP}
    if digest is not None:
        headers["X-Document-SHA256"] = digest
    return HTMLResponse(html, headers=headers)


def download(content: bytes, filename: str, digest: str | None = None, *,
             inline: bool = False) -> Response:
    """Stored bytes sent as a file under ``filename``: a PDF ``inline`` (the browser's viewer
    shows it), anything else (a dossier file of any type) as an attachment, never sniffed
    or run; ``digest`` goes in ``X-Document-SHA256``."""
    name = safe_filename(filename)
    ascii_name = (unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
                  .replace('"', "") or "document")
    disposition = "inline" if inline else "attachment"
    headers = {"Content-Disposition": f"{disposition}; filename=\"{ascii_name}\"; "
                                      f"filename*=UTF-8''{quote(name)}",
               "X-Content-Type-Options": "nosniff"}
    if not inline:  # a browser's PDF viewer does not run in a sandboxed page
        headers["Content-Security-Policy"] = DOCUMENT_CSP
    if digest is not None:
        headers["X-Document-SHA256"] = digest
    media = "application/pdf" if inline else "application/octet-stream"
    return Response(content, media_type=media, headers=headers)


def export_response(service: Service, fmt: str) -> StreamingResponse:
    """The chain in its stored form (``award audit verify --export`` re-checks it), spooled
    to a temporary file, then sent in chunks."""
    if fmt not in ("jsonl", "csv"):
        raise InvalidInput(f"format {fmt!r}: use jsonl or csv", msgid="audit.bad_format")
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+b")  # noqa: SIM115
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    service.audit.export(fmt, text)
    text.flush()
    text.detach()
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        with spool:
            while block := spool.read(256 * 1024):
                yield block

    return StreamingResponse(
        chunks(), media_type="text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="audit-export.{fmt}"'})
