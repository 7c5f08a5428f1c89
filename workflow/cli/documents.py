"""Opening documents at the command line: a file of an item's dossier (``award document``)
and the PDF of an issued document, made again from its HTML as issued (``award pdf``)."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from workflow.cli.base import app, command, state
from workflow.errors import InvalidInput, Misconfigured

#: the kinds of issued document (``workflow.store.KINDS``, which a test keeps this in step
#: with; named here so that ``award --help`` loads no store)
KINDS = ("notice", "document", "minutes", "decision")


def _write_bytes(path: Path, data: bytes) -> None:
    """``--out`` for bytes: a path that cannot be written is a one-line error (exit 1)."""
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise InvalidInput(f"cannot write {str(path)!r}: {exc.strerror or exc}",
                           file=str(path)) from None


@command(app, "document")
def document(
    ctx: typer.Context,
    nomination: str = typer.Argument(..., metavar="ID"),
    which: str = typer.Argument(..., metavar="DOCTYPE",
                                help="a document type of the dossier (its newest file), or a "
                                     "document's id as `award show` lists it"),
    out: Path = typer.Option(..., "--out", help="write the file here"),
) -> None:
    """Save a file of an item's dossier (what the council votes on). With --as (or
    AWARD_USER), only if that person may see the item."""
    st = state(ctx)
    actor = st.actor() if st.user or os.environ.get("AWARD_USER") else None
    found = st.service().documents.dossier_file(actor, nomination, which)
    _write_bytes(out, found["content"])
    summary = {k: v for k, v in found.items() if k != "content"} | {"out": str(out)}
    st.out.emit(summary, lambda r: st.out.line(
        f"wrote {r['out']}: {r['file']} ({r['type']}, {r['size']} bytes, sha256 {r['sha256']})"))


def _env_user() -> str | None:
    import os

    return os.environ.get("AWARD_USER") or None


@command(app, "pdf")
def pdf(
    ctx: typer.Context,
    kind: str = typer.Argument(..., metavar="KIND",
                               help=f"what was issued: {', '.join(KINDS)} (a notice, a "
                                    "document `award show` lists, a session's minutes)"),
    key: str | None = typer.Argument(None, metavar="ID",
                                     help="its id; without it, every one of KIND"),
    out: Path | None = typer.Option(None, "--out", help="write the PDF here (one ID only)"),
    missing: bool = typer.Option(False, "--missing",
                                 help="without ID: only those that have no PDF yet"),
) -> None:
    """Make the PDF of issued documents again from their HTML as issued (A4, fonts embedded,
    the audit head printed on it), keep it and its sha256; a changed PDF is audited."""
    st = state(ctx)
    if out is not None and key is None:
        raise InvalidInput("--out needs one ID", msgid="pdf.out_needs_id")
    service = st.service()
    result = service.documents.reprint(kind, key, missing_only=missing)
    if result["unavailable"]:
        raise Misconfigured(f"no PDF made: {result['unavailable']}", msgid="pdf.unavailable")
    if out is not None:
        _write_bytes(out, service.documents.pdf(None, kind, str(key))["pdf"])
        result["out"] = str(out)

    def human(r: dict[str, object]) -> None:
        made = r["made"]
        assert isinstance(made, list)
        for one in made:
            word = "made" if one["changed"] else "unchanged"
            st.out.line(f"{one['kind']} {one['id']} ({one['template']}): PDF {word}, "
                        f"sha256 {one['pdf_sha256']}")
        if not made:
            st.out.line(f"no {kind} to make a PDF of")
        if r.get("out"):
            st.out.line(f"wrote {r['out']}")

    st.out.emit(result, human)
