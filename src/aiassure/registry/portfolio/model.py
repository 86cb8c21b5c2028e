"""What the portfolio holds: one section per rubric major version and round, each figure a frozen dataclass."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...plugins import PluginRef
from ...rubrics.model import ScopeKind

if TYPE_CHECKING:
    from sqlalchemy import Connection, Subquery

# Subjects listed one per row (heatmap, benchmarks, support) are capped in the report: the export
# holds every row.
LIST_LIMIT = 200
MAX_LIST_LIMIT = 10_000  # the most rows a list may be asked for (portfolio report --limit, the API's limit)

TOP = 10  # gates, weakest criteria

MOVERS = 5

# Scaling candidates (the rule): every pillar at this level or above, no failed gate,
# completeness at least this.
CANDIDATE_PILLAR_LEVEL = 3

CANDIDATE_COMPLETENESS = 0.9

SUPPORT_LEVEL = 1  # organisations at or below this overall level need support


# How the report's lists name an assessment: column label -> the leading fields of Mover, Benchmark,
# SupportCase and HeatRow.
LISTED_FIELDS = {
    "subject_code": "code",
    "subject_name": "name",
    "assessed_by_name": "assessed_by",
    "org_type": "org_type",
}
LISTED_COLUMNS = tuple(LISTED_FIELDS)


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
class Headline:
    """A section's counts of its current submissions."""

    submissions: int  # one per assessment
    subjects: int  # distinct subjects among them
    by_other_organisations: int  # carried out by an organisation other than the subject
    with_failed_gates: int
    mean_completeness: float | None


@dataclass(frozen=True)
class Distribution:
    """How the current submissions spread over the levels of one scope, with the spread of scores."""

    kind: ScopeKind
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


Cell = str | int | float | None


@dataclass(frozen=True)
class PluginFigure:
    """A figure a plugin adds to every portfolio section (entry point group aiassure.portfolio): a
    titled table. `build(conn, current, info)` runs in the portfolio's transaction with the
    subquery of the section's current submissions and its RubricInfo, and returns the rows."""

    title: str
    description: str
    columns: tuple[str, ...]
    build: Callable[[Connection, Subquery, RubricInfo], Sequence[Sequence[Cell]]]


@dataclass(frozen=True)
class ExtraFigure:
    """A plugin figure as built for one section."""

    id: str  # the entry point's name
    title: str
    description: str
    columns: list[str]
    rows: list[list[Cell]]
    plugin: PluginRef


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
    extra_figures: list[ExtraFigure] = field(default_factory=list)  # from plugins; left out of the JSON when none


@dataclass
class Portfolio:
    source: str
    sections: list[Section] = field(default_factory=list)
    plugins: list[PluginRef] = field(default_factory=list)  # whose figures it holds; left out of the JSON when none
    filters: dict[str, str] = field(default_factory=dict)  # region / org_type given; left out of the JSON when none


__all__ = [
    "LIST_LIMIT",
    "TOP",
    "MOVERS",
    "CANDIDATE_PILLAR_LEVEL",
    "CANDIDATE_COMPLETENESS",
    "SUPPORT_LEVEL",
    "LISTED_COLUMNS",
    "LISTED_FIELDS",
    "RubricInfo",
    "Distribution",
    "Headline",
    "RoundTrend",
    "Mover",
    "Benchmark",
    "AssessingOrganisation",
    "Candidate",
    "SupportCase",
    "GateCount",
    "WeakCriterion",
    "HeatRow",
    "PluginFigure",
    "ExtraFigure",
    "Section",
    "Portfolio",
]
