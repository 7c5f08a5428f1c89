"""Optimistic concurrency: two actors firing the same item at once — one wins, the other gets
Conflict (exit 6) — on SQLite and PostgreSQL, through the engine and through processes."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DIRECTORY, Cli, make_service
from workflow.errors import AwardError, Conflict
from workflow.flow import GuardDef, default_guards
from workflow.service import Actor

RACE_FLOW = """\
flow: race
title: Race
award: LDTT
nominee: individual
calendar: vn
on_upheld: rejected
states:
  open: {initial: true}
  accepted: {final: true, outcome: awarded}
  rejected: {final: true, outcome: rejected}
transitions:
  - {trigger: accept, from: open, to: accepted, by: secretariat@unit, require: [rendezvous]}
  - {trigger: decline, from: open, to: rejected, by: secretariat@unit, require: [rendezvous]}
"""


def _race_services(db_url: str, tmp_path: Path, barrier: threading.Barrier) -> list[Any]:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "race.yaml").write_text(RACE_FLOW, encoding="utf-8")

    met: set[int] = set()

    def rendezvous(_: Any, __: Any) -> str | None:
        # Both actors have read the item (same version) before either writes. Once only: a
        # unit of work retried after a lock (the winner's award takes a while to issue its
        # decision) must not wait for a partner that has already gone.
        if threading.get_ident() not in met:
            met.add(threading.get_ident())
            barrier.wait(timeout=20)
        return None

    def registry() -> Any:
        guards = default_guards()
        guards.register(GuardDef("rendezvous", lambda *a: None, rendezvous, "test barrier"))
        return guards

    services = [make_service(db_url, flow_dirs=[flows], guards=registry()) for _ in range(2)]
    services[0].setup.init()
    services[0].setup.load_directory(DIRECTORY)
    return services


def test_two_actors_fire_the_same_item_at_once(db_url: str, tmp_path: Path) -> None:
    barrier = threading.Barrier(2)
    first, second = _race_services(db_url, tmp_path, barrier)
    try:
        item = first.items.nominate(Actor("thu"), "race", "BN-SGD", "Nguyễn Văn An")["id"]
        outcomes: dict[str, Any] = {}

        def act(name: str, service: Any, trigger: str) -> None:
            try:
                outcomes[name] = service.items.fire(Actor("thu"), item, trigger)
            except AwardError as exc:
                outcomes[name] = exc

        threads = [threading.Thread(target=act, args=("a", first, "accept")),
                   threading.Thread(target=act, args=("b", second, "decline"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        results = sorted(outcomes.values(), key=lambda r: isinstance(r, Exception))
        winner, loser = results
        assert isinstance(winner, dict), outcomes
        assert isinstance(loser, Conflict), outcomes
        assert loser.exit_code == 6
        shown = first.items.show(item)
        assert shown["state"] == winner["state"]
        actions = [h["action"] for h in shown["history"]]
        # one move only (an accepted item is awarded: its grant follows the move)
        assert actions[:2] == ["created", "fired"] and actions.count("fired") == 1
        assert actions[2:] in ([], ["granted"])
        assert first.audit.verify().ok
    finally:
        for service in (first, second):
            service.deps.store.close()


@pytest.mark.slow
def test_processes_racing_never_both_win(cli: Cli, dossier: Path) -> None:
    """Real processes: exactly one wins; the other is refused cleanly (6 if it read before
    the winner committed, 4 if after — the state no longer allows its trigger)."""
    env = dict(os.environ, AWARD_DB=cli.db, AWARD_NOW=cli.now)
    for _ in range(3):
        item = cli.ok("nominate", "chien-si-thi-dua-co-so", "--unit", "BN-SGD", "--nominee",
                      "A", "--set", "year=2026", "--set", "rating=HTXS", user="lan")["id"]
        for doc in ("to_trinh", "bao_cao"):
            cli.ok("attach", item, doc, str(dossier), user="lan")
        cli.ok("fire", item, "submit", user="lan")
        # 'return' and 'accept' both leave 'submitted' and neither is allowed after the other
        commands = [["fire", item, "return", "--comment", "thiếu"], ["fire", item, "accept"]]
        procs = [subprocess.Popen([sys.executable, "-m", "workflow", "--json", "--as", "thu", *c],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for c in commands]
        for proc in procs:
            proc.communicate(timeout=60)
        codes = sorted(proc.returncode for proc in procs)
        assert codes[0] == 0 and codes[1] in (4, 6), codes
        history = cli.ok("audit", "log", item)
        assert [h["action"] for h in history].count("fired") == 2  # submit + the one winner
    assert cli.ok("audit", "verify")["ok"] is True
