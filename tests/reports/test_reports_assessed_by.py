"""Reports of assessments carried out by another organisation (`assessed_by`): their own file names,
the assessor on the cover, and the previous round taken from the same assessor."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aiassure.assessments.result import to_result
from aiassure.assessments.validate import load_submission
from aiassure.errors import UsageError
from aiassure.reports.writer import match_previous, report_stem, write_reports

DATA = Path(__file__).parent / "data"
SUBMISSION = """\
rubric: tiny-technology.yaml
subject: {{type: technology, name: Scan AI, code: PRD-SCAN, org_type: vendor}}
{assessed_by}round: {round}
assessed_on: {day}
assessors: [{{name: Dr Ada Lane, role: Clinical Safety Officer}}]
answers:
  cs-01: {{level: 3, evidence: [{{title: Safety case, url: 'https://example.org/cs.pdf'}}]}}
  cs-02: yes
  fair-01: 3
  perf-01: 0.91
"""
FELLGATE = "assessed_by: {name: Fellgate Hospitals NHS Foundation Trust, code: RX1, org_type: acute}\n"
CHARNWOOD = "assessed_by: {name: Charnwood and Soar Community Health Services NHS Trust, code: RX3}\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(DATA / "tiny-technology.yaml", tmp_path / "tiny-technology.yaml")
    return tmp_path


def write(folder: Path, name: str, assessed_by: str = "", round_: str = "2026-Q4") -> Path:
    path = folder / name
    day = "2026-11-20" if round_ == "2026-Q4" else "2026-05-20"
    path.write_text(SUBMISSION.format(assessed_by=assessed_by, round=round_, day=day), encoding="utf-8")
    return path


def test_report_stem_names_the_assessor_only_when_there_is_one() -> None:
    assert report_stem("PRD-CXRTRIAGE", "2026-Q4") == "PRD-CXRTRIAGE-2026-Q4"  # unchanged
    assert report_stem("PRD-CXRTRIAGE", "2026-Q4", "RX1") == "PRD-CXRTRIAGE-by-RX1-2026-Q4"
    assert report_stem("PRD-X", "2026-Q4", "../../etc") == "PRD-X-by-etc-2026-Q4"  # stays inside its folder


def test_the_supplier_and_two_trusts_assessing_one_product_get_a_report_each(folder: Path, report_library) -> None:
    paths = [write(folder, "own.yaml"), write(folder, "rx1.yaml", FELLGATE), write(folder, "rx3.yaml", CHARNWOOD)]
    parsed = [load_submission(p, report_library) for p in paths]
    written = write_reports(parsed, folder / "out", ("html", "md"))
    assert [p.name for p in written] == [
        f"{stem}.{ext}"
        for stem in ("PRD-SCAN-2026-Q4", "PRD-SCAN-by-RX1-2026-Q4", "PRD-SCAN-by-RX3-2026-Q4")
        for ext in ("html", "md")
    ]
    own_html, own_md, rx1_html, rx1_md, rx3_html, _ = (p.read_text(encoding="utf-8") for p in written)
    assert "<dt>Assessed by</dt><dd>Dr Ada Lane (Clinical Safety Officer)</dd>" in own_html
    assert "· assessed by" not in own_html
    assert "| Assessed by | Dr Ada Lane (Clinical Safety Officer) |" in own_md
    fellgate = "Fellgate Hospitals NHS Foundation Trust (RX1, Acute trust)"
    assert f"<dt>Assessed by</dt><dd>{fellgate}: Dr Ada Lane (Clinical Safety Officer)</dd>" in rx1_html
    assert "· assessed by Fellgate Hospitals NHS Foundation Trust</p>" in rx1_html  # on the cover's first line
    assert "<title>Scan AI: Assurance of an AI technology (test rubric), 2026-Q4, assessed by Fellgate" in rx1_html
    assert f"| Assessed by | {fellgate}: Dr Ada Lane (Clinical Safety Officer) |" in rx1_md
    assert "Charnwood and Soar Community Health Services NHS Trust (RX3)" in rx3_html  # org_type is optional
    # the same trust twice in one round is still one name
    again = write(folder, "rx1-again.yaml", FELLGATE)
    with pytest.raises(UsageError, match="PRD-SCAN-by-RX1-2026-Q4: same subject code, assessing organisation"):
        write_reports([parsed[1], load_submission(again, report_library)], folder / "out2", ("md",))


def test_the_previous_round_is_the_same_assessors(folder: Path, report_library) -> None:
    def result(name: str, assessed_by: str = "", round_: str = "2026-Q4"):
        return to_result(load_submission(write(folder, name, assessed_by, round_), report_library))

    own_q2, rx1_q2 = result("own-q2.yaml", "", "2026-Q2"), result("rx1-q2.yaml", FELLGATE, "2026-Q2")
    assert match_previous(result("rx1.yaml", FELLGATE), [own_q2, rx1_q2]) == rx1_q2
    assert match_previous(result("own.yaml"), [own_q2, rx1_q2]) == own_q2
    assert match_previous(result("rx3.yaml", CHARNWOOD), [own_q2, rx1_q2]) is None  # no earlier RX3 assessment
