"""``award flows test``: scenario files rehearse a flow on a throwaway in-memory database.

The shipped scenarios (``definitions/scenarios/``) all pass and, flow by flow, take every edge
of :meth:`FlowSpec.edges` an item can take: every declared transition, every vote, notice and
confirmation outcome, the hold from each step and the way back to it, and an upheld
objection. ``tests/scenarios/failing.yaml`` fails on purpose: each failure is reported at its
own line with what was expected and what happened.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli
from workflow.bootstrap import Settings, build_service
from workflow.flow import EdgeKind, FlowSpec
from workflow.scenarios import Run, run_files

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "definitions" / "scenarios"
HERE = Path(__file__).resolve().parent / "scenarios"


@pytest.fixture(scope="module")
def shipped() -> Run:
    return run_files([SHIPPED], Settings.from_env(db="sqlite://"))


def test_every_shipped_scenario_passes(shipped: Run) -> None:
    failed = [str(o) for o in shipped.outcomes if not o.ok]
    assert not failed, "\n".join(failed)
    assert len(shipped.outcomes) >= 60


def test_every_shipped_flow_ships_scenarios_that_take_each_of_its_edges(shipped: Run) -> None:
    flows = build_service(Settings.from_env(db="sqlite://")).definitions.flows
    assert {p.stem for p in SHIPPED.glob("*.yaml")} == set(flows)
    for flow in flows.values():
        taken = shipped.edges.get(flow.id, set())
        granted = _granted_states(flow)
        # with a hold state an objection parks the item there first, so an upheld objection
        # leaves from the hold state: the upheld edges out of the other states cannot be taken;
        # once the award is granted a complaint is against the award and the item stays put
        can = [(e.source, str(e.trigger), e.dest) for e in flow.edges()
               if not (e.kind is EdgeKind.UPHELD and flow.hold_state
                       and e.source != flow.hold_state)
               and not (e.kind in (EdgeKind.HOLD, EdgeKind.UPHELD) and e.source in granted)
               and not (e.kind is EdgeKind.RESUME and e.dest in granted)]
        missing = [e for e in can if e not in taken]
        assert not missing, f"{flow.id}: no scenario takes {missing}"
        assert len(can) >= 20


def _granted_states(flow: FlowSpec) -> set[str]:
    """The decision states and every state after them: an item there holds its award."""
    out = set(flow.decision_states)
    stack = list(out)
    while stack:
        state = stack.pop()
        for edge in flow.edges():
            if edge.source == state and edge.kind is EdgeKind.DECLARED and edge.dest not in out:
                out.add(edge.dest)
                stack.append(edge.dest)
    return out


def test_a_failing_scenario_file_reports_each_failure_at_its_line() -> None:
    run = run_files([HERE / "failing.yaml"], Settings.from_env(db="sqlite://"))
    file = str(HERE / "failing.yaml")
    assert [str(o) for o in run.outcomes] == [
        f"PASS {file}:5: passes",
        f"FAIL {file}:15: expected state pending_decision, got appraisal (wrong state)",
        f"FAIL {file}:19: fire: expected exit 0, got 3: lan may not 'accept' nomination 1: "
        "needs secretariat at BN-SGD (refused where success was expected)",
        f"FAIL {file}:23: fire: expected exit 3, got 0 (success where a refusal was expected)",
        f"FAIL {file}:27: expected due_at 2026-03-05T23:59:59+07:00, got "
        "2026-03-04T23:59:59+07:00 (wrong due time)",
        f"FAIL {file}:31: expected an outbox message (to minh), got reminder to thu "
        "(no such message)",
        f"FAIL {file}:33: the nomination failed (exit 3): hoa may not nominate in "
        "'khen-thuong-dot-xuat' at BN-SGD: needs officer at BN-SGD (the nomination itself fails)",
    ]
    assert not run.ok


def test_the_command_prints_one_line_per_scenario_and_exits_1_on_a_failure(
        bare_cli: Cli) -> None:
    run = bare_cli("flows", "test", str(HERE / "failing.yaml"), str(HERE / "inline-directory.yaml"),
                   json_out=False)
    assert run.exit_code == 1
    lines = run.stdout.splitlines()
    assert len(lines) == 9 and lines[-1] == "2 passed, 6 failed"
    assert sum(line.startswith("FAIL ") for line in lines) == 6
    assert lines[-2] == f"PASS {HERE / 'inline-directory.yaml'}:13: a school awards its teacher"
    good = bare_cli("flows", "test", str(HERE / "inline-directory.yaml"))
    assert good.exit_code == 0
    assert good.json()["passed"] == 1 and good.json()["ok"] is True


def test_a_malformed_scenario_file_is_reported_with_file_line_col(bare_cli: Cli) -> None:
    run = bare_cli("flows", "test", str(HERE / "malformed.yaml"), json_out=False)
    file = HERE / "malformed.yaml"
    assert run.exit_code == 1
    assert f"FAIL {file}:6:19: unknown key 'fier' in a step (did you mean 'fire'?)" \
        in run.stdout
    assert f"FAIL {file}:8:11: from: no scenario 'no such scenario' in this file" in run.stdout
    missing = bare_cli("flows", "test", str(HERE / "nothing.yaml"))
    assert missing.exit_code == 1
    assert "no such file" in missing.json()["error"]["message"]


def test_scenarios_leave_no_database_behind(bare_cli: Cli, tmp_path: Path) -> None:
    # the CLI's own database is never created or touched by a rehearsal
    db = tmp_path / "award.db"
    run = bare_cli("flows", "test", str(HERE / "inline-directory.yaml"),
                   env={"AWARD_DB": f"sqlite:///{db}"})
    assert run.exit_code == 0
    assert not db.exists()


def test_steps_before_the_nomination_act_on_campaigns_only(tmp_path: Path) -> None:
    path = tmp_path / "before.yaml"
    path.write_text("""flow: co-thi-dua-tinh
now: 2026-01-12T09:00:00+07:00
scenarios:
  - name: registered
    before:
      - {as: lan, register: CTDTINH, campaign: bac-ninh-2026, unit: BN-SGD}
    nomination: {as: lan, unit: BN-SGD, nominee: "Sở GD&ĐT", fields: {year: 2026, rating: HTXS}}
    steps: []
  - name: replayed
    from: registered
    before:
      - {as: lan, fire: submit}
    steps: []
""", encoding="utf-8")
    run = run_files([path], Settings.from_env(db="sqlite://"))
    assert [str(o) for o in run.outcomes] == [
        f"FAIL {path}:12:7: scenario 'replayed': before: belongs to a scenario with its own "
        "nomination (from: replays the other's)",
        f"FAIL {path}:12:9: a step before the nomination needs an action (register, ranking, "
        "paper)",
        f"FAIL {path}:12:19: unknown key 'fire' in a step before the nomination; allowed: "
        "register, ranking, paper, as, at, comment, unit, decision, name, contact, campaign, "
        "cluster, person, exit"]
    path.write_text(path.read_text("utf-8").split("  - name: replayed")[0].replace(
        "unit: BN-SGD}", "unit: BN-SGD}\n      - {as: lan, register: CTDTINH, "
        "campaign: bac-ninh-2026, unit: BN-SGD, exit: 4}"), encoding="utf-8")
    run = run_files([path], Settings.from_env(db="sqlite://"))
    assert [str(o) for o in run.outcomes] == [f"PASS {path}:4: registered"]
