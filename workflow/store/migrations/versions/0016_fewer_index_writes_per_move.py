"""Fewer index pages written by each move of an item.

* ``ix_nomination_cohort`` keeps only what does not change when an item moves (creation
  time, unit, flow, nominee): reports still select a period's nominations from it, and the
  status report reads state, final, outcome and due time from the rows it selects;
* ``ix_stage_visit_days`` holds finished stays only (``days IS NOT NULL``), the only rows
  the percentiles read, so opening a stay no longer writes it;
* ``ix_stage_visit_item`` is dropped: a move closes the stay it left by the table's primary
  key (the item's flow and unit, the state and entry it left).

No row changes. Stays that flow migrations left under the state an entry started in stay
there; the store finds them by key among the states the item's audit entries name.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_FINISHED = sa.text("days IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_stage_visit_item", table_name="stage_visit")
    op.drop_index("ix_nomination_cohort", table_name="nomination")
    op.create_index("ix_nomination_cohort", "nomination",
                    ["created_at", "unit_id", "flow_id", "person_login"], unique=False)
    op.drop_index("ix_stage_visit_days", table_name="stage_visit")
    op.create_index("ix_stage_visit_days", "stage_visit",
                    ["flow_id", "state", "days", "created_at", "unit_id"], unique=False,
                    sqlite_where=_FINISHED, postgresql_where=_FINISHED)


def downgrade() -> None:
    op.create_index("ix_stage_visit_item", "stage_visit", ["nomination_id", "entry_no"],
                    unique=False)
    op.drop_index("ix_stage_visit_days", table_name="stage_visit")
    op.create_index("ix_stage_visit_days", "stage_visit",
                    ["flow_id", "state", "days", "created_at", "unit_id"], unique=False)
    op.drop_index("ix_nomination_cohort", table_name="nomination")
    op.create_index("ix_nomination_cohort", "nomination",
                    ["created_at", "unit_id", "flow_id", "state", "final", "outcome", "due_at",
                     "person_login"], unique=False)
