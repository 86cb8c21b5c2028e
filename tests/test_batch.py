"""run_batch: results in input order from a pool, and a plan that never makes --jobs slower than one process."""

from __future__ import annotations

import os

import pytest

from aiassure.batch import Plan, free_cores, plan_batch, run_batch
from aiassure.reports.writer import report_seconds

SCORE = 0.0025  # seconds per file, as score_files plans


def whose(item: int) -> tuple[int, int]:
    return item, os.getpid()


def test_a_pool_gives_every_result_in_input_order() -> None:
    results = list(run_batch(whose, list(range(23)), jobs=2, item_seconds=SCORE, plan=Plan(2, 3)))
    assert [item for item, _ in results] == list(range(23))
    assert os.getpid() not in {pid for _, pid in results}


def test_one_process_runs_here() -> None:
    assert {pid for _, pid in run_batch(whose, [1, 2, 3], jobs=2, item_seconds=SCORE)} == {os.getpid()}


@pytest.mark.parametrize(
    ("count", "jobs", "item_seconds", "cores", "plan"),
    [
        (3_000, 1, SCORE, 2, Plan(1)),  # --jobs 1
        (300, 2, SCORE, 2, Plan(1)),  # under a second of work: a pool would cost more than it gives
        (3_000, 2, SCORE, 1, Plan(1)),  # a busy machine: one free core
        (3_000, 2, SCORE, 2, Plan(2, 8)),  # 20 ms tasks
        (3_000, 8, SCORE, 2, Plan(2, 8)),  # no more workers than free cores
        (600, 8, SCORE, 8, Plan(3, 8)),  # nor than the work keeps busy (half a second each)
        (100, 2, SCORE, 2, Plan(1)),
        (3, 2, report_seconds(["html", "pdf"]), 2, Plan(2, 1)),  # PDFs: one at a time
        (20, 2, report_seconds(["html"]), 2, Plan(1)),
        (1_000, 2, report_seconds(["html"]), 2, Plan(2, 2)),
        (33, 4, 0.1, 4, Plan(4, 1)),  # at least four tasks per worker
    ],
)
def test_the_plan_follows_the_work_and_the_free_cores(
    count: int, jobs: int, item_seconds: float, cores: int, plan: Plan
) -> None:
    assert plan_batch(count, jobs, item_seconds, cores) == plan


def test_free_cores_are_at_least_one_and_at_most_the_usable_ones() -> None:
    assert 1 <= free_cores() <= len(os.sched_getaffinity(0))
