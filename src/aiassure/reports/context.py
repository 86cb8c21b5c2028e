"""What a report template sees: one submission's result, explained in plain words (docs/reports.md lists the names)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypedDict

from ..assessments.model import Answer, Organisation, Subject
from ..assessments.result import OverallScore, Result, ScopeScore, Unwaived, WaiverRef
from ..assessments.scoring import (
    cap_binds,
    cap_figure,
    completeness_members,
    evaluate,
    evidence_counts,
    scope_key,
    uncapped_scores,
)
from ..assessments.validate import ParsedSubmission
from ..assessments.waivers import REASON_TEXT, Waiver, waiver_effect
from ..registry.portfolio.model import DEFAULT_MIN_PEERS
from ..registry.standing import RoundScores, Standing
from ..rubrics.crosswalk import crosswalk
from ..rubrics.loader import LoadedRubric
from ..rubrics.model import Criterion
from .charts import bar_text, bar_width, radar
from .executive import executive_summary
from .markdown import is_web_url
from .views import LANG, NOT_ASSESSED, ORG_TYPE_LABELS, STATUS_TEXT, Levels

ROADMAP_TOP = 10
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(iso: str) -> str:
    """`2026-11-20` -> `20 November 2026`, without the locale's help, so output is the same everywhere."""
    day = date.fromisoformat(iso)
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def file_name_only(location: str) -> str:
    """`some/dir/file.yaml:14:3` -> `file.yaml:14:3`: reports never show where a file was on disk."""
    match = re.fullmatch(r"(.*?)((?::[0-9]+){0,2})", location)
    assert match is not None  # the pattern matches every string
    return Path(match.group(1)).name + match.group(2)


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _score_text(score: float | None) -> str:
    return "—" if score is None else f"{score:.2f}"


def _cap_text(uncapped: float | None, capped_to: int | None) -> str:
    """How a report says a failed gate held a score down, where it did: `1.75, capped to 1 by a
    failed gate`. A cap on a score already at or below it changed nothing, so it says nothing (the
    failed gate itself is listed under Failed gates)."""
    figure = cap_figure(uncapped, capped_to)
    return f"{figure} by a failed gate" if figure else ""


def _scope_view(scope: ScopeScore, levels: Levels, uncapped: float | None) -> dict[str, Any]:
    return {
        "id": scope.id,
        "title": scope.title,
        "score": scope.score,
        "score_text": _score_text(scope.score),
        "level": levels.view(scope.level),
        "capped_to": scope.capped_to,
        "uncapped": uncapped,
        "cap_text": _cap_text(uncapped, scope.capped_to),
        "width": bar_width(scope.score, levels.top),
        "bar": bar_text(scope.score, levels.top),
    }


def answer_text(criterion: Criterion, answer: Answer | None, status: str, labels: dict[int, str]) -> str:
    """An answer as a person would say it: labels, not ids; one line per item of a list."""
    if status == "not_applicable":
        return "Does not apply"
    if answer is None or not answer.given:
        return "Not answered"
    if answer.na:
        return "Not applicable"
    return criterion.report_text(answer.value, labels)


def _evidence(criterion: Criterion, answer: Answer | None, assessed_on: date) -> list[dict[str, Any]]:
    items = []
    for item in answer.evidence if answer is not None else ():
        counts = evidence_counts(criterion, Answer(value=None, evidence=(item,)), assessed_on)
        items.append(
            {
                "title": item.title,
                "url": item.url if is_web_url(item.url) else None,
                "path": item.path,
                "file": Path(item.path).name if item.path else None,  # reports never show where a file was on disk
                "date": item.date.isoformat() if item.date else None,
                "counts": counts,
                "note": "" if counts else ("undated" if item.date is None else "too old to count"),
            }
        )
    return items


def _gate_text(criterion: Criterion, target: str) -> str:
    gate = criterion.gate
    if gate is None:
        return ""
    return f"below level {gate.min_level}, it caps {target} at level {gate.cap}"


