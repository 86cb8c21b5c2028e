"""What changed between two results of one subject: outcome, scores and levels, criteria, gates, evidence."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from ..errors import InputError
from ..rubrics.loader import LoadedRubric
from .model import Answer, EvidenceItem, SubjectOut
from .result import FailedGate, OutcomeRef, Result, ScopeScore
from .scoring import evidence_counts

if TYPE_CHECKING:
    from .inputs import CheckedInput

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
    """One scope's score and level on each side. `change` is the level's direction; `delta` is the
    score's change (NEW minus OLD, to 2 places, as the scores are), which shows a move inside a
    level too (2.25 to 2.75 is +0.5 and `same`); None when either side has no score."""

    scope: Literal["overall", "pillar", "domain"]
    id: str
    title: str
    before_level: int | None
    after_level: int | None
    before_score: float | None
    after_score: float | None
    delta: float | None
    change: Direction


class OutcomeChange(_Out):
    """The rubric's verdict on each side (None where no outcome of the rubric held)."""

    before: OutcomeRef | None
    after: OutcomeRef | None
    changed: bool


class CriterionChange(_Out):
    id: str
    domain: str
    pillar: str
    before_level: int | None  # credited
    after_level: int | None
    before_status: str | None
    after_status: str | None
    change: Direction


class EvidenceRef(_Out):
    """One evidence item of a criterion's answer, as the submission gives it."""

    criterion: str
    title: str
    url: str | None
    path: str | None
    date: str | None


class ExpiredEvidence(EvidenceRef):
    """An item of NEW's evidence past its criterion's `evidence_max_age_days` today. `expired_on` is
    the first day it no longer counted; `credit_lost` says that the criterion's credited level in
    NEW rested on evidence and none of its evidence counts today, so that level no longer holds."""

    max_age_days: int
    expired_on: str
    credit_lost: bool


class EvidenceChanges(_Out):
    """Evidence added to NEW, removed from OLD (an item counts as the same only when every field
    of it is: a re-dated document is one removed and one added), and NEW's evidence expired today.
    A result file records whether evidence counted, not the evidence: a list that needs a side
    read from one is None, and `not_compared` says which side and why."""

    today: str
    added: list[EvidenceRef] | None
    removed: list[EvidenceRef] | None
    expired: list[ExpiredEvidence] | None
    not_compared: str | None


class ResultDiff(_Out):
    subject: SubjectOut
    rubric: str
    before: Side
    after: Side
    outcome: OutcomeChange
    overall: LevelChange
    pillars: list[LevelChange]
    domains: list[LevelChange]
    criteria: list[CriterionChange]  # only those whose credited level or status changed
    gates_failed: list[FailedGate]  # failed in NEW, not in OLD
    gates_cleared: list[FailedGate]  # failed in OLD, not in NEW: passed, or no longer applicable
    evidence: EvidenceChanges | None = None  # None from diff_results alone, which has no evidence

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


def _delta(before: float | None, after: float | None) -> float | None:
    # Rounded again: 3.05 - 2.47 is 0.5799999999999996 in floating point.
    return None if before is None or after is None else round(after - before, 2) + 0.0  # + 0.0: never -0.0


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
                delta=_delta(was.score if was else None, now.score if now else None),
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


def diff_results(old: Result, new: Result, *, evidence: EvidenceChanges | None = None) -> ResultDiff:
    """The changes from `old` to `new`; refuses two subjects, two rubrics or two major versions.
    `evidence` is what `diff_evidence` found, when the caller has the answers (`diff_inputs`)."""
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
        outcome=OutcomeChange(before=old.outcome, after=new.outcome, changed=_outcome_id(old) != _outcome_id(new)),
        overall=LevelChange(
            scope="overall",
            id="overall",
            title="Overall",
            before_level=old.overall.level,
            after_level=new.overall.level,
            before_score=old.overall.score,
            after_score=new.overall.score,
            delta=_delta(old.overall.score, new.overall.score),
            change=_direction(old.overall.level, new.overall.level),
        ),
        pillars=_scopes("pillar", old.pillars, new.pillars),
        domains=_scopes("domain", old.domains, new.domains),
        criteria=criteria,
        gates_failed=[g for g in new.failed_gates if g.criterion not in old_gates],
        gates_cleared=[g for g in old.failed_gates if g.criterion not in new_gates],
        evidence=evidence,
    )


