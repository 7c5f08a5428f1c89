"""Each command imports only what it needs: a guard by module list, not by wall clock.

A command runs in a fresh interpreter that writes ``sys.modules`` when it exits; the test fails
when a command's import set grows to include the web stack (or, for the commands people run
most, the libraries of other commands: spreadsheets, templates, migrations, PostgreSQL's
driver). ``award bench cli`` measures the time these imports cost.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from workflow.cli import app, registry

ROOT = Path(__file__).resolve().parents[1]
DIRECTORY = ROOT / "definitions" / "directory.sample.yaml"
FLOW = "chien-si-thi-dua-co-so"

#: the web stack: only ``award serve`` (and ``award bench web``) may load it
WEB = ("fastapi", "starlette", "uvicorn", "workflow.web", "prometheus_client", "multipart",
       "itsdangerous", "swagger_ui")
#: libraries of other commands, which ``show``, ``list``, ``fire``, ``vote`` never need
OTHERS = ("openpyxl", "jinja2", "alembic", "psycopg", "argon2", "apscheduler", "sqlmodel")
#: what ``award --help`` may not load: it lists commands and touches no database
HELP = (*WEB, *OTHERS, "sqlalchemy", "holidays", "yaml", "transitions", "rich", "pydantic",
        "workflow.store", "workflow.service", "workflow.bootstrap")

_PROBE = """
import atexit, json, sys
out = sys.argv[1]
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
sys.argv = ["award", *sys.argv[2:]]
from workflow.cli import main
main()
"""


def _modules(tmp: Path, *args: str) -> set[str]:
    out = tmp / "modules.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AWARD_NOW": "2026-02-12T09:00:00+07:00"}
    run = subprocess.run([sys.executable, "-c", _PROBE, str(out), *args], env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, (args, run.stdout, run.stderr)
    return set(json.loads(out.read_text()))


def _loaded(modules: set[str], banned: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == b or m.startswith(b + ".") for b in banned))


def test_registry_names_every_command() -> None:
    """A command missing from the registry would still run, but every command would then
    load every module to look for it."""
    registry.load_all()
    built = typer.main.get_group(app)
    assert set(built.commands) == set(registry.COMMANDS)
    for module in set(registry.COMMANDS.values()):
        assert (ROOT / "workflow" / "cli" / f"{module}.py").is_file(), module


def test_help_lists_every_command_and_loads_no_library(tmp_path: Path) -> None:
    modules = _modules(tmp_path, "--help")
    assert _loaded(modules, HELP) == []


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("imports")
    url = f"sqlite:///{folder / 'award.db'}"
    _modules(folder, "--db", url, "init")
    _modules(folder, "--db", url, "directory", "load", str(DIRECTORY))
    _modules(folder, "--db", url, "--as", "lan", "nominate", FLOW, "--unit", "BN-SGD",
             "--nominee", "Nguyễn Văn An", "--set", "year=2025")
    return url


@pytest.mark.slow
@pytest.mark.parametrize("args", [
    ("show", "1"),
    ("--json", "show", "1"),
    ("list",),
    ("--as", "lan", "fire", "1", "withdraw", "--comment", "no"),
    ("audit", "verify"),
    ("audit", "log", "1"),
    ("flows", "list"),
], ids=" ".join)
def test_everyday_commands_do_not_load_the_web_stack(database: str, tmp_path: Path,
                                                     args: tuple[str, ...]) -> None:
    modules = _modules(tmp_path, "--db", database, *args)
    assert _loaded(modules, WEB) == []
    assert _loaded(modules, OTHERS) == []
    # typer checks option values through Pydantic only for a value that needs checking (a
    # number, a path …): these commands give text and leave the rest out
    assert _loaded(modules, ("pydantic", "pydantic_core")) == []
    if "fire" not in args:  # reading needs no holiday table (a move may, for its deadline)
        assert _loaded(modules, ("holidays.countries",)) == []
        # nor the package at all, nor PyYAML: the definition files were read by an earlier
        # command, and are kept (workflow.readcache)
        assert _loaded(modules, ("holidays", "yaml")) == []


@pytest.mark.slow
def test_serve_is_what_loads_the_web_stack(tmp_path: Path) -> None:
    """The control: the probe sees the web stack where it is loaded."""
    modules = _modules(tmp_path, "--help")
    assert "fastapi" not in modules
    from workflow.cli import web  # noqa: F401 (registering serve loads nothing heavy either)

    probe = subprocess.run([sys.executable, "-c", "import sys; import workflow.web; "
                            "print('fastapi' in sys.modules)"],
                           env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                           text=True, timeout=120, check=True)
    assert probe.stdout.strip() == "True"


def test_the_kinds_of_document_named_for_help_are_the_stores() -> None:
    """``award pdf`` names the kinds without loading the store; they must be the store's."""
    from workflow.cli.documents import KINDS
    from workflow.store import KINDS as STORED

    assert KINDS == STORED