def _scope_name(
    criterion: Criterion, domain: str, pillar: str, domain_titles: dict[str, str], pillar_titles: dict[str, str]
) -> str:
    """What a criterion's gate caps, in words: `the Safe pillar`, `the Data domain`, `the overall level`."""
    scope = criterion.gate.scope if criterion.gate else "pillar"
    if scope == "domain":
        return f"the {domain_titles.get(domain, domain)} domain"
    if scope == "pillar":
        return f"the {pillar_titles.get(pillar, pillar)} pillar"
    return "the overall level"


class CriterionRow(TypedDict):
    """One criterion as every report format shows it (docs/reports.md, `criteria_by_domain[].rows[]`)."""

    id: str
    question: str
    type: str
    weight: float
    pillar: str
    pillar_title: str
    domain: str
    domain_title: str
    status: str
    status_text: str
    answer_text: str
    claimed: dict[str, Any] | None
    credited: dict[str, Any] | None
    evidence: list[dict[str, Any]]
    evidence_from: int | None
    notes: str | None
    owner: str | None
    reason: str | None
    approved_by: str | None
    gate_text: str
    gate_failed: bool
    scored: bool
    binary: bool  # yes/no: the answer names itself, the level is a number beside it
    waiver: dict[str, Any] | None  # the waiver of this criterion or its gate, as in `waivers.rows`


class Completeness(TypedDict):
    fraction: float | None
    percent: str
    answered: int
    applicable: int
    unanswered: list[CriterionRow]
    unevidenced: list[CriterionRow]


class Roadmap(TypedDict):
    top: list[dict[str, Any]]
    rest: list[dict[str, Any]]
    count: int


class ReportContext(TypedDict):
    """Everything a report template sees; the names are documented in docs/reports.md."""

    lang: str
    title: str
    subject: dict[str, Any]
    assessed_by: dict[str, Any] | None
    round: str
    assessed_on: str
    assessed_on_text: str
    assessors: list[dict[str, str | None]]
    rubric: dict[str, Any]
    scale: list[dict[str, Any]]
    top: int
    overall: dict[str, Any]
    outcome: dict[str, str] | None
    pillars: list[dict[str, Any]]
    domains: list[dict[str, Any]]
    radar: Any
    failed_gates: list[dict[str, Any]]
    criteria_by_domain: list[dict[str, Any]]
    roadmap: Roadmap
    crosswalk: list[dict[str, Any]]
    completeness: Completeness
    warnings: list[dict[str, str]]
    change: dict[str, Any] | None
    provenance: dict[str, Any]
    summary: list[str]
    executive: dict[str, Any]
    waivers: dict[str, Any] | None


@dataclass(frozen=True)
class _Titles:
    """The rubric's pillar and domain titles by id, and its level scale, for the row builders."""

    levels: Levels
    pillars: dict[str, str]
    domains: dict[str, str]

    def scope_name(self, criterion: Criterion, domain: str, pillar: str) -> str:
        return _scope_name(criterion, domain, pillar, self.domains, self.pillars)


