"""Reports with waivers: their own section and, against each affected criterion, the raw and the waived level.

Golden files (tests/reports/goldens/waivers/) move only on purpose: `python -m pytest tests/reports --update-goldens`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from aiassure.assessments.inputs import read_result
from aiassure.assessments.score_files import ScoreOptions
from aiassure.assessments.validate import load_submission
from aiassure.assessments.waivers import load_waivers
from aiassure.clock import Calendar
from aiassure.reports.writer import render_report
from aiassure.rubrics.loader import RubricLibrary

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
GOLDENS = Path(__file__).parent / "goldens" / "waivers"
LIBRARY = RubricLibrary([], use_env=False)
# RX3's ig-02 gate waived and in force; LX1's csr-01 waiver expired on 2026-11-01.
OPTIONS = ScoreOptions(calendar=Calendar(dt.date(2026, 12, 7)), waivers=load_waivers(EXAMPLES / "waivers.yaml").waivers)


def _render(code: str, formats: tuple[str, ...], options: ScoreOptions | None = OPTIONS) -> dict[str, str]:
    parsed = load_submission(EXAMPLES / "2026-Q4" / f"{code}.yaml", LIBRARY)
    return {name: data.decode() for name, data in render_report(parsed, formats, score=options).items()}


@pytest.mark.parametrize(("code", "suffix"), [("RX3", "html"), ("RX3", "md"), ("LX1", "md")])
def test_report_with_waivers_matches_golden(code: str, suffix: str, update_goldens: bool) -> None:
    actual = _render(code, (suffix,))[suffix]
    golden = GOLDENS / f"{code}-2026-Q4.{suffix}"
    if update_goldens:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8"), (
        f"{golden.name} differs: if intended, run `python -m pytest tests/reports --update-goldens` and review the diff"
    )


def test_an_applied_waiver_is_shown_with_the_raw_and_the_waived_level() -> None:
    md = _render("RX3", ("md",))["md"]
    assert "## Waivers" in md and "Tom Evans (AI Lab assurance lead), 15 October 2026" in md
    assert "| 15 October 2027 | Applied: ig-02's gate does not cap |" in md
    assert (
        "Waiver rx3-ig-02-dspt: without it gate failed: the Safe pillar at 2 Developing, score 2.00; "
        "with it gate does not cap: the Safe pillar at 2 Developing, score 2.62"
    ) in md
    assert "without waivers the overall level would be level 2 (Developing) and the outcome Not yet ready" in md


def test_an_expired_waiver_is_shown_as_not_applied() -> None:
    md = _render("LX1", ("md",))["md"]
    assert "**Not applied: expired**" in md and "Waiver lx1-csr-01-cso: Not applied: expired" in md
    assert "csr-01** Does the organisation" in md and "**(failed)**" in md


def test_without_waivers_there_is_no_waivers_section() -> None:
    plain = _render("RX3", ("html", "md"), options=None)
    assert "Waivers" not in plain["md"] and 'id="waivers"' not in plain["html"]
    assert _render("RX1", ("md",)) == _render("RX1", ("md",), options=None)  # no waiver of RX1: the same bytes


@pytest.mark.slow
def test_a_report_pdf_with_waivers_reads_back(tmp_path: Path) -> None:
    parsed = load_submission(EXAMPLES / "2026-Q4" / "RX3.yaml", LIBRARY)
    path = tmp_path / "RX3-2026-Q4.pdf"
    path.write_bytes(render_report(parsed, ("pdf",), score=OPTIONS)["pdf"])
    checked = read_result(path, ScoreOptions())
    assert checked.result.waivers is not None and [w.id for w in checked.result.waivers.applied] == ["rx3-ig-02-dspt"]
