"""The first registry schema: rubrics, submissions, per-scope scores and failed gates."""

# Revision ID: 0001
# Revises:
# Create Date: 2026-11-29

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

CURRENT = sa.text("superseded_by IS NULL")


def upgrade() -> None:
    op.create_table(
        "rubrics",
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sa.Column("rubric_id", sa.String, nullable=False),
        sa.Column("version", sa.String, nullable=False),
        sa.Column("major", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("subject", sa.String, nullable=False),
        sa.Column("definition", sa.Text, nullable=False),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("subject_type", sa.String, nullable=False),
        sa.Column("subject_code", sa.String, nullable=False),
        sa.Column("subject_name", sa.Text, nullable=False),
        sa.Column("org_type", sa.String, nullable=False),
        sa.Column("region", sa.Text),
        sa.Column("round", sa.String, nullable=False),
        sa.Column("assessed_on", sa.Date, nullable=False),
        sa.Column("rubric_id", sa.String, nullable=False),
        sa.Column("rubric_version", sa.String, nullable=False),
        sa.Column("rubric_major", sa.Integer, nullable=False),
        sa.Column("rubric_fingerprint", sa.String(64), sa.ForeignKey("rubrics.fingerprint"), nullable=False),
        sa.Column("completeness", sa.Float),
        sa.Column("failed_gate_count", sa.Integer, nullable=False),
        sa.Column("outcome_id", sa.String),
        sa.Column("outcome_label", sa.Text),
        sa.Column("source_kind", sa.String, nullable=False),
        sa.Column("source_name", sa.Text, nullable=False),
        sa.Column("raw", sa.LargeBinary, nullable=False),
        sa.Column("result_json", sa.Text, nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("superseded_by", sa.Integer, sa.ForeignKey("submissions.id")),
    )
    op.create_index(
        "ix_submissions_current",
        "submissions",
        ["rubric_id", "subject_type", "subject_code", "round"],
        unique=True,
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )
    op.create_index("ix_submissions_rubric_round", "submissions", ["rubric_id", "round"])
    op.create_index("ix_submissions_subject", "submissions", ["subject_code"])
    op.create_table(
        "scores",
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("scope", sa.String, primary_key=True),
        sa.Column("scope_id", sa.String, primary_key=True),
        sa.Column("score", sa.Float),
        sa.Column("level", sa.Integer),
        sa.Column("capped_to", sa.Integer),
        sa.Column("status", sa.String),
    )
    op.create_index("ix_scores_scope", "scores", ["scope", "scope_id"])
    op.create_table(
        "failed_gates",
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("criterion", sa.String, primary_key=True),
        sa.Column("scope", sa.String, nullable=False),
        sa.Column("target", sa.String, nullable=False),
        sa.Column("cap", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("failed_gates")
    op.drop_table("scores")
    op.drop_table("submissions")
    op.drop_table("rubrics")
