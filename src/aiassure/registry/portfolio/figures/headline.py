"""The section's headline counts: submissions, subjects, assessments by other organisations, failed gates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Headline
from ..queries import one_where

if TYPE_CHECKING:
    from sqlalchemy import Connection, Subquery


def build(conn: Connection, current: Subquery) -> Headline:
    from sqlalchemy import func, select

    row = conn.execute(
        select(
            func.count().label("submissions"),
            func.avg(current.c.completeness).label("mean_completeness"),
            func.sum(one_where(current.c.failed_gate_count > 0)).label("with_failed_gates"),
            func.count(current.c.subject_code.distinct()).label("subjects"),
            func.count(current.c.assessed_by_code).label("by_other_organisations"),
        )
    ).one()
    return Headline(
        submissions=row.submissions,
        subjects=row.subjects,
        by_other_organisations=row.by_other_organisations,
        with_failed_gates=int(row.with_failed_gates or 0),
        mean_completeness=None if row.mean_completeness is None else float(row.mean_completeness),
    )
