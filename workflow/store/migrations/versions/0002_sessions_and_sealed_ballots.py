"""Web sessions kept as token hashes; room for sealed ballots; no signing key in the database.

* ``web_session``: a signed-in browser, by the SHA-256 of its token.
* ``ballot.choice`` holds a sealed choice (AES-GCM, base64): 40 characters, not 8. SQLite does
  not enforce a VARCHAR length, and rebuilding the WITHOUT ROWID box to change it would be
  all risk and no gain, so only PostgreSQL is altered.
* The session-signing key and sign-out epochs that earlier releases kept in ``meta`` are
  removed: the key now lives outside the database (``workflow.keys``).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_web_session_login", "web_session", ["login"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("ballot", "choice", type_=sa.String(length=64),
                        existing_type=sa.String(length=8), existing_nullable=False)
    op.execute("DELETE FROM meta WHERE key = 'web_secret' OR key LIKE 'session_epoch:%'")


def downgrade() -> None:
    op.drop_index("ix_web_session_login", table_name="web_session")
    op.drop_table("web_session")
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("ballot", "choice", type_=sa.String(length=8),
                        existing_type=sa.String(length=64), existing_nullable=False)
