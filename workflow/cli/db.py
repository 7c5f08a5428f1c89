"""``award init`` and ``award db …``: the schema, upgraded in place."""

from __future__ import annotations

from typing import Any

import typer

from workflow.cli.base import app, command, state

db_app = typer.Typer(help="the database schema: upgrade in place, show the revision",
                     no_args_is_help=True)
app.add_typer(db_app, name="db")


def _upgraded(r: dict[str, Any]) -> str:
    if r["from"] is None:
        return f"created the schema (revision {r['revision']}) in {r['database']}"
    if r["from"] == r["revision"]:
        return f"schema already at revision {r['revision']} in {r['database']}"
    return f"upgraded {r['database']} from revision {r['from']} to {r['revision']}"


@command(app, "init")
def init(ctx: typer.Context) -> None:
    """Create the database schema, or upgrade it to this release's (idempotent)."""
    st = state(ctx)
    result = st.service().setup.init()
    st.out.emit(result, lambda r: st.out.line(_upgraded(r)))


@command(db_app, "upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Upgrade the schema in place to this release's revision, data kept (what init does)."""
    st = state(ctx)
    result = st.service().setup.init()
    st.out.emit(result, lambda r: st.out.line(_upgraded(r)))


@command(db_app, "current")
def current(ctx: typer.Context) -> None:
    """The database's schema revision and this release's; exit 1 if it needs an upgrade."""
    st = state(ctx)
    result = st.service().setup.revision()
    st.out.emit(result, lambda r: st.out.line(
        f"revision {r['revision'] or 'none (empty database)'}; this release: {r['head']}"
        + ("" if r["at_head"] else " — run `award db upgrade`")))
    if not result["at_head"]:
        raise typer.Exit(1)
