"""Database setup: engines for SQLite (embedded default) and PostgreSQL (scale-out).

SQLite runs in WAL mode with ``synchronous=NORMAL`` and a busy timeout; pysqlite's own
transaction handling is switched off so we emit ``BEGIN`` (or ``BEGIN IMMEDIATE`` for sweeps)
ourselves, as SQLAlchemy's documentation recommends. Transient lock failures — SQLite's stale
snapshot on upgrade, PostgreSQL serialization failures and deadlocks — surface as :class:`Busy`
so the service can retry the whole unit of work. Nothing here runs at import time.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflow.errors import StoreUnavailable
from workflow.store.readonly import simple_sqlite_file

if TYPE_CHECKING:  # SQLAlchemy loads where an engine is made (store.readonly reads without)
    from sqlalchemy import Engine

__all__ = ["Busy", "is_busy", "is_missing_schema", "make_engine", "normalise_url",
           "secure_sqlite_files"]

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_POOL = 40  # anyio's default number of worker threads, which serve the sync routes
_SQLITE_BUSY_CODES = {5, 6, 517, 261}  # BUSY, LOCKED, BUSY_SNAPSHOT, BUSY_RECOVERY
_PG_RETRY_STATES = {"40001", "40P01", "55P03"}  # serialization, deadlock, lock not available


class Busy(Exception):
    """A transient concurrency failure: the unit of work may be retried from the start."""


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` as psycopg 3 URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreUnavailable(
            f"database URL {url!r} is not a URL; expected sqlite:///FILE or "
            "postgresql+psycopg://USER@HOST/DB", url=url) from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StoreUnavailable(
            f"database {backend!r} is not supported; use sqlite:///FILE or "
            "postgresql+psycopg://USER@HOST/DB", url=url)
    try:
        if backend == "sqlite":
            # A connection kept per thread that may hold one at once (the web server's pool
            # of worker threads): past pool_size, a connection is opened for one unit of work
            # and closed after it, and a fresh one costs milliseconds (pragmas, the schema
            # read again, a cold page cache) for a read that takes tens of microseconds.
            # (a database in memory has one connection, SQLAlchemy's SingletonThreadPool)
            in_memory = parsed.database in (None, "", ":memory:") or \
                parsed.query.get("mode") == "memory"
            pool = {} if in_memory else {"pool_size": SQLITE_POOL, "max_overflow": 10}
            engine = create_engine(url, connect_args={"check_same_thread": False}, **pool)
            _configure_sqlite(engine)
        else:
            engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    except (NoSuchModuleError, ArgumentError) as exc:
        raise StoreUnavailable(f"cannot use database {url!r}: {exc}", url=url) from None
    return engine


def sqlite_file(url: str) -> Path | None:
    """The file a ``sqlite:///FILE`` URL names (None for PostgreSQL, memory, bad URLs)."""
    simple = simple_sqlite_file(url)
    if simple is not None:
        return simple
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:") \
            or str(parsed.database).startswith("file:"):
        return None
    return Path(str(parsed.database))


def check_connect(engine: Engine) -> None:
    """Open one connection now so a bad URL fails with a clear message, not later."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import DBAPIError, OperationalError

    try:
        with engine.connect() as conn:
            inspect(conn)
    except (OperationalError, DBAPIError) as exc:
        raise StoreUnavailable(
            f"cannot open database {engine.url.render_as_string(hide_password=True)}: "
            f"{_first_line(exc)}", url=str(engine.url)) from None


def secure_sqlite_files(engine: Engine) -> None:
    """Make the SQLite database (and its log files) readable by its owner only: it holds
    password hashes, objectors' contact data and the ballot boxes. A missing file is created
    empty with mode 0600 before SQLite opens it (SQLite gives its log files the same mode)."""
    if engine.dialect.name != "sqlite":
        return
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError as exc:
        raise StoreUnavailable(f"cannot create database file {str(path)!r}: {exc.strerror}",
                               url=str(engine.url)) from None
    for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if each.stat().st_mode & 0o077:
                each.chmod(0o600)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise StoreUnavailable(f"cannot restrict {str(each)!r} to its owner: "
                                   f"{exc.strerror}", url=str(engine.url)) from None


def _configure_sqlite(engine: Engine) -> None:
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        # Checkpoint the WAL every ~40 MB rather than every 4 MB: every transition writes a few
        # index pages, and fewer, larger checkpoints cost less per commit.
        cur.execute("PRAGMA wal_autocheckpoint = 10000")
        cur.execute("PRAGMA foreign_keys = ON")
        # deleted cells are zeroed, not left in free space (ballot boxes are rewritten)
        cur.execute("PRAGMA secure_delete = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        driver = conn.connection.driver_connection
        if driver.in_transaction:
            return  # the store's unit of work already opened it (repository.Store.run)
        immediate = conn.info.get("sqlite_immediate", False)
        driver.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")


def is_busy(exc: BaseException) -> bool:
    """Whether a driver error is a transient lock/serialization failure worth a retry."""
    orig = getattr(exc, "orig", exc)
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", None)
        if code in _SQLITE_BUSY_CODES:
            return True
        return "database is locked" in str(orig)
    sqlstate = getattr(orig, "sqlstate", None)
    return sqlstate in _PG_RETRY_STATES


def is_missing_schema(exc: BaseException) -> bool:
    """Whether a driver error means the award tables do not exist yet."""
    orig = getattr(exc, "orig", exc)
    if isinstance(orig, sqlite3.OperationalError):
        return "no such table" in str(orig)
    return getattr(orig, "sqlstate", None) == "42P01"  # undefined_table


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", exc)
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
