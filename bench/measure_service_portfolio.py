"""Measure 9 (issue 13): p95 latency of `GET /api/v1/portfolio` over HTTP against p95 of its raw SQL.

The registry is measure 5's (bench/measure_portfolio.py: a base of generated submissions stored by
`registry ingest`, grown in SQL by bench/grow.py to the number of results wanted, 100,000 by
default, and kept under bench/.data). `aiassure serve --workers 1` runs as a child process on
127.0.0.1 over it, and an analyst token is made on the registry beforehand (not timed). Then, in
turn and `--samples` times each: one GET of the portfolio JSON by an httpx client (the whole
request: routing, authentication, audit, every figure's SQL and the JSON), and the exact SQL
statements that request executes (recorded through SQLAlchemy's cursor events, as measure 5
records them) run and fetched by bench/raw_sql.py in this process. The figure is p95 over p95:
target <= 2x. SQLite always; PostgreSQL too with --pg-url or AIASSURE_BENCH_POSTGRES_URL /
AIASSURE_TEST_POSTGRES_URL, whose raw SQL is run by psycopg.
Usage: python bench/measure_service_portfolio.py [--quick] [--results N] [--samples N] [--pg-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import Figure, aiassure_command, check
from measure_ingest import postgres_server
from measure_portfolio import BASE, postgres_registry, registry_of
from measure_service import free_port
from measure_startup import child_env

TARGET = 2.0
RESULTS = {True: 400, False: 100_000}
SAMPLES = {True: 3, False: 20}


def p95(values: list[float]) -> float:
    """The 95th percentile, nearest rank (with 20 samples, the 19th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def analyst_token(url: str) -> str:
    from aiassure.registry.store import open_registry
    from aiassure.service.identity import add_organisation, create_token, organisation
    from aiassure.service.problems import NotFound

    registry = open_registry(url, must_exist=True)
    try:
        with registry.transaction(write=True) as conn:
            try:
                organisation(conn, "X24")
            except NotFound:  # the registry is measure 5's, kept between runs: added once
                add_organisation(conn, "X24", "ods", "NHS England AI Lab")
            return create_token(
                conn, org="X24", role="analyst", name="bench", expires_in_days=1, created_by="bench"
            ).token
    finally:
        registry.close()


def recorded(url: str) -> list[tuple[str, Any]]:
    """The SQL `build_portfolio` executes over the registry at `url`, with its parameters, in order."""
    from sqlalchemy import event

    from aiassure.registry.portfolio import build_portfolio
    from aiassure.registry.store import open_registry

    registry = open_registry(url, must_exist=True)
    statements: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        kept = dict(parameters) if isinstance(parameters, dict) else list(parameters or [])
        statements.append((statement, kept))

    try:
        event.listen(registry.engine, "before_cursor_execute", record)
        build_portfolio(registry)
    finally:
        registry.close()
    return statements


def raw_sql_runner(backend: str, url: str, statements: list[tuple[str, Any]], scratch: Path) -> Any:
    """A callable running the statements once, as bench/raw_sql.py does (psycopg for PostgreSQL)."""
    if backend == "sqlite":
        import raw_sql

        database = url.removeprefix("sqlite:///")
        saved = scratch / "statements.json"
        saved.write_text(json.dumps(statements))
        return lambda: raw_sql.main(database, str(saved))
    import psycopg
    from sqlalchemy.engine import make_url

    made = make_url(url)
    options = made.query.get("options")
    plain = made.set(drivername="postgresql", query={}).render_as_string(hide_password=False)

    def run() -> None:
        with psycopg.connect(plain, options=options) if options else psycopg.connect(plain) as conn:
            for statement, parameters in statements:
                conn.execute(statement, parameters or None).fetchall()

    return run


def measure(backend: str, url: str, samples: int, scratch: Path) -> Figure:
    import httpx

    token = analyst_token(url)
    statements = recorded(url)
    floor = raw_sql_runner(backend, url, statements, scratch)
    port = free_port()
    argv = [*aiassure_command(), "serve", "--db", url, "--port", str(port), "--workers", "1"]
    argv += ["--rate-limit", "1000000", "--log-level", "warning"]
    server = subprocess.Popen(argv, env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    api: list[float] = []
    raw: list[float] = []
    size = 0
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("aiassure serve did not become ready")
            time.sleep(0.2)
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=600) as client:
            client.get("/api/v1/whoami").raise_for_status()  # the connection and the worker warmed, not timed
            for _ in range(samples):  # interleaved, so that load on the machine hits both alike
                started = time.perf_counter()
                response = client.get("/api/v1/portfolio")
                api.append(time.perf_counter() - started)
                response.raise_for_status()
                size = len(response.content)
                started = time.perf_counter()
                floor()
                raw.append(time.perf_counter() - started)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    ratio = p95(api) / p95(raw)
    return Figure(
        f"9-{backend}",
        f"GET /api/v1/portfolio p95 / its raw SQL's p95 ({backend})",
        ratio,
        "x",
        f"<= {TARGET:g}x",
        check(ratio, at_most=TARGET),
        {
            "samples": samples,
            "api_p95_s": p95(api),
            "raw_sql_p95_s": p95(raw),
            "api_median_s": sorted(api)[len(api) // 2],
            "raw_sql_median_s": sorted(raw)[len(raw) // 2],
            "statements": len(statements),
            "json_bytes": size,
            "load_average_after": os.getloadavg()[0],
        },
    )


def run(quick: bool = False, results: int | None = None, samples: int | None = None, pg_url: str | None = None):
    results = results or RESULTS[quick]
    samples = samples or SAMPLES[quick]
    base_count = BASE[quick]
    figures = []
    with tempfile.TemporaryDirectory(prefix="aiassure-bench-") as folder:
        scratch = Path(folder)
        started = time.perf_counter()
        db = registry_of(results, base_count)
        grown_s = time.perf_counter() - started
        figure = measure("sqlite", f"sqlite:///{db}", samples, scratch)
        figure.name += f" over {results:,} results"
        figure.detail["results"] = results
        figure.detail["registry_ready_s"] = grown_s
        figures.append(figure)
        server = pg_url or postgres_server()
        if server:
            figure = measure("postgresql", postgres_registry(server, results, base_count), samples, scratch)
            figure.name += f" over {results:,} results"
            figure.detail["results"] = results
            figures.append(figure)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results", type=int, help="stored results (default 100,000; 400 with --quick)")
    parser.add_argument("--samples", type=int, help="requests and raw-SQL runs, each (default 20; 3 with --quick)")
    parser.add_argument("--pg-url", help="a PostgreSQL server to measure too (a SQLAlchemy URL)")
    args = parser.parse_args()
    for figure in run(args.quick, args.results, args.samples, args.pg_url):
        print(figure.report())
