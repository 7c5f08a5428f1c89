"""The tamper-evident audit chain.

Each entry is hashed as ``H(prev_hash ‖ head ‖ payload)`` where ``head`` is the canonical JSON
array ``[seq, at, actor, action, nomination, from, to]`` (self-delimiting, so the
concatenation is unambiguous) and ``payload`` the stored canonical JSON text. ``H`` is SHA-256,
or HMAC-SHA-256 under ``AWARD_AUDIT_KEY`` when set, so a writer without the key cannot
re-seal an edited chain. Appends take a chain lock (an advisory lock on PostgreSQL; SQLite's
single writer otherwise) so ``seq`` is gapless and every entry links to the one before.

:func:`verify` streams the table in ``seq`` order through the raw driver cursor (a million
rows must verify in seconds) and reports the first ``seq`` where the chain breaks: an edited,
deleted, inserted or reordered row all break it.
"""

from __future__ import annotations

import hmac
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workflow import chain as chain_hash
from workflow.chain import GENESIS, linker
from workflow.errors import Misconfigured
from workflow.store.raw import Raw

__all__ = [
    "EXPORT_COLUMNS",
    "GENESIS",
    "Anchor",
    "AuditRepo",
    "Chain",
    "VerifyReport",
    "canonical_payload",
    "verify_rows",
]

CHAIN_LOCK_KEY = 72_650_001  # arbitrary, fixed: the PostgreSQL advisory lock for appends
#: The stored form of an entry, as exported: exactly what was hashed, so exports verify.
EXPORT_COLUMNS = ("seq", "at", "actor", "action", "nomination", "from", "to", "payload",
                  "prev_hash", "hash")

_ENTRY_KEYS = ("seq", "at", "actor", "action", "nomination", "from_state", "to_state",
               "payload", "prev_hash", "hash")
_ENTRY = ", ".join(_ENTRY_KEYS)
_SELECT = f"SELECT {_ENTRY} FROM audit_entry ORDER BY seq"

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode
#: below this many entries a second process costs more than it saves
PARALLEL_FROM = 200_000
#: how many stretches a long chain is checked in at once: one per core, this process's too
CORES = min(os.cpu_count() or 1, 8)


def canonical_payload(payload: dict[str, Any]) -> str:
    return _dumps(payload)


def format_at(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="microseconds")


class Chain:
    """The hash function of the chain (keyed or not).

    ``mode`` names it without revealing a key (``sha256``, or ``hmac-sha256:`` and a
    fingerprint of the key); the database records the mode of the chain it holds, so a process
    started without the key, or with another one, is refused before it appends a link the
    others would read as tampering.
    """

    def __init__(self, key: str | None = None) -> None:
        self.keyed = bool(key)
        self._key = key.encode("utf-8") if key else b""
        self.confirmed = False  # this process has checked the database's chain mode
        self._link = linker(self._key or None)

    @property
    def mode(self) -> str:
        if not self.keyed:
            return "sha256"
        fingerprint = hmac.digest(self._key, b"award-workflow/audit-key-fingerprint", "sha256")
        return f"hmac-sha256:{fingerprint.hex()[:16]}"

    def link(
        self,
        prev_hash: str,
        seq: int,
        at: str,
        actor: str,
        action: str,
        nomination: str | None,
        from_state: str | None,
        to_state: str | None,
        payload: str,
    ) -> str:
        return self._link(prev_hash, seq, at, actor, action, nomination, from_state, to_state,
                          payload)

    @property
    def key(self) -> bytes | None:
        """The HMAC key, for a verifying worker (handed over a pipe, never an argument)."""
        return self._key or None


@dataclass(frozen=True)
class Anchor:
    """A ``(seq, hash)`` that must still be in the chain, and where it was found."""

    seq: int
    hash: str
    source: str = "the anchor"


def _describe(mode: str) -> str:
    if mode == "sha256":
        return "unkeyed (AWARD_AUDIT_KEY not set)"
    return f"keyed (key fingerprint {mode.partition(':')[2]})"


@dataclass
class AppendedEntry:
    seq: int
    hash: str


