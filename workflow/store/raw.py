"""Driver-level statements for the hot path.

Building and compiling SQLAlchemy statements costs more than executing them on SQLite, so the
few statements every transition runs (read the item, check a role, compare-and-set, extend the
audit chain) go straight to the DB-API cursor of the unit of work's own connection — same
transaction, same commit. SQL is written once with ``?`` placeholders and translated for
psycopg. Times are stored exactly as SQLAlchemy's ``DateTime`` stores them on each backend,
so Core and driver-level code read each other's rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # SQLAlchemy is not loaded by the commands that only read (store.readonly)
    from sqlalchemy import Connection
    from sqlalchemy.pool import PoolProxiedConnection

    from workflow.store.readonly import ReadOnlyConnection

__all__ = ["Raw", "TransactionLost", "placeholders"]


def placeholders(values: Sequence[Any]) -> str:
    """``?, ?, ?`` for an ``IN (…)`` list of ``values``."""
    return ", ".join("?" for _ in values)


class TransactionLost(RuntimeError):
    """A driver-level write was attempted with no transaction open."""



class Raw:
    def __init__(self, conn: Connection | PoolProxiedConnection | ReadOnlyConnection,
                 dialect: str) -> None:
        # a unit of work lends the pool's proxy itself (or a read-only connection); a
        # SQLAlchemy Connection lends its proxy, which has the driver's connection
        dbapi = getattr(conn, "dbapi_connection", None)
        if dbapi is None:
            dbapi = conn.connection.dbapi_connection  # type: ignore[union-attr]
        assert dbapi is not None
        self._dbapi = dbapi
        self._cursor = dbapi.cursor()
        self.pg = dialect == "postgresql"
        self._sql: dict[str, str] = {}

    def _q(self, sql: str) -> str:
        if not self.pg:
            return sql
        text = self._sql.get(sql)
        if text is None:
            text = self._sql[sql] = sql.replace("?", "%s")
        return text

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        self._cursor.execute(self._q(sql), params)
        row = self._cursor.fetchone()
        return None if row is None else tuple(row)

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self._cursor.execute(self._q(sql), params)
        return [tuple(r) for r in self._cursor.fetchall()]

    def stream(self, sql: str, *, name: str, batch: int = 20_000,
               params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        """Rows a batch at a time; on PostgreSQL through a named (server-side) cursor, so a
        million rows are never held in memory at once."""
        cursor = self._dbapi.cursor(name=name) if self.pg else self._dbapi.cursor()
        try:
            cursor.execute(self._q(sql), params)
            while rows := cursor.fetchmany(batch):
                yield from rows
        finally:
            cursor.close()

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        self._guard()
        self._cursor.execute(self._q(sql), params)
        return int(self._cursor.rowcount)

    def take(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """A write that returns rows (``DELETE … RETURNING``), guarded as :meth:`run` is."""
        self._guard()
        self._cursor.execute(self._q(sql), params)
        return [tuple(r) for r in self._cursor.fetchall()]

    def execute(self, sql: str) -> None:
        """A statement with no parameters and no result (savepoints)."""
        self._cursor.execute(sql)

    def many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._guard()
        self._cursor.executemany(self._q(sql), list(rows))

    def _guard(self) -> None:
        """Writes happen inside the unit of work's transaction or not at all: SQLite's driver
        is in autocommit mode (we issue BEGIN ourselves), so a write after the transaction was
        lost (a connection reset under us) would commit on its own."""
        if not self.pg and not self._dbapi.in_transaction:
            raise TransactionLost("the unit of work's transaction is gone; nothing was written")

    def time_out(self, value: datetime | None) -> Any:
        """An aware datetime as the column stores it (naive UTC text on SQLite)."""
        if value is None:
            return None
        value = value.astimezone(UTC)
        # SQLAlchemy's SQLite DateTime text: zero-padded, always with microseconds
        return value if self.pg else value.replace(tzinfo=None).isoformat(" ", "microseconds")

    @staticmethod
    def time_in(value: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
