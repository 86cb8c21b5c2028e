"""The SELECTs the portfolio's figures and the registry's export share: current submissions, overall scores, peers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, SupportsFloat, TypeVar

from ...rubrics.loader import version_key
from ..store import ASSESSOR_COLUMNS, SUBJECT_COLUMNS, columns
from .model import LISTED_COLUMNS, LISTED_FIELDS, PEER_GROUPS, RubricInfo

if TYPE_CHECKING:
    from _typeshed import DataclassInstance
    from sqlalchemy import ColumnElement, Connection, Subquery
    from sqlalchemy.sql.expression import FromClause

    from ..sqltypes import Columns, Condition, Expression, Query, ResultRow

T = TypeVar("T", bound="DataclassInstance")
# The value of a text column a figure counts by (NULL where the submission gave none).
Value = TypeVar("Value", bound="str | None")


def one_where(condition: Condition) -> ColumnElement[int]:
    """1 where the condition holds, else 0: for counting with SUM."""
    from sqlalchemy import case

    return case((condition, 1), else_=0)


def as_float(value: SupportsFloat | None) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class Among:
    """Which subjects a portfolio covers: every one, or those of one region and/or one org_type (the
    subject's own, as its submission gives them). Applied in SQL wherever the current submissions are
    read, so that every figure, trend, mover and percentile is computed among them alone."""

    region: str | None = None
    org_type: str | None = None

    def where(self, table: FromClause) -> list[Condition]:
        """The WHERE conditions on a table (or subquery) with `region` and `org_type` columns."""
        conditions: list[Condition] = []
        if self.region is not None:
            conditions.append(table.c.region == self.region)
        if self.org_type is not None:
            conditions.append(table.c.org_type == self.org_type)
        return conditions

    def shown(self) -> dict[str, str]:
        """The filters given, by name, for the portfolio's JSON and its reader."""
        given = {"region": self.region, "org_type": self.org_type}
        return {name: value for name, value in given.items() if value is not None}


EVERYONE = Among()


def current_of(rubric_id: str, major: int, rounds: list[str], among: Among = EVERYONE) -> Subquery:
    """The current (not superseded) submissions of one rubric major version in some rounds, of the
    subjects `among` covers."""
    from ..schema import submissions as s

    return (
        current_submissions()
        .where(s.c.rubric_id == rubric_id, s.c.rubric_major == major, s.c.round.in_(rounds), *among.where(s))
        .subquery("cur")
    )


def current_submissions() -> Query:
    """SELECT of the current submissions' facts the portfolio needs; narrow it with `.where`."""
    from sqlalchemy import select

    from ..schema import submissions as s

    return select(
        s.c.id,
        s.c.rubric_id,
        s.c.rubric_major,
        s.c.round,
        *columns(s, (*SUBJECT_COLUMNS, *ASSESSOR_COLUMNS)),
        s.c.intended_use,
        s.c.device_class,
        s.c.completeness,
        s.c.failed_gate_count,
        s.c.outcome_label,
        # scored with waivers: the outcome with them and the overall level and outcome without (figures/waivers.py)
        s.c.outcome_id,
        s.c.waivers_applied,
        s.c.unwaived_level,
        s.c.unwaived_outcome_id,
    ).where(s.c.superseded_by.is_(None))


# A subject in one round of one rubric major version: what "organisations assessing it" counts over.
SUBJECT_ROUND = ("rubric_id", "rubric_major", "round", "subject_type", "subject_code")


def assessing_organisations(current: Subquery) -> Query:
    """SELECT of each subject's number of distinct organisations (assessed_by codes) with a current
    assessment of it, per rubric major version and round, among `current` (a subquery of
    current_submissions); the subject's own submission is not counted."""
    from sqlalchemy import func, select

    keys = [current.c[name] for name in SUBJECT_ROUND]
    return select(*keys, func.count(current.c.assessed_by_code.distinct()).label("organisations")).group_by(*keys)


def latest_ingest(conn: Connection) -> dt.datetime | None:
    """The registry's latest ingest time, as an aware UTC time (SQLite hands back the naive UTC time
    it was given): the portfolio's and the reports' "data as of"."""
    from sqlalchemy import func, select

    from ..schema import submissions as s

    moment: dt.datetime | None = conn.execute(select(func.max(s.c.ingested_at))).scalar()
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def rubric_info(conn: Connection, rubric_id: str, major: int) -> RubricInfo:
    from sqlalchemy import select

    from ..schema import rubrics

    stored = conn.execute(
        select(rubrics.c.version, rubrics.c.definition).where(
            rubrics.c.rubric_id == rubric_id, rubrics.c.major == major
        )
    ).all()
    _, definition = max(stored, key=lambda row: version_key(row[0]))
    return RubricInfo.from_definition(major, definition)


def grouped(conn: Connection, column: ColumnElement[Value]) -> list[tuple[Value, int]]:
    """How many current submissions have each value of a column of theirs, most first."""
    from sqlalchemy import func, select

    rows = conn.execute(select(column, func.count()).group_by(column)).all()
    return sorted(((value, n) for value, n in rows), key=lambda item: (-item[1], item[0] is None, item[0] or ""))


def with_overall(current: Subquery) -> Subquery:
    """Current submissions with their overall score and level."""
    from sqlalchemy import and_, select

    from ..schema import scores as sc

    return (
        select(current, sc.c.score, sc.c.level)
        .select_from(current.join(sc, and_(sc.c.submission_id == current.c.id, sc.c.scope == "overall")))
        .subquery()
    )


def benchmark_query(current: Subquery, groups: tuple[str, ...] = PEER_GROUPS["organisation"]) -> Query:
    """Each current subject with an overall score, and its percentile nationally and within each of
    `groups` (columns of the current submissions: org_type and region for organisations).

    percentile = 100 x (peers strictly below + half the peers with the same score, itself
    included) / peers, itself included; peers are the subjects of the same rubric, major version
    and round with an overall score (all of them, or those with the same value of the group's
    column). A subject without a value for a group (no region, no device class) has no percentile
    there: `{group}_percentile` and `{group}_peers` are null. `current` may span several rubrics and
    rounds. Every count is returned: the portfolio, not the SQL, decides which are too few."""
    from sqlalchemy import Float, case, cast, func, literal, select

    scored = with_overall(current)
    base = select(scored).where(scored.c.score.is_not(None)).subquery("scored")

    def percentile(*within: Expression) -> tuple[ColumnElement[float], ColumnElement[int]]:
        group = [base.c.rubric_id, base.c.rubric_major, base.c.round, *within]
        below = func.rank().over(partition_by=group, order_by=base.c.score) - 1
        ties = func.count().over(partition_by=[*group, base.c.score])
        peers = func.count().over(partition_by=group)
        return cast(literal(100.0) * (below + literal(0.5) * ties) / peers, Float), peers

    national_percentile, national_peers = percentile()
    within = []
    for name in groups:
        value, peers = percentile(base.c[name])
        missing = base.c[name].is_(None)
        within += [
            case((missing, None), else_=value).label(f"{name}_percentile"),
            case((missing, None), else_=peers).label(f"{name}_peers"),
        ]
    return select(
        *columns(base, ("id", *LISTED_COLUMNS, "region", *(g for g in groups if g not in (*LISTED_COLUMNS, "region")))),
        base.c.score,
        base.c.level,
        national_percentile.label("national_percentile"),
        national_peers.label("national_peers"),
        *within,
    )


def from_row(kind: type[T], row: ResultRow, **given: object) -> T:
    """A figure's dataclass from a result row: each field read from the column of the same label (the
    fields naming an assessment from LISTED_COLUMNS), except those `given`."""
    labels = {name: label for label, name in LISTED_FIELDS.items()}
    values = {
        f.name: given[f.name] if f.name in given else row._mapping[labels.get(f.name, f.name)] for f in fields(kind)
    }
    return kind(**values)


def by_name(listed: Columns) -> list[Expression]:
    """Alphabetical by subject; a subject's own submission before organisations' assessments of it."""
    return [listed.subject_name, listed.subject_code, listed.assessed_by_name.nulls_first()]


__all__ = [
    "EVERYONE",
    "SUBJECT_ROUND",
    "Among",
    "as_float",
    "assessing_organisations",
    "benchmark_query",
    "by_name",
    "current_of",
    "current_submissions",
    "grouped",
    "latest_ingest",
    "from_row",
    "one_where",
    "rubric_info",
    "with_overall",
]
