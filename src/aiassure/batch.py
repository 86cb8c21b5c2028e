"""Run one function over many inputs, in order, optionally across processes, with bounded memory."""

from __future__ import annotations

import math
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from .codes import ExitCode
from .errors import Diagnostic, Location
from .fsutil import Unconfined, confined

if TYPE_CHECKING:
    from concurrent.futures import Future

Item = TypeVar("Item")
Out = TypeVar("Out")


# A pool costs its start (forking and starting each worker) and, per task, a round trip with
# pickling both ways (about 0.1 ms), and the parent still does its own part of every item. Below
# these, more processes are slower than one (issue 20: `score --jobs 2` at 0.77x on a busy machine).
PARALLEL_SECONDS = 1.0  # least work, in item-seconds, worth a pool at all
WORKER_SECONDS = 0.5  # least work per worker, so that each one's start pays for itself
TASK_SECONDS = 0.02  # work per task to aim for: the round trip is then under 1%
TASKS_PER_WORKER = 4  # at least, so that no worker idles long at the end


@dataclass(frozen=True)
class Plan:
    """How a batch runs: in `workers` processes (1: in this one) taking `chunk` items a task."""

    workers: int
    chunk: int = 1


def free_cores() -> int:
    """The cores this process may use that other work is not using now (by the 1-minute load
    average), at least one: on a busy machine extra workers only compete with one another."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except OSError:
        busy = 0.0
    return max(1, min(usable, math.floor(usable - busy + 0.5)))


def plan_batch(count: int, jobs: int, item_seconds: float, cores: int | None = None) -> Plan:
    """The plan for `count` items of about `item_seconds` each, with at most `jobs` processes: no
    more workers than there are free cores or than the work keeps busy (WORKER_SECONDS each), one
    process for a small batch; tasks of about TASK_SECONDS, but at least TASKS_PER_WORKER per worker."""
    work = count * item_seconds
    if jobs <= 1 or work < PARALLEL_SECONDS:
        return Plan(1)
    workers = min(jobs, free_cores() if cores is None else cores, int(work // WORKER_SECONDS), count)
    if workers <= 1:
        return Plan(1)
    by_time = max(1, round(TASK_SECONDS / item_seconds))
    return Plan(workers, max(1, min(by_time, count // (workers * TASKS_PER_WORKER))))


def run_batch(
    func: Callable[[Item], Out],
    items: Sequence[Item],
    *,
    jobs: int = 1,
    item_seconds: float,
    plan: Plan | None = None,
) -> Iterator[Out]:
    """Yield func(item) in input order, in up to `jobs` processes as `plan_batch` plans it for items
    taking about `item_seconds` each (or as `plan` says); at most 8 tasks per worker are in flight,
    so memory stays flat however many items there are."""
    chosen = plan or plan_batch(len(items), jobs, item_seconds)
    if chosen.workers <= 1:
        for item in items:
            yield func(item)
        return
    # Imported here: `validate` and every one-file command use this module without a pool.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    limit = chosen.workers * 8
    with ProcessPoolExecutor(
        max_workers=chosen.workers, mp_context=context, initializer=_die_with_parent, initargs=(os.getpid(),)
    ) as pool:
        pending: deque[Future[list[Out]]] = deque()
        for task in batched(items, chosen.chunk):
            pending.append(pool.submit(_apply, func, task))
            if len(pending) >= limit:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCH_SECONDS = 1.0  # how often a worker without prctl looks for its parent


def _die_with_parent(parent: int) -> None:
    """Pool worker initializer: end this worker when the process that started the pool dies. A
    parent killed outright (SIGKILL, the OOM killer) cannot shut its pool down, and its workers
    would wait for work forever. On Linux the kernel sends the worker SIGKILL then
    (prctl PR_SET_PDEATHSIG); elsewhere a thread looks for the parent every WATCH_SECONDS."""
    import signal
    import sys

    watched = False
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            watched = libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
        except (OSError, AttributeError):
            watched = False
    if not watched:
        import threading

        threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="aiassure-parent-watch").start()
    if os.getppid() != parent:  # it died before the kernel was told to say so
        os._exit(ExitCode.INTERRUPTED)


def _watch_parent(parent: int) -> None:
    import time

    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    os._exit(ExitCode.INTERRUPTED)


def _apply(func: Callable[[Item], Out], items: tuple[Item, ...]) -> list[Out]:
    return [func(item) for item in items]


def batched(items: Iterable[Item], size: int) -> Iterator[tuple[Item, ...]]:
    """Consecutive tuples of `size` items (the last may be shorter): itertools.batched before 3.12."""
    iterator = iter(items)
    while task := tuple(islice(iterator, size)):
        yield task


class Expanded(list[Path]):
    """The files to read, in order, and `refused`: a diagnostic for each symbolic link found in a
    folder given that leads out of it (to a file or a folder), which is not read."""

    def __init__(self, files: Iterable[Path] = (), refused: Iterable[Diagnostic] = ()) -> None:
        super().__init__(files)
        self.refused = list(refused)


def expand_paths(paths: Iterable[Path], suffixes: tuple[str, ...] = (".yaml", ".yml")) -> Expanded:
    """Files as given, and the matching files inside any folder given, sorted for a stable order.
    Inside a folder, a symbolic link that leads out of it is refused (`Expanded.refused`), and
    one that stays inside is read when it is a file; symlinked folders are never walked into."""
    found = Expanded()
    for path in paths:
        if path.is_dir():
            found.extend(_walk(path, suffixes, found.refused))
        else:
            found.append(path)
    return found


def _walk(root: Path, suffixes: tuple[str, ...], refused: list[Diagnostic]) -> list[Path]:
    files: list[Path] = []
    for folder, dirs, names in os.walk(root):  # symlinked folders are listed in dirs, never entered
        here = Path(folder)
        for name in dirs:
            if (here / name).is_symlink():
                _check_link(root, here / name, refused)
        for name in names:
            path = here / name
            if name.startswith(".") or path.suffix.lower() not in suffixes:
                continue
            if path.is_symlink() and not _check_link(root, path, refused):
                continue
            if path.is_file():
                files.append(path)
    return sorted(files)


def _check_link(root: Path, link: Path, refused: list[Diagnostic]) -> bool:
    """Whether a symbolic link found in `root` stays inside it (`fsutil.confined`); if not, why is in `refused`."""
    try:
        confined(root, link.relative_to(root).as_posix(), "the folder given")
    except Unconfined as exc:
        message = f"{link.relative_to(root).as_posix()!r} {exc.reason}: it was not read"
        hint = "copy the file into the folder, or give it on the command line"
        refused.append(Diagnostic("outside-folder", message, Location(str(link)), hint=hint))
        return False
    return True


__all__ = ["Expanded", "Plan", "expand_paths", "free_cores", "plan_batch", "run_batch"]
