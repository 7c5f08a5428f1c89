"""Guards by name: the only way a definition's ``require:`` reaches code.

A definition names a guard; the reader looks the name up here (an unknown name is a load
error with a "did you mean"), checks the guard's argument against the flow (declared fields,
document types, catalogue codes) and stores a :class:`~workflow.flow.model.GuardCall`. At run
time the machine calls :meth:`GuardDef.evaluate` with a :class:`GuardContext` the service
provides. Nothing from a definition is imported or evaluated as code.

Must not import the store, jinja2, typer or apscheduler.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from workflow.errors import Reason
from workflow.yamlnodes import Mapping as MapNode
from workflow.yamlnodes import Node, Problems, Scalar, Sequence

__all__ = ["FIELD_OPS", "GuardContext", "GuardDef", "GuardRegistry", "LoadEnv", "default_guards"]


class GuardContext(Protocol):
    """What a guard may read about the item being moved; provided by the service."""

    @property
    def fields(self) -> Mapping[str, Any]: ...

    @property
    def required_fields(self) -> tuple[str, ...]:
        """Names of the fields the flow declares ``required: true``."""
        ...

    def documents(self) -> set[str]:
        """Document types attached to the dossier."""
        ...

    def open_objections(self) -> int: ...

    def eligibility(self, award: str) -> Reason | None:
        """``None`` when the nominee meets the award's catalogue rules, else the failed rule."""
        ...

    def registered(self, award: str) -> Reason | None:
        """``None`` when the nominee registered for ``award`` in an emulation campaign
        covering the nomination's year (and did not withdraw), else why not."""
        ...

    def leads_cluster(self) -> Reason | None:
        """``None`` when the nominating unit leads its cluster in a closed ranking of a
        campaign covering the nomination's year, else why not."""
        ...


@dataclass(frozen=True)
class LoadEnv:
    """What a guard's argument may refer to while a flow loads."""

    fields: Mapping[str, str]  # field name -> type
    documents: Iterable[str]
    awards: Iterable[str]  # catalogue codes
    award_fields: Mapping[str, Iterable[str]] = field(default_factory=dict)  # fields rules read
    award: str | None = None  # the flow's own award


ArgCheck = Callable[[Node | None, Node, LoadEnv, Problems], Any]
Evaluate = Callable[[Any, GuardContext], Reason | None]


@dataclass(frozen=True)
class GuardDef:
    name: str
    check: ArgCheck  # validates and normalises the argument at load time
    evaluate: Evaluate  # None = passes, else the reason it refuses (a catalogue message)
    doc: str


class GuardRegistry:
    def __init__(self, guards: Iterable[GuardDef] = ()) -> None:
        self._guards: dict[str, GuardDef] = {}
        for guard in guards:
            self.register(guard)

    def register(self, guard: GuardDef) -> None:
        if guard.name in self._guards:
            raise ValueError(f"guard {guard.name!r} is already registered")
        self._guards[guard.name] = guard

    def get(self, name: str) -> GuardDef | None:
        return self._guards.get(name)

    def names(self) -> list[str]:
        return sorted(self._guards)


# ---- fields_complete -----------------------------------------------------------------------


def _no_arg(arg: Node | None, at: Node, env: LoadEnv, problems: Problems) -> None:
    if arg is not None and not (isinstance(arg, Scalar) and arg.value in (None, True)):
        problems.add(arg, "this guard takes no argument")


def _fields_complete(_: Any, ctx: GuardContext) -> Reason | None:
    missing = [name for name in ctx.required_fields if ctx.fields.get(name) in (None, "")]
    if missing:
        return Reason("guard.fields_missing", f"required fields missing: {', '.join(missing)}",
                      {"fields": missing})
    return None


# ---- documents -----------------------------------------------------------------------------


def _check_documents(arg: Node | None, at: Node, env: LoadEnv, problems: Problems) -> Any:
    known = list(env.documents)
    names: list[str] = []
    items = problems.sequence(arg, "documents", single_ok=True) if arg is not None else []
    if not items:
        problems.add(arg or at, "documents: needs a list of document types")
    for item in items:
        name = problems.choice(item, "document type", known) if known else None
        if not known:
            problems.add(item, "documents: the flow declares no document types")
        if name:
            names.append(name)
    return tuple(names)


def _documents(arg: Any, ctx: GuardContext) -> Reason | None:
    have = ctx.documents()
    missing = [name for name in arg if name not in have]
    if missing:
        return Reason("guard.documents_missing", f"dossier is missing: {', '.join(missing)}",
                      {"doctypes": missing})
    return None


# ---- eligible ------------------------------------------------------------------------------


def _check_eligible(arg: Node | None, at: Node, env: LoadEnv, problems: Problems) -> Any:
    if arg is None:
        problems.add(at, "eligible: needs an award code from the catalogue")
        return None
    code = problems.choice(arg, "eligible award code", sorted(env.awards))
    missing = sorted(set(env.award_fields.get(code, ())) - set(env.fields)) if code else []
    if missing:
        problems.add(arg, f"eligible: the rules of {code} read field(s) {', '.join(missing)}, "
                          "which this flow does not declare")
    return code


