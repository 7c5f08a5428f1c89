"""The JSON bodies the API accepts: strict (an unknown key is 422), every string bounded."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from workflow.web.params import BodyVersion

__all__ = ["Action", "Attached", "AuditEntry", "AuditHead", "ConfirmBody", "Confirmed", "FireBody",
           "Fired", "ItemSummary", "ItemView", "Me", "NominateBody", "NominationOption",
           "NomineeChoice", "NomineeChoices", "Notice", "ObjectBody", "OpenObjection",
           "PublicNominee", "QueueRow", "Receipt", "ReceiptLookup", "ReceiptStatus", "RecuseBody",
           "ResolveBody", "Resolved", "UpdateBody", "VerifyReport", "VoteAnswer", "VoteBody",
           "Withdrawn"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NominateBody(Strict):
    flow: str = Field(max_length=64)
    unit: str = Field(max_length=64)
    nominee: str = Field(max_length=500)
    person: str | None = Field(default=None, max_length=64)
    nominee_unit: str | None = Field(default=None, max_length=64,
                                     description="a collective flow's nominee: a unit id")
    fields: dict[str, Any] = Field(default_factory=dict)


class FireBody(Strict):
    trigger: str = Field(max_length=64)
    comment: str | None = Field(default=None, max_length=10_000)
    expect_version: BodyVersion = None


class UpdateBody(Strict):
    fields: dict[str, str | int | float | bool | None] = Field(
        description="the details to change, as the flow names them; null or \"\" clears one",
        max_length=200)
    expect_version: BodyVersion = None


class VoteBody(Strict):
    choice: str = Field(max_length=8, description="yes | no | abstain")
    written_for: str | None = Field(default=None, max_length=64,
                                    description="secretariat: an absent member's login")


class RecuseBody(Strict):
    reason: str | None = Field(default=None, max_length=2_000)


class ConfirmBody(Strict):
    key: str = Field(max_length=64)
    decision: str = Field(max_length=8, description="yes | no")
    comment: str | None = Field(default=None, max_length=10_000)


class ObjectBody(Strict):
    text: str = Field(max_length=20_000)
    name: str | None = Field(default=None, max_length=200)
    contact: str | None = Field(default=None, max_length=200)
    kind: str = Field(default="gop_y", max_length=32,
                      description="gop_y (comment, the default) | khieu_nai (complaint) | "
                      "to_cao (denunciation) | kien_nghi (petition): sets the handling deadline")


class ReceiptLookup(Strict):
    code: str = Field(max_length=64, description="the receipt code, in any case, with or "
                      "without dashes")


class ResolveBody(Strict):
    outcome: str = Field(max_length=16, description="dismissed | upheld")
    comment: str = Field(max_length=10_000)


# ---- what the API answers -------------------------------------------------------------------
# Open models: they name and type what every answer carries (the OpenAPI document shows it),
# and let through what a later release adds. Ids are strings, whatever the store holds.

class Answer(BaseModel):
    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True)


Label = dict[str, str]
"""``{vi, en}``: words for people in each language."""


class Me(Answer):
    login: str
    name: str
    roles: list[str] = Field(description="ROLE@UNIT")
    csrf_token: str | None = Field(default=None, description="send as X-CSRF-Token on "
                                   "writes made with the session cookie")


class ItemSummary(Answer):
    id: str
    flow: str
    state: str
    unit: str
    nominee: str
    person: str | None = None
    nominee_unit: str | None = Field(None, description="the unit nominated (collective)")
    due_at: str | None = None
    overdue: bool
    final: bool
    outcome: str | None = None
    version: int


class Reason(Answer):
    msgid: str = Field(description="the message catalogue's id")
    text: str = Field(description="in English, as the command line says it")
    values: dict[str, Any] = Field(default_factory=dict)


class Action(Answer):
    action: str = Field(description="fire | vote | recuse | close_vote | written_vote | confirm")
    ok: bool
    trigger: str | None = None
    to: str | None = None
    comment: str | None = None
    label: Label | None = None
    key: str | None = None
    guard: str | None = None
    reason: str | None = None
    why: Reason | None = Field(default=None, description="why a trigger is refused now")


class QueueRow(ItemSummary):
    actions: list[Action]


class Document(Answer):
    id: str
    type: str
    file: str
    sha256: str
    size: int
    at: str
    by: str


class IssuedHead(Answer):
    seq: int | None
    hash: str | None


class IssuedDocument(Answer):
    """A document the engine issued for an item (a decision, a round's minutes)."""

    kind: str = Field(description="document (an item's), notice, or minutes (a session's)")
    id: str
    template: str
    sha256: str = Field(description="of the HTML as issued")
    pdf_sha256: str | None = Field(description="of its PDF; null when none was made")
    nomination: str | None
    at: str | None = None
    audit: IssuedHead = Field(description="the audit head printed on it")
    html_url: str
    pdf_url: str | None


class HistoryEntry(Answer):
    seq: int
    at: str
    actor: str
    action: str
    from_: str | None = Field(default=None, alias="from")
    to: str | None = None
    payload: Any = None


class ObjectionView(Answer):
    id: str
    status: str
    filed_at: str
    by: str
    text: str
    notice: str | None = None
    resolved_at: str | None = None
    resolved_by: str | None = None
    resolution: str | None = None
    name: str | None = Field(None, description="what the objector gave (only to the examining "
                             "secretariat)")
    contact: str | None = None
    receipt: str | None = None


class Ballot(Answer):
    round: str
    status: str = Field(description="open | closed | abandoned")
    members: int | None = None
    council: str | None = None
    threshold: str | None = None
    of: str | None = None


class NomineeChoice(Answer):
    login: str
    name: str
    unit: str | None = Field(None, description="where they work, if the directory says")
    unit_name: str | None = None


class NomineeChoices(Answer):
    people: list[NomineeChoice]
    more: bool = Field(description="others match too: search with more of the name")


class ItemView(ItemSummary):
    flow_version: str
    flow_title: Label
    award: str
    fields: dict[str, Any]
    documents: list[Document]
    history: list[HistoryEntry]
    objections: list[ObjectionView]
    ballot: Ballot | None = None
    actions: list[Action]
    unit_name: str
    may_edit: bool = Field(False, description="whether the caller may change the details and "
                           "documents now (proposers, until submission or after a return)")
    may_attach: bool = False


class Fired(ItemSummary):
    trigger: str
    from_: str | None = Field(default=None, alias="from")


class Attached(Answer):
    id: str
    nomination: str
    type: str
    file: str
    sha256: str
    size: int
    replaced: list[str] = Field(default=[], description="documents of the same type this one "
                                "replaced (kept in the store, named in the audit)")


class Withdrawn(Answer):
    nomination: str
    type: str
    withdrawn: list[str] = Field(description="the documents set aside (kept in the store)")


class VoteAnswer(Answer):
    id: str
    round: str
    member: str
    closed: bool
    recorded: bool | None = None
    recused: bool | None = None
    remaining: int | None = None


class Confirmed(Answer):
    id: str | None = None


class Receipt(Answer):
    id: str = Field(description="the objection's number")
    status: str
    receipt: str = Field(description="the code its filer looks it up by "
                         "(``GET /api/receipts/{code}``); keep it, it is shown once")
    filed_at: str
    text_sha256: str = Field(description="the SHA-256 of the text, as in the audit entry")
    kind: str = Field("gop_y", description="gop_y | khieu_nai | to_cao | kien_nghi")
    due_at: str | None = Field(None, description="the handling deadline (working days from "
                               "the catalogue)")


class ReceiptStatus(Answer):
    receipt: str
    nomination: str
    nominee: str
    filed_at: str
    text: str
    text_sha256: str
    status: str = Field(description="open, dismissed or upheld")
    resolved_at: str | None = None
    resolution: str | None = Field(None, description="the secretariat's conclusion")


class Resolved(Answer):
    id: str
    status: str
    nomination: str
    state: str


class OpenObjection(Answer):
    id: str
    nomination: str
    nominee: str
    unit: str
    state: str
    filed_at: str
    by: str
    text: str
    name: str | None = Field(None, description="as the objector gave it (examining secretariat "
                             "only)")
    contact: str | None = None
    receipt: str | None = None
    kind: str = Field("gop_y", description="gop_y | khieu_nai | to_cao | kien_nghi")
    kind_label: Label = Field(default_factory=dict)
    due_at: str | None = Field(None, description="the handling deadline")
    extended: bool = False
    overdue: bool = False


class NoticeNominee(Answer):
    id: str
    nominee: str
    unit: str
    unit_name: str | None = None
    window_open: bool
    window_ends_at: str | None = None


class AuditHead(Answer):
    seq: int
    hash: str


class Notice(Answer):
    id: str
    flow: str
    title: Label | None = None
    award: str | None = None
    award_title: Label | None = None
    unit: str
    unit_name: str
    day: str
    starts_at: str
    ends_at: str
    extended_to: str | None = None
    status: str = Field(description="open | closed")
    sha256: str
    audit_head: AuditHead
    nominees: list[NoticeNominee] = Field(default_factory=list)
    confidential: int = Field(0, description="nominees on special tasks: counted, not named")


class PublicGrant(Answer):
    decision: str | None = None
    decided_on: str | None = None
    status: str = Field(description="granted | revoked")
    revoked_at: str | None = None


class PublicNominee(NoticeNominee):
    flow: str
    title: Label
    award: str
    award_title: Label
    notice: Notice
    granted: PublicGrant | None = Field(None, description="once decided: the decision and "
                                        "whether the award still stands")


class VerifyReport(Answer):
    ok: bool
    entries: int
    head: AuditHead
    first_bad_seq: int | None = None
    problem: str | None = None


class AuditEntry(Answer):
    seq: int
    at: str
    actor: str
    action: str
    nomination: str | None = None
    from_: str | None = Field(default=None, alias="from")
    to: str | None = None
    payload: Any = None
    hash: str


class NominationOption(Answer):
    id: str
    title: Label
    award: str
    nominee: str
    units: list[dict[str, str]]
    nominee_units: list[dict[str, str]] = Field(
        default_factory=list, description="a collective flow's units that may be nominated")
    fields: list[dict[str, Any]]
    documents: dict[str, Label]


class LookupGrant(Answer):
    """An award as the public lookup shows it: no login, no contact, no reason."""

    id: str
    kind: str = Field(description="individual | collective | household | enterprise")
    nominee: str
    unit: str | None = None
    unit_name: str | None = None
    award: str
    award_title: Label
    year: int
    decision: str | None = Field(None, description="the decision's number, e.g. 12/QĐ-BN")
    decided_on: str | None = Field(None, description="the decision's date (YYYY-MM-DD)")
    issuer: str | None = None
    issuer_name: str | None = None
    status: str = Field(description="granted | revoked")
    revoked_at: str | None = None
    revoke_decision: str | None = None


class Lookup(Answer):
    rows: list[LookupGrant]
    total: int
    page: int
    pages: int
    confidential: int = Field(description="awards to people on special tasks matching the "
                              "unit, award and year: counted, never listed")
