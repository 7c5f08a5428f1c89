"""For auditors and inspectors: the audit trail, its verification, and exports that verify
offline."""

from __future__ import annotations

import csv
import dataclasses
import json
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from workflow.errors import InvalidInput, NotAllowed
from workflow.ids import decimal
from workflow.service import access
from workflow.service.base import Actor, Deps, load, paged
from workflow.service.present import audit_view
from workflow.store import EXPORT_COLUMNS, GENESIS, Anchor, Tx, VerifyReport, verify_rows

__all__ = ["Audit", "read_export", "read_witness"]

MAX_CSV_FIELD = 256 * 1024 * 1024


class Audit:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    def _rows(self, nomination_id: str | None = None) -> Iterator[dict[str, Any]]:
        return paged(self._deps, lambda tx, after, size: tx.audit.entries(
            nomination_id, after_seq=after, limit=size), lambda row: int(row["seq"]))

    def log(self, nomination_id: str | None = None) -> Iterator[dict[str, Any]]:
        only = None
        if nomination_id is not None:  # entries name the item as it is stored ("007" is 7)
            only = str(self._deps.run(lambda tx: load(self._deps, tx, nomination_id))[0].id)
        tz = self._deps.display_tz
        for row in self._rows(only):
            yield audit_view(row, tz)

    def verify(self, progress: Callable[[int], None] | None = None,
               anchors: Sequence[Anchor] = ()) -> VerifyReport:
        """Recompute the chain and check every anchor: those given and those the database
        holds (the heads notices and documents embed, in their HTML and their PDF alike);
        then that every issued document, HTML and PDF, still has the sha256 recorded for it."""
        def work(tx: Tx) -> VerifyReport:
            report = tx.audit.verify(progress, anchors)
            if not report.ok:
                return report
            altered = next(tx.issued.altered(), None)
            if altered is None:
                return report
            return dataclasses.replace(report, ok=False, problem=altered)

        return self._deps.run(work)

    def witness(self, path: Path) -> dict[str, Any]:
        """Append the head to a witness file kept apart from the database (a file only ever
        appended to, ideally on another machine): ``award audit verify --witness FILE`` then
        checks every head it holds, so a chain cut back or sealed again is found even when
        the database's own anchors were rewritten too. Refuses, writing nothing, when the
        head is behind the last one witnessed."""
        head = self.head()
        earlier = read_witness(path) if path.exists() else []
        if earlier and earlier[-1].seq > head["seq"]:
            raise NotAllowed(f"the chain's head (seq {head['seq']}) is behind the last head "
                             f"witnessed in {path.name} (seq {earlier[-1].seq}): entries were "
                             "deleted; run award audit verify --witness", witnessed=earlier[-1].seq)
        line = json.dumps({"seq": head["seq"], "hash": head["hash"],
                           "at": self._deps.iso(self._deps.now()),
                           "database": self._deps.store.url}, ensure_ascii=False)
        try:
            with path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise InvalidInput(f"cannot write {str(path)!r}: {exc.strerror}") from None
        return {"file": str(path), **head, "witnessed": len(earlier) + 1}

    def head(self) -> dict[str, Any]:
        head = self._deps.run(lambda tx: tx.audit.latest())
        if head is None:
            return {"seq": 0, "hash": GENESIS}
        return {"seq": head[0], "hash": head[1]}

    def stored(self) -> Iterator[tuple[Any, ...]]:
        """Every entry in its stored form (what was hashed), oldest first, page by page."""
        for row in self._rows():
            yield tuple(row[c] for c in ("seq", "at", "actor", "action", "nomination",
                                         "from_state", "to_state", "payload", "prev_hash",
                                         "hash"))

    def export(self, fmt: str, out: TextIO) -> int:
        """Write the chain in its stored form, so an inspector can re-verify the export
        offline (``award audit verify --export FILE``)."""
        count = 0
        writer = csv.writer(out) if fmt == "csv" else None
        if writer is not None:
            writer.writerow(EXPORT_COLUMNS)
        for row in self.stored():
            if writer is not None:
                writer.writerow(["" if v is None else v for v in row])
            else:
                out.write(json.dumps(dict(zip(EXPORT_COLUMNS, row, strict=True)),
                                     ensure_ascii=False) + "\n")
            count += 1
        return count

    def verify_export(self, path: Path, anchors: Sequence[Anchor] = ()) -> VerifyReport:
        """Re-verify an exported chain file (JSON lines or CSV) with this installation's key."""
        return verify_rows(read_export(path), self._deps.store.chain, anchors=anchors)

    def check_whole(self, actor: Actor) -> None:
        """PermissionDenied unless ``actor`` may export the whole chain over the web."""
        self._deps.run(lambda tx: access.check_whole_audit(self._deps, tx, actor))


def read_witness(path: Path) -> list[Anchor]:
    """The heads a witness file holds, as anchors; a malformed file is an InvalidInput."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {str(path)!r}: "
                           f"{getattr(exc, 'strerror', None) or 'not UTF-8 text'}") from None
    out: list[Anchor] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            seq, digest = entry["seq"], entry["hash"]
        except (ValueError, KeyError, TypeError):
            raise InvalidInput(f"{path.name}:{number}: not a witnessed head") from None
        if type(seq) is not int or seq < 0 or not isinstance(digest, str):
            raise InvalidInput(f"{path.name}:{number}: not a witnessed head")
        if seq > 0:
            out.append(Anchor(seq, digest, f"the head witnessed in {path.name}:{number}"))
    return out


def read_export(path: Path) -> Iterator[tuple[Any, ...]]:
    """Rows of an exported chain, in stored form; a malformed file is an InvalidInput."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise InvalidInput(f"cannot read {str(path)!r}: {exc.strerror}") from None
    with handle:
        if path.suffix.lower() == ".csv":
            # an entry's payload may be far longer than csv's 128 KiB default field limit (a
            # published notice lists a whole batch), and an export must always re-verify
            csv.field_size_limit(MAX_CSV_FIELD)
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None or tuple(header) != EXPORT_COLUMNS:
                raise InvalidInput(f"{path.name}: not an audit export (header "
                                   f"{', '.join(EXPORT_COLUMNS)})")
            for number, row in enumerate(reader, start=2):
                seq = decimal(row[0]) if len(row) == len(EXPORT_COLUMNS) else None
                if seq is None:  # str.isdigit() would pass '²', which int() then refuses
                    raise InvalidInput(f"{path.name}:{number}: not an audit entry row")
                yield (seq, *[v or None for v in row[1:7]], row[7], row[8], row[9])
            return
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                yield tuple(entry[c] for c in EXPORT_COLUMNS)
            except (ValueError, KeyError, TypeError):
                raise InvalidInput(f"{path.name}:{number}: not an audit entry line") from None
