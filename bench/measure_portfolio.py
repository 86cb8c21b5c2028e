"""Measures 5 and 6: `portfolio report` over stored results in SQLite, against the raw SQL it needs; its peak memory.

The registries: a base of generated submissions is stored with the real `aiassure registry
ingest`; copies of it under other subject codes (and other submission hashes) are then added
in SQL, rows and blobs alike, until the registry holds the number of results wanted. Every
subject has four rounds, so 100,000 results are 25,000 subjects.

Measure 5 runs `aiassure portfolio report --format html` as a user does and, as the floor, the
exact SQL statements that report executes (recorded through SQLAlchemy's cursor events) run
by a bare `sqlite3` script; both are child processes, interleaved, best wall-clock time of
each. Measure 6 is the peak resident memory of the report process over 10,000 and 100,000
results.
Usage: python bench/measure_portfolio.py [--quick]
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
from measure_startup import child_env

TARGET_RATIO = 2.0
TARGET_PEAK_MB = 300.0
FLAT = 1.25  # "flat": the peak over 10x the results at most this much higher
SIZES = {True: (100, 500, 2_000), False: (2_000, 10_000, 100_000)}  # base, small, large


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
    """A registry holding `results` results: the base registry and copies of it under new codes."""
    base = base_registry(base_count)
    target = DATA_DIR / base.name.replace(f"registry-base-{base_count}-", f"registry-{results}-from-{base_count}-")
    if target.exists():
        return target
    building = target.with_suffix(".building")
    shutil.copyfile(base, building)
    db = sqlite3.connect(building)
    try:
        (held,) = db.execute("SELECT count(*) FROM submissions").fetchone()
        (offset,) = db.execute("SELECT max(id) FROM submissions").fetchone()
        columns = [row[1] for row in db.execute("PRAGMA table_info(submissions)")]
        copied = {
            "id": "id + :shift",
            "sha256": "sha256 || :tag",
            "subject_code": "subject_code || :tag",
            "subject_name": "subject_name || :name",
            "source_name": "source_name || :tag",
            "superseded_by": "superseded_by + :shift",
        }
        select = ", ".join(copied.get(c, c) for c in columns)
        for copy in range(1, -(-results // held)):
            limit = min(held, results - copy * held)
            params = {"shift": copy * offset, "tag": f"-c{copy}", "name": f" ({copy})", "limit": limit}
            db.execute(
                f"INSERT INTO submissions ({', '.join(columns)}) "
                f"SELECT {select} FROM submissions WHERE id <= :top ORDER BY id LIMIT :limit",
                {**params, "top": offset},
            )
            for table in ("scores", "failed_gates"):
                names = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
                chosen = ", ".join("submission_id + :shift" if n == "submission_id" else n for n in names)
                db.execute(
                    f"INSERT INTO {table} ({', '.join(names)}) SELECT {chosen} FROM {table} WHERE submission_id IN "
                    "(SELECT id FROM submissions WHERE id <= :top ORDER BY id LIMIT :limit)",
                    {**params, "top": offset},
                )
            db.commit()
        db.execute("ANALYZE")
        db.commit()
    finally:
        db.close()
    _checkpoint(building)
    building.rename(target)
    return target


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


def measure(quick: bool) -> list[Figure]:
    base_count, small, large = SIZES[quick]
    small_db, large_db = registry_of(small, base_count), registry_of(large, base_count)
    env = child_env()
    figures: list[Figure] = []
    peaks: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="aiassure-bench-") as scratch:
        statements = Path(scratch) / "statements.json"
        recorded = recorded_statements(large_db)
        statements.write_text(json.dumps(recorded))
        report = [*aiassure_command(), "portfolio", "report", "-o", str(Path(scratch) / "out"), "--format", "html"]
        commands = {
            "aiassure": [*report, "--db", f"sqlite:///{large_db}"],
            "floor": [sys.executable, str(BENCH_DIR / "raw_sql.py"), str(large_db), str(statements)],
        }
        # Recording ran the report once: the registry is in the page cache.
        best = best_child_times(commands, 2, env=env)
        for results, db in ((small, small_db), (large, large_db)):
            peaks[results] = peak_memory_mb([*report, "--db", f"sqlite:///{db}"], env=env)
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
    growth = peaks[large] / peaks[small]
    figures.append(
        Figure(
            "6",
            f"peak memory of measure 5 at {large:,} results (x{growth:.2f} of {small:,})",
            peaks[large],
            "MB",
            f"flat, < {TARGET_PEAK_MB:g} MB",
            peaks[large] < TARGET_PEAK_MB and growth <= FLAT,
            {f"peak_mb_{small}": peaks[small], f"peak_mb_{large}": peaks[large], "growth": growth},
        )
    )
    return figures


def run(quick: bool = False) -> list[Figure]:
    return measure(quick)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    for figure in run(args.quick):
        print(figure.report())
