"""GET /api/v1/portfolio with its filters, over HTTP on each backend: the same figures as `portfolio report`,
narrowed in SQL to a region and/or an org_type; unknown values answered 422 with the values allowed."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from service_helpers import EXAMPLES, Service, service_on

from aiassure.assessments.model import NHS_REGIONS, ORG_TYPES
from aiassure.assessments.score_files import ScoreOptions
from aiassure.registry.intake import read_input
from aiassure.registry.portfolio import build_portfolio
from aiassure.reports.portfolio import portfolio_json
from databases import BACKENDS

ROUNDS = [EXAMPLES.parent / "2026-Q2", EXAMPLES]


@pytest.fixture(scope="module", params=BACKENDS)
def stocked(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """A service over a registry holding the shipped examples of two rounds (stored behind the API)."""
    with service_on(request.param, tmp_path_factory.mktemp("portfolio")) as service:
        for folder in ROUNDS:
            for path in sorted(folder.glob("*.yaml")):
                service.registry.store(read_input(path, ScoreOptions()))
        yield service


@pytest.mark.parametrize(
    "params",
    [{}, {"region": "London"}, {"org_type": "vendor"}, {"region": "North West", "org_type": "vendor"}],
    ids=["none", "region", "org_type", "both"],
)
def test_the_portfolio_over_http_is_portfolio_report_with_the_same_filters(
    stocked: Service, params: dict[str, str]
) -> None:
    with stocked.client("analyst") as client:
        response = client.get("/api/v1/portfolio", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    expected = portfolio_json(build_portfolio(stocked.registry, **params))
    assert response.json() == json.loads(expected)
    figures = response.json()
    assert figures.get("filters", {}) == params
    for section in figures["sections"]:
        if "region" in params:
            assert [name for name, _ in section["regions"]] == [params["region"]]
        if "org_type" in params:
            assert [name for name, _ in section["org_types"]] == [params["org_type"]]


def test_a_filter_narrows_every_section(stocked: Service) -> None:
    with stocked.client("analyst") as client:
        everyone = client.get("/api/v1/portfolio").json()
        london = client.get("/api/v1/portfolio", params={"region": "London"}).json()
    total = {s["rubric"]["id"]: s["submissions"] for s in everyone["sections"]}
    narrowed = {s["rubric"]["id"]: s["submissions"] for s in london["sections"]}
    assert set(narrowed) <= set(total)
    assert all(0 < narrowed[rubric] < total[rubric] for rubric in narrowed)


@pytest.mark.parametrize(
    ("params", "allowed"),
    [({"region": "North"}, NHS_REGIONS), ({"org_type": "hospital"}, ORG_TYPES), ({"region": "london"}, NHS_REGIONS)],
    ids=["region", "org_type", "region-case"],
)
def test_an_unknown_filter_value_is_a_422_listing_the_values_allowed(
    stocked: Service, params: dict[str, str], allowed: tuple[str, ...]
) -> None:
    with stocked.client("analyst") as client:
        response = client.get("/api/v1/portfolio", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("/invalid-request")
    [error] = problem["errors"]
    assert error["code"] == "invalid-parameter"
    assert error["path"] == next(iter(params))
    assert all(f"'{value}'" in error["message"] for value in allowed)


def test_a_filter_holding_nothing_is_a_404(stocked: Service) -> None:
    with stocked.client("analyst") as client:
        response = client.get("/api/v1/portfolio", params={"region": "South East", "org_type": "vendor"})
    assert response.status_code == 404
    assert "region South East and org_type vendor" in response.json()["detail"]


@pytest.mark.parametrize("who", ["vendor", "vendor-reader", "trust", "trust-reader", "admin"])
def test_only_analysts_see_the_portfolio_filtered_or_not(stocked: Service, who: str) -> None:
    with stocked.client(who) as client:
        for params in ({}, {"region": "London"}, {"org_type": "acute"}):
            assert client.get("/api/v1/portfolio", params=params).status_code == 403


def test_the_filters_are_in_the_openapi_description(stocked: Service) -> None:
    with stocked.client() as client:
        spec = client.get("/api/openapi.json").json()
    parameters = {p["name"]: p for p in spec["paths"]["/api/v1/portfolio"]["get"]["parameters"]}
    region = json.dumps(parameters["region"]["schema"])
    org_type = json.dumps(parameters["org_type"]["schema"])
    assert all(name in region for name in NHS_REGIONS) and all(name in org_type for name in ORG_TYPES)


def test_the_minimum_of_peers_and_the_data_as_of_are_those_of_portfolio_report(stocked: Service) -> None:
    """min_peers as `portfolio report --min-peers`; below it a percentile is null with its peer count;
    data_as_of is the registry's latest ingest (issue 17)."""
    with stocked.client("analyst") as client:
        default = client.get("/api/v1/portfolio").json()
        one = client.get("/api/v1/portfolio", params={"min_peers": 1}).json()
        refused = client.get("/api/v1/portfolio", params={"min_peers": 0})
    assert one == json.loads(portfolio_json(build_portfolio(stocked.registry, min_peers=1)))
    assert {s["min_peers"] for s in default["sections"]} == {5} and {s["min_peers"] for s in one["sections"]} == {1}
    standings = [st for s in default["sections"] for b in s["benchmarks"] for st in b["standings"]]
    assert all((st["percentile"] is None) == (st["peers"] is None or st["peers"] < 5) for st in standings)
    assert any(st["percentile"] is None and st["peers"] for st in standings)  # the examples hold small groups
    assert all(
        st["percentile"] is not None
        for s in one["sections"]
        for b in s["benchmarks"]
        for st in b["standings"]
        if st["peers"]
    )
    stored = max(r.ingested_at for r in stocked.registry.listing(include_superseded=True))
    assert default["data_as_of"] == stored.replace(tzinfo=stored.tzinfo or dt.UTC).isoformat(timespec="seconds")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["path"] == "min_peers"