def build_report_context(
    parsed: ParsedSubmission,
    result: Result,
    previous: Result | None = None,
    uncapped: Mapping[str, float | None] | None = None,
    *,
    earlier: Sequence[Result] = (),
    standing: Standing | None = None,
    min_peers: int = DEFAULT_MIN_PEERS,
    waivers: Sequence[Waiver] = (),
) -> ReportContext:
    """Everything the report templates show for one submission, computed once for every format.
    `uncapped`: each scope's score before its gate cap (`scoring.uncapped_scores`), which the result
    does not carry; computed from `parsed` when not given. The executive summary's trend comes from
    `standing` (the registry's, `report --db`) when given, else from `earlier` (up to three earlier
    rounds, oldest first; `previous` alone when not given); its medians from `standing` alone.
    `waivers`: the records of the waivers the result names (their justification, approver...), where known."""
    rubric = parsed.rubric
    model = rubric.model
    if uncapped is None:
        uncapped = uncapped_scores(evaluate(rubric, parsed.answers, parsed.envelope.assessed_on))
    levels = Levels(rubric.top, rubric.labels)
    titles = _Titles(levels, {p.id: p.title for p in model.pillars}, {d.id: d.title for d in model.domains})
    pillars = [_scope_view(p, levels, uncapped.get(scope_key("pillar", p.id))) for p in result.pillars]
    rows = _criterion_rows(parsed, result, titles)
    waived = _waivers(result, rubric, rows, titles, waivers)
    rows_by_domain: dict[str, list[CriterionRow]] = {d.id: [] for d in model.domains}
    for row in rows.values():
        rows_by_domain[row["domain"]].append(row)
    actions = _actions(result, rows, levels)
    assessed_by = _assessed_by(result.assessed_by) if result.assessed_by else None
    context = ReportContext(
        lang=LANG,
        title=f"{result.subject.name}: {model.title}, {result.round}"
        + (f", assessed by {assessed_by['name']}" if assessed_by else ""),
        subject=_subject(result.subject),
        assessed_by=assessed_by,
        round=result.round,
        assessed_on=result.assessed_on,
        assessed_on_text=long_date(result.assessed_on),
        assessors=[{"name": a.name, "role": a.role} for a in parsed.envelope.assessors],
        rubric=_rubric_view(rubric),
        scale=[{**levels.view(s.level), "description": s.description} for s in model.scale],
        top=rubric.top,
        overall=_overall(result, levels, uncapped.get("overall")),
        outcome=_outcome(result, rubric),
        pillars=pillars,
        domains=[_scope_view(d, levels, uncapped.get(scope_key("domain", d.id))) for d in result.domains],
        radar=radar([(p["title"], p["score"], p["level"]["text"]) for p in pillars], rubric.top),
        failed_gates=_failed_gates(result, rubric, rows, titles, uncapped),
        criteria_by_domain=[{"id": d.id, "title": d.title, "rows": rows_by_domain[d.id]} for d in model.domains],
        roadmap=Roadmap(top=actions[:ROADMAP_TOP], rest=actions[ROADMAP_TOP:], count=len(actions)),
        crosswalk=_crosswalk(rubric, rows),
        completeness=_completeness(result, rows),
        warnings=[
            {"code": w.code, "message": w.message, "location": file_name_only(w.location)} for w in result.warnings
        ],
        change=_change(result, previous, levels) if previous is not None else None,
        provenance=_provenance(parsed, result),
        summary=[],
        executive={},
        waivers=waived,
    )
    context["summary"] = _summary(context, levels)
    if standing is not None:
        rounds, source = standing.earlier, f"the registry ({standing.registry})"
    else:
        rounds = [RoundScores.of(r) for r in (earlier or ([previous] if previous else []))]
        source = "the files given with --previous"
    context["executive"] = executive_summary(
        dict(context), levels, RoundScores.of(result), rounds, source, standing, min_peers
    )
    return context


