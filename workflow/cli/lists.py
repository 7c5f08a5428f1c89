"""Lists: ``award import-template``, ``award import`` and ``award export items``."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import typer

from workflow.cli.base import app, command, state
from workflow.errors import InvalidInput, UsageError

export_app = typer.Typer(help="export lists: award export items --out FILE.xlsx|.csv",
                         no_args_is_help=True)
app.add_typer(export_app, name="export")


@contextmanager
def _written(path: Path) -> Iterator[IO[bytes]]:
    """A file written in full or not at all: into a temporary file beside ``path``, renamed
    over it once complete."""
    folder = path.resolve().parent
    if not folder.is_dir():
        raise InvalidInput(f"--out {path}: the folder {folder} does not exist")
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
        mask = os.umask(0)  # the permissions a plain new file would get (mkstemp's are 0600)
        os.umask(mask)
        os.chmod(temp, 0o666 & ~mask)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _format(path: Path, allowed: tuple[str, ...]) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in allowed:
        raise UsageError(f"--out {path}: the file name must end in "
                         + " or ".join(f".{a}" for a in allowed))
    return suffix


@command(app, "import-template")
def import_template(
    ctx: typer.Context,
    flow: str = typer.Argument(..., metavar="FLOW", help="flow id (award flows list)"),
    out: Path = typer.Option(..., "--out", metavar="FILE.xlsx", help="where to write it"),
) -> None:
    """A spreadsheet for a unit's list of nominees in FLOW: one column per field (key, with
    the Vietnamese label), nominee and person columns, drop-downs, an instructions sheet."""
    st = state(ctx)
    _format(out, ("xlsx",))
    service = st.service()
    service.definitions.flow(flow)  # NotFound before anything is written
    with _written(out) as handle:
        result = service.items.list_template(flow, handle)
    result["out"] = str(out)
    st.out.emit(result, lambda r: st.out.line(
        f"wrote {r['out']}: columns {', '.join(r['columns'])} (required: "
        f"{', '.join(r['required']) or 'none'})"))


@command(app, "import")
def import_list(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="FILE", help="the list: .xlsx or .csv"),
    flow: str = typer.Option(..., "--flow", help="flow id (award flows list)"),
    unit: str = typer.Option(..., "--unit", help="the unit sending the list"),
) -> None:
    """Create one nomination per row of FILE, all or nothing: any problem → exit 1, one line
    FILE:ROW:COLUMN: message per problem, nothing created."""
    st = state(ctx)
    result = st.service().items.import_file(st.actor(), file, flow, unit)
    st.out.emit(result, lambda r: st.out.line(
        f"{r['file']}: {len(r['created'])} nominations created in {r['flow']} at {r['unit']}: "
        + ", ".join(r["created"])))


@command(export_app, "items")
def export_items(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", metavar="FILE", help=".xlsx or .csv"),
    state_: str | None = typer.Option(None, "--state", help="only items in this state"),
    flow: str | None = typer.Option(None, "--flow", help="only items of this flow (adds its "
                                    "fields as columns)"),
    unit: str | None = typer.Option(None, "--unit", help="only items of this unit and the "
                                    "units below it"),
    overdue: bool = typer.Option(False, "--overdue", help="only items past their SLA"),
    limit: int | None = typer.Option(None, "--limit", min=1, help="at most N items"),
) -> None:
    """The items `award list` would print, one row each, with the state's label, due time and
    outcome."""
    st = state(ctx)
    fmt = _format(out, ("xlsx", "csv"))
    service = st.service()
    with _written(out) as handle:
        count = service.items.export(handle, fmt, state=state_, flow=flow, unit=unit,
                                     overdue=overdue, limit=limit)
    st.out.emit({"out": str(out), "format": fmt, "items": count},
                lambda r: st.out.line(f"wrote {r['items']} items to {r['out']}"))
