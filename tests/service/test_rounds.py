"""Issue 11, point 3, over HTTP: the service checks rounds and dates against today (pinned for the
suite by AIASSURE_TODAY, read again per request), refusals are problem details with located
diagnostics, and the portfolio's default round is the latest that has begun."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from service_helpers import EXAMPLES, Service

from aiassure import clock
from aiassure.assessments.score_files import ScoreOptions
from aiassure.registry.intake import read_input
from aiassure.service.settings import Settings

TRUST_FILE = EXAMPLES / "RX1.yaml"


def _moved(tmp_path: Path, round_: str, assessed_on: str) -> Path:
    path = tmp_path / f"RX1-{round_}.yaml"
    text = TRUST_FILE.read_text(encoding="utf-8")
    path.write_text(
        text.replace("round: 2026-Q4", f"round: {round_}").replace(
            "assessed_on: 2026-11-12", f"assessed_on: {assessed_on}"
        )
    )
    return path


def test_a_future_round_is_422_with_its_located_diagnostic(service: Service, tmp_path: Path) -> None:
    response = service.submit("trust", _moved(tmp_path, "2027-Q1", "2026-12-01"))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    [error] = [e for e in response.json()["errors"] if e["code"] == "round-in-future"]
    assert error["location"] == f"RX1-2027-Q1.yaml:{error['line']}:{error['column']}" and error["line"]
    response = service.submit("trust", _moved(tmp_path, "2026-Q4", "2026-12-25"))
    assert response.status_code == 422 and "assessed-in-future" in {e["code"] for e in response.json()["errors"]}
    response = service.submit("trust", _moved(tmp_path, "٢٠٢٦-Q4", "2026-11-12"))
    assert response.status_code == 422 and "non-ascii-digits" in {e["code"] for e in response.json()["errors"]}
    assert service.count("submissions") == 0


def test_the_portfolio_default_round_is_the_latest_that_has_begun(service: Service, tmp_path: Path) -> None:
    assert service.submit("trust", TRUST_FILE).status_code == 201
    # a far-future row, as a registry filled before rounds were checked could hold
    far = _moved(tmp_path, "2999-Q4", "2999-11-12")
    service.registry.store(read_input(far, ScoreOptions()))
    with service.client("analyst") as client:
        response = client.get("/api/v1/portfolio")
        assert response.status_code == 200, response.text
        assert [s["round"] for s in response.json()["sections"]] == ["2026-Q4"]
        named = client.get("/api/v1/portfolio", params={"round": "2999-Q4"})
    assert [s["round"] for s in named.json()["sections"]] == ["2999-Q4"]


def test_the_service_reads_today_for_each_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pin given to `serve` holds; without one, each request reads AIASSURE_TODAY or the clock anew."""
    assert Settings(today="2027-02-01").calendar().today == dt.date(2027, 2, 1)
    assert Settings(today="2027-02-01", round_margin=3).score_options.calendar == clock.Calendar(
        dt.date(2027, 2, 1), 3, pinned=True
    )
    monkeypatch.setenv(clock.ENV_TODAY, "2026-03-03")
    settings = Settings()
    assert settings.calendar().today == dt.date(2026, 3, 3)
    monkeypatch.setenv(clock.ENV_TODAY, "2026-03-04")
    assert settings.score_options.calendar is not None and settings.score_options.calendar.today == dt.date(2026, 3, 4)
    assert Settings.from_env().calendar().today == dt.date(2026, 3, 4)
