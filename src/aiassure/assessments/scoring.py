"""The scoring engine (SPEC 4.2-4.7): pure functions from a rubric and answers to scores."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, Protocol, TypeVar

from ..rubrics.loader import LoadedRubric
from ..rubrics.model import NA, Criterion, ScopeKind, When
from ..rubrics.parts import TOLERANCE, normalise_raw
from .model import Answer

# `waived`: an approved waiver leaves the criterion out, as `na` would (its levels stay as scored).
CriterionStatus = Literal["credited", "unevidenced", "unanswered", "na", "not_applicable", "text", "waived"]
# The statuses whose credited level counts in the scores (SPEC 4.4-4.6); unanswered counts as 0.
COUNTED: tuple[CriterionStatus, ...] = ("credited", "unevidenced", "unanswered")


class Scored(Protocol):
    """A criterion's scoring as the engine (CriterionScore) and a result (CriterionResult) carry it."""

    @property
    def applicable(self) -> bool: ...

    @property
    def status(self) -> str: ...


S_ = TypeVar("S_", bound=Scored)


def completeness_members(criteria: Sequence[S_]) -> tuple[list[S_], list[S_]]:
    """SPEC 4.7: the applicable criteria that are scored (not text), and those of them answered
    (`na` included): completeness is the second count over the first."""
    applicable = [c for c in criteria if c.applicable and c.status != "text"]
    return applicable, [c for c in applicable if c.status != "unanswered"]


def capped_scope_text(scope: str, target: str) -> str:
    """What a gate caps, as results and the command line name it: `the overall level`, `pillar safe`."""
    return "the overall level" if scope == "overall" else f"{scope} {target}"


def scope_key(kind: str, ident: str) -> str:
    """How `uncapped_scores` names a scope: `overall`, `pillar:safe`, `domain:data`."""
    return "overall" if kind == "overall" else f"{kind}:{ident}"


def uncapped_scores(evaluation: Evaluation) -> dict[str, float | None]:
    """Every scope's score before its gate cap, by `scope_key`. The result does not carry it (its
    keys are a contract, docs/scoring.md section 5); reports and the command line take it from here."""
    scores: dict[str, float | None] = {"overall": evaluation.overall.uncapped}
    scores.update({scope_key("pillar", p.id): p.uncapped for p in evaluation.pillars})
    scores.update({scope_key("domain", d.id): d.uncapped for d in evaluation.domains})
    return scores


def cap_binds(uncapped: float | None, capped_to: int | None) -> bool:
    """Whether a failed gate's cap changed a score: the score before the cap, to the two places a
    result shows, is above it. A cap on a scope already at or below it is in the result
    (`capped_to`) but changes no figure, so nothing says it did."""
    return capped_to is not None and uncapped is not None and round(uncapped, 2) > capped_to


def cap_figure(uncapped: float | None, capped_to: int | None) -> str:
    """`1.75, capped to 1`: the score before a failed gate's cap and the cap, where the cap changed
    the score; empty where it did not. The terminal, the reports and the Markdown all say this."""
    if uncapped is None or capped_to is None or not cap_binds(uncapped, capped_to):
        return ""
    return f"{uncapped:.2f}, capped to {capped_to}"


def gate_caps_text(scope: str, target: str, cap: int) -> str:
    """What a failed gate does, in one phrase: `caps the overall level at 1`, `caps pillar safe at 2`."""
    return f"caps {capped_scope_text(scope, target)} at {cap}"


def level_of(score: float | None) -> int | None:
    """The level a score reaches: floor with a tolerance, so 2.9999999999 is level 3."""
    return None if score is None else math.floor(score + TOLERANCE)


def applicability(rubric: LoadedRubric, answers: Mapping[str, Answer]) -> dict[str, bool]:
    """SPEC 4.2: every condition must hold; an unanswered, `na` or inapplicable target fails it."""
    applicable: dict[str, bool] = {}
    criteria = rubric.criteria
    for ident in rubric.evaluation_order:
        holds = True
        for cond in criteria[ident].applies_if:
            target = criteria.get(cond.criterion)
            answer = answers.get(cond.criterion)
            if target is None or answer is None or answer.value is None or not applicable.get(cond.criterion, False):
                holds = False
            elif cond.at_least is not None:
                level = target.claimed_level(answer.value, rubric.top)
                holds = level is not None and level >= cond.at_least
            else:
                wanted = {normalise_raw(v) for v in cond.in_ or []}
                given = answer.value if isinstance(answer.value, list) else [answer.value]
                holds = any(normalise_raw(v) in wanted for v in given)
            if not holds:
                break
        applicable[ident] = holds
    return applicable


