"""The diagnostic cases of tests/diagnostics/*.yaml: each file gives exactly its one located diagnostic.

A fixture file names its `reader` and lists `cases`, each with `name`, the file's text (`file`, or
for the submission reader an edit of the fixture's `base`: `answer` or `replace`), `code`, `at`
("line:col"), and optionally `message` and `hint` (text the message and the hint must hold) and
`path` (the key path the diagnostic names). The codes must be in the catalogue (aiassure.codes).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from aiassure.assessments.validate import load_submission
from aiassure.codes import CODES
from aiassure.errors import AiassureError
from aiassure.rubrics.loader import RubricLibrary
from aiassure.source import load_bytes

CASES_DIR = Path(__file__).parent / "diagnostics"
TINY_RUBRIC = Path(__file__).parent / "assessments" / "fixtures" / "tiny-rubric.yaml"


def _read_yaml(path: Path) -> None:
    load_bytes(path.read_bytes(), path.name)


def _read_submission(path: Path) -> None:
    """Validate the file against the tiny rubric beside it, blind to the environment's search path."""
    shutil.copy(TINY_RUBRIC, path.parent / TINY_RUBRIC.name)
    load_submission(path, RubricLibrary([path.parent], use_env=False))


READERS: dict[str, Callable[[Path], None]] = {"yaml": _read_yaml, "submission": _read_submission}


def case_text(case: dict[str, Any], base: str | None) -> str:
    """The case's file: given whole, or the fixture's base with one answer line or one passage replaced."""
    if "file" in case:
        return str(case["file"])
    assert base is not None, f"case {case['name']!r} edits a base the fixture does not give"
    if "answer" in case:
        ident = case["answer"].split(":")[0]
        lines = [line for line in base.splitlines() if not line.startswith(f"  {ident}:")]
        return "\n".join(lines[:10] + [f"  {case['answer']}"] + lines[10:]) + "\n"
    old, new = case["replace"]
    assert old in base, f"case {case['name']!r}: {old!r} is not in the base"
    return base.replace(old, new)


def _cases() -> list[Any]:
    found = []
    for fixture in sorted(CASES_DIR.glob("*.yaml")):
        content = yaml.safe_load(fixture.read_text(encoding="utf-8"))
        for case in content["cases"]:
            found.append(
                pytest.param(content["reader"], case, content.get("base"), id=f"{fixture.stem}: {case['name']}")
            )
    return found


@pytest.mark.parametrize(("reader", "case", "base"), _cases())
def test_the_case_gives_its_located_diagnostic(
    reader: str, case: dict[str, Any], base: str | None, tmp_path: Path
) -> None:
    assert case["code"] in CODES
    path = tmp_path / "case.yaml"
    path.write_bytes(case_text(case, base).encode("utf-8"))
    with pytest.raises(AiassureError) as raised:
        READERS[reader](path)
    assert len(raised.value.diagnostics) == 1, [d.format() for d in raised.value.diagnostics]
    [diagnostic] = raised.value.diagnostics
    line, column = (int(part) for part in case["at"].split(":"))
    assert (diagnostic.code, diagnostic.location.line, diagnostic.location.column) == (case["code"], line, column)
    assert Path(diagnostic.location.file).name == "case.yaml" and diagnostic.is_error
    assert case.get("message", "") in diagnostic.message
    assert case.get("hint", "") in diagnostic.hint
    assert case.get("path", diagnostic.path) == diagnostic.path
