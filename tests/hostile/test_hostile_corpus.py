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

HERE = Path(__file__).parent
SUBMISSIONS = HERE / "submissions"
RUBRICS = HERE / "rubrics"
EXTENDS = RUBRICS / "extends"

MEMORY_LIMIT = 1 << 30  # bytes of address space per process
CPU_SECONDS = 10
WALL_SECONDS = 30  # generous: CI machines are shared; the CPU limit is the real bound

# file -> (diagnostic code, "line:col" it must be reported at, text the message or hint must hold)
SUBMISSION_CASES: dict[str, tuple[str, str, str]] = {
    # malformed YAML and bytes
    "malformed-flow.yaml": ("yaml-syntax", "16:9", "flow mapping"),
    "malformed-indent.yaml": ("yaml-syntax", "6:9", ""),
    "malformed-tab.yaml": ("yaml-syntax", "15:1", ""),
    "two-documents.yaml": ("yaml-documents", "11:1", "more than one YAML document"),
    "not-utf8.yaml": ("not-utf8", "5:15", "byte 0xe9"),
    "utf16.yaml": ("not-utf8", "1:1", "save the file as UTF-8"),
    "nul-byte.yaml": ("yaml-character", "5:16", "U+0000"),
    "empty.yaml": ("empty", "1:1", "aiassure init"),
    "comments-only.yaml": ("empty", "1:1", ""),
    "not-a-mapping.yaml": ("not-a-mapping", "2:1", ""),
    # duplicate keys, unknown keys, wrong types
    "duplicate-key-top.yaml": ("duplicate-key", "11:1", "first given at line 10"),
    "duplicate-key-deep.yaml": ("duplicate-key", "14:50", "'title'"),
    "duplicate-answer.yaml": ("duplicate-key", "16:3", "'gov-02'"),
    "unknown-key-top.yaml": ("unknown-key", "11:1", "did you mean assessed_on?"),
    "unknown-key-subject.yaml": ("unknown-key", "7:3", "did you mean org_type?"),
    "unknown-key-answer.yaml": ("unknown-key", "14:22", "did you mean notes?"),
    "unknown-key-evidence.yaml": ("unknown-key", "14:50", "did you mean date?"),
    "unknown-key-date.yaml": ("unknown-key", "12:1", "'date'"),
    "unhashable-key.yaml": ("yaml-key", "15:12", "plain value"),
    "non-string-key.yaml": ("invalid-value", "11:7", "keys should be strings"),
    "wrong-type-date.yaml": ("invalid-value", "11:14", "'yesterday'"),
    "invalid-date.yaml": ("yaml-value", "11:14", "day is out of range"),
    "wrong-type-subject.yaml": ("invalid-value", "3:10", "valid dictionary"),
    "wrong-type-answers.yaml": ("invalid-value", "14:3", "`answers` must be a mapping"),
    "wrong-type-evidence.yaml": ("invalid-value", "14:32", "`evidence` must be a list"),
    "wrong-type-notes.yaml": ("invalid-value", "14:29", "`notes` must be text"),
    "wrong-round.yaml": ("invalid-value", "10:8", "'2026-Q5'"),
    "wrong-org-type.yaml": ("invalid-value", "7:13", "'hospital'"),
    "missing-key.yaml": ("missing-key", "2:1", "'subject'"),
    "level-and-value.yaml": ("conflicting-keys", "14:12", ""),
    "level-key-wrong-type.yaml": ("wrong-key", "15:12", "use `value`"),
    # out-of-range levels and numbers, NaN and infinity
    "level-too-high.yaml": ("invalid-answer", "14:19", "got 7"),
    "level-negative.yaml": ("invalid-answer", "14:19", "got -1"),
    "level-nan.yaml": ("invalid-answer", "14:19", "got nan"),
    "level-inf.yaml": ("invalid-answer", "14:19", "got inf"),
    "level-float.yaml": ("invalid-answer", "14:19", "got 2.5"),
    "level-bool.yaml": ("invalid-answer", "14:19", "got True"),
    "level-bad-label.yaml": ("invalid-answer", "14:19", "did you mean Developing?"),
    "number-nan.yaml": ("invalid-answer", "17:12", "a finite number, got nan"),
    "number-inf.yaml": ("invalid-answer", "17:12", "a finite number, got -inf"),
    "number-overflow.yaml": ("invalid-answer", "17:12", "a finite number, got inf"),
    "number-out-of-range.yaml": ("invalid-answer", "17:12", "from 0 to 1"),
    "number-as-text.yaml": ("invalid-answer", "17:12", "got '0.85'"),
    "number-too-long.yaml": ("number-too-long", "17:12", "401 characters"),
    "number-hex-huge.yaml": ("number-too-long", "17:12", ""),
    "number-base60.yaml": ("number-too-long", "17:12", ""),
    # unknown criterion or option ids, with suggestions
    "unknown-criterion.yaml": ("unknown-criterion", "16:3", "did you mean gov-01?"),
    "unknown-option.yaml": ("invalid-answer", "16:11", "did you mean iib?"),
    "unknown-multi-option.yaml": ("unknown-option", "18:20", "did you mean audit?"),
    "unknown-element.yaml": ("unknown-option", "19:17", "did you mean bias?"),
    "duplicate-option.yaml": ("duplicate-option", "18:20", "listed twice"),
    "yes-no-wrong.yaml": ("invalid-answer", "15:11", "yes or no"),
    "multi-not-list.yaml": ("invalid-answer", "18:12", "a list of ids"),
    "answer-is-date.yaml": ("invalid-answer", "14:11", "datetime.date"),
    "text-not-text.yaml": ("invalid-answer", "20:11", "expects text"),
    # `na` where not allowed
    "na-not-allowed.yaml": ("na-not-allowed", "15:11", "gov-02 does not allow `na`"),
    "na-not-allowed-long.yaml": ("na-not-allowed", "15:19", ""),
    # YAML tags that would build Python objects, and other non-standard tags
    "tag-python-apply.yaml": ("yaml-tag", "15:11", "python/object/apply:os.system"),
    "tag-python-name.yaml": ("yaml-tag", "5:9", "python/name:os.system"),
    "tag-python-new.yaml": ("yaml-tag", "3:10", "python/object/new:subprocess.Popen"),
    "tag-python-module.yaml": ("yaml-tag", "20:11", "python/module:os"),
    "tag-binary.yaml": ("yaml-tag", "20:11", "binary"),
    "tag-set.yaml": ("yaml-tag", "18:12", "set"),
    "tag-local.yaml": ("yaml-tag", "16:11", "!option"),
    "tag-verbatim.yaml": ("yaml-tag", "16:11", "tag:example.com,2026:option"),
    "tag-int-empty.yaml": ("yaml-value", "17:12", "'' is not a valid int"),
    "merge-key.yaml": ("yaml-merge", "16:3", "(<<)"),
    # alias expansion bombs, deep nesting
    "alias-bomb.yaml": ("alias-bomb", "17:12", "10,000 nodes"),
    "alias-bomb-answers.yaml": ("alias-bomb", "19:10", ""),
    "alias-undefined.yaml": ("yaml-alias", "16:11", "*nowhere"),
    "deep-nesting.yaml": ("too-deep", "20:73", "64 levels"),
    "deep-nesting-maps.yaml": ("too-deep", "20:259", "64 levels"),
    # evidence paths escaping the folder; file:, javascript: and other URLs
    "evidence-path-dotdot.yaml": ("evidence-path", "14:56", "escapes the submission's folder"),
    "evidence-path-absolute.yaml": ("evidence-path", "14:56", "must be relative"),
    "evidence-path-backslash.yaml": ("evidence-path", "14:56", "not \\"),
    "evidence-path-drive.yaml": ("evidence-path", "14:56", "must be relative"),
    "evidence-path-nul.yaml": ("evidence-path", "14:56", "\\x00"),
    "evidence-path-too-long.yaml": ("evidence-path", "14:56", "cannot be checked"),
    "evidence-url-file.yaml": ("evidence-url", "14:55", "file:///etc/passwd"),
    "evidence-url-javascript.yaml": ("evidence-url", "14:55", "javascript:"),
    "evidence-url-javascript-mixed.yaml": ("evidence-url", "14:55", "JaVaScRiPt:"),
    "evidence-url-data.yaml": ("evidence-url", "14:55", "data:"),
    "evidence-url-no-host.yaml": ("evidence-url", "14:55", ""),
    "evidence-url-bad-ipv6.yaml": ("evidence-url", "14:55", ""),
    "evidence-both.yaml": ("evidence-target", "14:33", "exactly one of"),
    "evidence-neither.yaml": ("evidence-target", "14:33", "exactly one of"),
    "evidence-bad-sha.yaml": ("invalid-value", "14:94", "'abc123'"),
    # wrong subject type and unknown rubric
    "subject-type-wrong.yaml": ("subject-type", "4:9", "assesses a technology"),
    "unknown-rubric.yaml": ("unknown-rubric", "2:9", "did you mean nhs-ai-readiness@1.0.0?"),
    "unknown-rubric-version.yaml": ("unknown-rubric", "2:9", "did you mean nhs-ai-readiness@1.0.0?"),
    "missing-rubric-file.yaml": ("unknown-rubric", "2:9", "does not exist"),
    "rubric-path-too-long.yaml": ("unknown-rubric", "2:9", "does not exist"),
    "rubric-not-text.yaml": ("invalid-value", "2:9", "valid string"),
    # terminal control characters from the file are escaped, never echoed raw
    "ansi-escape.yaml": ("unknown-criterion", "16:3", "\\x1b[2J"),
    "bidi-override.yaml": ("unknown-criterion", "16:3", "\\u202e"),
    # against the built-in readiness rubric
    "readiness-unknown-criterion.yaml": ("unknown-criterion", "8:3", "did you mean ls-01?"),
    "readiness-level-too-high.yaml": ("invalid-answer", "8:10", "a level 0..5"),
    "readiness-unknown-option.yaml": ("invalid-answer", "7:13", "did you mean scaling?"),
    "readiness-na-not-allowed.yaml": ("na-not-allowed", "8:18", ""),
    "readiness-subject-type.yaml": ("subject-type", "3:17", "'technology'"),
}
SUBMISSION_HELPERS = {"fixture-rubric.yaml", "valid.yaml"}

