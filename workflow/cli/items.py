"""Commands on the store and items: init, directory, nominate, update, attach, fire, show, list,
render."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from workflow.cli.base import app, command, state
from workflow.cli.output import writing

directory_app = typer.Typer(help="the directory of units, people, roles and prior awards",
                            no_args_is_help=True)
app.add_typer(directory_app, name="directory")


@command(directory_app, "load")
def directory_load(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="a directory YAML file"),
) -> None:
    """Load units, people, roles and prior awards (idempotent)."""
    st = state(ctx)
    result = st.service().setup.load_directory(file)
    st.out.emit(result, lambda r: st.out.line(
        f"{r['file']}: {r['units']} units, {r['people']} people, {r['awards']} prior awards; "
        f"changed: " + ", ".join(f"{k} {v}" for k, v in r["changed"].items())))


@command(app, "nominate")
def nominate(
    ctx: typer.Context,
    flow: str = typer.Argument(..., help="flow id (award flows list)"),
    unit: str = typer.Option(..., "--unit", help="the nominating unit's id"),
    nominee: str = typer.Option("", "--nominee", help="the nominee's name (default with "
                                "--person: the name in the directory)"),
    person: str | None = typer.Option(None, "--person", help="the nominee's login, for history"),
    nominee_unit: str | None = typer.Option(None, "--nominee-unit", help="a collective flow's "
                                            "nominee: a unit id (default: --unit itself); the "
                                            "name defaults to the unit's"),
    set_: list[str] = typer.Option([], "--set", help="a field: KEY=VALUE (repeat)",
                                   metavar="KEY=VALUE"),
    confidential: bool = typer.Option(False, "--confidential", help="the nominee works on "
                                      "special or secret tasks: named only to people with a "
                                      "role at the unit or above"),
) -> None:
    """Start a nomination in the flow's initial state."""
    from workflow.flow import parse_assignments

    st = state(ctx)
    result = st.service().items.nominate(st.actor(), flow, unit, nominee, person,
                                         parse_assignments(set_), confidential=confidential,
                                         nominee_unit=nominee_unit)
    st.out.emit(result, lambda r: st.out.line(f"nomination {r['id']} created in {r['state']}"))


@command(app, "update")
def update(
    ctx: typer.Context,
    nomination: str = typer.Argument(..., metavar="ID"),
    set_: list[str] = typer.Option(..., "--set", help="a field: KEY=VALUE (repeat; empty "
                                   "value clears)", metavar="KEY=VALUE"),
    expect_version: int | None = typer.Option(None, "--expect-version",
                                              help="fail (exit 6) if the item changed"),
) -> None:
    """Change a nomination's fields (checked against the flow)."""
    from workflow.flow import parse_assignments

    st = state(ctx)
    result = st.service().items.update(st.actor(), nomination, parse_assignments(set_),
                                       expect_version)
    st.out.emit(result, lambda r: st.out.line(f"nomination {r['id']} updated"))


@command(app, "attach")
def attach(
    ctx: typer.Context,
    nomination: str = typer.Argument(..., metavar="ID"),
    doctype: str = typer.Argument(..., metavar="DOCTYPE", help="a document type of the flow"),
    file: Path = typer.Argument(..., metavar="FILE"),
) -> None:
    """Add a document to the dossier (its sha256 is recorded)."""
    st = state(ctx)
    result = st.service().items.attach(st.actor(), nomination, doctype, file)
    st.out.emit(result, lambda r: st.out.line(
        f"attached {r['file']} as {r['type']} to {r['nomination']} (sha256 {r['sha256']})"))


@command(app, "detach")
def detach(
    ctx: typer.Context,
    nomination: str = typer.Argument(..., metavar="ID"),
    doctype: str = typer.Argument(..., metavar="DOCTYPE", help="a document type of the flow"),
) -> None:
    """Withdraw a document from a dossier that is still open (the version is kept)."""
    st = state(ctx)
    result = st.service().items.detach(st.actor(), nomination, doctype)
    st.out.emit(result, lambda r: st.out.line(
        f"withdrew {r['type']} from {r['nomination']} "
        f"(documents {', '.join(r['withdrawn'])} kept in the store)"))


@command(app, "fire")
def fire(
    ctx: typer.Context,
    nomination: str = typer.Argument(..., metavar="ID"),
    trigger: str = typer.Argument(..., metavar="TRIGGER"),
    comment: str | None = typer.Option(None, "--comment", help="reason or note"),
    expect_version: int | None = typer.Option(None, "--expect-version",
                                              help="fail (exit 6) if the item changed"),
) -> None:
    """Fire a transition as --as."""
    st = state(ctx)
    result = st.service().items.fire(st.actor(), nomination, trigger, comment, expect_version)
    st.out.emit(result, lambda r: st.out.line(
        f"{r['id']}: {r['from']} --{r['trigger']}--> {r['state']}"
        + (f" ({r['reason']})" if r.get("reason") else "")
        + (f" (due {r['due_at']})" if r.get("due_at") else "")))


