"""Numbered decisions, the award register and confidential nominations.

* ``decision``: a numbered award decision of one issuing unit (number per unit and year), its
  document as issued (and the copy sent out when an awardee is confidential) and the audit
  head it embeds.
* ``decision_counter``: the last number given per issuing unit and year.
* ``award_grant``: the register, one row per awardee, replacing ``prior_award``: imported
  prior awards become grants with source ``imported``; awards the engine granted become
  grants with source ``decision`` (with no decision number: they were awarded before
  decisions were numbered). A revoked grant is kept, marked.
* ``nomination.confidential``: a nominee on special or secret tasks.
* ``objection.grant_id``: a complaint against an award already granted.

Revision ID: 0007
Revises: 0005
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def fold(text: str) -> str:
    """A name as searches compare it (as the engine folds it when it grants an award)."""
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def upgrade() -> None:
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("decided_on", sa.String(length=10), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("basis", sa.Text(), nullable=True),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=True),
        sa.Column("document_sha256", sa.String(length=64), nullable=True),
        sa.Column("public_document", sa.Text(), nullable=True),
        sa.Column("public_sha256", sa.String(length=64), nullable=True),
        sa.Column("audit_seq", sa.Integer(), nullable=True),
        sa.Column("audit_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id", "year", "seq"),
    )
    op.create_index("ix_decision_number", "decision", ["number"], unique=False)
    op.create_table(
        "decision_counter",
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("unit_id", "year"),
    )
    op.create_table(
        "award_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("person_login", sa.String(length=64), nullable=True),
        sa.Column("nominee", sa.String(), nullable=False),
        sa.Column("name_fold", sa.String(), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=True),
        sa.Column("award", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("ad_hoc", sa.Boolean(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("nomination_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.Column("revoke_decision", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("nomination_id"),
    )
    op.create_index("ix_award_grant_person_login", "award_grant", ["person_login"])
    op.create_index("ix_award_grant_unit_id", "award_grant", ["unit_id"])
    op.create_index("ix_award_grant_decision_id", "award_grant", ["decision_id"])
    op.create_index("ix_award_grant_award_year", "award_grant", ["award", "year"])
    # a default in the database too: rows written without the column are not confidential
    op.add_column("nomination", sa.Column("confidential", sa.Boolean(), nullable=False,
                                          server_default=sa.false()))
    op.add_column("objection", sa.Column("grant_id", sa.Integer(), nullable=True))
    # the history moves over: imported awards as they were, granted ones with their item
    op.execute(
        "INSERT INTO award_grant (kind, person_login, nominee, name_fold, unit_id, award, year, "
        "ad_hoc, decision_id, nomination_id, source, status, confidential) "
        "SELECT 'individual', p.login, coalesce(n.nominee, pe.name, p.login), '', "
        "coalesce(n.unit_id, pe.unit_id), p.award, p.year, p.ad_hoc, NULL, p.nomination_id, "
        "CASE WHEN p.source = 'granted' THEN 'decision' ELSE 'imported' END, 'granted', "
        + ("false" if op.get_bind().dialect.name == "postgresql" else "0") +
        " FROM prior_award p LEFT JOIN nomination n ON n.id = p.nomination_id "
        "LEFT JOIN person pe ON pe.login = p.login ORDER BY p.id")
    bind = op.get_bind()
    for grant_id, nominee in bind.execute(sa.text("SELECT id, nominee FROM award_grant")).all():
        bind.execute(sa.text("UPDATE award_grant SET name_fold = :f WHERE id = :i"),
                     {"f": " " + fold(nominee), "i": grant_id})
    op.drop_index("ix_prior_award_login", table_name="prior_award")
    op.drop_table("prior_award")


def downgrade() -> None:
    op.create_table(
        "prior_award",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("award", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("ad_hoc", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("login", "award", "year", "source"),
    )
    op.create_index("ix_prior_award_login", "prior_award", ["login"], unique=False)
    # what counted in the history comes back (a revoked grant no longer counted)
    op.execute(
        "INSERT INTO prior_award (login, award, year, ad_hoc, source, nomination_id) "
        "SELECT person_login, award, year, ad_hoc, "
        "CASE WHEN source = 'imported' THEN 'imported' ELSE 'granted' END, min(nomination_id) "
        "FROM award_grant WHERE person_login IS NOT NULL AND status = 'granted' "
        "GROUP BY person_login, award, year, ad_hoc, "
        "CASE WHEN source = 'imported' THEN 'imported' ELSE 'granted' END")
    with op.batch_alter_table("objection") as batch:
        batch.drop_column("grant_id")
    with op.batch_alter_table("nomination") as batch:
        batch.drop_column("confidential")
    op.drop_index("ix_award_grant_award_year", table_name="award_grant")
    op.drop_index("ix_award_grant_decision_id", table_name="award_grant")
    op.drop_index("ix_award_grant_unit_id", table_name="award_grant")
    op.drop_index("ix_award_grant_person_login", table_name="award_grant")
    op.drop_table("award_grant")
    op.drop_table("decision_counter")
    op.drop_index("ix_decision_number", table_name="decision")
    op.drop_table("decision")
