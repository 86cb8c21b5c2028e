"""`aiassure assess` on a real pseudo-terminal: answer, Ctrl-C, restart, finish."""

from __future__ import annotations

import io
import re
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
        child.expect_exact("2 of 8 applicable questions answered; next: gov-safety-case")
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


def evidence_of(path: Path, ident: str) -> list[dict]:
    parsed = load_submission(path, RubricLibrary([], use_env=False))
    return [item.model_dump(exclude_none=True, mode="json") for item in parsed.answers[ident].evidence]


def spawn_narrow(output: Path, log: io.StringIO, *extra: str):
    """`spawn`, on an 80-column terminal."""
    rubric = output.parent / RUBRIC.name
    if not rubric.exists():
        shutil.copy(RUBRIC, rubric)
    command = ["-c", "from aiassure.cli import main; main()", "assess", str(rubric), "-o", str(output), *extra]
    child = pexpect.spawn(
        sys.executable,
        command,
        cwd=str(output.parent),
        env={"PATH": "/usr/bin:/bin", "TERM": "xterm", "LANG": "C.UTF-8", "PYTHONPATH": ":".join(sys.path)},
        dimensions=(40, 80),
        encoding="utf-8",
        timeout=30,
    )
    child.logfile_read = log
    return child


@pytest.mark.slow
def test_question_mark_and_b_work_at_every_prompt_of_the_subject_and_the_evidence(tmp_path: Path) -> None:
    output = tmp_path / "northshire.yaml"
    log = io.StringIO()
    try:
        child = spawn_narrow(output, log)
        child.expect_exact("7 applicable questions (9 in the rubric; which apply depends on the answers).")
        converse(
            child,
            [
                ("Organisation name: ", "?"),
                ("as it should appear in reports", ""),  # Enter on a required field with no value
                ("Organisation name is needed", "Northshire Hospitals"),
                ("ODS code: ", "b"),  # back to the name, which keeps its value
                ("Organisation name [Northshire Hospitals]: ", ""),
                ("ODS code: ", "?"),
                ("2 to 10 letters and digits", "rxx"),
                ("Organisation type [acute]: ", "?"),
                ("One of: acute, mental-health, community", "1"),
                ("NHS England region: ", "?"),
                ("The NHS England region: type its number", "4"),
                ("Reporting round (YYYY-Qn)", "?"),
                ("as YYYY-Qn", "2026-Q4"),
                ("Assessed on (YYYY-MM-DD)", "?"),
                ("The day the assessment was made", "2026-11-20"),
                ("Assessor's name (Enter when done): ", "?"),
                ("Enter on an empty name ends the list", "Ada Lovelace"),
                ("Ada Lovelace's role (Enter to leave blank): ", "b"),  # this assessor is dropped
                ("Assessor's name (Enter when done): ", "Grace Hopper"),
                ("Grace Hopper's role (Enter to leave blank): ", "CIO"),
                ("Assessor's name (Enter when done): ", ""),
            ],
        )
        child.expect_exact("Governance 1/2 · 0 of 7 applicable questions answered")
        converse(
            child,
            [
                ("gov-owner> ", "3"),
                ("Evidence title (Enter when done): ", "?"),
                ("Enter when there is no more", "Board minutes"),
                ("Link (https://...) or path relative to", "b"),  # never evidence `path: b`
                ("Evidence title (Enter when done): ", "Board minutes"),
                ("Link (https://...) or path relative to", "?"),
                ("A link starting https://", "https://example.org/board/2026-06"),
                ("Date of the document (YYYY-MM-DD; Enter if undated): ", "?"),
                ("The document's date, as YYYY-MM-DD", "b"),
                ("Link (https://...) or path relative to", "https://example.org/board/2026-06"),
                ("Date of the document (YYYY-MM-DD; Enter if undated): ", "2026-06-01"),
                ("Evidence title (Enter when done): ", ""),
            ],
        )
        child.expect_exact("Governance 2/2 · 1 of 7 applicable questions answered")
        converse(child, [("gov-uses-ai> ", "q")])
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0
    finally:
        (tmp_path / "transcript.txt").write_text(log.getvalue(), encoding="utf-8")
    parsed = load_submission(output, RubricLibrary([], use_env=False))
    subject = parsed.envelope.subject
    assert (subject.name, subject.code, subject.org_type, subject.region) == (
        "Northshire Hospitals",
        "RXX",
        "acute",
        "North East and Yorkshire",
    )
    assert [a.model_dump(exclude_none=True) for a in parsed.envelope.assessors] == [
        {"name": "Grace Hopper", "role": "CIO"}
    ]
    assert evidence_of(output, "gov-owner") == [
        {"title": "Board minutes", "url": "https://example.org/board/2026-06", "date": "2026-06-01"}
    ]
    screen = re.sub(r"\x1b\[[0-9;]*m", "", log.getvalue()).replace("\r", "")
    words = " ".join(screen.split())
    assert "It counts when dated within 365 days before the assessment date (2026-11-20)" in words
    assert "A file named b is written ./b." in words
    # menus wrap between entries at 80 columns, never inside an id at its hyphen
    assert "6) primary-care" in screen and "4) North East and Yorkshire" in screen
    assert not any(line.rstrip().endswith(("primary-", "mental-", "local-", "care-")) for line in screen.split("\n"))


