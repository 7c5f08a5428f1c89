"""The store adapter: the schema, the unit of work, one repository per data area, the audit
chain, and database setup.

::

    Store ─ run(work) / transaction()      one connection borrowed, one transaction
      └─ Tx                                 the transaction's view of the data
           meta, flows, directory, accounts, items, documents, timers, objections,
           confirmations, notices, outbox, ballots, sessions, decisions,
           grants, campaigns, reports       (one repository each)
           audit                            the hash chain: append, read, verify
           savepoint()                      a part undone alone if it raises

Rows come back as the dataclasses of :mod:`workflow.store.rows`. Nothing above the store
imports SQLAlchemy or a driver; their failures surface as ``database_errors()``, :class:`Busy`
(retry the unit of work) or :class:`~workflow.errors.StoreUnavailable`.
"""

from workflow.store.audit import (
    EXPORT_COLUMNS,
    GENESIS,
    Anchor,
    Chain,
    VerifyReport,
    verify_rows,
)
from workflow.store.db import Busy, make_engine, normalise_url, sqlite_file
from workflow.store.grants import GrantFilter
from workflow.store.issued import KINDS, Issued
from workflow.store.objections import normal_receipt
from workflow.store.rows import (
    BallotRoundRow,
    CouncilSessionRow,
    DecisionRow,
    DeliveryRow,
    DocumentRow,
    GrantRow,
    NominationRow,
    NoticeRow,
    ObjectionRow,
    OutboxRow,
    RenderedRow,
    SessionItemRow,
    TimerRow,
)
from workflow.store.unit import Store, Tx, database_errors

__all__ = [
    "DATABASE_ERRORS",
    "EXPORT_COLUMNS",
    "GENESIS",
    "KINDS",
    "Anchor",
    "BallotRoundRow",
    "Busy",
    "Chain",
    "CouncilSessionRow",
    "DecisionRow",
    "DeliveryRow",
    "DocumentRow",
    "GrantFilter",
    "GrantRow",
    "Issued",
    "NominationRow",
    "NoticeRow",
    "ObjectionRow",
    "OutboxRow",
    "RenderedRow",
    "SessionItemRow",
    "Store",
    "TimerRow",
    "Tx",
    "VerifyReport",
    "database_errors",
    "make_engine",
    "normal_receipt",
    "normalise_url",
    "sqlite_file",
    "verify_rows",
]


def __getattr__(name: str) -> object:
    if name == "DATABASE_ERRORS":  # a constant that loads psycopg: see database_errors()
        from workflow.store import unit

        return unit.DATABASE_ERRORS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
