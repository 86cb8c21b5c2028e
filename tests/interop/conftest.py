"""Interop fixtures: a copy of the examples (their evidence paths resolve) and a library that knows their rubrics."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from interop_helpers import EXAMPLES, LOCAL_RUBRICS

from aiassure.rubrics.loader import ENV_PATH, RubricLibrary


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """A copy of examples/ (so that answers written beside a submission see its evidence files)."""
    target = tmp_path / "examples"
    shutil.copytree(EXAMPLES, target)
    return target


@pytest.fixture
def example_library(monkeypatch: pytest.MonkeyPatch) -> RubricLibrary:
    monkeypatch.delenv(ENV_PATH, raising=False)
    return RubricLibrary([LOCAL_RUBRICS])