@pytest.mark.slow
@pytest.mark.parametrize("args", [
    ("show", "1"),
    ("--json", "show", "1"),
    ("list",),
    ("audit", "verify"),
    ("audit", "log", "1"),
], ids=" ".join)
def test_reading_a_sqlite_database_loads_no_sqlalchemy(database: str, tmp_path: Path,
                                                       args: tuple[str, ...]) -> None:
    """A command that only reads opens a SQLite file read-only on the standard driver: no
    SQLAlchemy, no SQLModel, and no facade it does not use."""
    modules = _modules(tmp_path, "--db", database, *args)
    assert _loaded(modules, ("sqlalchemy", "sqlmodel", "workflow.store.tables")) == []
    # nor the package metadata reader (holidays, SQLAlchemy and Pydantic are what load it),
    # nor the cipher of sealed ballots (only casting, counting and the campaigns' open it)
    assert _loaded(modules, ("importlib.metadata", "pydantic", "cryptography")) == []
    # nor the mail stack (smtplib, ssl, email): only what sends mail loads it
    assert _loaded(modules, ("workflow.mailer", "smtplib")) == []
    assert _loaded(modules, ("workflow.service.facades.campaigns",
                             "workflow.service.facades.reports",
                             "workflow.service.facades.sessions")) == []
    # nor the list reader, which only importing a list needs
    assert _loaded(modules, ("workflow.intake", "workflow.service.commands.lists")) == []


@pytest.mark.slow
def test_a_command_that_writes_still_opens_the_database_with_sqlalchemy(
        database: str, tmp_path: Path) -> None:
    """The control: the probe sees SQLAlchemy where a command writes."""
    modules = _modules(tmp_path, "--db", database, "--as", "lan", "nominate", FLOW, "--unit",
                       "BN-SGD", "--nominee", "Trần Thị Bình", "--set", "year=2025")
    assert "sqlalchemy" in modules


def test_the_read_only_store_cannot_write_and_leaves_the_file_as_it_was(
        database: str, tmp_path: Path) -> None:
    """Opened read-only (``mode=ro``, ``query_only``): a write fails, the database and its
    log are unchanged, and the item reads as it does through SQLAlchemy."""
    import hashlib
    import sqlite3

    from workflow.bootstrap import Settings, build_service

    path = Path(database.removeprefix("sqlite:///"))
    files = [path, path.with_name(path.name + "-wal")]  # not -shm: readers mark it

    def digest() -> str:
        return hashlib.sha256(b"".join(p.read_bytes() for p in files if p.is_file())
                              ).hexdigest()

    before = digest()
    settings = Settings.from_env(db=database)
    reading = build_service(settings, read_only=True)
    try:
        assert reading.deps.store.read_only
        shown = reading.items.show("1")
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reading.deps.store.run(lambda tx: tx.raw.run("DELETE FROM nomination"))
        assert reading.items.show("1") == shown  # the connection is still usable
        assert len(list(reading.audit.log())) >= 1
    finally:
        reading.close()
    assert digest() == before
    writing = build_service(settings)
    try:
        assert not writing.deps.store.read_only
        assert writing.items.show("1") == shown
    finally:
        writing.close()


def test_show_on_a_missing_database_says_so_and_creates_no_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "workflow", "--db", f"sqlite:///{missing}",
                          "show", "1"], env=env, capture_output=True, text=True, timeout=120,
                         check=False)
    assert run.returncode == 1, run
    assert run.stderr.strip() == f"error: no database at {missing}; create it with `award " \
                                 "init` (or give --db / AWARD_DB)"
    assert not missing.exists()


def test_typers_coercion_is_made_lazy_only_on_a_release_it_was_tested_against(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """On another typer release its own coercion runs unchanged: slower to start, never
    wrong."""
    import typer
    from typer import core

    from workflow.cli import coercion

    assert coercion._known("0.29.2") and not coercion._known("0.30.0")
    assert not coercion._known("") and not coercion._known("1")

    def typers_own(descriptor: object) -> object:
        return descriptor

    monkeypatch.setattr(core, "build_runtime_param", typers_own)
    monkeypatch.setattr(typer, "__version__", "0.30.1")
    coercion.install()
    assert core.build_runtime_param is typers_own
    monkeypatch.setattr(typer, "__version__", "0.29.9")
    coercion.install()
    assert getattr(core.build_runtime_param, "_award_lazy", False)
