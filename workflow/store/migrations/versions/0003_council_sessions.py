"""Council sessions and where people work.

* ``council_session``: a meeting of one council whose items are voted on one paper per
  member and closed together, with its minutes as issued at the close and the audit head
  they embed (``award audit verify`` checks it is still in the chain).
* ``council_session_item``: the items on a session's paper, each with the ballot round it was
  in when the session opened.
* ``person.unit_id``: the unit a person works at (optional in the directory), so a list sent
  by a unit can be checked for people who are not its own.

Revision ID: 0003
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "council_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_unit", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("minutes", sa.Text(), nullable=True),
        sa.Column("minutes_sha256", sa.String(length=64), nullable=True),
        sa.Column("audit_seq", sa.Integer(), nullable=True),
        sa.Column("audit_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_council_session_council_unit", "council_session", ["council_unit"],
                    unique=False)
    op.create_table(
        "council_session_item",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "nomination_id"),
    )
    op.create_index("ix_council_session_item_round_id", "council_session_item", ["round_id"],
                    unique=False)
    op.add_column("person", sa.Column("unit_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_column("unit_id")
    op.drop_index("ix_council_session_item_round_id", table_name="council_session_item")
    op.drop_table("council_session_item")
    op.drop_index("ix_council_session_council_unit", table_name="council_session")
    op.drop_table("council_session")
