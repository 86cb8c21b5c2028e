"""Paths and replies shared by the `aiassure assess` tests (a unique name, so no other conftest shadows it)."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
RUBRIC = HERE / "tiny-assess-rubric.yaml"
BY_HAND = HERE / "answers-by-hand.yaml"

# The subject step of a new file: name, ODS code, org type (menu number), region (menu number),
# round, assessed on, one assessor and their role, then Enter to finish the assessors.
INTAKE = [
    "Northshire Hospitals NHS Foundation Trust",
    "rxx",
    "1",
    "4",
    "2026-Q4",
    "2026-11-20",
    "Ada Lovelace",
    "CIO",
    "",
]