# rubric file (under rubrics/) -> (code, "file:line:col" of the report, text)
RUBRIC_CASES: dict[str, tuple[str, str, str]] = {
    "applies-if-cycle.yaml": ("applies-if-cycle", "applies-if-cycle.yaml:13:21", "a -> b -> a"),
    "applies-if-self.yaml": ("applies-if-cycle", "applies-if-self.yaml:13:34", "depends on itself"),
    "unknown-pillar.yaml": ("unknown-pillar", "unknown-pillar.yaml:13:17", "did you mean ethical?"),
    "unknown-criterion-ref.yaml": ("unknown-criterion", "unknown-criterion-ref.yaml:15:34", "did you mean gov-01?"),
    "unknown-option-ref.yaml": ("unknown-option", "unknown-option-ref.yaml:17:49", "'iic'"),
    "scale-gap.yaml": ("bad-scale", "scale-gap.yaml:6:8", "[0, 1, 3]"),
    "scale-from-one.yaml": ("bad-scale", "scale-from-one.yaml:6:8", "[1, 2]"),
    "scale-single.yaml": ("bad-scale", "scale-single.yaml:6:8", "[0]"),
    "scale-too-long.yaml": ("bad-scale", "scale-too-long.yaml:6:8", "1 <= N <= 10"),
    "scale-duplicate-level.yaml": ("bad-scale", "scale-duplicate-level.yaml:6:8", "[0, 1, 1]"),
    "thresholds-not-increasing.yaml": ("thresholds-order", "thresholds-not-increasing.yaml:14:44", "increasing `min`"),
    "thresholds-levels-down.yaml": ("thresholds-order", "thresholds-levels-down.yaml:15:42", "increasing levels"),
    "thresholds-max-increasing.yaml": ("thresholds-order", "thresholds-max-increasing.yaml:15:44", "decreasing `max`"),
    "threshold-inf.yaml": ("invalid-value", "threshold-inf.yaml:14:28", "finite number, got inf"),
    "weight-nan.yaml": ("invalid-value", "weight-nan.yaml:6:84", "finite number, got nan"),
    "points-huge.yaml": ("invalid-value", "points-huge.yaml:14:45", "less than or equal to 1000000"),
    "weight-huge.yaml": ("invalid-value", "weight-huge.yaml:13:39", "less than or equal to 1000000"),
    "weight-negative.yaml": ("invalid-value", "weight-negative.yaml:6:84", "greater than or equal to 0"),
    "gate-cap-out-of-scale.yaml": ("out-of-scale", "gate-cap-out-of-scale.yaml:6:102", "gate cap 9"),
    "duplicate-criterion.yaml": ("duplicate-id", "duplicate-criterion.yaml:8:55", "'a'"),
    "unknown-key.yaml": ("unknown-key", "unknown-key.yaml:6:76", "did you mean question?"),
    "wrong-type.yaml": ("invalid-value", "wrong-type.yaml:6:84", "'heavy'"),
    "bad-id.yaml": ("invalid-value", "bad-id.yaml:2:5", "'Bad Id!'"),
    "choice-without-options.yaml": ("missing-options", "choice-without-options.yaml:6:54", ""),
    "remove-without-extends.yaml": ("remove-without-extends", "remove-without-extends.yaml:6:1", ""),
    "python-tag.yaml": ("yaml-tag", "python-tag.yaml:6:14", "python/object/apply:os.system"),
    "malformed.yaml": ("yaml-syntax", "malformed.yaml:7:1", ""),
    "not-a-mapping.yaml": ("not-a-mapping", "not-a-mapping.yaml:2:1", ""),
    "empty.yaml": ("not-a-mapping", "empty.yaml:1:1", ""),
    # extends: these need rubrics/extends on the search path
    "extends/cycle-a.yaml": ("extends-cycle", "cycle-b.yaml:3:10", "in a cycle"),
    "extends/cycle-b.yaml": ("extends-cycle", "cycle-a.yaml:3:10", "in a cycle"),
    "extends/self.yaml": ("extends-cycle", "self.yaml:3:10", "in a cycle"),
    "extends/unknown-base.yaml": ("unknown-rubric", "unknown-base.yaml:3:10", "did you mean cycle-"),
    "extends/bad-remove.yaml": ("unknown-criterion", "bad-remove.yaml:5:16", "{'a': 1}"),
    "extends/readiness-remove-unknown.yaml": (
        "unknown-criterion",
        "readiness-remove-unknown.yaml:5:10",
        "did you mean ls-01?",
    ),
}
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


