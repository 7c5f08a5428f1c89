"""The strict flow loader and its graph validation (SPEC §3).

Most tests take ``BASE`` — a small flow that uses every kind of state — change one thing with
:func:`mutate` and assert the exact problem: its ``file:line:col`` and message. Locations are
written as a needle with a ``|`` cursor (``"to: |submited"``), so a test names the very spot
in the text it expects the problem at.

Sections: helpers · 1 corpus · 2 strictness · 3 references · 4 graph · 5 all problems at once ·
6 versions · 7 security (registry and machine) · 8 property-based tests · known bugs (strict
xfails, each describing a defect in production code).
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import random
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflow.calendar import load_calendar
from workflow.catalogue import load_catalogue
from workflow.definitions import load_definitions
from workflow.directory import load_directory
from workflow.documents import Renderer
from workflow.errors import DefinitionError, GuardRefused, NotAllowed, Problem
from workflow.flow import INTERNAL, NAME_RE, EdgeKind, FlowSpec
from workflow.flow.io import render_graph
from workflow.flow.io.reader import (
    FLOW_KEYS,
    NOTICE_KEYS,
    RESERVED_TRIGGERS,
    STATE_KEYS,
    STEP_KEYS,
    TRANSITION_KEYS,
    VOTE_KEYS,
    FlowEnv,
    load_flow,
    parse_flow,
)
from workflow.machine import CompiledFlow
from workflow.yamlnodes import canonical_json, parse_yaml

ROOT = Path(__file__).resolve().parents[1]
FLOWS = sorted((ROOT / "definitions" / "flows").glob("*.yaml"))
DEFS = load_definitions(ROOT / "definitions", [], Renderer(ROOT / "templates").exists)
ENV: FlowEnv = DEFS.env
FILE = "f.yaml"

# A flow using every kind of state (task, confirmations, vote, notice, hold, finals), guards
# with arguments, an SLA with escalation (notify and fire), flow and block style.
BASE = """\
# A small flow that uses every kind of state; tests mutate it one line at a time.
flow: sample
title: {vi: "Mẫu thử", en: "Sample"}
award: CSTDCS
nominee: individual
calendar: vn
decider: unit_head@unit
on_upheld: rejected
fields:
  year: {type: integer, required: true, min: 2000}
  rating: {type: enum, values: [HTXS, HTT, HT, KHT], required: true}
  initiative: {type: string}
documents:
  to_trinh: {label: {vi: "Tờ trình", en: "Cover letter"}}
  bao_cao: {label: "Báo cáo thành tích"}
states:
  draft: {initial: true}
  submitted:
    sla: {working_days: 5}
    escalate:
      - {after: 80%, notify: secretariat@unit}
      - {after: 100%, fire: expire}
  checks:
    type: confirmations
    confirmations: {tax: tax_officer@province, then: voting, on_negative: not_eligible}
  voting:
    type: vote
    vote: {council: unit, threshold: 80%, of: members, quorum: 2/3, secret: true,
           pass: notice, fail: not_passed}
  notice:
    type: notice
    notice: {working_days: 10, template: notice.html.j2, then: pending_decision}
  on_hold: {type: hold}
  pending_decision:
    sla: {days: 5}
  awarded: {final: true, outcome: awarded, render: [decision.html.j2]}
  not_passed: {final: true, outcome: rejected}
  not_eligible: {final: true, outcome: rejected}
  rejected: {final: true, outcome: rejected}
  expired: {final: true, outcome: withdrawn}
transitions:
  - {trigger: submit, from: draft, to: submitted, by: officer@unit,
     require: [fields_complete, {documents: [to_trinh, bao_cao]}]}
  - {trigger: expire, from: submitted, to: expired, by: system}
  - {trigger: accept, from: submitted, to: checks, by: secretariat@unit,
     require: [{eligible: CSTDCS}, no_open_objections]}
  - trigger: award
    from: pending_decision
    to: awarded
    by: decider
    require:
      - field: {name: rating, op: in, value: [HTXS, HTT]}
  - {trigger: reject, from: pending_decision, to: rejected, by: decider, comment: required}
"""

BASE_STATES = [
    "draft", "submitted", "checks", "voting", "notice", "on_hold", "pending_decision",
    "awarded", "not_passed", "not_eligible", "rejected", "expired",
]
STATE_LIST = ", ".join(BASE_STATES)  # how 'unknown state' messages list the states


# ---- helpers ----------------------------------------------------------------------------------


def load(text: str, file: str = FILE, **kwargs: Any) -> FlowSpec:
    return parse_flow(text, file, ENV, **kwargs)


def problems(text: str, file: str = FILE, **kwargs: Any) -> list[Problem]:
    """The problems ``text`` is rejected with (fails the test if it loads)."""
    with pytest.raises(DefinitionError) as info:
        load(text, file, **kwargs)
    found = info.value.problems
    assert found, "a DefinitionError must carry at least one problem"
    return found


def mutate(old: str, new: str, text: str = BASE) -> str:
    """``text`` with the one occurrence of ``old`` replaced (guards the test against rot)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def where(text: str, at: str, nth: int = 1) -> tuple[int, int]:
    """1-based (line, col) of the ``|`` cursor in needle ``at``, at its ``nth`` occurrence."""
    assert at.count("|") == 1, "put one '|' where the problem is expected"
    offset = at.index("|")
    needle = at.replace("|", "")
    index = -1
    for _ in range(nth):
        index = text.index(needle, index + 1)
    index += offset
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def expect(
    text: str, at: str | tuple[int, int], message: str, *, nth: int = 1, only: bool = False,
    file: str = FILE, **kwargs: Any,
) -> Problem:
    """Assert ``text`` is rejected with a problem at ``at`` whose message contains ``message``;
    with ``only``, that it is the only problem."""
    line, col = where(text, at, nth) if isinstance(at, str) else at
    found = problems(text, file, **kwargs)
    shown = "\n".join(map(str, found))
    match = [p for p in found if (p.line, p.col) == (line, col) and message in p.message]
    assert match, f"no problem at {line}:{col} containing {message!r}; got:\n{shown}"
    problem = match[0]
    assert problem.file == file
    assert str(problem) == f"{file}:{line}:{col}: {problem.message}"
    if only:
        assert len(found) == 1, f"expected only that problem; got:\n{shown}"
    return problem


def triples(spec: FlowSpec) -> set[tuple[str, tuple[str, ...], str]]:
    return {(t.trigger, t.sources, t.dest) for t in spec.transitions}


@dataclass
class StubContext:
    """A GuardContext for the machine: what a guard may read about the item."""

    fields: dict[str, Any] = field(default_factory=dict)
    required_fields: tuple[str, ...] = ()
    docs: set[str] = field(default_factory=set)
    objections: int = 0
    ineligible: str | None = None  # the failed catalogue rule, None when eligible
    asked: list[str] = field(default_factory=list)

    def documents(self) -> set[str]:
        return set(self.docs)

    def open_objections(self) -> int:
        return self.objections

    def eligibility(self, award: str) -> str | None:
        self.asked.append(award)
        return self.ineligible


def complete_context(**changes: Any) -> StubContext:
    ctx = StubContext(
        fields={"year": 2026, "rating": "HTXS"},
        required_fields=("year", "rating"),
        docs={"to_trinh", "bao_cao"},
    )
    for name, value in changes.items():
        setattr(ctx, name, value)
    return ctx


# ---- 0. the base flow every other test mutates -------------------------------------------------


def test_base_flow_loads_as_written() -> None:
    spec = load(BASE)
    assert spec.id == "sample"
    assert list(spec.states) == BASE_STATES
    assert spec.initial == "draft"
    assert spec.hold_state == "on_hold"
    assert spec.on_upheld == "rejected"
    assert spec.state("checks").confirmations is not None
    assert spec.state("voting").vote is not None
    assert spec.state("voting").vote.pass_to == "notice"  # type: ignore[union-attr]
    assert spec.state("notice").notice is not None
    assert spec.state("notice").notice.then == "pending_decision"  # type: ignore[union-attr]
    assert [s.percent for s in spec.state("submitted").escalate] == [80, 100]
    assert spec.state("submitted").escalate[1].fire == "expire"
    assert triples(spec) == {
        ("submit", ("draft",), "submitted"),
        ("expire", ("submitted",), "expired"),
        ("accept", ("submitted",), "checks"),
        ("award", ("pending_decision",), "awarded"),
        ("reject", ("pending_decision",), "rejected"),
    }
    assert spec.source == BASE


# ---- 1. corpus: the shipped definitions load ----------------------------------------------------


@pytest.mark.parametrize("path", FLOWS, ids=[p.stem for p in FLOWS])
def test_shipped_flow_loads_with_its_file_name_as_id(path: Path) -> None:
    spec = load_flow(path, ENV)
    assert spec.id == path.stem
    assert spec.path == str(path)
    assert re.fullmatch(r"[0-9a-f]{64}", spec.version)
    assert spec.award in DEFS.catalogue.codes()
    assert spec.calendar in DEFS.calendars
    # The stored text re-parses to the same version (items in flight keep their definition).
    assert DEFS.parse_stored(spec.source, str(path)).version == spec.version
    CompiledFlow(spec, ENV.guards)  # and compiles into a state machine


