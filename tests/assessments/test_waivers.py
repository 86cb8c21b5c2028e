"""Waiver records: the file, the rules a waiver meets, and which waivers apply to a submission."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from aiassure.assessments.waivers import (
    Waiver,
    add_months,
    check_waivers,
    decide,
    load_waivers,
    waiver_problems,
)
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
    assert decision.waived_gates == {"gov-01"} and decision.waived_criteria == {"gov-03"}


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
