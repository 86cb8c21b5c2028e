"""Measure 2: speed-up of batch `score`, `report` and `registry ingest` with `--jobs N` on N cores.

Each command runs as a user runs it, over a folder of generated submissions, once with
`--jobs 1` and once with `--jobs N` (N = the cores available, at most --cores), interleaved;
the speed-up is the ratio of their best wall-clock times. `report` writes HTML (PDF rendering
is measure 4); `registry ingest` writes to a fresh SQLite file each time.
Usage: python bench/measure_jobs.py [--quick] [--cores N] [--only score,report,ingest]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from harness import Figure, aiassure_command, check, corpus, folder_of, parallel_capacity, peak_memory_mb, run_child
from measure_startup import child_env

TARGET_PER_CORE = 0.8
COMMANDS = ("score", "report", "ingest")
# Files per command: enough for seconds of work at --jobs 1, so that starting the pool is noise.
SIZES = {"score": (40, 3000), "report": (6, 300), "ingest": (40, 2000)}


def cores_available(limit: int) -> int:
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:
        available = os.cpu_count() or 1
    return max(1, min(limit, available))


def argv_for(command: str, folder: Path, jobs: int, scratch: Path) -> list[str]:
    base = aiassure_command()
    if command == "score":
        return [*base, "score", "--format", "json", "--jobs", str(jobs), str(folder)]
    if command == "report":
        return [*base, "report", str(folder), "-o", str(scratch / "reports"), "--format", "html", "--jobs", str(jobs)]
    return [
        *base,
        "registry",
        "ingest",
        str(folder),
        "--db",
        f"sqlite:///{scratch / 'registry.db'}",
        "--jobs",
        str(jobs),
    ]


def measure(command: str, quick: bool, cores: int) -> Figure:
    count = SIZES[command][0 if quick else 1]
    folder = folder_of(corpus(count), f"jobs-{command}")
    env = child_env()
    capacity = parallel_capacity(cores)
    best: dict[int, float] = {}
    cpu: dict[int, float] = {}  # user + system of all the command's processes: what --jobs costs in total
    for _ in range(1 if quick else 2):
        for jobs in (1, cores):
            with tempfile.TemporaryDirectory(prefix="aiassure-bench-") as scratch:
                timing = run_child(argv_for(command, folder, jobs, Path(scratch)), env=env)
            best[jobs] = min(best.get(jobs, float("inf")), timing.wall)
            cpu[jobs] = min(cpu.get(jobs, float("inf")), timing.cpu)
    few = corpus(max(1, count // 10))
    peaks = []
    for chosen in (folder_of(few, f"jobs-{command}"), folder):
        with tempfile.TemporaryDirectory(prefix="aiassure-bench-") as scratch:
            peaks.append(peak_memory_mb(argv_for(command, chosen, 1, Path(scratch)), env=env))
    speedup = best[1] / best[cores]
    target = TARGET_PER_CORE * cores
    return Figure(
        f"2-{command}",
        f"`{command} --jobs {cores}` speed-up over --jobs 1 ({count:,} files, {cores} cores)",
        speedup,
        "x",
        f">= {target:g}x",
        check(speedup, at_least=target) if cores > 1 else None,
        {
            "files": count,
            "cores": cores,
            "jobs_1_s": best[1],
            f"jobs_{cores}_s": best[cores],
            # The same speed-up for pure computation, measured just before: other work on the
            # machine lowers both.
            "machine_speedup_for_pure_computation": capacity,
            "cpu_jobs_1_s": cpu[1],
            f"cpu_jobs_{cores}_s": cpu[cores],
            # Streaming: the peak memory of --jobs 1 over a tenth of the files and over all of them.
            f"peak_mb_{len(few)}_files": peaks[0],
            f"peak_mb_{count}_files": peaks[1],
        },
        "" if cores > 1 else "one core available: no speed-up to measure",
    )


def run(quick: bool = False, cores: int = 2, only: tuple[str, ...] = COMMANDS) -> list[Figure]:
    available = cores_available(cores)
    return [measure(command, quick, available) for command in only]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--only", default=",".join(COMMANDS))
    args = parser.parse_args()
    for figure in run(args.quick, args.cores, tuple(args.only.split(","))):
        print(figure.report())
