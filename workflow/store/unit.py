"""The unit of work: :class:`Store` lends a connection and a transaction, :class:`Tx` is the
transaction's view of the data, one repository per data area.

A ``Tx`` commits once at the end or not at all. Each unit of work borrows a connection from
the pool and gives it back when it ends, so however many threads a web server runs, a burst
waits for a free connection instead of keeping one per thread for ever. A transient lock
failure inside it raises :class:`~workflow.store.db.Busy` so the caller can retry the whole
use case; :meth:`Tx.savepoint` isolates a part of it. Nothing above the store sees SQLAlchemy
or a driver: their failures surface as :func:`database_errors`, ``Busy`` or
:class:`~workflow.errors.StoreUnavailable`.
"""

from __future__ import annotations

import functools
import itertools
import logging
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from workflow.errors import InvalidInput, StoreUnavailable
from workflow.store.accounts import AccountRepo
from workflow.store.audit import AuditRepo, Chain
from workflow.store.ballots import BallotRepo
from workflow.store.campaigns import CampaignRepo
from workflow.store.confirmations import ConfirmationRepo
from workflow.store.db import (
    SQLITE_BUSY_TIMEOUT_MS,
    Busy,
    check_connect,
    is_busy,
    is_missing_schema,
    secure_sqlite_files,
    sqlite_file,
)
from workflow.store.decisions import DecisionRepo
from workflow.store.directory import DirectoryRepo
from workflow.store.documents import DocumentRepo
from workflow.store.grants import GrantRepo
from workflow.store.issued import IssuedRepo
from workflow.store.items import ItemRepo
from workflow.store.meta import FlowVersionRepo, MetaRepo
from workflow.store.notices import NoticeRepo
from workflow.store.objections import ObjectionRepo
from workflow.store.outbox import OutboxRepo
from workflow.store.raw import Raw, TransactionLost
from workflow.store.readonly import ReadOnlyEngine
from workflow.store.reports import ReportRepo
from workflow.store.sessions import SessionRepo
from workflow.store.timers import TimerRepo

if TYPE_CHECKING:  # SQLAlchemy is loaded by make_engine, never by a read-only store
    from sqlalchemy import Engine
    from sqlalchemy.pool import PoolProxiedConnection

    from workflow.store.readonly import ReadOnlyConnection

__all__ = ["Store", "Tx", "database_errors"]

SCRUB_WAIT_MS = 200  # how long each try at emptying the log after a round waits for readers
SCRUB_ATTEMPTS = 3
_ERRORS: tuple[type[BaseException], ...] = (sqlite3.Error, TransactionLost)


def database_errors() -> tuple[type[BaseException], ...]:
    """What a database failure looks like from above the store, whichever layer raised it:
    the unit of work is lost and is retried (or reported) as a whole. SQLAlchemy's and
    psycopg's errors count once they are loaded (a process that never opens PostgreSQL never
    imports psycopg, one that only reads SQLite not SQLAlchemy, and neither meets them)."""
    out = _ERRORS
    sqlalchemy = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy is not None:
        out = (*out, sqlalchemy.DBAPIError)
    psycopg = sys.modules.get("psycopg")
    return out if psycopg is None else (*out, psycopg.Error)


def _connect_errors() -> tuple[type[BaseException], ...]:
    """SQLAlchemy's errors for a connection that cannot be had (none when it is not loaded:
    a read-only store raises StoreUnavailable itself)."""
    sqlalchemy = sys.modules.get("sqlalchemy.exc")
    return () if sqlalchemy is None else (sqlalchemy.OperationalError, sqlalchemy.DBAPIError)


def _pool_timeout() -> tuple[type[BaseException], ...]:
    sqlalchemy = sys.modules.get("sqlalchemy.exc")
    return () if sqlalchemy is None else (sqlalchemy.TimeoutError,)


