"""Measure issue 11's bound: 2,000 unknown ids against a 10,000-criterion rubric, refused within 5 s.

Both files and the rubric are generated in a temporary folder. In one process, after the rubric is
compiled (not timed: every file against it pays that once per process), the file whose 2,000 ids
are each one edit away from a criterion (`crit-x00042`) is validated first cold (the "did you
mean" index is built on its first search) and then warm, and the same file with the ids correct
is validated for comparison. The figure is the cold refusal; docs/performance.md records it.
Usage: python bench/measure_suggestions.py [--quick]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from harness import Figure, check

TARGET_SECONDS = 5.0


def write_rubric(folder: Path, criteria: int) -> str:
    """A rubric of `criteria` level criteria (crit-00000, ...) in domains of 100; its id@version."""
    lines = ["id: big-rubric", "version: 1.0.0", "title: Big", "subject: organisation", "domains:"]
    for d in range(-(-criteria // 100)):
        pillar = ("safe", "ethical", "effective")[d % 3]
        lines += [f"  - id: dom{d:03d}", f"    title: Domain {d}", f"    pillar: {pillar}", "    criteria:"]
        for i in range(d * 100, min(criteria, d * 100 + 100)):
            lines.append(f"      - {{id: crit-{i:05d}, question: Q{i}?, references: [{{framework: T, id: '{i}'}}]}}")
    lines += ["outcomes:", "  - {id: any, label: Any, when: {}}"]
    (folder / "big.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "big-rubric@1.0.0"


def write_submission(path: Path, rubric: str, idents: list[str]) -> Path:
    head = [
        f"rubric: {rubric}",
        "subject: {type: organisation, name: X, code: X1, org_type: acute}",
        "round: 2026-Q4",
        "assessed_on: 2026-11-15",
        "answers:",
    ]
    path.write_text("\n".join(head + [f"  {ident}: 2" for ident in idents]) + "\n", encoding="utf-8")
    return path


def run(quick: bool = False) -> list[Figure]:
    from aiassure.assessments.validate import load_submission
    from aiassure.diagnose import MAX_SUGGESTIONS
    from aiassure.errors import AiassureError
    from aiassure.rubrics.loader import RubricLibrary

    criteria, unknown = (1_000, 200) if quick else (10_000, 2_000)
    with tempfile.TemporaryDirectory(prefix="aiassure-bench-") as tmp:
        folder = Path(tmp)
        rubric = write_rubric(folder, criteria)
        bad = write_submission(folder / "bad.yaml", rubric, [f"crit-x{i:05d}" for i in range(unknown)])
        good = write_submission(folder / "good.yaml", rubric, [f"crit-{i:05d}" for i in range(unknown)])
        library = RubricLibrary([folder])

        def validate(path: Path) -> tuple[float, list[object]]:
            started = time.perf_counter()
            try:
                load_submission(path, library)
                found: list[object] = []
            except AiassureError as exc:
                found = list(exc.diagnostics)
            return time.perf_counter() - started, found

        compile_seconds, _ = validate(good)  # the rubric is compiled once per process
        cold, diagnostics = validate(bad)
        warm = min(validate(bad)[0] for _ in range(3))
        valid = min(validate(good)[0] for _ in range(3))
    hinted = sum(1 for d in diagnostics if getattr(d, "hint", "").startswith("did you mean"))
    return [
        Figure(
            "suggestions",
            f"refuse {unknown:,} unknown ids vs a {criteria:,}-criterion rubric",
            cold,
            "s",
            f"< {TARGET_SECONDS:g} s",
            check(cold, at_most=TARGET_SECONDS),
            {
                "cold_seconds": cold,
                "warm_seconds": warm,
                "valid_twin_seconds": valid,
                "ratio_warm_to_valid_twin": warm / valid,
                "rubric_compile_seconds": compile_seconds,
                "diagnostics": len(diagnostics),
                "with_a_suggestion": hinted,
                "suggestion_cap": MAX_SUGGESTIONS,
            },
        )
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    for figure in run(args.quick):
        print(figure.report())
