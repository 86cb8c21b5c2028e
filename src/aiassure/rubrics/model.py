"""Pydantic models of the rubric format (SPEC section 3), unknown keys refused; criterion types in `types/`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field

from .parts import (
    MAX_WEIGHT,
    NA,
    NA_WORDS,
    Condition,
    CriterionBase,
    Gate,
    Identifier,
    NonEmpty,
    Option,
    Points,
    Reference,
    ScopeKind,
    SemVer,
    Slug,
    Strict,
    Threshold,
    Weight,
    is_na_word,
)
from .types import CRITERION_TYPES, Criterion, Element, absent_defaults

OverallMethod = Literal["min", "mean"]  # how the pillars combine into the overall score
SubjectType = Literal["organisation", "technology"]  # what a rubric assesses


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


def canonical_dump(rubric: Rubric, by_alias: bool = False) -> dict[str, Any]:
    """The rubric as plain data in the one form a fingerprint is taken of and a definition is stored
    in: every criterion carries every type's keys (absent ones at their defaults)."""
    data = rubric.model_dump(mode="json", by_alias=by_alias)
    defaults = absent_defaults()
    for domain in data["domains"]:
        domain["criteria"] = [defaults | criterion for criterion in domain["criteria"]]
    return data


__all__ = [
    "CRITERION_TYPES",
    "MAX_WEIGHT",
    "NA",
    "NA_WORDS",
    "Condition",
    "Criterion",
    "CriterionBase",
    "Identifier",
    "NonEmpty",
    "SemVer",
    "Slug",
    "Strict",
    "Weight",
    "Domain",
    "Element",
    "Gate",
    "Option",
    "Outcome",
    "Points",
    "Reference",
    "Rubric",
    "ScaleLevel",
    "ScopeKind",
    "Threshold",
    "When",
    "canonical_dump",
    "is_na_word",
]