@pytest.mark.parametrize("path", FLOWS, ids=[p.stem for p in FLOWS])
def test_shipped_flow_edges_are_the_machine_the_checks_and_the_diagram(path: Path) -> None:
    spec = load_flow(path, ENV)
    edges = spec.edges()
    # The compiled machine holds exactly these edges: none missing, none added.
    machine = CompiledFlow(spec, ENV.guards)
    assert sorted(machine.moves()) == sorted((e.source, e.trigger, e.dest) for e in edges)
    # The graph checks accepted the flow on the same edges: every state is reachable without
    # resuming, and exactly the non-final states other than the hold have a way forward.
    seen, todo = {spec.initial}, [spec.initial]
    while todo:
        here = todo.pop()
        for e in edges:
            if e.source == here and e.kind is not EdgeKind.RESUME and e.dest not in seen:
                seen.add(e.dest)
                todo.append(e.dest)
    assert seen == set(spec.states)
    for state in spec.states.values():
        forward = [e for e in edges if e.source == state.name and not e.kind.detour]
        assert bool(forward) == (not state.final and state.type != "hold"), state.name
    # The diagram draws every forward edge, dashed when implicit, in the same order, and no
    # detour; a no-quorum edge only where it goes elsewhere than a failed vote.
    drawn = re.findall(r'^    "([^"]+)" -> "([^"]+)" \[label="[^"]*"(, style=dashed)?\];$',
                       render_graph(spec, "dot"), re.MULTILINE)
    fail_to = {name: s.vote.fail_to for name, s in spec.states.items() if s.vote}
    assert drawn == [
        (e.source, e.dest, "" if e.kind is EdgeKind.DECLARED else ", style=dashed")
        for e in edges
        if not e.kind.detour and not (e.kind is EdgeKind.NO_QUORUM and e.dest == fail_to[e.source])
    ]


def test_corpus_is_not_empty_and_all_flows_are_in_definitions() -> None:
    assert {p.stem for p in FLOWS} >= {"chien-si-thi-dua-co-so", "bang-khen-tinh",
                                       "khen-thuong-dot-xuat"}
    assert DEFS.broken == {}
    assert set(DEFS.flows) == {p.stem for p in FLOWS}


def test_catalogue_calendars_and_sample_directory_load() -> None:
    catalogue = load_catalogue(ROOT / "definitions" / "catalogue.yaml")
    assert {"LDTT", "CSTDCS"} <= set(catalogue.codes())
    assert catalogue.fields_used()["CSTDCS"] == {"rating", "initiative"}
    calendars = sorted((ROOT / "definitions" / "calendars").glob("*.yaml"))
    assert [p.stem for p in calendars] == sorted(DEFS.calendars)
    for path in calendars:
        assert load_calendar(path) is not None
    directory = load_directory(ROOT / "definitions" / "directory.sample.yaml", catalogue.codes())
    assert directory.units and directory.people


def test_load_definitions_reports_a_broken_flow_without_stopping_the_others(
    tmp_path: Path,
) -> None:
    (tmp_path / "broken.yaml").write_text(mutate("flow: sample", "flow: broken").replace(
        "to: submitted", "to: submited"), encoding="utf-8")
    (tmp_path / "sample.yaml").write_text(BASE, encoding="utf-8")
    defs = load_definitions(ROOT / "definitions", [tmp_path], Renderer(ROOT / "templates").exists)
    assert "sample" in defs.flows and "chien-si-thi-dua-co-so" in defs.flows
    assert list(defs.broken) == [str(tmp_path / "broken.yaml")]
    with pytest.raises(DefinitionError) as info:
        defs.flow("broken")
    assert info.value is defs.broken[str(tmp_path / "broken.yaml")]
    assert any("to: unknown state 'submited' (did you mean 'submitted'?)" in p.message
               for p in info.value.problems)


# ---- 2. strictness ------------------------------------------------------------------------------


def test_allowed_key_lists_cover_the_spec() -> None:
    # The messages below list the loader's own key lists; pin what SPEC §3 needs in them.
    assert {"flow", "title", "award", "nominee", "calendar", "decider", "on_upheld", "fields",
            "documents", "states", "transitions"} <= set(FLOW_KEYS)
    assert {"type", "initial", "final", "outcome", "sla", "escalate", "render", "vote",
            "notice", "confirmations"} <= set(STATE_KEYS)
    assert {"council", "threshold", "of", "quorum", "secret", "pass", "fail"} <= set(VOTE_KEYS)
    assert {"working_days", "days", "template", "then"} <= set(NOTICE_KEYS)
    assert set(STEP_KEYS) == {"after", "notify", "fire"}
    assert {"trigger", "from", "to", "by", "require", "comment"} <= set(TRANSITION_KEYS)


def allowed(keys: list[str]) -> str:
    return "; allowed: " + ", ".join(keys)


def test_unknown_top_level_key_lists_the_allowed_keys() -> None:
    text = mutate("nominee: individual\n", "nominee: individual\nreviewers: 3\n")
    expect(text, "|reviewers:", "unknown key 'reviewers' in the flow" + allowed(FLOW_KEYS),
           only=True)


def test_top_level_near_miss_gets_did_you_mean() -> None:
    text = mutate("transitions:", "transitons:")
    expect(text, "|transitons:", "unknown key 'transitons' in the flow "
           "(did you mean 'transitions'?)" + allowed(FLOW_KEYS))
    expect(text, "|flow: sample", "the flow is missing required key 'transitions'")


def test_unknown_key_in_a_state() -> None:
    text = mutate("    sla: {days: 5}\n", "    sla: {days: 5}\n    lable: Chờ quyết định\n")
    expect(text, "    |lable:", "unknown key 'lable' in state 'pending_decision' "
           "(did you mean 'label'?)" + allowed(STATE_KEYS), only=True)


def test_unknown_key_in_a_vote_block() -> None:
    text = mutate("quorum: 2/3", "quorom: 2/3")
    expect(text, "|quorom", "unknown key 'quorom' in state 'voting' vote (did you mean "
           "'quorum'?)" + allowed(VOTE_KEYS), only=True)


def test_unknown_key_in_a_notice_block() -> None:
    # The template falls back to notice.html.j2, so the typo is the only problem.
    text = mutate("template: notice.html.j2", "templat: notice.html.j2")
    expect(text, "|templat:", "unknown key 'templat' in state 'notice' notice (did you mean "
           "'template'?)" + allowed(NOTICE_KEYS), only=True)


def test_unknown_key_in_an_escalation_step() -> None:
    text = mutate("{after: 80%, notify: secretariat@unit}",
                  "{after: 80%, notify: secretariat@unit, nofity: officer@unit}")
    expect(text, "|nofity", "unknown key 'nofity' in state 'submitted' escalation step "
           "(did you mean 'notify'?)" + allowed(STEP_KEYS), only=True)


def test_unknown_key_in_a_transition() -> None:
    text = mutate("by: decider, comment: required}", "by: decider, coment: required}")
    expect(text, "|coment", "unknown key 'coment' in a transition (did you mean 'comment'?)"
           + allowed(TRANSITION_KEYS), only=True)


def test_duplicate_top_level_key() -> None:
    text = mutate("nominee: individual\n", "nominee: individual\nnominee: collective\n")
    expect(text, "|nominee: collective", "duplicate key 'nominee' (first at line 5)", only=True)


def test_duplicate_key_in_a_state() -> None:
    text = mutate("    sla: {days: 5}\n", "    sla: {days: 5}\n    sla: {days: 6}\n")
    first, _ = where(BASE, "|    sla: {days: 5}")
    expect(text, "    |sla: {days: 6}", f"duplicate key 'sla' (first at line {first})",
           only=True)


def test_duplicate_state_name() -> None:
    text = mutate("  expired: {final: true, outcome: withdrawn}\n",
                  "  expired: {final: true, outcome: withdrawn}\n  draft: {initial: true}\n")
    expect(text, "|draft", "duplicate key 'draft' (first at line 17)", nth=2, only=True)


@pytest.mark.parametrize(
    ("old", "new", "at", "message"),
    [
        ("  draft: {initial: true}", "  draft: {initial: true",
         "  submitted|:", "malformed YAML: while parsing a flow mapping did not find expected "
         "',' or '}'"),
        ("nominee: individual", "nominee: [individual", "calendar|: vn",
         "malformed YAML: while parsing a flow sequence"),
        ("calendar: vn\n", "calendar: vn\n\tdecider: x\n", "|\tdecider",
         "malformed YAML: while scanning a plain scalar found a tab character that violates "
         "indentation"),
        ('title: {vi: "Mẫu thử", en: "Sample"}', "title: 'Mẫu thử", "END",
         "malformed YAML: while scanning a quoted scalar found unexpected end of stream"),
        ("on_upheld: rejected\n", "on_upheld: rejected\n---\nflow: second\n", "|---",
         "malformed YAML: expected a single document in the stream but found another"),
    ],
    ids=["flow-mapping", "flow-sequence", "tab", "unterminated-quote", "two-documents"],
)
def test_malformed_yaml_is_located(old: str, new: str, at: str, message: str) -> None:
    text = mutate(old, new)
    found = problems(text)
    assert len(found) == 1, found
    assert found[0].message.startswith(message), found[0]
    expected = (text.count("\n") + 1, 1) if at == "END" else where(text, at)
    assert (found[0].line, found[0].col) == expected, found[0]


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!python/object/apply:os.system ['true']",
         "tag:yaml.org,2002:python/object/apply:os.system"),
        ("!!python/name:os.system", "tag:yaml.org,2002:python/name:os.system"),
        ("!!python/object:collections.OrderedDict {}",
         "tag:yaml.org,2002:python/object:collections.OrderedDict"),
        ("!include secrets.yaml", "!include"),
        ("!!binary aGVsbG8=", "tag:yaml.org,2002:binary"),
        ("!!set {a, b}", "tag:yaml.org,2002:set"),
    ],
    ids=["python-apply", "python-name", "python-object", "local", "binary", "set"],
)
def test_non_standard_tags_are_rejected(value: str, tag: str) -> None:
    text = mutate('title: {vi: "Mẫu thử", en: "Sample"}', f"title: {value}")
    expect(text, "title: |!", f"tag {tag!r} is not allowed in definitions")


def test_merge_keys_are_rejected() -> None:
    text = mutate("  draft: {initial: true}", "  draft: {<<: {initial: true}}")
    expect(text, "{|<<", "merge keys ('<<') are not allowed in definitions", only=True)


YES_NO_FLOW = """\
flow: yes-no
title: T
award: LDTT
nominee: individual
calendar: vn
decider: unit_head@unit
fields:
  answer: {type: enum, values: [yes, no, on, off, y, n]}
states:
  on: {initial: true}
  off:
    sla: {days: 2}
    escalate: [{after: 100%, fire: off}]
  yes: {final: true, outcome: awarded}
  no: {final: true, outcome: rejected}
transitions:
  - {trigger: on, from: on, to: off, by: officer@unit}
  - {trigger: yes, from: off, to: yes, by: decider}
  - {trigger: no, from: [on, off], to: no, by: decider}
  - trigger: off
    from: off
    to: no
    by: system
"""


