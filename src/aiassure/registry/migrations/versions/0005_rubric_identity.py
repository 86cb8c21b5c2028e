"""Rubric identity pinned: one fingerprint per rubric id and version."""

# `id@version` names exactly one rubric text: a second text under the same id and version (a
# vendor-shipped look-alike of an official rubric) is refused by the database itself, so no
# interleaving of concurrent ingests can store two. A registry that already holds two texts under
# one id@version (written before this revision) is not silently changed: the upgrade stops and
# names them, for an administrator to decide which submissions to keep.
#
# Revision ID: 0005
# Revises: 0004
# Create Date: 2026-12-07

import sqlalchemy as sa
from alembic import op

from aiassure.errors import RegistryError

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conflicts = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT rubric_id, version FROM rubrics GROUP BY rubric_id, version HAVING count(*) > 1 "
                "ORDER BY rubric_id, version"
            )
        )
        .all()
    )
    if conflicts:
        named = ", ".join(f"{row.rubric_id}@{row.version}" for row in conflicts)
        raise RegistryError(
            f"the registry holds more than one rubric text under {named}; one id@version must name one "
            "rubric: delete the submissions scored against the unofficial text, then upgrade again"
        )
    op.create_index("ix_rubrics_id_version", "rubrics", ["rubric_id", "version"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_rubrics_id_version", table_name="rubrics")
