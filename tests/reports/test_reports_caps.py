"""A failed gate's cap is named only where it changed a figure, with the score before it, in every output."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from aiassure.assessments.score_files import ScoreOptions, score_file
from aiassure.assessments.scoring import cap_binds, cap_figure
from aiassure.assessments.validate import load_submission
from aiassure.cli import main
from aiassure.commands.common import summary_lines
from aiassure.reports.writer import render_report
from aiassure.rubrics.loader import RubricLibrary

DATA = Path(__file__).parent / "data"
# tiny-readiness: gov-01 (governance, pillar safe) has a gate {min_level: 2, cap: 1, scope: pillar};
# the safe pillar is gov-01 and gov-02 (yes_no, yes = 3), weight 1 each.
CASES = {
    # gov-01 at 1 fails the gate; safe before the cap is (1 + 3) / 2 = 2.00, held to 1
    "binding": ({"level": 1}, {"value": "yes"}),
    # gov-01 at 0 fails the gate, but safe is (0 + 0) / 2 = 0.00, already below the cap of 1
    "not binding": ({"level": 0}, {"value": "no"}),
    # gov-01 at 2 meets the gate: no cap at all
    "no gate": ({"level": 2}, {"value": "yes"}),
}
BINDING_TEXT = "2.00, capped to 1"


def test_a_cap_binds_only_above_it_as_the_result_shows_the_score() -> None:
    assert cap_binds(1.75, 1) and cap_figure(1.75, 1) == "1.75, capped to 1"
    assert not cap_binds(0.5, 1) and cap_figure(0.5, 1) == ""  # already below: the cap changed nothing
    assert not cap_binds(1.0, 1) and cap_figure(1.0, 1) == ""  # at the cap: nothing changed either
    assert not cap_binds(1.004, 1)  # 1.00 to the two places shown: no figure moved
    assert cap_binds(1.006, 1) and cap_figure(1.006, 1) == "1.01, capped to 1"
    assert cap_figure(2.0, None) == cap_figure(None, 1) == ""  # no gate; not assessed


@pytest.fixture
def submissions(tmp_path: Path) -> dict[str, Path]:
    shutil.copy(DATA / "tiny-readiness.yaml", tmp_path)
    base = yaml.safe_load((DATA / "northshire-2026-Q4.yaml").read_text(encoding="utf-8"))
    files = {}
    for name, (gov_01, gov_02) in CASES.items():
        data = {**base, "answers": {**base["answers"], "gov-01": gov_01, "gov-02": gov_02}}
        path = tmp_path / f"{name.replace(' ', '-')}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        files[name] = path
    return files


def _safe_row(lines: list[str]) -> str:
    return next(line for line in lines if line.startswith("  pillar safe:"))


def test_the_plain_summary_names_a_cap_only_where_it_binds(submissions: dict[str, Path]) -> None:
    rows = {}
    for name, path in submissions.items():
        outcome = score_file(path, ScoreOptions())
        assert outcome.result is not None, outcome.diagnostics
        rows[name] = _safe_row(summary_lines(outcome.result, outcome.uncapped))
    assert rows["binding"] == f"  pillar safe: 1.00 (level 1 Initial): {BINDING_TEXT} by a failed gate"
    assert rows["not binding"] == "  pillar safe: 0.00 (level 0 Absent)"
    assert rows["no gate"] == "  pillar safe: 2.50 (level 2 Developing)"


def test_the_score_table_names_a_cap_only_where_it_binds(submissions: dict[str, Path]) -> None:
    runner = CliRunner()
    shown = {}
    for name, path in submissions.items():
        done = runner.invoke(main, ["score", str(path)], env={"COLUMNS": "120"}, catch_exceptions=False)
        assert done.exit_code == 0, done.output
        shown[name] = done.stdout
    safe = next(line for line in shown["binding"].splitlines() if " safe " in line)
    assert "1.00" in safe and "1 Initial" in safe and BINDING_TEXT in safe
    assert "gate cap" in shown["binding"]  # the column's heading
    for name in ("not binding", "no gate"):
        assert "capped" not in shown[name], shown[name]
    assert "Failed gate gov-01: caps pillar safe at 1" in shown["not binding"]  # the gate itself is still listed
    assert "Failed gate" not in shown["no gate"]


def _report(path: Path) -> dict[str, str]:
    parsed = load_submission(path, RubricLibrary([], use_env=False))
    return {name: data.decode() for name, data in render_report(parsed, ("html", "md")).items()}


def test_the_reports_name_a_cap_only_where_it_binds(submissions: dict[str, Path]) -> None:
    binding = _report(submissions["binding"])
    assert f'<span class="failed">{BINDING_TEXT} by a failed gate</span>' in binding["html"]
    assert f"| 1 Initial: {BINDING_TEXT} by a failed gate | 1.00 |" in binding["md"]
    for name in ("not binding", "no gate"):
        report = _report(submissions[name])
        for text in report.values():
            assert "capped to" not in text and "capped at" not in text, name
    # the failed gate is still listed, saying what its cap did: nothing, or what it held down
    assert (
        "gov-01 is credited at level 0 (Absent), below the level 2 (Developing) this gate needs, so it caps the"
        " Safe pillar at level 1 (Initial); its score of 0.00 is no higher than that, so the cap changes nothing."
    ) in _report(submissions["not binding"])["md"]
    assert (
        "gov-01 is credited at level 1 (Initial), below the level 2 (Developing) this gate needs, so it caps the"
        " Safe pillar at level 1 (Initial): its score of 2.00 is capped to 1."
    ) in binding["md"]


VENDOR = """\
rubric: tiny-technology.yaml
subject: {type: technology, name: ScanAI, code: SCAN, org_type: vendor}
round: 2026-Q4
assessed_on: 2026-10-01
assessors: [{name: Jo Bloggs, role: Regulatory lead}]
answers:
  cs-01: {level: 0}
  cs-02: no
  fair-01: {level: 5}
  perf-01: 0.96
