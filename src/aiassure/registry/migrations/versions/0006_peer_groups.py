"""Peer groups of technologies (intended use, device class) as columns; an index for the latest ingest."""

# Technologies are benchmarked against technologies of the same intended use and of the same device
# class (issue 17), not against the supplier's organisation type and region: both become columns,
# filled in from each stored result, so that the percentiles stay window functions in SQL. The index
# on ingested_at lets the portfolio say "data as of" the latest ingest without reading every row.
#
# Revision ID: 0006
# Revises: 0005
# Create Date: 2026-12-07

import sqlalchemy as sa
from alembic import op

from aiassure.errors import RegistryError

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


# Each stored result's subject field, read by the database itself: one UPDATE, however many rows,
# with no result JSON brought into Python (a national registry holds gigabytes of it).
FROM_RESULT = {
    "sqlite": "json_extract(result_json, '$.subject.{field}')",
    "postgresql": "(CAST(result_json AS json) -> 'subject' ->> '{field}')",
}


def upgrade() -> None:
    op.add_column("submissions", sa.Column("intended_use", sa.Text))
    op.add_column("submissions", sa.Column("device_class", sa.Text))
    op.create_index("ix_submissions_ingested_at", "submissions", ["ingested_at"])
    conn = op.get_bind()
    fields = ("intended_use", "device_class")
    read = FROM_RESULT.get(conn.dialect.name)
    if read is None:
        raise RegistryError(f"aiassure keeps its registry in SQLite or PostgreSQL, not {conn.dialect.name}")
    values = ", ".join(f"{name} = {read.format(field=name)}" for name in fields)
    conn.execute(sa.text(f"UPDATE submissions SET {values} WHERE subject_type = 'technology'"))


def downgrade() -> None:
    # Not batch mode (0002 says why); SQLite drops an unindexed column in place.
    op.drop_index("ix_submissions_ingested_at", table_name="submissions")
    op.drop_column("submissions", "device_class")
    op.drop_column("submissions", "intended_use")
