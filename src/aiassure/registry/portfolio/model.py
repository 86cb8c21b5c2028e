"""What the portfolio holds: one section per rubric major version and round, each figure a frozen dataclass."""

from __future__ import annotations

import datetime as dt
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

# A percentile among fewer peers than this says nothing (one subject alone is "at 50"): the report
# says "too few peers (n)" instead (portfolio report --min-peers, the API's min_peers).
DEFAULT_MIN_PEERS = 5
MAX_MIN_PEERS = 10_000

# The groups a subject's percentile is taken in besides the national one, by rubric subject: an
# organisation among those of its type and of its region; a technology among those of its intended
# use and of its device class (its org_type is always "vendor" and its region the supplier's, which
# say nothing of what the product does). Each is a column of the current submissions.
PEER_GROUPS = {"organisation": ("org_type", "region"), "technology": ("intended_use", "device_class")}
NATIONAL = "national"


@dataclass(frozen=True)
class ScalingRule:
    """The one definition of a scaling candidate: the candidates' SQL (figures/candidates.py), its
    test and every sentence the report says of it are made from these fields and methods.

    An assessment *meets the bar* when every pillar is at `pillar_level` or above (a pillar not
    assessed fails), no gate failed and completeness is at least `completeness`. The *deciding*
    assessments of a technology are the supplier's own current submission when there is one, else
    every current assessment by an organisation; a technology is a candidate when each deciding
    assessment meets the bar. Other organisations' assessments are listed beside it, marked, and
    do not decide."""

    pillar_level: int = 3
    completeness: float = 0.9

    def meets(self, pillar_levels: Sequence[int | None], failed_gates: int, completeness: float | None) -> bool:
        """Whether one assessment meets the bar, from its pillar levels (None: not assessed)."""
        return (
            failed_gates == 0
            and completeness is not None
            and completeness >= self.completeness
            and bool(pillar_levels)
            and all(level is not None and level >= self.pillar_level for level in pillar_levels)
        )

    @staticmethod
    def decides(own: bool, has_own: bool) -> bool:
        """Whether an assessment decides: the supplier's own (`own`), or any organisation's when the
        technology has no current supplier submission (`has_own` false)."""
        return own or not has_own

    @property
    def bar(self) -> str:
        return (
            f"every pillar at level {self.pillar_level} or above, no failed gate and at least "
            f"{self.completeness:.0%} of applicable questions answered"
        )

    @property
    def deciding(self) -> str:
        return "the supplier's own submission when there is one, otherwise every organisation's assessment"

    @property
    def text(self) -> str:
        """The rule as the report states it."""
        return (
            f"A technology whose deciding assessments in the round ({self.deciding}) each have {self.bar}. "
            "Other organisations' assessments of it are listed beside it, each marked as meeting the bar or "
            "below it; when the supplier has submitted, they do not decide."
        )


SCALING_RULE = ScalingRule()

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
    outcomes: list[tuple[str, str]] = field(default_factory=list)  # (label, description), rubric order
    # A peer group's values as the rubric names them: the options of the criterion of the same name
    # ("device_class" -> criterion device-class: class-iia -> "Class IIa medical device").
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)

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
        outcomes = [(o["label"], o.get("description") or "") for o in model.get("outcomes") or []]
        grouped = {name for names in PEER_GROUPS.values() for name in names}
        value_labels = {
            c["id"].replace("-", "_"): {o["id"]: o["label"] for o in c["options"]}
            for d in model["domains"]
            for c in d["criteria"]
            if c["id"].replace("-", "_") in grouped and c.get("options")
        }
        return cls(
            model["id"],
            major,
            model["version"],
            model["title"],
            model["subject"],
            labels,
            pillars,
            domains,
            questions,
            outcomes,
            value_labels,
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
class Standing:
    """A subject's percentile among one group of peers (docs/registry.md)."""

    group: str  # NATIONAL, or a column of PEER_GROUPS
    value: str | None  # the value the peers share (None nationally)
    peers: int | None  # peers with an overall score, itself included; None when it has no value for the group
    percentile: float | None  # None: no group, or fewer peers than the section's min_peers

    @property
    def too_few(self) -> bool:
        return self.peers is not None and self.percentile is None


@dataclass(frozen=True)
class Benchmark:
    """A subject's overall score and its percentile among its peers: nationally, then in each of its
    rubric's PEER_GROUPS."""

    code: str
    name: str
    assessed_by: str | None
    org_type: str
    region: str | None
    score: float
    level: int
    standings: tuple[Standing, ...]


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


@dataclass(frozen=True)
class WaiverCounts:
    """A section's waivers (figures/waivers.py): in force on `today`, of those expiring within
    `expiring_days`, and the subjects whose outcome depends on a waiver."""

    active: int
    expiring: int
    expiring_days: int
    depending: int  # subjects whose outcome or overall level with their waivers is not the unwaived one
    today: dt.date
    # current results scored with a waiver no longer in force on `today` (expired or revoked since):
    # `registry refresh-waivers` scores them again; shown only when some are
    stale: int = 0


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
    peer_groups: list[str]  # NATIONAL then the rubric's PEER_GROUPS: the order of each benchmark's standings
    min_peers: int  # fewer peers than this: no percentile ("too few peers")
    candidates: list[Candidate] | None  # None: not a technology rubric
    scaling_rule: ScalingRule | None  # the rule the candidates meet; None: not a technology rubric
    support: list[SupportCase]
    support_total: int
    gates: list[GateCount]
    weakest: list[WeakCriterion]
    limit: int = LIST_LIMIT
    extra_figures: list[ExtraFigure] = field(default_factory=list)  # from plugins; left out of the JSON when none
    waivers: WaiverCounts | None = None  # None: no waiver and no waived result in the section; left out of the JSON


@dataclass
class Portfolio:
    source: str
    data_as_of: dt.datetime | None = None  # the registry's latest ingest (UTC): what the figures reflect
    sections: list[Section] = field(default_factory=list)
    plugins: list[PluginRef] = field(default_factory=list)  # whose figures it holds; left out of the JSON when none
    filters: dict[str, str] = field(default_factory=dict)  # region / org_type given; left out of the JSON when none


__all__ = [
    "LIST_LIMIT",
    "TOP",
    "MOVERS",
    "DEFAULT_MIN_PEERS",
    "MAX_MIN_PEERS",
    "NATIONAL",
    "PEER_GROUPS",
    "SCALING_RULE",
    "ScalingRule",
    "Standing",
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
    "WaiverCounts",
    "HeatRow",
    "PluginFigure",
    "ExtraFigure",
    "Section",
    "Portfolio",
]
