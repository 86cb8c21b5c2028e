"""The examples' PDFs are short and whole: the vendor's under 12 pages, no word of a criteria table broken mid-word."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from aiassure.assessments.inputs import load_previous
from aiassure.reports.writer import write_reports

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
VENDOR = EXAMPLES / "2026-Q4" / "PRD-CXRTRIAGE.yaml"
ORGANISATION = EXAMPLES / "2026-Q4" / "RX1.yaml"
MAX_PAGES = 11
_WORD = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture(scope="module")
def example_reports(tmp_path_factory: pytest.TempPathFactory, report_library) -> Path:
    """The vendor example and an organisation's (whose owner column once broke "Informatio" / "n"), with Q2 as
    the previous round."""
    from aiassure.assessments.validate import load_submission

    out = tmp_path_factory.mktemp("examples")
    previous = load_previous([EXAMPLES / "2026-Q2"], report_library)
    parsed = [load_submission(path, report_library) for path in (VENDOR, ORGANISATION)]
    write_reports(parsed, out, ("html", "pdf"), previous=previous)
    return out


@pytest.fixture(scope="module")
def vendor_report(example_reports: Path) -> Path:
    return example_reports / "PRD-CXRTRIAGE-2026-Q4"


def _pages(pdf: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(pdf).pages]


def test_vendor_example_pdf_is_under_twelve_pages(vendor_report: Path) -> None:
    pages = _pages(vendor_report.with_suffix(".pdf"))
    assert len(pages) <= MAX_PAGES, f"the vendor example's PDF has {len(pages)} pages"
    text = " ".join(pages)
    for section in ("Summary", "Roadmap", "Criteria by domain", "Crosswalk to frameworks", "Completeness"):
        assert section in text  # shorter, with nothing dropped


@pytest.mark.parametrize("stem", ["PRD-CXRTRIAGE-2026-Q4", "RX1-2026-Q4"])
def test_no_word_of_the_criteria_table_is_broken_across_lines(example_reports: Path, stem: str) -> None:
    """Every word the PDF shows on the criteria pages is a word of the report's own text: a word
    broken by a hyphenless line break ("Informatio" / "n") would show up as two that are not."""
    report = example_reports / stem
    source = html.unescape(re.sub(r"<[^>]+>", " ", report.with_suffix(".html").read_text(encoding="utf-8")))
    known = {w.lower() for w in _WORD.findall(source)}
    pages = _pages(report.with_suffix(".pdf"))
    criteria = [text for text in pages if "Credited, status" in text]
    assert criteria, "no page of the criteria table found"
    broken = sorted({w for text in criteria for w in _WORD.findall(text) if w.lower() not in known})
    assert not broken, f"words broken mid-word in the criteria table: {broken[:20]}"


def test_checklists_are_summarised_with_the_missing_items_named(vendor_report: Path) -> None:
    page = vendor_report.with_suffix(".html").read_text(encoding="utf-8")
    assert re.search(r"Met \d+ of \d+; missing:", page)
