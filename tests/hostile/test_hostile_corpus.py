"""The hostile-input corpus (issue 6): every file is refused with exit 1, a located message and no traceback.

Every case runs the real command line in its own process under RLIMIT_AS and RLIMIT_CPU, so a
bomb that got through would be killed (and fail the test) rather than take the machine down.
The cases run in parallel, one process per CPU, started up front by a module fixture.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

from aiassure.assessments.validate import check_document
from aiassure.errors import AiassureError
from aiassure.rubrics.loader import MAX_EXTENDS_DEPTH, RubricLibrary
from aiassure.source import load_file
from diagnostic_cases import CASES_DIR, Case, gives, load_fixture

HERE = Path(__file__).parent
SUBMISSIONS = HERE / "submissions"
RUBRICS = HERE / "rubrics"
EXTENDS = RUBRICS / "extends"

MEMORY_LIMIT = 1 << 30  # bytes of address space per process
CPU_SECONDS = 10
WALL_SECONDS = 30  # generous: CI machines are shared; the CPU limit is the real bound

# The cases (file, code, line:col, message, hint): tests/diagnostics/, in the format of tests/diagnostic_cases.py.
SUBMISSION_CASES = load_fixture(CASES_DIR / "hostile-submissions.yaml")
RUBRIC_CASES = load_fixture(CASES_DIR / "hostile-rubrics.yaml")
SUBMISSION_HELPERS = {"fixture-rubric.yaml", "valid.yaml"}

RUBRIC_HELPERS = {"extends/base.yaml"}


@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    returncode: int
    stderr: str
    seconds: float


def _limit_resources() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def _start(args: tuple[str, ...], cwd: Path) -> tuple[subprocess.Popen[bytes], IO[bytes], float]:
    # stderr goes to a file, not a pipe, so that processes running side by side never block.
    err = tempfile.TemporaryFile()
    env = {**os.environ, "AIASSURE_RUBRIC_PATH": "", "COLUMNS": "200"}
    process = subprocess.Popen(
        [sys.executable, "-m", "aiassure", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=err,
        env=env,
        preexec_fn=_limit_resources,
    )
    return process, err, time.monotonic()


def _finish(process: subprocess.Popen[bytes], err: IO[bytes], started: float) -> Run:
    try:
        returncode = process.wait(timeout=WALL_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        returncode = process.wait()
    seconds = time.monotonic() - started
    err.seek(0)
    stderr = err.read().decode("utf-8", errors="replace")
    err.close()
    return Run(tuple(process.args[3:]), returncode, stderr, seconds)


def run_all(jobs: dict[str, tuple[tuple[str, ...], Path]]) -> dict[str, Run]:
    """Run every job under the limits, as many at a time as there are CPUs."""
    width = max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    pending = list(jobs.items())
    running: list[tuple[str, subprocess.Popen[bytes], IO[bytes], float]] = []
    runs: dict[str, Run] = {}
    while pending or running:
        while pending and len(running) < width:
            key, (args, cwd) = pending.pop(0)
            running.append((key, *_start(args, cwd)))
        key, process, err, started = running.pop(0)
        runs[key] = _finish(process, err, started)
    return runs


def _shown(run: Run) -> str:
    return f"{' '.join(run.args)}\n--- stderr ---\n{run.stderr[:3000]}"


def _cleanly(run: Run) -> None:
    """Exit 1, no traceback, no raw control character, within bounds."""
    shown = _shown(run)
    assert run.returncode == 1, f"exit {run.returncode}, not 1: {shown}"
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, shown
    assert all(ch.isprintable() or ch == "\n" for ch in run.stderr), f"raw control characters reached stderr: {shown}"
    assert run.seconds < WALL_SECONDS, shown


def refused(run: Run, where: str, code: str, text: str = "") -> None:
    """Refused cleanly with a `file:line:col: error code` line and the expected text."""
    _cleanly(run)
    line = re.compile(rf"(^|/){re.escape(where)}: error {re.escape(code)}[ :]", re.MULTILINE)
    assert line.search(run.stderr), f"no `{where}: error {code}` line: {_shown(run)}"
    assert text in run.stderr, f"{text!r} not in the messages: {_shown(run)}"


def refused_as(run: Run, case: Case, *, with_text: bool = True) -> None:
    """Refused cleanly with the case's located error, its message, hint and path (or its place alone)."""
    _cleanly(run)
    expected = f"{case.where}: error {case.code}: {case.message!r} / hint {case.hint!r}"
    assert gives(case, run.stderr, with_text=with_text), f"not reported: {expected}\n{_shown(run)}"


