"""The flow language as frozen data: what a loaded, validated flow definition *is*.

A :class:`FlowSpec` is built only by :mod:`workflow.flow.loader` after every check in SPEC §3
passed, so the rest of the engine can trust it (every ``to`` names a state, every guard is
known, …). Running instances live in the store and pin ``FlowSpec.version``.

Must not import anything outside the standard library and ``workflow`` core modules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from workflow.voting import VoteRule

__all__ = [
    "FINAL_OUTCOMES",
    "INTERNAL",
    "LEVELS",
    "NOMINEE_KINDS",
    "STATE_TYPES",
    "Actor",
    "ConfirmationsSpec",
    "DocumentSpec",
    "EscalationStep",
    "FieldSpec",
    "FlowSpec",
    "GuardCall",
    "NoticeSpec",
    "RoleRef",
    "Sla",
    "StateSpec",
    "TransitionSpec",
    "VoteSpec",
]

StateType = Literal["task", "vote", "notice", "confirmations", "hold"]
STATE_TYPES: tuple[StateType, ...] = ("task", "vote", "notice", "confirmations", "hold")
FINAL_OUTCOMES = ("awarded", "rejected", "withdrawn")
NOMINEE_KINDS = ("individual", "collective", "household", "enterprise")
#: Scopes that are not level names: the nominating unit itself and its parent.
RELATIVE_SCOPES = ("unit", "parent")
#: Level names a scope may use (nearest ancestor-or-self of that level).
LEVELS = (
    "central",
    "ministry",
    "province",
    "department",
    "district",
    "commune",
    "unit",
    "school",
    "enterprise",
)

ID_RE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
NAME_RE = re.compile(r"[a-z][a-z0-9_]*")
ROLE_RE = re.compile(r"([a-z][a-z0-9_]*)@([a-z][a-z0-9_]*)")


class INTERNAL:
    """Triggers the engine fires itself; they cannot be written in a definition (no ``@`` is
    allowed in trigger names), so they never clash with a flow's own triggers."""

    PASS = "@pass"
    FAIL = "@fail"
    NO_QUORUM = "@no_quorum"
    THEN = "@then"
    NEGATIVE = "@negative"
    HOLD = "@hold"
    UPHELD = "@upheld"

    @staticmethod
    def resume(state: str) -> str:
        return f"@resume:{state}"


#: Triggers every vote state accepts besides its declared transitions.
VOTE_TRIGGERS = ("close_vote", "recuse")


@dataclass(frozen=True)
class RoleRef:
    """``ROLE@SCOPE``: a role held at the unit found from the nominating unit by ``scope``."""

    role: str
    scope: str

    def __str__(self) -> str:
        return f"{self.role}@{self.scope}"


@dataclass(frozen=True)
class Actor:
    """Who may fire a transition: any of ``roles``, or the scheduler when ``system``."""

    roles: tuple[RoleRef, ...] = ()
    system: bool = False
    decider: bool = False  # written as ``by: decider`` (roles are the flow's decider)

    def __str__(self) -> str:
        parts = [str(r) for r in self.roles]
        if self.system:
            parts.append("system")
        return " | ".join(parts) or "nobody"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: Literal["string", "text", "integer", "number", "boolean", "date", "enum"]
    required: bool = False
    label: Mapping[str, str] = field(default_factory=dict)
    values: tuple[str, ...] = ()
    min: int | float | None = None
    max: int | float | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class DocumentSpec:
    name: str
    label: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GuardCall:
    """One ``require:`` entry: a registered guard name and its load-time-checked argument."""

    name: str
    arg: Any = None

    def __str__(self) -> str:
        if self.arg is None:
            return self.name
        arg = ", ".join(map(str, self.arg)) if isinstance(self.arg, tuple | list) else self.arg
        return f"{self.name}: {arg}"


@dataclass(frozen=True)
class Sla:
    amount: int
    working: bool  # working days (calendar) or calendar days

    def __str__(self) -> str:
        return f"{self.amount} {'working days' if self.working else 'days'}"


@dataclass(frozen=True)
class EscalationStep:
    """Runs once per entry into its state, ``after`` a share of the SLA or a number of days."""

    index: int
    percent: int | None = None  # after N% of the SLA
    days: int | None = None  # or after N (working) days, counted like the SLA
    notify: tuple[RoleRef, ...] = ()
    fire: str | None = None

    @property
    def after_text(self) -> str:
        return f"{self.percent}%" if self.percent is not None else f"{self.days}"


@dataclass(frozen=True)
class VoteSpec:
    council: str  # scope of the council's unit
    rule: VoteRule
    secret: bool
    pass_to: str
    fail_to: str
    no_quorum_to: str  # defaults to fail_to
    close_by: tuple[RoleRef, ...]


@dataclass(frozen=True)
class NoticeSpec:
    amount: int
    working: bool
    template: str
    then: str
    publisher: str = "unit"  # scope of the unit that publishes (one notice per day batches)


@dataclass(frozen=True)
class ConfirmationsSpec:
    items: tuple[tuple[str, tuple[RoleRef, ...]], ...]
    then: str
    on_negative: str

    def roles_for(self, key: str) -> tuple[RoleRef, ...] | None:
        for name, roles in self.items:
            if name == key:
                return roles
        return None

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.items)


@dataclass(frozen=True)
class StateSpec:
    name: str
    type: StateType = "task"
    initial: bool = False
    final: bool = False
    outcome: str | None = None
    label: Mapping[str, str] = field(default_factory=dict)
    sla: Sla | None = None
    escalate: tuple[EscalationStep, ...] = ()
    render: tuple[str, ...] = ()
    vote: VoteSpec | None = None
    notice: NoticeSpec | None = None
    confirmations: ConfirmationsSpec | None = None

    @property
    def timed(self) -> bool:
        """Whether entering this state creates timer rows."""
        return self.sla is not None or self.notice is not None


@dataclass(frozen=True)
class TransitionSpec:
    trigger: str
    sources: tuple[str, ...]
    dest: str
    by: Actor
    require: tuple[GuardCall, ...] = ()
    comment: Literal["required", "optional"] = "optional"
    label: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class FlowSpec:
    id: str
    title: Mapping[str, str]
    award: str
    nominee: str
    calendar: str
    decider: Actor
    on_upheld: str
    ad_hoc: bool
    fields: Mapping[str, FieldSpec]
    documents: Mapping[str, DocumentSpec]
    states: Mapping[str, StateSpec]
    transitions: tuple[TransitionSpec, ...]
    version: str  # sha256 of the canonical content
    source: str  # the exact definition text
    path: str
    description: Mapping[str, str] = field(default_factory=dict)

    @property
    def initial(self) -> str:
        return next(s.name for s in self.states.values() if s.initial)

    @property
    def hold_state(self) -> str | None:
        return next((s.name for s in self.states.values() if s.type == "hold"), None)

    def state(self, name: str) -> StateSpec:
        return self.states[name]

    def transitions_from(self, state: str) -> list[TransitionSpec]:
        return [t for t in self.transitions if state in t.sources]

    def transition(self, state: str, trigger: str) -> TransitionSpec | None:
        for t in self.transitions:
            if t.trigger == trigger and state in t.sources:
                return t
        return None

    def allowed_triggers(self, state: str) -> list[str]:
        """What a person may fire here (for 'allowed here:' messages), declared order."""
        names = [t.trigger for t in self.transitions_from(state)]
        spec = self.states[state]
        if spec.type == "vote":
            names += [n for n in VOTE_TRIGGERS if n not in names]
        return names

    def title_text(self, lang: str = "vi") -> str:
        return self.title.get(lang) or self.title.get("vi") or self.id
