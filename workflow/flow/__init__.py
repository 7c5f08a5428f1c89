"""The flow language: what a flow definition is, how it is read, and what its guards are.

::

    model       frozen spec: FlowSpec, StateSpec, TransitionSpec, FiredBy (who may fire),
                INTERNAL (the engine's own triggers), and FlowSpec.edges() — every edge,
                declared and implicit, that the machine, the checks and the diagrams share
    validation  graph checks run while a flow is read (reachable, a way out, no traps)
    registry    guards by name: the only way a definition's ``require:`` reaches code
    fields      a nomination's field values: text or JSON in, typed and bounded values out
    io/         reader (strict YAML → FlowSpec) and writers (describe, graph)

Arrows point down: ``io`` uses the rest; ``validation`` and ``fields`` read ``model``;
``registry`` stands alone. Nothing here runs a flow (that is :mod:`workflow.machine`) or keeps
one (the store).
Must not import sqlmodel, sqlalchemy, jinja2, apscheduler, typer, transitions or the store.
Modules inside the package import each other by module, never through this facade.
"""

from __future__ import annotations

from workflow.flow.fields import (
    clean_text,
    coerce,
    coerce_all,
    fold,
    nfc,
    parse_assignments,
)
from workflow.flow.io.reader import FlowEnv, load_flow, parse_flow
from workflow.flow.model import (
    DECISION_TEMPLATE,
    FINAL_OUTCOMES,
    INTERNAL,
    LEVELS,
    NAME_RE,
    NOMINEE_KINDS,
    STATE_TYPES,
    ConfirmationsSpec,
    DocumentSpec,
    Edge,
    EdgeKind,
    EscalationStep,
    FieldSpec,
    FiredBy,
    FlowSpec,
    GuardCall,
    NoticeSpec,
    RoleRef,
    Sla,
    StateSpec,
    TransitionSpec,
    VoteSpec,
)
from workflow.flow.registry import (
    FIELD_OPS,
    GuardContext,
    GuardDef,
    GuardRegistry,
    LoadEnv,
    default_guards,
)

__all__ = [
    "DECISION_TEMPLATE",
    "FIELD_OPS",
    "FINAL_OUTCOMES",
    "INTERNAL",
    "LEVELS",
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
    "FlowEnv",
    "FlowSpec",
    "GuardCall",
    "GuardContext",
    "GuardDef",
    "GuardRegistry",
    "LoadEnv",
    "NoticeSpec",
    "RoleRef",
    "Sla",
    "StateSpec",
    "TransitionSpec",
    "VoteSpec",
    "clean_text",
    "coerce",
    "coerce_all",
    "default_guards",
    "fold",
    "load_flow",
    "nfc",
    "parse_assignments",
    "parse_flow",
]
