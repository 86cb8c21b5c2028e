"""The questionnaire's pure logic: reading replies, evidence, navigation, and the file it renders."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from assess_helpers import RUBRIC

from aiassure.assessments.draft import Draft, raw_answer
from aiassure.assessments.model import Answer, EvidenceItem
from aiassure.assessments.prompts import evidence_note, intake_fields, needs_evidence, question_lines
from aiassure.assessments.questionnaire import Questionnaire
from aiassure.assessments.replies import ReplyError, evidence_item, read_field, read_reply
from aiassure.assessments.validate import load_submission
from aiassure.rubrics.loader import RubricLibrary

LIBRARY = RubricLibrary([], use_env=False)
TINY = LIBRARY.resolve(str(RUBRIC))
CRITERIA = TINY.criteria


def parse(ident: str, text: str):
    return CRITERIA[ident].parse_reply(text, TINY.labels)


@pytest.mark.parametrize(
    ("ident", "text", "expected"),
    [
        ("gov-owner", "2", 2),
        ("gov-owner", "defined", 3),
        ("gov-owner", "Dev", 2),  # an unambiguous prefix of a label
        ("gov-uses-ai", "Y", "yes"),
        ("gov-uses-ai", "no", "no"),
        ("data-dpia", "2", "draft"),
        ("data-dpia", "approved", "approved"),
        ("data-dpia", "No DPIA", "none"),  # a label, ignoring case
        ("data-controls", "3 1", ["access", "pseudo"]),  # rubric order, whatever the order typed
        ("data-controls", "1-2,pseudo", ["access", "audit", "pseudo"]),
        ("data-controls", "[audit, audit]", ["audit"]),
        ("data-controls", "none", []),
        ("eff-uptime", "99.5", 99.5),
        ("eff-uptime", "97", 97),
        ("eff-uptime", "99.9 %", 99.9),
        ("eff-uptime", "1e1%", 10.0),
        ("eff-monitoring", "review log", ["log", "review"]),
        ("eff-monitoring", "-", []),
        ("eff-notes", "Anything: with [brackets]", "Anything: with [brackets]"),
    ],
)
def test_replies_are_read_by_type(ident: str, text: str, expected: object) -> None:
    assert parse(ident, text) == expected


@pytest.mark.parametrize(
    ("ident", "text", "says"),
    [
        ("gov-owner", "4", "levels go from 0 to 3"),
        ("gov-owner", "maybe", "type a level 0-3"),
        ("gov-uses-ai", "perhaps", "type y or n"),
        ("data-dpia", "4", "not a number 1-3"),
        ("data-controls", "2-5", "not a range within 1-3"),
        ("data-controls", "access, cloud", "'cloud' is not"),
        ("eff-uptime", "101", "from 0 to 100 %"),
        ("eff-uptime", "-1", "from 0 to 100 %"),
        ("eff-uptime", "99 ms", "measured in %"),
        ("eff-uptime", "ninety", "type a number in %"),
        ("eff-uptime", "1e999", "finite"),
        ("eff-uptime", "1,5", "without commas"),
    ],
)
def test_bad_replies_say_what_to_type(ident: str, text: str, says: str) -> None:
    with pytest.raises(ReplyError, match=says.replace("(", r"\(")):
        parse(ident, text)


def test_commands_enter_and_na() -> None:
    level = CRITERIA["data-external"]
    assert read_reply(level, TINY, " ? ", has_answer=False).kind == "help"
    assert read_reply(level, TINY, "B", has_answer=False).kind == "back"
    assert read_reply(level, TINY, "s", has_answer=False).kind == "skip"
    assert read_reply(level, TINY, "q", has_answer=True).kind == "quit"
    assert read_reply(level, TINY, "", has_answer=True).kind == "keep"
    assert read_reply(level, TINY, "N/A", has_answer=False).kind == "na"
    with pytest.raises(ReplyError, match="type an answer"):
        read_reply(level, TINY, "  ", has_answer=False)
    with pytest.raises(ReplyError, match="does not allow na"):
        read_reply(CRITERIA["gov-owner"], TINY, "na", has_answer=False)
    # for a text question `na` is text
    assert read_reply(CRITERIA["eff-notes"], TINY, "na", has_answer=False).value == "na"


def test_evidence_is_asked_from_the_level_that_needs_it() -> None:
    owner = CRITERIA["gov-owner"]
    assert not needs_evidence(owner, 1, TINY)
    assert needs_evidence(owner, 2, TINY)
    assert not needs_evidence(CRITERIA["data-dpia"], "approved", TINY)


def test_evidence_items_and_whether_they_count() -> None:
    assert evidence_item("Minutes", "https://example.org/m").url == "https://example.org/m"
    assert evidence_item("Minutes", "docs/./minutes.pdf").path == "docs/minutes.pdf"
    for bad, says in [
        ("ftp://example.org/m", "only http"),
        ("https://", "not a complete web address"),
        ("/etc/passwd", "relative"),
        ("C:\\minutes.pdf", "relative"),
        ("../outside.pdf", "escapes the answers file's folder"),
        ("docs\\minutes.pdf", "not \\\\"),
        ("~/minutes.pdf", "relative"),
        ("", "give a link"),
    ]:
        with pytest.raises(ReplyError, match=says):
            evidence_item("Minutes", bad)
    owner = CRITERIA["gov-owner"]
    assessed = date(2026, 11, 20)
    fresh = EvidenceItem(title="Minutes", url="https://example.org/m", date=date(2026, 6, 1))
    stale = fresh.model_copy(update={"date": date(2024, 1, 1)})
    assert evidence_note(owner, Answer(3, evidence=(fresh,)), assessed) is None
    assert "credited at level 1" in evidence_note(owner, Answer(3, evidence=(stale,)), assessed)
    assert "without evidence" in evidence_note(owner, Answer(3), assessed)


def test_subject_fields() -> None:
    fields = {f.key: f for f in intake_fields("organisation")}
    assert read_field(fields["subject.code"], "rxx", "") == "RXX"
    assert read_field(fields["subject.org_type"], "2", "acute") == "mental-health"
    assert read_field(fields["subject.org_type"], "", "acute") == "acute"
    assert read_field(fields["subject.region"], "Wessex", "") == "Wessex"
    assert read_field(fields["subject.region"], "", "") is None
    assert read_field(fields["round"], "2026-q1", "2026-Q4") == "2026-Q1"
    assert read_field(fields["assessed_on"], "2026-02-03", None) == date(2026, 2, 3)
    for key, text in [("subject.name", ""), ("subject.code", "R X"), ("subject.org_type", "hospital"), ("round", "Q4")]:
        with pytest.raises(ReplyError):
            read_field(fields[key], text, "")
    technology = [f.key for f in intake_fields("technology")]
    assert "subject.supplier.name" in technology and "subject.device_class" in technology


def test_choices_are_numbered_in_the_question() -> None:
    lines = question_lines(CRITERIA["data-dpia"], TINY)
    assert "  1) none: No DPIA (level 0)" in lines
    assert "  3) approved: Approved by the DPO (level 3)" in lines


def new_draft() -> Draft:
    return Draft.new(TINY, "tiny-assess-rubric.yaml", "2026-Q4", date(2026, 11, 20))


def test_questions_follow_the_rubric_and_applicability() -> None:
    questions = Questionnaire(new_draft())
    assert questions.current() == "gov-owner"
    assert str(questions.progress("gov-owner")) == "Governance 1/2 · 0 of 7 applicable questions answered"
    questions.record("gov-owner", Answer(1))
    change = questions.record("gov-uses-ai", Answer("yes"))
    assert change.now_apply == ("gov-safety-case",)
    assert questions.current() == "gov-safety-case"
    assert str(questions.progress("gov-safety-case")) == "Governance 3/3 · 2 of 8 applicable questions answered"
    # back to the yes/no, and a change there takes the dependent question away again
    assert questions.back("gov-safety-case") == "gov-uses-ai"
    assert questions.current() == "gov-uses-ai"
    change = questions.record("gov-uses-ai", Answer("no"))
    assert change.no_longer_apply == ("gov-safety-case",)
    assert questions.current() == "data-dpia"


def test_back_walks_the_run_then_the_rubric() -> None:
    draft = new_draft()
    draft.answers.update({"gov-owner": Answer(1), "gov-uses-ai": Answer("no")})
    questions = Questionnaire(draft)
    assert questions.current() == "data-dpia"
    # nothing asked yet in this run: back goes to the applicable question before it in the rubric
    assert questions.back("data-dpia") == "gov-uses-ai"
    assert questions.back("gov-uses-ai") == "gov-owner"
    assert questions.back("gov-owner") is None


def test_a_skipped_question_is_offered_once_more_at_the_end() -> None:
    draft = new_draft()
    questions = Questionnaire(draft)
    questions.skip("gov-owner")
    for ident, value in [("gov-uses-ai", "no"), ("data-dpia", "none"), ("data-external", 1)]:
        assert questions.current() == ident
        questions.record(ident, Answer(value))
    questions.skip("eff-uptime")
    questions.record("eff-monitoring", Answer([]))
    questions.record("eff-notes", Answer("ok"))
    assert questions.current() == "gov-owner" and questions.second_offer("gov-owner")
    questions.skip("gov-owner")
    assert questions.current() == "eff-uptime"
    questions.skip("eff-uptime")
    assert questions.current() is None
    assert questions.unanswered() == ["gov-owner", "eff-uptime"]


def test_review_walks_the_answered_questions() -> None:
    draft = new_draft()
    draft.answers.update({"gov-owner": Answer(1), "gov-uses-ai": Answer("no")})
    questions = Questionnaire(draft, review=True)
    assert questions.current() == "gov-owner"
    questions.keep("gov-owner")
    assert questions.current() == "gov-uses-ai"
    questions.skip("gov-uses-ai")  # skipping an answered question keeps it
    assert draft.answers["gov-uses-ai"].value == "no"
    assert questions.current() == "data-dpia"


def test_raw_answers_use_the_short_form_when_they_can() -> None:
    item = EvidenceItem(title="Minutes", url="https://example.org/m", date=date(2026, 6, 1))
    assert raw_answer(CRITERIA["gov-owner"], Answer(2)) == 2
    assert raw_answer(CRITERIA["gov-owner"], Answer(2, evidence=(item,))) == {
        "level": 2,
        "evidence": [{"title": "Minutes", "url": "https://example.org/m", "date": date(2026, 6, 1)}],
    }
    assert raw_answer(CRITERIA["data-external"], Answer(None, na=True, reason="r", approved_by="a")) == {
        "value": "na",
        "reason": "r",
        "approved_by": "a",
    }
    assert raw_answer(CRITERIA["eff-notes"], Answer(None, notes="ask Jo")) == {"notes": "ask Jo"}


def test_a_rendered_draft_validates_and_keeps_everything(tmp_path: Path) -> None:
    draft = new_draft()
    shutil.copy(RUBRIC, tmp_path / RUBRIC.name)  # a submission names only files in its own folder
    draft.reference = RUBRIC.name
    draft.subject.update(name="Northshire", code="RXX", supplier=None)
    item = EvidenceItem(title="Minutes", path="evidence/minutes.pdf", date=date(2026, 6, 1))
    draft.answers.update(
        {
            "gov-owner": Answer(3, notes="see the annual report", owner="CEO", evidence=(item,)),
            "gov-uses-ai": Answer("yes"),
            "data-external": Answer(None, na=True, reason="none used", approved_by="DPO"),
            "eff-notes": Answer("line one: \"quoted\" and 'single'"),
        }
    )
    path = tmp_path / "draft.yaml"
    path.write_text(draft.render(), encoding="utf-8")
    parsed = load_submission(path, LIBRARY)
    assert {i: a for i, a in parsed.answers.items() if a.given or a.notes} == draft.answers