def test_yaml11_booleans_stay_strings_as_state_and_trigger_names() -> None:
    spec = load(YES_NO_FLOW)
    assert list(spec.states) == ["on", "off", "yes", "no"]
    assert all(type(name) is str for name in spec.states)
    assert spec.initial == "on"
    assert spec.on_upheld == "no"  # the first final state with outcome rejected
    assert triples(spec) == {
        ("on", ("on",), "off"),
        ("yes", ("off",), "yes"),
        ("no", ("on", "off"), "no"),
        ("off", ("off",), "no"),
    }
    assert spec.state("off").escalate[0].fire == "off"
    assert spec.fields["answer"].values == ("yes", "no", "on", "off", "y", "n")
    assert all(type(v) is str for v in spec.fields["answer"].values)
    # The machine takes them as they are, too.
    machine = CompiledFlow(spec, ENV.guards)
    assert machine.fire("on", "on", StubContext()) == "off"
    assert machine.fire("off", "yes", StubContext()) == "yes"


def test_yaml12_booleans_are_booleans_where_a_boolean_is_expected() -> None:
    # ``initial: yes`` is the string 'yes' (YAML 1.2), so it is not a boolean.
    text = mutate("  draft: {initial: true}", "  draft: {initial: yes}")
    expect(text, "{initial: |yes}", "state 'draft' initial must be true or false")


@pytest.mark.parametrize(
    ("file_name", "ok"), [("sample.yaml", True), ("other-name.yaml", False)]
)
def test_flow_id_must_match_the_file_name(tmp_path: Path, file_name: str, ok: bool) -> None:
    path = tmp_path / file_name
    path.write_text(BASE, encoding="utf-8")
    if ok:
        spec = load_flow(path, ENV)
        assert (spec.id, spec.path) == ("sample", str(path))
        return
    with pytest.raises(DefinitionError) as info:
        load_flow(path, ENV)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:2:7: flow id 'sample' must match the file name 'other-name'"
    ]


def test_unreadable_flow_file_is_a_definition_error(tmp_path: Path) -> None:
    path = tmp_path / "sample.yaml"
    path.write_bytes(b"flow: sample\ntitle: \xff\xfe\n")
    with pytest.raises(DefinitionError) as info:
        load_flow(path, ENV)
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.col) == (str(path), 1, 1)
    assert problem.message.startswith("cannot read:")


@pytest.mark.parametrize(
    ("flow_id", "message"),
    [
        ("Sample", "flow id 'Sample' is not well formed; use lowercase letters, digits and '-'"),
        ("sample_flow", "flow id 'sample_flow' is not well formed"),
        ("-sample", "flow id '-sample' is not well formed"),
        ("sample-", "flow id 'sample-' is not well formed"),
        ("a--b", "flow id 'a--b' is not well formed"),
        ("1sample", "flow id '1sample' is not well formed"),
        ("2026", "flow id must be a non-empty string; use lowercase letters, digits and '-'"),
        ('""', "flow id must be a non-empty string"),
    ],
)
def test_flow_id_pattern(flow_id: str, message: str) -> None:
    text = mutate("flow: sample", f"flow: {flow_id}")
    expect(text, "flow: |", message, only=True)


def test_well_formed_flow_ids_load() -> None:
    for flow_id in ("a", "a1", "bang-khen-tinh", "x-2-y"):
        assert load(mutate("flow: sample", f"flow: {flow_id}")).id == flow_id


@pytest.mark.parametrize(
    ("old", "new", "at", "message"),
    [
        ("  draft: {initial: true}", "  Draft: {initial: true}", "  |Draft",
         "state name 'Draft' is not well formed; use lowercase letters, digits and '_'"),
        ("{trigger: reject,", "{trigger: Reject,", "trigger: |Reject",
         "trigger 'Reject' is not well formed; use lowercase letters, digits and '_'"),
        ("{trigger: reject,", "{trigger: true,", "trigger: |true",
         "trigger must be a non-empty string"),
        ("  bao_cao: {label", "  bao-cao: {label", "  |bao-cao",
         "document type 'bao-cao' is not well formed"),
        ("  initiative: {type: string}", "  initiative: {type: str}", "type: |str}",
         "field 'initiative' type 'str' is not allowed (did you mean 'string'?)"),
        ("nominee: individual", "nominee: person", "nominee: |person",
         "nominee 'person' is not allowed; allowed: individual, collective, household, "
         "enterprise"),
        ("  on_hold: {type: hold}", "  on_hold: {type: pause}", "type: |pause",
         "state 'on_hold' type 'pause' is not allowed; allowed: task, vote, notice, "
         "confirmations, hold"),
        ("threshold: 80%", "threshold: 80", "threshold: |80",
         "state 'voting' threshold: threshold '80' is not a share"),
        ("sla: {working_days: 5}", "sla: {working_days: 0}", "working_days: |0",
         "state 'submitted' sla working_days must be at least 1, got 0"),
        ("{after: 80%, notify", "{after: 0%, notify", "after: |0%",
         "state 'submitted': after '0%' must be N% with 0 < N <= 1000"),
        ("comment: required}", "comment: always}", "comment: |always",
         "comment 'always' is not allowed; allowed: required, optional"),
    ],
    ids=["state-name", "trigger-name", "trigger-bool", "document-name", "field-type",
         "nominee", "state-type", "threshold", "sla-zero", "after-zero", "comment"],
)
def test_values_are_checked_and_located(old: str, new: str, at: str, message: str) -> None:
    expect(mutate(old, new), at, message)


# ---- 3. references ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "at", "message"),
    [
        ("to: submitted,", "to: submited,", "to: |submited",
         "to: unknown state 'submited' (did you mean 'submitted'?)"),
        ("{trigger: submit, from: draft,", "{trigger: submit, from: draf,", "from: |draf",
         "from: unknown state 'draf' (did you mean 'draft'?)"),
        ("from: pending_decision, to: rejected", "from: [pending_decison], to: rejected",
         "from: [|pending_decison]",
         "from: unknown state 'pending_decison' (did you mean 'pending_decision'?)"),
        ("pass: notice,", "pass: notise,", "pass: |notise",
         "state 'voting' pass: unknown state 'notise' (did you mean 'notice'?)"),
        ("fail: not_passed}", "fail: not_pased}", "fail: |not_pased",
         "state 'voting' fail: unknown state 'not_pased' (did you mean 'not_passed'?)"),
        ("then: pending_decision}", "then: pending_decison}", "then: |pending_decison",
         "state 'notice' notice then: unknown state 'pending_decison' "
         "(did you mean 'pending_decision'?)"),
        ("then: voting,", "then: votng,", "then: |votng",
         "state 'checks' confirmations then: unknown state 'votng' (did you mean 'voting'?)"),
        ("on_negative: not_eligible}", "on_negative: not_eligble}", "on_negative: |not_eligble",
         "state 'checks' on_negative: unknown state 'not_eligble' "
         "(did you mean 'not_eligible'?)"),
        ("on_upheld: rejected", "on_upheld: rejectd", "on_upheld: |rejectd",
         "on_upheld: unknown state 'rejectd' (did you mean 'rejected'?)"),
    ],
    ids=["to", "from", "from-list", "vote-pass", "vote-fail", "notice-then",
         "confirmations-then", "on-negative", "on-upheld"],
)
def test_unknown_state_reference_suggests_the_near_miss(
    old: str, new: str, at: str, message: str
) -> None:
    problem = expect(mutate(old, new), at, message)
    assert problem.message.endswith(f"; states: {STATE_LIST}")


def test_unknown_state_without_a_near_miss_has_no_suggestion() -> None:
    problem = expect(mutate("to: submitted,", "to: zzz,"), "to: |zzz", "to: unknown state 'zzz'")
    assert "did you mean" not in problem.message


def test_unknown_guard_suggests_and_lists_the_known_guards() -> None:
    text = mutate("require: [fields_complete,", "require: [fields_complet,")
    expect(text, "[|fields_complet", "unknown guard 'fields_complet' (did you mean "
           "'fields_complete'?); known guards: cluster_leader, documents, eligible, field, "
           "fields_complete, no_open_objections, registered", only=True)


def test_guard_with_argument_written_as_a_mapping_with_two_keys() -> None:
    text = mutate("{eligible: CSTDCS}", "{eligible: CSTDCS, documents: [to_trinh]}")
    expect(text, "[|{eligible", "a requirement is a guard name or {guard: argument}", only=True)


@pytest.mark.parametrize(
    ("old", "new", "at", "message"),
    [
        ("{documents: [to_trinh, bao_cao]}", "{documents: [to_trinh, giay_khen]}",
         "|giay_khen", "document type 'giay_khen' is not allowed; allowed: to_trinh, bao_cao"),
        ("{documents: [to_trinh, bao_cao]}", "{documents: [to_trinh, bao_ca]}",
         "|bao_ca]", "document type 'bao_ca' is not allowed (did you mean 'bao_cao'?)"),
        ("{documents: [to_trinh, bao_cao]}", "{documents: []}",
         "{documents: |[]", "documents: needs a list of document types"),
        ("{documents: [to_trinh, bao_cao]}", "documents",
         "|documents]", "documents: needs a list of document types"),
        ("{eligible: CSTDCS}", "{eligible: CSTDC}", "eligible: |CSTDC",
         "eligible award code 'CSTDC' is not allowed (did you mean 'CSTDCS'?); allowed: "),
        ("{eligible: CSTDCS}", "eligible", "|eligible,",
         "eligible: needs an award code from the catalogue"),
        ("name: rating, op: in", "name: ratng, op: in", "name: |ratng",
         "field name 'ratng' is not allowed (did you mean 'rating'?); allowed: year, rating, "
         "initiative"),
        ("op: in, value", "op: like, value", "op: |like",
         "field op 'like' is not allowed (did you mean 'le'?); allowed: eq, ne, lt, le, gt, "
         "ge, in, not_in, present, absent, ==, !=, <, <=, >, >="),
        ("value: [HTXS, HTT]", "value: HTXS", "value: |HTXS",
         "field op 'in' needs a list value"),
        ("op: in, value: [HTXS, HTT]", "op: eq", "|{name: rating, op: eq}",
         "field op 'eq' needs a value"),
        ("op: in, value: [HTXS, HTT]", "op: eq, value: {a: 1}", "value: |{a: 1}",
         "field value must be a scalar or a list"),
        ("{name: rating, op: in, value: [HTXS, HTT]}", "{name: rating}",
         "|{name: rating}", "field guard is missing required key 'op'"),
        ("{name: rating, op: in, value: [HTXS, HTT]}",
         "{name: rating, op: present, valu: 1}", "|valu:",
         "unknown key 'valu' in field guard (did you mean 'value'?)"),
        ("require: [fields_complete,", "require: [{fields_complete: [a]},",
         "{fields_complete: |[a]",
         "this guard takes no argument"),
    ],
    ids=["documents-undeclared", "documents-near-miss", "documents-empty", "documents-no-arg",
         "eligible-unknown", "eligible-no-arg", "field-unknown", "field-bad-op",
         "field-in-needs-list", "field-needs-value", "field-mapping-value", "field-no-op",
         "field-unknown-key", "no-arg-guard"],
)
def test_guard_arguments_are_checked(old: str, new: str, at: str, message: str) -> None:
    expect(mutate(old, new), at, message, only=True)


