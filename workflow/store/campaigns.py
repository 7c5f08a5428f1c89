"""Campaign registrations and cluster rankings.

Registrations are plain rows: who registered whom for what, when, and whether it was
withdrawn. Cluster rankings are kept like council ballots (:mod:`workflow.store.ballots`):
``cluster_participation`` holds (round, unit, voted) — no person, no time, no choice — and
``cluster_ballot`` holds one sealed (unit, points) mark per row under a random id, rewritten
in a fresh random order with fresh ids and fresh nonces on every cast, so nothing in the box
follows the casting or joins the marks of one paper. Marks are padded to one length before
sealing, so all sealed marks look alike.
"""

from __future__ import annotations

import base64
import binascii
import json
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from workflow.errors import Misconfigured
from workflow.store.raw import Raw, placeholders
from workflow.store.rows import JSON, TIME, columns, decoder

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["CampaignRepo", "ClusterRoundRow", "RegistrationRow"]

MARK_WIDTH = 80  # a unit id (≤ 64) and its points, padded so every sealed mark is as long


@dataclass
class RegistrationRow:
    id: int
    campaign_id: str
    unit_id: str
    person_login: str  # "" = the unit itself
    award: str
    status: str
    registered_at: datetime = field(metadata=TIME)
    registered_by: str = ""
    withdrawn_at: datetime | None = field(default=None, metadata=TIME)
    withdrawn_by: str | None = None


@dataclass
class ClusterRoundRow:
    id: int
    campaign_id: str
    cluster_id: str
    candidates: list[str] = field(metadata=JSON)
    status: str = "open"
    opened_at: datetime | None = field(default=None, metadata=TIME)
    opened_by: str = ""
    closed_at: datetime | None = field(default=None, metadata=TIME)
    closed_by: str | None = None
    result: dict[str, Any] | None = field(default=None, metadata=JSON)


_REG = columns(RegistrationRow)
_reg = decoder(RegistrationRow)
_ROUND = columns(ClusterRoundRow)
_round = decoder(ClusterRoundRow)


