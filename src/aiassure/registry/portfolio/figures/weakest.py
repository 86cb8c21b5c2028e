"""The criteria with the lowest mean credited level nationally."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ....assessments.scoring import COUNTED
from ..model import TOP, RubricInfo, WeakCriterion

if TYPE_CHECKING:
    from sqlalchemy import Connection, Subquery


def build(conn: Connection, current: Subquery, info: RubricInfo) -> list[WeakCriterion]:
    """The criteria with the lowest mean credited level nationally (counted answers only)."""
    from sqlalchemy import Float, cast, func, select

    from ...schema import scores as sc

    mean = cast(func.avg(sc.c.level), Float).label("mean")
    rows = conn.execute(
        select(sc.c.scope_id, mean, func.count())
        .select_from(sc.join(current, current.c.id == sc.c.submission_id))
        .where(sc.c.scope == "criterion", sc.c.status.in_(COUNTED))
        .group_by(sc.c.scope_id)
        .order_by(mean.asc(), sc.c.scope_id)
        .limit(TOP)
    )
    found = []
    for criterion, average, n in rows:
        question, domain = info.questions.get(criterion, ("", ""))
        found.append(WeakCriterion(criterion, question, info.title_of("domain", domain), average, n))
    return found
