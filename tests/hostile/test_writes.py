"""Issue 6, writes: every file aiassure writes appears whole or not at all, and a failure half-way
leaves the previous file byte for byte, with no temporary file behind.

The failures are real: a renderer that raises, a file size limit (RLIMIT_FSIZE, as a full disk
would do) in a real process, and SIGKILL while a report is rendering.
"""

from __future__ import annotations

import ast
import contextlib
import re
import resource
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_helpers import ROOT, aiassure_argv, watchdog

from aiassure.cli import main

SOURCES = ROOT / "src" / "aiassure"
ATOMIC_WRITER = SOURCES / "fsutil.py"  # the one place allowed to create and replace files
REPORTS_DATA = ROOT / "tests" / "reports" / "data"
ASSESS_DATA = ROOT / "tests" / "assess"

# -- no way to write a file but the atomic writer ---------------------------------------------------

WRITING_METHODS = {"write_text", "write_bytes", "touch", "rename", "symlink_to", "hardlink_to"}
WRITING_FUNCTIONS = {
    "os": {"open", "fdopen", "rename", "replace", "link", "symlink", "truncate", "mkfifo", "write"},
    "shutil": {"copy", "copy2", "copyfile", "copytree", "copyfileobj", "move"},
    "tempfile": {"mkstemp", "NamedTemporaryFile", "TemporaryFile", "SpooledTemporaryFile"},
}


def _mode(call: ast.Call, position: int) -> str | None:
    """The literal mode of an open() call ('r' when not given); None when it is not a literal."""
    given = call.args[position] if len(call.args) > position else None
    given = next((k.value for k in call.keywords if k.arg == "mode"), given)
    if given is None:
        return "r"
    return given.value if isinstance(given, ast.Constant) and isinstance(given.value, str) else None


def _writes(call: ast.Call) -> str | None:
    """What a call does that writes a file, or None."""
    func = call.func
    if isinstance(func, ast.Name) and func.id == "open":
        mode = _mode(call, 1)
        return None if mode is not None and not set(mode) & set("wax+") else f"open(mode={mode!r})"
    if not isinstance(func, ast.Attribute):
        return None
    owner = func.value.id if isinstance(func.value, ast.Name) else None
    if owner in WRITING_FUNCTIONS:
        return f"{owner}.{func.attr}" if func.attr in WRITING_FUNCTIONS[owner] else None
    if func.attr in WRITING_METHODS:
        return f".{func.attr}()"
    if func.attr == "open":  # Path.open(mode)
        mode = _mode(call, 0)
        return None if mode is not None and not set(mode) & set("wax+") else f".open(mode={mode!r})"
    if func.attr == "write_pdf" and (call.args or any(k.arg == "target" for k in call.keywords)):
        return "write_pdf(target)"  # WeasyPrint writing straight to a file
    return None


def test_no_code_writes_a_file_but_through_the_atomic_writer() -> None:
    found = []
    for path in sorted(SOURCES.rglob("*.py")):
        if path == ATOMIC_WRITER:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Call) and (what := _writes(node)):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {what}")
    assert found == [], "write through aiassure.fsutil.write_atomic / atomic_writer instead:\n" + "\n".join(found)
    # the scan does see writes: the atomic writer itself is flagged
    tree = ast.parse(ATOMIC_WRITER.read_text(encoding="utf-8"))
    flagged = {what for node in ast.walk(tree) if isinstance(node, ast.Call) and (what := _writes(node))}
    assert flagged >= {"tempfile.mkstemp", "os.replace"}


# -- reports ---------------------------------------------------------------------------------------


def report_inputs(folder: Path, codes: list[str]) -> list[Path]:
    """Copies of a test submission, one per subject code, with the rubric beside them."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tiny-readiness.yaml").write_bytes((REPORTS_DATA / "tiny-readiness.yaml").read_bytes())
    text = (REPORTS_DATA / "northshire-2026-Q4.yaml").read_text(encoding="utf-8")
    paths = []
    for code in codes:
        path = folder / f"{code}.yaml"
        path.write_text(re.sub(r"^  code: \S+", f"  code: {code}", text, count=1, flags=re.M), encoding="utf-8")
        paths.append(path)
    return paths


def previous_reports(out: Path, codes: list[str], formats: tuple[str, ...]) -> dict[Path, bytes]:
    """Reports 'from an earlier run' at the paths a new run writes to: distinctive bytes to compare."""
    out.mkdir(parents=True, exist_ok=True)
    previous = {out / f"{code}-2026-Q4.{ext}": f"previous {code} {ext}\n".encode() for code in codes for ext in formats}
    for path, content in previous.items():
        path.write_bytes(content)
    return previous


def leftovers(folder: Path, expected: set[Path]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p not in expected)


def test_a_renderer_failing_half_way_leaves_the_previous_reports_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A's report is rendered; B's PDF fails after its HTML and Markdown were rendered: no file is
    touched, since the batch's files are put in place only once all are made (each file is read
    once, issue 20), and A's staged files are removed."""
    import aiassure.reports.writer as writer

    formats = ("html", "pdf", "md")
    inputs = report_inputs(tmp_path / "in", ["A", "B"])
    out = tmp_path / "out"
    previous = previous_reports(out, ["A", "B"], formats)
    rendered = 0
    real_html_to_pdf = writer.html_to_pdf

    def failing_second(*args: object, **kwargs: object) -> bytes:
        nonlocal rendered
        rendered += 1
        if rendered == 2:
            raise RuntimeError("WeasyPrint gave up")
        return real_html_to_pdf(*args, **kwargs)

    monkeypatch.setattr(writer, "html_to_pdf", failing_second)
    result = CliRunner().invoke(main, ["report", *map(str, inputs), "-o", str(out), "--format", ",".join(formats)])
    assert result.exit_code == 3 and "WeasyPrint gave up" in result.output and "Traceback" not in result.output
    assert rendered == 2  # A's PDF was made
    for path, content in previous.items():
        assert path.read_bytes() == content, f"{path.name} was touched"
    assert leftovers(out, set(previous)) == []


