"""Where one result stands in the registry: national and peer-group medians of its round, and its earlier rounds.

What a report's executive summary shows with `report --db` (docs/reports.md). The medians are
over the subjects' own current submissions (not other organisations' assessments of them) of the
same rubric major version and round, the subject's own included: nationally, and within its peer
group, the first of `PEER_GROUPS` for its kind (organisations: the same org_type; technologies:
the same intended use).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..assessments.result import Result
from .intake import major_of
from .portfolio.figures import distributions
from .portfolio.model import PEER_GROUPS
from .portfolio.queries import current_submissions, latest_ingest, rubric_info

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from .sqltypes import Condition
    from .store import Registry

TREND_ROUNDS = 4  # the report's round and up to three before it


@dataclass(frozen=True)
class Median:
    """The median score of one scope (overall, or a pillar) among `peers` assessments with a score."""

    median: float | None
    peers: int


@dataclass(frozen=True)
class RoundScores:
    """One round of one subject's assessment: its outcome, overall and pillar scores and levels."""

    round: str
    outcome: str | None
    overall: tuple[float | None, int | None]
    pillars: dict[str, tuple[float | None, int | None]]

    @classmethod
    def of(cls, result: Result) -> RoundScores:
        return cls(
            result.round,
            result.outcome.label if result.outcome else None,
            (result.overall.score, result.overall.level),
            {p.id: (p.score, p.level) for p in result.pillars},
        )


@dataclass(frozen=True)
class Standing:
    """A result's standing in a registry (see the module's docstring). `national` and `peers` are
    keyed `overall` and `pillar:<id>`, and empty when the registry holds no assessment of the
    rubric's major version in the round; `earlier` is oldest first."""

    registry: str  # the registry's URL as shown, without a password
    as_of: dt.datetime | None  # the registry's latest ingest
    peer_group: str  # the column of the peer group: org_type or intended_use
    peer_value: str | None  # the subject's value of it (None: no peer group)
    national: dict[str, Median]
    peers: dict[str, Median]
    earlier: list[RoundScores]


def standing(registry: Registry, result: Result) -> Standing:
    """`result`'s standing in `registry`, read in one snapshot."""
    from .schema import submissions as s

    group = PEER_GROUPS[result.subject.type][0]
    value = getattr(result.subject, group)
    with registry.transaction(snapshot=True) as conn:
        national = _medians(conn, result, [])
        peers = _medians(conn, result, [s.c[group] == value]) if value is not None else {}
        return Standing(
            registry.shown,
            latest_ingest(conn),
            group,
            value,
            national,
            peers,
            _earlier(conn, result),
        )


def _medians(conn: Connection, result: Result, within: list[Condition]) -> dict[str, Median]:
    from sqlalchemy import exists, select

    from .schema import submissions as s

    major = major_of(result.rubric.version)
    where = [
        s.c.rubric_id == result.rubric.id,
        s.c.rubric_major == major,
        s.c.round == result.round,
        s.c.assessed_by_code.is_(None),
        *within,
    ]
    if not conn.execute(select(exists().where(s.c.superseded_by.is_(None), *where))).scalar():
        return {}
    current = current_submissions().where(*where).subquery("cur")
    found = distributions.build(conn, current, rubric_info(conn, result.rubric.id, major))
    return {
        f"{kind}:{ident}" if kind != "overall" else "overall": Median(d.median, d.assessed)
        for (kind, ident), d in found.items()
        if kind in ("overall", "pillar")
    }


def _earlier(conn: Connection, result: Result) -> list[RoundScores]:
    """The subject's current assessments of the same rubric in up to three rounds before the result's,
    by the same organisation (or, like the result, by none); oldest first."""
    from sqlalchemy import literal, select

    from .schema import assessor_key
    from .schema import scores as sc
    from .schema import submissions as s

    assessor = result.assessed_by.code if result.assessed_by else ""
    rows = conn.execute(
        select(s.c.id, s.c.round, s.c.outcome_label)
        .where(
            s.c.superseded_by.is_(None),
            s.c.rubric_id == result.rubric.id,
            s.c.subject_type == result.subject.type,
            s.c.subject_code == result.subject.code,
            assessor_key(s.c.assessed_by_code) == literal(assessor),
            s.c.round < result.round,
        )
        .order_by(s.c.round.desc())
        .limit(TREND_ROUNDS - 1)
    ).all()
    if not rows:
        return []
    scores: dict[int, dict[str, tuple[float | None, int | None]]] = {}
    for submission, scope, ident, score, level in conn.execute(
        select(sc.c.submission_id, sc.c.scope, sc.c.scope_id, sc.c.score, sc.c.level).where(
            sc.c.submission_id.in_([row.id for row in rows]), sc.c.scope.in_(("overall", "pillar"))
        )
    ):
        scores.setdefault(submission, {})["overall" if scope == "overall" else ident] = (score, level)
    earlier = []
    for row in reversed(rows):
        found = scores.get(row.id, {})
        pillars = {key: value for key, value in found.items() if key != "overall"}
        earlier.append(RoundScores(row.round, row.outcome_label, found.get("overall", (None, None)), pillars))
    return earlier


__all__ = ["TREND_ROUNDS", "Median", "RoundScores", "Standing", "standing"]
