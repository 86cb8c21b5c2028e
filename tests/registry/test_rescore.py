"""`refresh_waivers`: a stored result scored again when a waiver of it expires, is revoked or is approved
later, and the portfolio's count of results waiting for it; SQLite and PostgreSQL (the dataset of
test_portfolio_waivers.py)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from click.testing import CliRunner
from registry_helpers import OPTIONS, RUBRICS, Submit
from test_portfolio_waivers import AT, CALENDAR, TODAY, dataset, record

from aiassure.cli import main
from aiassure.registry.intake import read_input
from aiassure.registry.portfolio import build_portfolio
from aiassure.registry.rescore import refresh_waivers
from aiassure.registry.store import Registry
from aiassure.registry.waivers import approved_waivers, decide
from aiassure.reports.portfolio import portfolio_json, render_portfolio

A_EXPIRES = dt.date(2027, 1, 20)  # a-gate's expires_on: not applied from that day


def ingest(registry: Registry, submit: Submit) -> None:
    record(registry)
    waivers = approved_waivers(registry)
    for path in dataset(submit):
        registry.store(read_input(path, CALENDAR, waivers))


def stored(registry: Registry, subject: str) -> tuple[int | None, Any]:
    [row] = [row for row in registry.listing() if row.subject_code == subject]
    return row.overall_level, json.loads(registry.submission(row.id).result_json)


def test_an_expired_waiver_is_counted_again_once_refreshed(registry: Registry, submit: Submit) -> None:
    ingest(registry, submit)
    waivers = json.loads(portfolio_json(build_portfolio(registry, today=A_EXPIRES)))["sections"][0]["waivers"]
    assert waivers["stale"] == 1  # A was scored with a-gate, no longer in force
    html = render_portfolio(build_portfolio(registry, today=A_EXPIRES), ["html"])["html"].decode()
    assert "1 result was scored with waivers no longer in force: run aiassure registry refresh-waivers" in html

    done = refresh_waivers(registry, A_EXPIRES, OPTIONS)
    assert not done.skipped
    [a] = done.rescored
    assert (a.subject_code, a.round, a.level_before, a.level_after) == ("A", "2026-Q4", 3, 1)
    assert (a.applied_before, a.applied_after) == (("a-gate",), ())
    assert (a.outcome_before, a.outcome_after) == ("ready", "not-yet")
    level, result = stored(registry, "A")
    assert level == 1 and result["overall"]["level"] == 1 and result["failed_gates"]
    assert result["unwaived"]["overall"]["level"] == 1  # with waivers of its subject, the unwaived stays beside
    assert [(w["id"], w["reason"]) for w in result["waivers"]["not_applied"]][0] == ("a-gate", "expired")

    counts = build_portfolio(registry, today=A_EXPIRES).sections[0].waivers
    assert counts is not None and (counts.depending, counts.stale) == (1, 0)  # B only, A counted raw
    assert (
        "stale" not in json.loads(portfolio_json(build_portfolio(registry, today=A_EXPIRES)))["sections"][0]["waivers"]
    )
    assert (
        "scored with waivers no longer in force"
        not in render_portfolio(build_portfolio(registry, today=A_EXPIRES), ["html"])["html"].decode()
    )
    assert refresh_waivers(registry, A_EXPIRES, OPTIONS).rescored == []  # idempotent


def test_a_revoked_waiver_and_a_later_approval_are_applied_by_refresh(registry: Registry, submit: Submit) -> None:
    ingest(registry, submit)
    with registry.transaction(write=True) as conn:
        decide(conn, "b-gate", "revoked", by="Bo Boss", organisation="B", at=AT, on=TODAY)
        decide(conn, "d-asked", "approved", by="Bo Boss", organisation="D", at=AT, on=TODAY)
    done = refresh_waivers(registry, TODAY, OPTIONS)
    changed = {r.subject_code: (r.level_before, r.level_after, r.applied_after) for r in done.rescored}
    assert changed == {"B": (2, 1, ()), "D": (3, 3, ("d-asked",))}
    assert stored(registry, "B")[0] == 1
    assert [w["id"] for w in stored(registry, "D")[1]["waivers"]["applied"]] == ["d-asked"]
    counts = build_portfolio(registry, today=TODAY).sections[0].waivers
    assert counts is not None and (counts.depending, counts.stale) == (1, 0)
    assert refresh_waivers(registry, TODAY, OPTIONS).rescored == []


def test_the_command_rescores_with_its_today_and_says_how_many(registry: Registry, submit: Submit, db_url: str) -> None:
    ingest(registry, submit)
    args = [
        "--today",
        A_EXPIRES.isoformat(),
        "registry",
        "refresh-waivers",
        "--db",
        db_url,
        "--rubric-dir",
        str(RUBRICS),
    ]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    [line, count] = first.stdout.splitlines()
    assert line.endswith("A 2026-Q4: outcome ready -> not-yet, level 3 -> 1 (waivers a-gate -> none)")
    assert count == "1 submission scored again with the waivers in force on 2027-01-20"
    again = CliRunner().invoke(main, args)
    assert (
        again.exit_code == 0 and again.stdout == "0 submissions scored again with the waivers in force on 2027-01-20\n"
    )
