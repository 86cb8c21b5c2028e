"""Issue 20's end-to-end figures: whole commands as a user runs them, each against its floor in the same run.

- `aiassure score --format json FOLDER` (one process) against `bench/parse_floor.py FOLDER`
  (read and parse every file with CSafeLoader), both whole processes: <= 1.5x, CPU time.
- `aiassure report --format html` per file against `aiassure score --format json` per file: <= 3x.
- `aiassure --help` against `python -c "import click"`: <= 3x; `aiassure validate one.yaml`
  against `python -c "import click, yaml, pydantic"` is measure 3 (<= 2.5x).
- `score --jobs 2` never slower than `--jobs 1`, on a small batch (it runs in one process) and on
  a large one: time with --jobs 1 / time with --jobs 2 >= 0.95 (1x within timing noise).
Child processes, interleaved, best of several; CPU time (user + system of the process and its
children) where the figure is about work, wall-clock time where it is about waiting.
Usage: python bench/measure_endtoend.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from harness import BENCH_DIR, Figure, aiassure_command, best_child_times, check, corpus, folder_of
from measure_startup import child_env

SIZES = {True: (40, 20, 400), False: (400, 100, 400)}  # score, report, jobs-large files (the 400-file corpus)


def run(quick: bool = False) -> list[Figure]:
    score_count, report_count, jobs_count = SIZES[quick]
    repeat = 1 if quick else 3
    env = child_env()
    aiassure = aiassure_command()
    files = folder_of(corpus(score_count), "e2e-score")
    few = folder_of(corpus(report_count), "e2e-report")
    figures = []
    with tempfile.TemporaryDirectory(prefix="aiassure-bench-") as scratch:
        best = best_child_times(
            {
                "score": [*aiassure, "score", "--format", "json", str(files)],
                "floor": [sys.executable, str(BENCH_DIR / "parse_floor.py"), str(files)],
                "score-few": [*aiassure, "score", "--format", "json", str(few)],
                "report-few": [*aiassure, "report", str(few), "-o", str(Path(scratch) / "r"), "--format", "html"],
            },
            repeat,
            env=env,
        )
        ratio = best["score"].cpu / best["floor"].cpu
        figures.append(
            Figure(
                "3-score",
                f"`score --format json` end to end / read + CSafeLoader, {score_count:,} files",
                ratio,
                "x",
                "<= 1.5x",
                check(ratio, at_most=1.5),
                {
                    "aiassure_cpu_s": best["score"].cpu,
                    "floor_cpu_s": best["floor"].cpu,
                    "ratio_wall": best["score"].wall / best["floor"].wall,
                },
            )
        )
        per_file = best["report-few"].cpu / best["score-few"].cpu
        figures.append(
            Figure(
                "4-report",
                f"`report --format html` per file / `score --format json` per file, {report_count} files",
                per_file,
                "x",
                "<= 3x",
                check(per_file, at_most=3.0),
                {"report_cpu_s": best["report-few"].cpu, "score_cpu_s": best["score-few"].cpu},
            )
        )
        start = best_child_times(
            {"help": [*aiassure, "--help"], "floor": [sys.executable, "-c", "import click"]},
            5 if quick else 20,
            env=env,
        )
        ratio = start["help"].wall / start["floor"].wall
        figures.append(
            Figure(
                "5-help",
                "`aiassure --help` / `python -c 'import click'`",
                ratio,
                "x",
                "<= 3x",
                check(ratio, at_most=3.0),
                {"help_ms": 1000 * start["help"].wall, "floor_ms": 1000 * start["floor"].wall},
            )
        )
        for name, folder in (
            ("small", folder_of(corpus(40), "e2e-jobs-small")),
            ("large", folder_of(corpus(jobs_count), "e2e-jobs")),
        ):
            timed = best_child_times(
                {str(j): [*aiassure, "score", "--format", "json", "--jobs", str(j), str(folder)] for j in (1, 2)},
                repeat,
                env=env,
            )
            ratio = timed["1"].wall / timed["2"].wall
            figures.append(
                Figure(
                    f"6-jobs-{name}",
                    f"`score --jobs 1` time / `--jobs 2` time, {len(list(folder.glob('*.yaml'))):,} files",
                    ratio,
                    "x",
                    ">= 0.95x",
                    check(ratio, at_least=0.95),
                    {
                        "jobs_1_s": timed["1"].wall,
                        "jobs_2_s": timed["2"].wall,
                        "cpu_jobs_1_s": timed["1"].cpu,
                        "cpu_jobs_2_s": timed["2"].cpu,
                    },
                )
            )
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    for figure in run(args.quick):
        print(figure.report())
