"""SQLModel tables: the schema of the embedded (SQLite) and scale-out (PostgreSQL) store.

Times are UTC ``DateTime`` columns (SQLModel's aware ``UTCDateTime``), except the audit log's
``at``, which is stored as the exact ISO text that was hashed. The secret-ballot tables carry
no column that could link a member to a choice (see :class:`Participation` and :class:`Ballot`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel

__all__ = [
    "AuditEntry",
    "AwardGrant",
    "Ballot",
    "BallotRound",
    "CampaignRegistration",
    "ClusterBallot",
    "ClusterParticipation",
    "ClusterRound",
    "Confirmation",
    "CouncilSession",
    "CouncilSessionItem",
    "Decision",
    "DecisionCounter",
    "Document",
    "FlowVersion",
    "Meta",
    "Nomination",
    "Notice",
    "NoticeItem",
    "Objection",
    "Outbox",
    "Participation",
    "Person",
    "RenderedDocument",
    "RoleGrant",
    "StageVisit",
    "Timer",
    "Unit",
    "WebSession",
    "WrittenBallot",
    "metadata",
]


class Meta(SQLModel, table=True):
    """Small key/value facts: schema version, directory generation."""

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=Column(Text, nullable=False))


class Unit(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    name: str
    level: str = Field(max_length=32)
    parent_id: str | None = Field(default=None, max_length=64, index=True)
    remote: bool = False  # vùng sâu, vùng xa, biên giới, hải đảo, vùng đồng bào DTTS


class Person(SQLModel, table=True):
    login: str = Field(primary_key=True, max_length=64)
    name: str
    email: str | None = None
    password_hash: str | None = None
    unit_id: str | None = Field(default=None, max_length=64)  # where they work, if known
    # the priority groups of reports (SPEC §10.5), each NULL when the directory does not say
    gender: str | None = Field(default=None, max_length=1)  # F | M
    ethnicity: str | None = Field(default=None, max_length=64)
    minority: bool | None = None  # ethnicity other than the majority's (kept for reports)
    direct_worker: bool | None = None


class WebSession(SQLModel, table=True):
    """A signed-in browser. Only the SHA-256 of its random token is kept, so reading this
    table does not let anyone present the token."""

    __tablename__ = "web_session"
    token_hash: str = Field(primary_key=True, max_length=64)
    login: str = Field(max_length=64, index=True)
    created_at: datetime
    expires_at: datetime


class RoleGrant(SQLModel, table=True):
    __tablename__ = "role_grant"
    login: str = Field(primary_key=True, max_length=64)
    role: str = Field(primary_key=True, max_length=64)
    unit_id: str = Field(primary_key=True, max_length=64)
    __table_args__ = (Index("ix_role_grant_unit_role", "unit_id", "role"),)


class Decision(SQLModel, table=True):
    """A numbered award decision (quyết định khen thưởng) of one issuing unit, for one or
    many awardees. Its number is ``seq`` within the unit and the year of its date, never
    reused; the document is kept as issued, with the audit head it embeds."""

    id: int | None = Field(default=None, primary_key=True)
    unit_id: str = Field(max_length=64)  # the issuing unit (where the decider holds the role)
    year: int
    seq: int
    number: str = Field(max_length=64)  # as printed, e.g. "12/QĐ-BN"
    decided_on: str = Field(max_length=10)  # the decision's date (local), ISO
    issued_at: datetime
    issued_by: str = Field(max_length=64)
    basis: str | None = Field(default=None, sa_column=Column(Text))
    items: int = 0  # how many awardees it lists
    # the copy kept by the issuing level (names every awardee, confidential ones included)
    document: str | None = Field(default=None, sa_column=Column(Text))
    document_sha256: str | None = Field(default=None, max_length=64)
    # the copy sent out, when some awardee is confidential (they are counted, not named)
    public_document: str | None = Field(default=None, sa_column=Column(Text))
    public_sha256: str | None = Field(default=None, max_length=64)
    audit_seq: int | None = None  # the audit head the document embeds, checked by verify
    audit_hash: str | None = Field(default=None, max_length=64)
    # the PDF of the copy sent out (of the kept copy when it names no confidential awardee)
    pdf: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    pdf_sha256: str | None = Field(default=None, max_length=64)
    __table_args__ = (UniqueConstraint("unit_id", "year", "seq"),
                      Index("ix_decision_number", "number"))


class DecisionCounter(SQLModel, table=True):
    """The last number given per issuing unit and year: taking the next one locks this row
    until the decision commits, so concurrent issuers queue and a rolled-back decision gives
    its number back (no gap, no number twice)."""

    __tablename__ = "decision_counter"
    unit_id: str = Field(primary_key=True, max_length=64)
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = 0


class AwardGrant(SQLModel, table=True):
    """The register: one row per awardee of a decision, and one per prior award imported with
    the directory. A nominee's eligibility history is its ``granted`` rows; a revoked grant
    stays, marked, with who revoked it, when and why."""

    __tablename__ = "award_grant"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="individual", max_length=16)  # the flow's nominee kind
    person_login: str | None = Field(default=None, max_length=64, index=True)
    nominee: str  # the name as the decision gives it (a person, or a collective)
    # the name as searches compare it (no diacritics, no case), after a space: " nguyen van an"
    name_fold: str = ""
    unit_id: str | None = Field(default=None, max_length=64, index=True)  # nominating unit
    award: str = Field(max_length=32)
    year: int
    ad_hoc: bool = False  # never counts toward streaks
    decision_id: int | None = Field(default=None, index=True)
    nomination_id: int | None = Field(default=None, unique=True)
    source: str = Field(default="decision", max_length=16)  # decision | imported
    status: str = Field(default="granted", max_length=16)  # granted | revoked
    confidential: bool = False
    granted_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_by: str | None = Field(default=None, max_length=64)
    revoke_reason: str | None = Field(default=None, sa_column=Column(Text))
    revoke_decision: str | None = Field(default=None, max_length=64)
    # the unit awarded a collective title (None for a person)
    nominee_unit: str | None = Field(default=None, max_length=64, index=True)
    __table_args__ = (Index("ix_award_grant_award_year", "award", "year"),)


class FlowVersion(SQLModel, table=True):
    """The exact text of every flow version an item ever started on."""

    __tablename__ = "flow_version"
    version: str = Field(primary_key=True, max_length=64)
    flow_id: str = Field(max_length=64, index=True)
    path: str
    source: str = Field(sa_column=Column(Text, nullable=False))
    stored_at: datetime


class Nomination(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    flow_id: str = Field(max_length=64)
    flow_version: str = Field(max_length=64)
    state: str = Field(max_length=64)
    version: int = 1  # optimistic concurrency: every change bumps it
    unit_id: str = Field(max_length=64)
    nominee: str
    person_login: str | None = Field(default=None, max_length=64)
    fields: str = Field(sa_column=Column(Text, nullable=False))  # canonical JSON
    created_at: datetime
    created_by: str = Field(max_length=64)
    entered_at: datetime  # entry into the current state
    entry_no: int = 1  # counts state entries; timers belong to one entry
    due_at: datetime | None = None  # SLA due time of the current state (None while paused)
    final: bool = False
    outcome: str | None = Field(default=None, max_length=16)
    hold_data: str | None = Field(default=None, sa_column=Column(Text))  # paused state, JSON
    # special or secret tasks: named only to people with a role at the unit or above
    confidential: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # the unit that is the nominee of a collective title (None: the nominee is a person)
    nominee_unit: str | None = Field(default=None, max_length=64, index=True)
    __table_args__ = (
        Index("ix_nomination_state", "flow_id", "state"),
        Index("ix_nomination_unit", "unit_id"),
        Index("ix_nomination_due", "due_at"),
        Index("ix_nomination_person", "person_login"),
        # reports select a period's nominations from this index; it holds nothing a move
        # changes (state, due time, outcome), so moving an item does not rewrite it
        Index("ix_nomination_cohort", "created_at", "unit_id", "flow_id", "person_login"),
    )


class StageVisit(SQLModel, table=True):
    """One stay of an item in one state (one state entry): when it began and ended, how many
    days it lasted and when it was due, with the item's flow, unit and creation time copied
    in so reports select and group stays without a join. Written by the item repository on
    every move.

    Rows are kept in ``(flow, state, unit)`` order (the primary key; WITHOUT ROWID on SQLite),
    so per-stage and per-unit aggregates read the table in order instead of sorting it; the
    ``days`` index gives each finished stage's durations in order for its median and 90th
    percentile (it holds finished stays only, so opening a stay does not write it). A move
    finds the stay it closes by this key (the item's flow and unit, the state and entry it
    left), so there is no index by item.
    """

    __tablename__ = "stage_visit"
    flow_id: str = Field(primary_key=True, max_length=64)
    state: str = Field(primary_key=True, max_length=64)
    unit_id: str = Field(primary_key=True, max_length=64)
    nomination_id: int = Field(primary_key=True)
    entry_no: int = Field(primary_key=True)
    created_at: datetime  # the item's creation: the cohort a report counts it in
    entered_at: datetime
    left_at: datetime | None = None
    days: float | None = None  # left_at - entered_at, in days, once left
    due_at: datetime | None = None
    __table_args__ = (
        # finished stays only: opening a stay does not write it
        Index("ix_stage_visit_days", "flow_id", "state", "days", "created_at", "unit_id",
              sqlite_where=text("days IS NOT NULL"), postgresql_where=text("days IS NOT NULL")),
        {"sqlite_with_rowid": False},
    )


class Document(SQLModel, table=True):
    """A dossier attachment; the content is kept so the dossier is self-contained."""

    id: int | None = Field(default=None, primary_key=True)
    nomination_id: int = Field(index=True)
    doctype: str = Field(max_length=64)
    filename: str
    sha256: str = Field(max_length=64)
    size: int
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    attached_at: datetime
    attached_by: str = Field(max_length=64)
    # replaced by a newer version, or withdrawn, while the dossier was open: kept, not shown
    superseded_at: datetime | None = None


class RenderedDocument(SQLModel, table=True):
    """A document rendered on state entry (``render:``) or a ballot's minutes."""

    __tablename__ = "rendered_document"
    id: int | None = Field(default=None, primary_key=True)
    nomination_id: int = Field(index=True)
    template: str
    sha256: str = Field(max_length=64)
    content: str = Field(sa_column=Column(Text, nullable=False))
    rendered_at: datetime
    # the audit head the document embeds: verify checks it is still in the chain
    audit_seq: int | None = None
    audit_hash: str | None = Field(default=None, max_length=64)
    # the same document as an A4 PDF (None when it could not be made) and its sha256
    pdf: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    pdf_sha256: str | None = Field(default=None, max_length=64)


