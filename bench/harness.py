"""What every measure shares: figures, interleaved timing, child processes, and cached corpora."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
# Generated corpora and registries, reused between runs (see corpus()); AIASSURE_BENCH_DATA moves them.
DATA_DIR = Path(os.environ.get("AIASSURE_BENCH_DATA") or BENCH_DIR / ".data")
RUBRICS = ("nhs-ai-technology@1.0.0", "nhs-ai-readiness@1.0.0")


@dataclass
class Figure:
    """One measured figure, its target and whether it was met."""

    measure: str  # "1", "2-score", ...
    name: str
    value: float | None
    unit: str  # "x", "s", "MB", "per s"
    target: str = ""  # as the issue words it, e.g. "<= 1.5x"
    met: bool | None = None  # None: no target, or not measured
    detail: dict[str, Any] = field(default_factory=dict)
    note: str = ""

    def row(self) -> str:
        shown = "not measured" if self.value is None else f"{self.value:,.2f} {self.unit}".strip()
        verdict = {True: "met", False: "MISSED", None: ""}[self.met]
        return f"{self.measure:<10} {self.name:<58} {shown:>16}  {self.target:<14} {verdict}"

    def report(self) -> str:
        """The row, its note and every detail, as a measure script prints them."""
        lines = [self.row() + (f"  ({self.note})" if self.note else "")]
        for key, value in self.detail.items():
            lines.append(f"    {key}: {value:.3f}" if isinstance(value, float) else f"    {key}: {value}")
        return "\n".join(lines)


def check(value: float | None, *, at_most: float | None = None, at_least: float | None = None) -> bool | None:
    if value is None:
        return None
    if at_most is not None and value > at_most:
        return False
    if at_least is not None and value < at_least:
        return False
    return True


def cpu_seconds() -> float:
    """CPU time of this process: other load on the machine barely moves it, unlike wall time."""
    return time.process_time()


def interleaved(
    candidates: dict[str, Callable[[], Any]], repeat: int, clock: Callable[[], float] = cpu_seconds
) -> dict[str, float]:
    """The best time of each candidate over `repeat` rounds, running them in turn in every round.

    Interleaving puts every candidate under the same machine conditions, and the best of
    several rounds drops the interruptions, which only ever add time.
    """
    best = {name: float("inf") for name in candidates}
    for _ in range(repeat):
        for name, run in candidates.items():
            gc.collect()
            start = clock()
            run()
            best[name] = min(best[name], clock() - start)
    return best


@dataclass
class ChildTime:
    wall: float
    cpu: float  # user + system of the child and its own children


def run_child(
    argv: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdout: Any = subprocess.DEVNULL,
    check_exit: bool = True,
) -> ChildTime:
    """Run a command to completion; its wall and CPU time (measured through wait4)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=stdout, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.stderr:
        process.stderr.close()
    if check_exit and process.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))} exited with {process.returncode}:\n{stderr[-2000:]}")
    return ChildTime(wall, usage.ru_utime + usage.ru_stime)


def best_child_times(commands: dict[str, list[str]], repeat: int, **kwargs: Any) -> dict[str, ChildTime]:
    """Each command `repeat` times, interleaved; the best wall and CPU time of each."""
    best: dict[str, ChildTime] = {}
    for _ in range(repeat):
        for name, argv in commands.items():
            timing = run_child(argv, **kwargs)
            previous = best.get(name)
            if previous is None:
                best[name] = timing
            else:
                best[name] = ChildTime(min(previous.wall, timing.wall), min(previous.cpu, timing.cpu))
    return best


def peak_memory_mb(argv: list[str], **kwargs: Any) -> float:
    """The peak resident memory of a command (its largest process), through bench/peak_memory.py."""
    with tempfile.TemporaryDirectory(prefix="aiassure-bench-") as scratch:
        out = Path(scratch) / "peak"
        run_child([sys.executable, str(BENCH_DIR / "peak_memory.py"), str(out), *argv], **kwargs)
        return float(out.read_text())