def _aead(key: bytes) -> AESGCM:
    """The cipher, imported on first use: a command that opens no sealed box (``award show``)
    never loads ``cryptography``."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def _invalid_tag() -> type[Exception]:
    from cryptography.exceptions import InvalidTag

    return InvalidTag


def _seal(aead: AESGCM, round_id: int, unit: str, points: int) -> str:
    text = f"{unit}\t{points}".ljust(MARK_WIDTH).encode("utf-8")
    nonce = secrets.token_bytes(12)
    return base64.urlsafe_b64encode(nonce + aead.encrypt(
        nonce, text, f"cluster:{round_id}".encode())).decode("ascii")


def _unseal(aead: AESGCM, round_id: int, stored: str) -> tuple[str, int]:
    try:
        blob = base64.urlsafe_b64decode(stored)
        text = aead.decrypt(blob[:12], blob[12:], f"cluster:{round_id}".encode())
        unit, points = text.decode("utf-8").rstrip().split("\t")
        return unit, int(points)
    except (_invalid_tag(), binascii.Error, ValueError):
        raise Misconfigured(
            f"a mark of cluster round {round_id} cannot be opened with this installation's "
            "key; close the round with the key it was cast under (AWARD_SECRET or "
            "AWARD_KEY_FILE)", round=round_id) from None


class CampaignRepo:
    def __init__(self, raw: Raw) -> None:
        self.raw = raw
        self.closed_a_round = False  # the store empties SQLite's log once this commits

    # ---- registrations -------------------------------------------------------------------

    def register(self, campaign_id: str, unit_id: str, person: str, award: str,
                 at: datetime, by: str) -> int | None:
        """A new live registration's id; ``None`` if the same one is already live."""
        row = self.raw.one(
            "INSERT INTO campaign_registration (campaign_id, unit_id, person_login, award, "
            "status, registered_at, registered_by) VALUES (?, ?, ?, ?, 'registered', ?, ?) "
            "ON CONFLICT DO NOTHING RETURNING id",
            (campaign_id, unit_id, person, award, self.raw.time_out(at), by))
        return int(row[0]) if row else None

    def live(self, campaign_id: str, unit_id: str, person: str, award: str
             ) -> RegistrationRow | None:
        row = self.raw.one(
            f"SELECT {_REG} FROM campaign_registration WHERE campaign_id = ? AND unit_id = ? "
            "AND person_login = ? AND award = ? AND status = 'registered'",
            (campaign_id, unit_id, person, award))
        return _reg(row) if row else None

    def withdraw(self, registration_id: int, at: datetime, by: str) -> bool:
        return self.raw.run(
            "UPDATE campaign_registration SET status = 'withdrawn', withdrawn_at = ?, "
            "withdrawn_by = ? WHERE id = ? AND status = 'registered'",
            (self.raw.time_out(at), by, registration_id)) == 1

    def registrations(self, campaign_id: str, units: Sequence[str] | None = None
                      ) -> list[RegistrationRow]:
        """A campaign's registrations (withdrawn ones too), oldest first."""
        sql = f"SELECT {_REG} FROM campaign_registration WHERE campaign_id = ?"
        params: list[Any] = [campaign_id]
        if units is not None:
            if not units:
                return []
            sql += f" AND unit_id IN ({placeholders(units)})"
            params.extend(units)
        return [_reg(r) for r in self.raw.all(sql + " ORDER BY id", params)]

    def registered_units(self, campaign_id: str) -> set[str]:
        """Units with at least one live registration."""
        rows = self.raw.all("SELECT DISTINCT unit_id FROM campaign_registration WHERE "
                            "campaign_id = ? AND status = 'registered'", (campaign_id,))
        return {r[0] for r in rows}

    def find_live(self, campaign_ids: Sequence[str], award: str, *, person: str | None = None,
                  unit: str | None = None) -> list[RegistrationRow]:
        """Live registrations for ``award`` in any of ``campaign_ids``: of ``person`` (at any
        unit), or of ``unit`` itself."""
        if not campaign_ids:
            return []
        sql = (f"SELECT {_REG} FROM campaign_registration WHERE campaign_id IN "
               f"({placeholders(campaign_ids)}) AND award = ? AND status = 'registered'")
        params: list[Any] = [*campaign_ids, award]
        if person:
            sql += " AND person_login = ?"
            params.append(person)
        else:
            sql += " AND unit_id = ? AND person_login = ''"
            params.append(unit or "")
        return [_reg(r) for r in self.raw.all(sql, params)]

    # ---- cluster rounds ------------------------------------------------------------------

    def open_round(self, campaign_id: str, cluster_id: str, candidates: list[str],
                   voters: list[str], at: datetime, by: str) -> int:
        row = self.raw.one(
            "INSERT INTO cluster_round (campaign_id, cluster_id, candidates, status, opened_at, "
            "opened_by) VALUES (?, ?, ?, 'open', ?, ?) RETURNING id",
            (campaign_id, cluster_id, json.dumps(candidates), self.raw.time_out(at), by))
        assert row is not None
        round_id = int(row[0])
        self.raw.many("INSERT INTO cluster_participation (round_id, unit_id, voted) "
                      "VALUES (?, ?, ?)", [(round_id, unit, False) for unit in voters])
        return round_id

    def rounds(self, campaign_id: str, cluster_id: str | None = None, *, lock: bool = False
               ) -> list[ClusterRoundRow]:
        """A campaign's cluster rounds (of one cluster), oldest first."""
        sql = f"SELECT {_ROUND} FROM cluster_round WHERE campaign_id = ?"
        params: list[Any] = [campaign_id]
        if cluster_id is not None:
            sql += " AND cluster_id = ?"
            params.append(cluster_id)
        sql += " ORDER BY id"
        if lock and self.raw.pg:
            sql += " FOR UPDATE"  # serialises casts and the close of a round
        return [_round(r) for r in self.raw.all(sql, params)]

    def closed_rounds(self, campaign_ids: Sequence[str]) -> list[ClusterRoundRow]:
        if not campaign_ids:
            return []
        rows = self.raw.all(f"SELECT {_ROUND} FROM cluster_round WHERE campaign_id IN "
                            f"({placeholders(campaign_ids)}) AND status = 'closed' ORDER BY id",
                            list(campaign_ids))
        return [_round(r) for r in rows]

    def participation(self, round_id: int) -> list[tuple[str, bool]]:
        """``(unit, voted)`` for every voting unit, by unit id."""
        rows = self.raw.all("SELECT unit_id, voted FROM cluster_participation WHERE "
                            "round_id = ? ORDER BY unit_id", (round_id,))
        return [(r[0], bool(r[1])) for r in rows]

    def mark_voted(self, round_id: int, unit_id: str) -> bool:
        """Flag the unit's paper as cast; ``False`` if it already was (or is not a voter)."""
        return self.raw.run("UPDATE cluster_participation SET voted = ? WHERE round_id = ? AND "
                            "unit_id = ? AND voted = ?", (True, round_id, unit_id, False)) == 1

    def drop(self, round_id: int, marks: list[tuple[str, int]], key: bytes) -> None:
        """Add a paper's marks to the box, then rewrite the whole box: every mark sealed
        afresh, with a fresh random id, in a fresh random order."""
        aead = _aead(key)
        box = [_unseal(aead, round_id, stored) for stored in self._box(round_id)]
        box.extend(marks)
        sealed = [_seal(aead, round_id, unit, points) for unit, points in box]
        random.SystemRandom().shuffle(sealed)
        self.raw.run("DELETE FROM cluster_ballot WHERE round_id = ?", (round_id,))
        if sealed:
            self.raw.many("INSERT INTO cluster_ballot (round_id, id, mark) VALUES (?, ?, ?)",
                          [(round_id, secrets.token_hex(16), s) for s in sealed])

    def marks(self, round_id: int, key: bytes) -> list[tuple[str, int]]:
        aead = _aead(key)
        return [_unseal(aead, round_id, stored) for stored in self._box(round_id)]

    def _box(self, round_id: int) -> list[str]:
        return [r[0] for r in self.raw.all("SELECT mark FROM cluster_ballot WHERE round_id = ?",
                                           (round_id,))]

    def close_round(self, round_id: int, at: datetime, by: str, result: dict[str, Any]) -> None:
        self.closed_a_round = True
        self.raw.run("UPDATE cluster_round SET status = 'closed', closed_at = ?, closed_by = ?, "
                     "result = ? WHERE id = ? AND status = 'open'",
                     (self.raw.time_out(at), by, json.dumps(result, sort_keys=True), round_id))

    # ---- what came of them ---------------------------------------------------------------

    def nominations(self, flow_ids: Sequence[str], units: Sequence[str]
                    ) -> list[dict[str, Any]]:
        """Nominations of ``flow_ids`` made by ``units``: ``{id, flow, unit, person, nominee,
        state, final, outcome, fields, created_at}``, oldest first."""
        if not flow_ids or not units:
            return []
        rows = self.raw.all(
            "SELECT id, flow_id, unit_id, person_login, nominee, state, final, outcome, fields, "
            f"created_at FROM nomination WHERE flow_id IN ({placeholders(flow_ids)}) AND "
            f"unit_id IN ({placeholders(units)}) ORDER BY id", (*flow_ids, *units))
        return [{"id": int(r[0]), "flow": r[1], "unit": r[2], "person": r[3] or "",
                 "nominee": r[4], "state": r[5], "final": bool(r[6]), "outcome": r[7],
                 "fields": json.loads(r[8]) if r[8] else {},
                 "created_at": self.raw.time_in(r[9])} for r in rows]
