"""Technologies that meet the scaling rule, with the organisations that assessed each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import SCALING_RULE, AssessingOrganisation, Candidate, ScalingRule
from ..queries import one_where

if TYPE_CHECKING:
    from sqlalchemy import Connection, Subquery


def build(conn: Connection, current_subquery: Subquery, rule: ScalingRule = SCALING_RULE) -> list[Candidate]:
    """Technologies meeting `rule` (model.ScalingRule: its bar in their deciding assessments, the
    supplier's own submission when there is a current one, else every current assessment by an
    organisation); with the organisations that assessed each, and whether their own assessment
    meets the bar. The SQL below is `rule.meets` and `rule.decides` over the stored scores."""
    from sqlalchemy import Float, and_, case, cast, func, or_, select

    from ...schema import scores as sc

    # Read once, through the round's index: with the subquery flattened, SQLite would rather read
    # every round in subject order (ix_submissions_subject) than sort one round for the window below.
    current = select(current_subquery).cte("round_current").prefix_with("MATERIALIZED")
    pillars = (
        select(
            sc.c.submission_id,
            func.min(sc.c.level).label("lowest"),
            func.count().label("n"),
            func.count(sc.c.level).label("assessed"),
        )
        .where(sc.c.scope == "pillar", sc.c.submission_id.in_(select(current.c.id)))
        .group_by(sc.c.submission_id)
        .subquery()
    )
    qualifies = and_(  # rule.meets: a NULL completeness or a missing pillar row leaves it NULL, counted 0
        current.c.failed_gate_count == 0,
        current.c.completeness >= rule.completeness,
        pillars.c.assessed == pillars.c.n,  # a pillar not assessed fails
        pillars.c.lowest >= rule.pillar_level,
    )
    own = current.c.assessed_by_code.is_(None)
    # One row per current assessment of a technology; a missing pillar row leaves `qualifies` NULL: 0.
    assessments = (
        select(
            current.c.subject_code,
            current.c.subject_name,
            current.c.assessed_by_code,
            current.c.assessed_by_name,
            current.c.completeness,
            pillars.c.lowest,
            one_where(qualifies).label("qualifies"),
            one_where(own).label("own"),
            func.max(one_where(own)).over(partition_by=current.c.subject_code).label("has_own"),
        )
        # No test of subject_type: every subject of a technology rubric is a technology (validation
        # holds it), and that test would lead SQLite to read every round through ix_submissions_current.
        .select_from(current.outerjoin(pillars, pillars.c.submission_id == current.c.id))
        .subquery("assessments")
    )
    a = assessments.c
    deciding = or_(a.own == 1, a.has_own == 0)  # rule.decides
    lowest = func.min(case((deciding, a.lowest)))
    candidates = (
        select(
            a.subject_code,
            func.coalesce(func.max(case((a.own == 1, a.subject_name))), func.max(a.subject_name)).label("name"),
            lowest.label("lowest"),
            cast(func.min(case((deciding, a.completeness))), Float).label("completeness"),
            func.max(a.own).label("supplier_assessed"),
            func.count(a.assessed_by_code.distinct()).label("organisations"),
            func.count(case((a.qualifies == 1, a.assessed_by_code)).distinct()).label("meeting"),
        )
        .group_by(a.subject_code)
        .having(func.sum(one_where(and_(deciding, a.qualifies == 0))) == 0)
        .subquery("candidates")
    )
    organisations: dict[str, list[AssessingOrganisation]] = {}
    for code, org_code, org_name, meets in conn.execute(
        select(a.subject_code, a.assessed_by_code, a.assessed_by_name, a.qualifies)
        .where(a.assessed_by_code.is_not(None), a.subject_code.in_(select(candidates.c.subject_code)))
        .order_by(a.subject_code, a.assessed_by_name, a.assessed_by_code)
    ):
        organisations.setdefault(code, []).append(AssessingOrganisation(org_code, org_name, bool(meets)))
    rows = conn.execute(select(candidates).order_by(candidates.c.lowest.desc(), candidates.c.subject_code))
    return [
        Candidate(
            row.subject_code,
            row.name,
            row.lowest,
            row.completeness,
            bool(row.supplier_assessed),
            row.organisations,
            row.meeting,
            tuple(organisations.get(row.subject_code, ())),
        )
        for row in rows
    ]