@pytest.mark.slow
def test_b_inside_an_answer_goes_back_to_its_question_and_kept_evidence_is_dated(tmp_path: Path) -> None:
    output = tmp_path / "northshire.yaml"
    log = io.StringIO()
    try:
        child = spawn_narrow(output, log)
        converse(child, list(zip(INTAKE_PROMPTS, INTAKE, strict=True)))
        converse(
            child,
            [
                ("gov-owner> ", "3"),
                ("Evidence title (Enter when done): ", "b"),
                ("back to gov-owner; nothing was recorded", ""),
            ],
        )
        child.expect_exact("type an answer")  # Enter: there is no answer to keep
        converse(
            child,
            [
                ("gov-owner> ", "3"),
                ("Evidence title (Enter when done): ", "Board minutes"),
                ("Link (https://...) or path relative to", "https://example.org/board"),
                ("Date of the document (YYYY-MM-DD; Enter if undated): ", ""),  # undated: does not count
                ("Evidence title (Enter when done): ", ""),
                ("no item is dated within 365 days", ""),
                ("gov-uses-ai> ", "b"),
                ("gov-owner> ", "3"),  # the same claim again: the evidence is offered to keep
                ("Keep the 1 item(s) above? [Y/n] ", "?"),
                ("n drops it", "y"),
                ("Date of 'Board minutes' (YYYY-MM-DD; Enter if undated): ", "2026-06-01"),
                ("Evidence title (Enter when done): ", ""),
                ("gov-uses-ai> ", "y"),
                ("gov-safety-case> ", "dev"),
                ("data-dpia> ", "approved"),
                ("data-controls> ", "1 3"),
                ("data-external> ", "na"),
                ("Why does it not apply here? ", "?"),
                ("Why this question does not apply here", "b"),
                ("back to data-external; nothing was recorded", "na"),
                ("Why does it not apply here? ", "No external AI suppliers"),
                ("Who approved that (name, role)? ", "b"),  # back to the reason, which keeps nothing typed
                ("Why does it not apply here? ", "No external AI suppliers"),
                ("Who approved that (name, role)? ", "Jo Bloggs (DPO)"),
                ("eff-uptime> ", "q"),
            ],
        )
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0
    finally:
        (tmp_path / "transcript.txt").write_text(log.getvalue(), encoding="utf-8")
    assert evidence_of(output, "gov-owner") == [
        {"title": "Board minutes", "url": "https://example.org/board", "date": "2026-06-01"}
    ]
    parsed = load_submission(output, RubricLibrary([], use_env=False))
    external = parsed.answers["data-external"]
    assert (external.na, external.reason, external.approved_by) == (True, "No external AI suppliers", "Jo Bloggs (DPO)")
