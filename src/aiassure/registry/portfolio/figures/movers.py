"""The assessments whose overall score rose or fell most since the previous round."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...store import columns
from ..model import LISTED_COLUMNS, MOVERS, Mover
from ..queries import EVERYONE, Among, current_of, from_row, with_overall

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from ...sqltypes import Condition, Expression


def build(
    conn: Connection, rubric_id: str, major: int, round_: str, previous: str, among: Among = EVERYONE
) -> tuple[list[Mover], list[Mover]]:
    """Assessments whose overall score changed most since the previous round, up and down: a subject's
    own submission is compared with its own, an organisation's assessment of it with that organisation's
    (both among the subjects `among` covers, as each round's submission gives its region and org_type)."""
    from sqlalchemy import and_, select

    from ...schema import assessor_key

    now = with_overall(current_of(rubric_id, major, [round_], among))
    before = with_overall(current_of(rubric_id, major, [previous], among))
    change = (now.c.score - before.c.score).label("change")
    query = select(
        *columns(now, (*LISTED_COLUMNS, "region")),
        before.c.score.label("before"),
        now.c.score.label("after"),
        before.c.level.label("level_before"),
        now.c.level.label("level_after"),
        change,
    ).select_from(
        now.join(
            before,
            and_(
                now.c.subject_type == before.c.subject_type,
                now.c.subject_code == before.c.subject_code,
                assessor_key(now.c.assessed_by_code) == assessor_key(before.c.assessed_by_code),
            ),
        )
    )

    def movers(direction: Condition, order: Expression) -> list[Mover]:
        rows = conn.execute(query.where(direction).order_by(order, now.c.subject_code).limit(MOVERS))
        return [from_row(Mover, row) for row in rows]

    return movers(change > 0, change.desc()), movers(change < 0, change.asc())
