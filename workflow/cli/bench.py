"""``award bench …``: throughput against a baseline measured in the same run."""

from __future__ import annotations

from typing import Any

import typer

from workflow.cli.base import app, command, state

bench_app = typer.Typer(help="benchmarks (ratios against a same-run baseline)",
                        no_args_is_help=True)
app.add_typer(bench_app, name="bench")


@command(bench_app, "transitions")
def bench_transitions(
    ctx: typer.Context,
    n: int = typer.Option(5000, "--n", min=1, help="transitions to fire"),
    db: str | None = typer.Option(None, "--db", help="engine database (default: a temporary "
                                  "SQLite file)"),
) -> None:
    """Durable transitions per second: engine vs hand-written sqlite3."""
    from workflow.bench import bench_transitions as run

    st = state(ctx)
    result = run(n=n, db_url=db, progress=st.out.progress)
    st.out.emit(result, lambda r: st.out.line(
        f"engine {r['engine_tps']:.0f}/s, raw sqlite3 {r['baseline_tps']:.0f}/s, "
        f"ratio {r['ratio']:.3f} (n={r['n']})"))


@command(bench_app, "ballots")
def bench_ballots(
    ctx: typer.Context,
    n: int = typer.Option(2000, "--n", min=1, help="ballots to cast"),
    members: int = typer.Option(25, "--members", min=1, help="council size"),
    db: str | None = typer.Option(None, "--db", help="database (default: a temporary SQLite "
                                  "file)"),
) -> None:
    """Durable secret ballots per second through the engine."""
    from workflow.bench import bench_ballots as run

    st = state(ctx)
    result = run(n=n, db_url=db, members=members, progress=st.out.progress)
    st.out.emit(result, lambda r: st.out.line(
        f"{r['ballots_per_s']:.0f} ballots/s ({r['us_per_ballot']} µs each), "
        f"{r['rounds_closed']} rounds closed"))


@command(bench_app, "sessions")
def bench_sessions(
    ctx: typer.Context,
    members: int = typer.Option(25, "--members", min=1, help="council size"),
    items: int = typer.Option(100, "--items", min=1, help="items on the session's paper"),
    rows: int = typer.Option(2000, "--rows", min=1, help="rows of the imported list"),
    db: str | None = typer.Option(None, "--db", help="database (default: a temporary SQLite "
                                  "file)"),
) -> None:
    """One council session against single-item ballots of the same size, and a list import."""
    from workflow.bench import bench_sessions as run

    st = state(ctx)
    result = run(members=members, items=items, rows=rows, db_url=db, progress=st.out.progress)

    def human(r: dict[str, Any]) -> None:
        s, one, imp = r["session"], r["single"], r["import"]
        st.out.line(f"session: {s['papers']} papers of {r['items']} items in {s['papers_s']}s "
                    f"({s['papers_per_s']} papers/s), closed in {s['close_s']}s — "
                    f"{s['total_s']}s in all")
        st.out.line(f"single-item ballots of the same size: {one['total_s']}s "
                    f"(ratio {r['ratio']}: the session is that many times faster)")
        st.out.line(f"import: {imp['created']} rows in {imp['seconds']}s "
                    f"({imp['rows_per_s']} rows/s)")

    st.out.emit(result, human)


@command(bench_app, "sweep")
def bench_sweep(
    ctx: typer.Context,
    sizes: str = typer.Option("100000,1000000", "--sizes", help="item counts, comma-separated"),
    due: int = typer.Option(1000, "--due", min=1, help="due escalation steps per run"),
    db: str | None = typer.Option(None, "--db", help="database (one size only; default: a "
                                  "temporary SQLite file per size)"),
) -> None:
    """Sweep time for the same due steps among more and more items."""
    from workflow.bench import bench_sweep as run
    from workflow.errors import UsageError

    st = state(ctx)
    try:
        counts = tuple(int(x) for x in sizes.split(",") if x.strip())
    except ValueError:
        raise UsageError(f"--sizes {sizes!r}: write item counts like 100000,1000000") from None
    if not counts or min(counts) < due:
        raise UsageError("--sizes must be item counts at least as large as --due")
    if db is not None and len(counts) > 1:
        raise UsageError("--db takes one size (the runs would share a database)")
    result = run(counts, due, db, st.out.progress)

    def human(r: dict[str, object]) -> None:
        for key, run_ in r["runs"].items():  # type: ignore[attr-defined]
            st.out.line(f"{key:>9} items: {run_['due']} due steps swept in {run_['sweep_s']}s "
                        f"({run_['ms_per_step']} ms each)")
        if "ratio_largest_to_smallest" in r:
            st.out.line(f"ratio largest/smallest: {r['ratio_largest_to_smallest']}")

    st.out.emit(result, human)


@command(bench_app, "report")
def bench_report(
    ctx: typer.Context,
    n: int = typer.Option(1_000_000, "--n", min=1, help="nominations to load"),
    people: int = typer.Option(20_000, "--people", min=1, help="people in the directory"),
    db: str | None = typer.Option(None, "--db", help="an empty database (default: a temporary "
                                  "SQLite file)"),
) -> None:
    """Seconds per report kind over N nominations (target: under 5 s each)."""
    from workflow.benchreport import bench_report as run

    st = state(ctx)
    result = run(n=n, people=people, db_url=db, progress=st.out.progress)

    def human(r: dict[str, Any]) -> None:
        st.out.line(f"{r['nominations']:,} nominations, {r['people']:,} people on {r['db']} "
                    f"(loaded in {r['load_s']}s)")
        for kind, runs in r["runs"].items():
            whole, one = runs["province"], runs["department"]
            st.out.line(f"  {kind:<11} province {whole['seconds']:>7.3f}s (cpu "
                        f"{whole['cpu_s']:.3f}s)   one department {one['seconds']:>7.3f}s (cpu "
                        f"{one['cpu_s']:.3f}s)")
        st.out.line(f"slowest {r['slowest_s']}s — target under {r['target_s']}s: "
                    f"{'met' if r['within_target'] else 'NOT met'}")

    st.out.emit(result, human)
