"""``award vote`` and ``award recuse``: council members' ballots and declarations."""

from __future__ import annotations

import typer

from workflow.cli.base import app, command, state
from workflow.errors import UsageError


@command(app, "vote")
def vote(
    ctx: typer.Context,
    nomination: str = typer.Argument(..., metavar="ID"),
    # a plain string: the service's one-line error (exit 2) beats click's usage block
    choice: str = typer.Argument(..., metavar="yes|no|abstain"),
    written: bool = typer.Option(False, "--written", help="record an absent member's written "
                                 "ballot (secretariat; not secret)"),
    for_: str | None = typer.Option(None, "--for", metavar="LOGIN",
                                    help="the absent member (with --written)"),
) -> None:
    """Cast your ballot in the open round (secret unless the flow says otherwise)."""
    st = state(ctx)
    if written != (for_ is not None):
        raise UsageError("--written and --for LOGIN go together")
    result = st.service().items.vote(st.actor(), nomination, choice, for_)

    def human(r: dict[str, object]) -> None:
        who = f"written ballot of {r['member']}" if r["written"] else "your ballot"
        st.out.line(f"{who} is recorded for nomination {r['id']} (round {r['round']})")
        if r.get("closed"):
            st.out.line(f"the round closed: {r['reason']} → {r['state']}")
        else:
            st.out.line(f"{r['remaining']} member(s) still to vote")

    st.out.emit(result, human)


@command(app, "recuse")
def recuse(
    ctx: typer.Context,
    nomination: str = typer.Argument(..., metavar="ID"),
    comment: str | None = typer.Option(None, "--comment", help="the conflict of interest"),
) -> None:
    """Declare a conflict of interest: you stay on the roll but cannot vote."""
    st = state(ctx)
    result = st.service().items.recuse(st.actor(), nomination, comment)
    st.out.emit(result, lambda r: st.out.line(
        f"{r['member']} recused from nomination {r['id']} (round {r['round']})"
        + (f"; the round closed → {r['state']}" if r.get("closed") else "")))
