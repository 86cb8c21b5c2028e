"""What changed between two results of one subject: pillar, domain and criterion levels, gates failed or cleared."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from ..errors import InputError
from .model import SubjectOut
from .result import FailedGate, Result, ScopeScore

Direction = Literal["up", "down", "same", "added", "removed"]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class Side(_Out):
    """Which submission one side of the comparison is."""

    round: str
    assessed_on: str
    rubric_version: str
    sha256: str


class LevelChange(_Out):
    scope: Literal["overall", "pillar", "domain"]
    id: str
    title: str
    before_level: int | None
    after_level: int | None
    before_score: float | None
    after_score: float | None
    change: Direction


class CriterionChange(_Out):
    id: str
    domain: str
    pillar: str
    before_level: int | None  # credited
    after_level: int | None
    before_status: str | None
    after_status: str | None
    change: Direction


class ResultDiff(_Out):
    subject: SubjectOut
    rubric: str
    before: Side
    after: Side
    overall: LevelChange
    pillars: list[LevelChange]
    domains: list[LevelChange]
    criteria: list[CriterionChange]  # only those whose credited level or status changed
    gates_failed: list[FailedGate]  # failed in NEW, not in OLD
    gates_cleared: list[FailedGate]  # failed in OLD, not in NEW

    def to_json(self) -> str:
        from .result import dumps

        return dumps(self.model_dump(mode="json"))


def _direction(before: int | None, after: int | None, *, present: tuple[bool, bool] = (True, True)) -> Direction:
    if not present[0]:
        return "added"
    if not present[1]:
        return "removed"
    if before == after:
        return "same"
    if before is None:
        return "up"
    if after is None:
        return "down"
    return "up" if after > before else "down"


def _scopes(kind: Literal["pillar", "domain"], before: list[ScopeScore], after: list[ScopeScore]) -> list[LevelChange]:
    old = {s.id: s for s in before}
    new = {s.id: s for s in after}
    changes = []
    for ident in [*new, *(i for i in old if i not in new)]:
        was, now = old.get(ident), new.get(ident)
        changes.append(
            LevelChange(
                scope=kind,
                id=ident,
                title=(now or was).title,  # type: ignore[union-attr]
                before_level=was.level if was else None,
                after_level=now.level if now else None,
                before_score=was.score if was else None,
                after_score=now.score if now else None,
                change=_direction(
                    was.level if was else None, now.level if now else None, present=(was is not None, now is not None)
                ),
            )
        )
    return changes


def _who(result: Result) -> str:
    return f"{result.subject.type} {result.subject.code}"


def _major(version: str) -> str:
    return version.split(".", 1)[0]


def diff_results(old: Result, new: Result) -> ResultDiff:
    """The changes from `old` to `new`; refuses two subjects, two rubrics or two major versions."""
    if _who(old) != _who(new):
        raise InputError(
            f"OLD is {_who(old)} and NEW is {_who(new)}: diff compares two submissions of the same subject"
        )
    if old.rubric.id != new.rubric.id:
        raise InputError(
            f"OLD was scored on {old.rubric.id} and NEW on {new.rubric.id}: levels of different rubrics do not compare"
        )
    if _major(old.rubric.version) != _major(new.rubric.version):
        raise InputError(
            f"refusing to compare {old.rubric.id} {old.rubric.version} with {new.rubric.version}: a new major version "
            "changes what is asked or what a level means, so the levels do not line up"
        )
    old_criteria = {c.id: c for c in old.criteria}
    new_criteria = {c.id: c for c in new.criteria}
    criteria = []
    for ident in [*new_criteria, *(i for i in old_criteria if i not in new_criteria)]:
        was, now = old_criteria.get(ident), new_criteria.get(ident)
        if was and now and (was.credited, was.status) == (now.credited, now.status):
            continue
        either = now or was
        criteria.append(
            CriterionChange(
                id=ident,
                domain=either.domain,  # type: ignore[union-attr]
                pillar=either.pillar,  # type: ignore[union-attr]
                before_level=was.credited if was else None,
                after_level=now.credited if now else None,
                before_status=was.status if was else None,
                after_status=now.status if now else None,
                change=_direction(
                    was.credited if was else None,
                    now.credited if now else None,
                    present=(was is not None, now is not None),
                ),
            )
        )
    old_gates = {g.criterion for g in old.failed_gates}
    new_gates = {g.criterion for g in new.failed_gates}
    return ResultDiff(
        subject=new.subject,
        rubric=new.rubric.id,
        before=Side(
            round=old.round,
            assessed_on=old.assessed_on,
            rubric_version=old.rubric.version,
            sha256=old.submission.sha256,
        ),
        after=Side(
            round=new.round,
            assessed_on=new.assessed_on,
            rubric_version=new.rubric.version,
            sha256=new.submission.sha256,
        ),
        overall=LevelChange(
            scope="overall",
            id="overall",
            title="Overall",
            before_level=old.overall.level,
            after_level=new.overall.level,
            before_score=old.overall.score,
            after_score=new.overall.score,
            change=_direction(old.overall.level, new.overall.level),
        ),
        pillars=_scopes("pillar", old.pillars, new.pillars),
        domains=_scopes("domain", old.domains, new.domains),
        criteria=criteria,
        gates_failed=[g for g in new.failed_gates if g.criterion not in old_gates],
        gates_cleared=[g for g in old.failed_gates if g.criterion not in new_gates],
    )


__all__ = ["CriterionChange", "LevelChange", "ResultDiff", "Side", "diff_results"]
