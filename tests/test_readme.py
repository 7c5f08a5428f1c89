"""The README's complete flow example works as the README says to use it."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import Cli

README = Path(__file__).resolve().parents[1] / "README.md"


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
