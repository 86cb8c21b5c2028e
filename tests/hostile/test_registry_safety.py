"""Issue 6, registry safety: a killed ingest, concurrent ingests and PDF bombs, on SQLite and PostgreSQL.

Everything runs the real `aiassure registry ingest` in its own process, against a real database
(a SQLite file in WAL mode, or the PostgreSQL of `.ci/setup-postgres.sh`); nothing is mocked. The
registry is then checked from outside: every stored submission has all its score and failed-gate
rows, nothing is orphaned or stored twice, and what the killed process reported as stored is there.
"""

from __future__ import annotations

import hashlib
import json
import re
import signal
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from hostile_helpers import (
    aiassure_argv,
    check_registry,
    deflated_zeros,
    example_files,
    generate_submissions,
    pdf_with_attachments,
    run_aiassure,
    sqlite_integrity,
    watchdog,
)

HERE = Path(__file__).parent
KILL_FILES = 300  # submissions ingested by the process that is killed twice
PAUSE_AT = 100  # the first kill: inside the transaction of this submission
KILL_AFTER = 80  # the second kill: once the rerun has reported this many more stored
WRITERS = 8  # concurrent ingest processes
CONCURRENT_FILES = 24  # the same files, given to every writer
STORED = re.compile(r"^(?P<path>.+): stored as #(?P<id>\d+)")


