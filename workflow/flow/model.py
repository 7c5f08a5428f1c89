"""The flow language as frozen data: what a loaded, validated flow definition *is*.

A :class:`FlowSpec` is built only by the reader (:mod:`workflow.flow.io.reader`) after every
check in SPEC §3 passed, so the rest of the engine can trust it (every ``to`` names a state,
every guard is known, …). Running instances live in the store and pin ``FlowSpec.version``.

:meth:`FlowSpec.edges` is the one list of where an item can go: declared transitions and the
engine's implicit edges (vote outcomes, ``then``/``on_negative``, the hold detours). The
machine, the graph checks and the diagram writer all read it.

Pure: imports the standard library and ``workflow.voting`` only — no YAML, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from workflow.voting import VoteRule

__all__ = [
    "DECISION_TEMPLATE",
    "FINAL_OUTCOMES",
    "INTERNAL",
    "LEVELS",
    "MAX_DAYS",
    "NAME_RE",
    "NOMINEE_KINDS",
    "STATE_TYPES",
    "ConfirmationsSpec",
    "DocumentSpec",
    "Edge",
    "EdgeKind",
    "EscalationStep",
    "FieldSpec",
    "FiredBy",
    "FlowSpec",
    "GuardCall",
    "NoticeSpec",
    "RoleRef",
    "Sla",
    "StateSpec",
    "TransitionSpec",
    "VoteSpec",
    "flow_edges",
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

# Names and ids fit the store's 64-character columns (a longer one would validate here and
# fail later, in the middle of a move).
ID_RE = re.compile(r"(?=.{1,64}$)[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")
#: The longest SLA, notice window or escalation delay a flow may set (ten years of days): a
#: legal deadline is weeks; a number beyond this is a typo that would stall every sweep.
MAX_DAYS = 3660
ROLE_RE = re.compile(r"([a-z][a-z0-9_]*)@([a-z][a-z0-9_]*)")


class INTERNAL(StrEnum):
    """Triggers the engine fires itself; they cannot be written in a definition (no ``@`` is
    allowed in trigger names), so they never clash with a flow's own triggers. The values are
    stored in audit entries: never change them."""

    PASS = "@pass"
    FAIL = "@fail"
    NO_QUORUM = "@no_quorum"
    THEN = "@then"
    NEGATIVE = "@negative"
    HOLD = "@hold"
    UPHELD = "@upheld"

    @staticmethod
    def resume(state: str) -> str:
        """The trigger that takes an item out of hold back to ``state``, where it came from."""
        return f"@resume:{state}"


#: The template of an award decision: a state that renders it is where the award is granted.
DECISION_TEMPLATE = "decision.html.j2"

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
class FiredBy:
    """Who may fire a transition (``by:``): any of ``roles``, or the scheduler when ``system``.
    Not a person: the one acting is the service's ``Actor``."""

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
    #: an enum value's words for people, ``{value: {vi, en}}`` (values without one read as
    #: themselves)
    value_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
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
    by: FiredBy
    require: tuple[GuardCall, ...] = ()
    comment: Literal["required", "optional"] = "optional"
    label: Mapping[str, str] = field(default_factory=dict)


class EdgeKind(StrEnum):
    """Why an edge exists: declared in ``transitions:``, or implied by a state's settings."""

    DECLARED = "declared"
    VOTE_PASS = "vote-pass"  # vote: pass
    VOTE_FAIL = "vote-fail"  # vote: fail
    NO_QUORUM = "no-quorum"  # vote: no_quorum (defaults to fail)
    THEN = "then"  # notice: then, confirmations: then
    NEGATIVE = "negative"  # confirmations: on_negative
    HOLD = "hold"  # an objection parks a non-final item in the hold state
    RESUME = "resume"  # every objection dismissed: back to where the item came from
    UPHELD = "upheld"  # an upheld objection: to on_upheld

    @property
    def detour(self) -> bool:
        """An objection's detour (into hold, back out, or to ``on_upheld``): an exception to
        the flow, not a way forward through it."""
        return self in (EdgeKind.HOLD, EdgeKind.RESUME, EdgeKind.UPHELD)


@dataclass(frozen=True)
class Edge:
    """One move the machine can make: from ``source`` by ``trigger`` to ``dest``."""

    source: str
    trigger: str  # a declared trigger name, or an :class:`INTERNAL` one
    dest: str
    kind: EdgeKind
    #: The declaration behind a ``declared`` edge (its guards, who fires it); ``None`` else.
    transition: TransitionSpec | None = field(default=None, compare=False, repr=False)


