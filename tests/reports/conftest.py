"""Fixtures for the report tests: the test rubrics and submissions, and reports rendered once per session.

Golden files live in tests/reports/goldens; after an intended change to the reports, rewrite them
with `python -m pytest tests/reports --update-goldens` (or AIASSURE_UPDATE_GOLDENS=1) and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aiassure.assessments.inputs import load_previous
from aiassure.assessments.validate import ParsedSubmission, load_submission
from aiassure.reports.writer import BUILTIN_FORMATS, write_reports
from aiassure.rubrics.loader import RubricLibrary

DATA = Path(__file__).parent / "data"
GOLDENS = Path(__file__).parent / "goldens"


@pytest.fixture(scope="session")
def report_library() -> RubricLibrary:
    return RubricLibrary([], use_env=False)


@pytest.fixture(scope="session")
def load(report_library: RubricLibrary):
    def parse(name: str) -> ParsedSubmission:
        return load_submission(DATA / name, report_library)

    return parse


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory, load, report_library: RubricLibrary) -> Path:
    """Every format but PDF of the two examples' reports, rendered once; `rendered_pdfs` adds the PDFs."""
    out = tmp_path_factory.mktemp("reports")
    _write(out, load, report_library, [name for name in BUILTIN_FORMATS if name != "pdf"])
    return out


@pytest.fixture(scope="session")
def rendered_pdfs(rendered: Path, load, report_library: RubricLibrary) -> Path:
    """`rendered` with the PDFs too (about a second of CPU each: only the slow tests ask for them)."""
    _write(rendered, load, report_library, ["pdf"])
    return rendered


def _write(out: Path, load, report_library: RubricLibrary, formats: list[str]) -> None:
    previous = load_previous([DATA / "northshire-2026-Q2.yaml"], report_library)
    write_reports([load("northshire-2026-Q4.yaml"), load("hostile-vendor.yaml")], out, formats, previous=previous)
