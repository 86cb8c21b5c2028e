"""Run one function over many inputs, in order, optionally across processes, with bounded memory."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

Item = TypeVar("Item")
Out = TypeVar("Out")


def run_batch(
    func: Callable[[Item], Out],
    items: Iterable[Item],
    *,
    jobs: int = 1,
    window: int = 0,
) -> Iterator[Out]:
    """Yield func(item) in input order; with jobs > 1, at most `window` items are in flight."""
    if jobs <= 1:
        for item in items:
            yield func(item)
        return
    context = multiprocessing.get_context("fork")
    limit = window or jobs * 8
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        pending: deque[Future[Out]] = deque()
        for item in items:
            pending.append(pool.submit(func, item))
            if len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def expand_paths(paths: Iterable[Path], suffixes: tuple[str, ...] = (".yaml", ".yml")) -> list[Path]:
    """Files as given, and the matching files inside any folder given, sorted for a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes and not p.name.startswith(".")))
        else:
            found.append(path)
    return found


__all__ = ["expand_paths", "run_batch"]