def evidence_counts(criterion: Criterion, answer: Answer, assessed_on: date) -> bool:
    """Whether the answer carries evidence that counts, given the criterion's recency rule."""
    if criterion.evidence_max_age_days is None:
        return bool(answer.evidence)
    limit = criterion.evidence_max_age_days
    return any(item.date is not None and (assessed_on - item.date).days <= limit for item in answer.evidence)


@dataclass(frozen=True)
class CriterionScore:
    id: str
    domain: str
    pillar: str
    weight: float
    applicable: bool
    answer: Any
    claimed: int | None
    credited: int | None
    status: CriterionStatus

    @property
    def counted(self) -> bool:
        return self.status in COUNTED


@dataclass(frozen=True)
class ScopeResult:
    id: str
    title: str
    score: float | None  # capped, unrounded
    uncapped: float | None
    capped_to: int | None
    weight: float = 1.0

    @property
    def level(self) -> int | None:
        return level_of(self.score)


@dataclass(frozen=True)
class GateFailure:
    criterion: str
    scope: ScopeKind
    target: str
    cap: int


@dataclass(frozen=True)
class PlannedAction:
    criterion: str
    from_level: int
    to_level: int
    action: str
    reason: str


@dataclass(frozen=True)
class Evaluation:
    criteria: tuple[CriterionScore, ...]
    domains: tuple[ScopeResult, ...]
    pillars: tuple[ScopeResult, ...]
    overall: ScopeResult
    failed_gates: tuple[GateFailure, ...]
    completeness: float | None
    outcome: tuple[str, str] | None
    actions: tuple[PlannedAction, ...]


@dataclass(frozen=True)
class Waived:
    """What the waivers applied to one submission take out (docs/waivers.md): criteria left out of
    every score as `na` is, and criteria whose gate does not cap."""

    criteria: frozenset[str] = frozenset()
    gates: frozenset[str] = frozenset()


NOTHING_WAIVED = Waived()


def _answer_json(answer: Answer | None) -> Any:
    if answer is None:
        return None
    return NA if answer.na else answer.value


def score_criteria(
    rubric: LoadedRubric, answers: Mapping[str, Answer], assessed_on: date, waived: Waived = NOTHING_WAIVED
) -> tuple[CriterionScore, ...]:
    """SPEC 4.3: claimed and credited level and status of every criterion, in rubric order; a
    waived criterion that would count is `waived`, with the levels it would have had."""
    applicable = applicability(rubric, answers)
    scored: list[CriterionScore] = []
    for domain in rubric.model.domains:
        for criterion in domain.criteria:
            answer = answers.get(criterion.id)
            is_applicable = applicable[criterion.id]
            claimed: int | None = None
            credited: int | None = None
            status: CriterionStatus
            if not is_applicable:
                status = "not_applicable"
            elif not criterion.carries_level:
                status = "text"
            elif answer is not None and answer.na:
                status = "na"
            elif answer is None or answer.value is None:
                status, credited = "unanswered", 0
            else:
                claimed = criterion.claimed_level(answer.value, rubric.top)
                credited, status = claimed, "credited"
                threshold = criterion.evidence_from
                if (
                    threshold is not None
                    and claimed is not None
                    and claimed >= threshold
                    and not evidence_counts(criterion, answer, assessed_on)
                ):
                    credited, status = threshold - 1, "unevidenced"
            if status in COUNTED and criterion.id in waived.criteria:
                status = "waived"
            scored.append(
                CriterionScore(
                    criterion.id,
                    domain.id,
                    rubric.pillar_of[criterion.id],
                    criterion.weight,
                    is_applicable,
                    _answer_json(answer),
                    claimed,
                    credited,
                    status,
                )
            )
    return tuple(scored)


def _weighted_mean(pairs: list[tuple[float, float]]) -> float | None:
    total = sum(weight for weight, _ in pairs)
    if total <= 0:
        return None
    return sum(weight * value for weight, value in pairs) / total


def _capped(score: float | None, cap: int | None) -> float | None:
    if score is None or cap is None:
        return score
    return min(score, float(cap))


def _when_holds(
    when: When, overall: int | None, pillars: dict[str, int | None], gates: int, completeness: float | None
) -> bool:
    if when.overall_at_least is not None and (overall is None or overall < when.overall_at_least):
        return False
    for pillar, wanted in when.pillars_at_least.items():
        level = pillars.get(pillar)
        if level is None or level < wanted:
            return False
    if when.no_failed_gates and gates:
        return False
    if when.min_completeness is not None and (completeness is None or completeness + TOLERANCE < when.min_completeness):
        return False
    return True


