"""Objection kinds with legal handling deadlines, and collectives as nominees.

* ``objection.kind`` (``gop_y`` | ``khieu_nai`` | ``to_cao`` | ``kien_nghi``; existing rows are
  comments, ``gop_y``), its handling deadline ``due_at`` and the one extension the law allows
  (``extended_at``, ``extended_by``, ``extend_reason``); an index of open objections by due
  time for the overdue lists;
* ``timer.objection_id``: an objection's reminder and escalation steps ride on the same timer
  machinery as a state's SLA (NULL for the timers of a state entry);
* ``nomination.nominee_unit`` and ``award_grant.nominee_unit``: the unit that is the nominee
  of a collective title (NULL for a person).

Revision ID: 0015
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("objection", sa.Column("kind", sa.String(length=16), nullable=False,
                                         server_default="gop_y"))
    op.add_column("objection", sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("objection", sa.Column("extended_at", sa.DateTime(timezone=True),
                                         nullable=True))
    op.add_column("objection", sa.Column("extended_by", sa.String(length=64), nullable=True))
    op.add_column("objection", sa.Column("extend_reason", sa.Text(), nullable=True))
    op.create_index("ix_objection_open_due", "objection", ["status", "due_at"], unique=False)
    op.add_column("timer", sa.Column("objection_id", sa.Integer(), nullable=True))
    op.create_index("ix_timer_objection_id", "timer", ["objection_id"], unique=False)
    op.add_column("nomination", sa.Column("nominee_unit", sa.String(length=64), nullable=True))
    op.create_index("ix_nomination_nominee_unit", "nomination", ["nominee_unit"], unique=False)
    op.add_column("award_grant", sa.Column("nominee_unit", sa.String(length=64),
                                           nullable=True))
    op.create_index("ix_award_grant_nominee_unit", "award_grant", ["nominee_unit"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_award_grant_nominee_unit", table_name="award_grant")
    with op.batch_alter_table("award_grant") as batch:
        batch.drop_column("nominee_unit")
    op.drop_index("ix_nomination_nominee_unit", table_name="nomination")
    with op.batch_alter_table("nomination") as batch:
        batch.drop_column("nominee_unit")
    op.drop_index("ix_timer_objection_id", table_name="timer")
    with op.batch_alter_table("timer") as batch:
        batch.drop_column("objection_id")
    op.drop_index("ix_objection_open_due", table_name="objection")
    with op.batch_alter_table("objection") as batch:
        for column in ("extend_reason", "extended_by", "extended_at", "due_at", "kind"):
            batch.drop_column(column)