def _criterion_rows(parsed: ParsedSubmission, result: Result, titles: _Titles) -> dict[str, CriterionRow]:
    """Every scored criterion's row, by id, in the result's order."""
    rubric = parsed.rubric
    levels = titles.levels
    assessed_on = date.fromisoformat(result.assessed_on)
    gated = {g.criterion for g in result.failed_gates}
    rows: dict[str, CriterionRow] = {}
    for scored in result.criteria:
        criterion = rubric.criteria[scored.id]
        answer = parsed.answers.get(scored.id)
        rows[scored.id] = CriterionRow(
            id=scored.id,
            question=criterion.question,
            type=criterion.type,
            weight=criterion.weight,
            pillar=scored.pillar,
            pillar_title=titles.pillars.get(scored.pillar, scored.pillar),
            domain=scored.domain,
            domain_title=titles.domains[scored.domain],
            status=scored.status,
            status_text=STATUS_TEXT.get(
                "context" if scored.status == "credited" and not criterion.scored else scored.status, scored.status
            ),
            answer_text=answer_text(criterion, answer, scored.status, rubric.labels),
            claimed=None
            if scored.claimed is None or not criterion.scored
            else levels.view(scored.claimed, numbered=criterion.binary),
            credited=None
            if scored.credited is None or not criterion.scored
            else levels.view(scored.credited, numbered=criterion.binary),
            evidence=_evidence(criterion, answer, assessed_on),
            evidence_from=criterion.evidence_from,
            notes=answer.notes if answer else None,
            owner=answer.owner if answer else None,
            reason=answer.reason if answer else None,
            approved_by=answer.approved_by if answer else None,
            gate_text=_gate_text(criterion, titles.scope_name(criterion, scored.domain, scored.pillar)),
            gate_failed=scored.id in gated,
            scored=criterion.scored,
            binary=criterion.binary,
            waiver=None,
        )
    return rows


def _waivers(
    result: Result, rubric: LoadedRubric, rows: dict[str, CriterionRow], titles: _Titles, known: Sequence[Waiver]
) -> dict[str, Any] | None:
    """The Waivers section: each waiver the result names, applied or why not, with its record
    where known; and the unwaived position. Each applied waiver is also set on its criterion's row."""
    recorded, unwaived = result.waivers, result.unwaived
    if recorded is None or unwaived is None:
        return None
    records = {(w.id, w.fingerprint): w for w in known}
    items = []
    for ref in (*recorded.applied, *recorded.not_applied):
        item = _waiver_item(ref, records.get((ref.id, ref.fingerprint)), result, rubric, rows, titles)
        items.append(item)
        row = rows.get(ref.target)
        if row is not None and (row["waiver"] is None or item["applied"]):
            row["waiver"] = item
    outcome = result.outcome.label if result.outcome else "none"
    raw_outcome = unwaived.outcome.label if unwaived.outcome else "none"
    return {
        "as_of_text": long_date(recorded.as_of),
        "rows": items,
        "applied": len(recorded.applied),
        "unwaived": {
            "overall": titles.levels.view(unwaived.overall.level),
            "score_text": _score_text(unwaived.overall.score),
            "outcome": raw_outcome,
            "failed_gates": [g.criterion for g in unwaived.failed_gates],
        },
        "changes_outcome": outcome != raw_outcome,
        "changes_overall": unwaived.overall.level != result.overall.level,
    }


def _waiver_item(
    ref: WaiverRef,
    record: Waiver | None,
    result: Result,
    rubric: LoadedRubric,
    rows: dict[str, CriterionRow],
    titles: _Titles,
) -> dict[str, Any]:
    """One waiver as the reports show it: what it covers, whether it applied (else why not), and
    against its criterion the raw and the waived level."""
    applied = ref.reason is None
    row = rows.get(ref.target)
    levels, unwaived = titles.levels, result.unwaived
    raw = waived = ""
    if applied and row is not None and ref.kind == "criterion":
        raw = row["credited"]["text"] if row["credited"] else "not credited"
        waived = "left out of the scores"
    elif applied and row is not None and unwaived is not None:
        failed = next((g for g in unwaived.failed_gates if g.criterion == ref.target), None)
        if failed is None:
            raw, waived = "gate met", "gate met"
        else:
            scope = titles.scope_name(rubric.criteria[ref.target], row["domain"], row["pillar"])
            raw = f"gate failed: {scope} at {_scope_text(unwaived, failed.scope, failed.target, levels)}"
            waived = f"gate does not cap: {scope} at {_scope_text(result, failed.scope, failed.target, levels)}"
    return {
        "id": ref.id,
        "kind": ref.kind,
        "target": ref.target,
        "question": row["question"] if row is not None else "",
        "covers": f"the gate on {ref.target}" if ref.kind == "gate" else f"criterion {ref.target}",
        "applied": applied,
        "status_text": "Applied" if applied else f"Not applied: {REASON_TEXT.get(ref.reason or '', ref.reason)}",
        "effect": waiver_effect(ref),
        "raw": raw,
        "waived": waived,
        "status": ref.status,
        "expires_on_text": long_date(ref.expires_on),
        "rounds_text": _rounds_text(record),
        "justification": record.justification if record else None,
        "compensating_controls": list(record.compensating_controls) if record else [],
        "evidence": [
            {"title": e.title, "url": e.url if is_web_url(e.url) else None, "path": e.path}
            for e in (record.evidence if record else [])
        ],
        "requester": record.requester if record else None,
        "approver": record.approver if record else None,
        "approved_on_text": long_date(record.approved_on.isoformat()) if record and record.approved_on else None,
    }


