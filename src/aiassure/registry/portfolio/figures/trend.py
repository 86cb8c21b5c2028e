"""The overall distribution and pillar means in every round up to this one, under one major version."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Distribution, RoundTrend, RubricInfo
from ..queries import EVERYONE, Among, current_of
from . import distributions

if TYPE_CHECKING:
    from sqlalchemy import Connection


def build(
    conn: Connection, rubric_id: str, major: int, rounds: list[str], info: RubricInfo, among: Among = EVERYONE
) -> list[RoundTrend]:
    current = current_of(rubric_id, major, rounds, among)
    by_round = distributions.build(conn, current, info, by_round=True)
    return [
        RoundTrend(
            r,
            by_round.get((r, "overall", "overall"))
            or Distribution("overall", "overall", "Overall", (0,) * (info.top + 1), 0, None, None, None, None),
            {p: (by_round[(r, "pillar", p)].mean if (r, "pillar", p) in by_round else None) for p, _ in info.pillars},
        )
        for r in rounds
    ]
