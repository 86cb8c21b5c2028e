"""Issue 11, point 3, for rubrics: no text of a rubric over its length or holding a control,
bidi-override or separator character, however the YAML wrote it; located like a submission's.

Each case is a one-line mutation of tests/assessments/fixtures/tiny-rubric.yaml, checked by
`aiassure rubrics lint` and, for a rubric a submission names by path, by `aiassure validate`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from aiassure.cli import main
from aiassure.rubrics.limits import BY_KEY, DESCRIPTOR, OTHER, limit_of

TINY = Path(__file__).parents[1] / "assessments" / "fixtures" / "tiny-rubric.yaml"
QUESTION = "question: Is there a named owner for AI?"

# name -> (the line replaced, its replacement, code, "line:col", text the message must hold)
CASES: dict[str, tuple[str, str, str, str, str]] = {
    "question-bidi-escape": (
        QUESTION,
        r'question: "Is there a named\u202e owner?"',
        "control-character",
        "20:19",
        "U+202E",
    ),
    "question-nul-escape": (QUESTION, r'question: "Is there a named\0 owner?"', "control-character", "20:19", "U+0000"),
    "question-too-long": (
        QUESTION,
        "question: " + "q" * 2_001,
        "too-long",
        "20:19",
        "2,001 characters long; at most 2,000",
    ),
    "title-newline": ("title: Tiny rubric", r'title: "Tiny\nrubric"', "control-character", "4:8", "U+000A"),
    "label-line-separator": (
        "{level: 0, label: Absent}",
        r'{level: 0, label: "Abs\u2028ent"}',
        "control-character",
        "7:23",
        "U+2028",
    ),
    "descriptor-too-long": (
        "levels: {0: No owner.,",
        "levels: {0: " + "d" * 5_001 + ",",
        "too-long",
        "21:21",
        "5,001 characters long; at most 5,000",
    ),
    "version-fullwidth": (
        "version: 1.0.0",
        "version: \uff11.0.0",
        "non-ascii-digits",
        "3:10",
        "U+FF11 FULLWIDTH DIGIT ONE",
    ),
    "key-bidi": ("        evidence_from: 2", '        "evidence\u202efrom": 2', "control-character", "22:9", "the key"),
}


def _mutated(tmp_path: Path, line: str, replacement: str) -> Path:
    text = TINY.read_text(encoding="utf-8")
    assert text.count(line) == 1, line
    path = tmp_path / "rubric.yaml"
    path.write_text(text.replace(line, replacement), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(CASES))
def test_rubrics_lint_refuses_the_text_at_its_place(tmp_path: Path, name: str) -> None:
    line, replacement, code, at, message = CASES[name]
    path = _mutated(tmp_path, line, replacement)
    result = CliRunner().invoke(main, ["rubrics", "lint", str(path)])
    assert result.exit_code == 1, result.output
    assert f"{path}:{at}: error {code}" in result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_submission_naming_such_a_rubric_by_path_is_refused_with_the_rubrics_diagnostic(tmp_path: Path) -> None:
    _mutated(tmp_path, QUESTION, r'question: "Is there a named\u202e owner?"')
    submission = tmp_path / "submission.yaml"
    submission.write_text(
        "rubric: ./rubric.yaml\nround: 2026-Q4\nassessed_on: 2026-11-20\n"
        "subject: {type: organisation, name: Trust, code: RX1, org_type: acute-trust, region: London}\n"
        "answers: {}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["--today", "2026-12-07", "validate", str(submission)])
    assert result.exit_code == 1, result.output
    assert f"{tmp_path / 'rubric.yaml'}:20:19: error control-character" in result.output


def test_every_text_of_a_rubric_has_a_limit() -> None:
    assert limit_of(("domains", 0, "criteria", 1, "levels", 3)) is DESCRIPTOR
    assert limit_of(("domains", 0, "criteria", 1, "guidance")) is BY_KEY["guidance"]
    assert limit_of(("publisher", "changelog", 2)) is BY_KEY["changelog"]
    assert limit_of(("domains", 0, "criteria", 1, "id")) is OTHER
    assert all(limit.chars > 0 for limit in (*BY_KEY.values(), OTHER, DESCRIPTOR))
