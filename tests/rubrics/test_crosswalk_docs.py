"""docs/rubrics.md holds the crosswalk generated from the built-in rubrics' references, not a hand-kept copy."""

from __future__ import annotations

from pathlib import Path

from aiassure.rubrics.crosswalk import END, START, crosswalk, crosswalk_markdown
from aiassure.rubrics.loader import RubricLibrary

DOC = Path(__file__).resolve().parents[2] / "docs" / "rubrics.md"
BUILTINS = ["nhs-ai-readiness@1.0.0", "nhs-ai-technology@1.0.0"]  # the order `rubrics crosswalk` uses


def test_docs_crosswalk_is_generated_from_the_rubrics() -> None:
    library = RubricLibrary(use_env=False)
    generated = crosswalk_markdown([library.resolve(ref) for ref in BUILTINS])
    text = DOC.read_text(encoding="utf-8")
    block = text.split(START, 1)[1].split(END, 1)[0].strip("\n") + "\n"
    assert block == generated, "run `aiassure rubrics crosswalk --update docs/rubrics.md`"


def test_crosswalk_covers_the_statutory_and_dtac_items() -> None:
    library = RubricLibrary(use_env=False)
    table = crosswalk([library.resolve(ref) for ref in BUILTINS])
    dtac = table["DTAC"]
    for section in ("C1", "C2", "C3", "C4", "D1"):
        assert any(item.startswith(section) for item in dtac), section
    assert table["DCB0129"] and table["DCB0160"]
