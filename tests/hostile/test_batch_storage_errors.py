"""Issue 11, class 5: one bad file never stops a batch.

A file the database cannot store (an integer beyond a column's range, an identifier too long for
an index, a constraint it breaks) is rejected with a stable code, nothing of it is stored, and
the files after it are stored, on SQLite and PostgreSQL alike. The guard before any statement
(`store.check_storable`) gives both backends the same answer; behind it, a database error of the
file's own is still that file's rejection (`StorageRefused.of`). And `--jobs` workers do not
outlive a parent killed outright.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hostile_helpers import EXAMPLES, ROOT, check_registry, watchdog

from aiassure.assessments.score_files import ScoreOptions
from aiassure.cli import main
from aiassure.errors import InputError
from aiassure.registry.intake import read_input
from aiassure.registry.store import StorageRefused, open_registry

TINY = ROOT / "tests" / "registry" / "data" / "rubrics" / "tiny-org-1.yaml"


def ingest(db: str, *args: object) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(main, ["registry", "ingest", *map(str, args), "--db", db, "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, json.loads(result.stdout)


def big_rubric(folder: Path, version: str) -> str:
    """The tiny test rubric under its own id with `version`, in `folder`; its id@version."""
    folder.mkdir(parents=True, exist_ok=True)
    text = TINY.read_text(encoding="utf-8").replace("id: tiny-org\nversion: 1.0.0", f"id: big\nversion: {version}")
    (folder / "big.yaml").write_text(text, encoding="utf-8")
    return f"big@{version}"


def tiny_submission(path: Path, rubric: str, code: str, name: str | None = None) -> Path:
    path.write_text(
        f"rubric: {rubric}\n"
        f"subject: {{type: organisation, name: {name or 'Trust ' + code}, code: {code}, org_type: acute}}\n"
        "round: 2026-Q4\nassessed_on: 2026-11-15\n"
        "answers: {g1: 2, d1: 3, v1: 3, g2: 'yes'}\n",
        encoding="utf-8",
    )
    return path


def batch(folder: Path) -> tuple[Path, Path]:
    """Two shipped examples, one for before the bad file and one for after it, with their evidence."""
    shutil.copytree(EXAMPLES / "2026-Q4" / "evidence", folder / "evidence", dirs_exist_ok=True)
    for name in ("RX1.yaml", "RX2.yaml"):
        shutil.copy(EXAMPLES / "2026-Q4" / name, folder / name)
    return folder / "RX1.yaml", folder / "RX2.yaml"


def stored_files(db: str) -> list[str]:
    registry = open_registry(db, must_exist=True)
    try:
        return sorted(Path(row.source_name).name for row in registry.listing())
    finally:
        registry.close()


def test_an_integer_beyond_the_columns_is_rejected_and_the_batch_goes_on(tmp_path: Path, db_url: str) -> None:
    """A rubric whose major version is 3,000,000,000 fits SQLite's integers and not PostgreSQL's:
    both reject that file alike, before any statement."""
    before, after = batch(tmp_path)
    ref = big_rubric(tmp_path / "rubrics", "3000000000.0.0")
    bad = tiny_submission(tmp_path / "big.yaml", ref, "RX9")
    code, summary = ingest(db_url, before, bad, after, "--rubric-dir", tmp_path / "rubrics")
    assert code == 1 and summary["new"] == 2, summary
    [rejected] = summary["rejected"]
    assert rejected["path"] == str(bad)
    assert "out-of-range" in rejected["reasons"][0] and "rubric_major" in rejected["reasons"][0]
    assert stored_files(db_url) == ["RX1.yaml", "RX2.yaml"]
    check_registry(db_url)


def test_without_the_guard_the_databases_own_refusal_rejects_only_that_file(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guard bypassed, an integer of 21 digits reaches the driver: SQLite's cannot bind it
    (OverflowError), PostgreSQL says `integer out of range`. Either way that file is rejected,
    rolled back whole, and the next one is stored."""
    monkeypatch.setattr("aiassure.registry.store.check_storable", lambda *args: None)
    before, after = batch(tmp_path)
    ref = big_rubric(tmp_path / "rubrics", "100000000000000000000.0.0")
    bad = tiny_submission(tmp_path / "big.yaml", ref, "RX9")
    code, summary = ingest(db_url, before, bad, after, "--rubric-dir", tmp_path / "rubrics")
    assert code == 1 and summary["new"] == 2, summary
    [rejected] = summary["rejected"]
    assert rejected["path"] == str(bad)
    assert any(c in rejected["reasons"][0] for c in ("out-of-range", "storage-refused")), rejected
    assert stored_files(db_url) == ["RX1.yaml", "RX2.yaml"]
    check_registry(db_url)


