"""``award bench all --small`` runs every benchmark at smoke-test sizes and writes every figure
to one JSON file (CI runs it; no timing is asserted — speed is measured, not tested)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, pg_base_url

pytestmark = [pytest.mark.slow]


def test_bench_all_small_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    args = [sys.executable, "-m", "workflow", "bench", "all", "--small", "--out", str(out)]
    pg = pg_base_url()
    if pg:
        args += ["--pg", pg]
    run = subprocess.run(args, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=tmp_path,
                         capture_output=True, text=True, timeout=900, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["small"] is True
    for name in ("transitions", "ballots", "sessions", "sweep", "audit", "cli", "web"):
        assert figures[name]["bench_s"] >= 0, name
    assert figures["transitions"]["audit_verified"] and figures["ballots"]["audit_verified"]
    assert figures["transitions"]["ratio"] > 0 and figures["transitions"]["baseline"] == "sqlite3"
    # the engine's statements by hand wrote a chain the engine's verifier accepts
    assert figures["transitions"]["floor_tps"] > 0
    assert figures["transitions"]["floor_audit_verified"] is True
    assert figures["audit"]["ok"]
    assert set(figures["cli"]["commands"]) >= {"python -c pass", "award --help", "award show ID",
                                               "award show ID (bytecode cached)"}
    pages = figures["web"]["paths"]
    assert set(pages) == {"baseline: bare Starlette route", "notice board",
                          "nominee page (public)", "item page (signed in)"}
    assert all(p["errors"] == 0 and p["requests"] == 40 for p in pages.values())
    if pg:
        assert figures["transitions_postgresql"]["baseline"] == "psycopg"
        assert figures["transitions_postgresql"]["audit_verified"]


def test_bench_all_refuses_an_unknown_benchmark(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "workflow", "bench", "all", "--only", "nope",
                          "--out", str(tmp_path / "b.json")],
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                         text=True, timeout=120, check=False)
    assert run.returncode == 2, (run.returncode, run.stderr)
    assert run.stderr.strip() == ("error: --only nope: not a benchmark; choose from transitions, "
                                  "ballots, sessions, sweep, audit, cli, web")
    assert not (tmp_path / "b.json").exists()
