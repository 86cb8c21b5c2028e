"""Every subject's level in every domain, by name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...store import columns
from ..model import LISTED_COLUMNS, HeatRow, RubricInfo
from ..queries import by_name, from_row, with_overall

if TYPE_CHECKING:
    from sqlalchemy import Connection, Subquery


def build(conn: Connection, current: Subquery, info: RubricInfo, limit: int) -> list[HeatRow]:
    from sqlalchemy import select

    from ...schema import scores as sc

    scored = with_overall(current)
    subjects = conn.execute(
        select(*columns(scored, ("id", *LISTED_COLUMNS, "level"))).order_by(*by_name(scored.c)).limit(limit)
    ).all()
    cells: dict[int, dict[str, tuple[int | None, float | None]]] = {row.id: {} for row in subjects}
    if cells:
        for submission_id, ident, level, score in conn.execute(
            select(sc.c.submission_id, sc.c.scope_id, sc.c.level, sc.c.score).where(
                sc.c.submission_id.in_(list(cells)), sc.c.scope == "domain"
            )
        ):
            cells[submission_id][ident] = (level, score)
    domains = [d[0] for d in info.domains]
    return [
        from_row(HeatRow, row, overall=row.level, cells=tuple(cells[row.id].get(d, (None, None)) for d in domains))
        for row in subjects
    ]
