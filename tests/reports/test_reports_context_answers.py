"""Context questions that carry no score (weight 0, no gate) show their answer, never a level."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aiassure.assessments.validate import load_submission
from aiassure.reports.writer import render_report
from aiassure.rubrics.loader import RubricLibrary

EXAMPLE = Path(__file__).parents[2] / "examples" / "2026-Q4" / "PRD-CXRTRIAGE.yaml"
# The vendor's answers to the built-in technology rubric's three context questions.
CONTEXT = {
    "intended-use": "Diagnostic decision support",
    "device-class": "Class IIa medical device",
    "nice-tier": "Tier C: treat, diagnose, active monitoring, calculate",
}


@pytest.fixture(scope="module")
def report() -> dict[str, str]:
    parsed = load_submission(EXAMPLE, RubricLibrary([], use_env=False))
    assert all(not parsed.rubric.criteria[key].scored for key in CONTEXT)
    assert parsed.rubric.criteria["intended-purpose"].scored  # a scored neighbour keeps its level
    return {name: data.decode() for name, data in render_report(parsed, ("html", "md")).items()}


@pytest.mark.parametrize("key", CONTEXT)
def test_a_context_row_shows_the_answer_and_no_level(report: dict[str, str], key: str) -> None:
    html_row = re.search(rf'<tr id="c-{key}".*?</tr>', report["html"], re.S)
    assert html_row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html_row.group(0), re.S)
    assert cells[0].startswith(CONTEXT[key])
    assert cells[1] == "—" and cells[2] == "<span>Context, not scored</span>"
    assert "Optimising" not in html_row.group(0)
    md_row = next(line for line in report["md"].splitlines() if line.startswith(f"| **{key}** "))
    assert f"| {CONTEXT[key]} | — | — | Context, not scored |" in md_row


def test_the_crosswalk_shows_a_context_answer_where_a_level_would_be(report: dict[str, str]) -> None:
    assert "**device-class** Class IIa medical device<br>**reg-02** 4 Managed" in report["md"]
    assert '<a class="cid" href="#c-nice-tier">nice-tier</a> Tier C: treat' in report["html"]
    assert not re.search(r"\*\*(intended-use|device-class|nice-tier)\*\* \d", report["md"])
