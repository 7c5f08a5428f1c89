"""Wiring: settings from the environment and options → a ready :class:`Service`.

Nothing is built at import time. Entry points call :func:`build_service` with
:class:`Settings` (``AWARD_DB``, ``AWARD_NOW``, ``AWARD_FLOWS``, ``AWARD_AUDIT_KEY``,
``AWARD_CAMPAIGNS``, ``AWARD_HOME``, ``AWARD_SECRET``/``AWARD_KEY_FILE``; command-line
options override them).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from workflow.clock import Clock, clock_from_env
from workflow.definitions import Definitions, load_definitions
from workflow.documents import Renderer
from workflow.errors import StoreUnavailable
from workflow.flow import GuardRegistry, default_guards
from workflow.keys import KeySource
from workflow.pdf import Printer
from workflow.service import Service
from workflow.service.base import Deps
from workflow.store import Chain, Store, make_engine, sqlite_file
from workflow.store.readonly import ReadOnlyEngine, simple_sqlite_file

if TYPE_CHECKING:
    from workflow.mailer import Mailer

__all__ = ["DEFAULT_DB", "Settings", "build_service", "find_home"]

DEFAULT_DB = "sqlite:///award.db"
DEFAULT_CALENDAR = "vn"


def find_home() -> Path:
    """The folder holding ``definitions/`` and ``templates/``.

    ``AWARD_HOME`` wins; else the source checkout the package runs from; else the copy
    shipped inside an installed wheel.
    """
    env = os.environ.get("AWARD_HOME")
    if env:
        return Path(env)
    package = Path(__file__).resolve().parent
    checkout = package.parent
    if (checkout / "definitions" / "catalogue.yaml").is_file():
        return checkout
    return package / "_shipped"


@dataclass
class Settings:
    db_url: str = DEFAULT_DB
    user: str | None = None
    flow_dirs: list[Path] = field(default_factory=list)
    campaign_dirs: list[Path] = field(default_factory=list)
    audit_key: str | None = None
    home: Path = field(default_factory=find_home)
    clock: Clock = field(default_factory=clock_from_env)
    keys: KeySource = field(default_factory=KeySource.from_env)
    #: the email sender, made on first use (a bad AWARD_SMTP_URL fails what sends mail only)
    mail: Callable[[], Mailer | None] = field(
        default_factory=lambda: functools.cache(functools.partial(_mailer, dict(os.environ))))

    def require_database(self) -> None:
        """StoreUnavailable if the database is a SQLite file that does not exist: commands
        that only use a database must not leave an empty file behind (``award init`` and
        ``award demo`` make one)."""
        path = sqlite_file(self.db_url)
        if path is not None and not path.exists():
            raise StoreUnavailable(f"no database at {path}; create it with `award init` (or "
                                   "give --db / AWARD_DB)", msgid="store.missing")

    @classmethod
    def from_env(cls, db: str | None = None, user: str | None = None) -> Settings:
        flows = os.environ.get("AWARD_FLOWS", "")
        campaigns = os.environ.get("AWARD_CAMPAIGNS", "")
        return cls(
            db_url=db or os.environ.get("AWARD_DB") or DEFAULT_DB,
            user=user or os.environ.get("AWARD_USER") or None,
            flow_dirs=[Path(p) for p in flows.split(os.pathsep) if p.strip()],
            campaign_dirs=[Path(p) for p in campaigns.split(os.pathsep) if p.strip()],
            audit_key=os.environ.get("AWARD_AUDIT_KEY") or None,
            home=find_home(),
            clock=clock_from_env(),
            keys=KeySource.from_env(),
            mail=functools.cache(functools.partial(_mailer, dict(os.environ))),
        )


def _mailer(env: dict[str, str]) -> Mailer | None:
    # smtplib, ssl and email cost a command that sends nothing ~35 ms to import
    from workflow.mailer import mailer_from_env

    return mailer_from_env(env)


#: Definitions already read by this process, by what they were read from (see _files_key):
#: a process that builds several services (the demo, a test run) parses the YAML once.
_LOADED: dict[tuple[object, ...], Definitions] = {}
_LOADED_MAX = 16


def _files_key(folders: list[Path]) -> tuple[object, ...]:
    """Every definition file under ``folders`` with its size and modification time: any edit
    of any file gives a new key."""
    out: list[object] = []
    for folder in folders:
        if not folder.exists():
            out.append((str(folder), None))
            continue
        paths = [folder] if folder.is_file() else sorted(folder.rglob("*.y*ml"))
        for path in paths:
            stat = path.stat()
            out.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(out)


def _definitions(settings: Settings, renderer: Renderer, guards: GuardRegistry) -> Definitions:
    home = settings.home / "definitions"
    key = (_files_key([home, *settings.flow_dirs, *settings.campaign_dirs]),
           tuple(str(d) for d in settings.flow_dirs),
           tuple(str(d) for d in settings.campaign_dirs),
           tuple(renderer.names()), tuple(guards.names()))
    loaded = _LOADED.get(key)
    if loaded is None:
        loaded = load_definitions(home, settings.flow_dirs, renderer.exists, guards,
                                  settings.campaign_dirs)
        if len(_LOADED) >= _LOADED_MAX:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = loaded
    return loaded


def build_service(settings: Settings, guards: GuardRegistry | None = None, *,
                  read_only: bool = False, printer: Printer | None = None) -> Service:
    """Everything wired; ``guards`` replaces the default registry (extensions, tests);
    ``printer``: how issued documents get their PDFs (default: as ``AWARD_PDF`` says).

    ``read_only``: the caller only reads. A plain SQLite file is then opened read-only on the
    standard library's driver, without loading SQLAlchemy (:mod:`workflow.store.readonly`);
    a missing file is an error, never created. Other databases are opened as usual."""
    renderer = Renderer(settings.home / "templates")
    guards = guards or default_guards()
    definitions = _definitions(settings, renderer, guards)
    calendar = definitions.calendars.get(DEFAULT_CALENDAR) or next(
        iter(definitions.calendars.values()), None)
    tz = calendar.tz if calendar else ZoneInfo("UTC")
    file = simple_sqlite_file(settings.db_url) if read_only else None
    engine = ReadOnlyEngine(settings.db_url, file) if file is not None else \
        make_engine(settings.db_url)
    store = Store(engine, Chain(settings.audit_key))
    deps = Deps(store=store, definitions=definitions, clock=settings.clock, renderer=renderer,
                guards=guards, display_tz=tz, keys=settings.keys, mail=settings.mail,
                printer=printer or Printer.from_env())
    return Service(deps)
