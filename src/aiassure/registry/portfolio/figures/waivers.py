"""The section's waivers: those in force on today, those of them expiring soon, and the subjects whose
outcome depends on one (docs/registry.md)."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from ...waivers import EXPIRING_DAYS
from ..model import WaiverCounts
from ..queries import one_where, with_overall

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Connection, Subquery


def build(
    conn: Connection, current: Subquery, rubric_id: str, major: int, round_: str, today: dt.date
) -> WaiverCounts | None:
    """Over the waivers of the rubric's major version that cover `round_` and whose subject has a
    current submission in the section: how many are in force on `today`, and how many of those expire
    within EXPIRING_DAYS; and how many of the section's subjects have an outcome (the rubric's outcome,
    or the overall level) with their waivers other than without. None when the section has no waiver
    and no result scored with one: the portfolio then says nothing of waivers."""
    from sqlalchemy import and_, func, literal_column, or_, select

    from ...schema import waivers as w

    subjects = select(current.c.subject_code).distinct()
    ours = and_(
        w.c.rubric_id == rubric_id,
        w.c.rubric_major == major,
        w.c.subject_code.in_(subjects),
        # rounds is a JSON list of round texts, or null for every round
        or_(w.c.rounds.is_(None), w.c.rounds.contains(json.dumps(round_), autoescape=True)),
    )
    in_force = and_(w.c.status == "approved", w.c.approved_on <= today, w.c.expires_on > today)
    soon = and_(in_force, w.c.expires_on <= today + dt.timedelta(days=EXPIRING_DAYS))
    counted = conn.execute(
        select(
            func.count().label("waivers"),
            func.sum(one_where(in_force)).label("active"),
            func.sum(one_where(soon)).label("expiring"),
        ).where(ours)
    ).one()
    none: ColumnElement[str] = literal_column("''")
    scored = with_overall(current)
    differs = or_(
        func.coalesce(scored.c.outcome_id, none) != func.coalesce(scored.c.unwaived_outcome_id, none),
        func.coalesce(scored.c.level, -1) != func.coalesce(scored.c.unwaived_level, -1),
    )
    waived = conn.execute(
        select(
            func.count().label("waived"),
            func.count(func.distinct(scored.c.subject_code)).filter(differs).label("depending"),
        ).where(scored.c.waivers_applied > 0)
    ).one()
    if not counted.waivers and not waived.waived:
        return None
    return WaiverCounts(
        active=int(counted.active or 0),
        expiring=int(counted.expiring or 0),
        expiring_days=EXPIRING_DAYS,
        depending=int(waived.depending or 0),
        today=today,
        stale=_stale(conn, current, in_force) if waived.waived else 0,
    )


def _stale(conn: Connection, current: Subquery, in_force: ColumnElement[bool]) -> int:
    """How many of the section's current results apply a waiver (by fingerprint) that is not in
    force on today: expired or revoked since they were scored (docs/waivers.md, refresh-waivers)."""
    from sqlalchemy import select

    from ....assessments.result import Result
    from ...schema import submissions as s
    from ...schema import waivers as w

    live = set(conn.execute(select(w.c.fingerprint).where(in_force)).scalars())
    query = select(s.c.result_json).where(s.c.id.in_(select(current.c.id).where(current.c.waivers_applied > 0)))
    stale = 0
    for text in conn.execute(query).scalars():
        recorded = Result.model_validate_json(text).waivers
        stale += any(ref.fingerprint not in live for ref in (recorded.applied if recorded else []))
    return stale
