"""The store adapter: SQLModel tables, the unit of work, the audit chain, database setup."""

from workflow.store.audit import Chain, VerifyReport
from workflow.store.db import Busy, make_engine, normalise_url
from workflow.store.repository import NominationRow, Store, Tx

__all__ = [
    "Busy",
    "Chain",
    "NominationRow",
    "Store",
    "Tx",
    "VerifyReport",
    "make_engine",
    "normalise_url",
]
