"""The national portfolio, aggregated in SQL: distributions, trends, peer benchmarks, scaling candidates, support."""

# Every figure is computed by the database over the current submissions of one rubric (one major
# version) in one round; Python only receives aggregates and bounded lists, so memory does not grow
# with the number of submissions. docs/registry.md defines each figure.

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..errors import NotFoundError, UsageError
from ..rubrics.loader import version_key
from .store import ASSESSOR_COLUMNS, SUBJECT_COLUMNS, Registry, columns, rubric_filter

# Subjects listed one per row (heatmap, benchmarks, support) are capped in the report: the export
# holds every row.
LIST_LIMIT = 200
TOP = 10  # gates, weakest criteria
MOVERS = 5
# Scaling candidates (the rule): every pillar at this level or above, no failed gate,
# completeness at least this.
CANDIDATE_PILLAR_LEVEL = 3
CANDIDATE_COMPLETENESS = 0.9
SUPPORT_LEVEL = 1  # organisations at or below this overall level need support
COUNTED = ("credited", "unevidenced", "unanswered")
# How the report's lists name an assessment: the leading fields of Mover, Benchmark, SupportCase and HeatRow.
LISTED_COLUMNS = ("subject_code", "subject_name", "assessed_by_name", "org_type")


@dataclass(frozen=True)
class RubricInfo:
    """What the report needs of a rubric, from the newest stored version of its major version."""

    id: str
    major: int
    version: str
    title: str
    subject: str
    labels: dict[int, str]
    pillars: list[tuple[str, str]]  # (id, title), rubric order
    domains: list[tuple[str, str, str]]  # (id, title, pillar)
    questions: dict[str, tuple[str, str]]  # criterion id -> (question, domain id)

    @property
    def top(self) -> int:
        return max(self.labels)

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.major}"

    def title_of(self, kind: str, ident: str) -> str:
        if kind == "overall":
            return "Overall"
        table = dict(self.pillars) if kind == "pillar" else {d[0]: d[1] for d in self.domains}
        return table.get(ident, ident)

    @classmethod
    def from_definition(cls, major: int, definition: str) -> RubricInfo:
        model = json.loads(definition)
        labels = {int(s["level"]): s["label"] for s in model["scale"]}
        pillars = [(p["id"], p["title"]) for p in model["pillars"]]
        domains = [(d["id"], d["title"], d.get("pillar") or "") for d in model["domains"]]
        questions = {c["id"]: (c["question"], d["id"]) for d in model["domains"] for c in d["criteria"]}
        return cls(
            model["id"], major, model["version"], model["title"], model["subject"], labels, pillars, domains, questions
        )


