"""Properties of the scoring engine on small random rubrics and answers (hypothesis).

Every example writes a rubric and a submission to a temporary folder and goes through the real
loader, validator and scorer (`load_submission` + `to_result`).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiassure.assessments.result import Result, to_result
from aiassure.assessments.validate import load_submission
from aiassure.rubrics.loader import RubricLibrary
from hypothesis_budget import examples

SETTINGS = settings(max_examples=examples(60), suppress_health_check=[HealthCheck.too_slow])
TYPES = ("level", "yes_no", "choice", "number", "checklist", "multi")
WEIGHTS = (0, 0.1, 0.3, 0.5, 1, 2, 3)
PILLARS = ("safe", "ethical", "effective")


@st.composite
def increasing_levels(draw: st.DrawFn, top: int) -> list[int]:
    return sorted(draw(st.sets(st.integers(0, top), min_size=1, max_size=min(3, top + 1))))


@st.composite
def criterion(draw: st.DrawFn, ident: str, top: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(TYPES))
    spec: dict[str, Any] = {
        "id": ident,
        "question": f"Question {ident}?",
        "type": kind,
        "weight": draw(st.sampled_from(WEIGHTS)),
    }
    if kind == "yes_no":
        if draw(st.booleans()):
            spec["yes_level"] = draw(st.integers(0, top))
        if draw(st.booleans()):
            spec["no_level"] = draw(st.integers(0, top))
    elif kind == "choice":
        count = draw(st.integers(1, 3))
        spec["options"] = [
            {"id": f"o{i}", "label": f"Option {i}", "level": draw(st.integers(0, top))} for i in range(count)
        ]
    elif kind == "multi":
        count = draw(st.integers(1, 4))
        spec["options"] = [
            {"id": f"o{i}", "label": f"Option {i}", "points": draw(st.sampled_from((0.1, 0.5, 1, 2)))}
            for i in range(count)
        ]
        levels = draw(increasing_levels(top))
        bounds = sorted(
            draw(st.sets(st.sampled_from((0.1, 0.3, 0.5, 1, 1.5, 2, 3, 4)), min_size=len(levels), max_size=len(levels)))
        )
        spec["thresholds"] = [{"min": b, "level": lvl} for b, lvl in zip(bounds, levels, strict=True)]
    elif kind == "number":
        levels = draw(increasing_levels(top))
        bounds = sorted(draw(st.sets(st.integers(0, 100), min_size=len(levels), max_size=len(levels))))
        if draw(st.booleans()):
            spec["direction"] = "lower_is_better"
            spec["thresholds"] = [{"max": b, "level": lvl} for b, lvl in zip(reversed(bounds), levels, strict=True)]
        else:
            spec["thresholds"] = [{"min": b, "level": lvl} for b, lvl in zip(bounds, levels, strict=True)]
    elif kind == "checklist":
        count = draw(st.integers(1, 4))
        spec["elements"] = [
            {"id": f"e{i}", "text": f"Element {i}", "level": draw(st.integers(1, top))} for i in range(count)
        ]
    if draw(st.integers(0, 3)) == 0:
        spec["evidence_from"] = draw(st.integers(1, top))
    if draw(st.integers(0, 2)) == 0:
        spec["gate"] = {
            "min_level": draw(st.integers(1, top)),
            "cap": draw(st.integers(0, top)),
            "scope": draw(st.sampled_from(("domain", "pillar", "overall"))),
        }
    if draw(st.integers(0, 3)) == 0:
        spec["allow_na"] = True
    return spec


@st.composite
def rubrics(draw: st.DrawFn, *, conditions: bool = False) -> dict[str, Any]:
    """A small valid rubric; `applies_if` (on earlier criteria only, so never a cycle) when `conditions`."""
    top = draw(st.integers(1, 5))
    domains = []
    number = 0
    seen: list[dict[str, Any]] = []
    for d in range(draw(st.integers(1, 3))):
        criteria = []
        for _ in range(draw(st.integers(1, 3))):
            spec = draw(criterion(f"c{number}", top))
            number += 1
            if draw(st.booleans()):
                spec["pillar"] = draw(st.sampled_from(PILLARS))
            if conditions and seen and draw(st.booleans()):
                target = draw(st.sampled_from(seen))
                spec["applies_if"] = [{"criterion": target["id"], "at_least": draw(st.integers(0, top))}]
            criteria.append(spec)
            seen.append(spec)
        domains.append(
            {"id": f"d{d}", "title": f"Domain {d}", "pillar": draw(st.sampled_from(PILLARS)), "criteria": criteria}
        )
    return {
        "id": "random",
        "version": "1.0.0",
        "title": "Random rubric",
        "subject": "organisation",
        "scale": [{"level": i, "label": f"Level {i}"} for i in range(top + 1)],
        "pillars": [{"id": p, "title": p.title(), "weight": draw(st.sampled_from(WEIGHTS))} for p in PILLARS],
        "overall": {"method": draw(st.sampled_from(("min", "mean")))},
        "domains": domains,
    }


def _criteria(rubric: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for d in rubric["domains"] for c in d["criteria"]]


def _top(rubric: dict[str, Any]) -> int:
    return len(rubric["scale"]) - 1


def ladder(spec: dict[str, Any], top: int) -> list[Any] | None:
    """Answers of a criterion from worst to best, where each never claims less than the one before.

    None for list answers, where "better" is a superset instead (see `raise_answer`)."""
    kind = spec["type"]
    if kind == "level":
        return list(range(top + 1))
    if kind == "yes_no":
        yes, no = spec.get("yes_level", top), spec.get("no_level", 0)
        return ["no", "yes"] if yes >= no else ["yes", "no"]
    if kind == "choice":
        return [o["id"] for o in sorted(spec["options"], key=lambda o: o["level"])]
    if kind == "number":
        values = [-5, 0, 1, 10, 33, 50, 50.5, 77, 99, 100, 120]
        return list(reversed(values)) if spec.get("direction") == "lower_is_better" else values
    return None


def ids_of(spec: dict[str, Any]) -> list[str]:
    return [item["id"] for item in spec.get("options") or spec.get("elements") or []]


@st.composite
def value_for(draw: st.DrawFn, spec: dict[str, Any], top: int) -> Any:
    steps = ladder(spec, top)
    if steps is not None:
        return draw(st.sampled_from(steps))
    return draw(st.lists(st.sampled_from(ids_of(spec)), unique=True))


def wrap(value: Any, evidenced: bool) -> Any:
    if not evidenced:
        return value
    return {"value": value, "evidence": [{"title": "Report", "url": "https://example.org/report"}]}


@st.composite
def answer_sets(draw: st.DrawFn, rubric: dict[str, Any], *, na: bool = False) -> dict[str, Any]:
    """Answers to some of the criteria (with evidence or not, `na` where allowed when `na`)."""
    top = _top(rubric)
    answers: dict[str, Any] = {}
    for spec in _criteria(rubric):
        choice = draw(st.integers(0, 5))
        if choice == 0:
            continue
        if na and spec.get("allow_na") and choice == 1:
            answers[spec["id"]] = {"value": "na", "reason": "Not relevant"}
            continue
        answers[spec["id"]] = wrap(draw(value_for(spec, top)), draw(st.booleans()))
    return answers


def _submission(answers: dict[str, Any]) -> dict[str, Any]:
    return {
        "rubric": "rubric.yaml",
        "subject": {"type": "organisation", "name": "Random Trust", "code": "RXX", "org_type": "acute"},
        "round": "2026-Q4",
        "assessed_on": "2026-11-20",
        "answers": answers,
    }


def score(rubric: dict[str, Any], *submissions: dict[str, Any]) -> list[Result]:
    """Each submission's result, all against the same rubric file."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "rubric.yaml").write_text(yaml.safe_dump(rubric, sort_keys=False), encoding="utf-8")
        library = RubricLibrary([], use_env=False)
        results = []
        for answers in submissions:
            path = root / "submission.yaml"  # one name, so that warnings name the same file
            path.write_text(yaml.safe_dump(_submission(answers), sort_keys=False), encoding="utf-8")
            results.append(to_result(load_submission(path, library)))
        return results


