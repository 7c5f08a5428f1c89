"""Dossier versions and objection receipts.

* ``document.superseded_at``: a document replaced by a newer version, or withdrawn, while the
  dossier was open; the row (and its content) stays, the dossier shows the current ones.
* ``objection.receipt``: the code a person who objected looks their objection up by; rows
  filed before it existed get one too.

Revision ID: 0010
Revises: 0003
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0003"
branch_labels = None
depends_on = None

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def receipt() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))


def upgrade() -> None:
    op.add_column("document", sa.Column("superseded_at", sa.DateTime(timezone=True),
                                        nullable=True))
    op.add_column("objection", sa.Column("receipt", sa.String(length=16), nullable=True))
    bind = op.get_bind()
    for (objection_id,) in bind.execute(sa.text("SELECT id FROM objection")).all():
        bind.execute(sa.text("UPDATE objection SET receipt = :r WHERE id = :i"),
                     {"r": receipt(), "i": objection_id})
    op.create_index("ix_objection_receipt", "objection", ["receipt"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_objection_receipt", table_name="objection")
    op.drop_column("objection", "receipt")
    op.drop_column("document", "superseded_at")
