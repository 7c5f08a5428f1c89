"""Flows in and out of text: the strict YAML reader and the writers.

``reader``   YAML → :class:`~workflow.flow.model.FlowSpec` (every problem located) — the only
             way a flow is built
``describe`` a flow as plain data (``award flows show``)
``graph``    Mermaid / Graphviz diagram text (``award flows graph``)
``svg``      the diagram as SVG, drawn on the server (the administrators' flow page)
``schema``   the flow language as a JSON Schema (``award flows schema``)
``diff``     what changed between two versions (``award flows diff``)

Reads and writes text only; the files themselves are read through :mod:`workflow.yamlnodes`.
Must not import the store, jinja2, typer, apscheduler or transitions.
"""

from __future__ import annotations

from workflow.flow.io.describe import describe
from workflow.flow.io.graph import FORMATS as GRAPH_FORMATS
from workflow.flow.io.graph import render_graph
from workflow.flow.io.reader import FlowEnv, load_flow, parse_flow

__all__ = ["GRAPH_FORMATS", "FlowEnv", "describe", "load_flow", "parse_flow", "render_graph"]