def _spin(count: int) -> int:
    total = 0
    for number in range(count):
        total += number
    return total


def parallel_capacity(cores: int, count: int = 8_000_000) -> float:
    """How many times faster `cores` processes do `cores` equal pieces of pure computation than one
    process does them all, right now: what any parallel speed-up measured now can reach."""
    import multiprocessing

    start = time.perf_counter()
    for _ in range(cores):
        _spin(count)
    alone = time.perf_counter() - start
    with multiprocessing.get_context("fork").Pool(cores) as pool:
        start = time.perf_counter()
        pool.map(_spin, [count] * cores)
        together = time.perf_counter() - start
    return alone / together


def aiassure_command() -> list[str]:
    """The `aiassure` script installed beside this Python, as a user runs it."""
    script = Path(sys.executable).parent / "aiassure"
    if script.exists():
        return [str(script)]
    found = shutil.which("aiassure")
    return [found] if found else [sys.executable, "-c", "from aiassure.cli import main; main()"]


QUICK_CORPUS, FULL_CORPUS = 400, 10_000


def corpus(
    count: int,
    *,
    seed: int = 0,
    rubrics: tuple[str, ...] = RUBRICS,
    rubric_dirs: tuple[Path, ...] = (),
    jobs: int = 2,
    root: Path = DATA_DIR,
) -> list[Path]:
    """The first `count` generated submissions (the k-th file depends only on the seed, the rubrics
    and k), from a corpus of 400 or 10,000 made once and kept under bench/.data."""
    size = QUICK_CORPUS if count <= QUICK_CORPUS else max(count, FULL_CORPUS)
    return _corpus(size, seed, rubrics, rubric_dirs, jobs, root)[:count]


def _corpus(
    count: int, seed: int, rubrics: tuple[str, ...], rubric_dirs: tuple[Path, ...], jobs: int, root: Path
) -> list[Path]:
    import generate

    from aiassure.assessments import answers_file, scoring
    from aiassure.rubrics.loader import RubricLibrary

    library = RubricLibrary(list(rubric_dirs))
    loaded = [library.resolve(ref) for ref in rubrics]
    # Everything that shapes the files: the generator, the file layout and scoring rules it uses.
    sources = [Path(generate.__file__), *(Path(module.__file__) for module in (answers_file, scoring))]
    shape = [[_file_hash(p) for p in sources], [r.fingerprint for r in loaded], count, seed]
    key = hashlib.sha256(json.dumps(shape).encode()).hexdigest()[:16]
    folder = root / f"corpus-{count}-{key}"
    done = folder / ".complete"
    if not done.exists():
        if folder.exists():
            shutil.rmtree(folder)
        generate.generate(loaded, count, folder, seed=seed, jobs=jobs)
        done.write_text("")
    return sorted(folder.glob("*.yaml"))


def folder_of(paths: list[Path], name: str) -> Path:
    """The given corpus files alone in a folder under bench/.data (hard links), with the evidence
    they cite, for commands that take a folder."""
    folder = DATA_DIR / f"{name}-{len(paths)}"
    marker = folder / ".complete"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        (folder / "evidence").mkdir(parents=True)
        for path in [*paths, *sorted((paths[0].parent / "evidence").iterdir())]:
            target = folder / path.relative_to(paths[0].parent)
            try:
                os.link(path, target)
            except OSError:
                shutil.copy2(path, target)
        marker.write_text("")
    return folder


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(
            next(
                line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
            ).split()[1]
        )
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    import pydantic
    import yaml

    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "pyyaml": f"{yaml.__version__} (libyaml {'yes' if yaml.__with_libyaml__ else 'no'})",
        "pydantic": pydantic.VERSION,
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def to_json(figures: list[Figure]) -> list[dict[str, Any]]:
    return [asdict(f) for f in figures]
