"""The audit chain's hash, and the check of one stretch of a SQLite chain in a process of its
own (``python -m workflow.chain``), so a long chain verifies on every core.

Each entry is hashed as ``H(prev_hash ‖ head ‖ payload)`` where ``head`` is the canonical JSON
array ``[seq, at, actor, action, nomination, from, to]`` and ``H`` SHA-256, or HMAC-SHA-256
under the audit key (see :mod:`workflow.store.audit`, which owns the chain). Nothing but the
standard library is imported here: a worker starts in a few tens of milliseconds.

A stretch is checked for the clean case only: every row in place, linked and recomputed. On
the first anomaly the check stops and says so, and the caller verifies the chain in one pass
to name the exact ``seq`` and what is wrong there — so a parallel run reports exactly what a
sequential one does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["GENESIS", "SELECT", "Stretch", "check_file", "check_stretch", "head", "linker"]

GENESIS = "0" * 64

_head_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_esc = json.encoder.encode_basestring  # what the encoder above uses for str (C-accelerated)
_str = str

SELECT = ("SELECT seq, at, actor, action, nomination, from_state, to_state, payload, "
          "prev_hash, hash FROM audit_entry")


Link = Callable[[str, Any, Any, Any, Any, Any, Any, Any, Any], str]


def head(seq: Any, at: Any, actor: Any, action: Any, nomination: Any, from_state: Any,
         to_state: Any) -> str:
    """``json.dumps([seq, at, …], separators=(",", ":"), ensure_ascii=False)``, built
    directly when the values have the types the table stores (a million-entry verify spends
    much of its time here); any other value goes through the JSON encoder itself, so a
    tampered row still hashes exactly as the definition says."""
    if (type(seq) is int and type(at) is _str and type(actor) is _str
            and type(action) is _str):
        n = "null" if nomination is None else _esc(nomination) \
            if type(nomination) is _str else None
        f = "null" if from_state is None else _esc(from_state) \
            if type(from_state) is _str else None
        t = "null" if to_state is None else _esc(to_state) \
            if type(to_state) is _str else None
        if n is not None and f is not None and t is not None:
            return f"[{seq},{_esc(at)},{_esc(actor)},{_esc(action)},{n},{f},{t}]"
    return _head_json([seq, at, actor, action, nomination, from_state, to_state])


def linker(key: bytes | None) -> Link:
    """The hash of one link, under ``key`` (HMAC) or plain SHA-256."""
    sha256 = hashlib.sha256
    digest = hmac.digest

    if key:
        def keyed(prev: str, seq: Any, at: Any, actor: Any, action: Any, nomination: Any,
                  from_state: Any, to_state: Any, payload: Any) -> str:
            message = prev + head(seq, at, actor, action, nomination, from_state, to_state) \
                + payload
            return digest(key, message.encode("utf-8"), "sha256").hex()
        return keyed

    def plain(prev: str, seq: Any, at: Any, actor: Any, action: Any, nomination: Any,
              from_state: Any, to_state: Any, payload: Any) -> str:
        message = prev + head(seq, at, actor, action, nomination, from_state, to_state) \
            + payload
        return sha256(message.encode("utf-8")).hexdigest()
    return plain


Stretch = tuple[int, str | None, str | None]
"""A clean stretch: ``(rows, the first row's prev_hash, the last row's hash)``."""


def check_stretch(rows: Iterable[tuple[Any, ...]], key: bytes | None, first_seq: int,
                  anchors: Mapping[int, str]) -> Stretch | None:
    """The stretch if every row is in place from ``first_seq`` on, each linked to the one
    before it and recomputing to its hash (under ``key``, or plain SHA-256), and every anchor
    in it matching; None at the first anomaly (the caller then finds out exactly what and
    where). The link is computed inline, as :func:`linker` does: this loop is the cost."""
    sha256, keyed, esc, text = hashlib.sha256, hmac.digest, _esc, _str
    expected = first_seq
    first_prev: str | None = None
    prev: str | None = None
    for seq, at, actor, action, nom, frm, to, payload, prev_hash, digest in rows:
        if seq != expected or type(seq) is not int or type(payload) is not text \
                or type(prev_hash) is not text:
            return None
        if prev is None:
            first_prev = prev = prev_hash
        elif prev_hash != prev:
            return None
        if (type(at) is text and type(actor) is text and type(action) is text
                and type(nom) is text and type(frm) is text and type(to) is text):
            message = (f"{prev}[{seq},{esc(at)},{esc(actor)},{esc(action)},{esc(nom)},"
                       f"{esc(frm)},{esc(to)}]{payload}").encode()
        else:
            message = (prev + head(seq, at, actor, action, nom, frm, to) + payload).encode()
        computed = keyed(key, message, "sha256").hex() if key else \
            sha256(message).hexdigest()
        if computed != digest:
            return None
        if anchors and anchors.get(seq, digest) != digest:
            return None
        prev = digest
        expected += 1
    return expected - first_seq, first_prev, prev


def check_file(path: str, after: int, upto: int, key: bytes | None,
               anchors: Mapping[int, str]) -> Stretch | None:
    """:func:`check_stretch` of the rows ``after < seq <= upto`` of a SQLite database, read
    on a connection of its own (read-only)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute(SELECT + " WHERE seq > ? AND seq <= ? ORDER BY seq", (after, upto))
        return check_stretch(rows, key, after + 1, anchors)
    finally:
        conn.close()


def _main() -> None:
    """A worker: one JSON job on stdin (the key travels there, never in the arguments),
    one JSON answer on stdout."""
    job = json.loads(sys.stdin.read())
    key = bytes.fromhex(job["key"]) if job.get("key") else None
    anchors = {int(seq): str(digest) for seq, digest in job.get("anchors", {}).items()}
    found = check_file(job["path"], int(job["after"]), int(job["upto"]), key, anchors)
    sys.stdout.write(json.dumps(found) + "\n")


if __name__ == "__main__":
    _main()
