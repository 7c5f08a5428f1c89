"""Diagram text of a flow: Mermaid ``stateDiagram-v2`` or Graphviz ``dot``.

Draws :meth:`FlowSpec.edges`: declared transitions with their trigger and who fires them; the
engine's implicit edges (vote pass/fail, notice then, confirmations) labelled by what causes
them. The hold detours are not drawn edge by edge: the hold state, when present, gets one note.

A writer: reads the model only. Must not import the store, jinja2, typer or apscheduler.
"""

from __future__ import annotations

from workflow.flow.model import Edge, EdgeKind, FlowSpec

__all__ = ["FORMATS", "render_graph"]

FORMATS = ("mermaid", "dot")


def _label(flow: FlowSpec, edge: Edge) -> str | None:
    """What an edge is drawn with; ``None`` for an edge not drawn."""
    state = flow.states[edge.source]
    match edge.kind:
        case EdgeKind.DECLARED if edge.transition is not None:
            return f"{edge.trigger} ({edge.transition.by})"
        case EdgeKind.VOTE_PASS if state.vote is not None:
            return f"vote passed: {state.vote.rule.threshold.text} of {state.vote.rule.basis}"
        case EdgeKind.VOTE_FAIL:
            return "vote failed"
        case EdgeKind.NO_QUORUM if state.vote is not None and edge.dest != state.vote.fail_to:
            return "no quorum"  # drawn only when it goes somewhere other than a failed vote
        case EdgeKind.THEN if state.notice is not None:
            unit = "working days" if state.notice.working else "days"
            return f"notice ends ({state.notice.amount} {unit})"
        case EdgeKind.THEN:
            return "all confirmed"
        case EdgeKind.NEGATIVE:
            return "a confirmation refused"
    return None  # the hold detours: one note on the hold state instead


def _edges(flow: FlowSpec) -> list[tuple[str, str, str, bool]]:
    """``(source, dest, label, implicit)`` for every drawn edge, in :meth:`FlowSpec.edges`
    order (declared transitions first)."""
    drawn: list[tuple[str, str, str, bool]] = []
    for edge in flow.edges():
        label = _label(flow, edge)
        if label is not None:
            drawn.append((edge.source, edge.dest, label, edge.kind is not EdgeKind.DECLARED))
    return drawn


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