def _outcome_id(result: Result) -> str | None:
    return None if result.outcome is None else result.outcome.id


def _items(answers: Mapping[str, Answer]) -> list[tuple[str, EvidenceItem]]:
    return [(ident, item) for ident, answer in answers.items() for item in answer.evidence]


def _ref(criterion: str, item: EvidenceItem) -> EvidenceRef:
    day = None if item.date is None else item.date.isoformat()
    return EvidenceRef(criterion=criterion, title=item.title, url=item.url, path=item.path, date=day)


def _order(rubric: LoadedRubric) -> dict[str, int]:
    return {ident: index for index, ident in enumerate(rubric.criteria)}


def diff_evidence(
    rubric: LoadedRubric,
    old: Mapping[str, Answer] | None,
    new: Mapping[str, Answer] | None,
    today: dt.date,
    *,
    new_result: Result | None = None,
) -> EvidenceChanges:
    """Evidence added and removed from `old` to `new` (answers with their evidence, None for a
    side read from a result file), and the items of `new` that have expired by `today`: past
    their criterion's `evidence_max_age_days` (`rubric` is NEW's). `new_result` (NEW's result)
    tells whether an expired item took a credited level with it. Rows are in rubric order."""
    order = _order(rubric)
    unknown = [side for side, answers in (("OLD", old), ("NEW", new)) if answers is None]
    added: list[EvidenceRef] | None = None
    removed: list[EvidenceRef] | None = None
    if old is not None and new is not None:
        before, after = _items(old), _items(new)
        added = [_ref(c, item) for c, item in _missing_from(after, before)]
        removed = [_ref(c, item) for c, item in _missing_from(before, after)]
        added.sort(key=lambda ref: order.get(ref.criterion, len(order)))
        removed.sort(key=lambda ref: order.get(ref.criterion, len(order)))
    expired: list[ExpiredEvidence] | None = None
    if new is not None:
        statuses = {} if new_result is None else {c.id: (c.status, c.claimed) for c in new_result.criteria}
        expired = []
        for ident in sorted(new, key=lambda i: order.get(i, len(order))):
            criterion = rubric.criteria.get(ident)
            limit = None if criterion is None else criterion.evidence_max_age_days
            if criterion is None or limit is None:
                continue
            answer = new[ident]
            status, claimed = statuses.get(ident, (None, None))
            threshold = criterion.evidence_from
            # The credited level needed evidence, and none of it counts today.
            lost = (
                status == "credited"
                and threshold is not None
                and claimed is not None
                and claimed >= threshold
                and not evidence_counts(criterion, answer, today)
            )
            for item in answer.evidence:
                if item.date is not None and (today - item.date).days > limit:
                    ends = item.date + dt.timedelta(days=limit + 1)
                    expired.append(
                        ExpiredEvidence(
                            **_ref(ident, item).model_dump(),
                            max_age_days=limit,
                            expired_on=ends.isoformat(),
                            credit_lost=lost,
                        )
                    )
    note = None
    if unknown:
        sides = " and ".join(unknown)
        verb = "is a result file, which records" if len(unknown) == 1 else "are result files, which record"
        lists = "evidence added, removed or expired" if "NEW" in unknown else "evidence added or removed"
        note = (
            f"{sides} {verb} whether evidence counted but not the evidence: {lists} "
            "cannot be told (compare the submission YAML files or report PDFs)"
        )
    return EvidenceChanges(today=today.isoformat(), added=added, removed=removed, expired=expired, not_compared=note)


def _missing_from(
    items: list[tuple[str, EvidenceItem]], others: list[tuple[str, EvidenceItem]]
) -> list[tuple[str, EvidenceItem]]:
    """The items of `items` not among `others`, in their order; each of `others` matches one item
    (counted, not searched: a submission may carry thousands of items)."""
    left = Counter(others)  # frozen pydantic models hash and compare by their fields
    kept = []
    for pair in items:
        if left[pair]:
            left[pair] -= 1
        else:
            kept.append(pair)
    return kept