def test_eligible_needs_the_fields_its_catalogue_rules_read() -> None:
    # CSTDCS rules read 'rating' and 'initiative'; drop 'initiative' from the flow.
    text = mutate("  initiative: {type: string}\n", "")
    expect(text, "eligible: |CSTDCS", "eligible: the rules of CSTDCS read field(s) initiative, "
           "which this flow does not declare", only=True)
    # Without any fields both are missing (and the field guard has nothing to compare).
    text = re.sub(r"fields:\n(  .*\n)+", "", BASE)
    expect(text, "eligible: |CSTDCS", "eligible: the rules of CSTDCS read field(s) initiative, "
           "rating, which this flow does not declare")


def test_documents_guard_in_a_flow_without_documents() -> None:
    text = re.sub(r"documents:\n(  .*\n)+", "", BASE)
    expect(text, "[|to_trinh", "documents: the flow declares no document types")


def test_award_code_must_be_in_the_catalogue() -> None:
    problem = expect(mutate("award: CSTDCS", "award: CSTDC"), "award: |CSTDC",
                     "award code 'CSTDC' is not allowed (did you mean 'CSTDCS'?); allowed: ",
                     only=True)
    assert problem.message.endswith("allowed: " + ", ".join(DEFS.catalogue.codes()))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("vnn", "calendar 'vnn' is not allowed (did you mean 'vn'?); allowed: vn"),
        ("us", "calendar 'us' is not allowed; allowed: vn"),
    ],
)
def test_calendar_must_exist(name: str, message: str) -> None:
    expect(mutate("calendar: vn", f"calendar: {name}"), "calendar: |", message, only=True)


@pytest.mark.parametrize(
    ("old", "new", "at", "message"),
    [
        ("render: [decision.html.j2]", "render: [decison.html.j2]", "[|decison",
         "state 'awarded' render: template 'decison.html.j2' does not exist in templates/"),
        ("render: [decision.html.j2]", "render: decison.html.j2", "render: |decison",
         "state 'awarded' render: template 'decison.html.j2' does not exist in templates/"),
        ("render: [decision.html.j2]", "render: [../decision.html.j2]", "[|../",
         "state 'awarded' render: template '../decision.html.j2' must be a plain file name"),
        ("render: [decision.html.j2]", "render: [sub/decision.html.j2]", "[|sub/",
         "state 'awarded' render: template 'sub/decision.html.j2' must be a plain file name"),
        ("render: [decision.html.j2]", "render: ['sub\\decision.html.j2']", "[|'sub",
         "must be a plain file name"),
        ("render: [decision.html.j2]", "render: [.hidden.j2]", "[|.hidden",
         "template '.hidden.j2' must be a plain file name"),
        ("template: notice.html.j2", "template: missing.html.j2", "template: |missing",
         "state 'notice' notice template: template 'missing.html.j2' does not exist in "
         "templates/"),
        ("template: notice.html.j2", "template: /etc/passwd", "template: |/etc",
         "state 'notice' notice template: template '/etc/passwd' must be a plain file name"),
    ],
    ids=["render", "render-single", "render-dotdot", "render-slash", "render-backslash",
         "render-hidden", "notice", "notice-absolute"],
)
def test_templates_must_exist_and_be_plain_names(
    old: str, new: str, at: str, message: str
) -> None:
    # A bad notice template also drops the notice's 'then' edge (see the report), so only the
    # render cases are the sole problem.
    expect(mutate(old, new), at, message, only=old.startswith("render"))


def test_notice_without_template_needs_the_default_template() -> None:
    text = mutate("template: notice.html.j2, ", "")
    assert load(text).state("notice").notice.template == "notice.html.j2"  # type: ignore[union-attr]
    env = FlowEnv(awards=ENV.awards, award_fields=ENV.award_fields, calendars=ENV.calendars,
                  template_exists=lambda name: name != "notice.html.j2")
    with pytest.raises(DefinitionError) as info:
        parse_flow(text, FILE, env)
    line, col = where(text, "notice: |{working_days")
    assert (f"{FILE}:{line}:{col}: state 'notice' notice: template 'notice.html.j2' is missing"
            in map(str, info.value.problems))


@pytest.mark.parametrize(
    ("old", "new", "at", "message"),
    [
        ("by: officer@unit,\n     require: [fields", "by: officer,\n     require: [fields",
         "by: |officer,", "role 'officer' is not ROLE@SCOPE (e.g. secretariat@province)"),
        ("decider: unit_head@unit", "decider: unit_head", "decider: |unit_head",
         "role 'unit_head' is not ROLE@SCOPE"),
        ("notify: secretariat@unit}", "notify: Secretariat@unit}", "notify: |Secretariat",
         "role 'Secretariat@unit' is not ROLE@SCOPE"),
        ("notify: secretariat@unit}", "notify: secretariat@provnce}", "notify: |secretariat",
         "scope 'provnce' is not allowed (did you mean 'province'?); allowed: unit, parent, "
         "central, ministry, province, department, district, commune, school, enterprise"),
        ("tax: tax_officer@province", "tax: tax_officer@provinse", "tax: |tax_officer",
         "scope 'provinse' is not allowed (did you mean 'province'?)"),
        ("decider: unit_head@unit", "decider: unit_head@@unit", "decider: |unit_head",
         "role 'unit_head@@unit' is not ROLE@SCOPE"),
        ("{trigger: expire, from: submitted, to: expired, by: system}",
         "{trigger: expire, from: submitted, to: expired, by: []}", "by: |[]",
         "by needs 'decider', 'system' or ROLE@SCOPE"),
    ],
    ids=["by", "decider", "uppercase", "scope-typo", "confirmer-scope", "double-at", "by-empty"],
)
def test_roles_and_scopes_are_well_formed(old: str, new: str, at: str, message: str) -> None:
    expect(mutate(old, new), at, message)


def test_role_lists_and_every_scope_load() -> None:
    text = mutate("by: decider, comment: required}",
                  "by: [decider, secretariat@parent, chairman@province, system], "
                  "comment: required}")
    actor = load(text).transition("pending_decision", "reject").by  # type: ignore[union-attr]
    assert [str(r) for r in actor.roles] == ["unit_head@unit", "secretariat@parent",
                                             "chairman@province"]
    assert actor.system and actor.decider


def test_by_decider_needs_a_flow_decider() -> None:
    text = mutate("decider: unit_head@unit\n", "")
    found = problems(text)
    at = [where(text, "by: |decider", 1), where(text, "by: |decider", 2)]
    assert [(p.line, p.col) for p in found
            if p.message == "'by: decider' needs the flow's decider: ROLE@SCOPE"] == at


@pytest.mark.parametrize("name", ["close_vote", "recuse", "vote", "confirm", "object", "resolve"])
def test_reserved_trigger_names(name: str) -> None:
    text = mutate("{trigger: reject,", f"{{trigger: {name},")
    expect(text, f"trigger: |{name},", f"trigger {name!r} is built in; choose another name",
           only=True)


# ---- 4. graph checks ----------------------------------------------------------------------------


def test_no_initial_state_points_at_the_states_block() -> None:
    text = mutate("  draft: {initial: true}", "  draft: {}")
    expect(text, "|states:", "no initial state; mark exactly one state 'initial: true'",
           only=True)


def test_two_initial_states() -> None:
    text = mutate("  submitted:\n", "  submitted:\n    initial: true\n")
    expect(text, "  |submitted:", "state 'submitted': more than one initial state "
           "(first: 'draft')", only=True)


NO_HOLD = mutate("  on_hold: {type: hold}\n", "")


def test_unreachable_state() -> None:
    # Without a hold state: with one, every non-final state counts as reachable (known bug
    # below, test_bug_hold_state_makes_every_state_reachable).
    text = mutate("  pending_decision:\n",
                  "  orphan: {sla: {days: 3}}\n  pending_decision:\n", NO_HOLD)
    text += "  - {trigger: give_up, from: orphan, to: rejected, by: officer@unit}\n"
    expect(text, "  |orphan:", "state 'orphan' is not reachable from the initial state 'draft'",
           only=True)


def test_unreachable_final_state_even_with_a_hold_state() -> None:
    text = mutate("  expired: {final: true, outcome: withdrawn}\n",
                  "  expired: {final: true, outcome: withdrawn}\n"
                  "  lost: {final: true, outcome: withdrawn}\n")
    expect(text, "  |lost:", "state 'lost' is not reachable from the initial state 'draft'",
           only=True)


