"""The baseline: the schema of the first release, as its ``award init`` created it.

A database made by that release carries no revision; ``award init`` and ``award db upgrade``
recognise it (it has the award tables) and stamp it with this revision before upgrading.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_entry',
        sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('at', sa.String(length=40), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('nomination', sa.String(length=32), nullable=True),
        sa.Column('from_state', sa.String(length=64), nullable=True),
        sa.Column('to_state', sa.String(length=64), nullable=True),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('prev_hash', sa.String(length=64), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('seq')
    )
    op.create_index('ix_audit_entry_nomination', 'audit_entry', ['nomination'], unique=False)
    op.create_table('ballot',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('choice', sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint('round_id', 'id'),
        sqlite_with_rowid=False
    )
    op.create_table('ballot_round',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('nomination_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=64), nullable=False),
        sa.Column('entry_no', sa.Integer(), nullable=False),
        sa.Column('council_unit', sa.String(length=64), nullable=False),
        sa.Column('secret', sa.Boolean(), nullable=False),
        sa.Column('roll_size', sa.Integer(), nullable=False),
        sa.Column('roll_hash', sa.String(length=64), nullable=False),
        sa.Column('rule', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('result', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_ballot_round_nomination_id', 'ballot_round', ['nomination_id'],
                    unique=False)
    op.create_table('confirmation',
        sa.Column('nomination_id', sa.Integer(), nullable=False),
        sa.Column('entry_no', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('decision', sa.String(length=8), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('comment', sa.String(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('nomination_id', 'entry_no', 'key')
    )
    op.create_table('document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('nomination_id', sa.Integer(), nullable=False),
        sa.Column('doctype', sa.String(length=64), nullable=False),
        sa.Column('filename', sa.String(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('attached_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attached_by', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_document_nomination_id', 'document', ['nomination_id'], unique=False)
    op.create_table('flow_version',
        sa.Column('version', sa.String(length=64), nullable=False),
        sa.Column('flow_id', sa.String(length=64), nullable=False),
        sa.Column('path', sa.String(), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('stored_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('version')
    )
    op.create_index('ix_flow_version_flow_id', 'flow_version', ['flow_id'], unique=False)
    op.create_table('meta',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('key')
    )
    op.create_table('nomination',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('flow_id', sa.String(length=64), nullable=False),
        sa.Column('flow_version', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=64), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.String(length=64), nullable=False),
        sa.Column('nominee', sa.String(), nullable=False),
        sa.Column('person_login', sa.String(length=64), nullable=True),
        sa.Column('fields', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('entry_no', sa.Integer(), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('final', sa.Boolean(), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=True),
        sa.Column('hold_data', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_nomination_due', 'nomination', ['due_at'], unique=False)
    op.create_index('ix_nomination_person', 'nomination', ['person_login'], unique=False)
    op.create_index('ix_nomination_state', 'nomination', ['flow_id', 'state'], unique=False)
    op.create_index('ix_nomination_unit', 'nomination', ['unit_id'], unique=False)
    op.create_table('notice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('flow_id', sa.String(length=64), nullable=False),
        sa.Column('unit_id', sa.String(length=64), nullable=False),
        sa.Column('day', sa.String(length=10), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('template', sa.String(), nullable=False),
        sa.Column('html', sa.Text(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('audit_seq', sa.Integer(), nullable=False),
        sa.Column('audit_hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('flow_id', 'unit_id', 'day')
    )
    op.create_table('notice_item',
        sa.Column('notice_id', sa.Integer(), nullable=False),
        sa.Column('nomination_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('notice_id', 'nomination_id')
    )
    op.create_index('ix_notice_item_nomination_id', 'notice_item', ['nomination_id'], unique=False)
    op.create_table('objection',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('nomination_id', sa.Integer(), nullable=False),
        sa.Column('notice_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('name', sa.String(), nullable=True),
        sa.Column('contact', sa.String(), nullable=True),
        sa.Column('filed_by', sa.String(length=64), nullable=True),
        sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('resolved_by', sa.String(length=64), nullable=True),
        sa.Column('resolution', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_objection_nomination_id', 'objection', ['nomination_id'], unique=False)
    op.create_table('outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('recipient', sa.String(length=64), nullable=False),
        sa.Column('nomination_id', sa.Integer(), nullable=True),
        sa.Column('subject', sa.String(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('dedupe', sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('dedupe')
    )
    op.create_index('ix_outbox_nomination_id', 'outbox', ['nomination_id'], unique=False)
    op.create_table('participation',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('member_login', sa.String(length=64), nullable=False),
        sa.Column('voted', sa.Boolean(), nullable=False),
        sa.Column('recused', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('round_id', 'member_login')
    )
    op.create_table('person',
        sa.Column('login', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(), nullable=False),
        sa.Column('email', sa.String(), nullable=True),
        sa.Column('password_hash', sa.String(), nullable=True),
        sa.PrimaryKeyConstraint('login')
    )
    op.create_table('prior_award',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('login', sa.String(length=64), nullable=False),
        sa.Column('award', sa.String(length=32), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('ad_hoc', sa.Boolean(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('nomination_id', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('login', 'award', 'year', 'source')
    )
    op.create_index('ix_prior_award_login', 'prior_award', ['login'], unique=False)
    op.create_table('rendered_document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('nomination_id', sa.Integer(), nullable=False),
        sa.Column('template', sa.String(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('rendered_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_rendered_document_nomination_id', 'rendered_document',
                    ['nomination_id'], unique=False)
    op.create_table('role_grant',
        sa.Column('login', sa.String(length=64), nullable=False),
        sa.Column('role', sa.String(length=64), nullable=False),
        sa.Column('unit_id', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('login', 'role', 'unit_id')
    )
    op.create_index('ix_role_grant_unit_role', 'role_grant', ['unit_id', 'role'], unique=False)
    op.create_table('timer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('nomination_id', sa.Integer(), nullable=False),
        sa.Column('entry_no', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('step', sa.Integer(), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_timer_nomination_id', 'timer', ['nomination_id'], unique=False)
    op.create_index('ix_timer_pending_due', 'timer', ['due_at'], unique=False,
                    postgresql_where=sa.text("status = 'pending'"),
                    sqlite_where=sa.text("status = 'pending'"))
    op.create_table('unit',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(), nullable=False),
        sa.Column('level', sa.String(length=32), nullable=False),
        sa.Column('parent_id', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_unit_parent_id', 'unit', ['parent_id'], unique=False)
    op.create_table('written_ballot',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('member_login', sa.String(length=64), nullable=False),
        sa.Column('choice', sa.String(length=8), nullable=False),
        sa.Column('recorded_by', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('round_id', 'member_login')
    )


    # what the first release's ``award init`` wrote with the tables
    op.execute("INSERT INTO meta (key, value) VALUES ('schema', '1'), "
               "('directory_generation', '0')")


def downgrade() -> None:
    op.drop_table('written_ballot')
    op.drop_table('unit')
    op.drop_table('timer')
    op.drop_table('role_grant')
    op.drop_table('rendered_document')
    op.drop_table('prior_award')
    op.drop_table('person')
    op.drop_table('participation')
    op.drop_table('outbox')
    op.drop_table('objection')
    op.drop_table('notice_item')
    op.drop_table('notice')
    op.drop_table('nomination')
    op.drop_table('meta')
    op.drop_table('flow_version')
    op.drop_table('document')
    op.drop_table('confirmation')
    op.drop_table('ballot_round')
    op.drop_table('ballot')
    op.drop_table('audit_entry')
