"""Flow versions: ``award flows versions``, ``diff`` and ``migrate`` on SQLite and PostgreSQL.

A new version is made the way an administrator makes one: the flow file is edited. Each test
starts items on the shipped file, then points ``AWARD_HOME`` at a copy of ``definitions/`` and
``templates/`` whose flow file was edited, and diffs or migrates to it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import DIRECTORY, Cli
from workflow.definitions import load_definitions
from workflow.documents import Renderer
from workflow.errors import InvalidInput
from workflow.flow import parse_flow
from workflow.flow.io.diff import diff_flows, is_empty
from workflow.service.commands.migration import parse_maps

ROOT = Path(__file__).resolve().parents[1]
CSTDCS = "chien-si-thi-dua-co-so"
MONDAY = "2026-03-02T09:00:00+07:00"
COUNCIL = ("thu", "minh", "hoa", "nam", "binh")


@pytest.fixture
def cli(db_url: str) -> Cli:
    runner = Cli(db_url, now=MONDAY)
    runner.ok("init")
    runner.ok("directory", "load", str(DIRECTORY))
    return runner


def new_home(tmp_path: Path, flow: str, *edits: tuple[str, str], name: str = "home"
             ) -> dict[str, str]:
    """A copy of the definitions with ``flow``'s file edited: the env that loads it."""
    home = tmp_path / name
    shutil.copytree(ROOT / "definitions", home / "definitions")
    shutil.copytree(ROOT / "templates", home / "templates")
    path = home / "definitions" / "flows" / f"{flow}.yaml"
    text = path.read_text("utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, "utf-8")
    return {"AWARD_HOME": str(home)}


def cstdcs(cli: Cli, dossier: Path, *, to: str = "submitted") -> str:
    item = str(cli.ok("nominate", CSTDCS, "--unit", "BN-SGD", "--person", "an", "--set",
                      "year=2026", "--set", "rating=HTXS", user="lan")["id"])
    for doctype in ("to_trinh", "bao_cao"):
        cli.ok("attach", item, doctype, str(dossier), user="lan")
    if to == "draft":
        return item
    cli.ok("fire", item, "submit", user="lan")
    if to == "returned":
        cli.ok("fire", item, "return", "--comment", "Bổ sung", user="thu")
    elif to == "voting":
        cli.ok("fire", item, "accept", user="thu")
    return item


SLA_7 = ("""  submitted:
    label: {vi: "Đã trình, chờ kiểm tra hồ sơ", en: "Submitted, dossier check"}
    sla: {working_days: 5}""", """  submitted:
    label: {vi: "Đã trình, chờ kiểm tra hồ sơ", en: "Submitted, dossier check"}
    sla: {working_days: 7}""")
RETURN = ("  - {trigger: return,   from: submitted, to: returned,  by: secretariat@unit, "
          "comment: required,\n")
NO_RETURNED = [("""  returned:
    label: {vi: "Trả lại để bổ sung", en: "Returned for supplement"}
    sla: {working_days: 10}
    escalate:
      - {after: 50%,  notify: officer@unit}
      - {after: 100%, notify: unit_head@unit}
      - {after: 150%, fire: expire}
""", ""), (RETURN + """     label: {vi: "Trả lại để bổ sung", en: "Return for supplement"}}
  - {trigger: resubmit, from: returned,  to: submitted, by: officer@unit,
     require: [fields_complete, {documents: [to_trinh, bao_cao]}],
     label: {vi: "Trình lại", en: "Resubmit"}}
  - {trigger: expire,   from: returned,  to: expired,   by: system,
     label: {vi: "Hết hạn bổ sung hồ sơ", en: "Expire"}}
""", ""), ("from: [draft, submitted, returned], to: withdrawn",
           "from: [draft, submitted], to: withdrawn"),
               ("  expired:    {final: true, outcome: withdrawn, label: {vi: \"Quá hạn bổ sung\", "
                "en: \"Expired\"}}\n", "")]


def audit_of(cli: Cli, item: str, action: str) -> list[dict[str, Any]]:
    return [e for e in cli.ok("audit", "log", item) if e["action"] == action]


# ---- versions and diff -------------------------------------------------------------------------


def test_versions_and_a_diff_of_states_transitions_roles_slas_and_guards(
        cli: Cli, dossier: Path, tmp_path: Path) -> None:
    cstdcs(cli, dossier)
    stored = cli.ok("flows", "versions", CSTDCS)
    assert len(stored) == 1 and stored[0]["current"] and stored[0]["in_flight"] == 1
    old = stored[0]["version"]
    env = new_home(tmp_path, CSTDCS, SLA_7, (
        "  awarded:    {final: true",
        "  review:\n    label: {vi: \"Xem xét lại\", en: \"Review\"}\n"
        "    sla: {days: 10}\n  awarded:    {final: true"), (
        "  - {trigger: reject,   from: pending_decision, to: rejected, by: decider,",
        "  - {trigger: review, from: pending_decision, to: review, by: council_chair@unit}\n"
        "  - {trigger: decide, from: review, to: awarded, by: decider,"
        " require: [no_open_objections]}\n"
        "  - {trigger: reject,   from: pending_decision, to: rejected, by: decider,"), (
        "require: [{eligible: CSTDCS}, {registered: true}, no_open_objections]",
        "require: [{eligible: CSTDCS}, {registered: true}]"))
    versions = cli.ok("flows", "versions", CSTDCS, env=env)
    assert [v["current"] for v in versions] == [False, True]
    assert versions[1]["stored"] is False and versions[1]["in_flight"] == 0
    new = versions[1]["version"]
    diff = cli.ok("flows", "diff", CSTDCS, "--from", "stored", "--to", "current", env=env)
    assert (diff["from"], diff["to"]) == (old, new)
    assert [s["state"] for s in diff["states"]["added"]] == ["review"]
    assert diff["states"]["changed"] == [{"state": "submitted", "changes": [
        {"what": "sla", "from": "5 working days", "to": "7 working days"}]}]
    assert [(t["from"], t["trigger"], t["to"]) for t in diff["transitions"]["added"]] == [
        ("pending_decision", "review", "review"), ("review", "decide", "awarded")]
    assert diff["transitions"]["changed"] == [{"from": "submitted", "trigger": "accept",
                                               "changes": [{"what": "require",
                                                            "from": "eligible: CSTDCS, "
                                                                    "registered: CSTDCS, "
                                                                    "no_open_objections",
                                                            "to": "eligible: CSTDCS, "
                                                                  "registered: CSTDCS"}]}]
    assert diff["slas"] == [{"state": "submitted", "from": "5 working days",
                             "to": "7 working days", "from_days": 5, "from_working": True,
                             "to_days": 7, "to_working": True}]
    assert diff["guards"] == {"added": [{"from": "review", "trigger": "decide",
                                         "guard": "no_open_objections"}],
                              "removed": [{"from": "submitted", "trigger": "accept",
                                           "guard": "no_open_objections"}]}
    assert diff["roles"] == {"added": [], "removed": []}  # council_chair@unit was notified
    text = cli("flows", "diff", CSTDCS, "--from", old[:8], env=env, json_out=False)
    assert text.exit_code == 0
    lines = text.stdout.splitlines()
    assert lines[0] == f"flow {CSTDCS}: {old[:12]} → {new[:12]}"
    assert "  + review [task]" in lines
    assert "  ~ submitted: sla 5 working days → 7 working days" in lines
    assert "  + pending_decision --review--> review by council_chair@unit" in lines
    assert "  - submitted --accept: no_open_objections" in lines
    same = cli("flows", "diff", CSTDCS, "--from", "stored", "--to", old[:12], json_out=False)
    assert same.stdout.splitlines()[1] == "no differences"


def test_a_version_is_named_by_a_unique_prefix_or_refused_in_one_line(
        cli: Cli, dossier: Path, tmp_path: Path) -> None:
    cstdcs(cli, dossier)
    old = cli.ok("flows", "versions", CSTDCS)[0]["version"]
    assert cli.fails(5, "flows", "diff", CSTDCS, "--from", "ffff0000")["message"].startswith(
        f"flow {CSTDCS} has no version 'ffff0000'; versions: {old[:12]}")
    assert cli.fails(5, "flows", "diff", "no-such-flow", "--from", "stored")["type"] == \
        "NotFound"
    # edit the title until the new version shares its first character with the stored one
    for n in range(200):
        env = new_home(tmp_path, CSTDCS, ('en: "Grassroots emulation fighter"}',
                                          f'en: "Grassroots emulation fighter {n}"}}'),
                       name=f"home{n}")
        new = cli.ok("flows", "versions", CSTDCS, env=env)[-1]["version"]
        if new[0] == old[0]:
            break
    else:
        pytest.fail("no colliding version found")
    error = cli.fails(1, "flows", "diff", CSTDCS, "--from", old[0], env=env)
    assert "is ambiguous" in error["message"] and old[:12] in error["message"]
    assert cli.ok("flows", "diff", CSTDCS, "--from", old[:10], env=env)["from"] == old


# ---- migrate -------------------------------------------------------------------------------------


def test_a_dry_run_says_what_would_happen_and_changes_nothing(
        cli: Cli, dossier: Path, tmp_path: Path) -> None:
    item = cstdcs(cli, dossier)
    old = cli.ok("show", item)["flow_version"]
    env = new_home(tmp_path, CSTDCS, SLA_7)
    before = cli.ok("audit", "head")
    plan = cli.ok("flows", "migrate", CSTDCS, "--to", "current", "--dry-run", env=env,
                  now="2026-03-04T10:00:00+07:00")
    assert plan["dry_run"] and plan["ok"] and plan["moved"] == 0
    assert plan["items"] == [{
        "id": item, "from_version": old, "state": "submitted", "to_state": "submitted",
        "entered_at": "2026-03-02T09:00:00+07:00", "due_at": "2026-03-11T23:59:59+07:00",
        "timers": [{"step": 0, "due_at": "2026-03-10T23:59:59+07:00"},
                   {"step": 1, "due_at": "2026-03-11T23:59:59+07:00"},
                   {"step": 2, "due_at": "2026-03-17T23:59:59+07:00"}],
        "carried": [], "refused": None}]
    assert cli.ok("show", item)["flow_version"] == old
    assert cli.ok("audit", "head") == before
    text = cli("flows", "migrate", CSTDCS, "--to", "current", "--dry-run", env=env,
               json_out=False, now="2026-03-04T10:00:00+07:00")
    assert text.stdout.splitlines() == [
        f"item {item}: submitted @ {old[:12]} → submitted @ {plan['to'][:12]}; entered "
        "2026-03-02T09:00:00+07:00, due 2026-03-11T23:59:59+07:00; timers step 0 at "
        "2026-03-10T23:59:59+07:00, step 1 at 2026-03-11T23:59:59+07:00, step 2 at "
        "2026-03-17T23:59:59+07:00",
        f"would move 1 item(s) to {plan['to'][:12]}"]


def test_migrate_recomputes_timers_from_the_original_entry_and_audits_each_item(
        cli: Cli, dossier: Path, tmp_path: Path) -> None:
    late = cstdcs(cli, dossier)
    draft = cstdcs(cli, dossier, to="draft")
    # the first reminder (80% of 5 working days: Friday) was already sent under the old SLA
    cli.ok("escalate", now="2026-03-07T09:00:00+07:00")
    assert [m["recipient"] for m in cli.ok("outbox", "--nomination", late)] == ["thu"]
    old = cli.ok("show", late)["flow_version"]
    env = new_home(tmp_path, CSTDCS, SLA_7)
    done = cli.ok("flows", "migrate", CSTDCS, "--to", "current", env=env,
                  now="2026-03-09T10:00:00+07:00")
    assert done["ok"] and done["moved"] == 2 and not done["dry_run"]
    moved = {i["id"]: i for i in done["items"]}
    # due from Monday's entry, 7 working days; the step already taken is not taken again
    assert moved[late]["due_at"] == "2026-03-11T23:59:59+07:00"
    assert [t["step"] for t in moved[late]["timers"]] == [1, 2]
    assert moved[draft]["due_at"] is None and moved[draft]["timers"] == []
    shown = cli.ok("show", late, env=env)
    assert shown["flow_version"] == done["to"] and shown["due_at"] == "2026-03-11T23:59:59+07:00"
    for item in (late, draft):
        entries = audit_of(cli, item, "migrated")
        assert len(entries) == 1
        assert entries[0]["payload"]["from_version"] == old
        assert entries[0]["payload"]["to_version"] == done["to"]
        assert entries[0]["actor"] == "admin"
    # the new clock runs: nothing on Tuesday 10th, the SLA reminder on Thursday 12th
    cli.ok("escalate", env=env, now="2026-03-10T12:00:00+07:00")
    assert len(cli.ok("outbox", "--nomination", late)) == 1
    cli.ok("escalate", env=env, now="2026-03-12T09:00:00+07:00")
    assert [m["recipient"] for m in cli.ok("outbox", "--nomination", late)] == ["thu", "minh"]
    # the items go on under the new version, and the chain holds
    cli.ok("fire", late, "accept", user="thu", env=env)
    assert cli.ok("audit", "verify")["ok"] is True
    again = cli.ok("flows", "migrate", CSTDCS, "--to", "current", env=env)
    assert again["moved"] == 0 and again["unchanged"] == 2


def test_migrate_is_refused_whole_when_a_state_has_no_counterpart_and_a_map_moves_it(
        cli: Cli, dossier: Path, tmp_path: Path) -> None:
    submitted = cstdcs(cli, dossier)
    returned = cstdcs(cli, dossier, to="returned")
    old = cli.ok("show", submitted)["flow_version"]
    env = new_home(tmp_path, CSTDCS, *NO_RETURNED)
    run = cli("flows", "migrate", CSTDCS, "--to", "current", env=env)
    assert run.exit_code == 4
    result = run.json()
    assert not result["ok"] and result["moved"] == 0
    refused = {i["id"]: i["refused"] for i in result["items"]}
    assert refused[submitted] is None
    assert refused[returned].startswith("state 'returned' has no counterpart in ")
    assert "give --map returned=STATE" in refused[returned]
    for item in (submitted, returned):  # nothing moved
        assert cli.ok("show", item)["flow_version"] == old
        assert audit_of(cli, item, "migrated") == []
    text = cli("flows", "migrate", CSTDCS, "--to", "current", env=env, json_out=False)
    assert text.exit_code == 4
    assert text.stdout.splitlines()[-1] == "refused: 1 of 2 item(s) cannot move; nothing moved"
    bad = cli.fails(1, "flows", "migrate", CSTDCS, "--to", "current", "--map", "returned=gone",
                    env=env)
    assert "has no state 'gone'" in bad["message"]
    assert cli.fails(1, "flows", "migrate", CSTDCS, "--to", "current", "--map", "returned",
                     env=env)["message"] == "--map 'returned': write OLD=NEW (state names)"
    done = cli.ok("flows", "migrate", CSTDCS, "--to", "current", "--map", "returned=submitted",
                  env=env)
    assert done["moved"] == 2
    shown = cli.ok("show", returned, env=env)
    assert shown["state"] == "submitted" and shown["due_at"] is not None
    [entry] = audit_of(cli, returned, "migrated")
    assert (entry["from"], entry["to"]) == ("returned", "submitted")


def test_an_open_ballot_round_is_carried_or_refused_with_the_reason(
        cli: Cli, dossier: Path, tmp_path: Path) -> None:
    item = cstdcs(cli, dossier, to="voting")
    cli.ok("vote", item, "yes", user="thu")
    stricter = new_home(tmp_path, CSTDCS, ("threshold: 80%, of: members", "threshold: all, "
                                           "of: members"), name="strict")
    run = cli("flows", "migrate", CSTDCS, "--to", "current", env=stricter)
    assert run.exit_code == 4
    assert "a ballot round is open" in run.json()["items"][0]["refused"]
    assert "close the round first" in run.json()["items"][0]["refused"]
    renamed = new_home(tmp_path, CSTDCS,
                       ("  voting:\n    type: vote", "  council:\n    type: vote"),
                       ("to: voting,", "to: council,"), SLA_7, name="renamed")
    done = cli.ok("flows", "migrate", CSTDCS, "--to", "current", "--map", "voting=council",
                  env=renamed)
    assert done["items"][0]["carried"][0].startswith("ballot round ")
    # the round goes on: the members who had not voted vote, and it passes
    for member in COUNCIL[1:]:
        cli.ok("vote", item, "yes", user=member, env=renamed)
    assert cli.ok("show", item, env=renamed)["state"] == "pending_decision"


def test_a_published_notice_window_is_carried_or_refused(
        cli: Cli, dossier: Path, tmp_path: Path) -> None:
    flow = "huan-chuong-lao-dong-hang-ba"
    item = str(cli.ok("nominate", flow, "--unit", "BN-SGD", "--person", "cuong", "--set",
                      "year=2026", "--set", "years_good=6", "--set", "years_excellent=2",
                      user="lan")["id"])
    for doctype in ("to_trinh", "bao_cao", "bien_ban"):
        cli.ok("attach", item, doctype, str(dossier), user="lan")
    cli.ok("fire", item, "submit", user="lan")
    cli.ok("fire", item, "accept", user="hung")
    for key, who in (("tax", "thue"), ("social_insurance", "bhxh"), ("inspectorate", "thanhtra")):
        cli.ok("confirm", item, key, "yes", user=who)
    assert cli.ok("show", item)["state"] == "public_notice"
    longer = new_home(tmp_path, flow, ("notice: {working_days: 10,", "notice: {working_days: 15,"),
                      name="longer")
    run = cli("flows", "migrate", flow, "--to", "current", env=longer)
    assert run.exit_code == 4
    reason = run.json()["items"][0]["refused"]
    assert reason.startswith("its public notice is published with a window of 10 working days "
                             "ending 2026-03-16T23:59:59+07:00")
    same = new_home(tmp_path, flow, ("en: \"Public notice\"}", "en: \"Public notice period\"}"),
                    name="same")
    done = cli.ok("flows", "migrate", flow, "--to", "current", env=same)
    assert done["items"][0]["carried"] == ["notice window"]
    cli.ok("escalate", env=same, now="2026-03-17T09:00:00+07:00")
    assert cli.ok("show", item, env=same)["state"] == "provincial_council"


# ---- the diff and the maps as properties -------------------------------------------------------

DEFS = load_definitions(ROOT / "definitions", [], Renderer(ROOT / "templates").exists)
SHIPPED = (ROOT / "definitions" / "flows" / f"{CSTDCS}.yaml").read_text("utf-8")
TIMED = ["submitted", "returned", "voting", "pending_decision"]
SLAS = {"submitted": 5, "returned": 10, "voting": 15, "pending_decision": 5}


def with_slas(slas: dict[str, int]) -> Any:
    text = SHIPPED
    for state, days in slas.items():
        head = f"  {state}:\n"
        start = text.index(head)
        at = text.index("sla: {working_days: ", start)
        end = text.index("}", at)
        text = text[:at] + f"sla: {{working_days: {days}" + text[end:]
    return parse_flow(text, f"{CSTDCS}.yaml", DEFS.env)


@settings(max_examples=25, deadline=None)
@given(st.dictionaries(st.sampled_from(TIMED), st.integers(min_value=1, max_value=60)))
def test_a_diff_lists_exactly_the_slas_that_changed(changes: dict[str, int]) -> None:
    old, new = with_slas({}), with_slas(changes)
    diff = diff_flows(old, new)
    changed = {s for s, days in changes.items() if days != SLAS[s]}
    assert {s["state"] for s in diff["slas"]} == changed
    assert {s["state"] for s in diff["states"]["changed"]} == changed
    assert is_empty(diff) == (not changed) == (old.version == new.version)
    back = diff_flows(new, old)
    assert [(s["state"], s["from"], s["to"]) for s in back["slas"]] == [
        (s["state"], s["to"], s["from"]) for s in diff["slas"]]


NAME = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)


@given(st.dictionaries(NAME, NAME, max_size=5))
def test_maps_read_back_as_written(pairs: dict[str, str]) -> None:
    assert parse_maps([f"{old}={new}" for old, new in pairs.items()]) == pairs
    assert parse_maps([f" {old} = {new} " for old, new in pairs.items()]) == pairs


@given(st.text(max_size=12).filter(lambda s: "=" not in s or s.strip().startswith("=")
                                    or s.strip().endswith("=")))
def test_a_map_that_is_not_old_eq_new_is_refused_in_one_line(text: str) -> None:
    with pytest.raises(InvalidInput, match=r"^--map .*: write OLD=NEW \(state names\)$"):
        parse_maps([text])