def _show_human(st: Any, r: dict[str, Any]) -> None:
    out = st.out
    out.line(f"Nomination {r['id']} — {r['nominee']} ({r['unit']})")
    out.line(f"  flow      {r['flow']} @ {r['flow_version'][:12]}  award {r['award']}")
    state_line = f"  state     {r['state']}"
    if r["final"]:
        state_line += f" (final: {r['outcome']})"
    if r["due_at"]:
        state_line += f", due {r['due_at']}" + (" OVERDUE" if r["overdue"] else "")
    window = r.get("window")
    if window:
        if window["paused"]:
            state_line += ", notice window paused by an objection"
        elif window["ends_at"]:
            state_line += f", notice window ends {window['ends_at']}" + (
                "" if window["open"] else " (ended)")
        else:
            state_line += ", notice window ended"
    out.line(state_line)
    if r["allowed"]:
        out.line(f"  allowed   {', '.join(r['allowed'])}")
    if r["fields"]:
        out.line("  fields    " + ", ".join(f"{k}={v}" for k, v in sorted(r["fields"].items())))
    for d in r["documents"]:
        out.line(f"  document  {d['type']}: {d['file']} sha256 {d['sha256'][:16]}…")
    for d in r["rendered"]:
        out.line(f"  rendered  {d['template']} sha256 {d['sha256'][:16]}…")
    if r.get("grant"):
        g = r["grant"]
        out.line(f"  grant     {g['id']}: {g['award']} {g['year']}"
                 + (f" by decision {g['decision']} of {g['decided_on']}" if g["decision"]
                    else "")
                 + (f"; REVOKED {g['revoked_at']} by {g['revoked_by']}: {g['revoke_reason']}"
                    if g["status"] == "revoked" else ""))
    if r.get("ballot"):
        b = r["ballot"]
        if b.get("status") == "closed":
            out.line(f"  ballot    {'PASSED' if b['passed'] else 'NOT PASSED'}: yes {b['yes']}, "
                     f"no {b['no']}, abstain {b['abstain']} of {b['members']} members "
                     f"({b['cast']} cast) — {b.get('reason', '')}")
        else:
            out.line(f"  ballot    open: {b.get('voted', 0)} of {b['members']} members have voted")
    for c in r.get("confirmations") or []:
        out.line(f"  confirm   {c['key']}: {c.get('decision') or 'waiting'}"
                 + (f" by {c['actor']}" if c.get("actor") else ""))
    for o in r["objections"]:
        out.line(f"  objection {o['id']} ({o['kind']}): {o['status']}"
                 + (f", due {o['due_at']}" if o.get("due_at") else "")
                 + (" (extended)" if o.get("extended") else "")
                 + (" OVERDUE" if o.get("overdue") else ""))
    out.table(["seq", "at", "actor", "action", "from", "to"],
              ([h["seq"], h["at"], h["actor"], h["action"], h["from"], h["to"]]
               for h in r["history"]), title="history")


@command(app, "show")
def show(ctx: typer.Context, nomination: str = typer.Argument(..., metavar="ID")) -> None:
    """An item: state, due time, fields, documents, history, ballot, objections."""
    st = state(ctx)
    result = st.service(read_only=True).items.show(nomination)
    st.out.emit(result, lambda r: _show_human(st, r))


@command(app, "list")
def list_items(
    ctx: typer.Context,
    state_: str | None = typer.Option(None, "--state", help="only items in this state"),
    flow: str | None = typer.Option(None, "--flow", help="only items of this flow"),
    unit: str | None = typer.Option(None, "--unit", help="only items of this unit"),
    overdue: bool = typer.Option(False, "--overdue", help="only items past their SLA, or with "
                                 "an open objection past its handling deadline"),
    limit: int | None = typer.Option(None, "--limit", min=1, help="at most N items"),
) -> None:
    """Items, in id order (every match unless --limit). --overdue takes items past their
    SLA and items with an overdue open objection (see award objections --overdue)."""
    st = state(ctx)
    rows = st.service(read_only=True).items.find(
        state=state_, flow=flow, unit=unit, overdue=overdue, limit=limit)
    if st.as_json:
        st.out.json(list(rows))
        return
    st.out.table(
        ["id", "flow", "state", "unit", "nominee", "due"],
        ([r["id"], r["flow"], r["state"], r["unit"], r["nominee"],
          (r["due_at"] or "") + (" !" if r["overdue"] else "")] for r in rows))


@command(app, "render")
def render(
    ctx: typer.Context,
    nomination: str = typer.Argument(..., metavar="ID"),
    template: str = typer.Argument(..., metavar="TEMPLATE"),
    out: Path | None = typer.Option(None, "--out", help="write to this file"),
) -> None:
    """Render a document for an item (notice, minutes, decision …)."""
    st = state(ctx)
    result = st.service().items.render(nomination, template)
    if out is not None:
        with writing(out) as handle:
            handle.write(result["text"])
        summary = {k: v for k, v in result.items() if k != "text"} | {"out": str(out)}
        st.out.emit(summary, lambda r: st.out.line(f"wrote {r['out']} (sha256 {r['sha256']})"))
    elif st.as_json:
        st.out.json(result)
    else:
        typer.echo(result["text"], nl=False)