def _rounds_text(record: Waiver | None) -> str:
    if record is None:
        return ""
    rounds = record.scope.rounds
    return "every round" if rounds == "all" else ", ".join(rounds)


def _scope_text(scores: Result | Unwaived, kind: str, ident: str, levels: Levels) -> str:
    """One scope's level and score (`2 Developing, score 2.43`) in a result or in its unwaived scores."""
    found: OverallScore | ScopeScore | None
    if kind == "overall":
        found = scores.overall
    else:
        found = next((s for s in (scores.pillars if kind == "pillar" else scores.domains) if s.id == ident), None)
    if found is None or found.score is None:
        return NOT_ASSESSED
    return f"{levels.view(found.level)['text']}, score {_score_text(found.score)}"


def _failed_gates(
    result: Result,
    rubric: LoadedRubric,
    rows: dict[str, CriterionRow],
    titles: _Titles,
    uncapped: Mapping[str, float | None],
) -> list[dict[str, Any]]:
    """Each failed gate, with the sentence that says what it capped: the score it held down, or that
    the score was already at or below the cap, so the cap changed nothing."""
    levels = titles.levels
    failed = []
    for gate in result.failed_gates:
        criterion = rubric.criteria[gate.criterion]
        row = rows[gate.criterion]
        target = titles.scope_name(criterion, row["domain"], row["pillar"])
        needed = criterion.gate.min_level if criterion.gate else gate.cap
        credited = row["credited"]["level"] if row["credited"] else 0
        before = uncapped.get(scope_key(gate.scope, gate.target))
        if cap_binds(before, gate.cap):
            effect = f": its score of {before:.2f} is capped to {gate.cap}."
        elif before is None:
            effect = f"; {target} is not assessed, so the cap changes nothing."
        else:
            effect = f"; its score of {before:.2f} is no higher than that, so the cap changes nothing."
        # a yes/no answer is said as itself, its level as a number ("answered No, credited at level 0")
        if row["binary"] and row["status"] in ("credited", "unevidenced"):
            held, need = f"answered {row['answer_text']}, credited at level {credited}", f"level {needed}"
        else:
            held, need = f"credited at {levels.words(credited)}", levels.words(needed)
        failed.append(
            {
                "criterion": gate.criterion,
                "question": criterion.question,
                "scope": gate.scope,
                "target": gate.target,
                "target_title": target,
                "cap": levels.view(gate.cap),
                "needed": levels.view(needed),
                "credited": levels.view(credited),
                "status_text": row["status_text"],
                "binds": cap_binds(before, gate.cap),
                "sentence": f"{gate.criterion} is {held}, below the {need} this gate needs, so it caps "
                f"{target} at {levels.words(gate.cap)}{effect}",
            }
        )
    return failed


