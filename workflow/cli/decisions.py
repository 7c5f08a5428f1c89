"""Decisions and the register: ``award decision issue|show|list|document``, ``award registry``
and ``award revoke``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from workflow.cli.base import State, app, command, id_list, state
from workflow.cli.lists import _format, _written

if TYPE_CHECKING:
    from workflow.service import Actor

decision_app = typer.Typer(help="numbered award decisions: one decision, many awardees",
                           no_args_is_help=True)
app.add_typer(decision_app, name="decision")


def _reader(st: State) -> Actor | None:
    """Who reads: ``--as`` (confidential awardees named only if they may see them), or the
    installation's operator when nobody is named."""
    return st.actor() if st.user or os.environ.get("AWARD_USER") else None


@command(decision_app, "issue")
def decision_issue(
    ctx: typer.Context,
    items: str = typer.Option(..., "--items", metavar="ID,ID,…",
                              help="items awaiting your decision, in the order to list them"),
    number: int | None = typer.Option(None, "--number", metavar="N",
                                      help="the decision's number, if not the next one"),
    on: str | None = typer.Option(None, "--date", metavar="YYYY-MM-DD",
                                  help="the decision's date (default: today)"),
) -> None:
    """Sign one numbered decision for many items, all or nothing."""
    st = state(ctx)
    result = st.service().register.issue(st.actor(), id_list(items), number, on)
    st.out.emit(result, lambda r: st.out.line(
        f"decision {r['number']} of {r['date']} ({r['issuer']}) awards {len(r['items'])} "
        f"item(s): {', '.join(r['items'])}"))


@command(decision_app, "show")
def decision_show(ctx: typer.Context,
                  decision: str = typer.Argument(..., metavar="ID")) -> None:
    """A decision: number, date, issuer, who signed it, its awardees and its audit head."""
    st = state(ctx)
    result = st.service().register.decision(_reader(st), decision)

    def human(r: dict[str, Any]) -> None:
        out = st.out
        out.line(f"Decision {r['number']} of {r['date']} — {r['issuer']} ({r['unit']})")
        out.line(f"  signed by {r['issued_by']} at {r['issued_at']}; {r['count']} awardee(s)")
        out.line(f"  document sha256 {r['sha256']}; audit head {r['audit']['seq']}:"
                 f"{r['audit']['hash']}")
        out.table(["grant", "nominee", "unit", "award", "year", "status"],
                  ([g["id"], g["nominee"] or "(confidential)", g["unit"], g["award"],
                    g["year"], g["status"]] for g in r["awardees"]))
    st.out.emit(result, human)


@command(decision_app, "list")
def decision_list(
    ctx: typer.Context,
    unit: str | None = typer.Option(None, "--unit", help="decisions of this unit and below"),
    year: int | None = typer.Option(None, "--year", help="decisions of this year"),
    limit: int = typer.Option(100, "--limit", min=1, max=10_000, help="at most N"),
    after: int = typer.Option(0, "--after", min=0, metavar="ID", help="the page after ID"),
) -> None:
    """Decisions in the order they were issued."""
    st = state(ctx)
    rows = st.service().register.decisions(unit=unit, year=year, limit=limit, after=after)
    st.out.emit(rows, lambda rs: st.out.table(
        ["id", "number", "date", "issuer", "signed by", "awardees"],
        ([r["id"], r["number"], r["date"], r["unit"], r["issued_by"], r["count"]]
         for r in rs)))


@command(decision_app, "document")
def decision_document(
    ctx: typer.Context,
    decision: str = typer.Argument(..., metavar="ID"),
    out: Path | None = typer.Option(None, "--out", metavar="FILE", help="write it here"),
) -> None:
    """The decision as issued (HTML): the issuing level's copy for those with a role there
    or above, else the copy sent out (confidential awardees counted, not named)."""
    st = state(ctx)
    text = st.service().register.document(_reader(st), decision)
    if out is None:
        if st.as_json:
            st.out.json({"decision": decision, "html": text})
        else:
            typer.echo(text)
        return
    with _written(out) as handle:
        handle.write(text.encode("utf-8"))
    st.out.emit({"decision": decision, "out": str(out)},
                lambda r: st.out.line(f"wrote decision {r['decision']} to {r['out']}"))


@command(app, "registry")
def registry(
    ctx: typer.Context,
    person: str | None = typer.Option(None, "--person", metavar="LOGIN"),
    unit: str | None = typer.Option(None, "--unit", help="this unit and the units below it"),
    award: str | None = typer.Option(None, "--award", metavar="CODE"),
    year: int | None = typer.Option(None, "--year"),
    name: str | None = typer.Option(None, "--name", metavar="TEXT",
                                    help="words of the name (diacritics and case aside)"),
    status: str | None = typer.Option(None, "--status", metavar="granted|revoked"),
    source: str | None = typer.Option(None, "--source", metavar="decision|imported"),
    limit: int | None = typer.Option(None, "--limit", min=1, help="at most N"),
    out: Path | None = typer.Option(None, "--out", metavar="FILE",
                                    help="write .csv or .xlsx (streamed) instead"),
) -> None:
    """Granted awards: person or collective, award, year, decision number and date, issuer,
    status."""
    st = state(ctx)
    from workflow.service.registry import Query

    query = Query(unit=unit, person=person, award=award, year=year, name=name, status=status,
                  source=source)
    service = st.service()
    reader = _reader(st)
    if out is not None:
        fmt = _format(out, ("xlsx", "csv"))
        with _written(out) as handle:
            count = service.register.export(handle, fmt, reader, query, limit)
        st.out.emit({"out": str(out), "format": fmt, "grants": count},
                    lambda r: st.out.line(f"wrote {r['grants']} grants to {r['out']}"))
        return
    rows = list(service.register.registry(reader, query, limit))
    st.out.emit(rows, lambda rs: st.out.table(
        ["grant", "nominee", "unit", "award", "year", "decision", "date", "issuer", "status"],
        ([r["id"], (r["nominee"] or "(confidential)") + (
            f" (collective {r['nominee_unit']})" if r.get("nominee_unit") else ""),
          r["unit"] or "", r["award"], r["year"],
          r["decision"] or "", r["decided_on"] or "", r["issuer"] or "",
          r["status"] + (f" {r['revoked_at'][:10]}" if r["revoked_at"] else "")]
         for r in rs)))


@command(app, "revoke")
def revoke(
    ctx: typer.Context,
    grant: str = typer.Argument(..., metavar="GRANT_ID"),
    reason: str = typer.Option(..., "--reason", metavar="TEXT", help="why (kept, audited)"),
    decision: str | None = typer.Option(None, "--decision", metavar="N",
                                        help="the number of the revoking decision"),
) -> None:
    """Revoke a granted award (the issuing level's decider): kept, marked, audited, and no
    longer counted in anyone's eligibility."""
    st = state(ctx)
    result = st.service().register.revoke(st.actor(), grant, reason, decision)
    st.out.emit(result, lambda r: st.out.line(
        f"grant {r['id']} ({r['award']} {r['year']}) revoked at {r['revoked_at']}"))
