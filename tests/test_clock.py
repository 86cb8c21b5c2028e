"""aiassure.clock: today read once, pinned by --today or AIASSURE_TODAY (the option wins), in Europe/London."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from aiassure import clock
from aiassure.cli import main
from aiassure.clock import Calendar, calendar, london_today, round_index, round_of


def test_the_option_wins_over_the_environment_which_wins_over_the_clock() -> None:
    env = {clock.ENV_TODAY: "2026-01-15", clock.ENV_ROUND_MARGIN: "3"}
    assert calendar("2026-05-20", 2, environ=env) == Calendar(dt.date(2026, 5, 20), 2, pinned=True)
    assert calendar(environ=env) == Calendar(dt.date(2026, 1, 15), 3, pinned=True)
    noon = dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC)
    assert calendar(environ={}, now=noon) == Calendar(dt.date(2026, 7, 1), clock.DEFAULT_ROUND_MARGIN, pinned=False)
    assert calendar(environ={clock.ENV_TODAY: ""}, now=noon).pinned is False


@pytest.mark.parametrize(
    ("today", "margin", "env", "message"),
    [
        ("2026-13-01", None, {}, "--today: '2026-13-01' is not a date"),
        ("07/12/2026", None, {}, "--today: '07/12/2026' is not a date written YYYY-MM-DD"),
        ("٢٠٢٦-12-07", None, {}, "not a date written YYYY-MM-DD"),
        (None, None, {clock.ENV_TODAY: "tomorrow"}, "AIASSURE_TODAY: 'tomorrow'"),
        (None, -1, {}, "--round-margin: -1"),
        (None, None, {clock.ENV_ROUND_MARGIN: "٣"}, "AIASSURE_ROUND_MARGIN: '٣'"),
        (None, None, {clock.ENV_ROUND_MARGIN: "100000"}, "AIASSURE_ROUND_MARGIN"),
    ],
)
def test_a_bad_pin_is_refused(today: str | None, margin: int | None, env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        calendar(today, margin, environ=env)


@pytest.mark.parametrize(
    ("utc", "london"),
    [
        (dt.datetime(2026, 9, 30, 23, 30, tzinfo=dt.UTC), dt.date(2026, 10, 1)),  # BST: already Q4 in London
        (dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC), dt.date(2026, 12, 31)),  # GMT
        (dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC), dt.date(2026, 3, 29)),  # before the change at 01:00 UTC
        (dt.datetime(2026, 3, 29, 23, 30, tzinfo=dt.UTC), dt.date(2026, 3, 30)),  # after it
        (dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC), dt.date(2026, 10, 25)),
        (dt.datetime(2026, 10, 25, 23, 30, tzinfo=dt.UTC), dt.date(2026, 10, 25)),  # back to GMT
    ],
)
def test_today_is_the_date_in_london(utc: dt.datetime, london: dt.date) -> None:
    assert london_today(utc) == london
    # the rule used where the system has no time-zone database gives the same dates
    shift = dt.timedelta(hours=1 if clock._british_summer_time(utc) else 0)
    assert (utc + shift).date() == london


def test_rounds_in_order() -> None:
    assert round_of(dt.date(2026, 12, 7)) == "2026-Q4" and round_of(dt.date(2027, 1, 1)) == "2027-Q1"
    assert round_index("2027-Q1") == round_index("2026-Q4") + 1  # type: ignore[operator]
    assert round_index("٢٠٢٦-Q4") is None and round_index("2026-Q5") is None and round_index("２０２６-Q4") is None
    today = Calendar(dt.date(2026, 12, 7))
    assert today.round == "2026-Q4"
    assert today.is_future_round("2027-Q1") and not today.is_future_round("2026-Q4")
    assert not today.is_future_round("2019-Q1")


def _init(tmp_path, *options: str, env: dict[str, str] | None = None) -> str:  # type: ignore[no-untyped-def]
    out = tmp_path / f"answers-{len(list(tmp_path.iterdir()))}.yaml"
    result = CliRunner().invoke(main, [*options, "init", "nhs-ai-readiness@1.0.0", "-o", str(out)], env=env)
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_the_command_line_takes_today_from_the_option_then_the_environment(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`init` writes today's round and date: what each source of today gives."""
    monkeypatch.setenv(clock.ENV_TODAY, "2026-01-15")
    assert "round: 2026-Q1" in _init(tmp_path) and "assessed_on: 2026-01-15" in _init(tmp_path)
    text = _init(tmp_path, "--today", "2026-05-20")
    assert "round: 2026-Q2" in text and "assessed_on: 2026-05-20" in text
    monkeypatch.delenv(clock.ENV_TODAY)
    before = london_today()
    text = _init(tmp_path)
    assert any(f"assessed_on: {day.isoformat()}" in text for day in (before, london_today()))


def test_a_bad_pin_is_a_usage_error(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(main, ["--today", "2026-02-30", "rubrics", "list"])
    assert result.exit_code == 2 and "--today: '2026-02-30' is not a date" in result.output
    monkeypatch.setenv(clock.ENV_TODAY, "soon")
    result = CliRunner().invoke(main, ["rubrics", "list"])
    assert result.exit_code == 2 and "AIASSURE_TODAY: 'soon'" in result.output
    assert CliRunner().invoke(main, ["--today", "2026-02-28", "rubrics", "list"]).exit_code == 0  # the option wins
    assert CliRunner().invoke(main, ["--round-margin", "-1", "rubrics", "list"]).exit_code == 2