def sha256_of(paths: list[Path]) -> dict[str, str]:
    return {str(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}


def ingest_until_killed(
    url: str, folder: Path, *, pause_at: int | None = None, after: int | None = None
) -> dict[str, int]:
    """Run `registry ingest FOLDER -v` and SIGKILL it, either inside the transaction of the
    `pause_at`th submission (see pausing_cli.py) or once it has reported `after` files stored.
    Returns what it reported stored (and so committed) before it died: path -> submission id."""
    argv = aiassure_argv("registry", "ingest", folder, "--db", url, "--verbose")
    if pause_at is not None:
        argv = [sys.executable, str(HERE / "pausing_cli.py"), str(pause_at), *argv[3:]]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    reported: dict[str, int] = {}
    assert process.stderr is not None
    with watchdog(process, 120):
        for line in process.stderr:
            if match := STORED.match(line):
                reported[match["path"]] = int(match["id"])
            if line.startswith("PAUSED") or (after is not None and len(reported) >= after):
                process.send_signal(signal.SIGKILL)
                break
        for line in process.stderr.read().splitlines():  # reported before the signal landed
            if match := STORED.match(line):
                reported[match["path"]] = int(match["id"])
        process.wait()
    assert process.returncode == -signal.SIGKILL, "the ingest ended before it could be killed"
    return reported


def check_after_kill(url: str, reported: dict[str, int], sha256: dict[str, str]) -> dict[str, int]:
    """The registry after a kill: whole submissions only, everything reported stored still there,
    and it opens and lists; a SQLite file also passes PRAGMA integrity_check."""
    if url.startswith("sqlite"):
        assert sqlite_integrity(url) == "ok"
    stored = check_registry(url)
    assert {sha256[path]: ident for path, ident in reported.items()}.items() <= stored.items()
    listed = run_aiassure("registry", "list", "--db", url, "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == len(stored)
    return stored


@pytest.mark.slow
def test_an_ingest_killed_twice_loses_nothing_committed_and_a_rerun_stores_the_rest_once(
    db_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "submissions"
    sha256 = sha256_of(generate_submissions(folder, KILL_FILES))

    # Killed inside a transaction: the submission's rows are written but not committed.
    reported = ingest_until_killed(db_url, folder, pause_at=PAUSE_AT)
    stored = check_after_kill(db_url, reported, sha256)
    assert len(reported) == len(stored) == PAUSE_AT - 1  # the paused one left no trace

    # Killed wherever it happens to be after storing KILL_AFTER more.
    reported = ingest_until_killed(db_url, folder, after=KILL_AFTER)
    assert len(reported) >= KILL_AFTER
    before = len(stored)
    stored = check_after_kill(db_url, reported, sha256)
    assert len(stored) == before + len(reported)

    rerun = run_aiassure("registry", "ingest", folder, "--db", db_url, "--format", "json")
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(rerun.stdout)
    assert (summary["new"], summary["duplicate"], summary["superseded"], summary["rejected"]) == (
        KILL_FILES - len(stored),
        len(stored),
        0,
        [],
    )
    assert set(check_registry(db_url)) == set(sha256.values())


@pytest.mark.slow
def test_concurrent_ingests_store_every_submission_exactly_once(db_url: str, tmp_path: Path) -> None:
    files = generate_submissions(tmp_path / "submissions", CONCURRENT_FILES)
    step = CONCURRENT_FILES // WRITERS
    writers = [  # the same files, each writer starting at a different one; the registry does not exist yet
        subprocess.Popen(
            aiassure_argv(
                "registry", "ingest", *files[k * step :], *files[: k * step], "--db", db_url, "--format", "json"
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(WRITERS)
    ]
    outputs = [writer.communicate(timeout=300) for writer in writers]
    for writer, (_, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0 and "error" not in err.lower(), err
    summaries = [json.loads(out) for out, _ in outputs]
    assert [s["files"] for s in summaries] == [CONCURRENT_FILES] * WRITERS
    assert sum(s["new"] for s in summaries) == CONCURRENT_FILES
    assert sum(s["duplicate"] for s in summaries) == CONCURRENT_FILES * (WRITERS - 1)
    assert not any(s["superseded"] or s["rejected"] for s in summaries)
    assert set(check_registry(db_url)) == set(sha256_of(files).values())
    if db_url.startswith("sqlite"):
        assert sqlite_integrity(db_url) == "ok"


# -- PDF attachment bombs -------------------------------------------------------------------------

MEMORY_LIMIT = 1 << 30  # address space of the ingest process
MEMORY_BOUND_KIB = 200 * 1024  # its peak resident memory; an import-only run takes about 100 MiB
GIB = 1 << 30


def _report_attachments() -> list[tuple[str, bytes]]:
    """The result JSON and the submission that a report of a shipped example embeds."""
    from aiassure.assessments.result import to_result
    from aiassure.assessments.validate import load_submission
    from aiassure.rubrics.loader import RubricLibrary

    source = example_files()[0]
    parsed = load_submission(source, RubricLibrary([], use_env=False))
    return [("aiassure-result.json", to_result(parsed).to_json().encode()), (source.name, source.read_bytes())]


def _bomb(case: str) -> bytes:
    """A small PDF that expands to a gigabyte or more if its attachments are decoded naively."""
    (result_name, result), (name, submission) = _report_attachments()
    flate = ["FlateDecode"]
    if case == "huge-submission":  # a valid result, and the submission padded to a gigabyte
        return pdf_with_attachments([(result_name, zlib.compress(result), flate), (name, deflated_zeros(GIB), flate)])
    if case == "result-bomb":
        return pdf_with_attachments(
            [(result_name, deflated_zeros(GIB), flate), (name, zlib.compress(submission), flate)]
        )
    if case == "many-attachments":  # each under the size limit, half a gigabyte together
        part = deflated_zeros(8 << 20)
        return pdf_with_attachments([(f"part-{i}.yaml", part, flate) for i in range(64)])
    return pdf_with_attachments([(name, zlib.compress(deflated_zeros(GIB)), flate * 2)])  # decoded twice


BOMBS = {  # case -> (the diagnostic code, text its message holds)
    "huge-submission": ("too-large", "is over the limit of 10,485,760 bytes once decompressed"),
    "result-bomb": ("too-large", "aiassure-result.json is over the limit"),
    "many-attachments": ("not-a-report", "embeds more than 8 files"),
    "nested-filters": ("not-a-pdf", "not Flate"),
}


# The ingest, with its address space limited, saying its peak resident memory as it exits. The
# peak is read from /proc (VmHWM, this program's own), not from getrusage: that one also counts the
# memory of the test process this one was forked from.
LIMITED_AIASSURE = f"""
import atexit, re, resource, runpy, sys
resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT}))
resource.setrlimit(resource.RLIMIT_CPU, (30, 30))
peak = lambda: re.search(r"VmHWM:\\s*(\\d+)", open("/proc/self/status").read()).group(1)
atexit.register(lambda: print("peak-memory-kib", peak(), file=sys.stderr))
sys.argv[0] = "aiassure"
runpy.run_module("aiassure", run_name="__main__", alter_sys=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize("case", BOMBS)
def test_pdf_attachment_bombs_are_refused_cleanly_in_bounded_memory(case: str, tmp_path: Path) -> None:
    code, text = BOMBS[case]
    bomb = tmp_path / f"{case}.pdf"
    bomb.write_bytes(_bomb(case))
    assert bomb.stat().st_size < 2 << 20  # small files: the size limit alone does not stop them
    argv = ["registry", "ingest", str(bomb), "--db", str(tmp_path / "registry.db")]
    process = subprocess.run(
        [sys.executable, "-c", LIMITED_AIASSURE, *argv], capture_output=True, text=True, timeout=120
    )
    err = process.stderr
    assert process.returncode == 1, err
    assert f"{bomb}: error {code}: " in err and text in err, err
    assert "Traceback" not in err and "internal error" not in err
    assert "rejected    1" in process.stdout
    peak = int(re.search(r"^peak-memory-kib (\d+)$", err, re.M)[1])
    assert peak < MEMORY_BOUND_KIB, f"peak memory {peak // 1024} MiB"