def __getattr__(name: str) -> Any:
    # ``DATABASE_ERRORS`` as a constant, for callers that want one: it loads psycopg
    if name == "DATABASE_ERRORS":
        import psycopg  # noqa: F401

        return database_errors()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


T = TypeVar("T")
log = logging.getLogger("workflow.store")


class Tx:
    """A transaction's view of the store: one repository per data area."""

    def __init__(self, conn: PoolProxiedConnection | ReadOnlyConnection, chain: Chain,
                 dialect: str, database: Path | None = None) -> None:
        self.dialect = dialect
        self.raw = Raw(conn, dialect)
        self.audit = AuditRepo(self.raw, chain, database)
        self._savepoints = itertools.count(1)
        #: what the unit of work did, for observers once it has committed (never before)
        self.events: list[tuple[str, dict[str, Any]]] = []

    @functools.cached_property
    def meta(self) -> MetaRepo:
        return MetaRepo(self.raw)

    @functools.cached_property
    def flows(self) -> FlowVersionRepo:
        return FlowVersionRepo(self.raw)

    @functools.cached_property
    def directory(self) -> DirectoryRepo:
        return DirectoryRepo(self.raw, self.meta)

    @functools.cached_property
    def accounts(self) -> AccountRepo:
        return AccountRepo(self.raw)

    @functools.cached_property
    def items(self) -> ItemRepo:
        return ItemRepo(self.raw)

    @functools.cached_property
    def documents(self) -> DocumentRepo:
        return DocumentRepo(self.raw)

    @functools.cached_property
    def issued(self) -> IssuedRepo:
        return IssuedRepo(self.raw)

    @functools.cached_property
    def timers(self) -> TimerRepo:
        return TimerRepo(self.raw)

    @functools.cached_property
    def objections(self) -> ObjectionRepo:
        return ObjectionRepo(self.raw)

    @functools.cached_property
    def confirmations(self) -> ConfirmationRepo:
        return ConfirmationRepo(self.raw)

    @functools.cached_property
    def notices(self) -> NoticeRepo:
        return NoticeRepo(self.raw)

    @functools.cached_property
    def outbox(self) -> OutboxRepo:
        return OutboxRepo(self.raw)

    @functools.cached_property
    def ballots(self) -> BallotRepo:
        return BallotRepo(self.raw)

    @functools.cached_property
    def sessions(self) -> SessionRepo:
        return SessionRepo(self.raw)

    @functools.cached_property
    def decisions(self) -> DecisionRepo:
        return DecisionRepo(self.raw)

    @functools.cached_property
    def grants(self) -> GrantRepo:
        return GrantRepo(self.raw)

    @functools.cached_property
    def campaigns(self) -> CampaignRepo:
        return CampaignRepo(self.raw)

    @functools.cached_property
    def reports(self) -> ReportRepo:
        return ReportRepo(self.raw)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A part of the unit of work that is undone alone if it raises (the error still
        propagates). A database failure inside it is not the part's fault: it propagates
        as one of :func:`database_errors` and the whole unit of work is lost."""
        name = f"sp_{next(self._savepoints)}"
        head = self.audit.snapshot()
        done = len(self.events)
        self.raw.execute(f"SAVEPOINT {name}")
        try:
            yield
        except database_errors():
            raise
        except BaseException:
            self.raw.execute(f"ROLLBACK TO SAVEPOINT {name}")
            self.audit.restore(head)  # the appends it undid no longer head the chain
            del self.events[done:]  # nor did what it undid happen
            raise
        self.raw.execute(f"RELEASE SAVEPOINT {name}")


class Store:
    """The engine and its connection pool; builds :class:`Tx` units of work."""

    def __init__(self, engine: Engine | ReadOnlyEngine, chain: Chain) -> None:
        self.engine = engine
        self.chain = chain
        self.dialect = engine.dialect.name
        #: opened read-only without SQLAlchemy (commands that only read; store.readonly)
        self.read_only = isinstance(engine, ReadOnlyEngine)
        file = engine.path if isinstance(engine, ReadOnlyEngine) else \
            sqlite_file(engine.url.render_as_string(hide_password=False))
        #: the SQLite file (None on PostgreSQL and in memory), read by verifying workers
        self.database = file.resolve() if file is not None else None

    @property
    def url(self) -> str:
        """The database URL without its password."""
        return self.engine.url.render_as_string(hide_password=True)

    def _engine(self) -> Engine:
        """SQLAlchemy's engine, for what only it does (schema, backups, checks)."""
        if isinstance(self.engine, ReadOnlyEngine):
            raise StoreUnavailable(f"database {self.url} is open read-only here")
        return self.engine

    @contextmanager
    def _borrow(self) -> Iterator[PoolProxiedConnection | ReadOnlyConnection]:
        """A DB-API connection from the pool (its proxy; closing it gives it back). Units of
        work run on the driver itself, so SQLAlchemy's ``Connection`` — its event dispatch
        and bookkeeping cost a fifth of a transition on SQLite — is not built for them."""
        try:
            conn = self.engine.raw_connection()
        except _connect_errors() as exc:
            raise StoreUnavailable(
                f"cannot open database {self.url}: "
                f"{str(getattr(exc, 'orig', exc)).strip().splitlines()[0]}") from None
        except _pool_timeout():
            raise StoreUnavailable("the database is busy: every connection is in use; "
                                   "try again in a moment", msgid="store.busy") from None
        try:
            yield conn
        finally:
            conn.close()  # back to the pool (a connection that broke is discarded)

    def run(self, work: Callable[[Tx], T], *, immediate: bool = False) -> T:
        """Run ``work`` as one unit of work: commit when it returns, roll back if it raises.

        ``immediate`` takes SQLite's write lock up front (sweeps). Transient lock failures
        raise :class:`Busy`; the caller decides whether to retry.
        """
        with self.transaction(immediate=immediate) as tx:
            return work(tx)

    @contextmanager
    def transaction(self, *, immediate: bool = False) -> Iterator[Tx]:
        """:meth:`run` as a context manager."""
        with self._borrow() as conn:
            try:
                driver = self._begin(conn, immediate)
                tx = Tx(conn, self.chain, self.dialect, self.database)
                try:
                    yield tx
                    driver.commit()
                except BaseException:
                    _rollback(conn, driver)
                    raise
                if any(repo is not None and repo.closed_a_round for repo in (
                        tx.__dict__.get("ballots"), tx.__dict__.get("campaigns"))):
                    self.scrub_log(conn)
            except TransactionLost as exc:
                raise StoreUnavailable(str(exc)) from None
            except database_errors() as exc:
                raise self._translate(exc, conn) from exc

    def _begin(self, conn: PoolProxiedConnection | ReadOnlyConnection, immediate: bool) -> Any:
        """Open the transaction on the driver connection and return that connection."""
        driver = conn.driver_connection
        if self.dialect == "sqlite":
            assert driver is not None
            driver.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        # PostgreSQL: psycopg opens the transaction with the first statement
        return driver

    def _translate(self, exc: BaseException,
                   conn: PoolProxiedConnection | ReadOnlyConnection) -> BaseException:
        if is_busy(exc):
            return Busy(str(exc))
        if is_missing_schema(exc):
            return StoreUnavailable(
                f"database {self.url} has no award schema yet; run `award init`")
        if not conn.is_valid or getattr(conn.driver_connection, "closed", False):
            return StoreUnavailable(f"lost the database connection: {getattr(exc, 'orig', exc)}")
        return exc

    def scrub_log(self, conn: PoolProxiedConnection | ReadOnlyConnection | None = None
                  ) -> bool:
        """Fold SQLite's write-ahead log into the database and empty it, so no earlier page
        images stay on disk (with ``secure_delete`` the freed cells are zeroed too).

        Hygiene, not the secrecy of the ballot itself (ballots are sealed, see
        :mod:`workflow.store.ballots`). A reader holding an old snapshot keeps the log from
        being emptied; the scrub tries a few times, briefly (a long reader must not stall the
        writers queued behind it), then says so in the log and leaves the rest to the next
        close. PostgreSQL's own log is the server's."""
        if self.dialect != "sqlite":
            return True
        if conn is None:
            with self._borrow() as own:
                return self.scrub_log(own)
        driver = conn.driver_connection
        assert driver is not None
        driver.execute(f"PRAGMA busy_timeout = {SCRUB_WAIT_MS}")
        try:
            for _attempt in range(SCRUB_ATTEMPTS):
                busy, frames, _done = driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if not busy:
                    return True
        finally:
            driver.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        log.warning("the write-ahead log still holds %s pages after a ballot round closed: "
                    "another connection is reading; the ballots in it are sealed, and the "
                    "next close empties it", frames)
        return False

    def close(self) -> None:
        """Close the pool's connections (units of work in flight keep theirs until they end)."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def check(self) -> None:
        check_connect(self._engine())

    def create_schema(self) -> tuple[str | None, str | None]:
        """Bring the schema to the newest revision (idempotent): ``(before, after)``."""
        from sqlalchemy.exc import DBAPIError, OperationalError

        from workflow.store import migrate  # alembic: only commands that upgrade load it

        engine = self._engine()
        secure_sqlite_files(engine)
        try:
            return migrate.upgrade(engine)
        except (OperationalError, DBAPIError) as exc:
            raise StoreUnavailable(
                f"cannot upgrade {self.url}: "
                f"{str(getattr(exc, 'orig', exc)).strip().splitlines()[0]}") from None

    def revision(self) -> tuple[str | None, str]:
        """``(the database's revision, the newest this release ships)``."""
        from sqlalchemy.exc import DBAPIError, OperationalError

        from workflow.store import migrate

        engine = self._engine()
        try:
            return migrate.current(engine), migrate.head()
        except (OperationalError, DBAPIError) as exc:
            raise StoreUnavailable(
                f"cannot read {self.url}: "
                f"{str(getattr(exc, 'orig', exc)).strip().splitlines()[0]}") from None

    def backup(self, target: Path) -> int:
        """Copy a SQLite database, live, into ``target`` (created 0600) with SQLite's online
        backup: a consistent copy whatever is being written meanwhile. Bytes written."""
        if self.dialect != "sqlite":
            raise StoreUnavailable("award backup copies SQLite databases; for PostgreSQL use "
                                   "pg_dump (see README, \"Run it for a province\")")
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise InvalidInput(f"{str(target)!r} exists; a backup never overwrites a file",
                               file=str(target)) from None
        except OSError as exc:
            raise InvalidInput(f"cannot write {str(target)!r}: {exc.strerror}",
                               file=str(target)) from None
        os.close(fd)
        copy = sqlite3.connect(target)
        try:
            with self._borrow() as conn:
                source = conn.driver_connection
                assert source is not None
                source.backup(copy)
        finally:
            copy.close()
        return target.stat().st_size

    def copy_to(self, target: Store) -> None:
        """Copy this SQLite database into another SQLite store (a rehearsal's fresh in-memory
        database made from a template that already has the schema)."""
        if self.dialect != "sqlite" or target.dialect != "sqlite":
            raise StoreUnavailable("only a SQLite database is copied into another")
        with self._borrow() as conn, target._borrow() as other:
            source = conn.driver_connection
            copy = other.driver_connection
            assert source is not None and copy is not None
            source.backup(copy)

    def schema_ready(self) -> bool:
        engine = self._engine()
        with engine.connect() as conn, conn.begin():
            return "nomination" in set(engine.dialect.get_table_names(conn))


def _rollback(conn: PoolProxiedConnection | ReadOnlyConnection, driver: Any) -> None:
    """Roll back whatever is open, best effort: the original error is what matters."""
    try:
        driver.rollback()
    except Exception:  # a dead connection cannot roll back; it is discarded
        conn.invalidate()
