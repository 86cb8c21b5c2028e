"""The result of scoring one submission (SPEC 4.8), serialised to deterministic JSON."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict

RESULT_SCHEMA = 1


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RubricIdentity(_Out):
    id: str
    version: str
    fingerprint: str


class SubmissionIdentity(_Out):
    sha256: str


class OverallScore(_Out):
    score: float | None
    level: int | None
    label: str | None
    method: str
    capped_to: int | None


class ScopeScore(_Out):
    id: str
    title: str
    score: float | None
    level: int | None
    label: str | None
    capped_to: int | None


class CriterionResult(_Out):
    id: str
    domain: str
    pillar: str
    applicable: bool
    answer: Any
    claimed: int | None
    credited: int | None
    status: str  # credited | unevidenced | unanswered | na | not_applicable | text


class FailedGate(_Out):
    criterion: str
    scope: str
    target: str
    cap: int


class OutcomeRef(_Out):
    id: str
    label: str


class Action(_Out):
    criterion: str
    from_level: int
    to_level: int
    action: str
    reason: str


class ResultWarning(_Out):
    code: str
    message: str
    location: str


class Result(_Out):
    result_schema: int = RESULT_SCHEMA
    engine: str
    subject: dict[str, Any]
    assessed_by: dict[str, Any] | None = None  # extension: who assessed the subject, when not itself
    round: str
    assessed_on: str
    rubric: RubricIdentity
    submission: SubmissionIdentity
    overall: OverallScore
    pillars: list[ScopeScore]
    domains: list[ScopeScore]
    criteria: list[CriterionResult]
    failed_gates: list[FailedGate]
    completeness: float | None
    outcome: OutcomeRef | None
    actions: list[Action]
    warnings: list[ResultWarning]

    def to_json(self) -> str:
        return dumps(self.model_dump(mode="json"))


def dumps(value: Any) -> str:
    """The one JSON layout every result file uses: stable, readable, newline-terminated."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"
