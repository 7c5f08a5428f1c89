"""Schema migrations (Alembic revisions); see workflow.store.migrate."""
