"""Rehearse a flow: scenario files run against a throwaway in-memory database.

A scenario file names a flow, a directory (``sample``, a file beside it, or the units and
people written in place) and a fixed start time, then lists scenarios: a nomination and the
steps people (or the clock) take, each with what is expected after it::

    flow: chien-si-thi-dua-co-so
    now: 2026-03-02T09:00:00+07:00
    scenarios:
      - name: the council passes it
        nomination: {as: lan, unit: BN-SGD, person: an, fields: {year: 2026, rating: HTXS},
                     documents: [to_trinh, bao_cao]}
        steps:
          - {as: lan, fire: submit, state: submitted, due_at: 2026-03-09T23:59:59+07:00}
          - {as: [thu, minh, hoa, nam, binh], vote: "yes"}
      - name: returned, then it expires
        from: the council passes it     # replay another scenario first (a shared beginning)
        steps: …

A collective flow's nomination names the unit nominated with ``nominee_unit:`` (as ``award
nominate --nominee-unit``).

A scenario may start with ``before:`` steps that run before the nomination and act on
emulation campaigns only: ``register`` (a registration, đăng ký thi đua), ``ranking: open``
or ``close`` (a cluster's ranking at the final review) and ``paper`` (a unit head's ranking
paper), each naming its ``campaign`` (and ``cluster``); the same steps may come among the
item's steps too. The ``registered`` and ``cluster_leader`` guards then read what they made.

Each scenario gets its own database (the schema is made once per run and copied), its own
fixed clock and an installation key of its own; nothing outside the run is touched. One
:class:`Outcome` per scenario; the edges every run took are kept so a test can check that a
flow's scenarios cover every edge of :meth:`FlowSpec.edges`.

An entry point beside the CLI and the web (it builds services): imports bootstrap and the
service facade, nothing below them directly but the definitions' readers.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from workflow.bootstrap import Settings, build_service
from workflow.clock import FixedClock, parse_instant
from workflow.errors import AwardError, DefinitionError
from workflow.keys import KeySource
from workflow.service import Actor, Service
from workflow.yamlnodes import (
    Mapping,
    Node,
    Problems,
    Scalar,
    Sequence,
    parse_yaml,
    read_definition,
)

__all__ = ["DEFAULT_NOW", "Edge", "Outcome", "Run", "run_files", "scenario_files"]

DEFAULT_NOW = "2026-03-02T09:00:00+07:00"  # a Monday with no holiday near it
FILE_KEYS = ["flow", "now", "directory", "scenarios"]
SCENARIO_KEYS = ["name", "from", "before", "nomination", "steps"]
NOMINATION_KEYS = ["as", "unit", "nominee", "person", "nominee_unit", "fields", "documents"]
#: Steps on an emulation campaign rather than on the item (allowed in ``before:``).
CAMPAIGN_ACTIONS = ["register", "ranking", "paper"]
ACTIONS = ["fire", "vote", "recuse", "ballot", "session", "object", "resolve", "confirm",
           "attach", "escalate-at", *CAMPAIGN_ACTIONS]
OPTIONS = ["as", "at", "comment", "unit", "decision", "name", "contact", "campaign", "cluster",
           "person"]
EXPECTS = ["state", "exit", "outbox", "due_at"]
STEP_KEYS = [*ACTIONS, *OPTIONS, *EXPECTS]
OUTBOX_KEYS = ["to", "kind", "subject"]

Edge = tuple[str, str, str]
"""``(source, trigger, dest)`` of one move, as :meth:`FlowSpec.edges` names it."""


@dataclass(frozen=True)
class Outcome:
    """One scenario's result: ``ok``, or the first failed expectation and where it is."""

    file: str
    line: int
    name: str
    ok: bool
    message: str = ""
    col: int | None = None  # a problem of the file itself: no scenario ran

    def __str__(self) -> str:
        if self.ok:
            return f"PASS {self.file}:{self.line}: {self.name}"
        if self.col is not None:
            return f"FAIL {self.file}:{self.line}:{self.col}: {self.message}"
        return f"FAIL {self.file}:{self.line}: {self.message} ({self.name})"


