"""Graph checks of a flow, run once at load (never at run time).

Exactly one initial state; every state reachable from it; every non-final state has a way out
and can still reach a final state (no traps); final states have none; trigger names unique per
source state; escalation ``fire`` names a trigger of its state that the system may fire; at
most one ``hold`` state. The edges are :func:`~workflow.flow.model.flow_edges`, the same list
the machine is compiled from, taken on the parts read so far (a flow with problems is never
built, but its graph is still checked so every problem is reported at once).

Reads YAML nodes only for their locations. Must not import the store, jinja2, typer,
apscheduler or transitions.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflow.flow.model import Edge, EdgeKind, StateSpec, TransitionSpec, flow_edges
from workflow.yamlnodes import Mapping, Node, Problems

__all__ = ["Located", "validate_graph"]


@dataclass(frozen=True)
class Located:
    """Parsed states and transitions with the nodes they came from (for locations)."""

    states: dict[str, StateSpec]
    state_nodes: dict[str, Node]
    transitions: list[TransitionSpec]
    transition_nodes: list[Node]
    top: Mapping
    on_upheld: str | None


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


def _graph(flow: Located, edges: list[Edge]) -> dict[str, set[str]]:
    """Adjacency between the states that were read (a bad one is reported elsewhere)."""
    graph: dict[str, set[str]] = {name: set() for name in flow.states}
    for edge in edges:
        if edge.source in graph and edge.dest in flow.states:
            graph[edge.source].add(edge.dest)
    return graph


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
    edges = list(flow_edges(flow.states, flow.transitions, flow.on_upheld))
    forward = [e for e in edges if not e.kind.detour]
    direct = _graph(flow, forward)
    # Upheld objections reach on_upheld from any state that can be parked. The hold is
    # reachable once such a state is, but it is not walked from: resuming only returns to
    # states already reached, and its own upheld edge goes where theirs do.
    upheld = [e for e in edges if e.kind is EdgeKind.UPHELD
              and e.source in flow.states and flow.states[e.source].type != "hold"]
    reachable = _reach(_graph(flow, forward + upheld), initial[0])
    reachable |= {e.dest for e in edges if e.kind is EdgeKind.HOLD and e.source in reachable}
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
        if state.type != "hold" and not any(e.source == state.name for e in forward):
            problems.add(node, f"state {state.name!r} has no way out; add a transition from it "
                               "or make it final")
            continue
        # Holds only return where they came from and upheld objections are the exception, so
        # neither counts as the way to an end.
        if finals and state.type != "hold" and not _reach(direct, state.name) & finals:
            problems.add(node, f"state {state.name!r} can never reach a final state (a trap)")
