"""Ballot rounds, the roll (participation) and the ballot box.

Secrecy is a property of the schema, not of the code that reads it: ``participation`` holds
(round, member, voted, recused) — no time, no choice; ``ballot`` holds (round, random id,
choice) — no member, no time, and on SQLite no rowid, so rows sit in random-id order rather
than casting order. Every cast rewrites its round's box in a fresh random order with new ids
and every choice sealed again under a fresh nonce, so on PostgreSQL too nothing live in the
table (physical order, transaction ids, the sealed bytes) follows the casting.

Successive versions of the box do follow the casting, and they outlive it: in SQLite's
write-ahead log (above all while another connection reads, which keeps the log from being
emptied) and in PostgreSQL's dead row versions until a vacuum. So every choice is **sealed**
(AES-GCM, a fresh nonce, the round id as associated data) under a key held outside the
database (:mod:`workflow.keys`): all sealed choices look alike, and whoever holds only the
database files — live, copied, or any earlier version of them — cannot tell a yes from a no.
Because every rewrite seals each choice afresh, not even a sealed ballot can be followed from
one version of the box to the next. The tally unseals them. As hygiene the store still empties
SQLite's log when a round closes (``Store.scrub_log``) and zeroes deleted cells
(``secure_delete``).

**Papers.** A council session's paper (one member, many items) is cast as one ballot dropped
into each item's own box by :meth:`BallotRepo.drop`, exactly as a single vote is: a random
id drawn per ballot, a nonce drawn per seal, no time, no paper id, no member. Each box is then
rewritten whole, so in every box the paper touched each live ballot carries the paper's
transaction id (PostgreSQL), a fresh position and id — the paper's own ballot is one of the
box, not marked out in it, and the ballots a paper left in different boxes share no stored
value that the other ballots of those boxes do not share too.
"""

from __future__ import annotations

import binascii
import functools
import json
import os
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from workflow.errors import Misconfigured
from workflow.store.raw import Raw, placeholders
from workflow.store.rows import BallotRoundRow, columns, decoder

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["BallotRepo", "seal", "unseal"]

#: one byte per choice, so every sealed ballot has the same length
_CODES = {"yes": b"y", "no": b"n", "abstain": b"a"}
_CHOICES = {code: choice for choice, code in _CODES.items()}
_NONCE = 12
_ROWS_PER_INSERT = 300  # far below SQLite's and PostgreSQL's limits on bound values
#: base64's alphabet and the URL-safe one the box stores (binascii speaks only the first)
_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")
_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")


def _invalid_tag() -> type[Exception]:
    from cryptography.exceptions import InvalidTag

    return InvalidTag


def seal(key: bytes, round_id: int, choice: str) -> str:
    return _seal_all(_aead(key), round_id, [choice], os.urandom(_NONCE))[0]


def unseal(key: bytes, round_id: int, stored: str) -> str:
    return _unseal_all(_aead(key), round_id, [stored])[0]