def _file_size_limit(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.slow
def test_a_full_disk_half_way_through_a_report_keeps_the_previous_file(tmp_path: Path) -> None:
    """With a file size limit between the HTML (~25 kB) and the PDF (~70 kB) in a real process, the
    PDF cannot be staged: both previous files stay (a batch's files are put in place together),
    and no temporary file."""
    [source] = report_inputs(tmp_path / "in", ["RXX"])
    out = tmp_path / "out"
    previous = previous_reports(out, ["RXX"], ("html", "pdf"))
    limit = 48_000
    process = subprocess.run(
        aiassure_argv("report", source, "-o", out, "--format", "html,pdf"),
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_file_size_limit(limit),
    )
    pdf = out / "RXX-2026-Q4.pdf"
    assert process.returncode == 1, process.stderr
    assert f"error: cannot write {pdf}: File too large" in process.stderr and "Traceback" not in process.stderr
    for path, content in previous.items():
        assert path.read_bytes() == content, f"{path.name} was touched"
    assert leftovers(out, set(previous)) == []


def staged(out: Path, prefix: str) -> bool:
    """Whether a file named so is staged in a staging folder of `out`."""
    for folder in out.glob(".aiassure-staging-*"):
        with contextlib.suppress(FileNotFoundError):
            if any(p.name.startswith(prefix) for p in folder.iterdir()):
                return True
    return False


@pytest.mark.slow
def test_a_report_killed_while_rendering_leaves_every_file_whole(tmp_path: Path) -> None:
    """SIGKILL once the first submission's files are staged, while the others render: every report
    file is the previous one (a batch's files are put in place together, once all are made); the
    staging folder the killed process could not remove is removed by the next report there."""
    codes = ["K1", "K2", "K3", "K4"]
    inputs = report_inputs(tmp_path / "in", codes)
    out = tmp_path / "out"
    previous = previous_reports(out, codes, ("html", "pdf"))
    process = subprocess.Popen(
        aiassure_argv("report", *inputs, "-o", out, "--format", "html,pdf"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with watchdog(process, 120):
        while not staged(out, ".K1-2026-Q4.pdf."):
            assert process.poll() is None, "report ended before it was killed"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
    for path, content in previous.items():
        assert path.read_bytes() == content, f"{path.name} was touched"
    [staging] = leftovers(out, set(previous))
    assert staging == f".aiassure-staging-{process.pid}"
    again = subprocess.run(aiassure_argv("report", inputs[0], "-o", out, "--format", "html"), timeout=120)
    assert again.returncode == 0
    assert leftovers(out, set(previous)) == []
    assert (out / "K1-2026-Q4.html").read_text().rstrip().endswith("</html>")


# -- assess and export -----------------------------------------------------------------------------


@pytest.mark.slow
def test_an_assess_save_that_fails_leaves_the_previous_answers_file(tmp_path: Path) -> None:
    """`assess` saves after every answer; a save that hits the file size limit stops the session
    with a clear message, and the answers file is as it was before that answer."""
    answers = tmp_path / "answers.yaml"
    text = (ASSESS_DATA / "answers-by-hand.yaml").read_text(encoding="utf-8")
    shutil.copy(ASSESS_DATA / "tiny-assess-rubric.yaml", tmp_path)  # named from the answers file's own folder
    answers.write_text(re.sub(r"^  eff-notes:.*$", "  eff-notes:", text, count=1, flags=re.M), encoding="utf-8")
    before = answers.read_bytes()
    process = subprocess.run(
        aiassure_argv("assess", tmp_path / "tiny-assess-rubric.yaml", "-o", answers),
        input="A board paper is due in March\n",
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_file_size_limit(len(before)),  # the file as it is fits; with one more answer it does not
    )
    assert process.returncode == 1, process.stdout + process.stderr
    assert f"error: cannot write {answers}: File too large" in process.stderr and "Traceback" not in process.stderr
    assert answers.read_bytes() == before
    assert leftovers(tmp_path, {answers, tmp_path / "tiny-assess-rubric.yaml"}) == []


def test_an_export_that_fails_half_way_keeps_the_previous_export(tmp_path: Path) -> None:
    """A CSV export larger than the file size limit fails, and the previous export file stays."""
    db = f"sqlite:///{tmp_path / 'registry.db'}"
    source = ROOT / "examples" / "2026-Q4"
    ingested = CliRunner().invoke(main, ["registry", "ingest", str(source), "--db", db])
    assert ingested.exit_code == 0, ingested.output
    target = tmp_path / "scores.csv"
    target.write_bytes(b"previous export\n")
    process = subprocess.run(
        aiassure_argv("portfolio", "export", "--format", "csv", "--table", "scores", "-o", target, "--db", db),
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_file_size_limit(65_536),  # over SQLite's shared-memory file, under the ~180 kB export
    )
    assert process.returncode == 1, process.stderr
    assert f"error: cannot write {target}: File too large" in process.stderr
    assert target.read_bytes() == b"previous export\n"
    assert [name for name in leftovers(tmp_path, {target}) if not name.startswith("registry.db")] == []
