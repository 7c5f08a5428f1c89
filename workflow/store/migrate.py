"""Schema versions: upgrading a database in place with the Alembic revisions in
``migrations/``, and telling which revision a database is at.

A database made by the first release carries no revision table; it is recognised by its award
tables and stamped with the baseline before upgrading, so every earlier database upgrades in
place with its data. Every schema change ships as a new revision in ``migrations/versions``;
a test keeps the revisions and :mod:`workflow.store.tables` in step.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

__all__ = ["BASELINE", "current", "head", "upgrade"]

SCRIPTS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001"


def _config(conn: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    if conn is not None:
        config.attributes["connection"] = conn
    return config


def head() -> str:
    """The newest revision this release ships."""
    found = ScriptDirectory.from_config(_config()).get_current_head()
    assert found is not None
    return found


def current(engine: Engine) -> str | None:
    """The revision the database is at; ``BASELINE`` for a first-release database that was
    never stamped; None for an empty one."""
    with engine.connect() as conn:
        revision = MigrationContext.configure(conn).get_current_revision()
        if revision is None and "nomination" in inspect(conn).get_table_names():
            return BASELINE
        return revision


def upgrade(engine: Engine, target: str = "head") -> tuple[str | None, str | None]:
    """Bring the schema to ``target`` (idempotent); ``(before, after)`` revisions."""
    before = current(engine)
    with engine.connect() as conn:
        config = _config(conn)
        unstamped = (MigrationContext.configure(conn).get_current_revision() is None
                     and before == BASELINE)
        if unstamped:
            command.stamp(config, BASELINE)
        command.upgrade(config, target)
        conn.commit()
    return before, current(engine)
