"""Measure 8: submissions accepted per second through the service's API, against `registry ingest`.

The same files, in the same run, each into an empty SQLite registry: `aiassure registry ingest
FOLDER --jobs 2` as a user runs it, and `aiassure serve --workers 2` with four clients posting
every file (each with its organisation's submitter token, made beforehand and not timed) until
every receipt is back. The figure is the API's rate over ingest's: target >= 0.8x. Best of two runs
of each (one with --quick).
Usage: python bench/measure_service.py [--quick] [--count N]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import yaml
from harness import Figure, aiassure_command, check, corpus, folder_of, run_child
from measure_startup import child_env

TARGET = 0.8
CLIENTS = 4
WORKERS = 2


def owner_of(path: Path) -> tuple[str, str]:
    """(code, kind) of the organisation that submits a file, by the service's rule (docs/service.md)."""
    data = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    subject = data["subject"]
    supplier = (subject.get("supplier") or {}).get("code")
    assessor = (data.get("assessed_by") or {}).get("code")
    if assessor and assessor not in (subject["code"], supplier):
        return assessor, "ods"
    if subject["type"] == "technology":
        return supplier, "supplier"
    return subject["code"], "ods"


def tokens_for(db: str, paths: list[Path]) -> dict[Path, str]:
    """A submitter token for each file's organisation, made on the registry directly."""
    from aiassure.registry.store import open_registry
    from aiassure.service.identity import add_organisation, create_token

    owners = {path: owner_of(path) for path in paths}
    registry = open_registry(db)
    made: dict[str, str] = {}
    try:
        with registry.transaction(write=True) as conn:
            for code, kind in sorted(set(owners.values())):
                add_organisation(conn, code, kind, f"Organisation {code}")
                made[code] = create_token(
                    conn, org=code, role="submitter", name="bench", expires_in_days=1, created_by="bench"
                ).token
    finally:
        registry.close()
    return {path: made[code] for path, (code, _) in owners.items()}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def api_seconds(paths: list[Path], env: dict[str, str]) -> float:
    """Wall-clock seconds for CLIENTS clients to submit every file to a fresh `serve --workers 2`."""
    import httpx

    with tempfile.TemporaryDirectory(prefix="aiassure-bench-") as scratch:
        db = f"sqlite:///{Path(scratch) / 'registry.db'}"
        tokens = tokens_for(db, paths)
        port = free_port()
        argv = [*aiassure_command(), "serve", "--db", db, "--port", str(port), "--workers", str(WORKERS)]
        argv += ["--rate-limit", "1000000", "--log-level", "warning"]
        server = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"`aiassure serve` exited with {server.returncode} before it was ready")
                if time.monotonic() > deadline:
                    raise RuntimeError("`aiassure serve` was not ready within 60 s")
                try:
                    if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
            queue = list(paths)
            lock = threading.Lock()
            failures: list[str] = []

            def client() -> None:
                with httpx.Client(base_url=base, timeout=120) as http:
                    while True:
                        with lock:
                            if not queue:
                                return
                            path = queue.pop()
                        response = http.post(
                            "/api/v1/submissions",
                            content=path.read_bytes(),
                            params={"filename": path.name},
                            headers={"Authorization": f"Bearer {tokens[path]}", "Content-Type": "application/yaml"},
                        )
                        if response.status_code not in (200, 201):
                            failures.append(f"{path.name}: {response.status_code} {response.text[:200]}")

            threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            seconds = time.perf_counter() - started
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
    if failures:
        raise RuntimeError(f"{len(failures)} submission(s) refused, first: {failures[0]}")
    return seconds


def ingest_seconds(folder: Path, env: dict[str, str]) -> float:
    with tempfile.TemporaryDirectory(prefix="aiassure-bench-") as scratch:
        db = f"sqlite:///{Path(scratch) / 'registry.db'}"
        return run_child(
            [*aiassure_command(), "registry", "ingest", str(folder), "--db", db, "--jobs", "2"], env=env
        ).wall


def run(quick: bool = False, count: int | None = None) -> list[Figure]:
    count = count or (60 if quick else 1_000)
    paths = corpus(count)
    folder = folder_of(paths, "service")
    env = child_env()
    best_api = best_ingest = float("inf")
    for _ in range(1 if quick else 2):  # interleaved, so that load on the machine hits both alike
        best_ingest = min(best_ingest, ingest_seconds(folder, env))
        best_api = min(best_api, api_seconds(paths, env))
    ratio = best_ingest / best_api  # the API's rate over ingest's
    return [
        Figure(
            "8",
            f"API submissions/s over `registry ingest --jobs 2` ({count:,} files)",
            ratio,
            "x",
            f">= {TARGET}x",
            check(ratio, at_least=TARGET),
            {
                "api_submissions_per_s": count / best_api,
                "ingest_submissions_per_s": count / best_ingest,
                "clients": CLIENTS,
                "workers": WORKERS,
                "load_average_after": os.getloadavg()[0],
            },
        )
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--count", type=int, help="files to submit (default 1,000; 60 with --quick)")
    args = parser.parse_args()
    for figure in run(args.quick, args.count):
        print(figure.report())