def _actions(result: Result, rows: dict[str, CriterionRow], levels: Levels) -> list[dict[str, Any]]:
    """The roadmap's steps, ranked as the engine ordered them."""
    actions = []
    for rank, action in enumerate(result.actions, start=1):
        row = rows[action.criterion]
        actions.append(
            {
                "rank": rank,
                "criterion": action.criterion,
                "question": row["question"],
                "domain_title": row["domain_title"],
                "from": levels.view(action.from_level, numbered=row["binary"]),
                "to": levels.view(action.to_level, numbered=row["binary"]),
                "binary": row["binary"],
                "action": action.action,
                "reason": action.reason,
                "owner": row["owner"],
                "gate_failed": row["gate_failed"],
            }
        )
    return actions


def _completeness(result: Result, rows: dict[str, CriterionRow]) -> Completeness:
    counted, answered = completeness_members(result.criteria)
    return Completeness(
        fraction=result.completeness,
        percent="—" if result.completeness is None else f"{result.completeness:.0%}",
        answered=len(answered),
        applicable=len(counted),
        unanswered=[rows[r.id] for r in counted if r.status == "unanswered"],
        unevidenced=[rows[r.id] for r in counted if r.status == "unevidenced"],
    )


def _overall(result: Result, levels: Levels, uncapped: float | None) -> dict[str, Any]:
    overall = result.overall
    return {
        "score": overall.score,
        "score_text": _score_text(overall.score),
        "level": levels.view(overall.level),
        "method": overall.method,
        "method_text": "the level of the weakest pillar"
        if overall.method == "min"
        else "the weighted average of the pillars",
        "capped_to": overall.capped_to,
        "uncapped": uncapped,
        "cap_text": _cap_text(uncapped, overall.capped_to),
    }


def _outcome(result: Result, rubric: LoadedRubric) -> dict[str, str] | None:
    if result.outcome is None:
        return None
    described = next((o.description for o in rubric.model.outcomes if o.id == result.outcome.id), "")
    return {"id": result.outcome.id, "label": result.outcome.label, "description": described}


def _rubric_view(rubric: LoadedRubric) -> dict[str, Any]:
    model = rubric.model
    return {
        "id": rubric.id,
        "version": rubric.version,
        "ref": rubric.ref,
        "title": model.title,
        "subject": model.subject,
        "publisher": model.publisher.publisher if model.publisher else None,
        "licence": model.publisher.licence if model.publisher else None,
    }


def _provenance(parsed: ParsedSubmission, result: Result) -> dict[str, Any]:
    return {
        "rubric_id": result.rubric.id,
        "rubric_version": result.rubric.version,
        "rubric_fingerprint": result.rubric.fingerprint,
        "submission_file": Path(parsed.file).name,
        "submission_sha256": result.submission.sha256,
        "engine": result.engine,
        "result_schema": result.result_schema,
    }


def _subject(subject: Subject) -> dict[str, Any]:
    details = [
        ("Code", subject.code),
        ("Type", ORG_TYPE_LABELS.get(subject.org_type, subject.org_type)),
        ("Region", subject.region),
        ("Version", subject.version),
        ("Supplier", subject.supplier.name if subject.supplier else None),
        ("Intended use", subject.intended_use),
        ("Device class", subject.device_class),
    ]
    given = subject.model_dump(mode="json", exclude_none=True)
    return {**given, "details": [{"label": label, "value": value} for label, value in details if value]}


def _assessed_by(organisation: Organisation) -> dict[str, Any]:
    """The organisation that carried out the assessment, with a one-line description for the cover."""
    org_type = ORG_TYPE_LABELS.get(organisation.org_type or "", organisation.org_type)
    described = ", ".join(part for part in (organisation.code, org_type) if part)
    given = organisation.model_dump(mode="json", exclude_none=True)
    return {**given, "org_type_text": org_type, "text": f"{organisation.name} ({described})"}