def refused(run: Run, where: str, code: str, text: str = "") -> None:
    """Exit 1, a `file:line:col: error code` line, the expected text, no traceback, within bounds."""
    shown = f"{' '.join(run.args)}\n--- stderr ---\n{run.stderr[:3000]}"
    assert run.returncode == 1, f"exit {run.returncode}, not 1: {shown}"
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, shown
    line = re.compile(rf"(^|/){re.escape(where)}: error {re.escape(code)}[ :]", re.MULTILINE)
    assert line.search(run.stderr), f"no `{where}: error {code}` line: {shown}"
    assert text in run.stderr, f"{text!r} not in the messages: {shown}"
    assert all(ch.isprintable() or ch == "\n" for ch in run.stderr), f"raw control characters reached stderr: {shown}"
    assert run.seconds < WALL_SECONDS, shown


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
    for name in SUBMISSION_CASES:
        jobs[f"submission:{name}"] = (("validate", name), SUBMISSIONS)
    # One process for all the rubrics, and one for all the submissions using them: each file's own
    # error is still checked, and a crash on any of them fails the lot.
    jobs["lint"] = (("rubrics", "lint", "--rubric-dir", "extends", *RUBRIC_CASES), RUBRICS)
    users = [_submission_using(generated, name, _user_of(name)).name for name in RUBRIC_CASES]
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
    assert submissions == set(SUBMISSION_CASES)
    assert rubrics == set(RUBRIC_CASES)


