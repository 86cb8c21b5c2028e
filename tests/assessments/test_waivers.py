"""Waiver records: the file, the rules a waiver meets, and which waivers apply to a submission."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from test_properties import SETTINGS, _submission, answer_sets, rubrics

from aiassure.assessments.inputs import read_result
from aiassure.assessments.result import Result, to_result
from aiassure.assessments.score_files import ScoreOptions, score_parsed
from aiassure.assessments.scoring import Waived
from aiassure.assessments.validate import load_submission
from aiassure.assessments.waivers import (
    Waiver,
    WaiverFile,
    add_months,
    check_waivers,
    decide,
    load_waivers,
    waiver_problems,
)
from aiassure.clock import Calendar
from aiassure.errors import InputError
from aiassure.rubrics.loader import LoadedRubric, RubricLibrary
from aiassure.source import load_bytes

Write = Callable[..., Path]

# Two waivers for fixtures/tiny-rubric.yaml (id tiny, 1.0.0): gov-01's gate and gov-03, for RXX.
WAIVERS = """\
waivers:
  - id: gov-01-gate
    scope: {subject: RXX, rubric: tiny, rubric_major: 1, gate: gov-01, rounds: [2026-Q4]}
    justification: The AI owner post is being recruited; the deputy CCIO covers it.
    compensating_controls: [Monthly review by the deputy CCIO]
    evidence: [{title: Recruitment plan, url: "https://example.org/plan"}]
    requester: A. Lead
    approver: B. Chair
    approved_on: 2026-10-01
    expires_on: 2027-04-01
    status: approved
  - id: gov-03-na
    scope: {subject: RXX, rubric: tiny, rubric_major: 1, criterion: gov-03, rounds: all}
    justification: Incident reporting moves to the new national system in 2027.
    requester: A. Lead
    approver: C. Director
    approved_on: 2026-01-10
    expires_on: 2026-12-01
    status: approved
