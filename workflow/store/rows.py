"""Rows as the service reads them: one frozen-ish dataclass per row type, spelled once.

A row class lists its columns as fields, in order; :func:`columns` gives the ``SELECT`` list
and :func:`decoder` a fast tuple → row conversion, both derived from the fields, so a column is
named in exactly two places: the schema (:mod:`workflow.store.tables`) and here. Fields that
need converting say so in their metadata: ``TIME`` (UTC text or ``datetime``), ``JSON`` (text),
``BOOL`` (SQLite's 0/1).

Must not import anything but the standard library and :mod:`workflow.store.raw`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from workflow.store.raw import Raw

__all__ = [
    "BallotRoundRow",
    "CouncilSessionRow",
    "DecisionRow",
    "DeliveryRow",
    "DocumentRow",
    "GrantRow",
    "NominationRow",
    "NoticeRow",
    "ObjectionRow",
    "OutboxRow",
    "RenderedRow",
    "SessionItemRow",
    "TimerRow",
    "columns",
    "decoder",
]

R = TypeVar("R")
TIME: dict[str, Any] = {"conv": "time"}
JSON: dict[str, Any] = {"conv": "json"}
BOOL: dict[str, Any] = {"conv": "bool"}


def _json(value: Any) -> Any:
    return json.loads(value) if value else None


_CONVERTERS: dict[str, Callable[[Any], Any]] = {"time": Raw.time_in, "json": _json,
                                                "bool": bool}


def _stored(cls: type) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(cls) if not f.metadata.get("derived")]


def columns(cls: type, alias: str | None = None) -> str:
    """The ``SELECT`` list of a row class (``alias.col`` with an alias)."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + f.name for f in _stored(cls))


def decoder(cls: type[R]) -> Callable[[tuple[Any, ...]], R]:
    """tuple (selected as :func:`columns`) → row, converting what the metadata names."""
    convert = [(i, _CONVERTERS[f.metadata["conv"]]) for i, f in enumerate(_stored(cls))
               if "conv" in f.metadata]

    def decode(row: tuple[Any, ...]) -> R:
        values = list(row)
        for index, fn in convert:
            values[index] = fn(values[index])
        return cls(*values)

    return decode