def test_the_control_is_valid(runs: dict[str, Run]) -> None:
    """Every corpus file is a mutation of this one, which must pass even with --strict."""
    run = runs["valid"]
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize("name", sorted(SUBMISSION_CASES))
def test_hostile_submission_is_refused(runs: dict[str, Run], name: str) -> None:
    code, position, text = SUBMISSION_CASES[name]
    refused(runs[f"submission:{name}"], f"{name}:{position}", code, text)


@pytest.mark.parametrize("name", sorted(RUBRIC_CASES))
def test_hostile_rubric_fails_lint(runs: dict[str, Run], name: str) -> None:
    code, where, text = RUBRIC_CASES[name]
    refused(runs["lint"], where, code, text)


@pytest.mark.parametrize("name", sorted(RUBRIC_CASES))
def test_hostile_rubric_fails_the_submission_using_it(runs: dict[str, Run], name: str) -> None:
    code, where, text = RUBRIC_CASES[name]
    # A rubric file that cannot even be parsed is reported without a word of its text (issue 11):
    # the submission might have named some other file.
    refused(runs["uses"], where, code, "" if code.startswith("yaml-") else text)
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


@pytest.mark.parametrize("name", sorted(SUBMISSION_CASES))
def test_library_raises_only_its_own_errors(name: str) -> None:
    """The same corpus in-process: whatever goes wrong is an AiassureError or a diagnostic, never a crash."""
    library = RubricLibrary([EXTENDS], use_env=False)
    try:
        parsed, found = check_document(load_file(SUBMISSIONS / name), library)
    except AiassureError as exc:
        assert exc.diagnostics
        return
    assert parsed is None and any(d.is_error for d in found)


@pytest.mark.parametrize("name", sorted(RUBRIC_CASES))
def test_rubric_library_raises_only_its_own_errors(name: str) -> None:
    with pytest.raises(AiassureError) as raised:
        RubricLibrary([EXTENDS], use_env=False).load_path(RUBRICS / name)
    assert raised.value.diagnostics
