"""Outbox messages are delivered by email: each carries its delivery status, the attempts
made, when to try again and the last error.

Messages written before delivery existed are ``held``: switching email on must not send a
province's whole history of reminders at once. New messages start ``pending``.

Revision ID: 0008
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("status", sa.String(length=16), nullable=False,
                                      server_default="held"))
    op.add_column("outbox", sa.Column("attempts", sa.Integer(), nullable=False,
                                      server_default="0"))
    op.add_column("outbox", sa.Column("next_attempt_at", sa.DateTime(timezone=True),
                                      nullable=True))
    op.add_column("outbox", sa.Column("last_error", sa.String(), nullable=True))
    op.add_column("outbox", sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_outbox_delivery", "outbox", ["status", "next_attempt_at"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_delivery", table_name="outbox")
    for column in ("sent_at", "last_error", "next_attempt_at", "attempts", "status"):
        op.drop_column("outbox", column)
