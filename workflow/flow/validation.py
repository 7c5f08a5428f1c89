"""Graph checks of a flow, run once at load (never at run time).

Exactly one initial state; every state reachable from it; every non-final state has a way out
and can still reach a final state (no traps); final states have none; trigger names unique per
source state; escalation ``fire`` names a trigger of its state that the system may fire; at
most one ``hold`` state. Edges are declared transitions plus the implicit ones: a vote's
``pass``/``fail``/``no_quorum``, a notice's ``then``, confirmations' ``then``/``on_negative``,
hold (from every non-final state, back by resuming) and ``on_upheld``.

Must not import the store, jinja2, typer or apscheduler.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from workflow.flow.spec import StateSpec, TransitionSpec
from workflow.yamlnodes import Mapping, Node, Problems

__all__ = ["Located", "implicit_edges", "validate_graph"]


@dataclass(frozen=True)
class Located:
    """Parsed states and transitions with the nodes they came from (for locations)."""

    states: dict[str, StateSpec]
    state_nodes: dict[str, Node]
    transitions: list[TransitionSpec]
    transition_nodes: list[Node]
    top: Mapping
    on_upheld: str | None


def implicit_edges(state: StateSpec) -> Iterator[str]:
    """Destinations a state reaches without a declared transition."""
    if state.vote:
        yield from (state.vote.pass_to, state.vote.fail_to, state.vote.no_quorum_to)
    if state.notice:
        yield state.notice.then
    if state.confirmations:
        yield from (state.confirmations.then, state.confirmations.on_negative)


def validate_graph(flow: Located, problems: Problems) -> None:
    states = flow.states
    if not states:
        return
    _check_initial(flow, problems)
    _check_transitions(flow, problems)
    _check_escalations(flow, problems)
    holds = [s for s in states.values() if s.type == "hold"]
    for extra in holds[1:]:
        problems.add(flow.state_nodes[extra.name], f"state {extra.name!r}: a flow has at most "
                                                   f"one hold state (first: {holds[0].name!r})")
    _check_reachability(flow, problems)


def _check_initial(flow: Located, problems: Problems) -> None:
    initial = [s.name for s in flow.states.values() if s.initial]
    if not initial:
        problems.add(flow.top.keys.get("states", flow.top),
                     "no initial state; mark exactly one state 'initial: true'")
    for name in initial[1:]:
        problems.add(flow.state_nodes[name],
                     f"state {name!r}: more than one initial state (first: {initial[0]!r})")


def _check_transitions(flow: Located, problems: Problems) -> None:
    seen: dict[tuple[str, str], int] = {}
    for t, node in zip(flow.transitions, flow.transition_nodes, strict=True):
        for source in t.sources:
            state = flow.states.get(source)
            if state is not None and state.final:
                problems.add(node, f"transition {t.trigger!r}: final state {source!r} "
                                   "cannot have transitions out")
            if state is not None and state.type == "hold":
                problems.add(node, f"transition {t.trigger!r}: hold state {source!r} is left by "
                                   "resolving objections, not by transitions")
            key = (source, t.trigger)
            if key in seen:
                problems.add(node, f"trigger {t.trigger!r} is declared twice from state "
                                   f"{source!r} (first at line {seen[key]})")
            else:
                seen[key] = node.line
        if t.dest in flow.states and flow.states[t.dest].type == "hold":
            problems.add(node, f"transition {t.trigger!r}: items enter hold state {t.dest!r} "
                               "only by objections")


def _check_escalations(flow: Located, problems: Problems) -> None:
    for state in flow.states.values():
        for step in state.escalate:
            if step.fire is None:
                continue
            node = flow.state_nodes[state.name]
            t = next((t for t in flow.transitions
                      if t.trigger == step.fire and state.name in t.sources), None)
            if t is None:
                declared = [t.trigger for t in flow.transitions if state.name in t.sources]
                problems.add(node, f"state {state.name!r}: escalation fires {step.fire!r}, "
                                   f"which is not a transition from this state; "
                                   f"declared here: {', '.join(declared) or 'none'}")
            elif not t.by.system:
                problems.add(node, f"state {state.name!r}: escalation fires {step.fire!r}, "
                                   "but that transition is not 'by: system'")


def _edges(flow: Located) -> dict[str, set[str]]:
    """Declared and implicit edges between states (no hold or upheld detours)."""
    edges: dict[str, set[str]] = {name: set() for name in flow.states}
    for t in flow.transitions:
        for source in t.sources:
            if source in edges and t.dest in flow.states:
                edges[source].add(t.dest)
    for state in flow.states.values():
        edges[state.name].update(d for d in implicit_edges(state) if d in flow.states)
    return edges


def _reach(edges: dict[str, set[str]], start: str) -> set[str]:
    seen = {start}
    stack = [start]
    while stack:
        for nxt in edges[stack.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def _check_reachability(flow: Located, problems: Problems) -> None:
    initial = [s.name for s in flow.states.values() if s.initial]
    if len(initial) != 1:
        return
    direct = _edges(flow)
    hold = next((s.name for s in flow.states.values() if s.type == "hold"), None)
    # Upheld objections reach on_upheld from any state; a hold is reachable once any non-final
    # state is, and resuming only returns to states already reached — so it adds nothing.
    with_upheld = {k: set(v) for k, v in direct.items()}
    if flow.on_upheld is not None and flow.on_upheld in flow.states:
        for state in flow.states.values():
            if not state.final and state.type != "hold":
                with_upheld[state.name].add(flow.on_upheld)
    reachable = _reach(with_upheld, initial[0])
    if hold is not None and any(not flow.states[n].final for n in reachable):
        reachable.add(hold)
    finals = {s.name for s in flow.states.values() if s.final}
    if not finals:
        problems.add(flow.top.keys.get("states", flow.top),
                     "no final state; mark at least one 'final: true' with an outcome")
    for state in flow.states.values():
        node = flow.state_nodes[state.name]
        if state.name not in reachable:
            problems.add(node, f"state {state.name!r} is not reachable from the initial state "
                               f"{initial[0]!r}")
        if state.final:
            continue
        # A way out of its own: declared or implicit edges, not the hold/upheld detours.
        own = {t.dest for t in flow.transitions if state.name in t.sources}
        own.update(implicit_edges(state))
        if state.type != "hold" and not own:
            problems.add(node, f"state {state.name!r} has no way out; add a transition from it "
                               "or make it final")
            continue
        # Holds only return where they came from and upheld objections are the exception, so
        # neither counts as the way to an end.
        if finals and state.type != "hold" and not _reach(direct, state.name) & finals:
            problems.add(node, f"state {state.name!r} can never reach a final state (a trap)")