def next_step(rubric: LoadedRubric, criterion: Criterion, target: int, answer: Answer | None) -> str:
    """What to do to reach `target`: the level descriptor where the rubric gives one."""
    if target in criterion.levels:
        return criterion.levels[target]
    step = criterion.next_step(target, None if answer is None else answer.value, rubric.labels)
    if step is not None:
        return step
    label = rubric.labels.get(target, str(target))
    return f"Reach level {target} ({label}): {criterion.question}"


def evaluate(
    rubric: LoadedRubric, answers: Mapping[str, Answer], assessed_on: date, waived: Waived = NOTHING_WAIVED
) -> Evaluation:
    """Score a set of answers against a rubric (SPEC 4.3-4.7), with what waivers take out."""
    model = rubric.model
    criteria = score_criteria(rubric, answers, assessed_on, waived)
    counted = [c for c in criteria if c.counted]

    failed: list[GateFailure] = []
    for c in counted:
        gate = rubric.criteria[c.id].gate
        if gate is not None and c.id not in waived.gates and (c.credited or 0) < gate.min_level:
            target = {"domain": c.domain, "pillar": c.pillar, "overall": "overall"}[gate.scope]
            failed.append(GateFailure(c.id, gate.scope, target, gate.cap))
    caps: dict[tuple[str, str], int] = {}
    for failure in failed:
        key = (failure.scope, failure.target)
        caps[key] = min(caps.get(key, failure.cap), failure.cap)

    def scope(
        kind: ScopeKind, ident: str, title: str, members: list[CriterionScore], weight: float = 1.0
    ) -> ScopeResult:
        raw = _weighted_mean([(c.weight, float(c.credited or 0)) for c in members])
        cap = caps.get((kind, ident))
        return ScopeResult(ident, title, _capped(raw, cap), raw, cap, weight)

    members: dict[tuple[str, str], list[CriterionScore]] = {}
    for c in counted:  # one pass, keeping rubric order so that every sum is the same to the last bit
        members.setdefault(("domain", c.domain), []).append(c)
        members.setdefault(("pillar", c.pillar), []).append(c)
    domains = tuple(scope("domain", d.id, d.title, members.get(("domain", d.id), [])) for d in model.domains)
    pillars = tuple(scope("pillar", p.id, p.title, members.get(("pillar", p.id), []), p.weight) for p in model.pillars)
    assessed = [(p.weight, p.score) for p in pillars if p.score is not None]
    overall_raw: float | None
    if not assessed:
        overall_raw = None
    elif model.overall.method == "min":
        overall_raw = min(score for _, score in assessed)
    else:
        overall_raw = _weighted_mean(assessed)
    overall_cap = caps.get(("overall", "overall"))
    overall = ScopeResult("overall", model.title, _capped(overall_raw, overall_cap), overall_raw, overall_cap)

    scored_applicable, answered = completeness_members(criteria)
    completeness = len(answered) / len(scored_applicable) if scored_applicable else None

    pillar_levels = {p.id: p.level for p in pillars}
    outcome = next(
        (
            (o.id, o.label)
            for o in model.outcomes
            if _when_holds(o.when, overall.level, pillar_levels, len(failed), completeness)
        ),
        None,
    )

    gated = {g.criterion: g for g in failed}
    order = {ident: index for index, ident in enumerate(rubric.criteria)}
    top = rubric.top
    candidates = [c for c in counted if (c.credited or 0) < top]
    candidates.sort(
        key=lambda c: (c.id not in gated, c.status != "unevidenced", -c.weight * (top - (c.credited or 0)), order[c.id])
    )
    actions = []
    for c in candidates:
        credited = c.credited or 0
        criterion = rubric.criteria[c.id]
        action = next_step(rubric, criterion, credited + 1, answers.get(c.id))
        failed_gate = gated.get(c.id)
        if failed_gate is not None and criterion.gate is not None:
            what_it_caps = gate_caps_text(failed_gate.scope, failed_gate.target, failed_gate.cap)
            reason = f"failed gate: level {criterion.gate.min_level} needed; {what_it_caps}"
        elif c.status == "unevidenced":
            reason = f"claimed level {c.claimed} needs evidence that counts from level {criterion.evidence_from}"
            action = f"Provide evidence: {action}"
        elif c.status == "unanswered":
            reason = "not answered"
        else:
            reason = f"weight {c.weight:g}, {top - credited} level(s) below the top"
        actions.append(PlannedAction(c.id, credited, credited + 1, action, reason))
    return Evaluation(criteria, domains, pillars, overall, tuple(failed), completeness, outcome, tuple(actions))
