"""``award bench …``: throughput against a baseline measured in the same run."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
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
        f"ratio {r['ratio']:.3f} (n={r['n']})"
        + (f"; the engine's own statements by hand {r['floor_tps']:.0f}/s (ratio "
           f"{r['floor_ratio']:.3f}), the engine at {r['ratio_to_floor']:.3f} of them"
           if r.get("floor_tps") else "")))


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
        f"{r['rounds_closed']} rounds closed; raw sqlite3 {r['baseline_per_s']:.0f}/s, "
        f"ratio {r['ratio']:.3f}"))


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


@command(bench_app, "audit")
def bench_audit(
    ctx: typer.Context,
    entries: int = typer.Option(1_000_000, "--entries", min=1, help="length of the chain"),
) -> None:
    """award audit verify on a long chain: on every core, in one pass (the same run's
    baseline), and the command itself in a new process."""
    from workflow.bench import bench_audit as run

    st = state(ctx)
    result = run(entries, st.out.progress)
    st.out.emit(result, lambda r: st.out.line(
        f"{r['entries']:,} entries verified in {r['verify_s']}s on {r['cores']} cores "
        f"(one pass {r['one_pass_s']}s, ratio {r['ratio_one_pass_to_parallel']}); "
        f"`award audit verify` in a new process {r['command_s']}s"))


@command(bench_app, "cli")
def bench_cli(
    ctx: typer.Context,
    runs: int = typer.Option(7, "--runs", min=1, help="runs of each command, interleaved"),
) -> None:
    """Commands in a new process against `python -c pass` and `import sqlalchemy`."""
    from workflow.bench import bench_cli as run

    st = state(ctx)
    result = run(runs, st.out.progress)

    def human(r: dict[str, Any]) -> None:
        for name, t in r["commands"].items():
            st.out.line(f"{name:32} median {t['median_s']:.3f}s  min {t['min_s']:.3f}s  "
                        f"(+{t['median_over_python_s']:.3f}s over python)")

    st.out.emit(result, human)


@command(bench_app, "web")
def bench_web(
    ctx: typer.Context,
    clients: int = typer.Option(20, "--clients", min=1, max=200, help="concurrent clients"),
    requests: int = typer.Option(2000, "--requests", min=1, help="requests per page"),
    scale: int = typer.Option(10, "--scale", min=1, max=20, help="demo data times this"),
) -> None:
    """Notice board and item pages under concurrent clients against `award serve` on
    127.0.0.1, and a bare Starlette route under the same load."""
    from workflow.bench import bench_web as run

    st = state(ctx)
    result = run(_demo, clients, requests, scale, st.out.progress)

    def human(r: dict[str, Any]) -> None:
        for name, p in r["paths"].items():
            st.out.line(f"{name:32} p50 {p['p50_ms']} ms  p99 {p['p99_ms']} ms  "
                        f"{p['per_s']}/s  {p['errors']} errors")

    st.out.emit(result, human)


def _demo(folder: Path, scale: int) -> Any:
    """The demo's data for ``award bench web``, built quietly."""
    from workflow.demo import run_demo

    return run_demo(folder, lambda _text: None, scale=scale)


#: ``award bench all``: every benchmark, by name; ``--small`` runs them at smoke-test sizes
SMALL: dict[str, dict[str, Any]] = {"transitions": {"n": 200}, "ballots": {"n": 100}, "sessions":
         {"members": 5, "items": 5, "rows": 50}, "sweep": {"sizes": (2000, 4000), "due": 100},
         "audit": {"entries": 5000}, "cli": {"runs": 1}, "web": {"clients": 4,
                                                                "requests": 40, "scale": 1}}
FULL: dict[str, dict[str, Any]] = {
    "transitions": {"n": 4000}, "ballots": {"n": 3000}, "sessions": {}, "sweep": {},
    "audit": {"entries": 1_000_000}, "cli": {"runs": 7}, "web": {}}


@command(bench_app, "all")
def bench_all(
    ctx: typer.Context,
    out: Path = typer.Option(Path("bench.json"), "--out", help="where to write every figure"),
    small: bool = typer.Option(False, "--small", help="smoke-test sizes (CI): checks that "
                               "every benchmark runs, measures nothing worth comparing"),
    only: str | None = typer.Option(None, "--only", help="comma-separated benchmarks "
                                    "(default: all of " + ", ".join(FULL) + ")"),
    pg: str | None = typer.Option(None, "--pg", metavar="URL", help="also run transitions "
                                  "and ballots on this PostgreSQL database (in a schema of "
                                  "their own, dropped afterwards)"),
) -> None:
    """Every benchmark, one after another, each with its own same-run baseline; every figure
    goes to one JSON file (and stdout with --json)."""
    import json
    import platform
    import time

    from workflow import bench as benches
    from workflow.cli.output import writing
    from workflow.errors import UsageError

    st = state(ctx)
    names = [n.strip() for n in only.split(",")] if only else list(FULL)
    unknown = [n for n in names if n not in FULL]
    if unknown:
        raise UsageError(f"--only {','.join(unknown)}: not a benchmark; choose from "
                         + ", ".join(FULL))
    sizes = SMALL if small else FULL
    runners: dict[str, Callable[..., dict[str, Any]]] = {
        "transitions": benches.bench_transitions, "ballots": benches.bench_ballots,
               "sessions": benches.bench_sessions, "sweep": benches.bench_sweep,
               "audit": benches.bench_audit, "cli": benches.bench_cli,
               "web": functools.partial(benches.bench_web, _demo)}
    results: dict[str, Any] = {"small": small, "python": platform.python_version(),
                               "machine": platform.machine(), "started": time.time()}
    for name in names:
        st.out.progress(f"{name}…")
        started = time.perf_counter()
        results[name] = runners[name](progress=st.out.progress, **sizes[name])
        results[name]["bench_s"] = round(time.perf_counter() - started, 1)
        if pg and name in ("transitions", "ballots"):
            st.out.progress(f"{name} on PostgreSQL…")
            results[f"{name}_postgresql"] = runners[name](progress=st.out.progress,
                                                          db_url=pg, **sizes[name])
    with writing(out) as handle:
        handle.write(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    st.out.emit(results, lambda r: st.out.line(
        f"{len(names)} benchmarks: every figure in {out}"))
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