def dumps(value: Any) -> str:
    """Canonical JSON text as the store writes it."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# ---- nominations ---------------------------------------------------------------------------

MUTABLE = ("state", "fields", "entered_at", "entry_no", "due_at", "final", "outcome",
           "hold_data")
_MISSING = object()


@dataclass
class NominationRow:
    id: int
    flow_id: str
    flow_version: str
    state: str
    version: int
    unit_id: str
    nominee: str
    person_login: str | None
    fields: dict[str, Any] = field(metadata=JSON)
    created_at: datetime = field(metadata=TIME)
    created_by: str
    entered_at: datetime = field(metadata=TIME)
    entry_no: int
    due_at: datetime | None = field(metadata=TIME)
    final: bool = field(metadata=BOOL)
    outcome: str | None
    hold_data: dict[str, Any] | None = field(metadata=JSON)
    confidential: bool = field(default=False, metadata=BOOL)
    nominee_unit: str | None = None
    # What the store holds for the mutable columns, so a save writes only what changed
    # (SQLite rewrites an index whenever its column is SET, even to the same value).
    stored: dict[str, Any] = field(default_factory=dict, repr=False, compare=False,
                                   metadata={"derived": True})

    def __post_init__(self) -> None:
        if self.fields is None:
            self.fields = {}
        self.snapshot()

    def snapshot(self) -> None:
        self.stored = {name: getattr(self, name) for name in MUTABLE}
        self.stored["fields"] = dict(self.fields)
        self.stored["hold_data"] = dumps(self.hold_data) if self.hold_data is not None else None

    def changes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in MUTABLE:
            value = getattr(self, name)
            if name == "hold_data":
                value = dumps(value) if value is not None else None
            if value != self.stored.get(name, _MISSING):
                out[name] = value
        return out


# ---- dossier and documents -----------------------------------------------------------------

@dataclass(frozen=True)
class DocumentRow:
    id: int
    doctype: str
    filename: str
    sha256: str
    size: int
    attached_at: datetime = field(metadata=TIME)
    attached_by: str


@dataclass(frozen=True)
class RenderedRow:
    id: int
    template: str
    sha256: str
    rendered_at: datetime = field(metadata=TIME)


# ---- timers --------------------------------------------------------------------------------

@dataclass(frozen=True)
class TimerRow:
    id: int
    nomination_id: int
    entry_no: int
    kind: str
    step: int
    due_at: datetime = field(metadata=TIME)
    objection_id: int | None = None  # an objection's deadline step (None: a state entry's)


# ---- ballots -------------------------------------------------------------------------------

@dataclass
class BallotRoundRow:
    id: int
    nomination_id: int
    state: str
    entry_no: int
    council_unit: str
    secret: bool = field(metadata=BOOL)
    roll_size: int
    roll_hash: str
    rule: dict[str, Any] = field(metadata=JSON)
    status: str
    opened_at: datetime = field(metadata=TIME)
    closed_at: datetime | None = field(metadata=TIME)
    result: dict[str, Any] | None = field(metadata=JSON)


# ---- council sessions ----------------------------------------------------------------------

@dataclass
class CouncilSessionRow:
    id: int
    council_unit: str
    title: str | None
    status: str
    opened_at: datetime = field(metadata=TIME)
    opened_by: str
    closed_at: datetime | None = field(metadata=TIME)
    closed_by: str | None
    number: int | None
    result: dict[str, Any] | None = field(metadata=JSON)
    pdf_sha256: str | None = None  # the minutes' PDF's, when one was made


@dataclass(frozen=True)
class SessionItemRow:
    session_id: int
    nomination_id: int
    round_id: int
    position: int


# ---- notices, objections, outbox -----------------------------------------------------------

@dataclass
class NoticeRow:
    id: int
    flow_id: str
    unit_id: str
    day: str
    starts_at: datetime = field(metadata=TIME)
    ends_at: datetime = field(metadata=TIME)
    template: str
    sha256: str
    audit_seq: int
    audit_hash: str
    pdf_sha256: str | None = None  # its PDF's, when one was made


@dataclass
class ObjectionRow:
    id: int
    nomination_id: int
    notice_id: int | None
    text: str
    name: str | None
    contact: str | None
    filed_by: str | None
    filed_at: datetime = field(metadata=TIME)
    status: str
    resolved_at: datetime | None = field(metadata=TIME)
    resolved_by: str | None
    resolution: str | None
    receipt: str | None
    grant_id: int | None = None
    kind: str = "gop_y"
    due_at: datetime | None = field(default=None, metadata=TIME)
    extended_at: datetime | None = field(default=None, metadata=TIME)
    extended_by: str | None = None
    extend_reason: str | None = None


@dataclass(frozen=True)
class OutboxRow:
    id: int
    at: datetime = field(metadata=TIME)
    kind: str
    recipient: str
    nomination_id: int | None
    subject: str
    body: str
    status: str
    attempts: int
    next_attempt_at: datetime | None = field(metadata=TIME)
    last_error: str | None
    sent_at: datetime | None = field(metadata=TIME)


@dataclass(frozen=True)
class DeliveryRow:
    """A message claimed for delivery, with the recipient's address from the directory."""

    id: int
    recipient: str
    email: str | None
    subject: str
    body: str
    attempts: int


# ---- decisions and the register ------------------------------------------------------------

@dataclass(frozen=True)
class DecisionRow:
    id: int
    unit_id: str
    year: int
    seq: int
    number: str
    decided_on: str
    issued_at: datetime = field(metadata=TIME)
    issued_by: str
    basis: str | None
    items: int
    document_sha256: str | None
    public_sha256: str | None
    audit_seq: int | None
    audit_hash: str | None


@dataclass(frozen=True)
class GrantRow:
    id: int
    kind: str
    person_login: str | None
    nominee: str
    unit_id: str | None
    award: str
    year: int
    ad_hoc: bool = field(metadata=BOOL)
    decision_id: int | None
    nomination_id: int | None
    source: str
    status: str
    confidential: bool = field(metadata=BOOL)
    granted_at: datetime | None = field(metadata=TIME)
    revoked_at: datetime | None = field(metadata=TIME)
    revoked_by: str | None
    revoke_reason: str | None
    revoke_decision: str | None
    nominee_unit: str | None = None
