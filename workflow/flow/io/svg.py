"""A flow's diagram as SVG, drawn on the server (no script, no network): the flow page shows it.

States are laid out top to bottom in rows by their distance from the initial state (along
:meth:`FlowSpec.edges`, detours left out), in declaration order within a row; the hold state,
which objections reach from anywhere, sits alone in the last row. A forward edge is a straight
arrow; an edge back up (a return, a resubmission) or along a row is a curve on the right.
Every state shows its label in the chosen language (and, when given, how many items are in
it); every edge is labelled with its button's words or what causes it, and carries a
``<title>`` with the full text for a pointer or a screen reader.

A writer: reads the model only. Must not import the store, jinja2, typer or apscheduler.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from workflow.flow.model import Edge, EdgeKind, FlowSpec, StateSpec

__all__ = ["render_svg"]

BOX_W, BOX_H = 168, 46
GAP_X, GAP_Y = 28, 64
PAD = 16
CHARS = 24  # per line of a state's label

_WORDS = {
    "vi": {EdgeKind.VOTE_PASS: "thông qua", EdgeKind.VOTE_FAIL: "không thông qua",
           EdgeKind.NO_QUORUM: "không đủ số", EdgeKind.NEGATIVE: "có cơ quan không xác nhận",
           "notice": "hết thời gian công khai", "confirmed": "đủ xác nhận",
           "items": "hồ sơ", "hold": "khiếu nại, góp ý: tạm dừng; không có cơ sở: trở lại"},
    "en": {EdgeKind.VOTE_PASS: "passed", EdgeKind.VOTE_FAIL: "not passed",
           EdgeKind.NO_QUORUM: "no quorum", EdgeKind.NEGATIVE: "a confirmation refused",
           "notice": "notice ends", "confirmed": "all confirmed",
           "items": "items", "hold": "objections hold items here; dismissed: back"},
}
_FILL = {"task": "#ffffff", "vote": "#e8f0fe", "notice": "#fff6e0", "confirmations": "#eef7ee",
         "hold": "#f4f4f4", "awarded": "#d7f0dd", "rejected": "#fbe3e3", "withdrawn": "#ececec"}


def _pick(mapping: Mapping[str, str], lang: str, fallback: str) -> str:
    return mapping.get(lang) or mapping.get("vi") or fallback


def _ranks(flow: FlowSpec) -> dict[str, int]:
    rank = {flow.initial: 0}
    queue = [flow.initial]
    forward = [e for e in flow.edges() if not e.kind.detour]
    while queue:
        state = queue.pop(0)
        for edge in forward:
            if edge.source == state and edge.dest not in rank:
                rank[edge.dest] = rank[state] + 1
                queue.append(edge.dest)
    last = max(rank.values(), default=0)
    for name in flow.states:
        if name not in rank:  # the hold state (reached only by detours)
            last += 1
            rank[name] = last
    return rank


def _lines(text: str) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= CHARS:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
        if len(lines[1]) > CHARS:
            lines[1] = lines[1][:CHARS - 1] + "…"
    return lines or [""]


def _edge_label(flow: FlowSpec, edge: Edge, lang: str) -> str | None:
    words = _WORDS.get(lang, _WORDS["vi"])
    state = flow.states[edge.source]
    if edge.kind is EdgeKind.DECLARED and edge.transition is not None:
        return _pick(edge.transition.label, lang, edge.trigger)
    if edge.kind is EdgeKind.NO_QUORUM and state.vote and edge.dest == state.vote.fail_to:
        return None  # drawn as the failed vote's arrow
    if edge.kind is EdgeKind.THEN:
        return words["notice"] if state.notice else words["confirmed"]
    if edge.kind.detour:
        return None
    return words.get(edge.kind)


def _fill(state: StateSpec) -> str:
    if state.final:
        return _FILL.get(state.outcome or "", "#ffffff")
    return _FILL.get(state.type, "#ffffff")


def render_svg(flow: FlowSpec, lang: str = "vi", counts: Mapping[str, int] | None = None
               ) -> str:
    """The diagram as an ``<svg>`` element (UTF-8 text, every string escaped)."""
    counts = counts or {}
    words = _WORDS.get(lang, _WORDS["vi"])
    rank = _ranks(flow)
    rows: dict[int, list[str]] = {}
    for name in flow.states:
        rows.setdefault(rank[name], []).append(name)
    widest = max(len(r) for r in rows.values())
    width = PAD * 2 + widest * BOX_W + (widest - 1) * GAP_X
    pos: dict[str, tuple[float, float]] = {}
    for r, names in rows.items():
        row_w = len(names) * BOX_W + (len(names) - 1) * GAP_X
        x0 = PAD + ((widest * BOX_W + (widest - 1) * GAP_X) - row_w) / 2
        for i, name in enumerate(names):
            pos[name] = (x0 + i * (BOX_W + GAP_X), PAD + r * (BOX_H + GAP_Y))
    height = PAD * 2 + (max(rows) + 1) * (BOX_H + GAP_Y) - GAP_Y
    title = _pick(flow.title, lang, flow.id)
    out = [f"<title>{escape(title)}</title>",
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
           'fill="#444"/></marker></defs>']
    drawn: dict[tuple[str, str], int] = {}
    backs = 0
    right = PAD + widest * BOX_W + (widest - 1) * GAP_X
    for edge in flow.edges():
        label = _edge_label(flow, edge, lang)
        if label is None:
            continue
        key = (edge.source, edge.dest)
        nth = drawn.get(key, 0)
        drawn[key] = nth + 1
        sx, sy = pos[edge.source]
        dx, dy = pos[edge.dest]
        anchor = "start"
        if rank[edge.dest] > rank[edge.source]:
            x1, y1 = sx + BOX_W / 2 + nth * 12, sy + BOX_H
            x2, y2 = dx + BOX_W / 2 + nth * 12, dy
            path = f"M{x1:.0f},{y1:.0f} L{x2:.0f},{y2:.0f}"
            lx, ly = x1 + (x2 - x1) * 0.7, y1 + (y2 - y1) * 0.7 + nth * 14
            if x2 < x1 - 5:
                anchor, lx = "end", lx - 4
            else:
                lx += 4
        elif rank[edge.dest] == rank[edge.source]:  # along a row: side to side
            left_to_right = dx > sx
            x1 = sx + BOX_W if left_to_right else sx
            x2 = dx if left_to_right else dx + BOX_W
            y1 = y2 = sy + BOX_H / 2 + nth * 8
            path = f"M{x1:.0f},{y1:.0f} L{x2:.0f},{y2:.0f}"
            lx, ly = (x1 + x2) / 2, y1 - 5
            anchor = "middle"
        else:  # back up: a curve out past everything to the right
            backs += 1
            x1, y1 = sx + BOX_W, sy + BOX_H / 2 + 6
            x2, y2 = dx + BOX_W, dy + BOX_H / 2 - 6
            bend = right + 24 + 22 * backs
            path = (f"M{x1:.0f},{y1:.0f} C{bend:.0f},{y1:.0f} {bend:.0f},{y2:.0f} "
                    f"{x2:.0f},{y2:.0f}")
            lx, ly = bend - 14, (y1 + y2) / 2 + 13 * (backs % 3)
            anchor = "end"
        out.append(
            f'<g class="edge" data-source="{escape(edge.source)}" '
            f'data-dest="{escape(edge.dest)}"><title>{escape(label)}</title>'
            f'<path d="{path}" fill="none" stroke="#444" stroke-width="1.3" '
            f'marker-end="url(#arrow)"/>'
            f'<text x="{lx:.0f}" y="{ly:.0f}" font-size="10.5" fill="#222" '
            f'text-anchor="{anchor}" paint-order="stroke" stroke="#fff" stroke-width="3">'
            f"{escape(label[:30])}</text></g>")
    width = max(width, right + 24 + 22 * backs + PAD)
    for name, state in flow.states.items():
        x, y = pos[name]
        label = _pick(state.label, lang, name)
        count = counts.get(name)
        dash = ' stroke-dasharray="5 3"' if state.type == "hold" else ""
        border = 2.5 if state.final or state.initial else 1.2
        out.append(f'<g class="state" data-state="{escape(name)}"><title>{escape(label)}'
                   + (f" — {count} {words['items']}" if count else "")
                   + (f"\n{words['hold']}" if state.type == "hold" else "") + "</title>"
                   f'<rect x="{x:.0f}" y="{y:.0f}" width="{BOX_W}" height="{BOX_H}" rx="9" '
                   f'fill="{_fill(state)}" stroke="#333" stroke-width="{border}"{dash}/>')
        lines = _lines(label)
        for i, line in enumerate(lines):
            ty = y + BOX_H / 2 + (i - (len(lines) - 1) / 2) * 14 + 4
            out.append(f'<text x="{x + BOX_W / 2:.0f}" y="{ty:.0f}" text-anchor="middle">'
                       f"{escape(line)}</text>")
        if count:
            out.append(f'<circle cx="{x + BOX_W - 4:.0f}" cy="{y + 4:.0f}" r="11" '
                       f'fill="#1a56db"/><text x="{x + BOX_W - 4:.0f}" y="{y + 8:.0f}" '
                       f'text-anchor="middle" fill="#fff" font-size="11" '
                       f'class="count">{count}</text>')
        out.append("</g>")
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="flow-diagram" role="img" '
            f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} '
            f'{height:.0f}" font-family="system-ui, sans-serif" font-size="12">')
    return "\n".join([head, *out, "</svg>"])
