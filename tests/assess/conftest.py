"""Fixtures of the `aiassure assess` tests: a scripted-session runner writing into a temporary folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from assess_helpers import RUBRIC
from click.testing import CliRunner, Result

from aiassure.cli import main


@pytest.fixture
def answers_path(tmp_path: Path) -> Path:
    return tmp_path / "answers.yaml"


@pytest.fixture
def run_assess(answers_path: Path) -> Callable[..., Result]:
    """`aiassure assess RUBRIC -o FILE [extra...]` with `lines` piped to standard input."""

    def run(lines: list[str], *extra: str, rubric: Path | str = RUBRIC, output: Path | None = None) -> Result:
        text = "".join(f"{line}\n" for line in lines)
        args = ["assess", str(rubric), "-o", str(output or answers_path), *extra]
        return CliRunner().invoke(main, args, input=text, catch_exceptions=False)

    return run