class AuditRepo:
    """The chain inside one transaction: appends (remembering the head it already locked),
    reads, and the whole-chain check."""

    _INSERT = (
        "INSERT INTO audit_entry (seq, at, actor, action, nomination, from_state, to_state, "
        "payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )

    def __init__(self, raw: Raw, chain: Chain, database: Path | None = None) -> None:
        self._raw = raw
        self._chain = chain
        self._database = database  # the SQLite file, which verifying workers read too
        self._head: tuple[int, str] | None = None

    def last_seq(self) -> int:
        """The last entry's ``seq`` (0 for none), read without the chain lock: a value that
        changes with every audited change, for caches of what the data shows."""
        row = self._raw.one("SELECT max(seq) FROM audit_entry")
        return int(row[0]) if row and row[0] is not None else 0

    def head(self) -> tuple[int, str]:
        """``(seq, hash)`` of the last entry, taking the chain lock first."""
        if self._head is None:
            if self._raw.pg:
                # One chain per schema: the lock is keyed by it, so schemas never queue on
                # each other.
                self._raw.one(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK_KEY}, "
                              "hashtext(current_schema()))")
            row = self._raw.one("SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1")
            self._head = (row[0], row[1]) if row else (0, GENESIS)
        return self._head

    def confirm_mode(self) -> None:
        """Refuse to extend a chain written in another mode (see :class:`Chain`); record the
        mode the first time. A chain from before modes were recorded is judged by its first
        entry: if that verifies under this process's hash, the mode is this one."""
        if self._chain.confirmed:
            return
        mine = self._chain.mode
        row = self._raw.one("SELECT value FROM meta WHERE key = 'audit_chain'")
        stored = None if row is None else str(row[0])
        if stored is None:
            first = self._raw.one(f"SELECT {_ENTRY} FROM audit_entry WHERE seq = 1")
            if first is not None and self._chain.link(GENESIS, *first[:-2]) != first[-1]:
                raise Misconfigured(
                    "the audit chain in this database was not written with this process's "
                    f"key ({_describe(mine)}); set AWARD_AUDIT_KEY to the key it was written "
                    "with", found=mine)
            self._raw.run("INSERT INTO meta (key, value) VALUES ('audit_chain', ?) "
                          "ON CONFLICT (key) DO NOTHING", (mine,))
        elif stored != mine:
            raise Misconfigured(
                f"the audit chain in this database is {_describe(stored)} but this process "
                f"has {_describe(mine)}; set AWARD_AUDIT_KEY to the key the chain was written "
                "with (nothing was written)", expected=stored, found=mine)
        self._chain.confirmed = True

    def append(
        self,
        at: datetime,
        actor: str,
        action: str,
        nomination: int | str | None = None,
        from_state: str | None = None,
        to_state: str | None = None,
        payload: dict[str, Any] | None = None,
    ) -> AppendedEntry:
        self.confirm_mode()
        prev_seq, prev_hash = self.head()
        seq = prev_seq + 1
        at_text = format_at(at)
        nom = None if nomination is None else str(nomination)
        body = _dumps(payload or {})
        digest = self._chain.link(prev_hash, seq, at_text, actor, action, nom, from_state,
                                  to_state, body)
        self._raw.run(
            self._INSERT,
            (seq, at_text, actor, action, nom, from_state, to_state, body, prev_hash, digest),
        )
        self._head = (seq, digest)
        return AppendedEntry(seq, digest)

    def entries(self, nomination: str | None = None, *, after_seq: int = 0,
                limit: int = 1000) -> list[dict[str, Any]]:
        """Stored entries after ``after_seq`` (of one item, or all), oldest first."""
        sql = f"SELECT {_ENTRY} FROM audit_entry WHERE seq > ?"
        params: list[Any] = [after_seq]
        if nomination is not None:
            sql += " AND nomination = ?"
            params.append(nomination)
        rows = self._raw.all(sql + " ORDER BY seq LIMIT ?", (*params, limit))
        return [dict(zip(_ENTRY_KEYS, r, strict=True)) for r in rows]

    def latest(self) -> tuple[int, str] | None:
        """``(seq, hash)`` of the last entry, without taking the chain lock."""
        row = self._raw.one("SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1")
        return (row[0], row[1]) if row else None

    def verify(self, progress: Callable[[int], None] | None = None,
               anchors: Sequence[Anchor] = ()) -> VerifyReport:
        """Recompute the whole chain; stop at the first break.

        Every anchor must still be in the chain: those given (printed earlier, or kept in a
        witness file elsewhere) and those the database holds itself — the audit head each
        notice and each rendered document embeds — so a deleted tail, or a chain re-sealed
        from an edited entry on, is found even though it is consistent in itself. A chain in
        another mode than this process's is reported as a key mismatch, not as tampering, and
        an empty chain in a database that holds items is not "ok"."""
        row = self._raw.one("SELECT value FROM meta WHERE key = 'audit_chain'")
        stored, mine = (None if row is None else str(row[0])), self._chain.mode
        latest = self.latest()
        if stored is not None and stored != mine:  # nothing verified: under the wrong hash
            return VerifyReport(False, 0, 0, GENESIS, None,
                                f"key mismatch: the chain is {_describe(stored)} but this "
                                f"process has {_describe(mine)}; set AWARD_AUDIT_KEY to the "
                                "key it was written with")
        if latest is None:
            items = self._raw.one("SELECT count(*) FROM nomination")
            if items is not None and int(items[0]) > 0:
                return VerifyReport(False, 0, 0, GENESIS, 1,
                                    f"the chain is empty but the database holds {items[0]} "
                                    "items: its entries were deleted")
        held = [*anchors, *self._held_anchors()]
        if latest is not None and self._parallel(latest[0], held, progress):
            return VerifyReport(True, latest[0], latest[0], latest[1])
        return verify_rows(self._raw.stream(_SELECT, name="award_audit_verify"), self._chain,
                           progress, held)

    def _parallel(self, last: int, anchors: Sequence[Anchor],
                  progress: Callable[[int], None] | None) -> bool:
        """Whether the chain up to ``last`` is whole, checked in stretches on every core: a
        worker process per stretch but the first, which this process checks meanwhile.
        False when it is not worth it (PostgreSQL, one core, a short chain) and when any
        stretch is not clean — the caller then verifies in one pass and names the exact seq.
        """
        if self._database is None or CORES < 2 or last < PARALLEL_FROM:
            return False
        if any(a.seq > last for a in anchors):
            return False  # truncated: the one-pass verify says how
        parts = CORES
        bounds = [last * i // parts for i in range(parts + 1)]
        wanted: dict[int, str] = {}
        for anchor in anchors:
            if wanted.setdefault(anchor.seq, anchor.hash) != anchor.hash:
                return False  # two anchors disagree on one seq: one of them fails
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(Path(chain_hash.__file__).resolve().parents[1]),
             *filter(None, [os.environ.get("PYTHONPATH")])])}
        workers = []
        for after, upto in itertools.pairwise(bounds[1:]):
            job = {"path": str(self._database), "after": after, "upto": upto,
                   "key": self._chain.key.hex() if self._chain.key else None,
                   "anchors": {str(s): h for s, h in wanted.items() if after < s <= upto}}
            worker = subprocess.Popen([sys.executable, "-m", "workflow.chain"], env=env,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL, text=True)
            assert worker.stdin is not None
            worker.stdin.write(json.dumps(job))
            worker.stdin.close()
            workers.append(worker)
        try:
            rows = self._raw.stream(chain_hash.SELECT + " WHERE seq <= ? ORDER BY seq",
                                    name="award_audit_verify_first", params=(bounds[1],))
            first = chain_hash.check_stretch(
                rows, self._chain.key, 1, {s: h for s, h in wanted.items() if s <= bounds[1]})
            stretches = [first]
            for worker in workers:
                assert worker.stdout is not None
                with worker.stdout:
                    out = worker.stdout.read()
                worker.wait()
                found = json.loads(out) if worker.returncode == 0 and out.strip() else None
                stretches.append(None if found is None else tuple(found))
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()
                if worker.stdout is not None and not worker.stdout.closed:
                    worker.stdout.close()
        prev = GENESIS
        for (after, upto), stretch in zip(itertools.pairwise(bounds), stretches, strict=True):
            if stretch is None or stretch[0] != upto - after or stretch[1] != prev:
                return False
            prev = str(stretch[2])
            if progress is not None:
                progress(upto)
        return True

    def _held_anchors(self) -> list[Anchor]:
        out = [Anchor(int(r[0]), str(r[1]), f"notice {r[2]}") for r in self._raw.all(
            "SELECT audit_seq, audit_hash, id FROM notice WHERE audit_seq > 0")]
        out += [Anchor(int(r[0]), str(r[1]), f"document {r[2]} ({r[3]})") for r in self._raw.all(
            "SELECT audit_seq, audit_hash, id, template FROM rendered_document "
            "WHERE audit_seq IS NOT NULL AND audit_seq > 0")]
        out += [Anchor(int(r[0]), str(r[1]), f"the minutes of council session {r[2]}")
                for r in self._raw.all("SELECT audit_seq, audit_hash, id FROM council_session "
                                       "WHERE audit_seq IS NOT NULL AND audit_seq > 0")]
        out += [Anchor(int(r[0]), str(r[1]), f"decision {r[2]}")
                for r in self._raw.all("SELECT audit_seq, audit_hash, number FROM decision "
                                       "WHERE audit_seq IS NOT NULL AND audit_seq > 0")]
        return out

    def snapshot(self) -> tuple[int, str] | None:
        return self._head

    def restore(self, head: tuple[int, str] | None) -> None:
        """After a savepoint rolled back appends: forget the head they moved."""
        self._head = head


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head": {"seq": self.head_seq, "hash": self.head_hash},
            "first_bad_seq": self.first_bad_seq,
            "problem": self.problem,
        }




