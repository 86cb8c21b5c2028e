"""Ingest scored with the registry's approved waivers, and the portfolio's waiver counts, on a hand-checked
dataset; SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from registry_helpers import OPTIONS, Submit, levels

from aiassure.assessments.waivers import Waiver
from aiassure.clock import Calendar
from aiassure.registry.intake import read_input
from aiassure.registry.portfolio import Section, build_portfolio
from aiassure.registry.store import Registry
from aiassure.registry.waivers import approved_waivers, decide, record_request
from aiassure.reports.portfolio import portfolio_json, render_portfolio

TODAY = dt.date(2026, 12, 7)
AT = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
CALENDAR = dataclasses.replace(OPTIONS, calendar=Calendar(TODAY))

# The dataset, 2026-Q4 of tiny-org@1 (overall = the weakest pillar; g2 "no" fails the gate, capping at 1):
#   A  4,3,5, gate failed: capped to 1; gate waived (a-gate, in force, expires in 44 days) -> 3: depends
#   B  2,2,2, gate failed: capped to 1; gate waived (b-gate, in force, expires in 176 days) -> 2: depends
#   C  3,3,3; its waiver of d1 (c-expired) expired on 2026-12-01: not applied, nothing changes
#   D  3,3,3; its waiver (d-asked) is only requested: not applied
#   E  3,3,3; d1 waived (e-d1, in force, expires in 56 days): ethical not assessed, overall still 3: no change
#   A also has a waiver of 2026-Q2 only (a-q2): in force, but not counted in 2026-Q4
# In force and covering 2026-Q4: a-gate, b-gate, e-d1 = 3; expiring within 60 days: a-gate, e-d1 = 2;
# subjects whose outcome depends on a waiver: A, B = 2.
WAIVERS: list[tuple[str, str, dict[str, Any], str, str | None]] = [
    # id, subject, target, expires_on, approved_on (None: requested)
    ("a-gate", "A", {"gate": "g2"}, "2027-01-20", "2026-12-01"),
    ("b-gate", "B", {"gate": "g2"}, "2027-06-01", "2026-12-01"),
    ("c-expired", "C", {"criterion": "d1"}, "2026-12-01", "2026-06-01"),
    ("d-asked", "D", {"criterion": "d1"}, "2027-06-01", None),
    ("e-d1", "E", {"criterion": "d1"}, "2027-02-01", "2026-12-01"),
    ("a-q2", "A", {"gate": "g2", "rounds": ["2026-Q2"]}, "2027-06-01", "2026-12-01"),
]


def record(registry: Registry) -> None:
    with registry.transaction(write=True) as conn:
        for ident, subject, target, expires, approved in WAIVERS:
            scope = {"subject": subject, "rubric": "tiny-org", "rubric_major": 1, "rounds": ["2026-Q4"]} | target
            waiver = Waiver.model_validate(
                {
                    "id": ident,
                    "scope": scope,
                    "justification": "being fixed",
                    "requester": "Ann Asker",
                    "expires_on": expires,
                    "status": "requested",
                }
            )
            record_request(conn, waiver, by="Ann Asker", organisation=subject, at=AT)
            if approved is not None:
                on = dt.date.fromisoformat(approved)
                decide(conn, ident, "approved", by="Bo Boss", organisation=subject, at=AT, on=on)


def dataset(submit: Submit) -> list[Path]:
    return [
        submit("A", "2026-Q4", levels(4, 3, 5, statutory="no")),
        submit("B", "2026-Q4", levels(2, 2, 2, statutory="no")),
        submit("C", "2026-Q4", levels(3, 3, 3)),
        submit("D", "2026-Q4", levels(3, 3, 3)),
        submit("E", "2026-Q4", levels(3, 3, 3)),
    ]


@pytest.fixture
def waived(registry: Registry, submit: Submit) -> dict[str, Any]:
    """The dataset ingested after its waivers were recorded: each subject's stored result."""
    record(registry)
    waivers = approved_waivers(registry)
    for path in dataset(submit):
        registry.store(read_input(path, CALENDAR, waivers))
    results = {}
    for row in registry.listing():
        results[row.subject_code] = json.loads(registry.submission(row.id).result_json)
    return results


def test_ingest_stores_the_waived_result_and_keeps_the_unwaived_one(waived: dict[str, Any]) -> None:
    a = waived["A"]
    assert [w["id"] for w in a["waivers"]["applied"]] == ["a-gate"]
    assert [(w["id"], w["reason"]) for w in a["waivers"]["not_applied"]] == [("a-q2", "other-round")]
    assert (a["overall"]["level"], a["unwaived"]["overall"]["level"]) == (3, 1)
    assert a["unwaived"]["failed_gates"] and not a["failed_gates"]
    assert [(w["id"], w["reason"]) for w in waived["C"]["waivers"]["not_applied"]] == [("c-expired", "expired")]
    assert "waivers" not in waived["D"] and "unwaived" not in waived["D"]  # a request is never scored with
    e = waived["E"]
    assert [w["id"] for w in e["waivers"]["applied"]] == ["e-d1"]
    assert e["overall"]["level"] == e["unwaived"]["overall"]["level"] == 3