@functools.lru_cache(maxsize=4)
def _aead(key: bytes) -> AESGCM:
    """One cipher object per key (building one expands the key schedule; a cast used to build
    one per ballot it opened). It keeps no state between calls — each seal starts from a copy
    of the keyed context — so a web server's threads share it. Imported on first use: a
    command that opens no sealed box (``award show``) never loads ``cryptography``."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def _seal_all(aead: AESGCM, round_id: int, choices: Sequence[str], nonces: bytes) -> list[str]:
    """Each choice sealed under its own 12-byte nonce from ``nonces`` (drawn by the caller
    in one call), the round id as associated data: 40 characters of URL-safe base64 each."""
    aad = str(round_id).encode()
    encrypt = aead.encrypt
    out = []
    for i, choice in enumerate(choices):
        nonce = nonces[_NONCE * i:_NONCE * (i + 1)]
        blob = nonce + encrypt(nonce, _CODES[choice], aad)
        out.append(binascii.b2a_base64(blob, newline=False).translate(_TO_URLSAFE).decode())
    return out


def _unseal_all(aead: AESGCM, round_id: int, stored: Sequence[str]) -> list[str]:
    aad = str(round_id).encode()
    decrypt = aead.decrypt
    out = []
    try:
        for text in stored:
            if text in _CODES:  # a ballot cast before sealing existed (an upgraded database)
                out.append(text)
                continue
            blob = binascii.a2b_base64(text.encode("ascii").translate(_FROM_URLSAFE))
            out.append(_CHOICES[decrypt(blob[:_NONCE], blob[_NONCE:], aad)])
    except (_invalid_tag(), binascii.Error, ValueError, KeyError):
        raise Misconfigured(
            f"a ballot of round {round_id} cannot be opened with this installation's key; "
            "close the round with the key it was cast under (AWARD_SECRET or AWARD_KEY_FILE)",
            round=round_id) from None
    return out


_ROUND = columns(BallotRoundRow)
_round = decoder(BallotRoundRow)


class BallotRepo:
    def __init__(self, raw: Raw) -> None:
        self.raw = raw
        self.closed_a_round = False

    def open_round(self, nomination_id: int, state: str, entry_no: int, council_unit: str,
                   secret: bool, roll: list[str], roll_hash: str, rule: dict[str, Any],
                   at: datetime) -> int:
        raw = self.raw
        row = raw.one(
            "INSERT INTO ballot_round (nomination_id, state, entry_no, council_unit, secret, "
            "roll_size, roll_hash, rule, status, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
            "'open', ?) RETURNING id",
            (nomination_id, state, entry_no, council_unit, secret, len(roll), roll_hash,
             json.dumps(rule, sort_keys=True), raw.time_out(at)))
        assert row is not None
        round_id = int(row[0])
        raw.many("INSERT INTO participation (round_id, member_login, voted, recused) "
                 "VALUES (?, ?, ?, ?)", [(round_id, member, False, False) for member in roll])
        return round_id

    def latest(self, nomination_id: int, *, lock: bool = False) -> BallotRoundRow | None:
        sql = (f"SELECT {_ROUND} FROM ballot_round WHERE nomination_id = ? "
               "ORDER BY id DESC LIMIT 1")
        if lock and self.raw.pg:
            sql += " FOR UPDATE"  # serialises casts and the close of one round
        row = self.raw.one(sql, (nomination_id,))
        return _round(row) if row else None

    def move_round(self, round_id: int, state: str) -> None:
        """An open round carried to a new flow version whose vote state has another name."""
        self.raw.run("UPDATE ballot_round SET state = ? WHERE id = ?", (state, round_id))

    def open_rounds(self, council_unit: str) -> list[BallotRoundRow]:
        """Open rounds of a council, oldest first."""
        rows = self.raw.all(f"SELECT {_ROUND} FROM ballot_round WHERE council_unit = ? AND "
                            "status = 'open' ORDER BY id", (council_unit,))
        return [_round(r) for r in rows]

    def rounds(self, nomination_id: int) -> list[BallotRoundRow]:
        rows = self.raw.all(f"SELECT {_ROUND} FROM ballot_round WHERE nomination_id = ? "
                            "ORDER BY id", (nomination_id,))
        return [_round(r) for r in rows]

    def member(self, round_id: int, login: str) -> tuple[bool, bool] | None:
        """``(voted, recused)`` of a roll member, or ``None`` if not on the roll."""
        row = self.raw.one("SELECT voted, recused FROM participation WHERE round_id = ? AND "
                           "member_login = ?", (round_id, login))
        return (bool(row[0]), bool(row[1])) if row else None

    def roll(self, round_id: int) -> list[tuple[str, bool, bool]]:
        """``(member, voted, recused)`` for the whole roll, by login."""
        rows = self.raw.all("SELECT member_login, voted, recused FROM participation "
                            "WHERE round_id = ? ORDER BY member_login", (round_id,))
        return [(r[0], bool(r[1]), bool(r[2])) for r in rows]

    def mark_voted(self, round_id: int, login: str) -> bool:
        """Flag the member as having voted; ``False`` if they already had (or are recused)."""
        return self.raw.run(
            "UPDATE participation SET voted = ? WHERE round_id = ? AND member_login = ? "
            "AND voted = ? AND recused = ?", (True, round_id, login, False, False)) == 1

    def recuse(self, round_id: int, login: str) -> bool:
        return self.raw.run(
            "UPDATE participation SET recused = ? WHERE round_id = ? AND member_login = ? "
            "AND voted = ? AND recused = ?", (True, round_id, login, False, False)) == 1

    def drop(self, round_id: int, choice: str, key: bytes) -> None:
        """Seal a ballot and put it in the box, then rewrite the whole box (see
        :meth:`reshuffle`).

        The rewrite is what keeps a ballot from being joined to its voter while the round is
        open: on PostgreSQL a row written in the voter's transaction would share its ``xmin``
        with the voter's participation row and sit in casting order; after the rewrite every
        live ballot carries the same transaction id, a fresh position and id, and freshly
        sealed bytes.
        """
        aead = _aead(key)
        choices = _unseal_all(aead, round_id, self._take(round_id))
        choices.append(choice)
        self._refill(round_id, aead, choices)

    def record_written(self, round_id: int, login: str, choice: str, by: str) -> None:
        self.raw.run("INSERT INTO written_ballot (round_id, member_login, choice, recorded_by) "
                     "VALUES (?, ?, ?, ?)", (round_id, login, choice, by))

    def standings(self, round_ids: Sequence[int], login: str) -> dict[int, tuple[bool, bool]]:
        """``round id -> (voted, recused)`` for the rounds of ``round_ids`` where ``login``
        is on the roll."""
        if not round_ids:
            return {}
        rows = self.raw.all(
            f"SELECT round_id, voted, recused FROM participation WHERE round_id IN "
            f"({placeholders(round_ids)}) AND member_login = ?", (*round_ids, login))
        return {int(r[0]): (bool(r[1]), bool(r[2])) for r in rows}

    def rolls(self, round_ids: Sequence[int]) -> list[tuple[int, str, bool, bool]]:
        """``(round, member, voted, recused)`` for every roll of ``round_ids``."""
        if not round_ids:
            return []
        rows = self.raw.all(
            f"SELECT round_id, member_login, voted, recused FROM participation WHERE round_id "
            f"IN ({placeholders(round_ids)}) ORDER BY round_id, member_login", list(round_ids))
        return [(int(r[0]), r[1], bool(r[2]), bool(r[3])) for r in rows]

    def written_in(self, round_ids: Sequence[int]) -> set[tuple[int, str]]:
        """``(round, member)`` of the written ballots recorded in ``round_ids``."""
        if not round_ids:
            return set()
        rows = self.raw.all(f"SELECT round_id, member_login FROM written_ballot WHERE round_id "
                            f"IN ({placeholders(round_ids)})", list(round_ids))
        return {(int(r[0]), r[1]) for r in rows}

    def progress(self, round_id: int) -> tuple[int, int, int]:
        """``(roll, voted, recused)`` counts."""
        row = self.raw.one(
            "SELECT count(*), coalesce(sum(CASE WHEN voted THEN 1 ELSE 0 END), 0), "
            "coalesce(sum(CASE WHEN recused THEN 1 ELSE 0 END), 0) FROM participation "
            "WHERE round_id = ?", (round_id,))
        assert row is not None
        return int(row[0]), int(row[1]), int(row[2])

    def tally(self, round_id: int, key: bytes) -> dict[str, int]:
        """The round's counts. Counting rewrites the box as :meth:`reshuffle` does — the close
        wants both, and so reads and unseals the box once."""
        aead = _aead(key)
        choices = _unseal_all(aead, round_id, self._take(round_id))
        self._refill(round_id, aead, choices)
        counts = {"yes": 0, "no": 0, "abstain": 0}
        for choice in choices:
            counts[choice] += 1
        written = self.raw.one(
            "SELECT count(*), coalesce(sum(CASE WHEN choice = 'yes' THEN 1 ELSE 0 END), 0) "
            "FROM written_ballot WHERE round_id = ?", (round_id,))
        counts["written"] = int(written[0]) if written else 0
        counts["written_yes"] = int(written[1]) if written else 0
        return counts

    def empty(self, round_id: int) -> None:
        """Take every ballot out of the box (a round closed without a quorum: its split is
        never published, so it is not kept either)."""
        self.raw.run("DELETE FROM ballot WHERE round_id = ?", (round_id,))

    def reshuffle(self, round_id: int, key: bytes) -> None:
        """Rewrite the box in a random order with fresh ids, each choice sealed again under a
        fresh nonce (see the module docstring).

        Old row versions stay on disk until VACUUM reclaims them (autovacuum does, soon).
        """
        aead = _aead(key)
        self._refill(round_id, aead, _unseal_all(aead, round_id, self._take(round_id)))

    def _take(self, round_id: int) -> list[str]:
        """Empty the box, returning what it held (sealed): one statement reads and deletes."""
        return [r[0] for r in self.raw.take("DELETE FROM ballot WHERE round_id = ? "
                                            "RETURNING choice", (round_id,))]

    def _refill(self, round_id: int, aead: AESGCM, choices: list[str]) -> None:
        """Fill the emptied box with ``choices``, each sealed under a fresh nonce, with a
        fresh random id, in a random order. The ids and the nonces — 16 + 12 bytes per
        ballot — are drawn from the operating system in one call (``os.urandom``, as
        :mod:`secrets` does per value). The rows go in sorted by their ids: independent
        uniform 128-bit ids, so a uniformly random order that owes nothing to the casting,
        and on SQLite the order the table keeps them in anyway."""
        if not choices:
            return
        count = len(choices)
        pool = os.urandom(28 * count)
        ids = pool[:16 * count].hex()
        sealed = _seal_all(aead, round_id, choices, pool[16 * count:])
        rows = sorted((round_id, ids[32 * i:32 * (i + 1)], s) for i, s in enumerate(sealed))
        for start in range(0, count, _ROWS_PER_INSERT):  # one statement, not one per ballot
            chunk = rows[start:start + _ROWS_PER_INSERT]
            self.raw.run("INSERT INTO ballot (round_id, id, choice) VALUES "
                         + ", ".join(["(?, ?, ?)"] * len(chunk)),
                         [value for row in chunk for value in row])

    def rekey(self, nomination_id: int, old_entry: int, new_entry: int) -> None:
        """An open round follows its item back from a hold into the resumed state entry."""
        self.raw.run("UPDATE ballot_round SET entry_no = ? WHERE nomination_id = ? AND "
                     "entry_no = ? AND status = 'open'", (new_entry, nomination_id, old_entry))

    def close(self, round_id: int, at: datetime, result: dict[str, Any], status: str = "closed"
              ) -> None:
        self.closed_a_round = True  # the store scrubs its log once this commits
        self.raw.run("UPDATE ballot_round SET status = ?, closed_at = ?, result = ? "
                     "WHERE id = ?", (status, self.raw.time_out(at),
                                      json.dumps(result, sort_keys=True), round_id))
