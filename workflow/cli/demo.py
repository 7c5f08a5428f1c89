"""``award demo``: the showcase run on a fresh embedded SQLite database."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer

from workflow.cli.base import app, command, state


@command(app, "demo")
def demo(
    ctx: typer.Context,
    folder: Path = typer.Option(Path("award-demo"), "--out",
                                help="folder for the demo database and documents: new, empty, "
                                "or an earlier demo's (replaced)"),
    seed: int = typer.Option(2025, "--seed", help="random seed (the run is deterministic)"),
    scale: int = typer.Option(1, "--scale", min=1, max=20,
                              help="multiply the province's staff, and so its nominations "
                              "(10: a load test's data)"),
) -> None:
    """Run one annual award cycle on a fresh SQLite database, verify its audit chain and
    write the notices, minutes and decisions it produced."""
    from workflow.demo import run_demo

    st = state(ctx)
    started = time.perf_counter()
    result = run_demo(folder, st.out.progress if st.as_json else st.out.line, seed, scale)
    seconds = round(time.perf_counter() - started, 1)
    data: dict[str, Any] = {
        "folder": str(result.folder), "database": result.database, "seconds": seconds,
        "scale": scale,
        "simulated_days": result.days, "flows": result.summary, "stages": result.stages,
        "documents": result.documents, "pdfs": result.pdfs, "lists": result.lists,
        "sweeps": result.sweeps, "register": result.register,
        "audit": result.audit, "end": result.end, "live": result.live,
        "campaign": result.campaign,
        "sign_ins": [{"role": p.role, "login": p.login, "name": p.name,
                      "password": p.password} for p in result.people],
        "reports": result.reports, "serve": serve_command(result)}

    def human(_: Any) -> None:
        out = st.out
        out.table(["flow", "nominated", "awarded", "rejected", "withdrawn", "on hold",
                   "overdue", "open", "median days"],
                  ([r["flow"], r["nominated"], r["awarded"], r["rejected"], r["withdrawn"],
                    r["on_hold"], r["overdue"], r["open"], r["median_days_to_decision"]]
                   for r in result.summary), title="The 2025 cycle, per flow")
        busiest = sorted(result.stages, key=lambda s: -s["entries"])[:12]
        out.table(["flow", "stage", "entries", "median days"],
                  ([s["flow"], s["stage"], s["entries"], s["median_days"]] for s in busiest),
                  title="Median days per stage (busiest stages)")
        a = result.audit
        out.line(f"audit chain: {a['entries']:,} entries, "
                 f"{'verified' if a['ok'] else 'BROKEN at seq ' + str(a['first_bad_seq'])}; "
                 f"head {a['head']['seq']} {a['head']['hash']}")
        lists = result.lists
        out.line(f"lists: {lists['sent']} spreadsheets sent, {lists['refused']} refused with "
                 f"{lists['problems']} problem(s) and sent again, {lists['rows']} nominations "
                 f"created from them; {lists['sessions']} council meetings")
        reg = result.register
        out.line(f"register: {reg['grants']} awards granted by {reg['decisions']} numbered "
                 f"decisions (the largest lists {reg['largest']}), {reg['imported']} prior "
                 f"awards imported; {reg['revocations']} revoked, one after a complaint against "
                 f"the decision ({reg['complaints_after_decision']} such complaint)")
        review = result.campaign
        past = review["summaries"]["bac-ninh-2025"]
        out.line(f"campaigns: bloc leader {review['leader']}"
                 + (f" awarded the flag (item {review['item']})" if review.get("item") else "")
                 + f"; 2025: {past['registrations']} registrations, "
                 f"{past['registered_nominated']} nominated, {past['registered_awarded']} "
                 f"awarded, {past['unregistered_nominations']} nominated without registering; "
                 "reports in campaign/")
        docs = result.documents
        out.line(f"documents written to {result.folder}/: {docs['notices']} notices, "
                 f"{docs['minutes']} council minutes (one per meeting), {docs['decisions']} "
                 f"numbered decisions, the lists in lists/ (plus summary.json, audit.jsonl and "
                 f"demo.db) in {seconds}s")
        if result.pdfs["unavailable"]:
            out.line(f"PDF skipped: {result.pdfs['unavailable']}")
        else:
            out.line(f"PDFs beside them (A4, fonts embedded): {result.pdfs['made']} — every "
                     "notice and a sample of minutes and decisions; the rest: award --db "
                     f"{result.database} pdf document --missing (and minutes)")
        shares = result.reports.get("priority", {})
        said = ", ".join(f"{label} {_percent(shares.get(key))}" for key, label in (
            ("women", "women"), ("minority", "ethnic minorities"),
            ("direct", "direct workers"), ("grassroots", "grassroots units"),
            ("remote", "remote areas")))
        out.line(f"priority shares of the {shares.get('awards', 0)} awards decided in "
                 f"{result.reports.get('year')}: {said}")
        out.line(f"reports written to {result.folder}/reports/: "
                 + ", ".join(Path(f).name for f in result.reports.get("files", [])))
        out.line("next: award --db " + result.database + " list --flow anh-hung-lao-dong   |   "
                 "award --db " + result.database + " show 1   |   award --db "
                 + result.database + " audit verify")
        out.table(["who", "login", "name", "password"],
                  ([p.role, p.login, p.name, p.password] for p in result.people),
                  title="Sign in to the web interface as")
        live = ", ".join(f"{kind}: item {item}" for kind, item in result.live.items())
        out.line(f"open on the last day ({result.end}): {live}")
        out.line(f"web: {serve_command(result)}   then open http://127.0.0.1:8000/")

    st.out.emit(data, human)
    if not result.audit["ok"]:
        raise typer.Exit(1)


def serve_command(result: Any) -> str:
    """The web interface on the demo's database, its clock held at the demo's last moment
    (so the notice window and the ballot it left open are still open)."""
    return f"AWARD_NOW={result.end} award --db {result.database} serve"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"
