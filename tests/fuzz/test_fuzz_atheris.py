"""The atheris harness for long coverage-guided runs still works (skipped where atheris is not installed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HARNESS = Path(__file__).parent / "atheris_fuzz.py"
SEEDS = [Path(__file__).parent.parent / "hostile" / folder for folder in ("submissions", "rubrics")]


def test_atheris_harness_runs(tmp_path: Path) -> None:
    pytest.importorskip("atheris")
    command = [sys.executable, str(HARNESS), str(tmp_path), *map(str, SEEDS), "-runs=3000", "-rss_limit_mb=2048"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-4000:]