class AuditEntry(SQLModel, table=True):
    """Append-only, hash-chained: ``hash = H(prev_hash ‖ canonical entry)``."""

    __tablename__ = "audit_entry"
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: str = Field(max_length=40)
    actor: str = Field(max_length=64)
    action: str = Field(max_length=32)
    nomination: str | None = Field(default=None, max_length=32, index=True)
    from_state: str | None = Field(default=None, max_length=64)
    to_state: str | None = Field(default=None, max_length=64)
    payload: str = Field(sa_column=Column(Text, nullable=False))  # canonical JSON, hashed as is
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class BallotRound(SQLModel, table=True):
    __tablename__ = "ballot_round"
    id: int | None = Field(default=None, primary_key=True)
    nomination_id: int = Field(index=True)
    state: str = Field(max_length=64)
    entry_no: int
    council_unit: str = Field(max_length=64)
    secret: bool = True
    roll_size: int
    roll_hash: str = Field(max_length=64)
    rule: str = Field(sa_column=Column(Text, nullable=False))  # JSON: threshold, of, quorum
    status: str = Field(default="open", max_length=16)  # open | closed
    opened_at: datetime
    closed_at: datetime | None = None
    result: str | None = Field(default=None, sa_column=Column(Text))  # JSON tally when closed


class Participation(SQLModel, table=True):
    """Who is on the roll and whether they have voted — no time, no choice."""

    round_id: int = Field(primary_key=True)
    member_login: str = Field(primary_key=True, max_length=64)
    voted: bool = False
    recused: bool = False


