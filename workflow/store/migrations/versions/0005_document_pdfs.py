"""Official documents as PDF: each notice, rendered document (decision, minutes) and council
session's minutes keeps its A4 PDF and the PDF's sha256 beside the HTML it was made from
(both empty when no PDF could be made; ``award pdf`` makes it later).

Revision ID: 0005
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0010"
branch_labels = None
depends_on = None

TABLES = ("notice", "rendered_document", "council_session")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("pdf", sa.LargeBinary(), nullable=True))
        op.add_column(table, sa.Column("pdf_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("pdf_sha256")
            batch.drop_column("pdf")
