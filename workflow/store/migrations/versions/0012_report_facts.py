"""What reports read: the priority groups of people and units, and a row per stay in a state.

* ``person.gender``, ``ethnicity``, ``minority``, ``direct_worker`` and ``unit.remote``
  (SPEC §10.5), all unknown (NULL / false) until a directory file says;
* ``stage_visit``: one row per state entry of an item (entered, left, days, due, with the
  item's flow, unit and creation time), kept in stage order, so durations and on-time shares
  per stage are SQL aggregates that neither join nor sort. Existing items get their visits
  from the audit log (every move is an entry there); only the current visit knows its due
  time;
* a covering index of nominations by creation time, so a report over a period reads the
  index alone.

Revision ID: 0012
Revises: 0014
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("person", sa.Column("gender", sa.String(length=1), nullable=True))
    op.add_column("person", sa.Column("ethnicity", sa.String(length=64), nullable=True))
    op.add_column("person", sa.Column("minority", sa.Boolean(), nullable=True))
    op.add_column("person", sa.Column("direct_worker", sa.Boolean(), nullable=True))
    op.add_column("unit", sa.Column("remote", sa.Boolean(), nullable=False,
                                    server_default=sa.false()))
    op.create_index("ix_nomination_cohort", "nomination",
                    ["created_at", "unit_id", "flow_id", "state", "final", "outcome", "due_at",
                     "person_login"], unique=False)
    op.create_table(
        "stage_visit",
        sa.Column("flow_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("entry_no", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("days", sa.Float(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("flow_id", "state", "unit_id", "nomination_id", "entry_no"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_stage_visit_item", "stage_visit", ["nomination_id", "entry_no"],
                    unique=False)
    op.create_index("ix_stage_visit_days", "stage_visit",
                    ["flow_id", "state", "days", "created_at", "unit_id"], unique=False)
    _backfill()


def _backfill() -> None:
    """Visits of existing items from their audit entries, item by item, in chain order."""
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"

    def utc(value: object) -> datetime | None:
        if value is None:
            return None
        when = datetime.fromisoformat(value) if isinstance(value, str) else value
        assert isinstance(when, datetime)
        when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
        # SQLAlchemy writes SQLite's text as given: naive UTC, like every other row there
        return when.replace(tzinfo=None) if sqlite else when

    visits = sa.table(
        "stage_visit", sa.column("nomination_id", sa.Integer()),
        sa.column("entry_no", sa.Integer()), sa.column("flow_id", sa.String()),
        sa.column("state", sa.String()), sa.column("unit_id", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("entered_at", sa.DateTime(timezone=True)),
        sa.column("left_at", sa.DateTime(timezone=True)),
        sa.column("days", sa.Float()),
        sa.column("due_at", sa.DateTime(timezone=True)))
    items = {row[0]: row[1:] for row in bind.execute(sa.text(
        "SELECT id, flow_id, unit_id, state, entry_no, entered_at, due_at, created_at "
        "FROM nomination"))}
    moves = bind.execute(sa.text(
        "SELECT nomination, at, to_state FROM audit_entry WHERE nomination IS NOT NULL AND "
        "to_state IS NOT NULL AND (from_state IS NULL OR from_state <> to_state) "
        "ORDER BY seq"))
    stays: dict[int, list[tuple[str, datetime | None]]] = {}
    for nomination, at, to_state in moves:
        key = int(nomination)
        if key in items:
            stays.setdefault(key, []).append((to_state, utc(at)))
    rows: list[dict[str, object]] = []
    for key, (flow_id, unit_id, state, entry_no, entered_at, due_at, created) in items.items():
        found = stays.get(key) or [(state, None)]
        # the current entry is the item's own; the ones before it, as the audit tells them
        first = entry_no - len(found) + 1
        for offset, (name, began) in enumerate(found):
            last = offset == len(found) - 1
            came = utc(entered_at) if last else began
            went = None if last else found[offset + 1][1]
            rows.append({
                "nomination_id": key, "entry_no": first + offset, "flow_id": flow_id,
                "state": state if last else name, "unit_id": unit_id,
                "created_at": utc(created), "entered_at": came, "left_at": went,
                "days": None if went is None or came is None
                else (went - came).total_seconds() / 86400,
                "due_at": utc(due_at) if last else None})
        if len(rows) >= 5000:
            bind.execute(sa.insert(visits), rows)
            rows = []
    if rows:
        bind.execute(sa.insert(visits), rows)


def downgrade() -> None:
    op.drop_index("ix_stage_visit_days", table_name="stage_visit")
    op.drop_index("ix_stage_visit_item", table_name="stage_visit")
    op.drop_table("stage_visit")
    op.drop_index("ix_nomination_cohort", table_name="nomination")
    op.drop_column("unit", "remote")
    for column in ("direct_worker", "minority", "ethnicity", "gender"):
        op.drop_column("person", column)
