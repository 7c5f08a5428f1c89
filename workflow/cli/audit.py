"""``award audit …``: the tamper-evident log — read, verify, head, witness, export."""

from __future__ import annotations

import os
import re
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from workflow.cli.base import app, command, state
from workflow.cli.output import writing
from workflow.errors import InvalidInput, UsageError

if TYPE_CHECKING:
    from workflow.store import Anchor

audit_app = typer.Typer(help="the audit trail: log, verify, head, witness, export",
                        no_args_is_help=True)
app.add_typer(audit_app, name="audit")


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


@command(audit_app, "log")
def audit_log(
    ctx: typer.Context,
    nomination: str | None = typer.Argument(None, metavar="[ID]", help="only this item"),
) -> None:
    """Audit entries (all, or one item's), oldest first."""
    st = state(ctx)
    entries = st.service(read_only=True).audit.log(nomination)
    if st.as_json:
        st.out.json(list(entries))
        return
    st.out.table(["seq", "at", "actor", "action", "item", "from", "to"],
                 ([e["seq"], e["at"], e["actor"], e["action"], e["nomination"], e["from"],
                   e["to"]] for e in entries))


WITNESS_ENV = "AWARD_AUDIT_WITNESS"
_ANCHOR = re.compile(r"0*([1-9][0-9]*):([0-9a-fA-F]{64})", re.ASCII)


def _anchor(text: str | None) -> list[Anchor]:
    if text is None:
        return []
    match = _ANCHOR.fullmatch(text)
    if match is None:
        raise InvalidInput(f"--anchor {text!r}: write SEQ:HASH as printed on a notice or decision "
                           "(the hash is 64 hexadecimal characters)")
    from workflow.store import Anchor

    return [Anchor(int(match.group(1)), match.group(2).lower())]


def _witness_file(given: Path | None) -> Path | None:
    if given is not None:
        return given
    env = os.environ.get(WITNESS_ENV, "").strip()
    return Path(env) if env else None


@command(audit_app, "verify")
def audit_verify(
    ctx: typer.Context,
    anchor: str | None = typer.Option(None, "--anchor", metavar="SEQ:HASH",
                                      help="also check this entry printed on a document"),
    witness: Path | None = typer.Option(None, "--witness", metavar="FILE",
                                        help="also check every head in this witness file "
                                        f"(default: ${WITNESS_ENV} when set)"),
    export: Path | None = typer.Option(None, "--export", metavar="FILE",
                                       help="verify an exported chain (jsonl or csv) instead "
                                       "of the database"),
) -> None:
    """Recompute the whole chain and check the heads that notices, minutes and decisions
    embed (and those given); exit 1 naming the first broken seq, or the key mismatch."""
    from workflow.service.facades.audit import read_witness

    st = state(ctx)
    started = time.perf_counter()
    show = sys.stderr.isatty() and not st.as_json
    anchors = _anchor(anchor)
    witnessed = _witness_file(witness)
    if witnessed is not None:
        if not witnessed.exists():
            raise InvalidInput(f"no witness file {str(witnessed)!r} (award audit witness "
                               "writes one)")
        anchors += read_witness(witnessed)
    if export is not None:
        report = st.service(read_only=True).audit.verify_export(export, anchors)
    else:
        report = st.service(read_only=True).audit.verify(
            progress=(lambda n: st.out.progress(f"  verified {n:,} entries…")) if show else None,
            anchors=anchors)
    elapsed = time.perf_counter() - started
    data = report.as_dict() | {"seconds": round(elapsed, 3),
                               "rate_per_s": round(report.entries / elapsed) if elapsed else None}
    if st.as_json:
        st.out.json(data)
    elif report.ok:
        st.out.line(f"ok: {report.entries:,} entries verified in {elapsed:.2f}s; head seq "
                    f"{report.head_seq} {report.head_hash}"
                    + (f"; entry {anchor.split(':')[0].lstrip('0')} matches the anchor"
                       if anchor else "")
                    + (f"; {len(anchors) - bool(anchor)} witnessed heads hold"
                       if witnessed is not None else ""))
    else:
        where = (f" at seq {report.first_bad_seq}" if report.first_bad_seq is not None
                 else "")
        st.out.err_console.print(f"error: audit chain broken{where}: {report.problem}",
                                 markup=False)
    if not report.ok:
        raise typer.Exit(1)


@command(audit_app, "witness")
def audit_witness(
    ctx: typer.Context,
    file: Path | None = typer.Argument(None, metavar="[FILE]",
                                       help=f"the witness file (default: ${WITNESS_ENV})"),
) -> None:
    """Append the chain's head to a witness file kept apart from the database (on another
    machine if you can); `award audit verify --witness FILE` checks every head it holds."""
    st = state(ctx)
    path = _witness_file(file)
    if path is None:
        raise UsageError(f"give the witness FILE (or set {WITNESS_ENV})")
    result = st.service().audit.witness(path)
    st.out.emit(result, lambda r: st.out.line(
        f"witnessed head seq {r['seq']} {r['hash']} in {r['file']}"))


@command(audit_app, "head")
def audit_head(ctx: typer.Context) -> None:
    """The head seq and hash (embed them to make a later truncation visible)."""
    st = state(ctx)
    head = st.service(read_only=True).audit.head()
    st.out.emit(head, lambda h: st.out.line(f"{h['seq']} {h['hash'] or '-'}"))


@command(audit_app, "export")
def audit_export(
    ctx: typer.Context,
    fmt: ExportFormat = typer.Option(ExportFormat.jsonl, "--format", help="jsonl or csv"),
    out: Path | None = typer.Option(None, "--out", help="file (default: stdout)"),
) -> None:
    """Every entry in its stored form (as hashed), as JSON lines or CSV, for inspectors;
    `award audit verify --export FILE` re-checks such a file."""
    st = state(ctx)
    service = st.service(read_only=True)
    if out is None and st.as_json:
        columns = ("seq", "at", "actor", "action", "nomination", "from", "to", "payload",
                   "prev_hash", "hash")
        st.out.json([dict(zip(columns, row, strict=True)) for row in service.audit.stored()])
        return
    if out is None:
        service.audit.export(fmt.value, sys.stdout)
        return
    with writing(out, newline="") as handle:
        count = service.audit.export(fmt.value, handle)
    st.out.emit({"out": str(out), "entries": count, "format": fmt.value},
                lambda r: st.out.line(f"wrote {r['entries']} entries to {r['out']}"))