def verify_rows(
    rows: Iterable[tuple[Any, ...]],
    chain: Chain,
    progress: Callable[[int], None] | None = None,
    anchors: Sequence[Anchor] = (),
) -> VerifyReport:
    """:func:`verify` over stored-form rows from anywhere (the table, or an export file):
    ``(seq, at, actor, action, nomination, from, to, payload, prev_hash, hash)``. Every anchor
    must name an entry of the chain with its very hash."""
    expected_seq = 1
    prev = GENESIS
    link = chain.link
    by_seq: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        by_seq.setdefault(anchor.seq, []).append(anchor)
    for count, (seq, at, actor, action, nom, frm, to, payload, prev_hash, digest) in enumerate(
        rows, start=1
    ):
        if seq != expected_seq:
            missing = "deleted or renumbered" if seq > expected_seq else "out of order"
            return VerifyReport(False, count - 1, expected_seq - 1, prev, expected_seq,
                                f"expected seq {expected_seq}, found {seq} (rows {missing})")
        if prev_hash != prev:
            return VerifyReport(False, count - 1, seq - 1, prev, seq,
                                f"seq {seq}: prev_hash does not match the hash of seq {seq - 1}")
        if link(prev, seq, at, actor, action, nom, frm, to, payload) != digest:
            return VerifyReport(False, count - 1, seq - 1, prev, seq,
                                f"seq {seq}: content does not match its hash (edited)")
        for anchor in by_seq.get(seq, ()):
            if digest != anchor.hash:
                return VerifyReport(False, count - 1, seq - 1, prev, seq,
                                    f"seq {seq}: hash differs from {anchor.source} (the chain "
                                    "was edited and sealed again from there on)"
                                    if anchor.source != "the anchor" else
                                    f"seq {seq}: hash differs from the anchor")
        prev = digest
        expected_seq += 1
        if progress is not None and count % 100_000 == 0:
            progress(count)
    entries = expected_seq - 1
    beyond = sorted((a for a in anchors if a.seq > entries), key=lambda a: a.seq)
    if beyond:
        first = beyond[0]
        where = "anchor" if first.source == "the anchor" else f"{first.source} embeds"
        return VerifyReport(False, entries, entries, prev, first.seq,
                            f"{where} seq {first.seq} is beyond the head {entries} (truncated)"
                            if where == "anchor" else
                            f"{where} seq {first.seq}, beyond the head {entries}: entries after "
                            f"{entries} were deleted (truncated)")
    return VerifyReport(True, entries, entries, prev)