def _crosswalk(rubric: LoadedRubric, rows: dict[str, CriterionRow]) -> list[dict[str, Any]]:
    """For each framework the rubric references, its items with the levels of the criteria mapped to them."""
    frameworks = []
    for framework, items in crosswalk([rubric]).items():
        entries = []
        for item, keys in items.items():
            criteria = [rows[key.split(":", 1)[1]] for key in keys]
            reference = next(
                (
                    r
                    for row in criteria
                    for r in rubric.criteria[row["id"]].references
                    if r.framework == framework and r.id == item
                ),
                None,
            )
            entries.append(
                {
                    "id": item,
                    "title": reference.title if reference else None,
                    "url": reference.url if reference and is_web_url(reference.url) else None,
                    "criteria": criteria,
                }
            )
        frameworks.append({"framework": framework, "entries": entries})
    return frameworks


def _score_delta_text(before: float | None, after: float | None) -> str:
    """`score +0.21` / `score -0.05` / `score unchanged`, or nothing when either side has no score."""
    if before is None or after is None:
        return ""
    delta = round(after - before, 2)
    return "same score" if delta == 0 else f"score {delta:+.2f}"


def _delta(
    before: int | None,
    after: int | None,
    levels: Levels,
    before_score: float | None = None,
    after_score: float | None = None,
) -> dict[str, Any]:
    """One scope's change between rounds: the level's direction in words, and the score's delta,
    which shows movement inside a level too."""
    score_text = _score_delta_text(before_score, after_score)
    common = {
        "before": levels.view(before),
        "after": levels.view(after),
        "before_score_text": _score_text(before_score),
        "score_delta": None if not score_text else round((after_score or 0) - (before_score or 0), 2),
        "score_text_delta": score_text,
    }
    if before is None or after is None:
        direction = "same" if before == after else ("new" if before is None else "gone")
        text = {"same": "not assessed in either round", "new": "newly assessed", "gone": "no longer assessed"}[
            direction
        ]
        return {**common, "delta": None, "direction": direction, "text": text}
    delta = after - before
    direction = "up" if delta > 0 else ("down" if delta < 0 else "same")
    text = "same level" if delta == 0 else f"{'up' if delta > 0 else 'down'} {_plural(abs(delta), 'level')}"
    if score_text:
        text = f"{text}, {score_text}"
    return {**common, "delta": delta, "direction": direction, "text": text}


def _change(result: Result, previous: Result, levels: Levels) -> dict[str, Any]:
    def compare(now: list[ScopeScore], then: list[ScopeScore]) -> list[dict[str, Any]]:
        earlier = {s.id: s for s in then}
        rows = []
        for s in now:
            was = earlier.get(s.id)
            rows.append(
                {
                    "id": s.id,
                    "title": s.title,
                    **_delta(was.level if was else None, s.level, levels, was.score if was else None, s.score),
                }
            )
        return rows

    pillars = compare(result.pillars, previous.pillars)
    domains = compare(result.domains, previous.domains)
    directions = [row["direction"] for row in pillars + domains]
    counts = [
        _plural(directions.count(d), "scope") + f" {word}"
        for d, word in (("up", "up a level or more"), ("down", "down"), ("same", "at the same level"))
        if directions.count(d)
    ]
    before_gates = {g.criterion for g in previous.failed_gates}
    now_gates = {g.criterion for g in result.failed_gates}
    outcome_before = previous.outcome.label if previous.outcome else None
    outcome_now = result.outcome.label if result.outcome else None
    return {
        "round": previous.round,
        "assessed_on_text": long_date(previous.assessed_on),
        "rubric_changed": (previous.rubric.id, previous.rubric.version) != (result.rubric.id, result.rubric.version),
        "previous_rubric": f"{previous.rubric.id}@{previous.rubric.version}",
        "overall": _delta(
            previous.overall.level, result.overall.level, levels, previous.overall.score, result.overall.score
        ),
        "outcome_before": outcome_before,
        "outcome_changed": outcome_before != outcome_now,
        "pillars": pillars,
        "domains": domains,
        "counts_text": ", ".join(counts) or "nothing to compare",
        "gates_failed": sorted(now_gates - before_gates),
        "gates_cleared": sorted(before_gates - now_gates),
    }


