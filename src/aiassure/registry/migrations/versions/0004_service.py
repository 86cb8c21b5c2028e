"""The submission service: organisations, API tokens, receipts, the audit trail, and each submission's supplier code."""

# Revision ID: 0004
# Revises: 0002
# Create Date: 2026-12-07

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None

# The audit trail is append-only in the database itself, not only in aiassure's code: whoever edits
# or deletes an event has to drop these triggers first, and the hash chain still shows it.
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
    for verb in ("UPDATE", "DELETE")
]
POSTGRES_TRIGGERS = [
    "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$",
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
]


def upgrade() -> None:
    # Whose product a technology submission is: its supplier's code, so that a vendor's readers
    # see its products' submissions. Filled in from each stored result.
    op.add_column("submissions", sa.Column("supplier_code", sa.String))
    op.create_index("ix_submissions_supplier", "submissions", ["supplier_code"])
    submissions = sa.table(
        "submissions", sa.column("id", sa.Integer), sa.column("result_json", sa.Text), sa.column("supplier_code")
    )
    conn = op.get_bind()
    technology = conn.execute(
        sa.select(submissions.c.id, submissions.c.result_json).where(sa.text("subject_type = 'technology'"))
    )
    for row in technology.fetchall():
        supplier = (json.loads(row.result_json)["subject"].get("supplier") or {}).get("code")
        if supplier:
            conn.execute(sa.update(submissions).where(submissions.c.id == row.id).values(supplier_code=supplier))

    op.create_table(
        "organisations",
        sa.Column("code", sa.String, primary_key=True),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("organisation", sa.String, sa.ForeignKey("organisations.code"), nullable=False),
        sa.Column("role", sa.String, nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_api_tokens_organisation", "api_tokens", ["organisation"])
    op.create_table(
        "receipts",
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("organisation", sa.String),
        sa.Column("token_id", sa.String),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.String, nullable=False),
        sa.Column("principal", sa.Text, nullable=False),
        sa.Column("token_id", sa.String),
        sa.Column("organisation", sa.String),
        sa.Column("action", sa.String, nullable=False),
        sa.Column("object", sa.Text),
        sa.Column("outcome", sa.String, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("request_id", sa.String),
        sa.Column("client", sa.String),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    for statement in POSTGRES_TRIGGERS if conn.dialect.name == "postgresql" else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    """Back to 0002: the service's tables go (the audit trail with them), the submissions stay."""
    conn = op.get_bind()
    op.drop_table("audit_events")
    if conn.dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_events_append_only()")
    op.drop_table("receipts")
    op.drop_table("api_tokens")
    op.drop_table("organisations")
    op.drop_index("ix_submissions_supplier", table_name="submissions")
    # In place, not batch mode: copying the table on SQLite would cascade-delete every score.
    op.drop_column("submissions", "supplier_code")
