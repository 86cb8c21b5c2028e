"""An extra portfolio figure: the criteria most often claimed without evidence that counts."""

from __future__ import annotations

from typing import Any

from aiassure.registry.portfolio import PluginFigure, RubricInfo

MOST = 10


def build(conn: Any, current: Any, info: RubricInfo) -> list[tuple[str, str, int]]:
    """(criterion, question, submissions) for the criteria most often `unevidenced` in the current submissions."""
    from sqlalchemy import func, select

    from aiassure.registry.schema import scores

    count = func.count().label("submissions")
    rows = conn.execute(
        select(scores.c.scope_id, count)
        .select_from(scores.join(current, current.c.id == scores.c.submission_id))
        .where(scores.c.scope == "criterion", scores.c.status == "unevidenced")
        .group_by(scores.c.scope_id)
        .order_by(count.desc(), scores.c.scope_id)
        .limit(MOST)
    )
    return [(criterion, info.questions.get(criterion, ("", ""))[0], n) for criterion, n in rows]


EVIDENCE_GAPS = PluginFigure(
    title="Claims without evidence",
    description="The criteria most often claimed at a level that needs evidence, without evidence that counts.",
    columns=("criterion", "question", "submissions"),
    build=build,
)