def _hold_state(states: Mapping[str, StateSpec]) -> str | None:
    """The flow's hold state: the first of type ``hold`` (the reader allows only one)."""
    return next((s.name for s in states.values() if s.type == "hold"), None)


def flow_edges(
    states: Mapping[str, StateSpec],
    transitions: Iterable[TransitionSpec],
    on_upheld: str | None,
) -> tuple[Edge, ...]:
    """Every edge of a flow: declared transitions (in declaration order, one per source), then
    state by state the implicit ones. :meth:`FlowSpec.edges` for a built flow; the graph checks
    call it on the parts while a flow is still being read, so names are not checked here."""
    out = [Edge(source, t.trigger, t.dest, EdgeKind.DECLARED, t)
           for t in transitions for source in t.sources]
    hold = _hold_state(states)
    for state in states.values():
        name = state.name
        if state.vote:
            out += [Edge(name, INTERNAL.PASS, state.vote.pass_to, EdgeKind.VOTE_PASS),
                    Edge(name, INTERNAL.FAIL, state.vote.fail_to, EdgeKind.VOTE_FAIL),
                    Edge(name, INTERNAL.NO_QUORUM, state.vote.no_quorum_to, EdgeKind.NO_QUORUM)]
        if state.notice:
            out.append(Edge(name, INTERNAL.THEN, state.notice.then, EdgeKind.THEN))
        if state.confirmations:
            out += [Edge(name, INTERNAL.THEN, state.confirmations.then, EdgeKind.THEN),
                    Edge(name, INTERNAL.NEGATIVE, state.confirmations.on_negative,
                         EdgeKind.NEGATIVE)]
        if state.final or state.type == "hold":
            continue
        if on_upheld:
            out.append(Edge(name, INTERNAL.UPHELD, on_upheld, EdgeKind.UPHELD))
        if hold:
            out += [Edge(name, INTERNAL.HOLD, hold, EdgeKind.HOLD),
                    Edge(hold, INTERNAL.resume(name), name, EdgeKind.RESUME)]
    # Upheld while parked: the item leaves the hold for on_upheld too.
    if hold and on_upheld:
        out.append(Edge(hold, INTERNAL.UPHELD, on_upheld, EdgeKind.UPHELD))
    return tuple(out)


@dataclass(frozen=True, eq=False)
class FlowSpec:
    id: str
    title: Mapping[str, str]
    award: str
    nominee: str
    calendar: str
    decider: FiredBy
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
    #: nominees on special or secret tasks: every item of the flow is confidential
    confidential: bool = False
    #: nobody decides their own case: when the nominee holds the deciding role at the
    #: deciding unit, the decider's transitions go to that role at the unit above it (False:
    #: the nominee is refused and nothing routes the case up)
    decider_above: bool = True

    @property
    def initial(self) -> str:
        return next(s.name for s in self.states.values() if s.initial)

    @property
    def hold_state(self) -> str | None:
        return _hold_state(self.states)

    def edges(self) -> tuple[Edge, ...]:
        """Every edge, declared and implicit: what the compiled machine is made of."""
        return flow_edges(self.states, self.transitions, self.on_upheld)

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

    @property
    def decision_states(self) -> frozenset[str]:
        """Where the award is granted: states that issue the decision document, and the
        final ``awarded`` states (a flow that hands the award over after the decision grants
        it when the decision is issued, not at the hand-over)."""
        return frozenset(s.name for s in self.states.values()
                         if DECISION_TEMPLATE in s.render
                         or (s.final and s.outcome == "awarded"))

    def awarding(self, state: str) -> TransitionSpec | None:
        """The decider's transition from ``state`` into a decision state: what a numbered
        decision fires for each item it lists (None: the item cannot be awarded there)."""
        for t in self.transitions_from(state):
            if self.by_decider(t) and t.dest in self.decision_states:
                return t
        return None

    def by_decider(self, t: TransitionSpec) -> bool:
        """Whether ``t`` is the decider's (``by: decider``, or only the decider's roles)."""
        return t.by.decider or (bool(t.by.roles) and set(t.by.roles) <= set(self.decider.roles))

    def title_text(self, lang: str = "vi") -> str:
        return self.title.get(lang) or self.title.get("vi") or self.id
