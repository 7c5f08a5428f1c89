"""The shipped JSON Schemas and the readers stay in step (SPEC §10.8, ``award flows schema``).

* the files in ``definitions/*.schema.json`` are what ``award flows schema --kind K`` prints;
* every shipped definition file names its schema on its first line;
* every shipped flow, calendar, catalogue and directory, every valid flow written in a test
  or in the README, validates against its schema (``jsonschema``, draft 2020-12);
* every key a reader accepts (each ``Problems.keys`` call while reading those files) is a
  property of an object in the schema, and a key the reader refuses is refused by the schema.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import Cli
from workflow.calendar import load_calendar
from workflow.catalogue import load_catalogue
from workflow.definitions import load_definitions
from workflow.directory import parse_directory
from workflow.documents import Renderer
from workflow.errors import DefinitionError
from workflow.flow import default_guards
from workflow.flow.io.reader import FlowEnv, parse_flow
from workflow.schemas import KINDS, schema_for, schema_text
from workflow.yamlnodes import Problems, parse_yaml, read_definition

ROOT = Path(__file__).resolve().parents[1]
DEFS = load_definitions(ROOT / "definitions", [], Renderer(ROOT / "templates").exists)
ENV: FlowEnv = DEFS.env
FLOWS = sorted((ROOT / "definitions" / "flows").glob("*.yaml"))
CALENDARS = sorted((ROOT / "definitions" / "calendars").glob("*.yaml"))
CATALOGUE = ROOT / "definitions" / "catalogue.yaml"
DIRECTORY = ROOT / "definitions" / "directory.sample.yaml"
SHIPPED = {"flow": FLOWS, "calendar": CALENDARS, "catalogue": [CATALOGUE],
           "directory": [DIRECTORY]}


def validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((ROOT / "definitions" / f"{kind}.schema.json").read_text("utf-8"))
    return jsonschema.Draft202012Validator(schema)


def data(text: str, file: str = "f.yaml") -> Any:
    root = parse_yaml(text, file)
    assert root is not None
    return root.plain()


def errors(kind: str, value: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message[:160]}"
            for e in validator(kind).iter_errors(value)]


def test_flow_files_under_test_load() -> None:
    assert len(FLOWS) == 9 and CALENDARS and not DEFS.broken


@pytest.mark.parametrize("kind", KINDS)
def test_each_shipped_schema_is_a_valid_draft_2020_12_schema_as_generated(kind: str) -> None:
    shipped = (ROOT / "definitions" / f"{kind}.schema.json").read_text("utf-8")
    assert shipped == schema_text(kind, default_guards().names()), \
        f"regenerate: award flows schema --kind {kind} --out definitions/{kind}.schema.json"
    schema = json.loads(shipped)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def _titled(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if isinstance(node.get("title"), str) and isinstance(node.get("description"), str):
            yield node
        for value in node.values():
            yield from _titled(value)
    elif isinstance(node, list):
        for value in node:
            yield from _titled(value)


def test_flow_schema_titles_are_vietnamese_and_descriptions_english() -> None:
    nodes = list(_titled(schema_for("flow")))
    assert len(nodes) > 60
    vietnamese = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùýĐ]",
                            re.IGNORECASE)
    assert sum(bool(vietnamese.search(n["title"])) for n in nodes) / len(nodes) > 0.8
    assert not [n["description"] for n in nodes if vietnamese.search(n["description"])]


@pytest.mark.parametrize("kind", KINDS)
def test_every_shipped_file_names_its_schema_on_its_first_line(kind: str) -> None:
    for path in SHIPPED[kind]:
        first = path.read_text("utf-8").splitlines()[0]
        target = (path.parent / first.split("$schema=", 1)[-1]).resolve()
        assert first.startswith("# yaml-language-server: $schema="), path
        assert target == (ROOT / "definitions" / f"{kind}.schema.json").resolve(), path


@pytest.mark.parametrize("kind", KINDS)
def test_every_shipped_file_validates(kind: str) -> None:
    for path in SHIPPED[kind]:
        assert errors(kind, data(read_definition(path), str(path))) == [], path


def _strings_in(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value


def test_flows() -> list[str]:
    """Every flow text in the tests and the README that the loader accepts."""
    found: list[str] = []
    sources = [s for p in sorted((ROOT / "tests").glob("*.py")) for s in _strings_in(p)]
    readme = (ROOT / "README.md").read_text("utf-8")
    sources += re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL)
    for text in sources:
        if "states:" not in text or "transitions:" not in text or "flow:" not in text:
            continue
        try:
            parse_flow(text, "t.yaml", ENV)
        except (DefinitionError, Exception):  # fragments, mutated texts, templates
            continue
        found.append(text)
    return found


test_flows.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


def test_every_valid_flow_written_in_the_tests_and_the_readme_validates() -> None:
    flows = test_flows()
    assert len(flows) >= 10
    for text in flows:
        assert errors("flow", data(text)) == [], text[:300]


# ---- every key the readers accept is in the schema --------------------------------------------


def _object_keys(node: Any) -> Iterator[frozenset[str]]:
    """The property names of every object schema (with patternless additionalProperties)."""
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            yield frozenset(node["properties"])
        for value in node.values():
            yield from _object_keys(value)
    elif isinstance(node, list):
        for value in node:
            yield from _object_keys(value)


@pytest.fixture
def accepted(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, frozenset[str]]]:
    """Every ``(what, allowed keys)`` a reader checks a mapping against while the test runs."""
    calls: list[tuple[str, frozenset[str]]] = []
    original = Problems.keys

    def keys(self: Problems, node: Any, what: str, allowed: Any, *args: Any, **kw: Any) -> Any:
        calls.append((what, frozenset(allowed)))
        return original(self, node, what, allowed, *args, **kw)

    monkeypatch.setattr(Problems, "keys", keys)
    monkeypatch.setenv("AWARD_CACHE_DIR", "")  # the readers read: nothing from the cache
    return calls


def _readers_accept(kind: str) -> None:
    if kind == "flow":
        for text in [read_definition(p) for p in FLOWS] + test_flows():
            parse_flow(text, "t.yaml", ENV)
    elif kind == "calendar":
        for path in CALENDARS:
            load_calendar(path)
    elif kind == "catalogue":
        load_catalogue(CATALOGUE)
    else:
        parse_directory(read_definition(DIRECTORY), str(DIRECTORY),
                        DEFS.catalogue.codes(), {}, set())


@pytest.mark.parametrize("kind", KINDS)
def test_every_key_a_reader_accepts_is_in_the_schema(
        kind: str, accepted: list[tuple[str, frozenset[str]]]) -> None:
    _readers_accept(kind)
    objects = list(_object_keys(schema_for(kind)))
    assert accepted, "the reader checked no keys"
    missing = {(what, allowed) for what, allowed in accepted
               if not any(allowed <= keys for keys in objects)}
    assert not missing, "keys the reader accepts but the schema lacks: " + "; ".join(
        f"{what}: {sorted(allowed)}" for what, allowed in sorted(missing, key=str))


def test_the_reader_key_lists_are_the_schema_properties() -> None:
    from workflow.flow.io import reader

    schema = schema_for("flow")
    defs = schema["$defs"]
    state = next(s for s in defs["state"]["oneOf"] if s.get("type") == "object")
    assert set(schema["properties"]) == set(reader.FLOW_KEYS)
    assert set(state["properties"]) == set(reader.STATE_KEYS)
    assert set(defs["transition"]["properties"]) == set(reader.TRANSITION_KEYS)
    assert set(defs["field"]["properties"]) == set(reader.FIELD_KEYS)
    assert set(defs["vote"]["properties"]) == set(reader.VOTE_KEYS)
    assert set(defs["notice"]["properties"]) == set(reader.NOTICE_KEYS)
    assert set(defs["sla"]["properties"]) == set(reader.SLA_KEYS)
    assert set(defs["step"]["properties"]) == set(reader.STEP_KEYS)
    guard = defs["guard"]["oneOf"]
    assert guard[0]["enum"] == default_guards().names()


BASE = read_definition(ROOT / "definitions" / "flows" / "chien-si-thi-dua-co-so.yaml")


@pytest.mark.parametrize(("old", "new"), [
    ("calendar: vn\n", "calendar: vn\nreviewers: [a@unit]\n"),          # top level
    ("  submitted:\n", "  submitted:\n    deadline: 3\n"),                  # a state
    ("secret: true,", "secret: true, seats: 5,"),                         # a vote
    ("{after: 80%,  notify: secretariat@unit}", "{after: 80%, notify: secretariat@unit, cc: x}"),
    ("comment: required,\n     label: {vi: \"Trả lại", "comment: required, when: now,\n"
     "     label: {vi: \"Trả lại"),                                         # a transition
    ("type: enum\n    required: true", "type: enum\n    required: true\n    hidden: true"),
])
def test_a_key_the_reader_refuses_the_schema_refuses(old: str, new: str) -> None:
    assert old in BASE
    text = BASE.replace(old, new, 1)
    with pytest.raises(DefinitionError, match="unknown key"):
        parse_flow(text, "chien-si-thi-dua-co-so.yaml", ENV)
    assert errors("flow", data(text)), "the schema let an unknown key through"


def test_the_schema_command_prints_and_writes_each_kind(bare_cli: Cli, tmp_path: Path) -> None:
    printed = bare_cli("flows", "schema", json_out=False)
    assert printed.exit_code == 0
    assert printed.stdout == (ROOT / "definitions" / "flow.schema.json").read_text("utf-8")
    out = tmp_path / "calendar.schema.json"
    assert bare_cli.ok("flows", "schema", "--kind", "calendar", "--out", str(out)) == {
        "kind": "calendar", "out": str(out)}
    assert out.read_text("utf-8") == schema_text("calendar")
    assert bare_cli("flows", "schema", "--kind", "campaign").exit_code == 2
