"""Measures 5 and 6 and issue 20's scale figures: `portfolio report` as the registry grows, on SQLite and
PostgreSQL, against the raw SQL it needs; its peak memory with the default formats (HTML and PDF).

The registries: a base of generated submissions is stored with the real `aiassure registry
ingest`; copies of it under other subject codes are then added in SQL (bench/grow.py: rows,
scores and blobs alike, on either backend), until the registry holds the number of results
wanted, and the planner's statistics are taken as an ingest takes them. Every subject has four
rounds.

Scale (issue 20, 1): `aiassure portfolio report --format html` over each size, as a child
process, best wall-clock time of 2: the time over 10x the results must be at most 11x (linear).
PostgreSQL is measured when a server is given (AIASSURE_BENCH_POSTGRES_URL, else
AIASSURE_TEST_POSTGRES_URL); its registries are schemas `bench_portfolio_N` of that database.
Measure 5 runs the report over the largest SQLite registry against the exact SQL statements it
executes (recorded through SQLAlchemy's cursor events) run by a bare `sqlite3` script. Measure 6
is the peak resident memory of `portfolio report` with the default formats (HTML and PDF).
Usage: python bench/measure_portfolio.py [--quick] [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

from harness import (
    BENCH_DIR,
    DATA_DIR,
    Figure,
    aiassure_command,
    best_child_times,
    check,
    corpus,
    folder_of,
    peak_memory_mb,
    run_child,
)
from measure_ingest import postgres_server
from measure_startup import child_env

TARGET_RATIO = 2.0
TARGET_PEAK_MB = 300.0
TARGET_GROWTH = 11.0  # the time over 10x the results, at most
BASE = {True: 100, False: 400}  # submissions ingested for real; the rest are copies
SIZES = {True: (200, 400), False: (1_000, 10_000, 100_000)}


def schema_key() -> str:
    """A digest of the registry's schema and migrations: a registry made under another is made again."""
    import aiassure.registry

    folder = Path(aiassure.registry.__file__).parent
    digest = hashlib.sha256()
    for path in sorted([folder / "schema.py", *(folder / "migrations").rglob("*.py")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def corpus_key(paths: list[Path]) -> str:
    """The key in the name of the corpus folder these files come from."""
    return paths[0].parent.name.rsplit("-", 1)[-1]


def base_registry(count: int) -> Path:
    """`count` corpus submissions stored by `aiassure registry ingest` (made once, then reused)."""
    paths = corpus(count)
    target = DATA_DIR / f"registry-base-{count}-{corpus_key(paths)}-{schema_key()}.db"
    if not target.exists():
        folder = folder_of(paths, "ingest")
        with tempfile.TemporaryDirectory(prefix="aiassure-bench-") as scratch:
            building = Path(scratch) / "registry.db"
            run_child(
                [
                    *aiassure_command(),
                    "registry",
                    "ingest",
                    str(folder),
                    "--db",
                    f"sqlite:///{building}",
                    "--jobs",
                    "2",
                ],
                env=child_env(),
            )
            _checkpoint(building)
            shutil.move(str(building), target)
    return target


def registry_of(results: int, base_count: int) -> Path:
    """A SQLite registry holding `results` results: the base registry and copies of it under new codes."""
    base = base_registry(base_count)
    target = DATA_DIR / base.name.replace(f"registry-base-{base_count}-", f"registry-{results}-from-{base_count}-")
    if target.exists():
        return target
    building = target.with_suffix(".building")
    shutil.copyfile(base, building)
    grown(f"sqlite:///{building}", results)
    _checkpoint(building)
    building.rename(target)
    return target


def grown(url: str, results: int) -> None:
    """Grow the registry at `url` to `results` results by copies, and take its statistics."""
    from grow import grow
    from sqlalchemy import func, select

    from aiassure.registry.schema import submissions
    from aiassure.registry.store import open_registry

    registry = open_registry(url, must_exist=True)
    try:
        with registry.transaction(write=True) as conn:
            held = conn.execute(select(func.count()).select_from(submissions)).scalar_one()
            grow(conn, subject_copies=-(-results // held), limit=results)
        registry.refresh_statistics()
    finally:
        registry.close()


def postgres_registry(server: str, results: int, base_count: int) -> str:
    """A PostgreSQL registry (a schema of the server's database) holding `results` results, made once."""
    import psycopg
    from sqlalchemy.engine import make_url

    sys.path.insert(0, str(BENCH_DIR.parent / "tests"))
    from databases import postgres_schema_url

    schema = f"bench_portfolio_{results}_{corpus_key(corpus(base_count))}_{schema_key()}"
    url = make_url(server)
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        done = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema + "_done",)).fetchone()
        if not done:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            conn.execute(f'CREATE SCHEMA "{schema}"')
    registry_url = postgres_schema_url(server, schema)
    if not done:
        folder = folder_of(corpus(base_count), "ingest")
        run_child([*aiassure_command(), "registry", "ingest", str(folder), "--db", registry_url], env=child_env())
        grown(registry_url, results)
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}_done"')
    return registry_url


def _checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the file, so that the registry is one file to copy or reuse."""
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def recorded_statements(db_path: Path) -> list[tuple[str, list]]:
    """The SQL `portfolio report` executes against this registry, with its parameters, in order."""
    from sqlalchemy import event

    from aiassure.registry.portfolio import build_portfolio
    from aiassure.registry.store import open_registry

    registry = open_registry(f"sqlite:///{db_path}", must_exist=True)
    statements: list[tuple[str, list]] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        statements.append((statement, list(parameters) if parameters else []))

    try:
        event.listen(registry.engine, "before_cursor_execute", record)
        build_portfolio(registry)
    finally:
        registry.close()
    return statements


def report_argv(url: str, out: Path, formats: str) -> list[str]:
    return [*aiassure_command(), "portfolio", "report", "-o", str(out), "--format", formats, "--db", url]


def scale_figures(backend: str, urls: dict[int, str], scratch: Path, repeat: int) -> list[Figure]:
    """The report's time over each size, and over 10x the results against 1x."""
    env = child_env()
    commands = {str(n): report_argv(url, scratch / f"out-{n}", "html") for n, url in urls.items()}
    best = best_child_times(commands, repeat, env=env)
    sizes = sorted(urls)
    figures = []
    for small, large in zip(sizes, sizes[1:], strict=False):
        growth = best[str(large)].wall / best[str(small)].wall
        wanted = TARGET_GROWTH * large / small / 10
        figures.append(
            Figure(
                f"1-{backend}",
                f"`portfolio report` over {large:,} / over {small:,} results ({backend})",
                growth,
                "x",
                f"<= {wanted:g}x",
                check(growth, at_most=wanted),
                {f"{n}_results_s": best[str(n)].wall for n in (small, large)},
            )
        )
    return figures


def measure(quick: bool, sizes: tuple[int, ...] | None = None) -> list[Figure]:
    base_count = BASE[quick]
    sizes = sizes or SIZES[quick]
    dbs = {n: registry_of(n, base_count) for n in sizes}
    large_db = dbs[max(sizes)]
    env = child_env()
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="aiassure-bench-") as folder:
        scratch = Path(folder)
        repeat = 1 if quick else 2
        figures += scale_figures("sqlite", {n: f"sqlite:///{db}" for n, db in dbs.items()}, scratch, repeat)
        server = postgres_server()
        if server:
            urls = {n: postgres_registry(server, n, base_count) for n in sizes}
            figures += scale_figures("postgresql", urls, scratch, repeat)
        statements = scratch / "statements.json"
        recorded = recorded_statements(large_db)
        statements.write_text(json.dumps(recorded))
        commands = {
            "aiassure": report_argv(f"sqlite:///{large_db}", scratch / "out", "html"),
            "floor": [sys.executable, str(BENCH_DIR / "raw_sql.py"), str(large_db), str(statements)],
        }
        best = best_child_times(commands, repeat, env=env)
        # Quick: HTML only, at the largest size (a PDF takes a minute on a busy machine).
        formats = "html" if quick else "html,pdf"
        peaks = {
            n: peak_memory_mb(report_argv(f"sqlite:///{dbs[n]}", scratch / f"peak-{n}", formats), env=env)
            for n in (sizes[-1:] if quick else sizes[-2:])
        }
    large = max(sizes)
    ratio = best["aiassure"].wall / best["floor"].wall
    figures.append(
        Figure(
            "5",
            f"`portfolio report` over {large:,} results / its raw SQL",
            ratio,
            "x",
            f"<= {TARGET_RATIO:g}x",
            check(ratio, at_most=TARGET_RATIO),
            {
                "results": large,
                "aiassure_s": best["aiassure"].wall,
                "floor_s": best["floor"].wall,
                "ratio_cpu_time": best["aiassure"].cpu / best["floor"].cpu,
                "statements": len(recorded),
                "registry_mb": large_db.stat().st_size / 2**20,
            },
        )
    )
    figures.append(
        Figure(
            "6",
            f"peak memory of `portfolio report --format {formats}` at {large:,} results",
            peaks[large],
            "MB",
            f"< {TARGET_PEAK_MB:g} MB",
            peaks[large] < TARGET_PEAK_MB,
            {f"peak_mb_{n}": peak for n, peak in peaks.items()},
        )
    )
    return figures


def run(quick: bool = False, sizes: tuple[int, ...] | None = None) -> list[Figure]:
    return measure(quick, sizes)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", help="registry sizes, comma-separated (default 1000,10000,100000)")
    args = parser.parse_args()
    for figure in run(args.quick, tuple(int(n) for n in args.sizes.split(",")) if args.sizes else None):
        print(figure.report())