def diff_inputs(old: CheckedInput, new: CheckedInput, today: dt.date) -> ResultDiff:
    """`diff_results` of two inputs read by `read_result`, with their evidence compared as of
    `today` (the command's calendar: never the clock read here)."""
    evidence = diff_evidence(new.rubric, old.answers, new.answers, today, new_result=new.result)
    return diff_results(old.result, new.result, evidence=evidence)


__all__ = [
    "CriterionChange",
    "EvidenceChanges",
    "EvidenceRef",
    "ExpiredEvidence",
    "LevelChange",
    "OutcomeChange",
    "ResultDiff",
    "Side",
    "diff_evidence",
    "diff_inputs",
    "diff_results",
    "DIRECTION_TEXT",
    "criterion_text",
    "delta_text",
    "level_text",
    "evidence_rows",
    "gate_lines",
    "outcome_text",
]


# What every output of a diff says, in words: the terminal table and Markdown print these, so
# that each format states the same facts as the JSON.


DIRECTION_TEXT: dict[str, str] = {"up": "▲ up", "down": "▼ down", "same": "", "added": "added", "removed": "removed"}


def level_text(level: int | None, score: float | None) -> str:
    """One side of a scope: `3 (3.50)`, `not assessed`, or `—` where the scope is not on that side."""
    return "—" if level is None and score is None else ("not assessed" if score is None else f"{level} ({score:.2f})")


def criterion_text(level: int | None, status: str | None) -> str:
    """One side of a criterion: its credited level and status (`3 credited`, `na`), or `—`."""
    return "—" if status is None else f"{'' if level is None else level} {status}".strip()


def delta_text(delta: float | None) -> str:
    """A score change as printed: `+0.50`, `-0.25`, `0.00`, or `—` when a side has no score."""
    return "—" if delta is None else f"{delta:+.2f}" if delta else "0.00"


def outcome_text(outcome: OutcomeChange) -> str:
    """`Not yet ready → Ready to scale`, or `Ready to scale (unchanged)`."""

    def label(ref: OutcomeRef | None) -> str:
        return "no outcome" if ref is None else ref.label

    if not outcome.changed:
        return f"{label(outcome.after)} (unchanged)"
    return f"{label(outcome.before)} → {label(outcome.after)}"


GateKind = Literal["failed", "passed", "inapplicable"]


def gate_lines(changes: ResultDiff) -> list[tuple[GateKind, str, str]]:
    """(kind, heading, what it means) of each gate newly failed, newly passed or no longer applicable; a gate's
    criterion that became `na` or not applicable no longer fails, but it has not been passed."""
    from .scoring import capped_scope_text, gate_caps_text

    after = {c.id: c.after_status for c in changes.criteria}
    lines: list[tuple[GateKind, str, str]] = [
        ("failed", "Gate newly failed", f"{g.criterion}: {gate_caps_text(g.scope, g.target, g.cap)}")
        for g in changes.gates_failed
    ]
    for g in changes.gates_cleared:
        capped = capped_scope_text(g.scope, g.target)
        status = after.get(g.criterion, "credited")  # not listed: its credit is as before, its gate changed
        if status in ("na", "not_applicable", None):
            why = "answered n/a" if status == "na" else "not applicable" if status else "not in NEW's rubric"
            lines.append(("inapplicable", "Gate no longer applies", f"{g.criterion} ({why}): no longer caps {capped}"))
        else:
            lines.append(("passed", "Gate newly passed", f"{g.criterion}: no longer caps {capped}"))
    return lines


def evidence_rows(evidence: EvidenceChanges) -> list[tuple[str, str, str, str]]:
    """(criterion, evidence title, its date, what happened) of each item added, removed or expired."""
    rows = [(e.criterion, e.title, e.date or "undated", "added") for e in evidence.added or []]
    rows += [(e.criterion, e.title, e.date or "undated", "removed") for e in evidence.removed or []]
    for e in evidence.expired or []:
        what = f"expired {e.expired_on} (over {e.max_age_days} days)"
        if e.credit_lost:
            what += f"; {e.criterion}'s credited level no longer holds"
        rows.append((e.criterion, e.title, e.date or "undated", what))
    return rows