"""


def test_the_overall_line_gives_the_score_before_its_cap(tmp_path: Path) -> None:
    # tiny-technology: cs-01 below 3 caps the overall level at 1; the pillars are 0, 5 and 5, so
    # their mean of 3.33 is held to 1. cs-02's cap of its domain at 2 binds nothing (the domain is 0).
    shutil.copy(DATA / "tiny-technology.yaml", tmp_path)
    path = tmp_path / "vendor.yaml"
    path.write_text(VENDOR, encoding="utf-8")
    outcome = score_file(path, ScoreOptions())
    assert outcome.result is not None, outcome.diagnostics
    assert (outcome.result.overall.score, outcome.result.overall.capped_to) == (1.0, 1)
    assert summary_lines(outcome.result, outcome.uncapped)[1] == (
        "  overall (mean): 1.00 (level 1 Initial): 3.33, capped to 1 by a failed gate"
    )
    report = _report(path)
    assert '<p class="failed">3.33, capped to 1 by a failed gate</p>' in report["html"]  # the cover
    assert 'score 1.00 (<span class="failed">3.33, capped to 1 by a failed gate</span>), the weighted' in report["html"]
    assert "| **Overall level** | 1 Initial (score 1.00; 3.33, capped to 1 by a failed gate) |" in report["md"]
    assert "weighted average of the pillars: a score of 3.33, capped to 1 by a failed gate." in report["md"]
    assert "so it caps the overall level at level 1 (Initial): its score of 3.33 is capped to 1." in report["md"]
    assert (
        "so it caps the Clinical safety domain at level 2 (Developing); its score of 0.00 is no higher" in report["md"]
    )
    # cover, summary, the levels line and the failed gate: only the overall's cap changed a figure
    assert report["md"].count("capped to") == 4 and "Clinical safety | 0 Absent |" in report["md"]


@pytest.mark.slow
def test_the_pdf_gives_the_score_before_the_cap(tmp_path: Path) -> None:
    from pypdf import PdfReader

    shutil.copy(DATA / "tiny-technology.yaml", tmp_path)
    path = tmp_path / "vendor.yaml"
    path.write_text(VENDOR, encoding="utf-8")
    parsed = load_submission(path, RubricLibrary([], use_env=False))
    (tmp_path / "report.pdf").write_bytes(render_report(parsed, ("pdf",))["pdf"])
    reader = PdfReader(tmp_path / "report.pdf")
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert "score 1.00 (3.33, capped to 1 by a failed gate)" in text
    assert "its score of 0.00 is no higher than that, so the cap changes nothing." in text
