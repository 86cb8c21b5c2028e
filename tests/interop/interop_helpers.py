"""Paths shared by the interop tests: the shipped examples and the local rubric they use."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).parents[2] / "examples"
LOCAL_RUBRICS = EXAMPLES / "local-rubric"
# Every example submission: not the local rubric, the waiver file, nor the rubric library of the example plugin.
SUBMISSIONS = sorted(
    p
    for p in EXAMPLES.rglob("*.yaml")
    if p.name not in ("northshire-ai-readiness.yaml", "waivers.yaml") and EXAMPLES / "plugins" not in p.parents
)
