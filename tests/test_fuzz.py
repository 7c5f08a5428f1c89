"""Fuzzers, bounded in examples and time: the flow reader on mutated flow files, and the engine
on random sequences of commands by random people.

What must hold whatever comes in: the reader returns a flow or raises ``DefinitionError``
(located problems), never anything else; the engine answers every command with a result or
one of its own errors (``AwardError``), never anything else, and the audit chain verifies
after every run.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.conftest import DIRECTORY, ROOT, make_service
from workflow.definitions import load_definitions
from workflow.errors import AwardError, DefinitionError
from workflow.flow import parse_flow
from workflow.service import Actor, Service

FLOWS = sorted((ROOT / "definitions" / "flows").glob("*.yaml"))
ENV = load_definitions(ROOT / "definitions").env
FUZZ = settings(max_examples=300, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

#: pieces a careless or hostile editor puts into a YAML file
TOKENS = ["", " ", "\n", "\t", ":", "- ", "{", "}", "[", "]", ",", "&a", "*a", "!!python/object",
          "<<", "~", "null", "yes", "on", "0x1F", "1e999", "-1", "9" * 30, "'", '"', "#",
          "working_days: 0", "type: vote", "final: true", "initial: true", "by: system",
          "\x00", "\u202e", "ữ" * 50, "%", "100%", "@unit", "require: [nope]"]


@FUZZ
@given(data=st.data(), path=st.sampled_from(FLOWS))
def test_the_flow_reader_answers_any_mutation_with_a_flow_or_located_problems(
        data: st.DataObject, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 40))
        piece = data.draw(st.sampled_from(TOKENS) | st.text(max_size=12))
        text = text[:at] + piece + text[at + cut:]
    try:
        spec = parse_flow(text, str(path), ENV)
    except DefinitionError as exc:
        assert exc.problems, "a DefinitionError names its problems"
        for problem in exc.problems:
            assert problem.line >= 1 and problem.col >= 1 and len(problem.message) < 1000
        return
    assert spec.states and spec.initial in spec.states


# ---- the engine on random commands --------------------------------------------------------

PEOPLE = ["lan", "thu", "minh", "hoa", "nam", "binh", "hung", "an", "mai", "nobody"]
FLOW_CHOICES = ["chien-si-thi-dua-co-so", "khen-thuong-dot-xuat", "bang-khen-tinh"]
TRIGGERS = ["submit", "accept", "return", "resubmit", "award", "reject", "close_vote", "recuse",
            "expire", "forward", "approve", "nope"]


class Engine(RuleBasedStateMachine):
    """Random people fire random commands at a few items; every answer is a result or an
    AwardError, and the chain verifies at each step."""

    service: Service
    db: Path

    @initialize()
    def start(self) -> None:
        import tempfile

        self.folder = tempfile.TemporaryDirectory(prefix="award-fuzz-")
        self.service = make_service(f"sqlite:///{Path(self.folder.name) / 'fuzz.db'}")
        self.service.setup.init()
        self.service.setup.load_directory(DIRECTORY)
        self.items: list[str] = []
        self.dossier = Path(self.folder.name) / "dossier.pdf"
        self.dossier.write_bytes("Tờ trình".encode())

    def teardown(self) -> None:
        if hasattr(self, "service"):
            self.service.close()
            self.folder.cleanup()

    def _call(self, fn: Any, *args: Any) -> None:
        with contextlib.suppress(AwardError):  # refusals are answers; anything else fails
            fn(*args)

    @rule(who=st.sampled_from(PEOPLE), flow=st.sampled_from(FLOW_CHOICES),
          name=st.text(min_size=0, max_size=30))
    def nominate(self, who: str, flow: str, name: str) -> None:
        with contextlib.suppress(AwardError):
            item = self.service.items.nominate(Actor(who), flow, "BN-SGD", name, None,
                                               {"year": 2026, "rating": "HTXS", "deed": "x"})
            self.items.append(item["id"])

    @rule(data=st.data(), who=st.sampled_from(PEOPLE), trigger=st.sampled_from(TRIGGERS),
          comment=st.none() | st.text(max_size=20))
    def fire(self, data: st.DataObject, who: str, trigger: str, comment: str | None) -> None:
        item = data.draw(st.sampled_from(self.items or ["1"]))
        self._call(self.service.items.fire, Actor(who), item, trigger, comment)

    @rule(data=st.data(), who=st.sampled_from(PEOPLE),
          doctype=st.sampled_from(["to_trinh", "bao_cao", "bien_ban", "x"]))
    def attach(self, data: st.DataObject, who: str, doctype: str) -> None:
        item = data.draw(st.sampled_from(self.items or ["1"]))
        self._call(self.service.items.attach, Actor(who), item, doctype, self.dossier)

    @rule(data=st.data(), who=st.sampled_from(PEOPLE),
          choice=st.sampled_from(["yes", "no", "abstain", "maybe"]))
    def vote(self, data: st.DataObject, who: str, choice: str) -> None:
        item = data.draw(st.sampled_from(self.items or ["1"]))
        self._call(self.service.items.vote, Actor(who), item, choice)

    @rule(data=st.data(), text=st.text(max_size=40))
    def object(self, data: st.DataObject, text: str) -> None:
        item = data.draw(st.sampled_from(self.items or ["1"]))
        self._call(self.service.items.file_objection, None, item, text)

    @rule(data=st.data(), who=st.sampled_from(PEOPLE),
          outcome=st.sampled_from(["dismissed", "upheld", "x"]))
    def resolve(self, data: st.DataObject, who: str, outcome: str) -> None:
        objection = data.draw(st.sampled_from(["1", "2", "3"]))
        self._call(self.service.items.resolve, Actor(who), objection, outcome, "lý do")

    @rule()
    def sweep(self) -> None:
        self._call(self.service.timers.escalate)

    @invariant()
    def chain_verifies(self) -> None:
        if hasattr(self, "service"):
            assert self.service.audit.verify().ok


Engine.TestCase.settings = settings(max_examples=25, stateful_step_count=30, deadline=None,
                                    derandomize=True,
                                    suppress_health_check=[HealthCheck.too_slow])
test_random_commands_are_answered_and_the_chain_holds = pytest.mark.slow(Engine.TestCase)
