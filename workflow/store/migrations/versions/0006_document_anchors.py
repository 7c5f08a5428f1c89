"""Rendered documents keep the audit head they embed, so ``award audit verify`` can check that
every head a decision or a set of minutes printed is still in the chain (a deleted tail, or a
chain sealed again from an edited entry on, is then found).

Revision ID: 0006
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("rendered_document", sa.Column("audit_seq", sa.Integer(), nullable=True))
    op.add_column("rendered_document",
                  sa.Column("audit_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rendered_document") as batch:
        batch.drop_column("audit_hash")
        batch.drop_column("audit_seq")
