"""The catalogue of codes (aiassure.codes): complete against the source, unused entries none, its doc current."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import aiassure
from aiassure.codes import CODES, EXIT_MEANINGS, SECTIONS, ExitCode, catalogue_markdown

PACKAGE = Path(aiassure.__file__).parent
DOC = Path(__file__).resolve().parent.parent / "docs" / "diagnostics.md"
CODE_SHAPE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
# The functions that make a diagnostic, and the position of their code argument: Diagnostic itself
# and the helpers each reader and checker wraps it in. `add` (the FHIR reader's) has more arguments
# than a set's `add`, which is how the scan tells them apart.
EMITTERS = {
    "Diagnostic": 0,
    "diagnostic": 0,
    "error": 0,
    "warn": 0,
    "add": 0,
    "Problem": 0,
    "_fail": 1,
    "_located_error": 1,
    "StorageRefused": 1,
}
MIN_ARGUMENTS = {"add": 3}


def _strings(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def emitted_codes() -> dict[str, list[str]]:
    """Every code-shaped constant given as the code of a diagnostic in the package, with where."""
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            position = EMITTERS.get(name)
            if position is None or len(node.args) < max(position + 2, MIN_ARGUMENTS.get(name, 0)):
                continue
            given = _strings(node.args[position]) + [
                s for keyword in node.keywords if keyword.arg == "code" for s in _strings(keyword.value)
            ]
            for code in given:
                if CODE_SHAPE.match(code):
                    found.setdefault(code, []).append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    return found


def test_every_code_the_source_emits_is_in_the_catalogue() -> None:
    missing = {code: where for code, where in emitted_codes().items() if code not in CODES}
    assert not missing, f"declare these codes in src/aiassure/codes.py with their meaning: {missing}"


def test_every_code_in_the_catalogue_is_emitted_somewhere() -> None:
    assert sorted(set(CODES) - set(emitted_codes())) == []


def test_each_code_is_declared_once_with_a_one_line_meaning() -> None:
    declared = [code for section in SECTIONS.values() for code in section]
    assert len(declared) == len(set(declared))
    for code, meaning in CODES.items():
        assert CODE_SHAPE.match(code), code
        assert meaning and "\n" not in meaning and meaning == meaning.strip(), code


def test_every_exit_code_has_a_meaning() -> None:
    assert set(EXIT_MEANINGS) == set(ExitCode)
    assert ExitCode.INTERRUPTED == 130


def test_every_exit_goes_through_exit_code() -> None:
    """No bare number leaves the program: `SystemExit(1)`, `sys.exit(2)`, `ctx.exit(130)`."""
    bare = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("SystemExit", "exit", "_exit") and isinstance(node.args[0], ast.Constant):
                bare.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert bare == []


def test_docs_diagnostics_is_generated_from_the_catalogue(update_goldens: bool) -> None:
    expected = catalogue_markdown()
    if update_goldens:
        DOC.write_text(expected, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == expected, (
        "docs/diagnostics.md is out of date: run `python -m pytest tests/test_codes.py --update-goldens`"
    )


@pytest.mark.parametrize("code", sorted(ExitCode))
def test_the_readme_documents_each_exit_code(code: ExitCode) -> None:
    readme = (DOC.parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"`{int(code)}`" in readme