def _submission_using(tmp: Path, rubric: str, name: str) -> Path:
    """A valid submission naming a copy of the hostile rubric `rubric` in its own folder (a
    submission names only files there, issue 11)."""
    copy = tmp / "rubrics" / rubric
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(RUBRICS / rubric, copy)
    text = (SUBMISSIONS / "valid.yaml").read_text(encoding="utf-8")
    submission = tmp / name
    submission.write_text(text.replace("rubric: fixture-rubric.yaml", f"rubric: rubrics/{rubric}"), encoding="utf-8")
    return submission


def _user_of(rubric: str) -> str:
    return f"uses-{rubric.replace('/', '-')}"


# The rubric at the end of a generated `extends` chain: the only one that is not an extension.
LAST_OF_CHAIN = (
    "title: T\nsubject: technology\ndomains: [{id: d, title: D, pillar: safe, criteria: [{id: a, question: Q}]}]\n"
)


def _extends_chain(folder: Path, length: int) -> Path:
    folder.mkdir()
    for index in range(length):
        tail = f"extends: chain-{index + 1}@1.0.0\n" if index < length - 1 else LAST_OF_CHAIN
        (folder / f"chain-{index}.yaml").write_text(f"id: chain-{index}\nversion: 1.0.0\n{tail}", encoding="utf-8")
    return folder / "chain-0.yaml"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Inputs too big to commit, or that need symbolic links: made at test time."""
    tmp = tmp_path_factory.mktemp("hostile")
    valid = (SUBMISSIONS / "valid.yaml").read_bytes()
    (tmp / "fixture-rubric.yaml").write_bytes((SUBMISSIONS / "fixture-rubric.yaml").read_bytes())
    (tmp / "oversized.yaml").write_bytes(valid + b"#" * (10 * 1024 * 1024) + b"\n")
    (tmp / "small-limit.yaml").write_bytes(valid)
    many = valid + b"".join(b"  crit-%d: 1\n" % i for i in range(60_000))
    (tmp / "many-errors.yaml").write_bytes(many)
    long_line = valid.replace(b'"Nothing to add."', b'"' + b"x" * (8 * 1024 * 1024) + b'"')
    (tmp / "long-line.yaml").write_bytes(long_line)
    outside = tmp / "outside.txt"
    outside.write_text("secret\n")
    folder = tmp / "evidence"
    folder.mkdir()
    (folder / "fixture-rubric.yaml").write_bytes((SUBMISSIONS / "fixture-rubric.yaml").read_bytes())
    (folder / "link.pdf").symlink_to(outside)
    (folder / "loop.pdf").symlink_to(folder / "loop.pdf")
    url = b'url: "https://example.org/minutes"'
    (folder / "symlink-escape.yaml").write_bytes(valid.replace(url, b"path: link.pdf"))
    (folder / "symlink-loop.yaml").write_bytes(valid.replace(url, b"path: loop.pdf"))
    _extends_chain(tmp / "chain", MAX_EXTENDS_DEPTH + 2)
    return tmp


@pytest.fixture(scope="module")
def runs(generated: Path) -> dict[str, Run]:
    jobs: dict[str, tuple[tuple[str, ...], Path]] = {}
    for name in SUBMISSION_CASES.names:
        jobs[f"submission:{name}"] = (("validate", name), SUBMISSIONS)
    # One process for all the rubrics, and one for all the submissions using them: each file's own
    # error is still checked, and a crash on any of them fails the lot.
    jobs["lint"] = (("rubrics", "lint", "--rubric-dir", "extends", *RUBRIC_CASES.names), RUBRICS)
    users = [_submission_using(generated, name, _user_of(name)).name for name in RUBRIC_CASES.names]
    jobs["uses"] = (("validate", "--rubric-dir", str(EXTENDS), *users), generated)
    jobs["valid"] = (("validate", "--strict", "valid.yaml"), SUBMISSIONS)
    jobs["oversized"] = (("validate", "oversized.yaml"), generated)
    jobs["small-limit"] = (("validate", "--max-bytes", "100", "small-limit.yaml"), generated)
    jobs["many-errors"] = (("validate", "many-errors.yaml"), generated)
    jobs["long-line"] = (("validate", "long-line.yaml"), generated)
    jobs["symlink-escape"] = (("validate", "symlink-escape.yaml"), generated / "evidence")
    jobs["symlink-loop"] = (("validate", "symlink-loop.yaml"), generated / "evidence")
    jobs["extends-chain"] = (("rubrics", "lint", "--rubric-dir", "chain", "chain/chain-0.yaml"), generated)
    if Path("/dev/zero").exists():
        jobs["dev-zero"] = (("validate", "/dev/zero"), generated)
    return run_all(jobs)


def test_corpus_lists_every_file() -> None:
    """A file added to the corpus without an expectation would go unchecked."""
    submissions = {p.name for p in SUBMISSIONS.glob("*.yaml")} - SUBMISSION_HELPERS
    rubrics = {str(p.relative_to(RUBRICS)) for p in RUBRICS.rglob("*.yaml")} - RUBRIC_HELPERS
    assert submissions == set(SUBMISSION_CASES.names)
    assert rubrics == set(RUBRIC_CASES.names)


def test_the_control_is_valid(runs: dict[str, Run]) -> None:
    """Every corpus file is a mutation of this one, which must pass even with --strict."""
    run = runs["valid"]
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize("name", sorted(SUBMISSION_CASES.names))
def test_hostile_submission_is_refused(runs: dict[str, Run], name: str) -> None:
    refused_as(runs[f"submission:{name}"], SUBMISSION_CASES.case(name))


@pytest.mark.parametrize("name", sorted(RUBRIC_CASES.names))
def test_hostile_rubric_fails_lint(runs: dict[str, Run], name: str) -> None:
    refused_as(runs["lint"], RUBRIC_CASES.case(name))


@pytest.mark.parametrize("name", sorted(RUBRIC_CASES.names))
def test_hostile_rubric_fails_the_submission_using_it(runs: dict[str, Run], name: str) -> None:
    case = RUBRIC_CASES.case(name)
    # A rubric file that cannot even be parsed is reported without a word of its text (issue 11):
    # the submission might have named some other file.
    refused_as(runs["uses"], case, with_text=not case.code.startswith("yaml-"))
    refused(runs["uses"], f"{_user_of(name)}:2:9", "invalid-rubric")


@pytest.mark.parametrize(
    ("job", "where", "code", "text"),
    [
        ("oversized", "oversized.yaml:1:1", "too-large", "over the limit of 10,485,760"),
        ("small-limit", "small-limit.yaml:1:1", "too-large", "over the limit of 100"),
        ("many-errors", "many-errors.yaml:14:3", "too-many-errors", "the rest are not checked"),
        ("symlink-escape", "symlink-escape.yaml:14:56", "evidence-path", "escapes the submission's folder"),
        ("symlink-loop", "symlink-loop.yaml:14:56", "evidence-path", "cannot be checked"),
        ("extends-chain", f"chain-{MAX_EXTENDS_DEPTH - 1}.yaml:3:10", "extends-too-deep", "in a chain"),
        ("dev-zero", "/dev/zero:1:1", "too-large", ""),
    ],
)
def test_generated_input_is_refused(runs: dict[str, Run], job: str, where: str, code: str, text: str) -> None:
    if job not in runs:
        pytest.skip(f"{job} needs a file this system does not have")
    refused(runs[job], where, code, text)


def test_a_huge_text_is_refused_within_bounds(runs: dict[str, Run]) -> None:
    """An 8 MiB answer on one line is within the file's size limit but over its field's length
    limit (assessments.limits): refused as too long, not killed."""
    run = runs["long-line"]
    assert run.returncode == 1 and run.seconds < WALL_SECONDS, run.stderr[:2000]
    refused(run, "long-line.yaml:20:11", "too-long", "8,388,608 characters long")


@pytest.mark.parametrize("name", sorted(SUBMISSION_CASES.names))
def test_library_raises_only_its_own_errors(name: str) -> None:
    """The same corpus in-process: whatever goes wrong is an AiassureError or a diagnostic, never a crash."""
    library = RubricLibrary([EXTENDS], use_env=False)
    try:
        parsed, found = check_document(load_file(SUBMISSIONS / name), library)
    except AiassureError as exc:
        assert exc.diagnostics
        return
    assert parsed is None and any(d.is_error for d in found)


@pytest.mark.parametrize("name", sorted(RUBRIC_CASES.names))
def test_rubric_library_raises_only_its_own_errors(name: str) -> None:
    with pytest.raises(AiassureError) as raised:
        RubricLibrary([EXTENDS], use_env=False).load_path(RUBRICS / name)
    assert raised.value.diagnostics
