"""Issue 11, point 6: outputs are never destroyed or misdirected. An output that names an input
(the registry in any URL form, a submission, a rubric, a template, the examples) is a usage error
and the input is left byte for byte; a target that is a FIFO or a symbolic link to a character
device is written through, never replaced; a full, closed or broken standard output is a clean
exit 1; an ASCII locale degrades instead of crashing.

Device choice: the "symbolic link to a device" is a link in the test's temporary folder to
/dev/null. Writing through it is harmless, and the test checks that the link is still a link and
/dev/null still the character device it was (the old code renamed a regular file over the link).
/dev/full stands only for a full standard output, opened by the test, never as a target."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hostile_helpers import EXAMPLES, aiassure_argv, run_aiassure

from aiassure.cli import main
from aiassure.errors import AiassureError
from aiassure.fsutil import refuse_inputs, write_atomic

RX1 = EXAMPLES / "2026-Q4" / "RX1.yaml"


def run(*args: object, env: dict[str, str] | None = None) -> Any:
    result = CliRunner().invoke(main, [str(a) for a in args], env=env)
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    return result


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("registry")
    database = folder / "registry.db"
    assert run("registry", "ingest", RX1, EXAMPLES / "2026-Q4" / "RX2.yaml", "--db", database).exit_code == 0
    return database


def fresh_copy(registry: Path, folder: Path, name: str = "registry.db") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    shutil.copyfile(registry, target)
    return target


# -- an output naming an input -----------------------------------------------------------------


def db_forms(database: Path) -> list[str]:
    return [
        str(database),
        f"sqlite:///{database}",
        f"sqlite+pysqlite:///{database}",
        f"sqlite:///file:{database}?mode=rw&uri=true",
    ]


def test_portfolio_export_onto_the_registry_is_refused_in_every_url_form(registry: Path, tmp_path: Path) -> None:
    database = fresh_copy(registry, tmp_path)
    before = database.read_bytes()
    (tmp_path / "link.db").symlink_to(database)
    os.link(database, tmp_path / "hard.db")
    for db in db_forms(database):
        for target in (database, tmp_path / "link.db", tmp_path / "hard.db", Path(f"{database}-wal")):
            for fmt in ("csv", "jsonl", "parquet"):
                result = run("portfolio", "export", "--format", fmt, "-o", target, "--db", db)
                assert result.exit_code == 2, (db, target, fmt, result.output)
                assert "refusing to overwrite the input file" in result.output
    # AIASSURE_DB is the registry when --db is not given
    result = run("portfolio", "export", "--format", "csv", "-o", database, env={"AIASSURE_DB": str(database)})
    assert result.exit_code == 2, result.output
    assert database.read_bytes() == before and (tmp_path / "link.db").is_symlink()


def test_portfolio_report_and_datapackage_into_the_registry_are_refused(registry: Path, tmp_path: Path) -> None:
    as_html = fresh_copy(registry, tmp_path / "out", "portfolio.html")
    as_csv = fresh_copy(registry, tmp_path / "package", "scores.csv")
    before = as_html.read_bytes()
    result = run("portfolio", "report", "-o", tmp_path / "out", "--format", "html", "--db", f"sqlite:///{as_html}")
    assert result.exit_code == 2 and "refusing to overwrite" in result.output, result.output
    args = ("portfolio", "export", "--format", "datapackage", "-o", tmp_path / "package", "--db", as_csv)
    result = run(*args)
    assert result.exit_code == 2 and "refusing to overwrite" in result.output, result.output
    assert as_html.read_bytes() == before == as_csv.read_bytes()
    assert sorted(p.name for p in (tmp_path / "package").iterdir()) == ["scores.csv"]


def test_outputs_onto_rubrics_templates_submissions_and_examples_are_refused(tmp_path: Path) -> None:
    rubrics = tmp_path / "rubrics"
    rubrics.mkdir()
    fixture = Path(__file__).parent / "submissions" / "fixture-rubric.yaml"
    rubric = rubrics / "fixture-rubric.yaml"
    shutil.copyfile(fixture, rubric)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "RX1-2026-Q4.html").write_text("{% extends 'default:report.html' %}\n")
    submission = tmp_path / "RX1.yaml"
    shutil.copyfile(RX1, submission)
    kept = {p: p.read_bytes() for p in (rubric, templates / "RX1-2026-Q4.html", submission)}
    cases = [
        ("export", "fhir", "nhs-ai-readiness", "-o", rubric, "--rubric-dir", rubrics),
        ("export", "fhir-response", submission, "-o", submission),
        ("export", "fhir-response", submission, "-o", rubric, "--rubric-dir", rubrics),
        ("schema", "nhs-ai-readiness", "-o", rubric, "--rubric-dir", rubrics),
        ("init", "nhs-ai-readiness", "-o", rubric, "--force", "--rubric-dir", rubrics),
        ("validate", "--format", "sarif", submission, "-o", submission),
        ("report", submission, "-o", templates, "--format", "html", "--template-dir", templates),
    ]
    for args in cases:
        result = run(*args)
        assert result.exit_code == 2 and "refusing to overwrite" in result.output, (args, result.output)
    assert {p: p.read_bytes() for p in kept} == kept
    examples = tmp_path / "examples"
    shutil.copytree(EXAMPLES / "2026-Q4", examples)
    for out in (examples, examples / "inside"):
        result = run("demo", "--examples", examples, "-o", out, "-j", "1")
        assert result.exit_code == 2 and "overlaps the examples folder" in result.output, result.output
    assert not (examples / "reports").exists() and not (examples / "inside").exists()


def test_refuse_inputs_sees_through_symbolic_and_hard_links(tmp_path: Path) -> None:
    source = tmp_path / "in.yaml"
    source.write_text("x")
    (tmp_path / "soft").symlink_to(source)
    os.link(source, tmp_path / "hard")
    for target in (source, tmp_path / "soft", tmp_path / "hard", tmp_path / "." / "in.yaml"):
        with pytest.raises(AiassureError, match="refusing to overwrite"):
            refuse_inputs([target], [source])
    refuse_inputs([tmp_path / "other"], [source])  # anything else is fine


# -- targets that are not regular files --------------------------------------------------------


class FifoReader(threading.Thread):
    """Reads a FIFO to its end, as `cat fifo` would."""

    def __init__(self, fifo: Path) -> None:
        super().__init__(daemon=True)
        self.fifo, self.data = fifo, b""

    def run(self) -> None:
        with open(self.fifo, "rb") as stream:
            self.data = stream.read()


def test_a_fifo_target_is_written_through(registry: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    reader = FifoReader(fifo)
    reader.start()
    result = run("portfolio", "export", "--format", "csv", "-o", fifo, "--db", registry)
    reader.join(30)
    assert result.exit_code == 0, result.output
    assert reader.data.startswith(b"id,sha256,") and reader.data.count(b"\n") == 3
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still the FIFO, not a file renamed over it
    assert [p.name for p in tmp_path.iterdir()] == ["export.csv"]  # no temporary file left


def test_a_fifo_among_a_reports_files_is_written_through(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    fifo = out / "RX1-2026-Q4.md"
    os.mkfifo(fifo)
    reader = FifoReader(fifo)
    reader.start()
    result = run("report", RX1, "-o", out, "--format", "html,md")
    reader.join(30)
    assert result.exit_code == 0, result.output
    assert reader.data.startswith(b"# ") and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in out.iterdir()) == ["RX1-2026-Q4.html", "RX1-2026-Q4.md"]


def test_a_symbolic_link_to_a_device_is_written_through_not_replaced(registry: Path, tmp_path: Path) -> None:
    null = Path(os.devnull)
    device = os.stat(null)
    assert stat.S_ISCHR(device.st_mode)
    link = tmp_path / "to-null.csv"
    link.symlink_to(null)
    assert run("portfolio", "export", "--format", "csv", "-o", link, "--db", registry).exit_code == 0
    out = tmp_path / "out"
    out.mkdir()
    (out / "RX1-2026-Q4.html").symlink_to(null)
    assert run("report", RX1, "-o", out, "--format", "html").exit_code == 0
    for written in (link, out / "RX1-2026-Q4.html"):
        assert written.is_symlink() and os.readlink(written) == str(null)
    after = os.stat(null)
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (device.st_ino, device.st_rdev)


def test_a_symbolic_link_to_a_file_keeps_the_link(registry: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    assert run("portfolio", "export", "--format", "csv", "-o", link, "--db", registry).exit_code == 0
    assert link.is_symlink() and real.read_text().startswith("id,sha256,")


def test_a_folder_or_socket_target_is_refused_not_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "RX1-2026-Q4.html"
    folder.mkdir()
    with pytest.raises(AiassureError, match="it is a folder"):
        write_atomic(folder, "x")
    result = run("report", RX1, "-o", tmp_path, "--format", "html")
    assert result.exit_code == 1 and "it is a folder" in result.output, result.output
    assert folder.is_dir() and not any(folder.iterdir())
    import socket

    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(AiassureError, match="not a regular file"):
            write_atomic(path, "x")
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


# -- standard output ---------------------------------------------------------------------------


def test_a_full_standard_output_is_a_clean_exit_1() -> None:
    for args in (("score", RX1), ("score", "--format", "json", RX1), ("schema", "nhs-ai-readiness")):
        with open("/dev/full", "w") as full:
            done = subprocess.run(aiassure_argv(*args), stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
        assert done.returncode == 1, (args, done.stderr)
        assert done.stderr.strip() == "error: cannot write standard output: No space left on device", done.stderr


def test_a_closed_standard_output_is_a_clean_exit_1() -> None:
    command = " ".join(f"'{part}'" for part in aiassure_argv("schema", "nhs-ai-readiness"))
    done = subprocess.run(["sh", "-c", f"exec {command} >&-"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stderr.strip() == "error: cannot write standard output: it is closed"


def test_a_pipe_closed_early_is_a_quiet_exit_1() -> None:
    """`aiassure schema ... | head -c1`: the reader leaves after one byte of 160 kB."""
    process = subprocess.Popen(
        aiassure_argv("schema", "nhs-ai-readiness"), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(1) == b"{"
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(120) == 1
    assert stderr == ""  # no traceback, no "Exception ignored", nothing to tell a reader that left
    shell = subprocess.run(
        ["sh", "-c", " ".join(f"'{p}'" for p in aiassure_argv("schema", "nhs-ai-readiness")) + " | head -c1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shell.stdout == "{" and shell.stderr == ""


def test_an_ascii_locale_degrades_instead_of_crashing(tmp_path: Path) -> None:
    data = yaml.safe_load(RX1.read_text(encoding="utf-8"))
    data["subject"]["name"] = "Hôpital Saint-Étienne → 聖 NHS Trust"
    data["subject"]["region"] = "Île-de-France"
    submission = tmp_path / "unicode.yaml"
    submission.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    broken = tmp_path / "broken-é.yaml"
    broken.write_text(submission.read_text(encoding="utf-8").replace("round: 2026-Q4", "round: 2026-Q4\nunknöwn: 1"))
    database = tmp_path / "r.db"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "LC_CTYPE")}
    env.update(LC_ALL="C", LANG="C", PYTHONUTF8="0", COLUMNS="400")
    probe = [sys.executable, "-c", "import sys; print(sys.stdout.encoding)"]
    check = subprocess.run(probe, env=env, capture_output=True, text=True, timeout=60)
    assert check.stdout.strip().lower() in ("ascii", "ansi_x3.4-1968")  # the locale really is ASCII
    for args, code in (
        (("score", submission), 0),
        (("registry", "ingest", submission, "--db", database), 0),
        (("registry", "list", "--db", database), 0),
        (("registry", "show", "RX1", "--db", database), 0),
        (("diff", RX1, submission), 0),
        (("validate", broken), 1),
        (("rubrics", "show", "nhs-ai-readiness"), 0),
    ):
        done = run_aiassure(*args, env=env)
        assert done.returncode == code, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
        if args[0] in ("score", "registry") and args[1] != "ingest":
            assert "H\\xf4pital" in done.stdout, done.stdout
    assert "error unknown-key" in run_aiassure("validate", broken, env=env).stderr  # located, whatever the bytes


# -- terminal escapes in every printed value -----------------------------------------------------

HOSTILE = "\x1b[2J\x1b]0;pwned\x07\u202eevil\u2066x\u2069\u2028line\u2029para\x85next\r[bold]B[/bold] :warning:"
RAW = ("\x1b", "\x07", "\u202e", "\u2066", "\u2069", "\u2028", "\u2029", "\x85", "\r")


def assert_inert(text: str) -> None:
    """No raw control, bidi or separator character, and the markup printed as typed."""
    assert not [c for c in RAW if c in text], [c for c in RAW if c in text]
    assert "\\u001b[2J" in text and "\\u202eevil" in text and "\\u2028line" in text and "\\u0085next" in text
    assert "[bold]B[/bold] :warning:" in text


def test_registry_listings_escape_every_field(registry: Path, tmp_path: Path) -> None:
    """What a registry holds is printed inert, whatever wrote it (the values set here in SQL)."""
    database = fresh_copy(registry, tmp_path)
    with sqlite3.connect(database) as conn:
        conn.execute(
            "UPDATE submissions SET subject_name = ?, region = ?, org_type = ?, assessed_by_code = ?,"
            " assessed_by_name = ?, round = ? WHERE subject_code = 'RX1'",
            (HOSTILE, HOSTILE, HOSTILE, "X1", HOSTILE, "2026-Q4" + HOSTILE),
        )
        conn.execute("UPDATE rubrics SET title = ?", (HOSTILE,))
    for args in (("registry", "list"), ("registry", "show", "RX1"), ("registry", "rubrics")):
        result = run(*args, "--db", database, env={"COLUMNS": "2000"})
        assert result.exit_code == 0, result.output
        assert_inert(result.stdout)


def test_score_and_diff_summaries_escape_every_field(capsys: pytest.CaptureFixture[str]) -> None:
    from aiassure.assessments.diff import EvidenceChanges, EvidenceRef, ExpiredEvidence, diff_results
    from aiassure.assessments.inputs import read_result
    from aiassure.assessments.score_files import ScoreOptions
    from aiassure.commands.common import render_table, stdout_console, summary_lines
    from aiassure.commands.diff import _print_table

    result = read_result(RX1, ScoreOptions()).result
    subject = result.subject.model_copy(update={"name": HOSTILE, "code": "RX1" + HOSTILE})
    outcome = result.outcome.model_copy(update={"label": HOSTILE}) if result.outcome else None
    actions = [a.model_copy(update={"action": HOSTILE}) for a in result.actions]
    hostile = result.model_copy(update={"subject": subject, "outcome": outcome, "actions": actions})
    render_table(hostile, stdout_console(), {})
    assert_inert(capsys.readouterr().out)
    assert_inert("\n".join(summary_lines(hostile, {})))
    item = EvidenceRef(criterion="ls-01", title=HOSTILE, url=None, path=HOSTILE, date="2026-01-01")
    expired = ExpiredEvidence(**item.model_dump(), max_age_days=365, expired_on="2027-01-02", credit_lost=True)
    evidence = EvidenceChanges(today="2026-12-07", added=[item], removed=[item], expired=[expired], not_compared=None)
    _print_table(diff_results(hostile, hostile, evidence=evidence))
    shown = capsys.readouterr().out
    assert not [c for c in RAW if c in shown] and "\\u202eevil" in shown and "[bold]B[/bold]" in shown
    assert shown.count("\\u001b[2J") >= 5  # the subject's name, the outcome and three evidence rows


def test_file_names_and_messages_are_escaped(tmp_path: Path) -> None:
    name = "RX1\x1b[31m\u202e\u2028.yaml"
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(RX1, folder / name)
    out = tmp_path / "out\x1b]0;t\x07"
    for args in (
        ("registry", "ingest", "-v", folder / name, "--db", tmp_path / "r.db"),
        ("report", folder / name, "-o", out, "--format", "md"),
        ("validate", folder / "missing\x1b[2J.yaml"),
        ("portfolio", "export", "--format", "csv", "-o", out / "x.csv", "--db", tmp_path / "r.db"),
        ("portfolio", "report", "-o", out, "--format", "json", "--db", tmp_path / "r.db"),
    ):
        result = run(*args)
        assert result.exit_code in (0, 1), (args, result.output)
        assert not [c for c in ("\x1b", "\x07", "\u202e", "\u2028") if c in result.output], (args, result.output)


def test_admin_outputs_escape_names(tmp_path: Path) -> None:
    database = tmp_path / "r.db"
    env = {"AIASSURE_OPERATOR": "test"}
    added = run("admin", "org", "add", "X1", "--name", HOSTILE, "--kind", "ods", "--db", database, env=env)
    if added.exit_code != 0:  # names may be refused at validation; then nothing hostile is printed at all
        assert "\x1b" not in added.output
        return
    assert_inert(added.stdout)
    listed = run("admin", "org", "list", "--db", database, env=env)
    assert listed.exit_code == 0 and "\x1b" not in listed.stdout and "\\u001b[2J" in listed.stdout