def test_the_portfolio_counts_waivers_in_force_expiring_and_outcomes_depending_on_one(
    registry: Registry, waived: dict[str, Any]
) -> None:
    [section] = build_portfolio(registry, today=TODAY).sections
    assert section.waivers is not None
    counts = section.waivers
    assert (counts.active, counts.expiring, counts.expiring_days, counts.depending) == (3, 2, 60, 2)
    # on a-gate's expiry day it is no longer in force (the stored results keep what they were scored with)
    later = build_portfolio(registry, today=dt.date(2027, 1, 20)).sections[0].waivers
    assert later is not None and (later.active, later.expiring, later.depending) == (2, 1, 2)
    shown = json.loads(portfolio_json(build_portfolio(registry, today=TODAY)))["sections"][0]["waivers"]
    assert shown == {"active": 3, "expiring": 2, "expiring_days": 60, "depending": 2, "today": "2026-12-07"}
    html = render_portfolio(build_portfolio(registry, today=TODAY), ["html"])["html"].decode()
    assert "Waivers in force" in html and "whose outcome depends on a waiver" in html


def test_a_portfolio_without_waivers_says_nothing_of_them(registry: Registry, submit: Submit) -> None:
    for path in dataset(submit):
        registry.store(read_input(path, CALENDAR, approved_waivers(registry)))
    section: Section = build_portfolio(registry, today=TODAY).sections[0]
    assert section.waivers is None
    assert "waivers" not in json.loads(portfolio_json(build_portfolio(registry, today=TODAY)))["sections"][0]
    assert "Waivers in force" not in render_portfolio(build_portfolio(registry, today=TODAY), ["html"])["html"].decode()


def test_a_waiver_asked_by_another_organisation_is_not_applied(registry: Registry, submit: Submit) -> None:
    """A trust's waiver of a subject applies only to the submissions that organisation submits."""
    record(registry)
    with registry.transaction(write=True) as conn:
        from sqlalchemy import update

        from aiassure.registry.schema import waivers

        conn.execute(update(waivers).where(waivers.c.id == "b-gate").values(organisation="RX9"))
    path = submit("B", "2026-Q4", levels(2, 2, 2, statutory="no"))
    result = read_input(path, CALENDAR, approved_waivers(registry)).result
    assert result.waivers is None and result.overall.level == 1


WAIVER_FILE = """waivers:
  - id: a-gate
    scope: {subject: A, rubric: tiny-org, rubric_major: 1, gate: g2, rounds: [2026-Q4]}
    justification: being fixed
    requester: Ann Asker
    approver: Bo Boss
    approved_on: 2026-12-01
    expires_on: 2027-01-20
    status: approved
"""


@pytest.mark.slow
def test_a_report_pdf_applying_a_waiver_the_registry_has_not_approved_is_refused(
    registry: Registry, submit: Submit, tmp_path: Path
) -> None:
    """The waiver a PDF's result records is applied again on reading it: the registry takes it only when it
    holds the same waiver approved (the same fingerprint), for the organisation submitting it."""
    from click.testing import CliRunner
    from registry_helpers import RUBRICS

    from aiassure.cli import main
    from aiassure.errors import InputError

    path = submit("A", "2026-Q4", levels(4, 3, 5, statutory="no"))
    (tmp_path / "waivers.yaml").write_text(WAIVER_FILE, encoding="utf-8")
    made = CliRunner().invoke(
        main,
        [
            "report",
            str(path),
            "--waivers",
            str(tmp_path / "waivers.yaml"),
            "--format",
            "pdf",
            "-o",
            str(tmp_path / "out"),
            "--rubric-dir",
            str(RUBRICS),
        ],
    )
    assert made.exit_code == 0, made.output
    [pdf] = (tmp_path / "out").glob("*.pdf")
    with pytest.raises(InputError) as refused:
        read_input(pdf, CALENDAR, approved_waivers(registry))
    assert [d.code for d in refused.value.diagnostics] == ["waiver-not-approved"]
    record(registry)  # now the registry holds a-gate, approved on the same day by the same approver
    stored = read_input(pdf, CALENDAR, approved_waivers(registry))
    assert stored.result.waivers is not None and [w.id for w in stored.result.waivers.applied] == ["a-gate"]