class Ballot(SQLModel, table=True):
    """The ballot box: a random id and a sealed choice — no member, no time, no casting order.

    ``choice`` is sealed (AES-GCM) under a key held outside the database, so the box — and any
    earlier version of it left in a log or a dead row — does not show how anyone voted to
    someone holding only the database files. On SQLite the table is WITHOUT ROWID, so rows are
    kept in random-id order, not in the order they were cast.
    """

    round_id: int = Field(primary_key=True)
    id: str = Field(primary_key=True, max_length=32)
    choice: str = Field(max_length=64)
    __table_args__ = {"sqlite_with_rowid": False}


class WrittenBallot(SQLModel, table=True):
    """An absent member's written ballot, recorded by the secretariat: not secret by nature."""

    __tablename__ = "written_ballot"
    round_id: int = Field(primary_key=True)
    member_login: str = Field(primary_key=True, max_length=64)
    choice: str = Field(max_length=8)
    recorded_by: str = Field(max_length=64)


class CouncilSession(SQLModel, table=True):
    """A council meeting: items voted on one ballot paper per member, closed together in one
    transaction, with one set of minutes. It holds no ballot and no choice: the ballots of
    a paper go into each item's own box (:class:`Ballot`), with nothing tying them together.
    """

    __tablename__ = "council_session"
    id: int | None = Field(default=None, primary_key=True)
    council_unit: str = Field(max_length=64, index=True)
    title: str | None = None
    status: str = Field(default="open", max_length=16)  # open | closed
    opened_at: datetime
    opened_by: str = Field(max_length=64)
    closed_at: datetime | None = None
    closed_by: str | None = Field(default=None, max_length=64)
    number: int | None = None  # the minutes' number, per council and year
    result: str | None = Field(default=None, sa_column=Column(Text))  # JSON outcome per item
    minutes: str | None = Field(default=None, sa_column=Column(Text))  # as issued at the close
    minutes_sha256: str | None = Field(default=None, max_length=64)
    audit_seq: int | None = None  # the audit head the minutes embed, checked by verify
    audit_hash: str | None = Field(default=None, max_length=64)
    # the same document as an A4 PDF (None when it could not be made) and its sha256
    pdf: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    pdf_sha256: str | None = Field(default=None, max_length=64)