def test_a_constraint_the_database_enforces_rejects_only_that_file(tmp_path: Path, db_url: str) -> None:
    """A constraint of the database's own (here an extra unique index on the subject's name) is
    broken by the second of three files: it is rejected with the database's reason, the third
    is stored."""
    from sqlalchemy import text

    registry = open_registry(db_url)
    try:
        with registry.transaction(write=True) as conn:
            conn.execute(text("CREATE UNIQUE INDEX test_one_name ON submissions (subject_name)"))
    finally:
        registry.close()
    before, after = batch(tmp_path)
    twin = tiny_submission(tmp_path / "twin.yaml", "tiny-org@1.0.0", "RX7", name="Same Name")
    again = tiny_submission(tmp_path / "again.yaml", "tiny-org@1.0.0", "RX8", name="Same Name")
    rubrics = TINY.parent
    code, summary = ingest(db_url, twin, before, again, after, "--rubric-dir", rubrics)
    assert code == 1 and summary["new"] == 3, summary
    [rejected] = summary["rejected"]
    assert rejected["path"] == str(again) and "storage-refused" in rejected["reasons"][0], rejected
    assert stored_files(db_url) == ["RX1.yaml", "RX2.yaml", "twin.yaml"]
    check_registry(db_url)


def test_an_identifier_too_long_for_an_index_is_rejected_alike(tmp_path: Path, db_url: str) -> None:
    """PostgreSQL refuses an index entry over 2,704 bytes, SQLite takes it: the registry refuses
    an identifier over MAX_INDEXED_BYTES on both (here a subject code of 3,000 bytes, past
    whatever validation allows), and stores the next intake."""
    before, after = batch(tmp_path)
    intake = read_input(before, ScoreOptions())
    subject = intake.result.subject.model_copy(update={"code": "X" * 3000})
    long_code = dataclasses.replace(intake, result=intake.result.model_copy(update={"subject": subject}))
    registry = open_registry(db_url)
    try:
        with pytest.raises(StorageRefused) as raised:
            registry.store(long_code)
        assert isinstance(raised.value, InputError)
        [diagnostic] = raised.value.diagnostics
        assert diagnostic.code == "too-long-to-index" and "submissions.subject_code" in diagnostic.message
        assert registry.store(read_input(after, ScoreOptions())).status == "new"
    finally:
        registry.close()
    assert stored_files(db_url) == ["RX2.yaml"]
    check_registry(db_url)


# -- workers die with their parent -------------------------------------------------------------------

PARENT = """
import multiprocessing, sys, threading, time
from aiassure.batch import Plan, run_batch

def slow(item):
    time.sleep(600)
    return item

def report():
    while len(multiprocessing.active_children()) < 2:
        time.sleep(0.05)
    print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)

threading.Thread(target=report, daemon=True).start()
for _ in run_batch(slow, list(range(8)), item_seconds=600, plan=Plan(2, 1)):
    pass
"""


def _running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie waiting for its reaper is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_pool_workers_exit_when_their_parent_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    try:
        with watchdog(parent, 60):
            assert parent.stdout is not None
            workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(workers) == 2 and all(_running(pid) for pid in workers), workers
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 30  # a bound on the wait, not a measure of speed
        while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_running(pid) for pid in workers), "workers outlived their parent"
    finally:
        parent.kill()
        parent.wait()
