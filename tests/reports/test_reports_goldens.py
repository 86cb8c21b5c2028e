"""The HTML and Markdown reports of two examples match their reviewed golden files byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

GOLDENS = Path(__file__).parent / "goldens"
EXAMPLES = ["RXX-2026-Q4", "etc-x-2026-Q4"]  # an organisation with a previous round; a hostile vendor's technology


@pytest.mark.parametrize("suffix", ["html", "md"])
@pytest.mark.parametrize("stem", EXAMPLES)
def test_report_matches_golden(rendered: Path, update_goldens: bool, stem: str, suffix: str) -> None:
    actual = (rendered / f"{stem}.{suffix}").read_text(encoding="utf-8")
    golden = GOLDENS / f"{stem}.{suffix}"
    if update_goldens:
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}: run `python -m pytest tests/reports --update-goldens`"
    assert actual == golden.read_text(encoding="utf-8"), (
        f"{stem}.{suffix} differs from its golden file; if the change is intended, run "
        "`python -m pytest tests/reports --update-goldens` and review the diff"
    )


def test_reports_are_deterministic_and_name_no_folder(load, tmp_path: Path) -> None:
    from aiassure.reports.writer import write_reports

    first, second = tmp_path / "first", tmp_path / "second"
    for folder in (first, second):
        write_reports([load("northshire-2026-Q4.yaml")], folder, ("html", "md"))
    markdown = (first / "RXX-2026-Q4.md").read_text()
    assert str(Path(__file__).parent) not in markdown
    assert r"northshire-2026-Q4\.yaml:14:3" in markdown  # warnings keep the file name and position only
    for name in ("RXX-2026-Q4.html", "RXX-2026-Q4.md"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
