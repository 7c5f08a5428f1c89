"""Emulation campaigns: registrations and cluster rankings.

* ``campaign_registration``: a unit's registration of itself or of one of its people for an
  award of a campaign (đăng ký thi đua); withdrawn ones are kept, marked withdrawn. One live
  registration per nominee, award and campaign (a partial unique index).
* ``cluster_round`` / ``cluster_participation`` / ``cluster_ballot``: a cluster's ranking at
  the final review, secret like a council ballot: participation has (round, unit, voted) only,
  the box has (round, random id, sealed mark) only.

Revision ID: 0013
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaign_registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("person_login", sa.String(length=64), nullable=False),
        sa.Column("award", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registered_by", sa.String(length=64), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_registration_campaign_unit", "campaign_registration",
                    ["campaign_id", "unit_id"])
    op.create_index("ix_registration_person", "campaign_registration", ["person_login"])
    op.create_index("ux_registration_live", "campaign_registration",
                    ["campaign_id", "unit_id", "person_login", "award"], unique=True,
                    postgresql_where=sa.text("status = 'registered'"),
                    sqlite_where=sa.text("status = 'registered'"))
    op.create_table(
        "cluster_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("cluster_id", sa.String(length=64), nullable=False),
        sa.Column("candidates", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_cluster_round_campaign", "cluster_round", ["campaign_id", "cluster_id"])
    op.create_table(
        "cluster_participation",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("voted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("round_id", "unit_id"),
    )
    op.create_table(
        "cluster_ballot",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("mark", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("round_id", "id"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("cluster_ballot")
    op.drop_table("cluster_participation")
    op.drop_index("ix_cluster_round_campaign", table_name="cluster_round")
    op.drop_table("cluster_round")
    op.drop_index("ux_registration_live", table_name="campaign_registration")
    op.drop_index("ix_registration_person", table_name="campaign_registration")
    op.drop_index("ix_registration_campaign_unit", table_name="campaign_registration")
    op.drop_table("campaign_registration")