@dataclass
class Run:
    """Every scenario's outcome, and the edges the runs took, by flow."""

    outcomes: list[Outcome] = field(default_factory=list)
    edges: dict[str, set[Edge]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.outcomes) and all(o.ok for o in self.outcomes)


class _Failed(Exception):
    def __init__(self, node: Node, message: str) -> None:
        super().__init__(message)
        self.line = node.line
        self.message = message


def scenario_files(paths: list[Path]) -> list[Path]:
    """The ``*.yaml`` files named, folders searched one level deep."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
        else:
            files.append(path)
    return files


def run_files(paths: list[Path], base: Settings) -> Run:
    """Run every scenario of every file; a file that cannot be read is one failed outcome
    per problem."""
    run = Run()
    with _Template(base) as template:
        for path in scenario_files(paths):
            _run_file(path, template, run)
    return run


# ---- the throwaway database ------------------------------------------------------------------


class _Template:
    """An in-memory database with the schema, made once and copied for every scenario
    (running the migrations for each would cost more than the scenario)."""

    def __init__(self, base: Settings) -> None:
        self.base = base
        self.service: Service | None = None
        self.workdir = tempfile.TemporaryDirectory(prefix="award-scenarios-")

    def __enter__(self) -> _Template:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.service is not None:
            self.service.close()
        self.workdir.cleanup()

    def settings(self, clock: FixedClock) -> Settings:
        return Settings(db_url="sqlite://", flow_dirs=list(self.base.flow_dirs),
                        home=self.base.home, clock=clock,
                        keys=KeySource(secret=secrets.token_hex(32)), mail=lambda: None)

    @contextmanager
    def fresh(self, now: datetime) -> Iterator[tuple[Service, FixedClock]]:
        if self.service is None:
            self.service = build_service(self.settings(FixedClock(now)))
            self.service.setup.init()
        clock = FixedClock(now)
        service = build_service(self.settings(clock))
        self.service.setup.copy_database_to(service.setup)
        try:
            yield service, clock
        finally:
            service.close()


# ---- reading a file ----------------------------------------------------------------------------


@dataclass
class _File:
    path: Path
    flow: str
    now: datetime
    directory: Node | None
    scenarios: dict[str, Mapping]


def _read(path: Path) -> _File:
    text = read_definition(path)
    root = parse_yaml(text, str(path))
    p = Problems()
    top = p.mapping(root, "a scenario file") if root is not None else None
    if top is None:
        p.add_at(str(path), 1, 1, "empty scenario file") if root is None else None
        p.raise_if_any()
        raise AssertionError
    p.keys(top, "the scenario file", FILE_KEYS, required=["flow", "scenarios"])
    flow = p.string(top.get("flow"), "flow") or ""
    now_node = top.get("now")
    now = parse_instant(DEFAULT_NOW)
    if now_node is not None:
        try:
            now = parse_instant(str(now_node.plain()), what="now")
        except AwardError as exc:
            p.add(now_node, exc.message)
    scenarios: dict[str, Mapping] = {}
    for item in p.sequence(top.get("scenarios"), "scenarios"):
        body = p.mapping(item, "a scenario")
        if body is None:
            continue
        p.keys(body, "a scenario", SCENARIO_KEYS, required=["name", "steps"])
        name = p.string(body.get("name"), "scenario name")
        if name is None:
            continue
        if name in scenarios:
            p.add(body, f"scenario {name!r} is named twice (first at line "
                        f"{scenarios[name].line})")
        if "nomination" not in body and "from" not in body:
            p.add(body, f"scenario {name!r} needs a nomination (or from: SCENARIO)")
        if "nomination" in body and "from" in body:
            p.add(body, f"scenario {name!r}: give a nomination or from, not both")
        if "before" in body and "from" in body:
            p.add(body.get("before") or body,
                  f"scenario {name!r}: before: belongs to a scenario with its own nomination "
                  "(from: replays the other's)")
        for step in p.sequence(body.get("before"), "before") if "before" in body else []:
            sbody = p.mapping(step, "a step before the nomination")
            if sbody is None:
                continue
            p.keys(sbody, "a step before the nomination",
                   [*CAMPAIGN_ACTIONS, *OPTIONS, "exit"])
            if not any(k in sbody for k in CAMPAIGN_ACTIONS):
                p.add(sbody, "a step before the nomination needs an action "
                             f"({', '.join(CAMPAIGN_ACTIONS)})")
        nom = p.mapping(body.get("nomination"), "nomination") if "nomination" in body else None
        if nom is not None:
            p.keys(nom, "the nomination", NOMINATION_KEYS, required=["as", "unit"])
        for step in p.sequence(body.get("steps"), "steps"):
            sbody = p.mapping(step, "a step")
            if sbody is None:
                continue
            p.keys(sbody, "a step", STEP_KEYS)
            actions = [k for k in ACTIONS if k in sbody]
            if len(actions) > 1:
                p.add(sbody, f"a step does one thing; this one has {', '.join(actions)}")
            if not actions and not any(k in sbody for k in EXPECTS):
                p.add(sbody, f"a step needs an action ({', '.join(ACTIONS)}) or an "
                             f"expectation ({', '.join(EXPECTS)})")
        scenarios[name] = body
    for body in scenarios.values():
        origin = body.get("from")
        if origin is not None and str(origin.plain()) not in scenarios:
            p.add(origin, f"from: no scenario {origin.plain()!r} in this file")
    p.raise_if_any()
    return _File(path, flow, now, top.get("directory"), scenarios)


def _run_file(path: Path, template: _Template, run: Run) -> None:
    try:
        spec = _read(path)
    except DefinitionError as exc:
        run.outcomes += [Outcome(p.file, p.line, "", False, p.message, p.col)
                         for p in exc.problems]
        return
    except AwardError as exc:
        run.outcomes.append(Outcome(str(path), 1, "", False, exc.message, 1))
        return
    for name, body in spec.scenarios.items():
        with template.fresh(spec.now) as (service, clock):
            runner = _Scenario(spec, service, clock, template.workdir.name)
            try:
                runner.setup()
                runner.play(body, set())
            except _Failed as failed:
                run.outcomes.append(Outcome(str(path), failed.line, name, False,
                                            failed.message))
            else:
                run.outcomes.append(Outcome(str(path), body.line, name, True))
            run.edges.setdefault(spec.flow, set()).update(runner.edges)


# ---- playing a scenario ------------------------------------------------------------------------


def _text(node: Node | None) -> str | None:
    return None if node is None else str(node.plain())


def _logins(node: Node | None) -> list[str]:
    if node is None:
        return []
    if isinstance(node, Sequence):
        return [str(i.plain()) for i in node.items]
    return [str(node.plain())]


class _Scenario:
    def __init__(self, spec: _File, service: Service, clock: FixedClock, workdir: str) -> None:
        self.spec = spec
        self.service = service
        self.clock = clock
        self.workdir = workdir
        self.item: str | None = None
        self.session: str | None = None
        self.objections: list[str] = []
        self.edges: set[Edge] = set()
        service.observe(self._moved)

    def _moved(self, event: str, data: dict[str, Any]) -> None:
        if event == "moved" and data.get("flow") == self.spec.flow:
            self.edges.add((str(data["from"]), str(data["trigger"]), str(data["to"])))

    def setup(self) -> None:
        node = self.spec.directory
        at = node or Scalar(str(self.spec.path), 1, 1, None)
        try:
            if node is None or (isinstance(node, Scalar) and node.value == "sample"):
                path = self.spec_home() / "directory.sample.yaml"
                self.service.setup.load_directory(path)
            elif isinstance(node, Scalar):
                self.service.setup.load_directory(self.spec.path.parent / str(node.value))
            else:
                self.service.setup.load_directory_text(
                    yaml.safe_dump(node.plain(), allow_unicode=True, sort_keys=False),
                    f"{self.spec.path} (directory)")
        except AwardError as exc:
            raise _Failed(at, f"the directory cannot be loaded: {exc.message}") from None

    def spec_home(self) -> Path:
        return self.service.definitions.home

    def play(self, body: Mapping, seen: set[str]) -> None:
        origin = body.get("from")
        if origin is not None:
            name = str(origin.plain())
            if name in seen:
                raise _Failed(origin, f"from: {name!r} leads back to itself")
            self.play(self.spec.scenarios[name], seen | {name})
        else:
            before = body.get("before")
            for step in before.items if isinstance(before, Sequence) else []:
                assert isinstance(step, Mapping)
                self.step(step)
            nomination = body.get("nomination")
            assert isinstance(nomination, Mapping)
            self.nominate(nomination)
        steps = body.get("steps")
        for step in steps.items if isinstance(steps, Sequence) else []:
            assert isinstance(step, Mapping)
            self.step(step)

    def nominate(self, node: Mapping) -> None:
        fields = node.get("fields")
        values = fields.plain() if isinstance(fields, Mapping) else {}
        actor = Actor(_text(node.get("as")) or "")
        try:
            made = self.service.items.nominate(
                actor, self.spec.flow, _text(node.get("unit")) or "",
                _text(node.get("nominee")) or "", _text(node.get("person")), values,
                nominee_unit=_text(node.get("nominee_unit")))
            self.item = str(made["id"])
            for doctype in _logins(node.get("documents")):
                self._attach(actor, doctype)
        except AwardError as exc:
            raise _Failed(node, f"the nomination failed (exit {exc.exit_code}): "
                                f"{exc.message}") from None

    def _attach(self, actor: Actor, doctype: str) -> None:
        assert self.item is not None
        path = Path(self.workdir) / f"{doctype}.txt"
        path.write_text(f"{doctype} — tài liệu thử\n", encoding="utf-8")
        self.service.items.attach(actor, self.item, doctype, path)

    def step(self, step: Mapping) -> None:
        at = step.get("at")
        if at is not None:
            self.clock.set(self._instant(at))
        action = next((k for k in ACTIONS if k in step), None)
        expected_exit = 0
        exit_node = step.get("exit")
        if exit_node is not None:
            if not isinstance(exit_node.plain(), int):
                raise _Failed(exit_node, "exit must be a number (0 ok, 1, 3, 4, 5, 6)")
            expected_exit = int(exit_node.plain())
        got, message = 0, ""
        if action is not None:
            try:
                self._act(action, step)
            except AwardError as exc:
                got, message = exc.exit_code, exc.message
        if got != expected_exit:
            where = exit_node or step
            said = f": {message}" if message else ""
            raise _Failed(where, f"{action or 'step'}: expected exit {expected_exit}, got "
                                 f"{got}{said}")
        self._expect(step)

    def _instant(self, node: Node) -> datetime:
        try:
            return parse_instant(str(node.plain()), what="time")
        except AwardError as exc:
            raise _Failed(node, exc.message) from None

    def _act(self, action: str, step: Mapping) -> None:
        items, sessions = self.service.items, self.service.sessions
        value = step.get(action)
        assert value is not None
        text = str(value.plain())
        comment = _text(step.get("comment"))
        actors = [Actor(login) for login in _logins(step.get("as"))]
        if action in CAMPAIGN_ACTIONS:
            self._campaign_act(action, value, step, actors)
            return
        item = self.item
        assert item is not None
        if action == "escalate-at":
            self.clock.set(self._instant(value))
            self.service.timers.escalate()
            return
        if action == "object":
            who = actors[0] if actors else None
            made = items.file_objection(who, item, text, _text(step.get("name")),
                                        _text(step.get("contact")))
            self.objections.append(str(made["id"]))
            return
        if not actors:
            raise _Failed(step, f"{action}: who acts? give as: LOGIN")
        acts: dict[str, Callable[[Actor], Any]] = {
            "fire": lambda a: items.fire(a, item, text, comment),
            "vote": lambda a: items.vote(a, item, text),
            "recuse": lambda a: items.recuse(a, item, text),
            "confirm": lambda a: items.confirm(a, item, text,
                                               _text(step.get("decision")) or "yes", comment),
            "attach": lambda a: self._attach(a, text),
            "resolve": lambda a: items.resolve(a, self._objection(step), text,
                                               comment or "Đã xác minh"),
            "ballot": lambda a: sessions.ballot(a, self._session(step), {item: text}),
            "session": lambda a: self._session_act(a, text, step),
        }
        for actor in actors:
            acts[action](actor)

    def _campaign_act(self, action: str, value: Node, step: Mapping,
                      actors: list[Actor]) -> None:
        """register, ranking: open|close, paper: [UNIT…] on the step's campaign."""
        campaigns = self.service.campaigns
        campaign = _text(step.get("campaign"))
        if campaign is None:
            raise _Failed(step, f"{action}: which campaign? give campaign: ID")
        if not actors:
            raise _Failed(step, f"{action}: who acts? give as: LOGIN")
        cluster = _text(step.get("cluster"))
        if action != "register" and cluster is None:
            raise _Failed(step, f"{action}: which cluster? give cluster: ID")
        unit = _text(step.get("unit"))
        for actor in actors:
            if action == "register":
                if unit is None:
                    raise _Failed(step, "register: which unit registers? give unit: UNIT")
                campaigns.register(actor, campaign, unit, str(value.plain()),
                                   _text(step.get("person")))
            elif action == "paper":
                assert cluster is not None
                campaigns.cluster_vote(actor, campaign, cluster, _logins(value), unit)
            elif value.plain() == "open":
                assert cluster is not None
                campaigns.cluster_open(actor, campaign, cluster)
            elif value.plain() == "close":
                assert cluster is not None
                campaigns.cluster_close(actor, campaign, cluster)
            else:
                raise _Failed(value, f"ranking: {value.plain()!r}: use open or close")

    def _objection(self, step: Mapping) -> str:
        if not self.objections:
            raise _Failed(step, "resolve: no objection was filed in this scenario")
        return self.objections.pop()

    def _session(self, step: Mapping) -> str:
        if self.session is None:
            raise _Failed(step, "ballot: no session is open (session: open first)")
        return self.session

    def _session_act(self, actor: Actor, what: str, step: Mapping) -> None:
        assert self.item is not None
        if what == "open":
            unit = _text(step.get("unit"))
            if unit is None:
                raise _Failed(step, "session: open needs unit: COUNCIL_UNIT")
            self.session = str(self.service.sessions.open(actor, unit, [self.item])["id"])
        elif what == "close":
            self.service.sessions.close(actor, self._session(step))
            self.session = None
        else:
            raise _Failed(step, f"session: {what!r}: use open or close")

    # ---- expectations --------------------------------------------------------------------

    def _expect(self, step: Mapping) -> None:
        if not any(k in step for k in ("state", "due_at", "outbox")):
            return
        assert self.item is not None  # steps before the nomination expect nothing
        shown = self.service.items.show(self.item)
        state = step.get("state")
        if state is not None and shown["state"] != str(state.plain()):
            raise _Failed(state, f"expected state {state.plain()}, got {shown['state']}")
        due = step.get("due_at")
        if due is not None:
            want = None if due.plain() is None else self._instant(due)
            have = None if shown.get("due_at") is None else parse_instant(shown["due_at"])
            if want != have:
                raise _Failed(due, f"expected due_at {due.plain()}, got {shown.get('due_at')}")
        outbox = step.get("outbox")
        if outbox is not None:
            self._expect_outbox(outbox)

    def _expect_outbox(self, node: Node) -> None:
        assert self.item is not None
        wanted = node.items if isinstance(node, Sequence) else [node]
        messages = list(self.service.timers.outbox(self.item))
        for want in wanted:
            if not isinstance(want, Mapping) or not want.values or any(
                    k not in OUTBOX_KEYS for k in want.values):
                raise _Failed(want, f"outbox: expected a mapping of {', '.join(OUTBOX_KEYS)}")
            spec = {k: str(v.plain()) for k, v in want.values.items()}

            def matches(m: dict[str, Any], spec: dict[str, str] = spec) -> bool:
                return ((spec.get("to") is None or m["recipient"] == spec["to"])
                        and (spec.get("kind") is None or m["kind"] == spec["kind"])
                        and (spec.get("subject") is None
                             or spec["subject"].casefold() in str(m["subject"]).casefold()))

            if not any(matches(m) for m in messages):
                got = "; ".join(f"{m['kind']} to {m['recipient']}" for m in messages) or "none"
                shown = ", ".join(f"{k} {v}" for k, v in spec.items())
                raise _Failed(want, f"expected an outbox message ({shown}), got {got}")

