"""Subjects with a failed gate or a low overall level: who needs support, weakest first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...store import columns
from ..model import LISTED_COLUMNS, SUPPORT_LEVEL, SupportCase
from ..queries import from_row, with_overall

if TYPE_CHECKING:
    from sqlalchemy import Connection, Subquery


def build(conn: Connection, current: Subquery, limit: int) -> tuple[list[SupportCase], int]:
    """Subjects with a failed gate or an overall level at or below 1, weakest first."""
    from sqlalchemy import func, or_, select

    from ...schema import failed_gates

    scored = with_overall(current)
    needing = or_(scored.c.failed_gate_count > 0, scored.c.level <= SUPPORT_LEVEL)
    total = conn.execute(select(func.count()).select_from(scored).where(needing)).scalar_one()
    rows = conn.execute(
        select(*columns(scored, ("id", *LISTED_COLUMNS, "region", "score", "level")))
        .where(needing)
        .order_by(
            scored.c.level.asc().nulls_first(),
            scored.c.failed_gate_count.desc(),
            scored.c.score.asc(),
            scored.c.subject_code,
            scored.c.assessed_by_name.nulls_first(),
        )
        .limit(limit)
    ).all()
    gates: dict[int, list[str]] = {row.id: [] for row in rows}
    if gates:
        for submission_id, criterion in conn.execute(
            select(failed_gates.c.submission_id, failed_gates.c.criterion)
            .where(failed_gates.c.submission_id.in_(list(gates)))
            .order_by(failed_gates.c.criterion)
        ):
            gates[submission_id].append(criterion)
    cases = [from_row(SupportCase, row, gates=tuple(gates[row.id])) for row in rows]
    return cases, total
