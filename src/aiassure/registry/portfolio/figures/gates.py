"""The gates failed most often, with their questions and the share of submissions failing each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import TOP, GateCount, RubricInfo

if TYPE_CHECKING:
    from sqlalchemy import Connection, Subquery


def build(conn: Connection, current: Subquery, info: RubricInfo, submissions: int) -> list[GateCount]:
    from sqlalchemy import func, select

    from ...schema import failed_gates

    failed = func.count().label("failed")
    rows = conn.execute(
        select(failed_gates.c.criterion, failed)
        .select_from(failed_gates.join(current, current.c.id == failed_gates.c.submission_id))
        .group_by(failed_gates.c.criterion)
        .order_by(failed.desc(), failed_gates.c.criterion)
        .limit(TOP)
    )
    return [
        GateCount(criterion, info.questions.get(criterion, ("", ""))[0], n, n / submissions) for criterion, n in rows
    ]
