"""The store's unit of work: one connection, one transaction, typed reads and writes.

:class:`Store` owns the engine and hands out :class:`Tx` objects, one per use case. A
``Tx`` commits once at the end or not at all; a transient lock failure inside it raises
:class:`~workflow.store.db.Busy` so the caller can retry the whole use case. Each unit of
work borrows a connection from the pool and returns it when it ends.
"""

from __future__ import annotations

import functools
import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import psycopg
from sqlalchemy import Connection, Engine, Table, and_, delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from workflow.catalogue import HistoryEntry
from workflow.directory import DirectoryData, UnitEntry
from workflow.errors import Conflict, StoreUnavailable
from workflow.store import tables
from workflow.store.audit import AuditWriter, Chain
from workflow.store.ballots import BallotRepo
from workflow.store.db import (
    SQLITE_BUSY_TIMEOUT_MS,
    Busy,
    check_connect,
    is_busy,
    is_missing_schema,
    secure_sqlite_files,
)
from workflow.store.notices import NoticeRepo, OutboxRepo
from workflow.store.raw import Raw, TransactionLost

__all__ = ["DocumentRow", "NominationRow", "Store", "Tx", "from_db", "to_db"]

SCRUB_WAIT_MS = 200  # how long each try at emptying the log after a round waits for readers
SCRUB_ATTEMPTS = 3
log = logging.getLogger("workflow.store")

SCHEMA_VERSION = "1"
# SQLAlchemy wraps driver errors; the driver-level hot path (raw.py) raises them bare.
DRIVER_ERRORS = (DBAPIError, sqlite3.Error, psycopg.Error)
T = TypeVar("T")


def _t(name: str) -> Table:
    return tables.metadata.tables[name]


NOM = _t("nomination")
AUDIT = _t("audit_entry")
UNIT = _t("unit")
PERSON = _t("person")
GRANT = _t("role_grant")
PRIOR = _t("prior_award")
FLOWV = _t("flow_version")
DOC = _t("document")
RENDERED = _t("rendered_document")
META = _t("meta")
TIMER = _t("timer")
OBJECTION = _t("objection")


def to_db(instant: datetime | None) -> datetime | None:
    """Every DateTime column takes aware datetimes and stores UTC (SQLModel's UTCDateTime)."""
    if instant is None:
        return None
    return instant.astimezone(UTC)