@pytest.mark.parametrize("body", ["{}", "", "{sla: {days: 3}}"])
def test_non_final_state_without_a_way_out(body: str) -> None:
    text = mutate("  on_hold: {type: hold}\n", f"  on_hold: {{type: hold}}\n  limbo: {body}\n")
    text += "  - {trigger: park, from: pending_decision, to: limbo, by: decider}\n"
    expect(text, "  |limbo:", "state 'limbo' has no way out; add a transition from it or make "
           "it final", only=True)


def test_trap_cycle_that_never_reaches_a_final_state() -> None:
    text = mutate("  on_hold: {type: hold}\n",
                  "  on_hold: {type: hold}\n  loop_a: {}\n  loop_b: {}\n")
    text += ("  - {trigger: spin, from: pending_decision, to: loop_a, by: decider}\n"
             "  - {trigger: go_b, from: loop_a, to: loop_b, by: decider}\n"
             "  - {trigger: go_a, from: loop_b, to: loop_a, by: decider}\n")
    found = problems(text)
    assert [str(p) for p in found] == [
        f"{FILE}:{where(text, '  |loop_a:')[0]}:3: state 'loop_a' can never reach a final "
        "state (a trap)",
        f"{FILE}:{where(text, '  |loop_b:')[0]}:3: state 'loop_b' can never reach a final "
        "state (a trap)",
    ]


def test_a_cycle_with_an_exit_is_not_a_trap() -> None:
    text = mutate("  on_hold: {type: hold}\n",
                  "  on_hold: {type: hold}\n  loop_a: {}\n  loop_b: {}\n")
    text += ("  - {trigger: spin, from: pending_decision, to: loop_a, by: decider}\n"
             "  - {trigger: go_b, from: loop_a, to: loop_b, by: decider}\n"
             "  - {trigger: go_a, from: loop_b, to: loop_a, by: decider}\n"
             "  - {trigger: out, from: loop_b, to: rejected, by: decider}\n")
    assert {"loop_a", "loop_b"} <= set(load(text).states)


def test_transition_out_of_a_final_state() -> None:
    text = BASE + "  - {trigger: reopen, from: rejected, to: draft, by: officer@unit}\n"
    expect(text, "  - |{trigger: reopen", "transition 'reopen': final state 'rejected' cannot "
           "have transitions out", only=True)


def test_final_state_without_outcome() -> None:
    text = mutate("expired: {final: true, outcome: withdrawn}", "expired: {final: true}")
    expect(text, "expired: |{final", "state 'expired': a final state needs outcome: awarded | "
           "rejected | withdrawn", only=True)


def test_outcome_on_a_non_final_state() -> None:
    text = mutate("    sla: {days: 5}\n", "    sla: {days: 5}\n    outcome: awarded\n")
    expect(text, "    |outcome: awarded", "state 'pending_decision': outcome is only for final "
           "states", only=True)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("sla: {days: 1}", "state 'expired': a final state cannot have sla"),
        ("initial: true", "state 'expired': a final state cannot have initial"),
        ("type: hold", "state 'expired': a final state cannot be of type hold"),
    ],
)
def test_final_state_cannot_be_timed_initial_or_typed(extra: str, message: str) -> None:
    text = mutate("expired: {final: true, outcome: withdrawn}",
                  f"expired: {{final: true, outcome: withdrawn, {extra}}}")
    expect(text, "withdrawn, |" + extra.split(":", 1)[0], message)


def test_duplicate_trigger_from_the_same_source() -> None:
    text = BASE + "  - {trigger: reject, from: [submitted, pending_decision], to: rejected, " \
                  "by: decider}\n"
    first = where(BASE, "  - |{trigger: reject")[0]
    expect(text, "  - |{trigger: reject", f"trigger 'reject' is declared twice from state "
           f"'pending_decision' (first at line {first})", nth=2, only=True)


def test_same_trigger_from_different_sources_is_fine() -> None:
    text = BASE + "  - {trigger: reject, from: submitted, to: rejected, by: secretariat@unit}\n"
    spec = load(text)
    assert spec.transition("submitted", "reject").by.roles[0].role == "secretariat"  # type: ignore[union-attr]
    assert spec.transition("pending_decision", "reject").by.decider  # type: ignore[union-attr]


def test_escalation_fire_must_name_a_transition_of_its_state() -> None:
    text = mutate("fire: expire}", "fire: expier}")
    expect(text, "  |submitted:", "state 'submitted': escalation fires 'expier', which is not a "
           "transition from this state; declared here: expire, accept", only=True)


def test_escalation_fire_of_a_transition_from_another_state() -> None:
    text = mutate("fire: expire}", "fire: reject}")
    expect(text, "  |submitted:", "escalation fires 'reject', which is not a transition from "
           "this state", only=True)


def test_escalation_fire_must_be_by_system() -> None:
    text = mutate("to: expired, by: system}", "to: expired, by: secretariat@unit}")
    expect(text, "  |submitted:", "state 'submitted': escalation fires 'expire', but that "
           "transition is not 'by: system'", only=True)
    # A transition that people *and* the system may fire is fine.
    both = mutate("to: expired, by: system}", "to: expired, by: [secretariat@unit, system]}")
    assert load(both).transition("submitted", "expire").by.system  # type: ignore[union-attr]


def test_escalate_without_sla() -> None:
    text = mutate("    sla: {working_days: 5}\n", "")
    expect(text, "    |escalate:", "state 'submitted': escalate needs an sla to count from",
           only=True)


def test_escalation_step_needs_notify_or_fire() -> None:
    text = mutate("{after: 80%, notify: secretariat@unit}", "{after: 80%}")
    expect(text, "|{after: 80%}", "state 'submitted': an escalation step needs notify: "
           "ROLE@SCOPE and/or fire: TRIGGER", only=True)


def test_escalation_after_in_days() -> None:
    spec = load(mutate("{after: 80%, notify", "{after: 3, notify"))
    step = spec.state("submitted").escalate[0]
    assert (step.percent, step.days, step.after_text) == (None, 3, "3")


def test_at_most_one_hold_state() -> None:
    text = mutate("  on_hold: {type: hold}\n", "  on_hold: {type: hold}\n  paused: {type: hold}\n")
    expect(text, "  |paused:", "state 'paused': a flow has at most one hold state "
           "(first: 'on_hold')")


def test_no_transition_into_a_hold_state() -> None:
    text = BASE + "  - {trigger: pause, from: pending_decision, to: on_hold, by: decider}\n"
    expect(text, "  - |{trigger: pause", "transition 'pause': items enter hold state 'on_hold' "
           "only by objections", only=True)


def test_no_transition_out_of_a_hold_state() -> None:
    text = BASE + "  - {trigger: resume, from: on_hold, to: pending_decision, by: decider}\n"
    expect(text, "  - |{trigger: resume", "transition 'resume': hold state 'on_hold' is left "
           "by resolving objections, not by transitions", only=True)


def test_hold_state_needs_no_transitions_and_cannot_be_initial() -> None:
    spec = load(BASE)
    assert spec.hold_state == "on_hold"
    assert spec.transitions_from("on_hold") == []
    text = mutate("  on_hold: {type: hold}", "  on_hold: {type: hold, initial: true}")
    expect(text, "hold, |initial", "state 'on_hold': a hold state cannot be initial")


def test_implicit_edges_make_states_reachable() -> None:
    # 'notice' is reached only by the vote's pass, 'not_passed' only by its fail,
    # 'not_eligible' only by on_negative, 'voting' only by confirmations' then, and
    # 'pending_decision' only by the notice's then: all load (see test_base_flow_loads).
    spec = load(BASE)
    declared_targets = {t.dest for t in spec.transitions}
    assert {"notice", "not_passed", "not_eligible", "voting",
            "pending_decision"}.isdisjoint(declared_targets)
    assert load(NO_HOLD).hold_state is None
    # Without the edge, the state is unreachable: pass, then and on_negative count as edges.
    text = mutate("pass: notice,", "pass: pending_decision,", NO_HOLD)
    expect(text, "  |notice:\n", "state 'notice' is not reachable from the initial state "
           "'draft'", only=True)
    text = mutate("then: voting,", "then: pending_decision,", NO_HOLD)
    expect(text, "  |voting:\n", "state 'voting' is not reachable")  # and all behind it
    text = mutate("on_negative: not_eligible}", "on_negative: rejected}")
    expect(text, "  |not_eligible:", "state 'not_eligible' is not reachable", only=True)


def test_edges_are_declared_transitions_then_each_states_implicit_edges() -> None:
    k = EdgeKind

    def detours(state: str) -> list[tuple[str, str, str, EdgeKind]]:
        return [(state, "@upheld", "rejected", k.UPHELD), (state, "@hold", "on_hold", k.HOLD),
                ("on_hold", f"@resume:{state}", state, k.RESUME)]

    edges = [(e.source, e.trigger, e.dest, e.kind) for e in load(BASE).edges()]
    assert edges == [
        ("draft", "submit", "submitted", k.DECLARED),
        ("submitted", "expire", "expired", k.DECLARED),
        ("submitted", "accept", "checks", k.DECLARED),
        ("pending_decision", "award", "awarded", k.DECLARED),
        ("pending_decision", "reject", "rejected", k.DECLARED),
        *detours("draft"),
        *detours("submitted"),
        ("checks", "@then", "voting", k.THEN),
        ("checks", "@negative", "not_eligible", k.NEGATIVE),
        *detours("checks"),
        ("voting", "@pass", "notice", k.VOTE_PASS),
        ("voting", "@fail", "not_passed", k.VOTE_FAIL),
        ("voting", "@no_quorum", "not_passed", k.NO_QUORUM),
        *detours("voting"),
        ("notice", "@then", "pending_decision", k.THEN),
        *detours("notice"),
        *detours("pending_decision"),
        ("on_hold", "@upheld", "rejected", k.UPHELD),
    ]
    # Without a hold state only the upheld detour remains.
    no_hold = load(NO_HOLD).edges()
    assert {e.kind for e in no_hold if e.kind.detour} == {k.UPHELD}
    # Each declared edge carries its declaration (guards, who fires it); implicit ones none.
    spec = load(BASE)
    assert all((e.transition is not None) == (e.kind is k.DECLARED) for e in spec.edges())
    assert next(e for e in spec.edges() if e.trigger == "award").transition is \
        spec.transition("pending_decision", "award")