def _eligible(arg: Any, ctx: GuardContext) -> Reason | None:
    return ctx.eligibility(str(arg))


# ---- registered ----------------------------------------------------------------------------


def _check_registered(arg: Node | None, at: Node, env: LoadEnv, problems: Problems) -> Any:
    """``registered: true`` (the flow's own award) or ``registered: CODE``."""
    if arg is None or (isinstance(arg, Scalar) and arg.value is True):
        if env.award is None:
            problems.add(arg or at, "registered: the flow names no award; give an award code")
        return env.award
    if isinstance(arg, Scalar) and arg.value is False:
        problems.add(arg, "registered: false checks nothing; leave the guard out")
        return None
    return problems.choice(arg, "registered award code", sorted(env.awards))


def _registered(arg: Any, ctx: GuardContext) -> Reason | None:
    return ctx.registered(str(arg))


def _leads_cluster(_: Any, ctx: GuardContext) -> Reason | None:
    return ctx.leads_cluster()


# ---- no_open_objections --------------------------------------------------------------------


def _no_open_objections(_: Any, ctx: GuardContext) -> Reason | None:
    count = ctx.open_objections()
    if not count:
        return None
    return Reason("guard.open_objections", f"{count} objection(s) still open", {"count": count})


# ---- field: {name, op, value} --------------------------------------------------------------

FIELD_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "in": lambda a, b: a in b,
    "not_in": lambda a, b: a not in b,
    "present": lambda a, _: a not in (None, ""),
    "absent": lambda a, _: a in (None, ""),
}
_OP_ALIASES = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}


def _check_field(arg: Node | None, at: Node, env: LoadEnv, problems: Problems) -> Any:
    node = problems.mapping(arg, "field guard")
    if node is None:
        if arg is None:
            problems.add(at, "field: needs {name, op, value}")
        return None
    problems.keys(node, "field guard", ["name", "op", "value"], required=["name", "op"])
    name = problems.choice(node.get("name"), "field name", list(env.fields)) if env.fields else None
    if not env.fields:
        problems.add(node, "field: the flow declares no fields")
    op_node = node.get("op")
    op = None
    if isinstance(op_node, Scalar) and isinstance(op_node.value, str):
        op = _OP_ALIASES.get(op_node.value, op_node.value)
        if op not in FIELD_OPS:
            problems.choice(op_node, "field op", list(FIELD_OPS) + list(_OP_ALIASES))
            op = None
    elif op_node is not None:
        problems.add(op_node, "field op must be a string")
    value_node = node.get("value")
    value = value_node.plain() if value_node is not None else None
    if op in ("in", "not_in") and not isinstance(value_node, Sequence):
        problems.add(value_node or node, f"field op {op!r} needs a list value")
    if op not in (None, "present", "absent") and value_node is None:
        problems.add(node, f"field op {op!r} needs a value")
    if isinstance(value_node, MapNode):
        problems.add(value_node, "field value must be a scalar or a list")
    if name is None or op is None:
        return None
    if op in ("lt", "le", "gt", "ge") and env.fields.get(name) in ("integer", "number") and (
            isinstance(value, bool) or not isinstance(value, int | float)):
        problems.add(value_node or node, f"field {name!r} is a number; {op} needs a number, "
                                         f"got {value!r}")
        return None
    return (name, op, tuple(value) if isinstance(value, list) else value)


def _field(arg: Any, ctx: GuardContext) -> Reason | None:
    name, op, value = arg
    actual = ctx.fields.get(name)
    try:
        ok = FIELD_OPS[op](actual, value)
    except TypeError:
        ok = False
    if ok:
        return None
    if op in ("present", "absent"):
        return Reason(f"guard.field.{op}", f"field {name!r} must be {op}", {"field": name})
    shown = "unset" if actual in (None, "") else repr(actual)
    return Reason(f"guard.field.{op}", f"field {name!r} is {shown}; needs {op} {value!r}",
                  {"field": name, "value": list(value) if isinstance(value, tuple) else value,
                   "actual": actual if actual not in (None, "") else ""})


def default_guards() -> GuardRegistry:
    return GuardRegistry(
        [
            GuardDef("fields_complete", _no_arg, _fields_complete,
                     "every field declared required has a value"),
            GuardDef("documents", _check_documents, _documents,
                     "the dossier holds the listed document types"),
            GuardDef("eligible", _check_eligible, _eligible,
                     "the nominee meets the catalogue's rules for the award"),
            GuardDef("no_open_objections", _no_arg, _no_open_objections,
                     "no objection against the item is still open"),
            GuardDef("field", _check_field, _field,
                     "a field compares with a value: {name, op, value}"),
            GuardDef("registered", _check_registered, _registered,
                     "the nominee registered for the award (true: the flow's own) in an "
                     "emulation campaign covering the nomination's year"),
            GuardDef("cluster_leader", _no_arg, _leads_cluster,
                     "the nominating unit leads its emulation cluster's closed ranking in a "
                     "campaign covering the nomination's year"),
        ]
    )