@dataclass(frozen=True)
class Distribution:
    """How the current submissions spread over the levels of one scope, with the spread of scores."""

    kind: str  # overall | pillar | domain
    id: str
    title: str
    counts: tuple[int, ...]  # submissions at each level 0..top
    not_assessed: int
    mean: float | None
    minimum: float | None
    median: float | None
    maximum: float | None

    @property
    def assessed(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class RoundTrend:
    round: str
    overall: Distribution
    pillar_means: dict[str, float | None]


@dataclass(frozen=True)
class Mover:
    code: str
    name: str
    assessed_by: str | None  # the assessing organisation's name; None for the subject's own submission
    org_type: str
    region: str | None
    before: float
    after: float
    level_before: int
    level_after: int

    @property
    def change(self) -> float:
        return round(self.after - self.before, 2)


@dataclass(frozen=True)
class Benchmark:
    """A subject's overall score and its percentile among its peers (docs/registry.md)."""

    code: str
    name: str
    assessed_by: str | None
    org_type: str
    region: str | None
    score: float
    level: int
    national_percentile: float
    national_peers: int
    org_type_percentile: float
    org_type_peers: int
    region_percentile: float | None
    region_peers: int | None


@dataclass(frozen=True)
class AssessingOrganisation:
    """An organisation with a current assessment of a technology in the round."""

    code: str
    name: str
    meets_bar: bool  # its own assessment meets the scaling rule


@dataclass(frozen=True)
class Candidate:
    """A technology that meets the scaling rule in the round (docs/registry.md: which assessments decide)."""

    code: str
    name: str
    # The deciding assessments' weakest pillar and completeness: the supplier's own submission when
    # there is one (`supplier_assessed`), else every organisation's assessment.
    lowest_pillar: int
    completeness: float
    supplier_assessed: bool
    organisations: int  # distinct organisations (assessed_by codes) with a current assessment of it
    organisations_meeting_bar: int  # of those, how many assessed it as meeting the rule themselves
    assessed_by: tuple[AssessingOrganisation, ...]  # by name


@dataclass(frozen=True)
class SupportCase:
    code: str
    name: str
    assessed_by: str | None
    org_type: str
    region: str | None
    score: float | None
    level: int | None
    gates: tuple[str, ...]


@dataclass(frozen=True)
class GateCount:
    criterion: str
    question: str
    failed: int
    share: float


@dataclass(frozen=True)
class WeakCriterion:
    criterion: str
    question: str
    domain: str
    mean: float
    counted: int


@dataclass(frozen=True)
class HeatRow:
    code: str
    name: str
    assessed_by: str | None
    org_type: str
    overall: int | None
    cells: tuple[tuple[int | None, float | None], ...]  # per domain: (level, score)


@dataclass
class Section:
    """The portfolio of one rubric (one major version) in one round."""

    rubric: RubricInfo
    round: str
    versions: list[str]
    submissions: int  # current submissions: one per assessment
    subjects: int  # distinct subjects among them
    by_other_organisations: int  # of the submissions, those carried out by an organisation other than the subject
    org_types: list[tuple[str, int]]
    regions: list[tuple[str | None, int]]
    outcomes: list[tuple[str | None, int]]
    with_failed_gates: int
    mean_completeness: float | None
    overall: Distribution
    pillars: list[Distribution]
    domains: list[Distribution]
    heatmap: list[HeatRow]
    trend: list[RoundTrend]
    not_compared: list[tuple[str, list[int], int]]  # (round, other majors, submissions) left out of the trend
    previous_round: str | None
    movers_up: list[Mover]
    movers_down: list[Mover]
    benchmarks: list[Benchmark]
    candidates: list[Candidate] | None  # None: not a technology rubric
    support: list[SupportCase]
    support_total: int
    gates: list[GateCount]
    weakest: list[WeakCriterion]
    limit: int = LIST_LIMIT


@dataclass
class Portfolio:
    source: str
    sections: list[Section] = field(default_factory=list)


class MixedMajorVersions(UsageError):
    """Results under different major versions of a rubric were about to be compared."""


def build_portfolio(
    registry: Registry, *, round_: str | None = None, rubric: str | None = None, limit: int = LIST_LIMIT
) -> Portfolio:
    """One section per rubric: its latest round, or `round_`; `rubric` is ID, ID@MAJOR or ID@VERSION."""
    from sqlalchemy import func, select

    from .schema import submissions as s

    portfolio = Portfolio(registry.shown)
    with registry.transaction(snapshot=True) as conn:
        query = select(s.c.rubric_id, s.c.round, s.c.rubric_major, func.count()).where(s.c.superseded_by.is_(None))
        if rubric is not None:
            query = query.where(rubric_filter(s, rubric))
        groups = conn.execute(query.group_by(s.c.rubric_id, s.c.round, s.c.rubric_major)).all()
        counts = {(rid, rnd, major): n for rid, rnd, major, n in groups}
        for rubric_id in sorted({g[0] for g in groups}):
            rounds = sorted({rnd for rid, rnd, _ in counts if rid == rubric_id})
            target = round_ or rounds[-1]
            if target not in rounds:
                continue
            majors = sorted({major for rid, rnd, major in counts if rid == rubric_id and rnd == target})
            if len(majors) > 1:
                raise MixedMajorVersions(_mixed_message(rubric_id, target, majors, counts))
            major = majors[0]
            portfolio.sections.append(_section(conn, rubric_id, major, target, rounds, counts, limit))
    if not portfolio.sections:
        wanted = " and ".join(
            x for x in (f"round {round_}" if round_ else "", f"rubric {rubric}" if rubric else "") if x
        )
        raise NotFoundError(
            f"the registry {registry.shown} holds no current submission"
            + (f" for {wanted}" if wanted else "")
            + "; ingest some with `aiassure registry ingest`"
        )
    return portfolio


def _mixed_message(rubric_id: str, round_: str, majors: list[int], counts: dict[tuple[str, str, int], int]) -> str:
    held = ", ".join(f"{counts[(rubric_id, round_, m)]} under {m}.x" for m in majors)
    return (
        f"refusing to compare results across major versions of {rubric_id} in {round_} ({held}): "
        "a new major version changes what is asked or what a level means, "
        "so its scores do not line up with the old ones. "
        f"Choose one with --rubric {rubric_id}@{majors[-1]} (or @{majors[0]})"
    )


def _section(
    conn: Any,
    rubric_id: str,
    major: int,
    round_: str,
    rounds: list[str],
    counts: dict[tuple[str, str, int], int],
    limit: int,
) -> Section:
    from sqlalchemy import func, select

    from .schema import submissions as s

    info = _rubric_info(conn, rubric_id, major)
    current = _current(rubric_id, major, [round_])
    versions = sorted(
        conn.execute(select(s.c.rubric_version).where(s.c.id.in_(select(current.c.id))).distinct()).scalars(),
        key=version_key,
    )
    headline = conn.execute(
        select(
            func.count(),
            func.avg(current.c.completeness),
            func.sum(_when(current.c.failed_gate_count > 0)),
            func.count(current.c.subject_code.distinct()),
            func.count(current.c.assessed_by_code),
        )
    ).one()
    trend_rounds = [r for r in rounds if r <= round_ and (rubric_id, r, major) in counts]
    not_compared = []  # rounds up to this one holding results under another major version
    for r in (r for r in rounds if r <= round_):
        others = sorted(m for (rid, rnd, m) in counts if rid == rubric_id and rnd == r and m != major)
        if others:
            not_compared.append((r, others, sum(counts[(rubric_id, r, m)] for m in others)))
    previous = trend_rounds[-2] if len(trend_rounds) > 1 else None
    distributions = _distributions(conn, current, info)
    up, down = _movers(conn, rubric_id, major, round_, previous) if previous else ([], [])
    support, support_total = _support(conn, current, limit)
    return Section(
        rubric=info,
        round=round_,
        versions=versions,
        submissions=headline[0],
        subjects=headline[3],
        by_other_organisations=headline[4],
        org_types=_grouped(conn, current.c.org_type),
        regions=_grouped(conn, current.c.region),
        outcomes=_grouped(conn, current.c.outcome_label),
        with_failed_gates=int(headline[2] or 0),
        mean_completeness=None if headline[1] is None else float(headline[1]),
        overall=distributions[("overall", "overall")],
        pillars=[distributions[("pillar", p)] for p, _ in info.pillars if ("pillar", p) in distributions],
        domains=[distributions[("domain", d[0])] for d in info.domains if ("domain", d[0]) in distributions],
        heatmap=_heatmap(conn, current, info, limit),
        trend=_trend(conn, rubric_id, major, trend_rounds, info),
        not_compared=not_compared,
        previous_round=previous,
        movers_up=up,
        movers_down=down,
        benchmarks=_benchmarks(conn, current, limit),
        candidates=_candidates(conn, current) if info.subject == "technology" else None,
        support=support,
        support_total=support_total,
        gates=_gates(conn, current, info, headline[0]),
        weakest=_weakest(conn, current, info),
        limit=limit,
    )


# -- building blocks ----------------------------------------------------------------------------


def _when(condition: Any) -> Any:
    """1 where the condition holds, else 0: for counting with SUM."""
    from sqlalchemy import case

    return case((condition, 1), else_=0)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _current(rubric_id: str, major: int, rounds: list[str]) -> Any:
    """The current (not superseded) submissions of one rubric major version in some rounds."""
    from .schema import submissions as s

    return (
        current_submissions()
        .where(s.c.rubric_id == rubric_id, s.c.rubric_major == major, s.c.round.in_(rounds))
        .subquery("cur")
    )


def current_submissions() -> Any:
    """SELECT of the current submissions' facts the portfolio needs; narrow it with `.where`."""
    from sqlalchemy import select

    from .schema import submissions as s

    return select(
        s.c.id,
        s.c.rubric_id,
        s.c.rubric_major,
        s.c.round,
        *columns(s, (*SUBJECT_COLUMNS, *ASSESSOR_COLUMNS)),
        s.c.completeness,
        s.c.failed_gate_count,
        s.c.outcome_label,
    ).where(s.c.superseded_by.is_(None))


# A subject in one round of one rubric major version: what "organisations assessing it" counts over.
SUBJECT_ROUND = ("rubric_id", "rubric_major", "round", "subject_type", "subject_code")


def assessing_organisations() -> Any:
    """SELECT of each subject's number of distinct organisations (assessed_by codes) with a current
    assessment of it, per rubric major version and round; the subject's own submission is not counted."""
    from sqlalchemy import func, select

    current = current_submissions().subquery("cur")
    keys = [current.c[name] for name in SUBJECT_ROUND]
    return select(*keys, func.count(current.c.assessed_by_code.distinct()).label("organisations")).group_by(*keys)


def _rubric_info(conn: Any, rubric_id: str, major: int) -> RubricInfo:
    from sqlalchemy import select

    from .schema import rubrics

    stored = conn.execute(
        select(rubrics.c.version, rubrics.c.definition).where(
            rubrics.c.rubric_id == rubric_id, rubrics.c.major == major
        )
    ).all()
    _, definition = max(stored, key=lambda row: version_key(row[0]))
    return RubricInfo.from_definition(major, definition)


def _grouped(conn: Any, column: Any) -> list[tuple[Any, int]]:
    """How many current submissions have each value of a column of theirs, most first."""
    from sqlalchemy import func, select

    rows = conn.execute(select(column, func.count()).group_by(column)).all()
    return sorted(((value, n) for value, n in rows), key=lambda item: (-item[1], item[0] is None, item[0] or ""))


def _distributions(conn: Any, current: Any, info: RubricInfo, *, by_round: bool = False) -> dict[Any, Distribution]:
    """Level counts and score spread (min, median, max, mean) per scope, keyed by (kind, id), or by
    (round, kind, id) with `by_round`. The median is the middle row (or the mean of the two middle
    rows) by a window's row number, which SQLite and PostgreSQL both compute."""
    from sqlalchemy import Float, and_, cast, func, select

    from .schema import scores as sc

    joined = sc.join(current, current.c.id == sc.c.submission_id)
    scopes = sc.c.scope.in_(("overall", "pillar", "domain"))
    keys = [current.c.round] if by_round else []
    levels = conn.execute(
        select(*keys, sc.c.scope, sc.c.scope_id, sc.c.level, func.count())
        .select_from(joined)
        .where(scopes)
        .group_by(*keys, sc.c.scope, sc.c.scope_id, sc.c.level)
    ).all()
    spread = conn.execute(
        select(
            *keys,
            sc.c.scope,
            sc.c.scope_id,
            cast(func.avg(sc.c.score), Float),
            func.min(sc.c.score),
            func.max(sc.c.score),
        )
        .select_from(joined)
        .where(scopes, sc.c.score.is_not(None))
        .group_by(*keys, sc.c.scope, sc.c.scope_id)
    ).all()
    partition = [*keys, sc.c.scope, sc.c.scope_id]
    ranked = (
        select(
            *keys,
            sc.c.scope,
            sc.c.scope_id,
            sc.c.score,
            func.row_number().over(partition_by=partition, order_by=sc.c.score).label("position"),
            func.count().over(partition_by=partition).label("n"),
        )
        .select_from(joined)
        .where(scopes, sc.c.score.is_not(None))
        .subquery()
    )
    # 2 * position in {n, n + 1, n + 2} picks the middle row of an odd n, the two middle rows of an even n.
    middle = and_(2 * ranked.c.position >= ranked.c.n, 2 * ranked.c.position <= ranked.c.n + 2)
    ranked_keys = [ranked.c.round] if by_round else []
    medians = {
        tuple(row[:-1]): row[-1]
        for row in conn.execute(
            select(*ranked_keys, ranked.c.scope, ranked.c.scope_id, cast(func.avg(ranked.c.score), Float))
            .where(middle)
            .group_by(*ranked_keys, ranked.c.scope, ranked.c.scope_id)
        )
    }
    counted: dict[tuple[Any, ...], list[int]] = {}
    missing: dict[tuple[Any, ...], int] = {}
    for row in levels:
        key, level, n = tuple(row[:-2]), row[-2], row[-1]
        if level is None:
            missing[key] = missing.get(key, 0) + n
        else:
            bucket = counted.setdefault(key, [0] * (info.top + 1))
            bucket[min(max(level, 0), info.top)] += n
    stats = {tuple(row[:-3]): row[-3:] for row in spread}
    found: dict[Any, Distribution] = {}
    for key in set(counted) | set(missing):
        kind, ident = key[-2], key[-1]
        mean, minimum, maximum = stats.get(key, (None, None, None))
        found[key] = Distribution(
            kind,
            ident,
            info.title_of(kind, ident),
            tuple(counted.get(key, [0] * (info.top + 1))),
            missing.get(key, 0),
            _float(mean),
            _float(minimum),
            _float(medians.get(key)),
            _float(maximum),
        )
    return found


def _trend(conn: Any, rubric_id: str, major: int, rounds: list[str], info: RubricInfo) -> list[RoundTrend]:
    current = _current(rubric_id, major, rounds)
    by_round = _distributions(conn, current, info, by_round=True)
    return [
        RoundTrend(
            r,
            by_round.get((r, "overall", "overall"))
            or Distribution("overall", "overall", "Overall", (0,) * (info.top + 1), 0, None, None, None, None),
            {p: (by_round[(r, "pillar", p)].mean if (r, "pillar", p) in by_round else None) for p, _ in info.pillars},
        )
        for r in rounds
    ]


def _overall_of(current: Any) -> Any:
    """Current submissions with their overall score and level."""
    from sqlalchemy import and_, select

    from .schema import scores as sc

    return (
        select(current, sc.c.score, sc.c.level)
        .select_from(current.join(sc, and_(sc.c.submission_id == current.c.id, sc.c.scope == "overall")))
        .subquery()
    )


def _movers(conn: Any, rubric_id: str, major: int, round_: str, previous: str) -> tuple[list[Mover], list[Mover]]:
    """Assessments whose overall score changed most since the previous round, up and down: a subject's
    own submission is compared with its own, an organisation's assessment of it with that organisation's."""
    from sqlalchemy import and_, func, select

    now = _overall_of(_current(rubric_id, major, [round_]))
    before = _overall_of(_current(rubric_id, major, [previous]))
    change = (now.c.score - before.c.score).label("change")
    query = select(
        *columns(now, (*LISTED_COLUMNS, "region")),
        before.c.score,
        now.c.score,
        before.c.level,
        now.c.level,
        change,
    ).select_from(
        now.join(
            before,
            and_(
                now.c.subject_type == before.c.subject_type,
                now.c.subject_code == before.c.subject_code,
                func.coalesce(now.c.assessed_by_code, "") == func.coalesce(before.c.assessed_by_code, ""),
            ),
        )
    )

    def movers(direction: Any, order: Any) -> list[Mover]:
        rows = conn.execute(query.where(direction).order_by(order, now.c.subject_code).limit(MOVERS))
        return [Mover(*row[:-1]) for row in rows]

    return movers(change > 0, change.desc()), movers(change < 0, change.asc())


def benchmark_query(current: Any) -> Any:
    """Each current subject with an overall score, and its percentile nationally, in its org_type and in its region.

    percentile = 100 x (peers strictly below + half the peers with the same score, itself
    included) / peers, itself included; peers are the subjects of the same rubric, major version
    and round with an overall score (all of them, or those of the same org_type, or of the same
    region). A subject without a region has no region percentile. `current` may span several
    rubrics and rounds."""
    from sqlalchemy import Float, case, cast, func, literal, select

    scored = _overall_of(current)
    base = select(scored).where(scored.c.score.is_not(None)).subquery("scored")

    def percentile(*within: Any) -> tuple[Any, Any]:
        group = [base.c.rubric_id, base.c.rubric_major, base.c.round, *within]
        below = func.rank().over(partition_by=group, order_by=base.c.score) - 1
        ties = func.count().over(partition_by=[*group, base.c.score])
        peers = func.count().over(partition_by=group)
        return cast(literal(100.0) * (below + literal(0.5) * ties) / peers, Float), peers

    national_percentile, national_peers = percentile()
    type_percentile, type_peers = percentile(base.c.org_type)
    region_percentile, region_peers = percentile(base.c.region)
    no_region = base.c.region.is_(None)
    return select(
        *columns(base, ("id", *LISTED_COLUMNS, "region", "score", "level")),
        national_percentile.label("national_percentile"),
        national_peers.label("national_peers"),
        type_percentile.label("org_type_percentile"),
        type_peers.label("org_type_peers"),
        case((no_region, None), else_=region_percentile).label("region_percentile"),
        case((no_region, None), else_=region_peers).label("region_peers"),
    )


def _benchmarks(conn: Any, current: Any, limit: int) -> list[Benchmark]:
    query = benchmark_query(current)
    rows = conn.execute(query.order_by(*_by_name(query.selected_columns)).limit(limit))
    return [Benchmark(*row[1:]) for row in rows]


def _by_name(listed: Any) -> list[Any]:
    """Alphabetical by subject; a subject's own submission before organisations' assessments of it."""
    return [listed.subject_name, listed.subject_code, listed.assessed_by_name.nulls_first()]


def _candidates(conn: Any, current: Any) -> list[Candidate]:
    """Technologies meeting the scaling rule (every pillar at 3 or above, no failed gate,
    completeness of at least 0.9) in their deciding assessments: the supplier's own submission when
    there is a current one, else every current assessment by an organisation; with the
    organisations that assessed each, and whether their own assessment meets the rule."""
    from sqlalchemy import Float, and_, case, cast, func, or_, select

    from .schema import scores as sc

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
    qualifies = and_(
        current.c.failed_gate_count == 0,
        current.c.completeness >= CANDIDATE_COMPLETENESS,
        pillars.c.assessed == pillars.c.n,  # a pillar not assessed fails
        pillars.c.lowest >= CANDIDATE_PILLAR_LEVEL,
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
            _when(qualifies).label("qualifies"),
            _when(own).label("own"),
            func.max(_when(own)).over(partition_by=current.c.subject_code).label("has_own"),
        )
        .select_from(current.outerjoin(pillars, pillars.c.submission_id == current.c.id))
        .where(current.c.subject_type == "technology")
        .subquery("assessments")
    )
    a = assessments.c
    deciding = or_(a.own == 1, a.has_own == 0)
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
        .having(func.sum(_when(and_(deciding, a.qualifies == 0))) == 0)
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