"""


def _waivers(text: str) -> tuple[Waiver, ...]:
    found, diagnostics = check_waivers(load_bytes(text.encode(), "waivers.yaml"))
    assert found is not None, [d.format() for d in diagnostics]
    return found.waivers


def _codes(text: str) -> list[tuple[str, int | None]]:
    found, diagnostics = check_waivers(load_bytes(text.encode(), "waivers.yaml"))
    assert found is None
    return [(d.code, d.location.line) for d in diagnostics if d.is_error]


@pytest.fixture
def tiny(tiny_rubric: Path, library: RubricLibrary) -> LoadedRubric:
    return library.resolve(str(tiny_rubric))


def test_a_valid_file_reads_every_waiver_in_order() -> None:
    gate, criterion = _waivers(WAIVERS)
    assert (gate.id, gate.scope.kind, gate.scope.target) == ("gov-01-gate", "gate", "gov-01")
    assert (criterion.scope.kind, criterion.scope.target, criterion.scope.rounds) == ("criterion", "gov-03", "all")
    assert gate.fingerprint != criterion.fingerprint and len(gate.fingerprint) == 64


def test_the_fingerprint_changes_with_any_field() -> None:
    waiver = _waivers(WAIVERS)[0]
    later = waiver.model_copy(update={"expires_on": dt.date(2027, 3, 31)})
    assert waiver.fingerprint == _waivers(WAIVERS)[0].fingerprint
    assert later.fingerprint != waiver.fingerprint


def test_a_requester_approving_their_own_waiver_is_refused() -> None:
    text = WAIVERS.replace("approver: B. Chair", "approver: a. lead")
    assert _codes(text) == [("waiver-self-approved", 8)]


def test_an_expiry_beyond_the_maximum_is_refused() -> None:
    text = WAIVERS.replace("expires_on: 2027-04-01", "expires_on: 2027-10-02")
    found, diagnostics = check_waivers(load_bytes(text.encode(), "waivers.yaml"))
    assert found is None
    (problem,) = diagnostics
    assert (problem.code, problem.location.line, problem.path) == ("waiver-expiry", 10, "waivers[0].expires_on")
    assert "at most 2027-10-01" in problem.message


def test_a_rubric_may_allow_longer_waivers(tiny_rubric: Path, library: RubricLibrary) -> None:
    text = WAIVERS.replace("expires_on: 2027-04-01", "expires_on: 2027-10-02")
    doc = load_bytes(text.encode(), "waivers.yaml")
    assert [d.code for d in check_waivers(doc, library)[1]] == ["waiver-expiry"]  # tiny sets no maximum: 12
    before = library.resolve("tiny@1.0.0").fingerprint
    tiny_rubric.write_text(tiny_rubric.read_text() + "waivers: {max_months: 18}\n")
    longer = RubricLibrary([tiny_rubric.parent])
    assert longer.resolve("tiny@1.0.0").fingerprint != before
    allowed = check_waivers(doc, longer)[0]
    assert allowed is not None
    assert waiver_problems(allowed.waivers[0], max_months=18) == []


def test_an_expiry_on_or_before_approval_is_refused() -> None:
    text = WAIVERS.replace("expires_on: 2027-04-01", "expires_on: 2026-10-01")
    assert _codes(text) == [("waiver-expiry", 10)]


def test_a_decided_waiver_names_its_approver_and_day() -> None:
    text = WAIVERS.replace("    approver: B. Chair\n", "")
    assert _codes(text) == [("waiver-undecided", 2)]
    requested = text.replace("status: approved", "status: requested", 1).replace("approved_on: 2026-10-01", "")
    assert _waivers(requested)[0].status == "requested"


def test_a_scope_names_exactly_one_of_criterion_or_gate() -> None:
    text = WAIVERS.replace("gate: gov-01,", "gate: gov-01, criterion: gov-01,")
    assert _codes(text) == [("invalid-value", 3)]


def test_unknown_keys_duplicate_ids_and_bad_evidence_are_located() -> None:
    text = WAIVERS.replace("id: gov-03-na", "id: gov-01-gate").replace(
        "requester: A. Lead\n    approver: B", "requestor: A. Lead\n    approver: B"
    )
    assert ("unknown-key", 7) in _codes(text)
    text = WAIVERS.replace("id: gov-03-na", "id: gov-01-gate")
    assert _codes(text) == [("duplicate-id", 12)]
    text = WAIVERS.replace('url: "https://example.org/plan"', "url: ftp://example.org/plan")
    assert _codes(text) == [("evidence-url", 6)]
    text = (
        WAIVERS.replace("justification: The AI", "justification: The \\u202e AI")
        .replace("justification: The", 'justification: "The', 1)
        .replace("covers it.", 'covers it."', 1)
    )
    assert _codes(text) == [("control-character", 4)]


def test_load_waivers_raises_with_every_problem(write: Write) -> None:
    path = write("waivers.yaml", WAIVERS.replace("approver: B. Chair", "approver: A. Lead"))
    with pytest.raises(InputError) as raised:
        load_waivers(path)
    assert [d.code for d in raised.value.diagnostics] == ["waiver-self-approved"]
    assert load_waivers(write("ok.yaml", WAIVERS)).file.endswith("ok.yaml")


def test_add_months_keeps_the_day_or_takes_the_last_of_the_month() -> None:
    assert add_months(dt.date(2026, 10, 1), 12) == dt.date(2027, 10, 1)
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)


def test_decide_applies_an_approved_waiver_in_force(tiny: LoadedRubric) -> None:
    gate, criterion = _waivers(WAIVERS)
    decision = decide([gate, criterion], subject="RXX", rubric=tiny, round_="2026-Q4", today=dt.date(2026, 11, 30))
    assert decision.applied == (gate, criterion)
    record = decision.record(TODAY)
    assert record is not None and record.waived == Waived(frozenset({"gov-03"}), frozenset({"gov-01"}))


def test_expires_on_d_means_it_no_longer_applies_on_d(tiny: LoadedRubric) -> None:
    criterion = _waivers(WAIVERS)[1]
    on_the_day = decide([criterion], subject="RXX", rubric=tiny, round_="2026-Q4", today=dt.date(2026, 12, 1))
    assert on_the_day.applied == () and [n.reason for n in on_the_day.not_applied] == ["expired"]
    marked = criterion.model_copy(update={"status": "expired"})
    day_before = decide([marked], subject="RXX", rubric=tiny, round_="2026-Q4", today=dt.date(2026, 11, 30))
    assert [n.reason for n in day_before.not_applied] == ["expired"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"subject": "RYY"}, "other-subject"),
        ({"rubric": "other"}, "other-rubric"),
        ({"rubric_major": 2}, "other-rubric"),
        ({"rounds": ["2026-Q3"]}, "other-round"),
        ({"gate": "gov-02"}, "unknown-gate"),
        ({"gate": "nope"}, "unknown-gate"),
    ],
)
def test_decide_says_why_a_waiver_is_not_applied(tiny: LoadedRubric, change: dict[str, object], reason: str) -> None:
    gate = _waivers(WAIVERS)[0]
    waiver = gate.model_copy(update={"scope": gate.scope.model_copy(update=change)})
    decision = decide([waiver], subject="RXX", rubric=tiny, round_="2026-Q4", today=dt.date(2026, 11, 30))
    assert [(n.waiver, n.reason) for n in decision.not_applied] == [(waiver, reason)]


@pytest.mark.parametrize(
    ("status", "reason"), [("requested", "not-approved"), ("rejected", "not-approved"), ("revoked", "not-approved")]
)
def test_only_an_approved_waiver_applies(tiny: LoadedRubric, status: str, reason: str) -> None:
    waiver = _waivers(WAIVERS)[0].model_copy(update={"status": status})
    decision = decide([waiver], subject="RXX", rubric=tiny, round_="2026-Q4", today=dt.date(2026, 11, 30))
    assert [n.reason for n in decision.not_applied] == [reason]


def test_a_waiver_approved_after_today_is_not_yet_in_force(tiny: LoadedRubric) -> None:
    waiver = _waivers(WAIVERS)[0]
    decision = decide([waiver], subject="RXX", rubric=tiny, round_="2026-Q4", today=dt.date(2026, 9, 30))
    assert [n.reason for n in decision.not_applied] == ["not-yet-approved"]


def test_waiver_problems_is_the_rule_the_file_applies() -> None:
    waiver = _waivers(WAIVERS)[0]
    assert waiver_problems(waiver) == []
    assert [p.code for p in waiver_problems(waiver, max_months=3)] == ["waiver-expiry"]


# Scoring with waivers: the tiny rubric's submission with gov-01 at 0 (its gate fails: pillar safe capped at 1).
TODAY = dt.date(2026, 11, 30)
Scored = Callable[..., Result]


@pytest.fixture
def scored(tiny_rubric: Path, write: Write, valid_submission: str) -> Scored:
    """`scored(waivers, today=TODAY, **answers)`: the valid submission with gov-01 at 0 (and
    `answers` as given, id=YAML) scored on `today` with the waivers of the YAML text `waivers`."""
    return partial(_scored, write, valid_submission)


def _scored(write: Write, valid: str, waivers: str | None, today: dt.date = TODAY, **answers: str) -> Result:
    given = {"gov-01": "0", **{key.replace("_", "-"): value for key, value in answers.items()}}
    lines = [
        f"  {line.split(':')[0].strip()}: {given[line.split(':')[0].strip()]}"
        if line.startswith("  ") and line.split(":")[0].strip() in given
        else line
        for line in valid.splitlines()
    ]
    path = write("submission.yaml", "\n".join(lines) + "\n")
    chosen = _waivers(waivers) if waivers is not None else ()
    options = ScoreOptions(calendar=Calendar(today), waivers=chosen)
    parsed = load_submission(path, RubricLibrary([path.parent], use_env=False), calendar=options.calendar)
    return score_parsed(parsed, options)[0]


def _only(waiver_id: str) -> str:
    """WAIVERS with only the waiver `waiver_id`."""
    head, first, second = WAIVERS.split("  - id: ")
    kept = first if first.startswith(waiver_id) else second
    return head + "  - id: " + kept


def test_a_waived_gate_does_not_cap(scored: Scored) -> None:
    plain = scored(None)
    assert [g.criterion for g in plain.failed_gates] == ["gov-01"] and plain.pillars[0].capped_to == 1
    waived = scored(_only("gov-01-gate"))
    assert waived.failed_gates == [] and waived.pillars[0].capped_to is None
    assert waived.pillars[0].score == 1.67  # gov-01 still counts, at its level 0
    assert waived.criteria[0].status == "credited"
    assert waived.waivers is not None and [w.id for w in waived.waivers.applied] == ["gov-01-gate"]
    assert waived.waivers.applied[0].fingerprint == _waivers(WAIVERS)[0].fingerprint
    assert waived.unwaived is not None
    assert waived.unwaived.pillars == plain.pillars and waived.unwaived.failed_gates == plain.failed_gates
    assert waived.unwaived.overall == plain.overall and waived.unwaived.outcome == plain.outcome


def test_a_waived_criterion_is_left_out_like_na(scored: Scored) -> None:
    waived = scored(_only("gov-03-na"))
    row = next(c for c in waived.criteria if c.id == "gov-03")
    assert (row.status, row.claimed, row.credited) == ("waived", 2, 2)  # the levels it had, not counted
    as_na = scored(None, gov_03="{value: na, reason: Moving system}")
    assert waived.domains[0].score == as_na.domains[0].score
    assert waived.pillars == as_na.pillars and waived.completeness == as_na.completeness
    assert "gov-03" not in [a.criterion for a in waived.actions]


def test_an_expired_waiver_is_not_applied_and_listed(scored: Scored) -> None:
    plain = scored(None)
    expired = scored(_only("gov-03-na"), today=dt.date(2026, 12, 1))
    assert expired.waivers is not None and expired.waivers.applied == []
    assert [(w.id, w.reason) for w in expired.waivers.not_applied] == [("gov-03-na", "expired")]
    assert expired.criteria == plain.criteria and expired.overall == plain.overall
    assert expired.unwaived is not None and expired.unwaived.overall == plain.overall


def test_a_waiver_for_another_round_is_not_applied(scored: Scored) -> None:
    text = _only("gov-01-gate").replace("rounds: [2026-Q4]", "rounds: [2026-Q3, 2027-Q1]")
    other = scored(text)
    assert other.waivers is not None and [w.reason for w in other.waivers.not_applied] == ["other-round"]
    assert [g.criterion for g in other.failed_gates] == ["gov-01"]


def test_waivers_of_other_subjects_leave_the_result_as_without_waivers(scored: Scored) -> None:
    plain = scored(None).to_json()
    elsewhere = scored(WAIVERS.replace("subject: RXX", "subject: RYY"))
    assert elsewhere.to_json() == plain
    assert '"waivers"' not in plain and '"unwaived"' not in plain


def test_results_with_waivers_are_byte_stable_and_read_back(scored: Scored, write: Write, tiny_rubric: Path) -> None:
    first, second = scored(WAIVERS).to_json(), scored(WAIVERS).to_json()
    assert first == second
    path = write("result.json", first)
    checked = read_result(path, ScoreOptions(rubric_dirs=(tiny_rubric.parent,)))
    assert checked.result.to_json() == first
    # A result whose applied waiver is taken out no longer follows from its answers.
    data = json.loads(first)
    data["waivers"]["applied"] = []
    with pytest.raises(InputError) as raised:
        read_result(write("edited.json", json.dumps(data)), ScoreOptions(rubric_dirs=(tiny_rubric.parent,)))
    assert {d.code for d in raised.value.diagnostics} == {"score-mismatch"}


@st.composite
def waiver_sets(draw: st.DrawFn, rubric: dict[str, Any]) -> list[dict[str, Any]]:
    """Waivers of some of the rubric's criteria and gates, approved or not, in force or not on TODAY."""
    ids = [c["id"] for d in rubric["domains"] for c in d["criteria"]]
    found = []
    for number in range(draw(st.integers(0, 4))):
        approved_on = TODAY - dt.timedelta(days=draw(st.integers(-10, 300)))
        found.append(
            {
                "id": f"w{number}",
                "scope": {
                    "subject": draw(st.sampled_from(("RXX", "RXX", "RYY"))),
                    "rubric": "random",
                    "rubric_major": draw(st.sampled_from((1, 1, 2))),
                    draw(st.sampled_from(("criterion", "gate"))): draw(st.sampled_from([*ids, "nope"])),
                    "rounds": draw(st.sampled_from(("all", ["2026-Q4"], ["2026-Q3"]))),
                },
                "justification": "Time to fix it.",
                "requester": "A. Lead",
                "approver": "B. Chair",
                "approved_on": approved_on.isoformat(),
                "expires_on": (approved_on + dt.timedelta(days=draw(st.integers(1, 365)))).isoformat(),
                "status": draw(st.sampled_from(("approved", "approved", "requested", "revoked", "expired"))),
            }
        )
    return found


