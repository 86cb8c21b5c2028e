"""Fixtures for the assessment tests: the tiny rubric beside each test's submission."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"

# A complete, valid submission for fixtures/tiny-rubric.yaml: tests mutate it line by line.
VALID = """\
rubric: tiny-rubric.yaml
subject:
  type: organisation
  name: Northshire Hospitals NHS Foundation Trust
  code: RXX
  org_type: acute
round: 2026-Q4
assessed_on: 2026-11-20
assessors: [{name: A. Lead, role: CCIO}]
answers:
  gov-01: {level: 2, evidence: [{title: Board minutes, url: "https://example.org/minutes"}]}
  gov-02: yes
  gov-03: local
  eth-01: [eia, bias]
  eth-02: Nothing to add.
  eth-03: no
  val-01: 88
  val-02: [defined, baseline]
"""


@pytest.fixture
def tiny_rubric(tmp_path: Path) -> Path:
    """fixtures/tiny-rubric.yaml copied into tmp_path, where submissions refer to it by name."""
    return Path(shutil.copy(FIXTURES / "tiny-rubric.yaml", tmp_path / "tiny-rubric.yaml"))


@pytest.fixture
def valid_submission() -> str:
    return VALID
