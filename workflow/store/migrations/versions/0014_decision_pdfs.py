"""Numbered decisions as PDF: the copy sent out (the kept copy when no awardee is
confidential) keeps its A4 PDF and the PDF's sha256, as notices, rendered documents and
session minutes do since 0005.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("decision", sa.Column("pdf", sa.LargeBinary(), nullable=True))
    op.add_column("decision", sa.Column("pdf_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("decision") as batch:
        batch.drop_column("pdf_sha256")
        batch.drop_column("pdf")