@SETTINGS
@given(st.data())
def test_removing_every_waiver_gives_exactly_the_result_without_waivers(data: st.DataObject) -> None:
    """The unwaived scores are the no-waiver result's; with no waiver of the subject, or none at all,
    the result is the no-waiver result to the byte; waivers never applied change no score."""
    rubric = data.draw(rubrics())
    gates = [c for d in rubric["domains"] for c in d["criteria"] if data.draw(st.booleans())]
    for spec in gates:
        spec["gate"] = {"min_level": 1, "cap": 0, "scope": data.draw(st.sampled_from(("pillar", "domain", "overall")))}
    answers = data.draw(answer_sets(rubric, na=True))
    waivers = tuple(WaiverFile.model_validate({"waivers": data.draw(waiver_sets(rubric))}).waivers)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "rubric.yaml").write_text(yaml.safe_dump(rubric, sort_keys=False), encoding="utf-8")
        path = root / "submission.yaml"
        path.write_text(yaml.safe_dump(_submission(answers), sort_keys=False), encoding="utf-8")
        parsed = load_submission(path, RubricLibrary([], use_env=False))
        calendar = Calendar(TODAY)
        plain = to_result(parsed)
        assert score_parsed(parsed, ScoreOptions(calendar=calendar))[0].to_json() == plain.to_json()
        waived = score_parsed(parsed, ScoreOptions(calendar=calendar, waivers=waivers))[0]
    if waived.waivers is None:
        assert waived.to_json() == plain.to_json()
        return
    assert waived.unwaived is not None
    unwaived = waived.unwaived.model_dump(mode="json")
    assert unwaived == {key: value for key, value in plain.model_dump(mode="json").items() if key in unwaived}
    stripped = waived.model_dump(mode="json", exclude={"waivers", "unwaived"})
    if not waived.waivers.applied:
        assert stripped == plain.model_dump(mode="json")