def _summary(context: ReportContext, levels: Levels) -> list[str]:
    """The executive summary: short sentences a board member can read without the rest."""
    subject, overall, rubric = context["subject"], context["overall"], context["rubric"]
    sentences = [
        f"{subject.get('name')} ({subject.get('code')}) was assessed on {context['assessed_on_text']} "
        f"against {rubric['title']}, version {rubric['version']}, for {context['round']}."
    ]
    outcome = context["outcome"]
    sentences.append(f"The outcome is: {outcome['label']}." if outcome else "No outcome of the rubric applies.")
    level = overall["level"]["level"]
    if level is None:
        sentences.append("No pillar could be assessed, so there is no overall level.")
    else:
        cap = f": a score of {overall['cap_text']}" if overall["cap_text"] else ""
        sentences.append(
            f"Overall it is at {levels.words(level)} on a scale of 0 to {levels.top}, {overall['method_text']}{cap}."
        )
    assessed = [p for p in context["pillars"] if p["score"] is not None]
    best = max(assessed, key=lambda p: p["score"], default=None)
    worst = min(assessed, key=lambda p: p["score"], default=None)
    if best is not None and worst is not None and best["score"] != worst["score"]:
        sentences.append(
            f"The strongest pillar is {_pillar_words(best, levels)}; the weakest is {_pillar_words(worst, levels)}."
        )
    gates = len(context["failed_gates"])
    if gates:
        failed = _plural(gates, "minimum requirement (gate) was", "minimum requirements (gates) were")
        if any(g["binds"] for g in context["failed_gates"]):
            sentences.append(f"{failed} not met, which caps the levels shown: see Failed gates.")
        else:  # every capped score was already at or below its cap
            they = "it caps is" if gates == 1 else "they cap is"
            sentences.append(f"{failed} not met, but every score {they} already at or below the cap: see Failed gates.")
    elif context["waivers"] is not None and context["waivers"]["unwaived"]["failed_gates"]:
        sentences.append("Every minimum requirement (gate) was met or is waived.")
    else:
        sentences.append("Every minimum requirement (gate) was met.")
    completeness = context["completeness"]
    unevidenced = len(completeness["unevidenced"])
    if unevidenced:
        were = "it was" if unevidenced == 1 else "they were"
        sentences.append(
            f"{_plural(unevidenced, 'claim')} had no evidence that counts, so {were} credited below the level claimed."
        )
    if completeness["applicable"]:
        answered = f"{completeness['answered']} of {completeness['applicable']}"
        sentences.append(f"{answered} applicable questions were answered ({completeness['percent']}).")
    waivers = context["waivers"]
    if waivers is not None:
        applied, unwaived = waivers["applied"], waivers["unwaived"]
        listed = len(waivers["rows"])
        said = f"{_plural(applied, 'waiver')} applied" + (f", {listed - applied} not" if listed > applied else "")
        if waivers["changes_outcome"] or waivers["changes_overall"]:
            sentences.append(
                f"{said}: without waivers the overall level would be {levels.words(unwaived['overall']['level'])}"
                f" and the outcome {unwaived['outcome']}: see Waivers."
            )
        else:
            sentences.append(f"{said}; without them the overall level and the outcome would be the same: see Waivers.")
    change = context["change"]
    if change is not None:
        moved = change["overall"]["text"]
        sentences.append(
            f"Since {change['round']}: overall level {moved}"
            + (f"; outcome was {change['outcome_before'] or 'none'}." if change["outcome_changed"] else ".")
        )
    return sentences


def _pillar_words(pillar: dict[str, Any], levels: Levels) -> str:
    return f"{pillar['title']}, at {levels.words(pillar['level']['level'])} with a score of {pillar['score_text']}"
