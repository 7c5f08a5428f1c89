"""``award flows …``: list, show, validate and draw flow definitions."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from workflow.cli.base import app, command, state
from workflow.cli.output import writing
from workflow.errors import DefinitionError, InvalidInput, NotAllowed

flows_app = typer.Typer(help="flow definitions: list, show, validate, graph, schema, test, "
                        "diff, migrate", no_args_is_help=True)
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


class SchemaKind(StrEnum):
    flow = "flow"
    calendar = "calendar"
    catalogue = "catalogue"
    directory = "directory"


@command(flows_app, "schema")
def flows_schema(
    ctx: typer.Context,
    kind: SchemaKind = typer.Option(SchemaKind.flow, "--kind",
                                    help="flow, calendar, catalogue or directory"),
    out: Path | None = typer.Option(None, "--out", metavar="FILE", help="write it to FILE"),
) -> None:
    """The JSON Schema (draft 2020-12) of flow files (or another kind of definition file)."""
    st = state(ctx)
    text = st.service().setup.flow_schema(kind.value)
    if out is not None:
        with writing(out) as stream:
            stream.write(text)
        st.out.emit({"kind": kind.value, "out": str(out)},
                    lambda d: st.out.line(f"wrote {d['out']}"))
    elif st.as_json:
        st.out.json(json.loads(text))
    else:
        typer.echo(text, nl=False)


def _diff_lines(d: dict[str, Any]) -> list[str]:
    """A diff as a person reads it: ``+`` added, ``-`` removed, ``~`` changed."""
    def changes(items: list[dict[str, Any]]) -> str:
        return "; ".join(f"{c['what']} {c['from'] or '—'} → {c['to'] or '—'}" for c in items)

    lines = [f"flow {d['flow']}: {d['from'][:12]} → {d['to'][:12]}"]
    sections: list[tuple[str, list[str]]] = [
        ("settings", [f"  ~ {changes([c])}" for c in d["settings"]]),
        ("states", [*(f"  + {s['state']} [{s['type']}]" for s in d["states"]["added"]),
                    *(f"  - {s['state']} [{s['type']}]" for s in d["states"]["removed"]),
                    *(f"  ~ {s['state']}: {changes(s['changes'])}"
                      for s in d["states"]["changed"])]),
        ("transitions", [
            *(f"  + {t['from']} --{t['trigger']}--> {t['to']} by {t['by']}"
              for t in d["transitions"]["added"]),
            *(f"  - {t['from']} --{t['trigger']}--> {t['to']} by {t['by']}"
              for t in d["transitions"]["removed"]),
            *(f"  ~ {t['from']} --{t['trigger']}: {changes(t['changes'])}"
              for t in d["transitions"]["changed"])]),
        ("roles", [*(f"  + {r}" for r in d["roles"]["added"]),
                   *(f"  - {r}" for r in d["roles"]["removed"])]),
        ("slas", [f"  ~ {s['state']}: {s['from'] or 'none'} → {s['to'] or 'none'}"
                  for s in d["slas"]]),
        ("guards", [*(f"  + {g['from']} --{g['trigger']}: {g['guard']}"
                      for g in d["guards"]["added"]),
                    *(f"  - {g['from']} --{g['trigger']}: {g['guard']}"
                      for g in d["guards"]["removed"])]),
    ]
    for title, body in sections:
        if body:
            lines += [title, *body]
    if len(lines) == 1:
        lines.append("no differences")
    return lines


@command(flows_app, "diff")
def flows_diff(
    ctx: typer.Context,
    flow: str = typer.Argument(..., metavar="FLOW"),
    old: str = typer.Option(..., "--from", metavar="V",
                            help="a version hash (a unique prefix will do), stored or current"),
    new: str = typer.Option("current", "--to", metavar="V", help="the same; default current"),
) -> None:
    """States, transitions, roles, SLAs and guards added, removed or changed between two
    versions of a flow."""
    st = state(ctx)
    data = st.service().setup.flow_diff(flow, old, new)

    def human(d: dict[str, Any]) -> None:
        for line in _diff_lines(d):
            st.out.line(line)

    st.out.emit(data, human)


@command(flows_app, "versions")
def flows_versions(ctx: typer.Context, flow: str = typer.Argument(..., metavar="FLOW")) -> None:
    """Every known version of a flow (stored in the database, and the file's current one)."""
    st = state(ctx)
    rows = st.service().setup.flow_versions(flow)
    if st.as_json:
        st.out.json(rows)
        return
    st.out.table(["version", "stored at", "current", "in flight"],
                 ([r["version"][:12], r["stored_at"] or "", "yes" if r["current"] else "",
                   r["in_flight"]] for r in rows))


@command(flows_app, "migrate")
def flows_migrate(
    ctx: typer.Context,
    flow: str = typer.Argument(..., metavar="FLOW"),
    to: str = typer.Option(..., "--to", metavar="V",
                           help="the version to move to: a hash prefix, stored or current"),
    maps: list[str] = typer.Option([], "--map", metavar="OLD=NEW",
                                   help="where items of a state the new version lacks go"),
    dry_run: bool = typer.Option(False, "--dry-run", help="say what would happen; change "
                                 "nothing"),
) -> None:
    """Move a flow's in-flight items to another version, all or nothing; exit 4 if any item
    cannot move (each says why)."""
    st = state(ctx)
    data = st.service().setup.flow_migrate(flow, to, maps, dry_run)

    def human(d: dict[str, Any]) -> None:
        out = st.out
        verb = "would move" if d["dry_run"] else "moved"
        for item in d["items"]:
            head = (f"item {item['id']}: {item['state']} @ {item['from_version'][:12]} → "
                    f"{item['to_state'] or '?'} @ {d['to'][:12]}")
            if item["refused"]:
                out.line(f"{head}: REFUSED: {item['refused']}")
                continue
            timers = ", ".join(f"step {t['step']} at {t['due_at']}" for t in item["timers"])
            out.line(f"{head}; entered {item['entered_at']}, due {item['due_at'] or 'no SLA'}"
                     + (f"; timers {timers}" if timers else "")
                     + (f"; carried {', '.join(item['carried'])}" if item["carried"] else ""))
        if not d["ok"]:
            refused = sum(1 for i in d["items"] if i["refused"])
            out.line(f"refused: {refused} of {len(d['items'])} item(s) cannot move; nothing "
                     "moved")
        else:
            count = len(d["items"])
            out.line(f"{verb} {count} item(s) to {d['to'][:12]}"
                     + (f"; {d['unchanged']} already on it" if d["unchanged"] else ""))

    st.out.emit(data, human)
    if not data["ok"]:
        raise typer.Exit(NotAllowed.exit_code)


@command(flows_app, "test")
def flows_test(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., metavar="PATH...",
                                       help="scenario files or folders of them"),
) -> None:
    """Run scenario files against a throwaway in-memory database: one PASS/FAIL line per
    scenario, exit 1 on any failure."""
    st = state(ctx)
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise InvalidInput(f"no such file or folder: {missing[0]}", file=str(missing[0]))
    from workflow.scenarios import run_files

    run = run_files(paths, st.settings())
    if not run.outcomes:
        raise InvalidInput("no scenario files found (*.yaml)", file=str(paths[0]))
    failed = sum(1 for o in run.outcomes if not o.ok)
    if st.as_json:
        st.out.json({"ok": run.ok, "passed": len(run.outcomes) - failed, "failed": failed,
                     "scenarios": [{"file": o.file, "line": o.line, "name": o.name,
                                    "ok": o.ok, "message": o.message, "col": o.col}
                                   for o in run.outcomes]})
    else:
        for outcome in run.outcomes:
            typer.echo(str(outcome))
        typer.echo(f"{len(run.outcomes) - failed} passed, {failed} failed")
    if not run.ok:
        raise typer.Exit(1)
