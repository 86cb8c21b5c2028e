"""Scripted `aiassure assess` sessions through click's CliRunner, one reply a line on standard input."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from assess_helpers import BY_HAND, INTAKE, RUBRIC
from click.testing import Result

from aiassure.assessments.score_files import ScoreOptions, score_file
from aiassure.assessments.validate import load_submission
from aiassure.commands.assess.terminal import Store
from aiassure.errors import AiassureError
from aiassure.rubrics.loader import RubricLibrary

LIBRARY = RubricLibrary([], use_env=False)
Run = Callable[..., Result]

# Every question of the tiny rubric, answered as in answers-by-hand.yaml.
FULL = [
    *INTAKE,
    "3",  # gov-owner: level 3 needs dated evidence
    "Board minutes",
    "https://example.org/board/2026-06",
    "2026-06-01",
    "",
    "y",  # gov-uses-ai: yes makes gov-safety-case applicable
    "Developing",  # gov-safety-case, by label
    "3",  # data-dpia: option 3, approved
    "1 3",  # data-controls: access and pseudo
    "na",  # data-external
    "No external AI suppliers",
    "Jo Bloggs (DPO)",
    "99.5%",  # eff-uptime
    "1,2",  # eff-monitoring: log and review
    "Board paper due in March",  # eff-notes
]


def answers(path: Path) -> dict:
    """The answers of a file that must validate, as {id: value or 'na'}."""
    parsed = load_submission(path, LIBRARY)
    return {ident: ("na" if a.na else a.value) for ident, a in parsed.answers.items() if a.given}


def prefilled(path: Path, blank: str, **changes: str) -> Path:
    """answers-by-hand.yaml, with `blank` unanswered and other answers replaced, at `path`."""
    text = BY_HAND.read_text(encoding="utf-8")  # its rubric: the copy beside `path` (see answers_path)
    for ident, value in {blank: "", **changes}.items():
        text = re.sub(rf"^  {ident}:.*(\n    .*)*$", f"  {ident}: {value}".rstrip(), text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_full_session_writes_a_valid_file_that_scores_like_the_same_answers_by_hand(
    run_assess: Run, answers_path: Path
) -> None:
    result = run_assess(FULL)
    assert result.exit_code == 0, result.output
    assert "now asked as well: gov-safety-case" in result.output
    assert "Every question that applies is answered" in result.output
    assert "Outcome: Ready" in result.output
    assert f"aiassure report {answers_path} -o DIR" in result.output
    assert "\x1b[" not in result.output  # no colour or control codes on a pipe
    text = answers_path.read_text(encoding="utf-8")
    assert text.startswith("# Answers to Tiny readiness rubric")  # the `init` format, comments included
    assert "  # gov-owner: Is there a named board-level owner for AI?" in text
    options = ScoreOptions(rubric_dirs=(), strict=True, max_bytes=1 << 20)
    scripted, by_hand = score_file(answers_path, options), score_file(BY_HAND, options)
    assert scripted.result is not None and by_hand.result is not None, scripted.diagnostics
    assert scripted.result.model_dump(exclude={"submission"}) == by_hand.result.model_dump(exclude={"submission"})


@pytest.mark.parametrize(
    ("ident", "replies", "expected", "complaints"),
    [
        ("gov-safety-case", ["7", "def"], 3, ["levels go from 0 to 3"]),
        ("gov-safety-case", ["1"], 1, []),
        ("gov-uses-ai", ["maybe", "N"], "no", ["type y or n"]),
        ("data-dpia", ["4", "draft dpia"], "draft", ["not a number 1-3"]),
        ("data-dpia", ["none"], "none", []),
        ("data-controls", ["1-2 cloud", "1-2 pseudo"], ["access", "audit", "pseudo"], ["'cloud' is not"]),
        ("data-controls", ["none"], [], []),
        ("eff-uptime", ["101", "99 ms", "99.95 %"], 99.95, ["from 0 to 100 %", "measured in %"]),
        ("eff-uptime", ["97"], 97, []),
        ("eff-monitoring", ["drift log"], ["log", "drift"], []),
        ("eff-notes", ["", "Ask the CCIO"], "Ask the CCIO", ["type an answer"]),
    ],
)
def test_each_answer_type(
    run_assess: Run,
    answers_path: Path,
    ident: str,
    replies: list[str],
    expected: object,
    complaints: list[str],
) -> None:
    prefilled(answers_path, ident)
    result = run_assess(replies)
    assert result.exit_code == 0, result.output
    assert f"next: {ident}" in result.output
    for complaint in complaints:
        assert complaint in result.output
    assert answers(answers_path)[ident] == expected


def test_help_shows_how_to_answer_and_why_the_question_is_asked(run_assess: Run, answers_path: Path) -> None:
    prefilled(answers_path, "data-controls")
    result = run_assess(["?", "1"])
    assert result.exit_code == 0, result.output
    assert "ranges like 1-3" in result.output
    assert "Asked because: data-dpia is one of draft, approved" in result.output
    assert "References: DSPT 4.1" in result.output


def test_back_changes_an_earlier_answer_and_applicability_follows(run_assess: Run, answers_path: Path) -> None:
    replies = [*INTAKE, "b", "1", "y", "b", "n", "1", "q"]
    result = run_assess(replies)
    assert result.exit_code == 0, result.output
    assert "this is the first question" in result.output
    assert "now asked as well: gov-safety-case" in result.output
    assert "current answer: Yes (level 2) (Enter keeps it)" in result.output
    assert "no longer applies: gov-safety-case" in result.output
    assert "saved 3 answers" in result.stderr
    assert answers(answers_path) == {"gov-owner": 1, "gov-uses-ai": "no", "data-dpia": "none"}


def test_applicability_adds_and_removes_questions_mid_way(run_assess: Run, answers_path: Path) -> None:
    replies = [*INTAKE, "0", "n", "2", "access", "b", "b", "1", "2"]
    result = run_assess([*replies, "q"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "gov-safety-case>" not in out  # gov-uses-ai is no: never asked
    assert out.index("now asked as well: data-controls") < out.index("data-controls> access")
    assert "no longer applies: data-controls" in out
    # data-dpia is now `none`: the answer to data-controls is kept but no longer asked for
    assert answers(answers_path) == {
        "gov-owner": 0,
        "gov-uses-ai": "no",
        "data-dpia": "none",
        "data-controls": ["access"],
        "data-external": 2,
    }


def test_skipped_questions_come_back_at_the_end_and_on_the_next_run(run_assess: Run, answers_path: Path) -> None:
    first_pass = [*INTAKE, "s", "n", "1", "s", "50", "none", "nothing"]
    result = run_assess([*first_pass, "s", "na", "Not shared", ""])
    assert result.exit_code == 0, result.output
    assert "Back to the question(s) you skipped: gov-owner, data-external" in result.output
    assert "1 question(s) still unanswered: gov-owner" in result.output
    got = answers(answers_path)
    assert "gov-owner" not in got and got["data-external"] == "na"
    text = answers_path.read_text(encoding="utf-8")
    assert "\n  gov-owner:\n" in text  # left empty: unanswered
    assert "approved_by" not in text.split("data-external:")[-1].split("\n")[0]
    again = run_assess(["1"])
    assert again.exit_code == 0, again.output
    assert "Resuming" in again.output and "next: gov-owner" in again.output
    assert answers(answers_path)["gov-owner"] == 1


def test_na_asks_for_the_reason_and_the_approver(run_assess: Run, answers_path: Path) -> None:
    prefilled(answers_path, "data-external")
    result = run_assess(["na", "", "Data never leaves the trust", "Jo Bloggs, DPO"])
    assert result.exit_code == 0, result.output
    assert "an na needs a reason" in result.output  # its code span shown without backticks
    parsed = load_submission(answers_path, LIBRARY)
    answer = parsed.answers["data-external"]
    assert (answer.na, answer.reason, answer.approved_by) == (True, "Data never leaves the trust", "Jo Bloggs, DPO")
    assert not parsed.warnings


def test_na_is_refused_where_the_rubric_does_not_allow_it(run_assess: Run, answers_path: Path) -> None:
    prefilled(answers_path, "gov-safety-case")
    result = run_assess(["na", "2"])
    assert "gov-safety-case does not allow na" in result.output
    assert answers(answers_path)["gov-safety-case"] == 2


def test_evidence_is_asked_for_the_level_claimed(run_assess: Run, answers_path: Path) -> None:
    prefilled(answers_path, "gov-owner")
    (answers_path.parent / "evidence").mkdir()
    (answers_path.parent / "evidence" / "policy.pdf").write_bytes(b"%PDF-1.4\n")
    replies = [
        "3",
        "Old minutes",
        "ftp://example.org/minutes",  # refused: not http(s)
        "https://example.org/minutes/2023",
        "2023-01-10",  # more than 365 days before assessed_on
        "AI policy",
        "evidence/policy.pdf",
        "20 June",  # not a date
        "2026-06-20",
        "",
    ]
    result = run_assess(replies)
    assert result.exit_code == 0, result.output
    assert "This level needs evidence (from level 2 up, dated within 365 days before 2026-11-20)" in result.output
    assert "only http:// and https:// links" in result.output
    assert "not a date" in result.output
    answer = load_submission(answers_path, LIBRARY).answers["gov-owner"]
    assert answer.value == 3
    assert [(e.title, e.url, e.path, str(e.date)) for e in answer.evidence] == [
        ("Old minutes", "https://example.org/minutes/2023", None, "2023-01-10"),
        ("AI policy", None, "evidence/policy.pdf", "2026-06-20"),
    ]


def test_stale_evidence_is_called_out(run_assess: Run, answers_path: Path) -> None:
    prefilled(answers_path, "gov-owner")
    result = run_assess(["2", "Old minutes", "https://example.org/m", "2020-01-01", ""])
    assert "no item is dated within 365 days before 2026-11-20: the answer will be credited at level 1" in result.output
    outcome = score_file(answers_path, ScoreOptions((), False, 1 << 20))
    status = {c.id: c.status for c in outcome.result.criteria}
    assert status["gov-owner"] == "unevidenced"


def test_no_evidence_is_asked_below_the_level_that_needs_it(run_assess: Run, answers_path: Path) -> None:
    prefilled(answers_path, "gov-owner")
    result = run_assess(["1"])
    assert result.exit_code == 0, result.output
    assert "needs evidence" not in result.output


def test_quit_then_resume_where_it_stopped(run_assess: Run, answers_path: Path) -> None:
    result = run_assess([*INTAKE, "1", "y", "q"])
    assert result.exit_code == 0
    assert f"saved 2 answers to {answers_path}; run the same command to resume" in result.stderr
    again = run_assess(FULL[len(INTAKE) + 6 :])  # from gov-safety-case on
    assert again.exit_code == 0, again.output
    assert "Resuming" in again.output and "2 of 8 applicable questions answered; next: gov-safety-case" in again.output
    assert "Organisation name" not in again.output  # the subject is complete: not asked again
    assert answers(answers_path)["eff-notes"] == "Board paper due in March"


def test_end_of_input_saves_and_says_how_to_resume(run_assess: Run, answers_path: Path) -> None:
    result = run_assess([*INTAKE, "2", "Minutes", "https://example.org/m", "2026-06-01", "", "y"])
    assert result.exit_code == 1
    assert "standard input ended before the questionnaire was finished" in result.stderr
    assert "saved 2 answers" in result.stderr and "run the same command to resume" in result.stderr
    assert answers(answers_path) == {"gov-owner": 2, "gov-uses-ai": "yes"}


def test_end_of_input_during_the_subject_saves_nothing(run_assess: Run, answers_path: Path) -> None:
    result = run_assess(INTAKE[:3])
    assert result.exit_code == 1
    assert "nothing was saved yet" in result.stderr
    assert not answers_path.exists()


def test_interrupt_exits_130_with_every_answer_saved(
    run_assess: Run, answers_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiassure.commands import assess

    replies = iter([*INTAKE, "1", "n"])

    def ask(self: object, prompt: str) -> str:
        line = next(replies, None)
        if line is None:
            raise KeyboardInterrupt
        return line

    monkeypatch.setattr(assess.Terminal, "ask", ask)
    result = run_assess([])
    assert result.exit_code == 130
    assert f"saved 2 answers to {answers_path}; run the same command to resume" in result.stderr
    assert answers(answers_path) == {"gov-owner": 1, "gov-uses-ai": "no"}


def test_review_walks_the_subject_and_the_answers(run_assess: Run, answers_path: Path) -> None:
    prefilled(answers_path, "eff-notes")
    keep_subject = ["", "", "", "", "", "", ""]  # six fields and no new assessor
    result = run_assess([*keep_subject, "", "", "1", "q"], "--review")
    assert result.exit_code == 0, result.output
    assert "Organisation name [Northshire Hospitals NHS Foundation Trust]" in result.output
    assert "Assessors so far: Ada Lovelace (CIO)" in result.output
    assert "current answer: 3 Defined (evidence: 1 item) (Enter keeps it)" in result.output
    got = answers(answers_path)
    assert got["gov-owner"] == 3 and got["gov-uses-ai"] == "yes" and got["gov-safety-case"] == 1
    assert len(load_submission(answers_path, LIBRARY).answers["gov-owner"].evidence) == 1


def test_a_file_for_another_rubric_is_refused(run_assess: Run, answers_path: Path, tmp_path: Path) -> None:
    prefilled(answers_path, "eff-notes")
    other = tmp_path / "other-rubric.yaml"
    other.write_text(RUBRIC.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 1.1.0"), encoding="utf-8")
    before = answers_path.read_bytes()
    result = run_assess(["x"], rubric=other)
    assert result.exit_code == 2
    assert "answers rubric" in result.output and "not the rubric given (tiny-assess@1.1.0)" in result.output
    assert answers_path.read_bytes() == before


def test_a_file_with_errors_is_not_touched(run_assess: Run, answers_path: Path) -> None:
    prefilled(answers_path, "eff-notes", **{"gov-uses-ai": "perhaps"})
    before = answers_path.read_bytes()
    result = run_assess(["x"])
    assert result.exit_code == 1
    assert "invalid-answer" in result.output and "cannot-resume" in result.output
    assert answers_path.read_bytes() == before


def test_the_rubric_file_is_never_the_output(run_assess: Run) -> None:
    result = run_assess([], rubric=RUBRIC, output=RUBRIC)
    assert result.exit_code == 2
    assert "refusing to overwrite the input file" in result.output


@pytest.mark.parametrize("command", ["assess", "init"])
def test_a_rubric_file_outside_the_answers_folder_is_refused(tmp_path: Path, command: str) -> None:
    """A submission may name only files in its own folder (issue 11): a rubric elsewhere is a
    usage error saying what to do, before anything is written."""
    from click.testing import CliRunner

    from aiassure.cli import main

    output = tmp_path / "answers" / "answers.yaml"
    output.parent.mkdir()
    result = CliRunner().invoke(main, [command, str(RUBRIC), "-o", str(output)], input="q\n")
    assert result.exit_code == 2, result.output
    assert "a file may name only files in its own folder" in result.output
    assert list(output.parent.iterdir()) == []


def test_an_answers_file_from_init_is_resumed(run_assess: Run, answers_path: Path) -> None:
    from click.testing import CliRunner

    from aiassure.cli import main

    made = CliRunner().invoke(main, ["init", str(answers_path.parent / RUBRIC.name), "-o", str(answers_path)])
    assert made.exit_code == 0, made.output
    result = run_assess([*INTAKE, "1", "q"])
    assert result.exit_code == 0, result.output
    assert answers_path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=./answers.schema.json")
    assert answers(answers_path) == {"gov-owner": 1}


def test_a_file_changed_by_someone_else_is_not_overwritten(answers_path: Path) -> None:
    from datetime import date

    from aiassure.assessments.draft import Draft

    draft = Draft.new(LIBRARY.resolve(str(RUBRIC)), str(RUBRIC), "2026-Q4", date(2026, 11, 20))
    store = Store(answers_path)
    store.save(draft, "the subject")
    answers_path.write_text(answers_path.read_text(encoding="utf-8") + "# edited elsewhere\n", encoding="utf-8")
    with pytest.raises(AiassureError, match="changed by another program"):
        store.save(draft, "the answer to gov-owner")
    assert answers_path.read_text(encoding="utf-8").endswith("# edited elsewhere\n")
