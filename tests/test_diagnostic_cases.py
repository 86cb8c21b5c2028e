"""The diagnostic cases of tests/diagnostics/*.yaml (format: tests/diagnostic_cases.py): each file of an
in-process reader gives exactly its one located diagnostic; the command-line readers' cases are run by
the modules that set up their corpus, and every fixture's reader is one that some module runs.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from aiassure.assessments.validate import load_submission
from aiassure.codes import CODES
from aiassure.errors import AiassureError
from aiassure.rubrics.loader import RubricLibrary
from aiassure.source import load_bytes
from diagnostic_cases import READERS, Case, fixtures

TINY_RUBRIC = Path(__file__).parent / "assessments" / "fixtures" / "tiny-rubric.yaml"


def _read_yaml(path: Path) -> None:
    load_bytes(path.read_bytes(), path.name)


def _read_submission(path: Path) -> None:
    """Validate the file against the tiny rubric beside it, blind to the environment's search path."""
    shutil.copy(TINY_RUBRIC, path.parent / TINY_RUBRIC.name)
    load_submission(path, RubricLibrary([path.parent], use_env=False))


IN_PROCESS: dict[str, Callable[[Path], None]] = {"yaml": _read_yaml, "submission": _read_submission}


def _in_process_cases() -> list[object]:
    return [
        pytest.param(fixture.reader, case, id=f"{fixture.path.stem}: {case.name}")
        for fixture in fixtures()
        if fixture.reader in IN_PROCESS
        for case in fixture.cases
    ]


@pytest.mark.parametrize(("reader", "case"), _in_process_cases())
def test_the_case_gives_its_located_diagnostic(reader: str, case: Case, tmp_path: Path) -> None:
    assert case.text is not None
    path = tmp_path / "case.yaml"
    path.write_bytes(case.text.encode("utf-8"))
    with pytest.raises(AiassureError) as raised:
        IN_PROCESS[reader](path)
    assert len(raised.value.diagnostics) == 1, [d.format() for d in raised.value.diagnostics]
    [diagnostic] = raised.value.diagnostics
    located = (diagnostic.code, diagnostic.location.line, diagnostic.location.column)
    assert located == (case.code, case.line, case.column)
    assert Path(diagnostic.location.file).name == "case.yaml" and diagnostic.is_error
    assert case.message in diagnostic.message
    assert case.hint in diagnostic.hint
    assert case.path in (None, diagnostic.path)


def test_every_fixture_is_read_and_its_codes_are_in_the_catalogue() -> None:
    """A fixture no module runs, or a code the program cannot emit, would check nothing."""
    found = fixtures()
    assert {fixture.reader for fixture in found} <= set(READERS) and set(IN_PROCESS) <= set(READERS)
    for fixture in found:
        assert fixture.cases, fixture.path.name
        for case in fixture.cases:
            assert case.code in CODES, f"{fixture.path.name}: {case.name}: {case.code!r} is not in aiassure.codes"
            assert case.corpus_file is None or case.corpus_file.is_file(), f"{fixture.path.name}: {case.name}"
