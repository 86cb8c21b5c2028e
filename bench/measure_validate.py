"""Measure 1: validate and score N submissions, against parsing the same files with PyYAML's CSafeLoader alone.

Both sides read every file from disk the same way (`Path.read_bytes`). aiassure's side is the
whole of what `score` does per file before printing: `load_submission` (safe YAML with
positions, envelope and answer checks, evidence checks, applicability warnings) and
`to_result` (scoring and the result model). The floor is `yaml.load(raw, Loader=CSafeLoader)`.
Usage: python bench/measure_validate.py [--quick] [-n N]
"""

from __future__ import annotations

import argparse
import gc
import time

import yaml
from harness import Figure, check, corpus, cpu_seconds

TARGET = 1.5


def run(quick: bool = False, count: int | None = None) -> list[Figure]:
    from aiassure.assessments.result import to_result
    from aiassure.assessments.validate import load_submission
    from aiassure.rubrics.loader import RubricLibrary

    count = count or (400 if quick else 10_000)
    paths = corpus(count)
    templated = {p for p in paths if p.read_bytes().startswith(b"#")}  # the `aiassure init` layout
    library = RubricLibrary([])
    for path in paths[:2]:  # each rubric is compiled once per process, before the clock starts
        to_result(load_submission(path, library))

    def floor(path):
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)

    def aiassure(path):
        to_result(load_submission(path, library))

    # Each reader makes whole passes over the files, in turn, as a batch command would, and each
    # keeps its best pass over the rounds (other load on the machine only ever adds time). Timing
    # whole passes keeps each side's garbage collection in its figure. Within a pass, files are
    # timed one by one to give the split by file layout.
    rounds = 1 if quick else 2
    best: dict[tuple[str, str], float] = {}
    wall: dict[str, float] = {}
    for _ in range(rounds):
        for name, work in (("floor", floor), ("aiassure", aiassure)):
            sums = {"templated": 0.0, "block": 0.0}
            gc.collect()
            started = time.perf_counter()
            for path in paths:
                start = cpu_seconds()
                work(path)
                sums["templated" if path in templated else "block"] += cpu_seconds() - start
            wall[name] = min(wall.get(name, float("inf")), time.perf_counter() - started)
            sums["all"] = sums["templated"] + sums["block"]
            for layout, seconds in sums.items():
                best[name, layout] = min(best.get((name, layout), float("inf")), seconds)

    def ratio(layout: str) -> float:
        return best["aiassure", layout] / best["floor", layout]

    overall = ratio("all")
    return [
        Figure(
            "1",
            f"validate + score {count:,} files / CSafeLoader parse",
            overall,
            "x",
            f"<= {TARGET}x",
            check(overall, at_most=TARGET),
            {
                "files": count,
                "floor_ms_per_file": 1000 * best["floor", "all"] / count,
                "aiassure_ms_per_file": 1000 * best["aiassure", "all"] / count,
                "ratio_init_layout": ratio("templated"),
                "ratio_block_layout": ratio("block"),
                "ratio_wall_clock": wall["aiassure"] / wall["floor"],
                "init_layout_files": len(templated),
            },
        )
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("-n", "--count", type=int)
    args = parser.parse_args()
    for figure in run(args.quick, args.count):
        print(figure.report())
