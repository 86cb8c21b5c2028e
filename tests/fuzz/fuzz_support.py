"""Shared pieces of the fuzz tests: the settings, the engine entry points and what counts as a failure.

The one rule: loading, validating and scoring any input either works or raises an
`AiassureError`; anything else escaping is a bug in the engine. Each entry point here also
checks what a caller relies on: every diagnostic points into the file and prints without raw
control characters, and a valid submission scores to the same JSON twice.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings

from aiassure.assessments.answers import AnswerChecker
from aiassure.assessments.result import Result, to_result
from aiassure.assessments.scoring import TOLERANCE, evaluate
from aiassure.assessments.validate import check_document
from aiassure.errors import AiassureError, Diagnostic
from aiassure.rubrics.loader import LoadedRubric, RubricLibrary
from aiassure.source import Document, load_bytes
from hypothesis_budget import examples

HOSTILE = Path(__file__).parent.parent / "hostile"
FIXTURE_DIR = HOSTILE / "submissions"
FIXTURE_RUBRIC = FIXTURE_DIR / "fixture-rubric.yaml"
VALID_SUBMISSION = FIXTURE_DIR / "valid.yaml"

# CI runs a bounded fuzz with fixed seeds (the `ci` profile: the same examples every run);
# HYPOTHESIS_PROFILE=fuzz draws 100 times as many, afresh each run (tests/conftest.py).
FUZZ = settings(
    max_examples=examples(150),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

ASSESSED_ON = date(2026, 5, 1)


def check_diagnostics(diagnostics: list[Diagnostic], file: str) -> None:
    """Each with a sane position and printable; at least one about `file` itself."""
    for diagnostic in diagnostics:
        location = diagnostic.location
        assert location.line is None or (location.line >= 1 and (location.column or 1) >= 1), diagnostic
        text = diagnostic.format()
        assert all(ch.isprintable() or ch == "\n" for ch in text), f"unprintable output: {text!r}"
        assert diagnostic.severity in ("error", "warning"), diagnostic
    # At least one names the file itself: a bad rubric is also reported at the submission's
    # `rubric:` line. (`extends` problems carry "file:line:col" in the file field.)
    assert not diagnostics or any(d.location.file.split(":")[0] == file for d in diagnostics), diagnostics


def parse(raw: bytes, name: str = "fuzz.yaml", folder: Path | None = None) -> Document | None:
    """load_bytes, or None when it refuses the input the way it should."""
    try:
        return load_bytes(raw, name, path=(folder / name) if folder else None)
    except AiassureError as exc:
        assert exc.diagnostics, exc
        check_diagnostics(exc.diagnostics, name)
        return None


def validate_and_score(doc: Document, library: RubricLibrary) -> Result | None:
    """check_document, then to_result for what passes; returns the result."""
    try:
        parsed, found = check_document(doc, library)
    except AiassureError as exc:  # check_document reports, it should not raise: but raising ours is allowed
        check_diagnostics(exc.diagnostics, doc.file)
        return None
    check_diagnostics(found, doc.file)
    if parsed is None:
        assert any(d.is_error for d in found), found
        return None
    assert not any(d.is_error for d in found)
    result = to_result(parsed)
    text = result.to_json()
    assert text == to_result(parsed).to_json(), "scoring is not deterministic"
    assert Result.model_validate_json(text) == result
    for criterion in result.criteria:
        assert criterion.status in ("credited", "unevidenced", "unanswered", "na", "not_applicable", "text")
    for scope in [result.overall, *result.pillars, *result.domains]:
        assert scope.score is None or 0 <= scope.score <= parsed.rubric.top + TOLERANCE, scope
    return result


def submission_bytes(raw: bytes, library: RubricLibrary, folder: Path = FIXTURE_DIR) -> Result | None:
    doc = parse(raw, folder=folder)
    return None if doc is None else validate_and_score(doc, library)


def load_rubric(raw: bytes, library: RubricLibrary) -> LoadedRubric | None:
    """A rubric from bytes through RubricLibrary.load_document, or None when refused."""
    doc = parse(raw, "fuzz-rubric.yaml")
    if doc is None:
        return None
    try:
        loaded = library.load_document(doc)
    except AiassureError as exc:
        assert exc.diagnostics, exc
        check_diagnostics(exc.diagnostics, "fuzz-rubric.yaml")
        return None
    check_diagnostics(list(loaded.warnings), "fuzz-rubric.yaml")
    assert len(loaded.fingerprint) == 64
    return loaded


def score_answers(rubric: LoadedRubric, answers: dict[str, Any]) -> None:
    """Check and score raw answers against an in-memory rubric, as check_document does."""
    doc = Document("fuzz-answers.yaml", {"answers": answers}, "0" * 64)
    checker = AnswerChecker(doc, rubric)
    parsed = {}
    for ident, raw in answers.items():
        if ident in rubric.criteria:
            answer = checker.parse(rubric.criteria[ident], raw, ("answers", ident))
            if answer is not None:
                parsed[ident] = answer
    check_diagnostics(checker.found, "fuzz-answers.yaml")
    evaluation = evaluate(rubric, parsed, ASSESSED_ON)
    for scope in [evaluation.overall, *evaluation.pillars, *evaluation.domains]:
        assert scope.score is None or 0 <= scope.score <= rubric.top + TOLERANCE, scope
    assert evaluation.completeness is None or 0 <= evaluation.completeness <= 1
