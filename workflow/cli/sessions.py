"""Council sessions: ``award session open|show|close|minutes|list`` and ``award ballot``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from workflow.cli.base import app, command, id_list, state
from workflow.errors import UsageError

session_app = typer.Typer(help="council sessions: one meeting, one paper per member, one set "
                          "of minutes", no_args_is_help=True)
app.add_typer(session_app, name="session")


@command(session_app, "open")
def session_open(
    ctx: typer.Context,
    unit: str = typer.Option(..., "--unit", metavar="COUNCIL_UNIT",
                             help="the council's unit (you are its secretariat)"),
    items: str = typer.Option(..., "--items", metavar="ID,ID,…",
                              help="items in an open vote of that council, in paper order"),
    title: str | None = typer.Option(None, "--title", help="what the meeting is called"),
) -> None:
    """Put items the council is voting on onto one paper: members cast one paper each."""
    st = state(ctx)
    result = st.service().sessions.open(st.actor(), unit, id_list(items), title)
    st.out.emit(result, lambda r: st.out.line(
        f"council session {r['id']} of {r['council']} is open with "
        f"{len(r['items'])} item(s): {', '.join(r['items'])}"))


def _show_human(st: Any, r: dict[str, Any]) -> None:
    out = st.out
    out.line(f"Council session {r['id']} — {r['council_name']} ({r['council']})"
             + (f": {r['title']}" if r["title"] else ""))
    out.line(f"  status    {r['status']}" + (f", minutes no. {r['number']}" if r["number"]
                                              else ""))
    out.line(f"  opened    {r['opened_at']} by {r['opened_by']}"
             + (f"; closed {r['closed_at']} by {r['closed_by']}" if r["closed_at"] else ""))
    out.line(f"  papers    {r['papers']} of {r['members']} members have voted"
             + (f"; {r['papers_due']} still to vote" if r["status"] == "open" else ""))
    if r["status"] == "closed":
        out.table(["id", "nominee", "result", "yes", "no", "abstain", "of", "state"],
                  ([i["id"], i["nominee"],
                    ("PASSED" if i["tally"]["passed"] else "NOT PASSED") if i.get("tally")
                    else "not decided", *(i["tally"][k] if i.get("tally") else ""
                                          for k in ("yes", "no", "abstain", "members")),
                    i["state"]] for i in r["items"]))
    else:
        out.table(["id", "nominee", "unit", "voted", "recused", "members", "note"],
                  ([i["id"], i["nominee"], i["unit"], i["voted"], i["recused"], i["members"],
                    i.get("why_not") or ""] for i in r["items"]))


@command(session_app, "show")
def session_show(ctx: typer.Context,
                 session: str = typer.Argument(..., metavar="SESSION")) -> None:
    """The session and, per item, roll and voted counts (tallies only once closed)."""
    st = state(ctx)
    result = st.service().sessions.show(session)
    st.out.emit(result, lambda r: _show_human(st, r))


@command(session_app, "list")
def session_list(
    ctx: typer.Context,
    unit: str | None = typer.Option(None, "--unit", help="only this council's sessions"),
    open_only: bool = typer.Option(False, "--open", help="only open sessions"),
) -> None:
    """Council sessions, oldest first."""
    st = state(ctx)
    rows = st.service().sessions.find(unit=unit, status="open" if open_only else None)
    if st.as_json:
        st.out.json(rows)
        return
    st.out.table(["id", "council", "title", "status", "opened", "closed"],
                 ([r["id"], r["council"], r["title"] or "", r["status"], r["opened_at"],
                   r["closed_at"] or ""] for r in rows))


@command(session_app, "close")
def session_close(ctx: typer.Context,
                  session: str = typer.Argument(..., metavar="SESSION")) -> None:
    """Close every round of the session in one transaction; each item moves by its own rule."""
    st = state(ctx)
    result = st.service().sessions.close(st.actor(), session)

    def human(r: dict[str, Any]) -> None:
        st.out.line(f"council session {r['id']} closed (minutes no. {r['number']})")
        for item in r["items"]:
            st.out.line(f"  {item['id']}: " + (f"{item['reason']} → {item['state']}"
                                               if item["decided"] else item["reason"]))

    st.out.emit(result, human)


@command(session_app, "minutes")
def session_minutes(
    ctx: typer.Context,
    session: str = typer.Argument(..., metavar="SESSION"),
    out: Path | None = typer.Option(None, "--out", help="write the minutes (HTML) here"),
) -> None:
    """The meeting's one set of minutes, as issued when it closed."""
    st = state(ctx)
    result = st.service().sessions.minutes(session)
    if out is not None:
        out.write_text(result["text"], encoding="utf-8")
        summary = {k: v for k, v in result.items() if k != "text"} | {"out": str(out)}
        st.out.emit(summary, lambda r: st.out.line(f"wrote {r['out']} (sha256 {r['sha256']})"))
    elif st.as_json:
        st.out.json(result)
    else:
        typer.echo(result["text"], nl=False)


@command(app, "ballot")
def ballot(
    ctx: typer.Context,
    session: str = typer.Argument(..., metavar="SESSION"),
    marks: list[str] = typer.Argument(..., metavar="ID=CHOICE…",
                                      help="every item you may vote on: ID=yes|no|abstain"),
    written: bool = typer.Option(False, "--written", help="record an absent member's written "
                                 "paper (secretariat; not secret)"),
    for_: str | None = typer.Option(None, "--for", metavar="LOGIN",
                                    help="the absent member (with --written)"),
) -> None:
    """Cast your one paper for a council session: all of it is recorded, or none."""
    st = state(ctx)
    if written != (for_ is not None):
        raise UsageError("--written and --for LOGIN go together")
    result = st.service().sessions.ballot(st.actor(), session, marks, for_)

    def human(r: dict[str, Any]) -> None:
        who = f"the written paper of {r['member']}" if r["written"] else "your paper"
        st.out.line(f"{who} is recorded for council session {r['session']}: "
                    f"{len(r['items'])} item(s); {r['papers_due']} member(s) still to vote")

    st.out.emit(result, human)
