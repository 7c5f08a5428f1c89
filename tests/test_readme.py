"""The README's complete flow example works as the README says to use it."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from tests.conftest import Cli, Run

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def example_flow() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### A complete example"):]
    match = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert match, "no yaml block under 'A complete example'"
    return match.group(1)


def test_the_complete_example_validates_and_runs(cli: Cli, tmp_path: Path) -> None:
    source = example_flow()
    flow_id = re.search(r"^flow: ([a-z0-9-]+)", source, re.M)
    assert flow_id, "the example names no flow id"
    folder = tmp_path / "my-flows"
    folder.mkdir()
    (folder / f"{flow_id.group(1)}.yaml").write_text(source, encoding="utf-8")
    assert cli.ok("flows", "validate", str(folder))["ok"] is True
    env = {"AWARD_FLOWS": str(folder)}
    listed = {f["id"]: f for f in cli.ok("flows", "list", env=env)}
    assert all(f["ok"] for f in listed.values()), [f for f in listed.values() if not f["ok"]]
    assert flow_id.group(1) in listed  # its own id: no clash with a shipped flow
    item = cli.ok("nominate", flow_id.group(1), "--unit", "BN-SGD", "--person", "an",
                  "--set", "year=2026", "--set", "rating=HTXS", user="lan", env=env)
    assert item["state"] == "draft" and item["nominee"] == "Nguyễn Văn An"


def test_a_flow_folder_that_does_not_exist_is_an_error(cli: Cli, tmp_path: Path) -> None:
    error = cli.fails(1, "flows", "list", env={"AWARD_FLOWS": str(tmp_path / "my-flowz")})
    assert "flow folder does not exist (check AWARD_FLOWS)" in error["message"]


# ---- the lists and council meeting walkthroughs ----------------------------------------------


def walkthrough(title: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index(f"### {title}"):]
    match = re.search(r"```sh\n(.*?)```", section, re.S)
    assert match, f"no sh block under {title!r}"
    return match.group(1).splitlines()


def run_walkthrough(cli: Cli, lines: list[str]) -> dict[str, Run]:
    """Run the block as a shell would, for the few commands the walkthroughs use (anything
    else fails the test, so the README cannot drift into commands nobody checked). Returns
    the runs of the ``award`` lines by line."""
    runs: dict[str, Run] = {}
    rest = iter(lines)
    for line in rest:
        words = shlex.split(line, comments=True)
        if not words or words[0] == "export":  # AWARD_DB: the test's database
            continue
        if words[0] == "cat" and words[1] == ">" and words[3].startswith("<<"):
            end = words[3][2:]
            body = []
            for more in rest:
                if more == end:
                    break
                body.append(more + "\n")
            Path(words[2]).write_text("".join(body), encoding="utf-8")
        elif words[0] == "printf" and words[2] == ">":
            Path(words[3]).write_text(words[1], encoding="utf-8")
        elif words[:2] == ["grep", "-v"] and words[4] == ">":
            kept = [x for x in Path(words[3]).read_text(encoding="utf-8").splitlines(True)
                    if words[2] not in x]
            Path(words[5]).write_text("".join(kept), encoding="utf-8")
        elif words[0] == "award":
            args = [str(ROOT / a) if a.startswith("definitions/") else a for a in words[1:]]
            expected = re.search(r"#\s*exit (\d+)", line)
            run = cli(*args, json_out=False)
            assert run.exit_code == (int(expected.group(1)) if expected else 0), (
                line, run.stdout, run.stderr)
            runs[line] = run
        else:
            raise AssertionError(f"a walkthrough command the test does not know: {line}")
    return runs


def test_the_list_and_meeting_walkthroughs_run_as_written(
        bare_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runs = run_walkthrough(bare_cli, walkthrough("Send a list"))
    [refused] = [r for line, r in runs.items() if "exit 1" in line]
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Send a list"):text.index("### Hold a council meeting")]
    shown = re.search(r"```\n(error: .*?)```", section, re.S)
    assert shown, "the refused import's output is not shown"
    assert refused.stderr == shown.group(1)
    assert Path("danh-sach.xlsx").is_file() and Path("ho-so.xlsx").is_file()
    assert [i["nominee"] for i in bare_cli.ok("list", "--unit", "BN")] == [
        "Nguyễn Văn An", "Lý Thị Bích"]
    run_walkthrough(bare_cli, walkthrough("Hold a council meeting"))
    assert [i["state"] for i in bare_cli.ok("list")] == ["pending_decision", "not_passed"]
    assert "BIÊN BẢN" in Path("bien-ban-1.html").read_text(encoding="utf-8")
    tallies = [(i["tally"]["yes"], i["tally"]["members"]) for i in
               bare_cli.ok("session", "show", "1")["items"]]
    assert tallies == [(5, 5), (3, 5)]  # as the README tells it
    assert "item 1 passes with 5 yes of 5; item 2 fails with 3 yes of 5" in " ".join(
        text.split())


def test_the_scenario_example_rehearses_the_complete_example(bare_cli: Cli, tmp_path: Path
                                                              ) -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Define your own flow"):text.index("### Reference")]
    [scenarios] = [block for block in re.findall(r"```yaml\n(.*?)```", section, re.S)
                   if block.startswith("flow: chien-si-thi-dua-truong")]
    folder = tmp_path / "my-flows"
    (folder / "scenarios").mkdir(parents=True)
    (folder / "chien-si-thi-dua-truong.yaml").write_text(example_flow(), encoding="utf-8")
    path = folder / "scenarios" / "chien-si-thi-dua-truong.yaml"
    path.write_text(scenarios, encoding="utf-8")
    run = bare_cli("flows", "test", str(path), env={"AWARD_FLOWS": str(folder)}, json_out=False)
    assert run.exit_code == 0, run.stdout
    shown = [line.removeprefix("# ") for line in section.splitlines()
             if line.startswith("# PASS") or line.startswith("# FAIL")
             or line.startswith("# 3 passed")]
    assert run.stdout.splitlines() == [line.replace("my-flows/", f"{folder}/", 1)
                                       for line in shown]
    # the failure the README describes is what the runner says
    path.write_text(scenarios.replace('vote: "yes", state: pending_decision',
                                      'vote: "yes", state: awarded', 1), encoding="utf-8")
    failed = bare_cli("flows", "test", str(path), env={"AWARD_FLOWS": str(folder)},
                      json_out=False)
    assert failed.exit_code == 1
    said = re.search(r"would read `(FAIL [^`]*)`", " ".join(section.split()))
    assert said is not None
    assert said.group(1).replace("my-flows/", f"{folder}/", 1) in failed.stdout.splitlines()


def test_the_diff_example_is_what_the_command_prints(cli: Cli, tmp_path: Path,
                                                     dossier: Path) -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("**3. See what changed.**"):text.index("**4. Move the items")]
    shown = [line.removeprefix("# ") for line in section.splitlines()
             if line.startswith("# ")]
    cli.ok("nominate", "chien-si-thi-dua-co-so", "--unit", "BN-SGD", "--person", "an",
           "--set", "year=2026", "--set", "rating=HTXS", user="lan")
    home = tmp_path / "home"
    shutil.copytree(ROOT / "definitions", home / "definitions")
    shutil.copytree(ROOT / "templates", home / "templates")
    path = home / "definitions" / "flows" / "chien-si-thi-dua-co-so.yaml"
    step = "\n    escalate:\n      - {after: 80%,  notify: secretariat@unit}"
    path.write_text(path.read_text("utf-8").replace(
        "    sla: {working_days: 5}" + step, "    sla: {working_days: 7}" + step, 1), "utf-8")
    run = cli("flows", "diff", "chien-si-thi-dua-co-so", "--from", "stored", "--to", "current",
              env={"AWARD_HOME": str(home)}, json_out=False)
    assert run.exit_code == 0
    assert run.stdout.splitlines() == shown
def test_the_decision_walkthrough_runs_as_written(
        bare_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run_walkthrough(bare_cli, walkthrough("Send a list"))
    run_walkthrough(bare_cli, walkthrough("Hold a council meeting"))
    runs = run_walkthrough(bare_cli, walkthrough("Sign a decision, keep the register"))
    [refused] = [r for line, r in runs.items() if "exit 4" in line]
    text = " ".join(README.read_text(encoding="utf-8").split())
    assert refused.stderr.startswith("error: nomination 2 cannot be awarded now: it is in "
                                     "not_passed")
    assert "`error: nomination 2 cannot be awarded now: it is in not_passed …; nothing was " \
           "decided`" in text
    assert bare_cli.ok("decision", "show", "1")["number"] == "1/QĐ-BN-SGD"
    assert "1/QĐ-BN-SGD" in text
    assert "Số: 1/QĐ-BN-SGD" in Path("quyet-dinh-1.html").read_text(encoding="utf-8")
    [revoked] = bare_cli.ok("registry", "--status", "revoked")
    assert revoked["nominee"] == "Nguyễn Văn An" and revoked["revoked_by"] == "thu"
    assert Path("so-khen-thuong.xlsx").is_file()
