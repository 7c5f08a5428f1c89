"""The codebase keeps its own rules: layering, a pinned public facade, ruff and mypy clean."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import workflow
import workflow.flow
import workflow.flow.io
import workflow.service
import workflow.store

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "workflow"
BANNED_IN_CORE = {"sqlmodel", "sqlalchemy", "jinja2", "apscheduler", "typer", "psycopg"}
# The core: pure modules that may not touch the store, templates, scheduler or CLI.
CORE = [
    "errors.py", "clock.py", "calendar.py", "voting.py", "catalogue.py", "directory.py",
    "definitions.py", "yamlnodes.py", "escalation.py", "flow",
]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
            if node.module.startswith("workflow."):
                names.add(node.module)
    return names


def _core_files() -> list[Path]:
    files: list[Path] = []
    for entry in CORE:
        path = PACKAGE / entry
        if path.is_dir():
            files.extend(sorted(path.rglob("*.py")))
        elif path.exists():
            files.append(path)
    return files


def test_core_imports_no_adapter_or_entry_point_library() -> None:
    offenders = {}
    for path in _core_files():
        bad = {name for name in _imports(path) if name.split(".")[0] in BANNED_IN_CORE}
        bad |= {name for name in _imports(path)
                if name.startswith(("workflow.store", "workflow.service", "workflow.cli",
                                    "workflow.documents", "workflow.scheduler", "workflow.web"))}
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


def test_only_machine_imports_transitions() -> None:
    users = sorted(str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py")
                   if "transitions" in _imports(p))
    assert users == ["workflow/machine.py"]


def test_only_documents_imports_jinja2_outside_the_web() -> None:
    users = sorted(str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py")
                   if "jinja2" in _imports(p) and "web" not in p.parts)
    assert users == ["workflow/documents.py"]


def test_public_facades_are_pinned() -> None:
    assert sorted(workflow.flow.__all__) == [
        "ConfirmationsSpec", "DECISION_TEMPLATE", "DocumentSpec", "Edge", "EdgeKind",
        "EscalationStep", "FIELD_OPS",
        "FINAL_OUTCOMES", "FieldSpec", "FiredBy", "FlowEnv", "FlowSpec", "GuardCall",
        "GuardContext", "GuardDef", "GuardRegistry", "INTERNAL", "LEVELS", "LoadEnv", "NAME_RE",
        "NOMINEE_KINDS", "NoticeSpec", "RoleRef", "STATE_TYPES", "Sla", "StateSpec",
        "TransitionSpec", "VoteSpec", "clean_text", "coerce", "coerce_all", "default_guards",
        "fold", "load_flow", "nfc", "parse_assignments", "parse_flow"]
    assert sorted(workflow.flow.io.__all__) == [
        "FlowEnv", "GRAPH_FORMATS", "describe", "load_flow", "parse_flow", "render_graph"]
    for facade in (workflow.flow, workflow.flow.io):
        for name in facade.__all__:
            assert hasattr(facade, name), (facade.__name__, name)
    assert sorted(workflow.service.__all__) == ["Actor", "Deps", "PUBLIC", "SYSTEM", "Service"]
    assert sorted(workflow.store.__all__) == [
        "Anchor", "BallotRoundRow", "Busy", "Chain", "CouncilSessionRow", "DATABASE_ERRORS",
        "DecisionRow", "DeliveryRow", "DocumentRow", "EXPORT_COLUMNS", "GENESIS", "GrantFilter",
        "GrantRow", "Issued", "KINDS", "NominationRow",
        "NoticeRow", "ObjectionRow", "OutboxRow", "RenderedRow", "SessionItemRow", "Store",
        "TimerRow", "Tx", "VerifyReport", "database_errors", "make_engine", "normal_receipt",
        "normalise_url", "sqlite_file",
        "verify_rows"]
    assert workflow.__all__ == sorted(workflow.__all__)
    for name in workflow.__all__:
        assert hasattr(workflow, name)


def _tool(name: str) -> str:
    exe = Path(sys.executable).parent / name
    found = str(exe) if exe.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; install the test extra: pip install -e '.[test]'")
    return found


def test_import_contracts_hold() -> None:
    """Layers (entry points → service → adapters → core), the service's own one-way layers,
    the flow package's, and no cycles among siblings anywhere (pyproject.toml)."""
    # the checkout under test first, whatever copy of the package is installed
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get(
        "PYTHONPATH", "")]).rstrip(os.pathsep)}
    result = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True,
                            check=False, env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_entry_points_use_the_service_facades_only() -> None:
    """Nothing outside the service reaches its dependencies (``service.deps``)."""
    outside = [p for p in PACKAGE.rglob("*.py") if "service" not in p.relative_to(PACKAGE).parts]
    reach = re.compile(r"service(\(\))?\.deps\b")
    offenders = sorted(str(p.relative_to(ROOT)) for p in outside
                       if reach.search(p.read_text(encoding="utf-8")))
    assert offenders == []


def test_ruff_is_clean() -> None:
    result = subprocess.run([_tool("ruff"), "check", "workflow", "tests"], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    result = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
