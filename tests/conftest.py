"""Small fixtures shared by the whole suite: writing input files, and a rubric library blind to the environment."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from aiassure.rubrics.loader import ENV_PATH, RubricLibrary

Write = Callable[..., Path]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """`write(name, content)` -> path under tmp_path: bytes as they are, text dedented, a mapping as YAML."""

    def _write(name: str, content: Any) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RubricLibrary:
    """A rubric library searching tmp_path (then the built-in library), whatever AIASSURE_RUBRIC_PATH says."""
    monkeypatch.delenv(ENV_PATH, raising=False)
    return RubricLibrary([tmp_path])
