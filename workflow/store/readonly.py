"""A SQLite database opened read-only on the standard library's driver, for the commands that
only read (``award show``, ``list``, ``audit verify``, ``audit log``).

A unit of work runs on the driver connection itself (see :mod:`workflow.store.unit`); what it
needs of SQLAlchemy's engine is a connection, the dialect's name and the URL. Importing
SQLAlchemy costs a command more than the rest of its start together, so a command that only
reads gets :class:`ReadOnlyEngine` instead: one connection, opened with ``mode=ro`` (and
``query_only``), so a write — which such a command never makes — fails instead of happening.
Schema changes, backups and everything else that needs SQLAlchemy's engine say so.

Only plain ``sqlite:///FILE`` URLs take this path (:func:`simple_sqlite_file`); anything
else, and PostgreSQL, goes through :func:`~workflow.store.db.make_engine` as every other
command does.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from workflow.errors import StoreUnavailable

__all__ = ["ReadOnlyConnection", "ReadOnlyEngine", "simple_sqlite_file"]

BUSY_TIMEOUT_MS = 10_000  # as workflow.store.db.SQLITE_BUSY_TIMEOUT_MS (not imported: SQLAlchemy)

# ``sqlite:///FILE`` (or ``sqlite+pysqlite``) with nothing SQLAlchemy's URL parser would
# decode or treat apart: no query, no percent escapes, not in memory, not a ``file:`` URI
_SIMPLE = re.compile(r"sqlite(?:\+pysqlite)?:///(?!file:)(?!:memory:$)([^?%]+)")


def simple_sqlite_file(url: str) -> Path | None:
    """The file of a plain ``sqlite:///FILE`` URL, read without SQLAlchemy (the same file its
    URL parser gives); None for any other URL."""
    match = _SIMPLE.fullmatch(url)
    return Path(match.group(1)) if match else None


class _Dialect:
    name = "sqlite"


class _Url:
    def __init__(self, text: str, database: str) -> None:
        self._text = text
        self.database = database

    def render_as_string(self, hide_password: bool = True) -> str:
        return self._text  # a SQLite URL holds no password


class ReadOnlyConnection:
    """What the unit of work uses of a pooled connection's proxy: the driver connection;
    ``close`` gives it back (it stays open for the process's next unit of work)."""

    def __init__(self, driver: sqlite3.Connection) -> None:
        self.driver_connection = driver
        self.dbapi_connection = driver
        self.is_valid = True

    def close(self) -> None:
        """Back to the engine, open (one connection per process)."""

    def invalidate(self) -> None:
        self.is_valid = False
        self.driver_connection.close()


class ReadOnlyEngine:
    """One read-only connection to a SQLite file, lent to one unit of work at a time."""

    dialect = _Dialect()

    def __init__(self, url: str, path: Path) -> None:
        self.url = _Url(url, str(path))
        self.path = path
        self._conn: ReadOnlyConnection | None = None

    def raw_connection(self) -> ReadOnlyConnection:
        if self._conn is not None and self._conn.is_valid:
            return self._conn
        if not self.path.is_file():
            raise StoreUnavailable(f"no database at {self.path}; create it with `award init` "
                                   "(or give --db / AWARD_DB)", msgid="store.missing")
        try:
            driver = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                     isolation_level=None, check_same_thread=False)
            driver.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            driver.execute("PRAGMA query_only = ON")
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open database {self.url.render_as_string()}: "
                                   f"{str(exc).strip() or type(exc).__name__}") from None
        self._conn = ReadOnlyConnection(driver)
        return self._conn

    def dispose(self) -> None:
        if self._conn is not None and self._conn.is_valid:
            self._conn.driver_connection.close()
        self._conn = None
