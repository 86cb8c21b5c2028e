"""Waivers: approved, time-limited exceptions to a criterion or a gate, with their history; unwaived outcomes."""

# A waiver is requested, then approved or rejected, and an approved one may be revoked; it expires by
# date (`expires_on` is the first day it no longer applies) with its stored status unchanged. Every change
# of status is a row of `waiver_events`, who and when, beside the waiver's current state. A stored
# result scored with waivers keeps its unwaived overall level and outcome in two columns, so that the
# portfolio counts the organisations whose outcome depends on a waiver without reading result JSON.
#
# Revision ID: 0008
# Revises: 0007
# Create Date: 2026-12-07

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "waivers",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("subject_code", sa.String, nullable=False),
        sa.Column("rubric_id", sa.String, nullable=False),
        sa.Column("rubric_major", sa.Integer, nullable=False),
        sa.Column("criterion", sa.String),
        sa.Column("gate", sa.String),
        sa.Column("rounds", sa.Text),
        sa.Column("justification", sa.Text, nullable=False),
        sa.Column("compensating_controls", sa.Text, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("requester", sa.Text, nullable=False),
        sa.Column("approver", sa.Text),
        sa.Column("approved_on", sa.Date),
        sa.Column("expires_on", sa.Date, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("organisation", sa.String),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_waivers_scope", "waivers", ["subject_code", "rubric_id", "rubric_major"])
    op.create_index("ix_waivers_organisation", "waivers", ["organisation"])
    op.create_index("ix_waivers_expires_on", "waivers", ["expires_on"])
    op.create_table(
        "waiver_events",
        sa.Column("waiver_id", sa.String, sa.ForeignKey("waivers.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.Text, nullable=False),
        sa.Column("organisation", sa.String),
        sa.Column("reason", sa.Text),
    )
    op.add_column("submissions", sa.Column("waivers_applied", sa.Integer))
    op.add_column("submissions", sa.Column("unwaived_level", sa.Integer))
    op.add_column("submissions", sa.Column("unwaived_outcome_id", sa.String))


def downgrade() -> None:
    # Not batch mode (0002 says why); SQLite drops an unindexed column in place.
    op.drop_column("submissions", "unwaived_outcome_id")
    op.drop_column("submissions", "unwaived_level")
    op.drop_column("submissions", "waivers_applied")
    op.drop_table("waiver_events")
    op.drop_table("waivers")
