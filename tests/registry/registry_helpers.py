"""Helpers of the registry tests: test rubrics, submission files, and the hand-checked national dataset."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from aiassure.assessments.score_files import ScoreOptions
from aiassure.registry.intake import read_input
from aiassure.registry.store import Registry

RUBRICS = Path(__file__).parent / "data" / "rubrics"
OPTIONS = ScoreOptions(rubric_dirs=(RUBRICS,))

Submit = Callable[..., Path]


def submission_yaml(
    code: str,
    round_: str,
    answers: dict[str, object],
    *,
    rubric: str = "tiny-org@1.0.0",
    name: str | None = None,
    org_type: str = "acute",
    region: str | None = "London",
    assessed_on: str | None = None,
    assessed_by: str | None = None,
    intended_use: str | None = None,
    device_class: str | None = None,
) -> str:
    technology = rubric.startswith("tiny-tech")
    subject = {
        "type": "technology" if technology else "organisation",
        "name": name or f"Subject {code}",
        "code": code,
        "org_type": org_type,
    }
    if region is not None:
        subject["region"] = region
    for key, value in (("intended_use", intended_use), ("device_class", device_class)):
        if value is not None:
            subject[key] = value
    lines = [
        f"rubric: {rubric}",
        "subject: {" + ", ".join(f"{k}: {v}" for k, v in subject.items()) + "}",
        *([f"assessed_by: {{name: Trust {assessed_by}, code: {assessed_by}}}"] if assessed_by else []),
        f"round: {round_}",
        f"assessed_on: {assessed_on or _quarter_day(round_)}",
        "answers:",
    ]
    lines += [f"  {ident}: {value}" for ident, value in answers.items()]
    return "\n".join(lines) + "\n"


def _quarter_day(round_: str) -> str:
    year, quarter = round_.split("-Q")
    return f"{year}-{int(quarter) * 3 - 1:02d}-15"  # mid-quarter: not after the suite's today (2026-12-07)


def levels(safe: int, ethical: int, effective: int, statutory: str | None = "yes") -> dict[str, object]:
    """Answers giving these pillar levels; `statutory: no` fails the gate (caps overall at 1)."""
    answers: dict[str, object] = {"g1": safe, "d1": ethical, "v1": effective}
    if statutory is not None:
        answers["g2"] = statutory
    return answers


def national_dataset(submit: Submit) -> list[Path]:
    """The hand-checked dataset of test_portfolio.py: docs/registry.md walks through its figures."""
    return [
        # 2026-Q2
        submit("A", "2026-Q2", levels(2, 2, 2), region="London"),
        submit("B", "2026-Q2", levels(3, 3, 3), region="London"),
        submit("C", "2026-Q2", levels(3, 3, 3), region="North"),
        # 2026-Q4: A's first return is superseded by its second (assessed later)
        submit("A", "2026-Q4", levels(1, 1, 1), file="A-draft.yaml", region="London", assessed_on="2026-11-01"),
        submit("A", "2026-Q4", levels(4, 3, 5), region="London", assessed_on="2026-12-01"),
        submit("B", "2026-Q4", levels(2, 2, 2), region="London"),
        submit("C", "2026-Q4", levels(3, 3, 3), region="North", rubric="tiny-org@1.1.0"),
        submit("D", "2026-Q4", levels(1, 4, 4), org_type="mental-health", region="North"),
        submit("E", "2026-Q4", levels(5, 5, 5, statutory="no"), region="North"),
        # technologies, 2026-Q4
        submit("T1", "2026-Q4", levels(4, 4, 4), rubric="tiny-tech@1.0.0", org_type="vendor", region=None),
        submit(
            "T2", "2026-Q4", levels(3, 3, 3, statutory=None), rubric="tiny-tech@1.0.0", org_type="vendor", region=None
        ),
        submit("T3", "2026-Q4", levels(3, 3, 2), rubric="tiny-tech@1.0.0", org_type="vendor", region=None),
        submit("T4", "2026-Q4", levels(3, 3, 3), rubric="tiny-tech@1.0.0", org_type="vendor", region=None),
    ]


def ingest(registry: Registry, paths: list[Path]) -> list[str]:
    """Store each file; the statuses, in order."""
    return [registry.store(read_input(path, OPTIONS)).status for path in paths]
