"""Each criterion's answer in the scores table, filled in from each stored result."""

# Exports carry the answer of every criterion (the AI stage, the device class, the checklist items
# met), not only its level (issue 17): `scores.answer` holds it as compact JSON, null when it was
# not answered. Rows stored before this revision are filled in from the result the engine computed
# from their stored submission bytes at ingest (`submissions.result_json`, whose `criteria[].answer`
# is the answer as the engine read it), not by parsing the bytes again: a migration runs without the
# rubric files and must not change with the parser. The same `answer_json` writes it at ingest, so a
# migrated row and a newly ingested one agree byte for byte. Submissions are read a batch at a time,
# so memory stays flat however large the registry.
#
# Revision ID: 0007
# Revises: 0006
# Create Date: 2026-12-07

import json

import sqlalchemy as sa
from alembic import op

from aiassure.registry.store import answer_json

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BATCH = 500  # submissions read at a time


def upgrade() -> None:
    op.add_column("scores", sa.Column("answer", sa.Text))
    conn = op.get_bind()
    submissions = sa.table("submissions", sa.column("id", sa.Integer), sa.column("result_json", sa.Text))
    scores = sa.table(
        "scores",
        sa.column("submission_id", sa.Integer),
        sa.column("scope", sa.String),
        sa.column("scope_id", sa.String),
        sa.column("answer", sa.Text),
    )
    fill = (
        scores.update()
        .where(
            scores.c.submission_id == sa.bindparam("submission"),
            scores.c.scope == "criterion",
            scores.c.scope_id == sa.bindparam("criterion"),
        )
        .values(answer=sa.bindparam("given"))
    )
    last = 0
    while True:
        batch = conn.execute(
            sa.select(submissions.c.id, submissions.c.result_json)
            .where(submissions.c.id > last)
            .order_by(submissions.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            break
        values = [
            {"submission": ident, "criterion": criterion["id"], "given": answer_json(criterion.get("answer"))}
            for ident, text in batch
            for criterion in json.loads(text).get("criteria", [])
            if criterion.get("answer") is not None
        ]
        if values:
            conn.execute(fill, values)
        last = batch[-1].id


def downgrade() -> None:
    # Not batch mode (0002 says why); SQLite drops an unindexed column in place.
    op.drop_column("scores", "answer")
