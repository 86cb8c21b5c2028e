"""The diagnostic cases of tests/diagnostics/*.yaml: each file gives exactly its one located diagnostic.

A fixture file names its `reader` and lists `cases`, each with `name`, `file` (the text),
`code`, `at` ("line:col"), and optionally `message` and `hint`: text the message and the hint
must hold. The codes must be in the catalogue (aiassure.codes).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from aiassure.codes import CODES
from aiassure.errors import AiassureError, Diagnostic
from aiassure.source import load_bytes

CASES_DIR = Path(__file__).parent / "diagnostics"


def _read_yaml(raw: bytes, file: str) -> list[Diagnostic]:
    load_bytes(raw, file)
    return []


READERS: dict[str, Callable[[bytes, str], list[Diagnostic]]] = {"yaml": _read_yaml}


def _cases() -> list[Any]:
    found = []
    for fixture in sorted(CASES_DIR.glob("*.yaml")):
        content = yaml.safe_load(fixture.read_text(encoding="utf-8"))
        for case in content["cases"]:
            found.append(pytest.param(content["reader"], case, id=f"{fixture.stem}: {case['name']}"))
    return found


@pytest.mark.parametrize(("reader", "case"), _cases())
def test_the_case_gives_its_located_diagnostic(reader: str, case: dict[str, Any]) -> None:
    assert case["code"] in CODES
    with pytest.raises(AiassureError) as raised:
        READERS[reader](case["file"].encode("utf-8"), "case.yaml")
    [diagnostic] = raised.value.diagnostics
    line, column = (int(part) for part in case["at"].split(":"))
    assert (diagnostic.code, diagnostic.location.line, diagnostic.location.column) == (case["code"], line, column)
    assert diagnostic.location.file == "case.yaml" and diagnostic.is_error
    assert case.get("message", "") in diagnostic.message
    assert case.get("hint", "") in diagnostic.hint
