"""Shared fixtures: a database per test on SQLite and (with AWARD_TEST_PG) on PostgreSQL.

``AWARD_TEST_PG`` is a PostgreSQL URL, or ``1`` for the CI default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``. Each PostgreSQL test gets a schema of its
own (dropped afterwards), selected through the connection's ``search_path``. Without the
variable the PostgreSQL runs are skipped, and the skip says why.
"""

from __future__ import annotations

import functools
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import typer.main
import typer.testing
from typer.testing import CliRunner

from workflow.bootstrap import Settings, build_service
from workflow.cli import app
from workflow.clock import FixedClock, parse_instant
from workflow.service import Service

# Typer rebuilds the whole command tree from the functions' annotations on every invocation
# (about 10 ms); the tests invoke the same app thousands of times, so build it once.
typer.testing._get_command = functools.cache(typer.main.get_command)  # type: ignore[attr-defined]

ROOT = Path(__file__).resolve().parents[1]
DIRECTORY = ROOT / "definitions" / "directory.sample.yaml"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = "2026-02-12T09:00:00+07:00"  # a Thursday just before Tết 2026


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that drive the command line carry the ``cli`` marker, so a quick run can leave
    them (and ``slow`` and ``browser``) out: ``pytest -m "not cli and not slow"``."""
    for item in items:
        if {"cli", "bare_cli", "tcli"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.cli)


@pytest.fixture(scope="session", autouse=True)
def read_definitions_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Definitions read by the tests (and the commands they start) are kept in a folder of
    the run, never in the user's own cache."""
    saved = os.environ.get("AWARD_CACHE_DIR")
    os.environ["AWARD_CACHE_DIR"] = str(tmp_path_factory.mktemp("award-cache"))
    yield
    if saved is None:
        os.environ.pop("AWARD_CACHE_DIR", None)
    else:
        os.environ["AWARD_CACHE_DIR"] = saved


@pytest.fixture(scope="session", autouse=True)
def no_pdf_by_default() -> Iterator[None]:
    """Documents are HTML only unless a test asks for PDFs (``AWARD_PDF=on``, as
    tests/test_documents.py does): laying out a PDF takes a tenth of a second, and thousands
    of tests issue documents they do not open."""
    saved = os.environ.get("AWARD_PDF")
    os.environ["AWARD_PDF"] = "off"
    yield
    if saved is None:
        os.environ.pop("AWARD_PDF", None)
    else:
        os.environ["AWARD_PDF"] = saved


@pytest.fixture(scope="session", autouse=True)
def installation_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One installation key file for the whole run (never the developer's own key), shared
    by in-process services and the servers and commands the tests start."""
    path = tmp_path_factory.mktemp("key") / "secret.key"
    saved = {k: os.environ.get(k) for k in ("AWARD_KEY_FILE", "AWARD_SECRET")}
    os.environ["AWARD_KEY_FILE"] = str(path)
    os.environ.pop("AWARD_SECRET", None)
    yield path
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def pg_base_url() -> str | None:
    value = os.environ.get("AWARD_TEST_PG", "").strip()
    if not value or value.lower() in ("0", "no", "false"):
        return None
    return DEFAULT_PG if value.lower() in ("1", "yes", "true") else value


def _pg_admin(url: str) -> Any:
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(plain, autocommit=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'award.db'}"
        return
    base = pg_base_url()
    if base is None:
        pytest.skip("PostgreSQL run skipped: set AWARD_TEST_PG=1 (or a URL) to run it")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with _pg_admin(base) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with _pg_admin(base) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@dataclass
class Run:
    """One CLI invocation's outcome."""

    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


class Cli:
    """Drives ``award`` in-process with CliRunner, as a user would from a shell."""

    def __init__(self, db: str, now: str = NOW, env: dict[str, str] | None = None) -> None:
        self.db = db
        self.now = now
        self.env = env or {}
        self.runner = CliRunner()

    def __call__(self, *args: str, user: str | None = None, json_out: bool = True,
                 now: str | None = None, env: dict[str, str] | None = None) -> Run:
        argv: list[str] = []
        if json_out:
            argv.append("--json")
        if user:
            argv += ["--as", user]
        argv += list(args)
        environ = {"AWARD_DB": self.db, "AWARD_NOW": now or self.now, "AWARD_USER": "",
                   "AWARD_FLOWS": "", "AWARD_AUDIT_KEY": ""}
        environ.update(self.env)
        environ.update(env or {})
        result = self.runner.invoke(app, argv, env=environ, catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception  # a traceback is a bug: surface it in the test
        return Run(result.exit_code, result.stdout, result.stderr)

    def ok(self, *args: str, **kwargs: Any) -> Any:
        run = self(*args, **kwargs)
        assert run.exit_code == 0, (args, run.exit_code, run.stdout, run.stderr)
        return run.json() if kwargs.get("json_out", True) else run.stdout

    def fails(self, code: int, *args: str, **kwargs: Any) -> dict[str, Any]:
        run = self(*args, **kwargs)
        assert run.exit_code == code, (args, run.exit_code, run.stdout, run.stderr)
        if kwargs.get("json_out", True):
            error: dict[str, Any] = run.json()["error"]
            return error
        return {"stderr": run.stderr}


@pytest.fixture
def cli(db_url: str) -> Cli:
    """A CLI on an initialised database with the sample directory loaded."""
    runner = Cli(db_url)
    runner.ok("init")
    runner.ok("directory", "load", str(DIRECTORY))
    return runner


@pytest.fixture
def bare_cli(db_url: str) -> Cli:
    """A CLI on an empty database (nothing initialised)."""
    return Cli(db_url)


def make_service(db_url: str, now: str = NOW, **settings: Any) -> Service:
    base = Settings.from_env(db=db_url)
    base.clock = FixedClock(parse_instant(now))
    base.flow_dirs = settings.pop("flow_dirs", [])
    base.audit_key = settings.pop("audit_key", None)
    return build_service(base, guards=settings.pop("guards", None))


@pytest.fixture
def service(db_url: str) -> Iterator[Service]:
    """A service on an initialised database with the sample directory loaded."""
    svc = make_service(db_url)
    svc.setup.init()
    svc.setup.load_directory(DIRECTORY)
    yield svc
    svc.deps.store.close()


@pytest.fixture
def dossier(tmp_path: Path) -> Path:
    path = tmp_path / "to-trinh.pdf"
    path.write_bytes("Tờ trình đề nghị khen thưởng\n".encode())
    return path
