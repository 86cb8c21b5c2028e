"""Who carried out an assessment: the assessing organisation's code and name, part of its identity."""

# A deploying organisation's assessment of a product (a trust's DCB0160/DTAC due diligence) is a
# different assessment from the supplier's own and from another trust's, so the one-current-per-
# assessment index gains the assessor's code (empty for the subject's own submission). Existing rows
# have no assessor: they stay valid and keep their meaning.
#
# Revision ID: 0002
# Revises: 0001
# Create Date: 2026-11-29

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CURRENT = sa.text("superseded_by IS NULL")
# A unique index treats NULLs as distinct, so the subject's own submissions (no assessor) are
# indexed under the empty code: two of them can then not both be current.
ASSESSOR = sa.text("coalesce(assessed_by_code, '')")


def upgrade() -> None:
    op.add_column("submissions", sa.Column("assessed_by_code", sa.String))
    op.add_column("submissions", sa.Column("assessed_by_name", sa.Text))
    op.drop_index("ix_submissions_current", table_name="submissions")
    op.create_index(
        "ix_submissions_current",
        "submissions",
        ["rubric_id", "subject_type", "subject_code", ASSESSOR, "round"],
        unique=True,
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )


def downgrade() -> None:
    """Back to 0001; refused by the database while two assessments of one subject and round are current."""
    op.drop_index("ix_submissions_current", table_name="submissions")
    op.create_index(
        "ix_submissions_current",
        "submissions",
        ["rubric_id", "subject_type", "subject_code", "round"],
        unique=True,
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )
    # Not batch mode: copying the table on SQLite would drop it, and with it (ON DELETE CASCADE) every
    # score. SQLite 3.35 and later drop an unindexed column in place.
    op.drop_column("submissions", "assessed_by_name")
    op.drop_column("submissions", "assessed_by_code")
