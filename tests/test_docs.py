"""The worked example of docs/scoring.md is scored by the engine and matches the figures on the page."""

from __future__ import annotations

import json
import re
from pathlib import Path

from aiassure.assessments.result import to_result
from aiassure.assessments.validate import load_submission
from aiassure.rubrics.loader import RubricLibrary

DOC = Path(__file__).resolve().parents[1] / "docs" / "scoring.md"


def _block(text: str, marker: str) -> str:
    match = re.search(rf"<!-- worked-example:{marker} -->\s*```\w+\n(.*?)```", text, re.S)
    assert match, f"no {marker} block in {DOC}"
    return match.group(1)


def test_worked_example_matches_the_page(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    (tmp_path / "worked-example.yaml").write_text(_block(text, "rubric"), encoding="utf-8")
    submission = tmp_path / "submission.yaml"
    submission.write_text(_block(text, "submission"), encoding="utf-8")
    expected = json.loads(_block(text, "expected"))

    result = to_result(load_submission(submission, RubricLibrary(use_env=False)))

    assert {c.id: [c.claimed, c.credited, c.status] for c in result.criteria} == expected["criteria"]
    assert {p.id: [p.score, p.level, p.capped_to] for p in result.pillars} == expected["pillars"]
    assert {d.id: [d.score, d.level, d.capped_to] for d in result.domains} == expected["domains"]
    assert [result.overall.score, result.overall.level, result.overall.capped_to] == expected["overall"]
    assert [g.model_dump() for g in result.failed_gates] == expected["failed_gates"]
    assert result.completeness == expected["completeness"]
    assert result.outcome is not None and result.outcome.id == expected["outcome"]
    assert [a.criterion for a in result.actions] == expected["actions"]
