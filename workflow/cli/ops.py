"""``award doctor`` and ``award backup``: is this installation sound, and a copy of its data."""

from __future__ import annotations

from pathlib import Path

import typer

from workflow.cli.base import app, command, state

MARK = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}


@command(app, "doctor")
def doctor(ctx: typer.Context) -> None:
    """Check the configuration, database, schema revision, definitions, calendars for the
    coming year, the installation key and the mail server: one line per check, exit 1 if any
    fails (warnings do not)."""
    st = state(ctx)
    checks = st.service().setup.doctor()

    def lines(rows: list[dict[str, str]]) -> None:
        for row in rows:
            st.out.line(f"{MARK[row['status']]} {row['check']}: {row['detail']}")

    st.out.emit(checks, lines)
    if any(c["status"] == "fail" for c in checks):
        raise typer.Exit(1)


@command(app, "backup")
def backup(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="the copy to make (never overwritten)"),
) -> None:
    """Copy a live SQLite database consistently (SQLite's online backup), readable by its
    owner only; `award --db sqlite:///COPY audit verify` checks the copy. For PostgreSQL use
    pg_dump."""
    st = state(ctx)
    result = st.service().setup.backup(out)
    st.out.emit(result, lambda r: st.out.line(f"copied {r['database']} to {r['out']} "
                                              f"({r['bytes']:,} bytes)"))
