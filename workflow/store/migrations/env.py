"""Alembic's entry: runs the revisions on the connection :mod:`workflow.store.migrate` hands
over (never one of its own), in one transaction, holding a lock so that two processes
upgrading at once take turns."""

from __future__ import annotations

from alembic import context

from workflow.store.tables import metadata

MIGRATION_LOCK_KEY = 72_650_002  # arbitrary, fixed: the PostgreSQL advisory lock for upgrades

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
    context.run_migrations()
