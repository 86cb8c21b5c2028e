"""`aiassure assess` on a real pseudo-terminal: answer, Ctrl-C, restart, finish."""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import pytest
from assess_helpers import BY_HAND, INTAKE, RUBRIC

from aiassure.assessments.validate import load_submission
from aiassure.rubrics.loader import RubricLibrary

pexpect = pytest.importorskip("pexpect")

INTAKE_PROMPTS = [
    "Organisation name",
    "ODS code",
    "Organisation type",
    "NHS England region",
    "Reporting round",
    "Assessed on",
    "Assessor's name",
    "role",
    "Assessor's name",
]


def spawn(output: Path, log: io.StringIO):
    rubric = output.parent / RUBRIC.name  # a submission names only files in its own folder
    if not rubric.exists():
        shutil.copy(RUBRIC, rubric)
    command = ["-c", "from aiassure.cli import main; main()", "assess", str(rubric), "-o", str(output)]
    child = pexpect.spawn(
        sys.executable,
        command,
        cwd=str(output.parent),
        env={"PATH": "/usr/bin:/bin", "TERM": "xterm", "LANG": "C.UTF-8", "PYTHONPATH": ":".join(sys.path)},
        dimensions=(40, 120),
        encoding="utf-8",
        timeout=30,
    )
    child.logfile_read = log
    return child


def converse(child, steps: list[tuple[str, str]]) -> None:
    for prompt, reply in steps:
        child.expect_exact(prompt)
        child.sendline(reply)


def answers(path: Path) -> dict:
    parsed = load_submission(path, RubricLibrary([], use_env=False))
    return {ident: ("na" if a.na else a.value) for ident, a in parsed.answers.items() if a.given}


@pytest.mark.slow
def test_answer_interrupt_resume_and_finish(tmp_path: Path) -> None:
    output = tmp_path / "northshire.yaml"
    log = io.StringIO()
    try:
        child = spawn(output, log)
        converse(child, list(zip(INTAKE_PROMPTS, INTAKE, strict=True)))
        converse(
            child,
            [
                ("gov-owner> ", "3"),
                ("Evidence title", "Board minutes"),
                ("Link", "https://example.org/board/2026-06"),
                ("Date of the document", "2026-06-01"),
                ("Evidence title", ""),
                ("gov-uses-ai> ", "y"),
            ],
        )
        child.expect_exact("gov-safety-case> ")
        child.sendintr()
        child.expect_exact(f"saved 2 answers to {output}; run the same command to resume")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 130
        assert answers(output) == {"gov-owner": 3, "gov-uses-ai": "yes"}

        child = spawn(output, log)
        child.expect_exact("2 answered; next: gov-safety-case")
        converse(
            child,
            [
                ("gov-safety-case> ", "dev"),
                ("data-dpia> ", "approved"),
                ("data-controls> ", "1 3"),
                ("data-external> ", "na"),
                ("Why does it not apply here?", "No external AI suppliers"),
                ("Who approved that", "Jo Bloggs (DPO)"),
                ("eff-uptime> ", "99.5 %"),
                ("eff-monitoring> ", "1,2"),
                ("eff-notes> ", "Board paper due in March"),
            ],
        )
        child.expect_exact("Make the report")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0
    finally:
        (tmp_path / "transcript.txt").write_text(log.getvalue(), encoding="utf-8")
    assert "\x1b[" in log.getvalue()  # a terminal gets colour
    assert answers(output) == answers(BY_HAND)
