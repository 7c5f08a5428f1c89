"""``award flows …``: list, show, validate and draw flow definitions."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from workflow.cli.base import app, command, state
from workflow.errors import DefinitionError

flows_app = typer.Typer(help="flow definitions: list, show, validate, graph",
                        no_args_is_help=True)
app.add_typer(flows_app, name="flows")


class GraphFormat(StrEnum):
    mermaid = "mermaid"
    dot = "dot"


@command(flows_app, "list")
def flows_list(ctx: typer.Context) -> None:
    """Flows: id, version, title, states (and files that failed to load)."""
    st = state(ctx)
    flows = st.service().setup.flows()
    if st.as_json:
        st.out.json(flows)
        return
    st.out.table(
        ["id", "version", "title", "states"],
        ([f["id"], f["version"][:12], f["title"].get("vi", ""), len(f["states"])]
         if f["ok"] else [f["id"], "BROKEN", f["error"], ""] for f in flows))


def _plain(value: Any) -> str:
    """A state's settings as a person reads them: ``sla: working_days 5; escalate: …``."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" if not isinstance(v, bool) else k
                         for k, v in value.items() if v not in (None, False, [], {}))
    if isinstance(value, list | tuple):
        return (" | " if any(isinstance(v, dict) for v in value) else ", ").join(
            _plain(v) for v in value)
    return str(value)


@command(flows_app, "show")
def flows_show(ctx: typer.Context, flow: str = typer.Argument(..., metavar="FLOW")) -> None:
    """One flow, every state, rule and transition."""
    st = state(ctx)
    data = st.service().setup.flow_show(flow)

    def human(d: dict[str, Any]) -> None:
        out = st.out
        title = " / ".join(dict.fromkeys(d["title"].values()))
        out.line(f"{d['id']} — {title}  version {str(d['version'])[:12]}")
        out.line(f"  award {d['award']}, nominee {d['nominee']}, calendar {d['calendar']}, "
                 f"decider {', '.join(d['decider'])}")
        for name, s in d["states"].items():
            kind = "final" if s.get("final") else s["type"]
            extras = {k: v for k, v in s.items() if k not in ("type", "label", "final")}
            out.line(f"  state {name} [{kind}] {_plain(extras)}".rstrip())
        for t in d["transitions"]:
            req = f" require {', '.join(t['require'])}" if t["require"] else ""
            out.line(f"  {'/'.join(t['from'])} --{t['trigger']}--> {t['to']} by {t['by']}{req}")

    st.out.emit(data, human)


@command(flows_app, "validate")
def flows_validate(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., metavar="PATH...", help="flow files or folders"),
) -> None:
    """Check flow files; exit 1 with one file:line:col: message per problem."""
    st = state(ctx)
    problems = st.service().setup.validate(paths)
    if st.as_json:
        st.out.json({"ok": not problems, "problems": [str(p) for p in problems]})
    elif not problems:
        st.out.line(f"ok: {len(paths)} path(s) valid")
    else:
        for problem in problems:
            typer.echo(str(problem))
    if problems:
        raise typer.Exit(DefinitionError.exit_code)


@command(flows_app, "graph")
def flows_graph(
    ctx: typer.Context,
    flow: str = typer.Argument(..., metavar="FLOW"),
    fmt: GraphFormat = typer.Option(GraphFormat.mermaid, "--format", help="mermaid or dot"),
) -> None:
    """Diagram text of a flow (Mermaid stateDiagram or Graphviz dot)."""
    st = state(ctx)
    text = st.service().setup.flow_graph(flow, fmt.value)
    if st.as_json:
        st.out.json({"flow": flow, "format": fmt.value, "text": text})
    else:
        typer.echo(text, nl=False)