def test_internal_trigger_values_never_change() -> None:
    # They are written into audit entries; a definition cannot spell them (no '@').
    assert [str(trigger) for trigger in INTERNAL] == [
        "@pass", "@fail", "@no_quorum", "@then", "@negative", "@hold", "@upheld"]
    assert INTERNAL.resume("notice") == "@resume:notice"
    assert not any(NAME_RE.fullmatch(trigger) for trigger in [*INTERNAL, INTERNAL.resume("x")])


def test_vote_no_quorum_is_an_edge_too() -> None:
    text = mutate("fail: not_passed}", "fail: not_passed, no_quorum: no_quorum}")
    text = mutate("  expired:", "  no_quorum: {final: true, outcome: withdrawn}\n  expired:", text)
    spec = load(text)
    assert spec.state("voting").vote.no_quorum_to == "no_quorum"  # type: ignore[union-attr]
    assert load(BASE).state("voting").vote.no_quorum_to == "not_passed"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("old", "new", "at", "what"),
    [
        ("sla: {days: 5}", "sla: {days: 5, working_days: 5}", "sla: |{days: 5,",
         "state 'pending_decision' sla"),
        ("sla: {days: 5}", "sla: {}", "sla: |{}", "state 'pending_decision' sla"),
        ("notice: {working_days: 10,", "notice: {working_days: 10, days: 10,",
         "notice: |{working_days", "state 'notice' notice"),
        ("notice: {working_days: 10,", "notice: {", "notice: |{", "state 'notice' notice"),
    ],
    ids=["sla-both", "sla-neither", "notice-both", "notice-neither"],
)
def test_window_needs_exactly_one_of_working_days_or_days(
    old: str, new: str, at: str, what: str
) -> None:
    # A broken notice window also drops the notice's 'then' edge (see the report).
    expect(mutate(old, new), at, f"{what} needs exactly one of working_days: N or days: N",
           only=what.endswith("sla"))


def test_state_type_and_block_must_agree() -> None:
    text = mutate("    type: vote\n", "    type: notice\n")
    found = problems(text)
    block, body = where(text, "    |vote: {council"), where(text, "    |type: notice\n")
    assert {(*body, "state 'voting': type notice needs a 'notice:' block"),
            (*block, "state 'voting': 'vote:' belongs to type vote, not notice")} <= {
        (p.line, p.col, p.message) for p in found}


def test_type_is_inferred_from_the_block() -> None:
    text = mutate("    type: vote\n", "")
    assert load(text).state("voting").type == "vote"


def test_confirmations_need_a_confirmer_then_and_on_negative() -> None:
    text = mutate("{tax: tax_officer@province, then: voting, on_negative: not_eligible}",
                  "{then: voting}")
    found = problems(text)
    at = where(text, "confirmations: |{then")
    assert [str(p) for p in found if (p.line, p.col) == at] == [
        f"{FILE}:{at[0]}:{at[1]}: state 'checks' confirmations: missing required key "
        "'on_negative'",
        f"{FILE}:{at[0]}:{at[1]}: state 'checks' confirmations: needs at least one "
        "KEY: ROLE@SCOPE besides then and on_negative",
    ]


def test_on_upheld_defaults_to_the_first_rejected_final_state() -> None:
    text = mutate("on_upheld: rejected\n", "")
    assert load(text).on_upheld == "not_passed"
    # Without any final 'rejected' state the flow must say where upheld objections go.
    no_rejected = re.sub(r"outcome: rejected", "outcome: withdrawn", text)
    expect(no_rejected, "|flow: sample", "no final state with outcome 'rejected' for upheld "
           "objections; declare on_upheld: STATE", only=True)
    assert load(re.sub(r"outcome: rejected", "outcome: withdrawn", BASE)).on_upheld == "rejected"


def test_states_block_must_have_states() -> None:
    text = re.sub(r"states:\n(  .*\n)+", "states: {}\n", BASE)
    found = problems(text)
    at = where(text, "states: |{}")
    assert f"{FILE}:{at[0]}:{at[1]}: states: needs at least one state" in map(str, found)


# ---- 5. every problem at once -------------------------------------------------------------------


def test_all_problems_are_reported_at_once_sorted_by_line() -> None:
    # Collected in the order: unknown key (last line), calendar (line 6), scope (transitions).
    text = mutate("calendar: vn", "calendar: us")
    text = mutate("to: checks, by: secretariat@unit", "to: checks, by: secretariat@provnce", text)
    text += "reviewers: 3\n"
    found = problems(text)
    cal, scope, key = (where(text, "calendar: |us"), where(text, "by: |secretariat@provnce"),
                       where(text, "|reviewers"))
    assert [(p.line, p.col) for p in found] == [cal, scope, key]
    assert cal[0] < scope[0] < key[0]
    assert [p.message.split(" ", 2)[:2] for p in found] == [
        ["calendar", "'us'"], ["scope", "'provnce'"], ["unknown", "key"]]
    with pytest.raises(DefinitionError) as info:
        load(text)
    assert str(info.value) == f"{found[0]} (and 2 more)"
    assert info.value.fields["problems"] == [str(p) for p in found]
    assert info.value.exit_code == 1


# ---- 6. versions --------------------------------------------------------------------------------


SAME_CONTENT: dict[str, Callable[[str], str]] = {
    "comments": lambda t: t.replace("states:\n", "states:  # the states\n# a comment line\n")
    .replace("flow: sample", "flow: sample   # id"),
    "key-order": lambda t: mutate("flow: sample\ntitle: {vi: \"Mẫu thử\", en: \"Sample\"}\n",
                                  "title: {en: \"Sample\", vi: \"Mẫu thử\"}\nflow: sample\n", t),
    "state-key-order": lambda t: mutate(
        "awarded: {final: true, outcome: awarded, render: [decision.html.j2]}",
        "awarded: {render: [decision.html.j2], outcome: awarded, final: true}", t),
    "whitespace": lambda t: t.replace(": ", ":   ").replace("\n  - {", "\n  -   {")
    .replace("\nstates:", "\n\n\nstates:"),
    "block-style": lambda t: mutate(
        "  draft: {initial: true}\n", "  draft:\n      initial: true\n", t).replace(
        "    sla: {working_days: 5}\n", "    sla:\n      working_days: 5\n"),
    "flow-style": lambda t: mutate("  pending_decision:\n    sla: {days: 5}\n",
                                   "  pending_decision: {sla: {days: 5}}\n", t),
    "quoting": lambda t: mutate("threshold: 80%", "threshold: \"80%\"", t).replace(
        "flow: sample", "flow: 'sample'"),
    "indent-4": lambda t: t.replace("\n  ", "\n    ").replace("\n       pass", "\n         pass"),
}


def test_version_is_the_sha256_of_the_canonical_content() -> None:
    spec = load(BASE)
    root = parse_yaml(BASE, FILE)
    assert root is not None
    plain = root.plain()
    # the order of states is meaningful (the default on_upheld is the first rejected final)
    plain["states"] = [[name, body] for name, body in plain["states"].items()]
    assert spec.version == hashlib.sha256(canonical_json(plain).encode()).hexdigest()
    assert load(BASE, "elsewhere/other.yaml").version == spec.version  # not the path


@pytest.mark.parametrize("change", list(SAME_CONTENT))
def test_version_ignores_presentation(change: str) -> None:
    text = SAME_CONTENT[change](BASE)
    assert text != BASE
    assert load(text).version == load(BASE).version


SEMANTIC = {
    "threshold": ("threshold: 80%", "threshold: 90%"),
    "quorum": ("quorum: 2/3", "quorum: 3/4"),
    "sla": ("sla: {days: 5}", "sla: {days: 6}"),
    "sla-kind": ("sla: {days: 5}", "sla: {working_days: 5}"),
    "escalation": ("{after: 80%, notify", "{after: 75%, notify"),
    "role": ("notify: secretariat@unit}", "notify: secretariat@parent}"),
    "trigger": ("{trigger: reject,", "{trigger: refuse,"),
    "guard": ("require: [{eligible: CSTDCS}, no_open_objections]",
              "require: [{eligible: CSTDCS}]"),
    "title": ('en: "Sample"', 'en: "Sample flow"'),
    "enum": ("[HTXS, HTT, HT, KHT]", "[HTXS, HTT, HT]"),
    "secret": ("secret: true", "secret: false"),
}


@pytest.mark.parametrize("change", list(SEMANTIC))
def test_version_changes_with_any_semantic_change(change: str) -> None:
    old, new = SEMANTIC[change]
    assert load(mutate(old, new)).version != load(BASE).version


# ---- 7. security: nothing from a definition is executed -----------------------------------------


@pytest.mark.parametrize("name", ["os.system", "__import__", "eval", "builtins.exec",
                                  "workflow.flow.registry._fields_complete"])
def test_dotted_or_builtin_guard_names_are_unknown_guards(name: str) -> None:
    text = mutate("require: [fields_complete,", f"require: [{name!r},")
    expect(text, "[|'", f"unknown guard {name!r}", only=True)
    text = mutate("require: [fields_complete,", f"require: [{{{name!r}: [id]}},")
    expect(text, "[{|'", f"unknown guard {name!r}", only=True)


@pytest.mark.parametrize("op", ["__class__", "__eq__", "__import__", "contains", "eval"])
def test_field_guard_op_is_a_closed_list(op: str) -> None:
    text = mutate("{name: rating, op: in, value: [HTXS, HTT]}",
                  f"{{name: year, op: {op!r}, value: 1}}")
    expect(text, "op: |'", f"field op {op!r} is not allowed; allowed: eq, ne", only=True)


def test_python_tags_are_not_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = mutate('title: {vi: "Mẫu thử", en: "Sample"}',
                  f"title: !!python/object/apply:os.system ['touch {marker}']")
    expect(text, "title: |!!", "is not allowed in definitions")
    assert not marker.exists()


