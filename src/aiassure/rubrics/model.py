"""Pydantic models of the rubric format (SPEC section 3); unknown keys are refused."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
SemVer = Annotated[str, StringConstraints(pattern=r"^[0-9]+\.[0-9]+\.[0-9]+(?:[-+][0-9A-Za-z.-]+)?$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]
# Weights and points are bounded so that their sums stay finite: 1e308 + 1e308 is inf (math.fsum
# raises), and inf / inf would be a NaN score.
MAX_WEIGHT = 1_000_000
Weight = Annotated[float, Field(ge=0, le=MAX_WEIGHT, allow_inf_nan=False)]
Points = Annotated[float, Field(ge=-MAX_WEIGHT, le=MAX_WEIGHT, allow_inf_nan=False)]

CRITERION_TYPES = ("level", "yes_no", "choice", "multi", "number", "checklist", "text")
CriterionType = Literal["level", "yes_no", "choice", "multi", "number", "checklist", "text"]
OverallMethod = Literal["min", "mean"]  # how the pillars combine into the overall score
ScopeKind = Literal["domain", "pillar", "overall"]  # what a score is of, and what a gate caps
SubjectType = Literal["organisation", "technology"]  # what a rubric assesses

# The answer saying a criterion does not apply (where `allow_na` allows it): `na` in results and
# answers files; `n/a`, in any case and with blanks around it, is read as the same answer.
NA = "na"
NA_WORDS = (NA, "n/a")


def is_na_word(text: str) -> bool:
    """Whether `text` is the not-applicable answer (the validator, the questionnaire and lint agree)."""
    return text.strip().lower() in NA_WORDS


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class ScaleLevel(Strict):
    level: int
    label: NonEmpty
    description: str = ""


DEFAULT_SCALE = (
    ScaleLevel(level=0, label="Absent"),
    ScaleLevel(level=1, label="Initial"),
    ScaleLevel(level=2, label="Developing"),
    ScaleLevel(level=3, label="Defined"),
    ScaleLevel(level=4, label="Managed"),
    ScaleLevel(level=5, label="Optimising"),
)


class Pillar(Strict):
    id: Identifier
    title: NonEmpty
    weight: Weight = 1.0
    description: str = ""


DEFAULT_PILLARS = (
    Pillar(id="safe", title="Safe"),
    Pillar(id="ethical", title="Ethical"),
    Pillar(id="effective", title="Effective"),
)


class Overall(Strict):
    method: OverallMethod = "min"


class Publisher(Strict):
    publisher: str | None = None
    licence: str | None = None
    effective_date: date | None = None
    locale: str | None = None
    changelog: str | list[str | dict[str, Any]] | None = None


class Option(Strict):
    id: Identifier
    label: NonEmpty
    level: int | None = None  # choice
    points: Points | None = None  # multi (default 1)


class Threshold(Strict):
    min: Annotated[float, Field(allow_inf_nan=False)] | None = None
    max: Annotated[float, Field(allow_inf_nan=False)] | None = None
    level: int


class Element(Strict):
    id: Identifier
    text: NonEmpty
    level: int


class Condition(Strict):
    criterion: Identifier
    in_: list[str | int | float | bool] | None = Field(default=None, alias="in")
    at_least: int | None = None


class Gate(Strict):
    min_level: int
    cap: int
    scope: ScopeKind = "pillar"


class Reference(Strict):
    framework: NonEmpty
    id: NonEmpty
    title: str | None = None
    url: str | None = None


class Criterion(Strict):
    id: Identifier
    question: NonEmpty
    guidance: str = ""
    pillar: Identifier | None = None
    type: CriterionType = "level"
    weight: Weight = 1.0
    levels: dict[int, str] = Field(default_factory=dict)
    allow_na: bool = False
    evidence_from: int | None = None
    evidence_max_age_days: Annotated[int, Field(ge=0)] | None = None
    applies_if: list[Condition] = Field(default_factory=list)
    gate: Gate | None = None
    references: list[Reference] = Field(default_factory=list)
    # yes_no
    yes_level: int | None = None
    no_level: int | None = None
    # choice, multi
    options: list[Option] | None = None
    # multi, number
    thresholds: list[Threshold] | None = None
    # number
    direction: Literal["higher_is_better", "lower_is_better"] = "higher_is_better"
    unit: str | None = None
    range: tuple[Annotated[float, Field(allow_inf_nan=False)], Annotated[float, Field(allow_inf_nan=False)]] | None = (
        None
    )
    # checklist
    elements: list[Element] | None = None

    @property
    def scored(self) -> bool:
        """Whether this criterion's level counts anywhere: in a score (weight above 0) or in a gate.
        A weight-0 criterion with no gate is context (intended use, device class, AI stage), so
        reports show its answer, never a level."""
        return self.type != "text" and (self.weight > 0 or self.gate is not None)

    @property
    def binary(self) -> bool:
        """Whether the criterion is answered yes or no: two answers, not the steps of a maturity scale,
        so outputs show the answer ("Yes") and, where it is scored, the level it earns as a number
        ("level 5"), never the scale's label ("5 Optimising")."""
        return self.type == "yes_no"


# Which type-specific keys each criterion type may use; the rest are refused by the checks.
TYPE_FIELDS: dict[str, frozenset[str]] = {
    "level": frozenset(),
    "yes_no": frozenset({"yes_level", "no_level"}),
    "choice": frozenset({"options"}),
    "multi": frozenset({"options", "thresholds"}),
    "number": frozenset({"thresholds", "direction", "unit", "range"}),
    "checklist": frozenset({"elements"}),
    "text": frozenset(),
}
TYPE_SPECIFIC = frozenset().union(*TYPE_FIELDS.values())


class Domain(Strict):
    id: Identifier
    title: NonEmpty
    pillar: Identifier | None = None
    description: str = ""
    criteria: list[Criterion] = Field(default_factory=list)


class When(Strict):
    overall_at_least: int | None = None
    pillars_at_least: dict[str, int] = Field(default_factory=dict)
    no_failed_gates: bool = False
    min_completeness: Annotated[float, Field(ge=0, le=1)] | None = None


class Outcome(Strict):
    id: Identifier
    label: NonEmpty
    description: str = ""
    when: When = Field(default_factory=When)


# How many months after its approval a waiver of this rubric's criteria or gates may run, unless the
# rubric's `waivers: {max_months: N}` says otherwise (docs/waivers.md).
DEFAULT_WAIVER_MONTHS = 12


class WaiverPolicy(Strict):
    max_months: Annotated[int, Field(ge=1, le=120)] = DEFAULT_WAIVER_MONTHS


class Rubric(Strict):
    id: Slug
    version: SemVer
    title: NonEmpty
    subject: SubjectType
    description: str = ""
    publisher: Publisher | None = None
    scale: list[ScaleLevel] = Field(default_factory=lambda: list(DEFAULT_SCALE))
    pillars: list[Pillar] = Field(default_factory=lambda: list(DEFAULT_PILLARS))
    overall: Overall = Field(default_factory=Overall)
    domains: list[Domain]
    outcomes: list[Outcome] = Field(default_factory=list)
    # Left out of every dump while absent, so a rubric without it keeps its fingerprint.
    waivers: WaiverPolicy | None = Field(default=None, exclude_if=lambda value: value is None)