@st.composite
def raised(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A rubric without applies_if, answers, and the same answers with one of them raised."""
    rubric = draw(rubrics())
    top = _top(rubric)
    others = draw(answer_sets(rubric))
    spec = draw(st.sampled_from(_criteria(rubric)))
    ident = spec["id"]
    steps = ladder(spec, top)
    lower: Any
    if steps is not None:
        low_step = draw(st.integers(-1, len(steps) - 1))  # -1: unanswered
        lower = None if low_step < 0 else steps[low_step]
        higher = steps[draw(st.integers(max(low_step, 0), len(steps) - 1))]
    else:  # a list answer: adding ids never lowers it
        ids = ids_of(spec)
        chosen = draw(st.lists(st.sampled_from(ids), unique=True))
        extra = draw(st.lists(st.sampled_from(ids), unique=True))
        lower = None if draw(st.integers(0, 4)) == 0 else chosen
        higher = chosen + [i for i in extra if i not in chosen]
    evidenced = draw(st.booleans())
    low = {key: value for key, value in others.items() if key != ident}
    if lower is not None:
        low[ident] = wrap(lower, evidenced)
    return rubric, low, {**low, ident: wrap(higher, evidenced)}


def _scopes(result: Result) -> dict[str, tuple[float | None, int | None]]:
    scopes = {f"pillar:{p.id}": (p.score, p.level) for p in result.pillars}
    scopes.update({f"domain:{d.id}": (d.score, d.level) for d in result.domains})
    scopes["overall"] = (result.overall.score, result.overall.level)
    return scopes


@SETTINGS
@given(raised())
def test_raising_one_answer_never_lowers_a_score_or_level(
    case: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
) -> None:
    rubric, low, high = case
    before, after = score(rubric, low, high)
    for c_before, c_after in zip(before.criteria, after.criteria, strict=True):
        assert (c_after.claimed or 0) >= (c_before.claimed or 0), c_before.id
        assert (c_after.credited or 0) >= (c_before.credited or 0), c_before.id
    scopes_after = _scopes(after)
    for name, (score_before, level_before) in _scopes(before).items():
        score_after, level_after = scopes_after[name]
        if score_before is None:
            assert score_after is None, name
            continue
        assert score_after is not None and score_after >= score_before, name
        assert level_after >= level_before, name
    assert len(after.failed_gates) <= len(before.failed_gates)


@st.composite
def reordered(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    rubric = draw(rubrics(conditions=True))
    answers = draw(answer_sets(rubric, na=True))
    order = draw(st.permutations(list(answers)))
    return rubric, answers, {ident: answers[ident] for ident in order}


@SETTINGS
@given(reordered())
def test_the_order_of_answers_changes_no_byte_of_the_result(
    case: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
) -> None:
    rubric, answers, shuffled = case
    first, second = score(rubric, answers, shuffled)
    # What may differ: the file's own identity (the SHA-256 of its bytes), and where in the file
    # a warning about one answer points (so also the order of the warnings, sorted by position).
    assert sorted((w.code, w.message) for w in first.warnings) == sorted((w.code, w.message) for w in second.warnings)
    update = {"submission": first.submission, "warnings": first.warnings}
    assert second.model_copy(update=update).to_json() == first.to_json()


@SETTINGS
@given(st.data())
def test_answer_order_changes_no_byte_when_no_warning_points_at_an_answer(data: st.DataObject) -> None:
    rubric = data.draw(rubrics())
    answers = data.draw(answer_sets(rubric, na=True))
    shuffled = {ident: answers[ident] for ident in data.draw(st.permutations(list(answers)))}
    first, second = score(rubric, answers, shuffled)
    assert second.submission.sha256 != first.submission.sha256 or list(answers) == list(shuffled)
    assert second.to_json().replace(second.submission.sha256, first.submission.sha256) == first.to_json()


@SETTINGS
@given(st.data())
def test_scores_stay_within_the_scale(data: st.DataObject) -> None:
    rubric = data.draw(rubrics(conditions=True))
    answers = data.draw(answer_sets(rubric, na=True))
    (result,) = score(rubric, answers)
    top = _top(rubric)
    in_scale: Callable[[Any], bool] = lambda level: level is None or 0 <= level <= top  # noqa: E731
    for c in result.criteria:
        assert in_scale(c.claimed) and in_scale(c.credited), c
        assert (c.credited is None) == (c.status in ("na", "not_applicable", "text")), c
    for name, (value, level) in _scopes(result).items():
        assert (value is None) == (level is None), name
        if value is not None:
            assert 0 <= value <= top and 0 <= level <= top, name
    for gate in result.failed_gates:
        assert 0 <= gate.cap <= top
    assert result.completeness is None or 0 <= result.completeness <= 1
    for action in result.actions:
        assert 0 <= action.from_level < action.to_level <= top
    # The JSON reads back into the same result, byte for byte.
    text = result.to_json()
    assert Result.model_validate_json(text).to_json() == text
    assert json.loads(text)["rubric"]["id"] == "random"