def test_compiled_flow_has_no_auto_transitions() -> None:
    spec = load(BASE)
    machine = CompiledFlow(spec, ENV.guards)
    for state in spec.states:
        assert not machine.can("draft", f"to_{state}")
    with pytest.raises(NotAllowed) as info:
        machine.fire("draft", "to_awarded", complete_context())
    assert not isinstance(info.value, GuardRefused)
    assert info.value.message == "cannot 'to_awarded' from 'draft'; allowed here: submit"
    with pytest.raises(NotAllowed, match="allowed here: award, reject"):
        machine.fire("pending_decision", "to_awarded", complete_context())
    with pytest.raises(NotAllowed, match=r"nothing \('awarded' is final\)"):
        machine.fire("awarded", "to_draft", complete_context())


def test_machine_moves_only_along_declared_and_implicit_edges() -> None:
    machine = CompiledFlow(load(BASE), ENV.guards)
    ctx = complete_context()
    assert machine.fire("draft", "submit", ctx) == "submitted"
    assert machine.fire("submitted", "accept", ctx) == "checks"
    assert ctx.asked == ["CSTDCS"]
    assert machine.fire("voting", "@pass", ctx) == "notice"
    assert machine.fire("notice", "@then", ctx) == "pending_decision"
    assert machine.fire("pending_decision", "@hold", ctx) == "on_hold"
    assert machine.fire("on_hold", "@resume:pending_decision", ctx) == "pending_decision"
    assert machine.fire("pending_decision", "award", ctx) == "awarded"
    with pytest.raises(NotAllowed, match="allowed here: close_vote, recuse"):
        machine.fire("voting", "award", ctx)


@pytest.mark.parametrize(
    ("state", "trigger", "change", "guard", "reason"),
    [
        ("draft", "submit", {"fields": {"year": 2026}}, "fields_complete",
         "required fields missing: rating"),
        ("draft", "submit", {"docs": {"to_trinh"}}, "documents", "dossier is missing: bao_cao"),
        ("submitted", "accept", {"ineligible": "needs LDTT held in the nomination's year"},
         "eligible", "needs LDTT held in the nomination's year"),
        ("submitted", "accept", {"objections": 2}, "no_open_objections",
         "2 objection(s) still open"),
        ("pending_decision", "award", {"fields": {"year": 2026, "rating": "HT"}}, "field",
         "field 'rating' is 'HT'; needs in ('HTXS', 'HTT')"),
    ],
)
def test_machine_turns_a_refused_guard_into_guard_refused(
    state: str, trigger: str, change: dict[str, Any], guard: str, reason: str
) -> None:
    machine = CompiledFlow(load(BASE), ENV.guards)
    with pytest.raises(GuardRefused) as info:
        machine.fire(state, trigger, complete_context(**change))
    assert info.value.fields["guard"] == guard
    assert info.value.fields["reason"] == reason
    assert info.value.fields["state"] == state
    assert info.value.message == f"cannot '{trigger}': guard '{guard}' refused: {reason}"
    assert info.value.exit_code == 4


# ---- 8. property-based tests --------------------------------------------------------------------

SAFE = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Names a definition may use. 'true', 'false' and 'null' match the name pattern but are YAML 1.2
# scalars when written as a plain value; see test_state_named_like_a_yaml12_scalar below.
YAML12_WORDS = {"true", "false", "null"}
names = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True).filter(
    lambda s: s not in YAML12_WORDS)
trigger_names = names.filter(lambda s: s not in RESERVED_TRIGGERS)
ROLES = ["officer@unit", "secretariat@province", "council_chair@parent", "unit_head@central",
         "secretariat@district"]
ACTORS = ["officer@unit", "secretariat@province", "decider", "system", ["officer@unit", "system"]]


@dataclass
class Generated:
    """A random valid flow: the model it was built from and its YAML text."""

    model: dict[str, Any]
    tasks: list[str]
    finals: dict[str, str]
    edges: list[tuple[str, str, str, Any]]  # (trigger, source, dest, by)
    slas: dict[str, tuple[int, bool]]
    percents: dict[str, list[int | None]]
    text: str = ""


@st.composite
def valid_flows(draw: st.DrawFn, transitions_first: bool = False) -> Generated:
    n_tasks = draw(st.integers(1, 6))
    n_finals = draw(st.integers(1, 3))
    all_names = draw(st.lists(names, min_size=n_tasks + n_finals, max_size=n_tasks + n_finals,
                              unique=True))
    tasks, final_names = all_names[:n_tasks], all_names[n_tasks:]
    outcomes = ["rejected"] + [draw(st.sampled_from(["awarded", "rejected", "withdrawn"]))
                               for _ in final_names[1:]]
    finals = dict(zip(final_names, outcomes, strict=True))
    # A DAG: every task after the first has a parent before it; every task leads onward.
    pairs: set[tuple[str, str]] = set()
    for i in range(1, n_tasks):
        pairs.add((tasks[draw(st.integers(0, i - 1))], tasks[i]))
    for name in final_names:
        pairs.add((tasks[draw(st.integers(0, n_tasks - 1))], name))
    for i, task in enumerate(tasks):
        later = tasks[i + 1:] + final_names
        if not any(src == task for src, _ in pairs):
            pairs.add((task, draw(st.sampled_from(final_names))))
        for _ in range(draw(st.integers(0, 2))):
            pairs.add((task, draw(st.sampled_from(later))))
    edges: list[tuple[str, str, str, Any]] = []
    for task in tasks:
        dests = sorted(d for s, d in pairs if s == task)
        triggers = draw(st.lists(trigger_names, min_size=len(dests), max_size=len(dests),
                                 unique=True))
        # copy.deepcopy: a shared list would be dumped as an anchor and alias (rejected).
        edges += [(t, task, d, copy.deepcopy(draw(st.sampled_from(ACTORS))))
                  for t, d in zip(triggers, dests, strict=True)]
    draw(st.randoms()).shuffle(edges)
    states: dict[str, Any] = {}
    slas: dict[str, tuple[int, bool]] = {}
    percents: dict[str, list[int | None]] = {}
    for i, task in enumerate(tasks):
        body: dict[str, Any] = {"initial": True} if i == 0 else {}
        if draw(st.booleans()):
            amount, working = draw(st.integers(1, 60)), draw(st.booleans())
            slas[task] = (amount, working)
            body["sla"] = {"working_days" if working else "days": amount}
            steps = []
            system = [t for t, s, _, by in edges if s == task and "system" in str(by)]
            for _ in range(draw(st.integers(0, 3))):
                after: Any = draw(st.one_of(st.integers(1, 1000).map(lambda n: f"{n}%"),
                                            st.integers(1, 30)))
                step: dict[str, Any] = {"after": after}
                fire: bool = draw(st.booleans())
                if system and fire:
                    step["fire"] = draw(st.sampled_from(sorted(system)))
                else:
                    step["notify"] = draw(st.sampled_from(ROLES))
                steps.append(step)
            if steps:
                body["escalate"] = steps
            percents[task] = [int(s["after"][:-1]) if isinstance(s["after"], str) else None
                              for s in steps]
        states[task] = body or None
    for name, outcome in finals.items():
        states[name] = {"final": True, "outcome": outcome}
    order = list(states)
    draw(st.randoms()).shuffle(order)  # declaration order of states does not matter
    model: dict[str, Any] = {
        "flow": "generated",
        "title": {"vi": "Sinh ngẫu nhiên", "en": "Generated"},
        "award": "LDTT",
        "nominee": "individual",
        "calendar": "vn",
        "decider": "unit_head@unit",
    }
    transitions = [{"trigger": t, "from": s, "to": d, "by": by} for t, s, d, by in edges]
    parts = [("states", {name: states[name] for name in order}), ("transitions", transitions)]
    for key, value in reversed(parts) if transitions_first else parts:
        model[key] = value
    flow_style = draw(st.sampled_from([False, None]))
    text = yaml.safe_dump(model, default_flow_style=flow_style, sort_keys=False,
                          allow_unicode=True, width=1000)
    return Generated(model, tasks, finals, edges, slas, percents, text)


@given(valid_flows())
@SAFE
def test_property_random_valid_flows_load_exactly(flow: Generated) -> None:
    spec = load(flow.text)
    assert set(spec.states) == set(flow.tasks) | set(flow.finals)
    assert spec.initial == flow.tasks[0]
    assert {n: s.outcome for n, s in spec.states.items() if s.final} == flow.finals
    assert all(not spec.state(t).final for t in flow.tasks)
    assert triples(spec) == {(t, (s,), d) for t, s, d, _ in flow.edges}
    for trigger, source, _, by in flow.edges:
        actor = spec.transition(source, trigger).by  # type: ignore[union-attr]
        assert actor.system == ("system" in str(by))
        assert actor.decider == (by == "decider")
    for task in flow.tasks:
        state = spec.state(task)
        sla = (state.sla.amount, state.sla.working) if state.sla else None
        assert sla == flow.slas.get(task)
        assert [s.percent for s in state.escalate] == flow.percents.get(task, [])
    assert spec.on_upheld in flow.finals and flow.finals[spec.on_upheld] == "rejected"
    CompiledFlow(spec, ENV.guards)


def _node_at(root: yaml.Node, path: list[Any]) -> yaml.Node:
    node = root
    for step in path:
        if isinstance(step, int):
            node = node.value[step]
        else:
            node = next(v for k, v in node.value if k.value == step)
    return node


