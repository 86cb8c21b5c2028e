"""Measure 7: `registry ingest` throughput into SQLite and PostgreSQL, in submissions per second.

`aiassure registry ingest FOLDER --db URL --jobs N` as a user runs it, into an empty registry
each time (a fresh SQLite file; a freshly created PostgreSQL database), with --jobs 1 and with
--jobs N; the best of the runs. PostgreSQL is measured when a server is given:
AIASSURE_BENCH_POSTGRES_URL, else AIASSURE_TEST_POSTGRES_URL (what `.ci/setup-postgres.sh`
exports), as postgresql+psycopg://USER:PASSWORD@HOST:PORT/DB; the bench creates and drops its
own database `aiassure_bench` there.
Usage: python bench/measure_ingest.py [--quick] [--cores N]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from harness import Figure, aiassure_command, corpus, folder_of, run_child
from measure_jobs import cores_available
from measure_startup import child_env

BENCH_DATABASE = "aiassure_bench"
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def postgres_server() -> str | None:
    return os.environ.get("AIASSURE_BENCH_POSTGRES_URL") or os.environ.get("AIASSURE_TEST_POSTGRES_URL")


@contextlib.contextmanager
def fresh_database(kind: str, server: str | None) -> Iterator[str]:
    """The URL of an empty registry, removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="aiassure-bench-") as scratch:
            yield f"sqlite:///{Path(scratch) / 'registry.db'}"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server)
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
        conn.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    try:
        yield url.set(database=BENCH_DATABASE).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")


def run(quick: bool = False, cores: int = 2) -> list[Figure]:
    count = 60 if quick else 2_000
    folder = folder_of(corpus(count), "ingest")
    jobs_choices = sorted({1, cores_available(cores)})
    server = postgres_server()
    env = child_env()
    figures = []
    for kind in ("sqlite", "postgresql"):
        if kind == "postgresql" and server is None:
            figures.append(
                Figure(
                    "7",
                    "ingest throughput, PostgreSQL",
                    None,
                    "per s",
                    "reported",
                    None,
                    {},
                    "no server: set AIASSURE_BENCH_POSTGRES_URL (see docs/performance.md)",
                )
            )
            continue
        best: dict[int, float] = {}
        for _ in range(1 if quick else 2):
            for jobs in jobs_choices:
                with fresh_database(kind, server) as url:
                    timing = run_child(
                        [*aiassure_command(), "registry", "ingest", str(folder), "--db", url, "--jobs", str(jobs)],
                        env=env,
                    )
                best[jobs] = min(best.get(jobs, float("inf")), timing.wall)
        fastest = min(best, key=best.get)
        figures.append(
            Figure(
                "7",
                f"ingest throughput, {NAMES[kind]} ({count:,} files, --jobs {fastest})",
                count / best[fastest],
                "per s",
                "reported",
                None,
                {f"submissions_per_s_jobs_{jobs}": count / seconds for jobs, seconds in best.items()},
            )
        )
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    for figure in run(args.quick, args.cores):
        print(figure.report())