def from_db(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass
class NominationRow:
    id: int
    flow_id: str
    flow_version: str
    state: str
    version: int
    unit_id: str
    nominee: str
    person_login: str | None
    fields: dict[str, Any]
    created_at: datetime
    created_by: str
    entered_at: datetime
    entry_no: int
    due_at: datetime | None
    final: bool
    outcome: str | None
    hold_data: dict[str, Any] | None
    # What the store holds for the mutable columns, so a save writes only what changed
    # (SQLite rewrites an index whenever its column is SET, even to the same value).
    stored: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def snapshot(self) -> None:
        self.stored = {name: getattr(self, name) for name in MUTABLE_COLUMNS}
        self.stored["fields"] = dict(self.fields)
        self.stored["hold_data"] = _dumps(self.hold_data) if self.hold_data is not None else None

    def changes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in MUTABLE_COLUMNS:
            value = getattr(self, name)
            if name == "hold_data":
                value = _dumps(value) if value is not None else None
            if value != self.stored.get(name, _MISSING):
                out[name] = value
        return out

    @classmethod
    def from_tuple(cls, row: tuple[Any, ...]) -> NominationRow:
        """From a row selected as :data:`NOMINATION_COLUMNS`."""
        (id_, flow_id, flow_version, state, version, unit_id, nominee, person_login, fields,
         created_at, created_by, entered_at, entry_no, due_at, final, outcome, hold_data) = row
        item = cls(
            id=id_,
            flow_id=flow_id,
            flow_version=flow_version,
            state=state,
            version=version,
            unit_id=unit_id,
            nominee=nominee,
            person_login=person_login,
            fields=json.loads(fields),
            created_at=Raw.time_in(created_at),  # type: ignore[arg-type]
            created_by=created_by,
            entered_at=Raw.time_in(entered_at),  # type: ignore[arg-type]
            entry_no=entry_no,
            due_at=Raw.time_in(due_at),
            final=bool(final),
            outcome=outcome,
            hold_data=json.loads(hold_data) if hold_data else None,
        )
        item.snapshot()
        return item


MUTABLE_COLUMNS = ("state", "fields", "entered_at", "entry_no", "due_at", "final", "outcome",
                   "hold_data")
_MISSING = object()
NOMINATION_COLUMNS = (
    "id, flow_id, flow_version, state, version, unit_id, nominee, person_login, fields, "
    "created_at, created_by, entered_at, entry_no, due_at, final, outcome, hold_data"
)


@dataclass(frozen=True)
class DocumentRow:
    id: int
    doctype: str
    filename: str
    sha256: str
    size: int
    attached_at: datetime
    attached_by: str


class Store:
    """The engine and its connection pool; builds :class:`Tx` units of work.

    Each unit of work borrows a connection from the pool and gives it back when it ends, so
    however many threads a web server runs, a burst waits for a free connection instead of
    keeping one per thread for ever (which exhausted the pool and failed every later request).
    """

    def __init__(self, engine: Engine, chain: Chain) -> None:
        self.engine = engine
        self.chain = chain
        self.dialect = engine.dialect.name

    @contextmanager
    def _borrow(self) -> Iterator[Connection]:
        try:
            conn = self.engine.connect()
        except (OperationalError, DBAPIError) as exc:
            raise StoreUnavailable(
                f"cannot open database "
                f"{self.engine.url.render_as_string(hide_password=True)}: "
                f"{str(getattr(exc, 'orig', exc)).strip().splitlines()[0]}",
            ) from None
        except PoolTimeout:
            raise StoreUnavailable("the database is busy: every connection is in use; "
                                   "try again in a moment") from None
        try:
            yield conn
        finally:
            conn.close()  # back to the pool (a connection that broke is discarded)

    def _after_commit(self, tx: Tx, conn: Connection) -> None:
        ballots = tx.__dict__.get("ballots")  # only if the unit of work touched ballots
        if ballots is not None and ballots.closed_a_round:
            self.scrub_log(conn)

    def scrub_log(self, conn: Connection | None = None) -> bool:
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
        driver = conn.connection.driver_connection
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

    def check(self) -> None:
        check_connect(self.engine)

    def run(self, work: Callable[[Tx], T], *, immediate: bool = False) -> T:
        """Run ``work`` as one unit of work: commit when it returns, roll back if it raises.

        ``immediate`` takes SQLite's write lock up front (sweeps). Transient lock failures
        raise :class:`Busy`; the caller decides whether to retry.
        """
        with self._borrow() as conn:
            try:
                driver = self._begin(conn, immediate)
                tx = Tx(conn, self.chain, self.dialect)
                try:
                    result = work(tx)
                    _commit(conn, driver)
                except BaseException:
                    _rollback(conn, driver)
                    raise
                self._after_commit(tx, conn)
                return result
            except DRIVER_ERRORS as exc:
                raise self._translate(exc, conn) from exc
            except TransactionLost as exc:
                raise StoreUnavailable(str(exc)) from None

    @contextmanager
    def transaction(self, *, immediate: bool = False) -> Iterator[Tx]:
        """:meth:`run` as a context manager (for scripts and tests)."""
        with self._borrow() as conn:
            try:
                driver = self._begin(conn, immediate)
                tx = Tx(conn, self.chain, self.dialect)
                try:
                    yield tx
                    _commit(conn, driver)
                except BaseException:
                    _rollback(conn, driver)
                    raise
                self._after_commit(tx, conn)
            except DRIVER_ERRORS as exc:
                raise self._translate(exc, conn) from exc

    def _begin(self, conn: Connection, immediate: bool) -> Any:
        """Open the transaction on the driver connection and return that connection.

        SQLAlchemy's own bookkeeping costs as much as a whole transition on SQLite; if a Core
        statement makes SQLAlchemy begin too, it joins this very database transaction (see
        the BEGIN listener in db.py) and its commit ends it.
        """
        driver = conn.connection.driver_connection
        if self.dialect == "sqlite":
            conn.info["sqlite_immediate"] = immediate
            assert driver is not None
            driver.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        # PostgreSQL: psycopg opens the transaction with the first statement
        return driver

    def _translate(self, exc: Exception, conn: Connection) -> Exception:
        if is_busy(exc):
            return Busy(str(exc))
        if is_missing_schema(exc):
            return StoreUnavailable(
                f"database {self.engine.url.render_as_string(hide_password=True)} has no "
                "award schema yet; run `award init`")
        if conn.invalidated:
            return StoreUnavailable(f"lost the database connection: {getattr(exc, 'orig', exc)}")
        return exc

    def create_schema(self) -> bool:
        """Create missing tables (idempotent); ``True`` if anything was created."""
        secure_sqlite_files(self.engine)
        with self._borrow() as conn, conn.begin():
            before = set(self.engine.dialect.get_table_names(conn))
            tables.metadata.create_all(conn)
            if conn.execute(select(META.c.value).where(META.c.key == "schema")).first() is None:
                conn.execute(insert(META).values(key="schema", value=SCHEMA_VERSION))
                conn.execute(insert(META).values(key="directory_generation", value="0"))
            # earlier releases kept the session-signing key here, where anyone who could read
            # the database could forge a session; the key now lives outside it (workflow.keys)
            conn.execute(delete(META).where(META.c.key == "web_secret"))
        return not set(tables.metadata.tables) <= before

    def schema_ready(self) -> bool:
        with self._borrow() as conn, conn.begin():
            return "nomination" in set(self.engine.dialect.get_table_names(conn))


def _commit(conn: Connection, driver: Any) -> None:
    if conn.in_transaction():
        conn.commit()
    else:
        driver.commit()


def _rollback(conn: Connection, driver: Any) -> None:
    """Roll back whatever is open, best effort: the original error is what matters."""
    try:
        if conn.in_transaction():
            conn.rollback()
        else:
            driver.rollback()
    except Exception:  # a dead connection cannot roll back; it is discarded
        conn.invalidate()


class Tx:
    """A transaction's view of the store. Methods are small and named after what they do."""

    def __init__(self, conn: Connection, chain: Chain, dialect: str) -> None:
        self.conn = conn
        self.dialect = dialect
        self.raw = Raw(conn, dialect)
        self.audit = AuditWriter(self.raw, chain)

    @functools.cached_property
    def ballots(self) -> BallotRepo:
        return BallotRepo(self.raw)

    @functools.cached_property
    def notices(self) -> NoticeRepo:
        return NoticeRepo(self.raw)

    @functools.cached_property
    def outbox(self) -> OutboxRepo:
        return OutboxRepo(self.raw)

    # ---- meta and directory --------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.raw.one("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        # one statement, so two first writers of a key cannot both insert it
        self.raw.run("INSERT INTO meta (key, value) VALUES (?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    def directory_generation(self) -> int:
        return int(self.meta("directory_generation") or 0)

    def units(self) -> list[UnitEntry]:
        rows = self.conn.execute(select(UNIT.c.id, UNIT.c.name, UNIT.c.level, UNIT.c.parent_id))
        return [UnitEntry(r.id, r.name, r.level, r.parent_id) for r in rows]

    def has_role(self, login: str, role: str, unit_id: str) -> bool:
        return self.raw.one(
            "SELECT 1 FROM role_grant WHERE login = ? AND role = ? AND unit_id = ?",
            (login, role, unit_id)) is not None

    def holders(self, role: str, unit_id: str) -> list[str]:
        rows = self.conn.execute(
            select(GRANT.c.login)
            .where(GRANT.c.role == role, GRANT.c.unit_id == unit_id)
            .order_by(GRANT.c.login)
        )
        return [r[0] for r in rows]

    def roles_of(self, login: str) -> list[tuple[str, str]]:
        rows = self.conn.execute(
            select(GRANT.c.role, GRANT.c.unit_id)
            .where(GRANT.c.login == login)
            .order_by(GRANT.c.unit_id, GRANT.c.role)
        )
        return [(r[0], r[1]) for r in rows]

    def person(self, login: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(PERSON).where(PERSON.c.login == login)).first()
        return dict(row._mapping) if row else None

    def logins(self) -> list[str]:
        return [r[0] for r in self.raw.all("SELECT login FROM person")]

    def people_names(self, logins: Iterable[str]) -> dict[str, str]:
        wanted = list(set(logins))
        if not wanted:
            return {}
        rows = self.conn.execute(
            select(PERSON.c.login, PERSON.c.name).where(PERSON.c.login.in_(wanted))
        )
        return {r[0]: r[1] for r in rows}

    def entered_by(self, nomination_id: int, state: str) -> str | None:
        """Who moved the item into ``state`` most recently (from its audit entries); a return
        from a hold is not a move someone decided, so it does not count."""
        row = self.raw.one(
            "SELECT actor FROM audit_entry WHERE nomination = ? AND to_state = ? "
            "AND (from_state IS NULL OR from_state <> to_state) AND action <> 'resumed' "
            "ORDER BY seq DESC LIMIT 1",
            (str(nomination_id), state))
        return None if row is None else str(row[0])

    def apply_directory(self, data: DirectoryData) -> dict[str, int]:
        """Upsert units, people, grants and prior awards; return what changed."""
        counts = {"units": 0, "people": 0, "roles": 0, "awards": 0}
        for unit in data.units:
            current = self.conn.execute(select(UNIT).where(UNIT.c.id == unit.id)).first()
            values = {"name": unit.name, "level": unit.level, "parent_id": unit.parent}
            if current is None:
                self.conn.execute(insert(UNIT).values(id=unit.id, **values))
                counts["units"] += 1
            elif (current.name, current.level, current.parent_id) != tuple(values.values()):
                self.conn.execute(update(UNIT).where(UNIT.c.id == unit.id).values(**values))
                counts["units"] += 1
        for person in data.people:
            current = self.conn.execute(
                select(PERSON).where(PERSON.c.login == person.login)).first()
            if current is None:
                self.conn.execute(insert(PERSON).values(
                    login=person.login, name=person.name, email=person.email))
                counts["people"] += 1
            elif (current.name, current.email) != (person.name, person.email):
                self.conn.execute(update(PERSON).where(PERSON.c.login == person.login).values(
                    name=person.name, email=person.email))
                counts["people"] += 1
            for role, unit_id in person.roles:
                if not self.has_role(person.login, role, unit_id):
                    self.conn.execute(insert(GRANT).values(
                        login=person.login, role=role, unit_id=unit_id))
                    counts["roles"] += 1
        for award in data.awards:
            exists = self.conn.execute(select(PRIOR.c.id).where(
                PRIOR.c.login == award.person, PRIOR.c.award == award.award,
                PRIOR.c.year == award.year, PRIOR.c.source == "imported")).first()
            if exists is None:
                self.conn.execute(insert(PRIOR).values(
                    login=award.person, award=award.award, year=award.year, ad_hoc=False,
                    source="imported"))
                counts["awards"] += 1
        if any(counts.values()):
            self.set_meta("directory_generation", str(self.directory_generation() + 1))
        return counts

    def history(self, login: str) -> list[HistoryEntry]:
        rows = self.conn.execute(
            select(PRIOR.c.award, PRIOR.c.year, PRIOR.c.ad_hoc, PRIOR.c.source)
            .where(PRIOR.c.login == login)
            .order_by(PRIOR.c.year, PRIOR.c.award)
        )
        return [HistoryEntry(r[0], r[1], bool(r[2]), r[3]) for r in rows]

    def grant_award(self, login: str, award: str, year: int, ad_hoc: bool,
                    nomination_id: int) -> bool:
        exists = self.conn.execute(select(PRIOR.c.id).where(
            PRIOR.c.login == login, PRIOR.c.award == award, PRIOR.c.year == year,
            PRIOR.c.source == "granted")).first()
        if exists is not None:
            return False
        self.conn.execute(insert(PRIOR).values(
            login=login, award=award, year=year, ad_hoc=ad_hoc, source="granted",
            nomination_id=nomination_id))
        return True

    # ---- flow versions -------------------------------------------------------------------

    def keep_flow_version(self, version: str, flow_id: str, path: str, source: str,
                          now: datetime) -> None:
        exists = self.conn.execute(
            select(FLOWV.c.version).where(FLOWV.c.version == version)).first()
        if exists is None:
            self.conn.execute(insert(FLOWV).values(
                version=version, flow_id=flow_id, path=path, source=source, stored_at=to_db(now)))

    def flow_stored(self, flow_id: str) -> bool:
        """Whether any version of ``flow_id`` was ever used here (its file may be gone)."""
        return self.raw.one("SELECT 1 FROM flow_version WHERE flow_id = ? LIMIT 1",
                            (flow_id,)) is not None

    def flow_version(self, version: str) -> tuple[str, str, str] | None:
        """``(flow_id, path, source)`` of a stored version."""
        row = self.conn.execute(select(FLOWV.c.flow_id, FLOWV.c.path, FLOWV.c.source).where(
            FLOWV.c.version == version)).first()
        return (row[0], row[1], row[2]) if row else None

    # ---- nominations ---------------------------------------------------------------------

    def insert_nomination(self, **values: Any) -> int:
        values = dict(values)
        values["fields"] = _dumps(values["fields"])
        for key in ("created_at", "entered_at", "due_at"):
            values[key] = to_db(values.get(key))
        result = self.conn.execute(insert(NOM).values(**values).returning(NOM.c.id))
        return int(result.scalar_one())

    def nomination(self, nomination_id: int, *, lock: bool = False) -> NominationRow | None:
        sql = f"SELECT {NOMINATION_COLUMNS} FROM nomination WHERE id = ?"
        if lock and self.dialect == "postgresql":
            sql += " FOR UPDATE"
        row = self.raw.one(sql, (nomination_id,))
        return NominationRow.from_tuple(row) if row else None

    def save_nomination(self, row: NominationRow, expected_version: int) -> None:
        """Write what changed if nobody changed the row since ``expected_version``; else
        :class:`Conflict`. Always bumps the version (so touching an item is a change)."""
        raw = self.raw
        sets = ["version = ?"]
        params: list[Any] = [expected_version + 1]
        for name, value in row.changes().items():
            sets.append(f"{name} = ?")
            if name in ("entered_at", "due_at"):
                params.append(raw.time_out(value))
            elif name == "fields":
                params.append(_dumps(value))
            else:
                params.append(value)
        params += [row.id, expected_version]
        count = raw.run(f"UPDATE nomination SET {', '.join(sets)} WHERE id = ? AND version = ?",
                        params)
        if count != 1:
            raise Conflict(
                f"nomination {row.id} was changed by someone else (expected version "
                f"{expected_version}); reload it and try again",
                id=str(row.id),
                expected_version=expected_version,
            )
        row.version = expected_version + 1
        row.snapshot()

    def list_nominations(
        self,
        *,
        state: str | None = None,
        flow: str | None = None,
        unit: str | None = None,
        overdue_at: datetime | None = None,
        after_id: int = 0,
        limit: int = 500,
    ) -> list[NominationRow]:
        """One page in id order; callers page with ``after_id`` (nothing loads everything)."""
        conds = [NOM.c.id > after_id]
        if state:
            conds.append(NOM.c.state == state)
        if flow:
            conds.append(NOM.c.flow_id == flow)
        if unit:
            conds.append(NOM.c.unit_id == unit)
        if overdue_at is not None:
            conds.append(and_(NOM.c.due_at.is_not(None), NOM.c.due_at < to_db(overdue_at),
                              NOM.c.final.is_(False)))
        rows = self.conn.execute(select(NOM).where(*conds).order_by(NOM.c.id).limit(limit))
        return [NominationRow.from_tuple(tuple(r)) for r in rows]

    def open_nominations_in(self, units: list[str], *, after_id: int, limit: int
                            ) -> list[NominationRow]:
        rows = self.conn.execute(
            select(NOM).where(NOM.c.unit_id.in_(units), NOM.c.final.is_(False),
                              NOM.c.id > after_id).order_by(NOM.c.id).limit(limit))
        return [NominationRow.from_tuple(tuple(r)) for r in rows]

    def count_nominations(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(NOM)).scalar_one())

    # ---- documents -----------------------------------------------------------------------

    def add_document(self, nomination_id: int, doctype: str, filename: str, sha256: str,
                     content: bytes, at: datetime, by: str) -> int:
        result = self.conn.execute(insert(DOC).values(
            nomination_id=nomination_id, doctype=doctype, filename=filename, sha256=sha256,
            size=len(content), content=content, attached_at=to_db(at), attached_by=by,
        ).returning(DOC.c.id))
        return int(result.scalar_one())

    def document_types(self, nomination_id: int) -> set[str]:
        rows = self.raw.all("SELECT DISTINCT doctype FROM document WHERE nomination_id = ?",
                            (nomination_id,))
        return {r[0] for r in rows}

    def documents(self, nomination_id: int) -> list[DocumentRow]:
        rows = self.conn.execute(
            select(DOC.c.id, DOC.c.doctype, DOC.c.filename, DOC.c.sha256, DOC.c.size,
                   DOC.c.attached_at, DOC.c.attached_by)
            .where(DOC.c.nomination_id == nomination_id).order_by(DOC.c.id))
        return [DocumentRow(r[0], r[1], r[2], r[3], r[4], from_db(r[5]), r[6])  # type: ignore[arg-type]
                for r in rows]

    def add_rendered(self, nomination_id: int, template: str, sha256: str, content: str,
                     at: datetime) -> int:
        result = self.conn.execute(insert(RENDERED).values(
            nomination_id=nomination_id, template=template, sha256=sha256, content=content,
            rendered_at=to_db(at)).returning(RENDERED.c.id))
        return int(result.scalar_one())

    def rendered_content(self, nomination_id: int) -> list[tuple[int, str, str, str]]:
        """``(id, template, sha256, content)`` of every document rendered for an item."""
        rows = self.raw.all("SELECT id, template, sha256, content FROM rendered_document "
                            "WHERE nomination_id = ? ORDER BY id", (nomination_id,))
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def rendered(self, nomination_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            select(RENDERED.c.id, RENDERED.c.template, RENDERED.c.sha256, RENDERED.c.rendered_at)
            .where(RENDERED.c.nomination_id == nomination_id).order_by(RENDERED.c.id))
        return [{"id": r[0], "template": r[1], "sha256": r[2], "at": from_db(r[3])} for r in rows]

    # ---- objections (read side used by guards) -------------------------------------------

    def open_objections(self, nomination_id: int) -> int:
        row = self.raw.one(
            "SELECT count(*) FROM objection WHERE nomination_id = ? AND status = 'open'",
            (nomination_id,))
        return int(row[0]) if row else 0

    # ---- timers --------------------------------------------------------------------------

    def add_timers(self, nomination_id: int, entry_no: int,
                   rows: Iterable[tuple[str, int, datetime]]) -> None:
        values = [(nomination_id, entry_no, kind, step, self.raw.time_out(due))
                  for kind, step, due in rows]
        if values:
            self.raw.many(
                "INSERT INTO timer (nomination_id, entry_no, kind, step, due_at, status, payload)"
                " VALUES (?, ?, ?, ?, ?, 'pending', '{}')", values)

    def pending_timers(self, nomination_id: int, entry_no: int
                       ) -> list[tuple[str, int, datetime]]:
        rows = self.conn.execute(
            select(TIMER.c.kind, TIMER.c.step, TIMER.c.due_at)
            .where(TIMER.c.nomination_id == nomination_id, TIMER.c.entry_no == entry_no,
                   TIMER.c.status == "pending")
            .order_by(TIMER.c.due_at, TIMER.c.id))
        return [(r[0], r[1], from_db(r[2])) for r in rows]  # type: ignore[misc]

    def claim_due_timers(self, now: datetime, limit: int
                         ) -> list[tuple[int, int, int, str, int, datetime]]:
        """Pending timers due by ``now``, oldest first, locked for this transaction.

        On PostgreSQL other sweepers skip the locked rows (``SKIP LOCKED``), so each timer is
        acted on by exactly one of them; SQLite sweeps hold the single write lock.
        """
        sql = ("SELECT id, nomination_id, entry_no, kind, step, due_at FROM timer "
               "WHERE status = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?")
        if self.raw.pg:
            sql += " FOR UPDATE SKIP LOCKED"
        rows = self.raw.all(sql, (self.raw.time_out(now), limit))
        return [(r[0], r[1], r[2], r[3], r[4], Raw.time_in(r[5])) for r in rows]  # type: ignore[misc]

    def finish_timer(self, timer_id: int, status: str) -> None:
        self.raw.run("UPDATE timer SET status = ? WHERE id = ?", (status, timer_id))

    def window_due(self, nomination_id: int, entry_no: int) -> datetime | None:
        """When the notice window of this state entry ends (``None``: no window timer)."""
        row = self.raw.one("SELECT due_at FROM timer WHERE nomination_id = ? AND entry_no = ? "
                           "AND kind = 'window' AND status <> 'cancelled' ORDER BY id DESC "
                           "LIMIT 1", (nomination_id, entry_no))
        return Raw.time_in(row[0]) if row else None

    def cancel_timers(self, nomination_id: int) -> int:
        return self.raw.run(
            "UPDATE timer SET status = 'cancelled' WHERE nomination_id = ? "
            "AND status IN ('pending', 'paused')", (nomination_id,))

    # ---- audit reads ---------------------------------------------------------------------

    def audit_entries(self, nomination: str | None = None, *, after_seq: int = 0,
                      limit: int = 1000) -> list[dict[str, Any]]:
        stmt = select(AUDIT).where(AUDIT.c.seq > after_seq)
        if nomination is not None:
            stmt = stmt.where(AUDIT.c.nomination == nomination)
        rows = self.conn.execute(stmt.order_by(AUDIT.c.seq).limit(limit))
        return [dict(r._mapping) for r in rows]

    def audit_head(self) -> tuple[int, str] | None:
        row = self.conn.execute(
            select(AUDIT.c.seq, AUDIT.c.hash).order_by(AUDIT.c.seq.desc()).limit(1)).first()
        return (row[0], row[1]) if row else None

    # ---- the web interface ---------------------------------------------------------------

    def set_password_hash(self, login: str, password_hash: str) -> bool:
        """Store a person's password hash; False if there is no such person."""
        return self.raw.run("UPDATE person SET password_hash = ? WHERE login = ?",
                            (password_hash, login)) == 1

    def add_session(self, token_hash: str, login: str, created: datetime, expires: datetime
                    ) -> None:
        raw = self.raw
        raw.run("DELETE FROM web_session WHERE expires_at <= ?", (raw.time_out(created),))
        raw.run("INSERT INTO web_session (token_hash, login, created_at, expires_at) "
                "VALUES (?, ?, ?, ?)", (token_hash, login, raw.time_out(created),
                                        raw.time_out(expires)))

    def session_login(self, token_hash: str, now: datetime) -> str | None:
        """Who signed in with the token of this hash, if the session is still live."""
        row = self.raw.one("SELECT login FROM web_session WHERE token_hash = ? AND "
                           "expires_at > ?", (token_hash, self.raw.time_out(now)))
        return None if row is None else str(row[0])

    def end_sessions(self, login: str) -> int:
        return self.raw.run("DELETE FROM web_session WHERE login = ?", (login,))

    def meta_setdefault(self, key: str, value: str) -> str:
        """The meta value under ``key``, storing ``value`` first if there is none (the first
        writer wins when several processes race)."""
        self.raw.run("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                     (key, value))
        stored = self.meta(key)
        assert stored is not None
        return stored

    def nominations_in(self, units: list[str], *, before_id: int | None, limit: int,
                       state: str | None = None, flow: str | None = None
                       ) -> list[NominationRow]:
        """Items of these units, newest first; page with ``before_id``."""
        conds: list[Any] = [NOM.c.unit_id.in_(units)]
        if before_id is not None:
            conds.append(NOM.c.id < before_id)
        if state:
            conds.append(NOM.c.state == state)
        if flow:
            conds.append(NOM.c.flow_id == flow)
        rows = self.conn.execute(select(NOM).where(*conds).order_by(NOM.c.id.desc())
                                 .limit(limit))
        return [NominationRow.from_tuple(tuple(r)) for r in rows]

    def notice_ids_newest(self, before_id: int | None, limit: int) -> list[int]:
        if before_id is None:
            rows = self.raw.all("SELECT id FROM notice ORDER BY id DESC LIMIT ?", (limit,))
        else:
            rows = self.raw.all("SELECT id FROM notice WHERE id < ? ORDER BY id DESC LIMIT ?",
                                (before_id, limit))
        return [int(r[0]) for r in rows]

    def open_objections_in(self, units: list[str], limit: int, after_id: int = 0
                           ) -> list[tuple[int, int]]:
        """``(objection id, nomination id)`` of open objections on items of these units."""
        if not units:
            return []
        rows = self.conn.execute(
            select(OBJECTION.c.id, OBJECTION.c.nomination_id)
            .join(NOM, NOM.c.id == OBJECTION.c.nomination_id)
            .where(OBJECTION.c.status == "open", NOM.c.unit_id.in_(units),
                   OBJECTION.c.id > after_id)
            .order_by(OBJECTION.c.id).limit(limit))
        return [(int(r[0]), int(r[1])) for r in rows]