def _mappings(node: yaml.Node) -> Iterator[yaml.MappingNode]:
    if isinstance(node, yaml.MappingNode):
        yield node
        for _, value in node.value:
            yield from _mappings(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _mappings(item)


def _insert(text: str, line0: int, col0: int, snippet: str) -> str:
    lines = text.split("\n")
    lines[line0] = lines[line0][:col0] + snippet + lines[line0][col0:]
    return "\n".join(lines)


@given(valid_flows(transitions_first=True), st.sampled_from(["to", "initial", "key"]),
       st.randoms(use_true_random=False))
@SAFE
def test_property_mutations_are_located_at_the_mutated_line(
    flow: Generated, kind: str, rnd: random.Random
) -> None:
    assert load(flow.text) is not None  # the unmutated flow is valid
    root = yaml.compose(flow.text, Loader=yaml.SafeLoader)
    assert root is not None
    if kind == "to":
        index = rnd.randrange(len(flow.edges))
        node = _node_at(root, ["transitions", index, "to"])
        taken = set(flow.tasks) | set(flow.finals)
        ghost = next(f"ghost{i}" for i in range(99) if f"ghost{i}" not in taken)
        lines = flow.text.split("\n")
        row, start = lines[node.start_mark.line], node.start_mark.column
        old = flow.model["transitions"][index]["to"]
        end = node.end_mark.column
        assert node.start_mark.line == node.end_mark.line and row[start:end].strip("'\"") == old
        lines[node.start_mark.line] = row[:start] + ghost + row[end:]
        text = "\n".join(lines)
        expected = (node.start_mark.line + 1, start + 1)
        message = f"to: unknown state '{ghost}'"
    elif kind == "initial":
        initial = _node_at(root, ["states", flow.tasks[0], "initial"])
        lines = flow.text.split("\n")
        row = lines[initial.start_mark.line]
        assert row[initial.start_mark.column:].startswith("true")
        lines[initial.start_mark.line] = (row[:initial.start_mark.column] + "false"
                                          + row[initial.start_mark.column + 4:])
        text = "\n".join(lines)
        states_key = next(k for k, _ in root.value if k.value == "states")
        # Nothing marks the missing initial state, so the problem points at 'states:'.
        expected = (states_key.start_mark.line + 1, states_key.start_mark.column + 1)
        message = "no initial state; mark exactly one state 'initial: true'"
    else:
        candidates = [m for m in _mappings(root) if m.value]
        mapping = rnd.choice(candidates)
        first = mapping.value[0][0].start_mark
        snippet = "zzq_extra: 1, " if mapping.flow_style else "zzq_extra: 1\n" + " " * first.column
        text = _insert(flow.text, first.line, first.column, snippet)
        if mapping is _node_at(root, ["states"]):  # a new state whose body is not a mapping
            expected = (first.line + 1, first.column + 1 + len("zzq_extra: "))
            message = "state 'zzq_extra' must be a mapping"
        else:
            expected = (first.line + 1, first.column + 1)
            message = "unknown key 'zzq_extra' in "
    with pytest.raises(DefinitionError) as info:
        load(text)
    problem = info.value.problems[0]
    shown = "\n".join(map(str, info.value.problems))
    assert (problem.line, problem.col) == expected, f"{kind}: expected {expected}; got\n{shown}"
    assert message in problem.message, shown


YAML_WORDS = ["yes", "no", "on", "off", "y", "n", "Yes", "NO", "On", "OFF", "True", "FALSE",
              "Null", "NULL", "~", "0x1f", "0o17", "1e5", "1_000", "12", "3.5", "inf", "nan",
              ".inf", "e5", "y2k"]
identifiers = st.one_of(
    st.sampled_from(YAML_WORDS),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789_", min_size=1, max_size=8),
).filter(lambda s: s not in YAML12_WORDS)


@given(st.lists(identifiers, min_size=2, max_size=5, unique=True))
@SAFE
def test_property_state_names_round_trip_or_are_not_well_formed(names_: list[str]) -> None:
    *middle, last = names_
    lines = ["flow: names", "title: T", "award: LDTT", "nominee: individual", "calendar: vn",
             "states:", f"  {names_[0]}: {{initial: true}}"]
    lines += [f"  {n}: {{sla: {{days: 1}}}}" for n in middle[1:]]
    lines += [f"  {last}: {{final: true, outcome: rejected}}", "transitions:"]
    lines += [f"  - {{trigger: t{i}, from: {a}, to: {b}, by: officer@unit}}"
              for i, (a, b) in enumerate(itertools.pairwise(names_))]
    text = "\n".join(lines) + "\n"
    bad = [n for n in names_ if not NAME_RE.fullmatch(n)]
    if not bad:
        spec = load(text)
        assert list(spec.states) == names_
        assert all(type(n) is str for n in spec.states)
        assert spec.initial == names_[0]
        return
    found = problems(text)
    for name in bad:
        line = 7 + names_.index(name)
        assert any(
            (p.line, p.col) == (line, 3)
            and p.message == f"state name {name!r} is not well formed; use lowercase letters, "
            "digits and '_'"
            for p in found
        ), (name, [str(p) for p in found])


@given(st.text(max_size=300))
@settings(max_examples=150, deadline=None)
def test_property_arbitrary_text_raises_only_definition_error(text: str) -> None:
    try:
        load(text)
    except DefinitionError as exc:
        assert exc.problems
        assert all(p.file == FILE and p.line >= 1 and p.col >= 1 for p in exc.problems)


# YAML-ish noise: structure characters, anchors and aliases, YAML 1.1 words and pieces of a
# real flow.
yaml_noise = st.lists(
    st.sampled_from(["\n", "  ", "- ", ": ", "{", "}", "[", "]", ", ", "'", '"', "#", "!!str ",
                     "!x ", "%", "|", ">", "yes", "on", "no", "flow", "states", "transitions",
                     "draft", "initial", "true", "null", "1", "-1", "0x1F", "80%", "?", "---",
                     "...", "\t", "é", "@", "&a ", "*a", "&b ", "*b", "<<"]),
    max_size=60,
).map("".join)


@given(yaml_noise)
@settings(max_examples=150, deadline=None)
def test_property_yaml_noise_raises_only_definition_error(text: str) -> None:
    try:
        load(text)
    except DefinitionError as exc:
        assert exc.problems


# ---- regressions: defects found and fixed in production code ---------------------------------

Failed = pytest.fail.Exception  # what a 'DID NOT RAISE' or pytest.fail() raises


def test_version_ignores_state_order_that_changes_on_upheld() -> None:
    text = mutate("on_upheld: rejected\n", "")
    swapped = mutate("  not_passed: {final: true, outcome: rejected}\n"
                     "  not_eligible: {final: true, outcome: rejected}\n",
                     "  not_eligible: {final: true, outcome: rejected}\n"
                     "  not_passed: {final: true, outcome: rejected}\n", text)
    a, b = load(text), load(swapped)
    assert (a.on_upheld, b.on_upheld) == ("not_passed", "not_eligible")
    assert a.version != b.version


def test_hold_state_makes_every_state_reachable() -> None:
    text = mutate("  pending_decision:\n", "  orphan: {sla: {days: 3}}\n  pending_decision:\n")
    text += "  - {trigger: give_up, from: orphan, to: rejected, by: officer@unit}\n"
    expect(text, "  |orphan:", "state 'orphan' is not reachable from the initial state 'draft'",
           only=True)


def test_empty_from_list_is_silently_dropped() -> None:
    text = BASE + "  - {trigger: withdraw, from: [], to: rejected, by: officer@unit}\n"
    expect(text, "from: |[]", "from", only=True)


def test_superscript_digit_in_after_crashes_the_loader() -> None:
    text = mutate("{after: 80%, notify", "{after: \"²%\", notify")
    expect(text, "after: |\"²%\"", "must be N% with 0 < N <= 1000", only=True)


def test_non_ascii_digits_in_after_are_accepted() -> None:
    text = mutate("{after: 80%, notify", "{after: \"٨٠%\", notify")
    expect(text, "after: |\"٨٠%\"", "must be N% with 0 < N <= 1000", only=True)


def test_huge_integer_scalar_crashes_the_loader() -> None:
    text = mutate("  year: {type: integer, required: true, min: 2000}",
                  "  year: {type: integer, required: true, min: " + "9" * 5000 + "}")
    problems(text)


def test_deep_nesting_crashes_the_loader() -> None:
    depth = sys.getrecursionlimit() + 100
    problems("title: " + "[" * depth + "]" * depth + "\n")


ALIAS_MESSAGE = "aliases (*name) are not allowed in definitions; write the value out"


def test_recursive_alias_is_rejected() -> None:
    text = mutate("nominee: individual", "nominee: &loop [*loop]")
    expect(text, "nominee: &loop [|*loop]", ALIAS_MESSAGE)


def test_scalar_aliases_are_harmless_and_read_as_their_value() -> None:
    text = mutate("decider: unit_head@unit", "decider: &boss unit_head@unit")
    text = mutate("to: rejected, by: decider,", "to: rejected, by: *boss,", text)
    actor = load(text).transition("pending_decision", "reject").by  # type: ignore[union-attr]
    assert [str(r) for r in actor.roles] == ["unit_head@unit"]
    assert not actor.decider


LAUGHS = "\n".join(
    ["flow: laughs", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]
) + "\n"
LAUGHS_CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (512 * 2**20, 512 * 2**20))
from workflow.errors import DefinitionError
from workflow.flow import FlowEnv, parse_flow
try:
    parse_flow(sys.stdin.read(), "f.yaml", FlowEnv())
except DefinitionError as exc:
    print(exc.problems[0].message)
"""


def test_alias_expansion_billion_laughs_is_rejected_quickly() -> None:
    # In a child process with capped memory and time: a regression must fail, not hang the run.
    try:
        run = subprocess.run([sys.executable, "-c", LAUGHS_CHILD], input=LAUGHS, text=True,
                             capture_output=True, timeout=10, cwd=ROOT, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("parsing a 500-byte file with nested aliases did not finish in 10 s")
    assert (run.returncode, run.stdout) == (0, ALIAS_MESSAGE + "\n"), run.stderr[-300:]


def test_alias_problem_points_at_the_anchor_not_the_alias() -> None:
    text = mutate("    by: decider\n", "    by: &deciders [decider]\n")
    text = mutate("to: rejected, by: decider,", "to: rejected, by: *deciders,", text)
    expect(text, "by: |*deciders", ALIAS_MESSAGE, only=True)


@pytest.mark.parametrize("name", sorted(YAML12_WORDS))
def test_state_named_like_a_yaml12_scalar(name: str) -> None:
    text = BASE.replace("pending_decision", name)
    try:
        spec = load(text)
    except DefinitionError as exc:
        # Acceptable too: one clear problem at the state name itself.
        assert [(p.line, p.col) for p in exc.problems] == [where(text, f"  |{name}:")]
        return
    assert name in spec.states
