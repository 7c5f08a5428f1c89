"""Diagram text of a flow: Mermaid ``stateDiagram-v2`` or Graphviz ``dot``.

Declared transitions are drawn with their trigger and who fires them; the engine's implicit
edges (vote pass/fail, notice then, confirmations) are labelled by what causes them. The
hold state, when present, is drawn once with a note instead of an edge from every state.
"""

from __future__ import annotations

from workflow.flow.spec import FlowSpec

__all__ = ["FORMATS", "render_graph"]

FORMATS = ("mermaid", "dot")


def _edges(flow: FlowSpec) -> list[tuple[str, str, str, bool]]:
    """``(source, dest, label, implicit)`` for every edge, in declaration order."""
    edges: list[tuple[str, str, str, bool]] = []
    for t in flow.transitions:
        for source in t.sources:
            edges.append((source, t.dest, f"{t.trigger} ({t.by})", False))
    for state in flow.states.values():
        if state.vote:
            v = state.vote
            rule = f"{v.rule.threshold.text} of {v.rule.basis}"
            edges.append((state.name, v.pass_to, f"vote passed: {rule}", True))
            edges.append((state.name, v.fail_to, "vote failed", True))
            if v.no_quorum_to != v.fail_to:
                edges.append((state.name, v.no_quorum_to, "no quorum", True))
        if state.notice:
            n = state.notice
            unit = "working days" if n.working else "days"
            edges.append((state.name, n.then, f"notice ends ({n.amount} {unit})", True))
        if state.confirmations:
            c = state.confirmations
            edges.append((state.name, c.then, "all confirmed", True))
            edges.append((state.name, c.on_negative, "a confirmation refused", True))
    return edges


def _mermaid_id(name: str) -> str:
    return name


def render_graph(flow: FlowSpec, fmt: str = "mermaid") -> str:
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: use one of {', '.join(FORMATS)}")
    return _mermaid(flow) if fmt == "mermaid" else _dot(flow)


def _mermaid(flow: FlowSpec) -> str:
    lines = ["stateDiagram-v2", f"    %% {flow.id} ({flow.version[:12]})"]
    lines.append(f"    [*] --> {flow.initial}")
    for source, dest, label, _implicit in _edges(flow):
        lines.append(f"    {source} --> {dest}: {label.replace(':', ' -')}")
    for state in flow.states.values():
        if state.final:
            lines.append(f"    {state.name} --> [*]")
    hold = flow.hold_state
    if hold:
        lines.append(f"    note right of {hold}: objections park items here;"
                     " dismissed → back, upheld → " + flow.on_upheld)
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot(flow: FlowSpec) -> str:
    lines = [f"digraph {_quote(flow.id)} {{", "    rankdir=LR;",
             "    node [shape=box, style=rounded];"]
    for state in flow.states.values():
        attrs = []
        if state.final:
            attrs.append("peripheries=2")
        if state.initial:
            attrs.append("style=\"rounded,bold\"")
        if state.type != "task":
            attrs.append(f"xlabel={_quote(state.type)}")
        shown = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"    {_quote(state.name)}{shown};")
    for source, dest, label, implicit in _edges(flow):
        style = ", style=dashed" if implicit else ""
        lines.append(f"    {_quote(source)} -> {_quote(dest)} [label={_quote(label)}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