def _support(conn: Any, current: Any, limit: int) -> tuple[list[SupportCase], int]:
    """Subjects with a failed gate or an overall level at or below 1, weakest first."""
    from sqlalchemy import func, or_, select

    from .schema import failed_gates

    scored = _overall_of(current)
    needing = or_(scored.c.failed_gate_count > 0, scored.c.level <= SUPPORT_LEVEL)
    total = conn.execute(select(func.count()).select_from(scored).where(needing)).scalar()
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
    return [SupportCase(*row[1:], tuple(gates[row.id])) for row in rows], total


def _gates(conn: Any, current: Any, info: RubricInfo, submissions: int) -> list[GateCount]:
    from sqlalchemy import func, select

    from .schema import failed_gates

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


def _weakest(conn: Any, current: Any, info: RubricInfo) -> list[WeakCriterion]:
    """The criteria with the lowest mean credited level nationally (counted answers only)."""
    from sqlalchemy import Float, cast, func, select

    from .schema import scores as sc

    mean = cast(func.avg(sc.c.level), Float).label("mean")
    rows = conn.execute(
        select(sc.c.scope_id, mean, func.count())
        .select_from(sc.join(current, current.c.id == sc.c.submission_id))
        .where(sc.c.scope == "criterion", sc.c.status.in_(COUNTED))
        .group_by(sc.c.scope_id)
        .order_by(mean.asc(), sc.c.scope_id)
        .limit(TOP)
    )
    found = []
    for criterion, average, n in rows:
        question, domain = info.questions.get(criterion, ("", ""))
        found.append(WeakCriterion(criterion, question, info.title_of("domain", domain), average, n))
    return found


def _heatmap(conn: Any, current: Any, info: RubricInfo, limit: int) -> list[HeatRow]:
    from sqlalchemy import select

    from .schema import scores as sc

    scored = _overall_of(current)
    subjects = conn.execute(
        select(*columns(scored, ("id", *LISTED_COLUMNS, "level"))).order_by(*_by_name(scored.c)).limit(limit)
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
        HeatRow(
            row.subject_code,
            row.subject_name,
            row.assessed_by_name,
            row.org_type,
            row.level,
            tuple(cells[row.id].get(d, (None, None)) for d in domains),
        )
        for row in subjects
    ]


__all__ = [
    "LIST_LIMIT",
    "SUBJECT_ROUND",
    "MixedMajorVersions",
    "Portfolio",
    "Section",
    "assessing_organisations",
    "benchmark_query",
    "build_portfolio",
]
