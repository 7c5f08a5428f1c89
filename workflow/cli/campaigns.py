"""Emulation campaigns: ``award campaigns``, ``award campaign show|report|validate|remind``,
``award register``, ``award registrations`` and ``award cluster open|vote|close``."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

import typer

from workflow.cli.base import app, command, id_list, state
from workflow.cli.output import writing
from workflow.errors import DefinitionError, InvalidInput

campaign_app = typer.Typer(help="emulation campaigns: show, review report, validate files, "
                           "remind units", no_args_is_help=True)
app.add_typer(campaign_app, name="campaign")
cluster_app = typer.Typer(help="a campaign's cluster ranks its members at the final review "
                          "(secret vote of the unit heads)", no_args_is_help=True)
app.add_typer(cluster_app, name="cluster")

PHASE_WORDS = {"registration": "registration open", "running": "running",
               "reviewing": "reviewing", "closed": "closed"}


@command(app, "campaigns")
def campaigns(ctx: typer.Context) -> None:
    """Campaigns and their state (registration open, running, reviewing, closed)."""
    st = state(ctx)
    result = st.service().campaigns.all()
    if st.as_json:
        st.out.json(result)
        return
    st.out.table(["id", "title", "kind", "state", "registration closes", "period"],
                 ([c["id"], c["title"].get("vi", ""), c["kind"], PHASE_WORDS[c["phase"]],
                   c["registration_closes"], f"{c['from']} – {c['to']}"]
                  for c in result["campaigns"]))
    for path, problems in result["broken"].items():
        st.out.line(f"{path}: does not load ({len(problems)} problem(s); award campaign "
                    f"validate {path})")


@command(campaign_app, "show")
def campaign_show(ctx: typer.Context, campaign: str = typer.Argument(..., metavar="C")) -> None:
    """A campaign: scope, dates, awards, clusters; registration progress for staff."""
    st = state(ctx)
    login = st.user or os.environ.get("AWARD_USER") or None
    from workflow.service import Actor

    actor = Actor(login) if login else None  # the acting person is optional here
    result = st.service().campaigns.show(campaign, actor)

    def human(r: dict[str, Any]) -> None:
        out = st.out
        out.line(f"{r['id']} — {r['title'].get('vi', '')}")
        out.line(f"  state         {PHASE_WORDS[r['phase']]}")
        out.line(f"  organiser     {r['organiser_name']} ({r['organiser']}); kind {r['kind']}")
        out.line("  scope         " + ", ".join(f"{u['name']} ({u['id']})"
                                                for u in r["scope_names"]))
        out.line(f"  period        {r['from']} – {r['to']}; reviews: mid-term "
                 f"{r['reviews']['so_ket'] or '-'}, final {r['reviews']['tong_ket']}")
        out.line(f"  registration  until {r['registration_until']}, closes "
                 f"{r['registration_closes']}"
                 + (f"; reminders from {r['reminder_day']}" if r["reminder_day"] else ""))
        out.line("  awards        " + ", ".join(f"{a['code']} ({a['title'].get('vi', '')})"
                                                for a in r["award_titles"]))
        for cluster in r["clusters"]:
            out.line(f"  cluster {cluster['id']}: {cluster['title'].get('vi', '')} — "
                     + ", ".join(m["name"] for m in cluster["members"])
                     + (f"; leader eligible for {cluster['flag']}" if cluster["flag"] else ""))
        if r["unknown_units"]:
            out.line("  not in the directory: " + ", ".join(r["unknown_units"]))
        if "progress" in r:
            p = r["progress"]
            out.line(f"  progress      {p['units_registered']} of {p['units_expected']} units "
                     f"registered, {p['registrations']} registration(s)")
            if p["missing"]:
                out.line("  not yet       " + ", ".join(m["name"] for m in p["missing"]))
        for rnd in r.get("rounds", []):
            line = (f"  ranking {rnd['round']} of {rnd['cluster']}: {rnd['status']}, "
                    f"{rnd['papers']} of {rnd['voters']} papers")
            if "result" in rnd:
                res = rnd["result"]
                line += "; leader " + (res["leader"] or f"none (tied: {', '.join(res['tied'])})")
            out.line(line)

    st.out.emit(result, human)


@command(campaign_app, "validate")
def campaign_validate(ctx: typer.Context,
                      paths: list[Path] = typer.Argument(..., metavar="PATH…",
                                                         help="campaign files or folders")
                      ) -> None:
    """Check campaign files; exit 1 with one ``file:line:col: message`` per problem."""
    from workflow.campaign import CampaignEnv, load_campaign
    from workflow.definitions import load_campaigns

    st = state(ctx)
    definitions = st.service().definitions
    env = CampaignEnv(awards=definitions.catalogue.codes(), calendars=list(definitions.calendars))
    problems: list[str] = []
    for path in paths:
        if path.is_dir():
            _good, broken = load_campaigns([path], env)
            problems.extend(str(p) for error in broken.values() for p in error.problems)
            continue
        try:
            load_campaign(path, env)
        except DefinitionError as exc:
            problems.extend(str(p) for p in exc.problems)
    if st.as_json:
        st.out.json({"ok": not problems, "problems": problems})
    elif not problems:
        st.out.line(f"ok: {len(paths)} path(s) valid")
    else:
        for problem in problems:
            typer.echo(problem)
    if problems:
        raise typer.Exit(DefinitionError.exit_code)


@command(campaign_app, "report")
def campaign_report(
    ctx: typer.Context,
    campaign: str = typer.Argument(..., metavar="C"),
    out: Path | None = typer.Option(None, "--out", help="write the tables (.csv: one file per "
                                    "table, named after it; .json)"),
) -> None:
    """The campaign review: registrations vs results per unit and award, registered but never
    nominated, nominations without registration, cluster rankings."""
    st = state(ctx)
    result = st.service().campaigns.report(campaign)
    if out is not None:
        written = _write(out, result)
        st.out.emit({"out": written}, lambda r: st.out.line("wrote " + ", ".join(r["out"])))
        return

    def human(r: dict[str, Any]) -> None:
        s = r["summary"]
        st.out.line(f"{r['campaign']} — {r['title'].get('vi', '')} ({PHASE_WORDS[r['phase']]})")
        st.out.line(f"  {s['units_registered']} of {s['units_in_scope']} units registered; "
                    f"{s['registrations']} registration(s), {s['withdrawn']} withdrawn; "
                    f"{s['registered_nominated']} nominated, {s['registered_awarded']} awarded; "
                    f"{s['unregistered_nominations']} nomination(s) without registration, "
                    f"{s['unregistered_refused']} refused")
        for table in r["tables"].values():
            st.out.table(table["columns"], table["rows"], title=table["title"]["en"])

    st.out.emit(result, human)


def _write(out: Path, report: dict[str, Any]) -> list[str]:
    if out.suffix == ".json":
        with writing(out) as handle:
            handle.write(json.dumps(report, ensure_ascii=False, indent=2))
        return [str(out)]
    if out.suffix != ".csv":
        raise InvalidInput(f"--out {out.name}: write .csv or .json", file=str(out))
    written = []
    for name, table in report["tables"].items():
        path = out.with_name(f"{out.stem}-{name}.csv")
        with writing(path, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(table["columns"])
            writer.writerows(table["rows"])
        written.append(str(path))
    return written


@command(campaign_app, "remind")
def campaign_remind(ctx: typer.Context) -> None:
    """Queue reminders for units not registered yet (also done by every ``award escalate``
    and scheduler sweep); each officer is reminded once per campaign."""
    st = state(ctx)
    result = st.service().campaigns.remind()
    st.out.emit(result, lambda r: st.out.line(f"{r['messages']} reminder(s) for {r['units']} "
                                              "unit(s)"))


@command(app, "register")
def register(
    ctx: typer.Context,
    campaign: str = typer.Argument(..., metavar="C"),
    unit: str = typer.Option(..., "--unit", help="the registering unit (you are its officer)"),
    award: str = typer.Option(..., "--award", metavar="CODE", help="an award of the campaign"),
    person: str | None = typer.Option(None, "--person", metavar="LOGIN",
                                      help="register this person of the unit (else the unit)"),
    withdraw: bool = typer.Option(False, "--withdraw", help="withdraw the registration "
                                  "(before registration closes)"),
) -> None:
    """Register the unit, or one of its people, for an award of the campaign (đăng ký thi
    đua), before registration closes (exit 4 after); --withdraw takes it back."""
    st = state(ctx)
    facade = st.service().campaigns
    if withdraw:
        result = facade.withdraw(st.actor(), campaign, unit, award, person)
    else:
        result = facade.register(st.actor(), campaign, unit, award, person)
    who = result["person"] or result["unit"]
    st.out.emit(result, lambda r: st.out.line(
        f"registration {r['id']}: {who} for {r['award']} in {r['campaign']} — {r['status']}"))


@command(app, "registrations")
def registrations(
    ctx: typer.Context,
    campaign: str = typer.Argument(..., metavar="C"),
    unit: str | None = typer.Option(None, "--unit", help="this unit and the units below it"),
) -> None:
    """Who registered for what, and what came of it."""
    st = state(ctx)
    rows = st.service().campaigns.registrations(campaign, unit)
    if st.as_json:
        st.out.json(rows)
        return
    st.out.table(["id", "unit", "person", "award", "status", "registered", "nominations"],
                 ([r["id"], r["unit"], r["person"] or "(unit)", r["award"], r["status"],
                   r["registered_at"],
                   ", ".join(f"{n['id']} {n['result']}" for n in r["nominations"]) or "none"]
                  for r in rows))


@command(cluster_app, "open")
def cluster_open(
    ctx: typer.Context,
    campaign: str = typer.Argument(..., metavar="C"),
    cluster: str = typer.Argument(..., metavar="CLUSTER"),
    among: str | None = typer.Option(None, "--among", metavar="UNIT,UNIT,…",
                                     help="a run-off among these members (after a tie)"),
) -> None:
    """Open the cluster's ranking at the final review (the organiser's secretariat)."""
    st = state(ctx)
    result = st.service().campaigns.cluster_open(st.actor(), campaign, cluster,
                                                 id_list(among) if among else None)
    st.out.emit(result, lambda r: st.out.line(
        f"ranking {r['round']} of {r['cluster']} is open: heads of {', '.join(r['voters'])} "
        f"rank {', '.join(r['candidates'])}"))


@command(cluster_app, "vote")
def cluster_vote(
    ctx: typer.Context,
    campaign: str = typer.Argument(..., metavar="C"),
    cluster: str = typer.Argument(..., metavar="CLUSTER"),
    paper: list[str] = typer.Argument(..., metavar="UNIT…",
                                      help="every other candidate, best first"),
    unit: str | None = typer.Option(None, "--unit", help="the unit you vote for, if you head "
                                    "several"),
) -> None:
    """Cast your unit's paper: rank the other candidates, best first (secret)."""
    st = state(ctx)
    result = st.service().campaigns.cluster_vote(st.actor(), campaign, cluster, paper, unit)

    def human(r: dict[str, Any]) -> None:
        st.out.line(f"the paper of {r['unit']} is in the box; {r['papers_due']} still to vote")
        if "closed" in r:
            leader = r["closed"]["leader"]
            st.out.line("every head has voted: the ranking is closed; leader "
                        + (leader or f"none (tied: {', '.join(r['closed']['tied'])})"))

    st.out.emit(result, human)


@command(cluster_app, "close")
def cluster_close(
    ctx: typer.Context,
    campaign: str = typer.Argument(..., metavar="C"),
    cluster: str = typer.Argument(..., metavar="CLUSTER"),
) -> None:
    """Close the ranking and publish the standings (the organiser's secretariat)."""
    st = state(ctx)
    result = st.service().campaigns.cluster_close(st.actor(), campaign, cluster)

    def human(r: dict[str, Any]) -> None:
        st.out.line(f"ranking {r['round']} of {r['cluster']} closed: {r['papers']} of "
                    f"{r['voters']} papers; leader "
                    + (r["leader"] or f"none (tied: {', '.join(r['tied'])}; open a run-off "
                       "with --among)"))
        st.out.table(["rank", "unit", "points", "first places"],
                     ([s["rank"], s["unit"], s["points"], s["places"][0]]
                      for s in r["standings"]))

    st.out.emit(result, human)
