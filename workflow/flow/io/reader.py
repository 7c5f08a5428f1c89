"""Strict reader: YAML text → :class:`~workflow.flow.model.FlowSpec`, or every problem found.

Each problem is located (``file:line:col``); unknown keys list the allowed ones and suggest a
near miss; duplicate keys are rejected; ``on``/``no``/``yes`` stay strings. The structural pass
here builds state and transition specs; :mod:`workflow.flow.validation` then checks the graph.
Nothing is evaluated at run time that was not checked here.

Must not import the store, jinja2, typer, apscheduler or transitions.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterable
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflow.errors import DefinitionError, Problem
from workflow.flow import model
from workflow.flow.fields import LIMIT as NUMBER_LIMIT
from workflow.flow.registry import GuardRegistry, LoadEnv, default_guards
from workflow.flow.validation import Located, validate_graph
from workflow.voting import BASES, VoteRule, parse_share
from workflow.yamlnodes import (
    Mapping,
    Node,
    Problems,
    Scalar,
    Sequence,
    canonical_json,
    echo,
    parse_yaml,
    read_definition,
    suggest,
)

__all__ = ["FlowEnv", "load_flow", "parse_flow"]

FLOW_KEYS = [
    "flow", "title", "description", "award", "nominee", "calendar", "decider", "on_upheld",
    "ad_hoc", "confidential", "decider_above", "fields", "documents", "states", "transitions",
]
STATE_KEYS = [
    "type", "initial", "final", "outcome", "label", "sla", "escalate", "render", "vote",
    "notice", "confirmations",
]
TRANSITION_KEYS = ["trigger", "from", "to", "by", "require", "comment", "label"]
FIELD_KEYS = ["type", "required", "label", "values", "min", "max", "max_length"]
FIELD_TYPES = ["string", "text", "integer", "number", "boolean", "date", "enum"]
VOTE_KEYS = ["council", "threshold", "of", "quorum", "presence", "secret", "pass", "fail",
             "no_quorum", "close_by"]
DOCUMENT_SUFFIX = ".html.j2"  # documents are HTML; message templates (.txt.j2) are not
NOTICE_KEYS = ["working_days", "days", "template", "then", "publisher"]
SLA_KEYS = ["working_days", "days"]
STEP_KEYS = ["after", "notify", "fire"]
RESERVED_TRIGGERS = {*model.VOTE_TRIGGERS, "vote", "confirm", "object", "resolve"}
DEFAULT_NOTICE_TEMPLATE = "notice.html.j2"
_DIGITS = re.compile(r"[0-9]{1,4}", re.ASCII)
SCOPES = [*model.RELATIVE_SCOPES,
          *(lvl for lvl in model.LEVELS if lvl not in model.RELATIVE_SCOPES)]


@dataclass(frozen=True)
class FlowEnv:
    """What a flow may refer to outside itself."""

    awards: Iterable[str] = ()
    award_fields: AbcMapping[str, Iterable[str]] = field(default_factory=dict)
    calendars: Iterable[str] = ()
    template_exists: Callable[[str], bool] = field(default=lambda name: True)
    guards: GuardRegistry = field(default_factory=default_guards)


def load_flow(path: Path, env: FlowEnv) -> model.FlowSpec:
    return parse_flow(read_definition(path), str(path), env, expect_id=path.stem)


def parse_flow(
    text: str, file: str, env: FlowEnv, *, expect_id: str | None = None
) -> model.FlowSpec:
    """Parse and validate one flow; raise :class:`DefinitionError` listing every problem."""
    root = parse_yaml(text, file)
    problems = Problems()
    if root is None:
        raise DefinitionError([Problem(file, 1, 1, "empty flow definition")])
    top = problems.mapping(root, "a flow definition")
    if top is None:
        problems.raise_if_any()
        raise AssertionError  # unreachable: mapping() reported a problem
    builder = _Builder(top, file, env, problems)
    flow = builder.build(text, expect_id)
    problems.raise_if_any()
    assert flow is not None
    return flow


class _Builder:
    def __init__(self, top: Mapping, file: str, env: FlowEnv, problems: Problems) -> None:
        self.top = top
        self.file = file
        self.env = env
        self.p = problems
        self.state_nodes: dict[str, Node] = {}

    # ---- whole flow ----------------------------------------------------------------------

    def build(self, text: str, expect_id: str | None) -> model.FlowSpec | None:
        p, top = self.p, self.top
        p.keys(top, "the flow", FLOW_KEYS,
               required=["flow", "title", "award", "nominee", "calendar", "states", "transitions"])
        flow_id = p.string(top.get("flow"), "flow id", pattern=model.ID_RE,
                           hint="use lowercase letters, digits and '-'")
        if flow_id and expect_id and flow_id != expect_id:
            p.add(top.get("flow") or top,
                  f"flow id {echo(flow_id)} must match the file name {echo(expect_id)}")
        title = p.text(top.get("title"), "title")
        description = p.text(top.get("description"), "description")
        award = self._award(top.get("award"))
        nominee = p.choice(top.get("nominee"), "nominee", model.NOMINEE_KINDS)
        calendar = self._calendar(top.get("calendar"))
        decider_roles = self._roles(top.get("decider"), "decider") if "decider" in top else ()
        ad_hoc = p.boolean(top.get("ad_hoc"), "ad_hoc") or False
        confidential = p.boolean(top.get("confidential"), "confidential") or False
        decider_above = p.boolean(top.get("decider_above"), "decider_above")
        fields = self._fields(top.get("fields"))
        documents = self._documents(top.get("documents"))
        load_env = LoadEnv(
            fields={name: f.type for name, f in fields.items()},
            documents=list(documents),
            awards=list(self.env.awards),
            award_fields=self.env.award_fields,
            award=award,
        )
        decider = model.FiredBy(roles=decider_roles, decider=True)
        states = self._states(top.get("states"))
        transitions, t_nodes = self._transitions(top.get("transitions"), decider, load_env)
        on_upheld = self._on_upheld(top.get("on_upheld"), states)
        validate_graph(
            Located(states, self.state_nodes, transitions, t_nodes, top, on_upheld),
            p,
        )
        if p or flow_id is None or nominee is None or calendar is None or award is None:
            return None
        plain = top.plain()
        # Keys are sorted for the hash, except that the order of states means something (the
        # default on_upheld is the *first* final 'rejected' state): keep it as a list.
        plain["states"] = [[name, body] for name, body in plain["states"].items()]
        version = hashlib.sha256(canonical_json(plain).encode("utf-8")).hexdigest()
        return model.FlowSpec(
            id=flow_id,
            title=title,
            award=award,
            nominee=nominee,
            calendar=calendar,
            decider=decider,
            on_upheld=on_upheld or "",
            ad_hoc=ad_hoc,
            confidential=confidential,
            decider_above=True if decider_above is None else decider_above,
            fields=fields,
            documents=documents,
            states=states,
            transitions=tuple(transitions),
            version=version,
            source=text,
            path=self.file,
            description=description,
        )

    def _award(self, node: Node | None) -> str | None:
        code = self.p.string(node, "award")
        awards = list(self.env.awards)
        if code and awards and code not in awards:
            assert node is not None
            self.p.choice(node, "award code", sorted(awards))
            return None
        return code

    def _calendar(self, node: Node | None) -> str | None:
        name = self.p.string(node, "calendar")
        calendars = list(self.env.calendars)
        if name and calendars and name not in calendars:
            assert node is not None
            self.p.choice(node, "calendar", sorted(calendars))
            return None
        return name

    def _on_upheld(self, node: Node | None, states: dict[str, model.StateSpec]) -> str | None:
        if node is not None:
            name = self._state_ref(node, "on_upheld", states)
            if name is not None and states[name].final and states[name].outcome == "awarded":
                self.p.add(node, f"on_upheld {echo(name)} would award the item an upheld objection "
                                 "is against; name a rejected, withdrawn or review state")
                return None
            return name
        for state in states.values():
            if state.final and state.outcome == "rejected":
                return state.name
        if states:
            self.p.add(self.top, "no final state with outcome 'rejected' for upheld objections; "
                                 "declare on_upheld: STATE")
        return None

    # ---- fields and documents ------------------------------------------------------------

    def _fields(self, node: Node | None) -> dict[str, model.FieldSpec]:
        p = self.p
        out: dict[str, model.FieldSpec] = {}
        block = p.mapping(node, "fields")
        if block is None:
            return out
        for key, value in block.items():
            name = p.string(key, "field name", pattern=model.NAME_RE,
                            hint="use lowercase letters, digits and '_'")
            body = p.mapping(value, f"field {echo(key.value)}")
            if name is None or body is None:
                continue
            what = f"field {echo(name)}"
            p.keys(body, what, FIELD_KEYS, required=["type"])
            ftype = p.choice(body.get("type"), f"{what} type", FIELD_TYPES)
            values: tuple[str, ...] = ()
            value_labels: dict[str, dict[str, str]] = {}
            if ftype == "enum":
                # a list of codes, or a mapping of each code to its label for people
                given = body.get("values")
                if isinstance(given, Mapping):
                    for code_node, label_node in given.items():
                        code = p.string(code_node, f"{what} value")
                        if code:
                            values += (code,)
                            value_labels[code] = p.text(label_node, f"{what} value {code!r}")
                else:
                    items = p.sequence(given, f"{what} values")
                    values = tuple(v for v in (p.string(i, f"{what} value") for i in items)
                                   if v)
                if not values:
                    p.add(body, f"{what}: an enum needs a non-empty list of values")
            elif "values" in body:
                p.add(body.keys["values"], f"{what}: values is only for type enum")
            lo = self._number(body.get("min"), f"{what} min")
            hi = self._number(body.get("max"), f"{what} max")
            if (lo is not None or hi is not None) and ftype not in ("integer", "number"):
                p.add(body, f"{what}: min/max are only for integer and number fields")
            if lo is not None and hi is not None and lo > hi:
                p.add(body.keys["min"], f"{what}: min {lo} is greater than max {hi}")
            if ftype is None:
                continue
            out[name] = model.FieldSpec(
                name=name,
                type=ftype,  # type: ignore[arg-type]
                required=p.boolean(body.get("required"), f"{what} required") or False,
                label=p.text(body.get("label"), f"{what} label"),
                values=values,
                value_labels={k: v for k, v in value_labels.items() if v},
                min=lo,
                max=hi,
                max_length=p.integer(body.get("max_length"), f"{what} max_length", minimum=1),
            )
        return out

    def _number(self, node: Node | None, what: str) -> int | float | None:
        if node is None:
            return None
        if isinstance(node, Scalar) and isinstance(node.value, int | float) and not isinstance(
            node.value, bool
        ):
            if math.isfinite(node.value) and abs(node.value) <= NUMBER_LIMIT:
                return node.value
            self.p.add(node, f"{what} must lie between -{NUMBER_LIMIT} and {NUMBER_LIMIT}")
            return None
        self.p.add(node, f"{what} must be a number")
        return None

    def _documents(self, node: Node | None) -> dict[str, model.DocumentSpec]:
        p = self.p
        out: dict[str, model.DocumentSpec] = {}
        block = p.mapping(node, "documents")
        if block is None:
            return out
        for key, value in block.items():
            name = p.string(key, "document type", pattern=model.NAME_RE,
                            hint="use lowercase letters, digits and '_'")
            if name is None:
                continue
            label: dict[str, str] = {}
            if isinstance(value, Mapping):
                p.keys(value, f"document {echo(name)}", ["label"])
                label = p.text(value.get("label"), f"document {echo(name)} label")
            elif not (isinstance(value, Scalar) and value.value is None):
                p.add(value, f"document {echo(name)} must be a mapping {{label: ...}}")
            out[name] = model.DocumentSpec(name=name, label=label)
        return out

    # ---- roles ---------------------------------------------------------------------------

    def _role(self, node: Node) -> model.RoleRef | None:
        text = self.p.string(node, "role", hint="write ROLE@SCOPE, e.g. officer@unit")
        if text is None:
            return None
        match = model.ROLE_RE.fullmatch(text)
        if not match:
            self.p.add(node, f"role {echo(text)} is not ROLE@SCOPE (e.g. secretariat@province)")
            return None
        role, scope = match.groups()
        if scope not in SCOPES:
            self.p.choice(Scalar(node.file, node.line, node.col, scope), "scope", SCOPES)
            return None
        return model.RoleRef(role, scope)

    def _roles(self, node: Node | None, what: str) -> tuple[model.RoleRef, ...]:
        items = self.p.sequence(node, what, single_ok=True)
        if node is not None and not items:
            self.p.add(node, f"{what} needs at least one ROLE@SCOPE")
        return tuple(r for r in (self._role(i) for i in items) if r is not None)

    def _fired_by(self, node: Node | None, decider: model.FiredBy) -> model.FiredBy | None:
        items = self.p.sequence(node, "by", single_ok=True)
        if node is not None and not items:
            self.p.add(node, "by needs 'decider', 'system' or ROLE@SCOPE")
        roles: list[model.RoleRef] = []
        system = is_decider = False
        for item in items:
            if isinstance(item, Scalar) and item.value == "system":
                system = True
            elif isinstance(item, Scalar) and item.value == "decider":
                if not decider.roles:
                    self.p.add(item, "'by: decider' needs the flow's decider: ROLE@SCOPE")
                roles.extend(decider.roles)
                is_decider = True
            else:
                role = self._role(item)
                if role is not None:
                    roles.append(role)
        if not roles and not system:
            return None
        return model.FiredBy(roles=tuple(dict.fromkeys(roles)), system=system, decider=is_decider)

    # ---- states --------------------------------------------------------------------------

    def _states(self, node: Node | None) -> dict[str, model.StateSpec]:
        p = self.p
        out: dict[str, model.StateSpec] = {}
        block = p.mapping(node, "states")
        if block is None:
            return out
        if not block.values:
            p.add(block, "states: needs at least one state")
        # First pass: names, so references can be checked regardless of order.
        names = [k for k, _ in block.values.items() if model.NAME_RE.fullmatch(k)]
        for key, value in block.items():
            if not model.NAME_RE.fullmatch(str(key.value)):
                p.add(key, f"state name {echo(key.value)} is not well formed; "
                           "use lowercase letters, digits and '_'")
                continue

            self.state_nodes[str(key.value)] = key
            state = self._state(str(key.value), key, value, names)
            if state is not None:
                out[state.name] = state
        return out

    def _state(
        self, name: str, key: Scalar, node: Node, names: list[str]
    ) -> model.StateSpec | None:
        p = self.p
        what = f"state {echo(name)}"
        if isinstance(node, Scalar) and node.value is None:
            return model.StateSpec(name=name)
        body = p.mapping(node, what)
        if body is None:
            return None
        p.keys(body, what, STATE_KEYS)
        declared_type = p.choice(body.get("type"), f"{what} type", model.STATE_TYPES)
        inferred = next((t for t in ("vote", "notice", "confirmations") if t in body), None)
        stype = declared_type or inferred or "task"
        if declared_type and inferred and declared_type != inferred:
            p.add(body.keys[inferred], f"{what}: '{inferred}:' belongs to type {inferred}, "
                                       f"not {declared_type}")
        for block_name in ("vote", "notice", "confirmations"):
            if stype == block_name and block_name not in body:
                p.add(body, f"{what}: type {block_name} needs a '{block_name}:' block")
        initial = p.boolean(body.get("initial"), f"{what} initial") or False
        final = p.boolean(body.get("final"), f"{what} final") or False
        outcome = p.choice(body.get("outcome"), f"{what} outcome", model.FINAL_OUTCOMES)
        if final and outcome is None and "outcome" not in body:
            p.add(body, f"{what}: a final state needs outcome: {' | '.join(model.FINAL_OUTCOMES)}")
        if outcome and not final:
            p.add(body.keys["outcome"], f"{what}: outcome is only for final states")
        if final:
            for extra in ("sla", "escalate", "vote", "notice", "confirmations", "initial"):
                if extra in body and not (extra == "initial" and not initial):
                    p.add(body.keys[extra], f"{what}: a final state cannot have {extra}")
            if declared_type not in (None, "task"):
                p.add(body.keys["type"], f"{what}: a final state cannot be of type {stype}")
        if stype == "hold" and initial:
            p.add(body.keys["initial"], f"{what}: a hold state cannot be initial")
        sla = self._sla(body.get("sla"), what)
        escalate = self._escalate(body.get("escalate"), what)
        if escalate and sla is None:
            p.add(body.keys["escalate"], f"{what}: escalate needs an sla to count from")
        render = self._templates(body.get("render"), f"{what} render")
        vote = self._vote(body.get("vote"), what, names) if stype == "vote" else None
        notice = self._notice(body.get("notice"), what, names) if stype == "notice" else None
        confirmations = (
            self._confirmations(body.get("confirmations"), what, names)
            if stype == "confirmations" else None
        )
        return model.StateSpec(
            name=name,
            type=stype,  # type: ignore[arg-type]
            initial=initial,
            final=final,
            outcome=outcome,
            label=p.text(body.get("label"), f"{what} label"),
            sla=sla,
            escalate=escalate,
            render=render,
            vote=vote,
            notice=notice,
            confirmations=confirmations,
        )

    def _window(self, body: Mapping, what: str, keys: list[str]) -> tuple[int, bool] | None:
        present = [k for k in ("working_days", "days") if k in body]
        if len(present) != 1:
            self.p.add(body, f"{what} needs exactly one of working_days: N or days: N")
            return None
        amount = self.p.integer(body.get(present[0]), f"{what} {present[0]}", minimum=1,
                                maximum=model.MAX_DAYS)
        return (amount, present[0] == "working_days") if amount is not None else None

    def _sla(self, node: Node | None, what: str) -> model.Sla | None:
        body = self.p.mapping(node, f"{what} sla")
        if body is None:
            return None
        self.p.keys(body, f"{what} sla", SLA_KEYS)
        window = self._window(body, f"{what} sla", SLA_KEYS)
        return model.Sla(window[0], window[1]) if window else None

    def _escalate(self, node: Node | None, what: str) -> tuple[model.EscalationStep, ...]:
        p = self.p
        steps: list[model.EscalationStep] = []
        for index, item in enumerate(p.sequence(node, f"{what} escalate")):
            body = p.mapping(item, f"{what} escalation step")
            if body is None:
                continue
            p.keys(body, f"{what} escalation step", STEP_KEYS, required=["after"])
            percent = days = None
            after = body.get("after")
            if isinstance(after, Scalar) and isinstance(after.value, str) and after.value.endswith(
                "%"
            ):
                digits = after.value[:-1]
                if _DIGITS.fullmatch(digits) and 0 < int(digits) <= 1000:
                    percent = int(digits)
                else:
                    p.add(after, f"{what}: after {echo(after.value)} must be N% with 0 < N <= 1000")
            elif after is not None:
                days = p.integer(after, f"{what}: after (N% of the SLA or a number of days)",
                                 minimum=1, maximum=model.MAX_DAYS)
            notify = self._roles(body.get("notify"), f"{what} notify") if "notify" in body else ()
            fire = p.string(body.get("fire"), f"{what} fire", pattern=model.NAME_RE)
            if not notify and fire is None and "notify" not in body and "fire" not in body:
                p.add(body, f"{what}: an escalation step needs notify: ROLE@SCOPE and/or "
                            "fire: TRIGGER")
            if percent is None and days is None:
                continue
            steps.append(model.EscalationStep(index=index, percent=percent, days=days,
                                          notify=notify, fire=fire))
        return tuple(steps)

    def _templates(self, node: Node | None, what: str) -> tuple[str, ...]:
        out: list[str] = []
        for item in self.p.sequence(node, what, single_ok=True):
            name = self._template(item, what)
            if name:
                out.append(name)
        return tuple(out)

    def _template(self, node: Node, what: str) -> str | None:
        name = self.p.string(node, what)
        if name is None:
            return None
        if "/" in name or "\\" in name or name.startswith("."):
            self.p.add(node, f"{what}: template {echo(name)} must be a plain file name")
            return None
        if not name.endswith(DOCUMENT_SUFFIX):
            self.p.add(node, f"{what}: template {echo(name)} is not a document template "
                             f"(a name ending in {DOCUMENT_SUFFIX})")
            return None
        if not self.env.template_exists(name):
            self.p.add(node, f"{what}: template {echo(name)} does not exist in templates/")
            return None
        return name

    def _state_ref(self, node: Node | None, what: str, names: Iterable[str]) -> str | None:
        if node is None:
            return None
        names = list(names)
        if isinstance(node, Scalar) and node.raw in names and not isinstance(node.value, str):
            return node.raw  # a state named like a YAML word (``true``, ``null``) as written
        value = self.p.string(node, what)
        if value is None:
            return None
        if value not in names:
            self.p.add(node, f"{what}: unknown state {echo(value)}{suggest(value, names)}; "
                             f"states: {', '.join(names)}")
            return None
        return value

    def _vote(self, node: Node | None, what: str, names: list[str]) -> model.VoteSpec | None:
        p = self.p
        body = p.mapping(node, f"{what} vote")
        if body is None:
            return None
        p.keys(body, f"{what} vote", VOTE_KEYS, required=["threshold", "pass", "fail"])
        council = "unit"
        if "council" in body:
            council = p.choice(body.get("council"), f"{what} vote council", SCOPES) or "unit"
        threshold = self._share(body.get("threshold"), f"{what} threshold")
        basis = p.choice(body.get("of"), f"{what} vote of", BASES) or "members"
        quorum = self._share(body.get("quorum"), f"{what} quorum")
        presence = self._share(body.get("presence"), f"{what} presence")
        secret = p.boolean(body.get("secret"), f"{what} secret")
        pass_to = self._state_ref(body.get("pass"), f"{what} pass", names)
        fail_to = self._state_ref(body.get("fail"), f"{what} fail", names)
        no_quorum = self._state_ref(body.get("no_quorum"), f"{what} no_quorum", names)
        close_by = (self._roles(body.get("close_by"), f"{what} close_by")
                    if "close_by" in body else (model.RoleRef("secretariat", council),))
        if pass_to is None or fail_to is None:
            return None
        # A bad threshold is already a problem; keeping the edges spares the user false
        # "unreachable" / "no way out" follow-on errors. Such a flow is never built.
        return model.VoteSpec(
            council=council,
            rule=VoteRule(threshold=threshold or parse_share("majority"), basis=basis,
                          quorum=quorum, presence=presence),
            secret=True if secret is None else secret,
            pass_to=pass_to,
            fail_to=fail_to,
            no_quorum_to=no_quorum or fail_to,
            close_by=close_by,
        )

    def _share(self, node: Node | None, what: str) -> Any:
        if node is None:
            return None
        if not isinstance(node, Scalar) or node.value is None or isinstance(node.value, bool):
            self.p.add(node, f"{what} must be N%, a/b, majority or all")
            return None
        try:
            return parse_share(str(node.value))
        except ValueError as exc:
            self.p.add(node, f"{what}: {exc}")
            return None

    def _notice(self, node: Node | None, what: str, names: list[str]) -> model.NoticeSpec | None:
        p = self.p
        body = p.mapping(node, f"{what} notice")
        if body is None:
            return None
        p.keys(body, f"{what} notice", NOTICE_KEYS, required=["then"])
        window = self._window(body, f"{what} notice", NOTICE_KEYS)
        template_node = body.get("template")
        template = (self._template(template_node, f"{what} notice template")
                    if template_node is not None else
                    (DEFAULT_NOTICE_TEMPLATE if self.env.template_exists(DEFAULT_NOTICE_TEMPLATE)
                     else None))
        then = self._state_ref(body.get("then"), f"{what} notice then", names)
        publisher = "unit"
        if "publisher" in body:
            publisher = p.choice(body.get("publisher"), f"{what} notice publisher",
                                 SCOPES) or "unit"
        if template is None and template_node is None:
            p.add(body, f"{what} notice: template {echo(DEFAULT_NOTICE_TEMPLATE)} is missing")
        if then is None:
            return None
        # As for votes: keep the edge even when the window or template is wrong (reported).
        amount, working = window or (1, True)
        return model.NoticeSpec(amount=amount, working=working, template=template or "", then=then,
                             publisher=publisher)

    def _confirmations(
        self, node: Node | None, what: str, names: list[str]
    ) -> model.ConfirmationsSpec | None:
        p = self.p
        body = p.mapping(node, f"{what} confirmations")
        if body is None:
            return None
        items: list[tuple[str, tuple[model.RoleRef, ...]]] = []
        for key, value in body.items():
            if key.value in ("then", "on_negative"):
                continue
            name = p.string(key, "confirmation key", pattern=model.NAME_RE,
                            hint="use lowercase letters, digits and '_'")
            roles = self._roles(value, f"{what} confirmation {echo(key.value)}")
            if name and roles:
                items.append((name, roles))
        if not items:
            p.add(body, f"{what} confirmations: needs at least one KEY: ROLE@SCOPE "
                        "besides then and on_negative")
        for required in ("then", "on_negative"):
            if required not in body:
                p.add(body, f"{what} confirmations: missing required key {echo(required)}")
        then = self._state_ref(body.get("then"), f"{what} confirmations then", names)
        negative = self._state_ref(body.get("on_negative"), f"{what} on_negative", names)
        if then is None or negative is None or not items:
            return None
        return model.ConfirmationsSpec(items=tuple(items), then=then, on_negative=negative)

    # ---- transitions ---------------------------------------------------------------------

    def _transitions(
        self, node: Node | None, decider: model.FiredBy, load_env: LoadEnv
    ) -> tuple[list[model.TransitionSpec], list[Node]]:
        p = self.p
        out: list[model.TransitionSpec] = []
        nodes: list[Node] = []
        names = list(self.state_nodes)
        for item in p.sequence(node, "transitions"):
            body = p.mapping(item, "a transition")
            if body is None:
                continue
            p.keys(body, "a transition", TRANSITION_KEYS, required=["trigger", "from", "to", "by"])
            trigger_node = body.get("trigger")
            trigger = p.string(trigger_node, "trigger", pattern=model.NAME_RE,
                               hint="use lowercase letters, digits and '_'")
            if trigger_node is not None and trigger in RESERVED_TRIGGERS:
                p.add(trigger_node, f"trigger {echo(trigger)} is built in; choose another name")
                trigger = None
            sources: list[str] = []
            from_node = body.get("from")
            from_items = p.sequence(from_node, "from", single_ok=True)
            if from_node is not None and not from_items and isinstance(from_node, Sequence):
                p.add(from_node, "from needs at least one state")
            for src in from_items:
                ref = self._state_ref(src, "from", names)
                if ref:
                    sources.append(ref)
            dest = self._state_ref(body.get("to"), "to", names)
            fired_by = self._fired_by(body.get("by"), decider) if "by" in body else None
            require = self._require(body.get("require"), load_env)
            comment = p.choice(body.get("comment"), "comment", ["required", "optional"])
            if trigger is None or not sources or dest is None:
                continue
            # A bad 'by' is already reported; keep the edge so the graph checks do not add
            # false "unreachable" errors. Such a flow is never built.
            fired_by = fired_by or model.FiredBy()
            out.append(model.TransitionSpec(
                trigger=trigger,
                sources=tuple(dict.fromkeys(sources)),
                dest=dest,
                by=fired_by,
                require=require,
                comment=comment or "optional",  # type: ignore[arg-type]
                label=p.text(body.get("label"), f"transition {echo(trigger)} label"),
            ))
            nodes.append(body)
        return out, nodes

    def _require(self, node: Node | None, load_env: LoadEnv) -> tuple[model.GuardCall, ...]:
        p = self.p
        calls: list[model.GuardCall] = []
        for item in p.sequence(node, "require", single_ok=True):
            arg: Node | None
            if isinstance(item, Scalar) and isinstance(item.value, str):
                name_node, arg = item, None
            elif isinstance(item, Mapping) and len(item.values) == 1:
                name_node, arg = next(iter(item.items()))
            else:
                p.add(item, "a requirement is a guard name or {guard: argument}")
                continue
            name = str(name_node.value)
            guard = self.env.guards.get(name)
            if guard is None:
                known = self.env.guards.names()
                p.add(name_node, f"unknown guard {echo(name)}{suggest(name, known)}; "
                                 f"known guards: {', '.join(known)}")
                continue
            before = len(p)
            value = guard.check(arg, name_node, load_env, p)
            if len(p) == before:
                calls.append(model.GuardCall(name, value))
        return tuple(calls)