class CouncilSessionItem(SQLModel, table=True):
    """An item on a session's paper: the ballot round it was in when the session opened."""

    __tablename__ = "council_session_item"
    session_id: int = Field(primary_key=True)
    nomination_id: int = Field(primary_key=True)
    round_id: int = Field(index=True)
    position: int


class Objection(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    nomination_id: int = Field(index=True)
    notice_id: int | None = None
    text: str = Field(sa_column=Column(Text, nullable=False))
    name: str | None = None
    contact: str | None = None  # personal data: kept here only, never in the audit log
    filed_by: str | None = Field(default=None, max_length=64)
    filed_at: datetime
    status: str = Field(default="open", max_length=16)  # open | dismissed | upheld
    resolved_at: datetime | None = None
    resolved_by: str | None = Field(default=None, max_length=64)
    resolution: str | None = Field(default=None, sa_column=Column(Text))
    # what the person who objected looks it up by (unguessable; see the receipt page)
    receipt: str | None = Field(default=None, max_length=16, unique=True, index=True)
    # a complaint against an award already granted (after the decision): upheld, it revokes it
    grant_id: int | None = None
    # gop_y | khieu_nai | to_cao | kien_nghi: what the law calls it, and so its deadline
    kind: str = Field(default="gop_y", max_length=16,
                      sa_column_kwargs={"server_default": "gop_y"})
    due_at: datetime | None = None  # the handling deadline (working days from the catalogue)
    extended_at: datetime | None = None  # the one extension the law allows, if taken
    extended_by: str | None = Field(default=None, max_length=64)
    extend_reason: str | None = Field(default=None, sa_column=Column(Text))
    __table_args__ = (Index("ix_objection_open_due", "status", "due_at"),)


class Notice(SQLModel, table=True):
    """One public notice per flow, council unit and window day (a batch of nominees)."""

    id: int | None = Field(default=None, primary_key=True)
    flow_id: str = Field(max_length=64)
    unit_id: str = Field(max_length=64)
    day: str = Field(max_length=10)  # local date the window opened
    starts_at: datetime
    ends_at: datetime
    template: str
    html: str = Field(sa_column=Column(Text, nullable=False))
    sha256: str = Field(max_length=64)
    audit_seq: int
    audit_hash: str = Field(max_length=64)
    # the same document as an A4 PDF (None when it could not be made) and its sha256
    pdf: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    pdf_sha256: str | None = Field(default=None, max_length=64)
    __table_args__ = (UniqueConstraint("flow_id", "unit_id", "day"),)


class NoticeItem(SQLModel, table=True):
    __tablename__ = "notice_item"
    notice_id: int = Field(primary_key=True)
    nomination_id: int = Field(primary_key=True, index=True)


class Confirmation(SQLModel, table=True):
    nomination_id: int = Field(primary_key=True)
    entry_no: int = Field(primary_key=True)
    key: str = Field(primary_key=True, max_length=64)
    decision: str = Field(max_length=8)  # yes | no
    actor: str = Field(max_length=64)
    comment: str | None = None
    at: datetime


class Timer(SQLModel, table=True):
    """A due action of one state entry: an escalation step, the SLA due or a notice window."""

    id: int | None = Field(default=None, primary_key=True)
    nomination_id: int = Field(index=True)
    entry_no: int
    kind: str = Field(max_length=16)  # step | window
    step: int = 0
    due_at: datetime
    status: str = Field(default="pending", max_length=16)  # pending | done | cancelled | paused
    payload: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    # the objection whose handling deadline this timer watches (None: a state entry's timer)
    objection_id: int | None = Field(default=None, index=True)
    __table_args__ = (
        Index("ix_timer_pending_due", "due_at", postgresql_where=text("status = 'pending'"),
              sqlite_where=text("status = 'pending'")),
    )


class Outbox(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    kind: str = Field(max_length=16)  # reminder | escalation | notice | digest
    recipient: str = Field(max_length=64)
    nomination_id: int | None = Field(default=None, index=True)
    subject: str
    body: str = Field(sa_column=Column(Text, nullable=False))
    dedupe: str | None = Field(default=None, max_length=128, unique=True)
    # delivery by email: pending → sending (claimed) → sent, or back to pending with a later
    # next_attempt_at after a temporary failure, or failed / no_address / held (see 0008)
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    sent_at: datetime | None = None
    __table_args__ = (Index("ix_outbox_delivery", "status", "next_attempt_at"),)


class CampaignRegistration(SQLModel, table=True):
    """A unit's registration (đăng ký thi đua) of itself (``person_login`` empty) or of one
    of its people for an award of an emulation campaign. Withdrawn registrations are kept."""

    __tablename__ = "campaign_registration"
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: str = Field(max_length=64)
    unit_id: str = Field(max_length=64)
    person_login: str = Field(default="", max_length=64)  # "" = the unit itself
    award: str = Field(max_length=32)
    status: str = Field(default="registered", max_length=16)  # registered | withdrawn
    registered_at: datetime
    registered_by: str = Field(max_length=64)
    withdrawn_at: datetime | None = None
    withdrawn_by: str | None = Field(default=None, max_length=64)
    __table_args__ = (
        Index("ix_registration_campaign_unit", "campaign_id", "unit_id"),
        Index("ix_registration_person", "person_login"),
        # one live registration per nominee and award in a campaign
        Index("ux_registration_live", "campaign_id", "unit_id", "person_login", "award",
              unique=True, postgresql_where=text("status = 'registered'"),
              sqlite_where=text("status = 'registered'")),
    )


class ClusterRound(SQLModel, table=True):
    """A cluster's ranking at the final review: the heads of its member units rank the
    candidates (every member, or the units tied in a run-off)."""

    __tablename__ = "cluster_round"
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: str = Field(max_length=64)
    cluster_id: str = Field(max_length=64)
    candidates: str = Field(sa_column=Column(Text, nullable=False))  # JSON list of unit ids
    status: str = Field(default="open", max_length=16)  # open | closed
    opened_at: datetime
    opened_by: str = Field(max_length=64)
    closed_at: datetime | None = None
    closed_by: str | None = Field(default=None, max_length=64)
    result: str | None = Field(default=None, sa_column=Column(Text))  # JSON standings
    __table_args__ = (Index("ix_cluster_round_campaign", "campaign_id", "cluster_id"),)


class ClusterParticipation(SQLModel, table=True):
    """Which member units have cast their paper — no person, no time, no choice."""

    __tablename__ = "cluster_participation"
    round_id: int = Field(primary_key=True)
    unit_id: str = Field(primary_key=True, max_length=64)
    voted: bool = False


class ClusterBallot(SQLModel, table=True):
    """The cluster's box: one sealed (unit, points) mark per row — no unit that cast it, no
    person, no time, no paper id, no casting order (random ids, WITHOUT ROWID on SQLite, the
    box rewritten on every cast)."""

    __tablename__ = "cluster_ballot"
    round_id: int = Field(primary_key=True)
    id: str = Field(primary_key=True, max_length=32)
    mark: str = Field(max_length=200)
    __table_args__ = {"sqlite_with_rowid": False}


metadata = SQLModel.metadata
