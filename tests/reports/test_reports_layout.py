"""The examples' PDFs are short and whole: the vendor's under 12 pages, no word of a criteria table broken mid-word,
the executive summary on pages 1 and 2, with and without a registry to compare with."""

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
def registry_reports(tmp_path_factory: pytest.TempPathFactory, report_library) -> Path:
    """The same two reports with `report --db`: a SQLite registry of every example, both rounds."""
    from aiassure.assessments.score_files import ScoreOptions
    from aiassure.assessments.validate import load_submission
    from aiassure.registry.intake import read_input
    from aiassure.registry.store import open_registry

    out = tmp_path_factory.mktemp("with-registry")
    registry = open_registry(f"sqlite:///{out / 'registry.db'}")
    try:
        for path in sorted((EXAMPLES / "2026-Q2").glob("*.yaml")) + sorted((EXAMPLES / "2026-Q4").glob("*.yaml")):
            registry.store(read_input(path, ScoreOptions()))
        parsed = [load_submission(path, report_library) for path in (VENDOR, ORGANISATION)]
        write_reports(parsed, out, ("html", "pdf"), registry=registry)
    finally:
        registry.close()
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
    for section in ("Executive summary", "Roadmap", "Criteria by domain", "Crosswalk to frameworks", "Completeness"):
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


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]+>", " ", text)))


@pytest.mark.parametrize("registry", [False, True], ids=["no-registry", "registry"])
@pytest.mark.parametrize("stem", ["PRD-CXRTRIAGE-2026-Q4", "RX1-2026-Q4"])
def test_the_executive_summary_fills_pages_one_and_two(
    example_reports: Path, registry_reports: Path, stem: str, registry: bool
) -> None:
    """The summary opens page 1 and its last line (the last framework verdict), with the levels after it, is
    on page 2 at the latest; the detail (the change since the last round, the roadmap) starts on page 3."""
    report = (registry_reports if registry else example_reports) / stem
    page = report.with_suffix(".html").read_text(encoding="utf-8")
    verdicts = page[page.index('<ul class="frameworks">') :]
    last_line = _squeezed(verdicts[: verdicts.index("</ul>")].rsplit("<li>", 1)[1])[-40:]
    levels = page[page.index('id="levels"') : page.index('id="roadmap"')]
    last_domain = _squeezed(levels.rsplit('<th scope="row">', 1)[1].split("</th>")[0])
    pages = [re.sub(r"\s+", "", text) for text in _pages(report.with_suffix(".pdf"))]

    def page_of(squeezed: str) -> int:
        return next(number for number, text in enumerate(pages, start=1) if squeezed in text)

    assert page_of("Executivesummary") == 1
    assert ("Medianscoresofthesubjects" if registry else "Noregistrygiven") in pages[0] + pages[1]
    assert page_of(last_line) <= 2, f"the executive summary's last line is on page {page_of(last_line)}"
    assert page_of(last_domain) <= 2, "the levels run past page 2"
    if not registry:  # with --previous: the change since 2026-Q2
        assert page_of("Comparedwiththeassessmentof") >= 3
    assert page_of("Thenextstepforeachcriterionbelowthetoplevel") >= 3
    if stem.startswith("PRD-"):
        assert len(pages) <= MAX_PAGES, f"with a registry, the vendor example's PDF has {len(pages)} pages"
