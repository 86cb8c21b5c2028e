"""Fixtures of the `aiassure assess` tests: a scripted-session runner writing into a temporary folder."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from assess_helpers import RUBRIC
from click.testing import CliRunner, Result

from aiassure.cli import main


@pytest.fixture
def answers_path(tmp_path: Path) -> Path:
    """The answers file to write, beside a copy of the tiny rubric: a submission names only files
    in its own folder (issue 11)."""
    shutil.copy(RUBRIC, tmp_path / RUBRIC.name)
    return tmp_path / "answers.yaml"


@pytest.fixture
def run_assess(answers_path: Path) -> Callable[..., Result]:
    """`aiassure assess RUBRIC -o FILE [extra...]` with `lines` piped to standard input."""

    def run(lines: list[str], *extra: str, rubric: Path | str | None = None, output: Path | None = None) -> Result:
        rubric = answers_path.parent / RUBRIC.name if rubric is None else rubric
        text = "".join(f"{line}\n" for line in lines)
        args = ["assess", str(rubric), "-o", str(output or answers_path), *extra]
        return CliRunner().invoke(main, args, input=text, catch_exceptions=False)

    return run
