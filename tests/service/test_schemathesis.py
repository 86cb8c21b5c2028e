"""The API against its own OpenAPI description, by schemathesis: generated requests (bounded, fixed seed)
to every operation, as an analyst and as an admin; whatever they hold, never a server error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from service_helpers import EXAMPLES, Service, service_on

# Admin operations need an admin token; a waiver is asked for by a submitter and decided by an approver
# (so that the generated bodies reach the registry); everything else is tried with an analyst's, who reads all.
ADMIN_PREFIXES = ("/api/v1/organisations", "/api/v1/tokens", "/api/v1/audit")


def _who(method: str, path: str) -> str:
    if path.startswith(ADMIN_PREFIXES):
        return "admin"
    if method.upper() == "POST" and path == "/api/v1/waivers":
        return "trust"
    if method.upper() == "POST" and path.startswith("/api/v1/waivers/"):
        return "lab-approver"
    return "analyst"


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with service_on("sqlite", tmp_path_factory.mktemp("schemathesis"), rate_per_minute=1_000_000) as service:
        assert service.submit("trust", EXAMPLES / "RX1.yaml").status_code == 201
        yield service


@pytest.fixture(scope="module")
def api(fuzzed: Service) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{fuzzed.url}/api/openapi.json")


def _fuzz(operation: Any, headers: dict[str, str]) -> None:
    """A bounded number of generated requests to one operation; raises on the first server error."""

    @settings(
        max_examples=30,
        derandomize=True,  # the same examples on every run
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(case=operation.as_strategy())
    def call(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error], timeout=120)  # a PDF under load

    call()


def test_no_request_gets_a_server_error(api: schemathesis.BaseSchema, fuzzed: Service) -> None:
    """Every operation, as an analyst (admin operations: as an admin; waiver changes: as a submitter and
    an approver); every failure collected, so that one operation does not hide another's. (Schemathesis'
    pytest plugin does not follow this pytest's internals, hence the explicit loop.)"""
    failures: list[str] = []
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        who = _who(operation.method, operation.path)
        try:
            _fuzz(operation, {"Authorization": f"Bearer {fuzzed.tokens[who]}"})
        except Exception as exc:  # noqa: BLE001
            failures.append(f"{operation.label}: {str(exc)[:3000]}")
    assert failures == []


def test_the_description_is_openapi_3_1_with_every_route(api: schemathesis.BaseSchema, tmp_path: Path) -> None:
    raw = api.raw_schema
    assert raw["openapi"].startswith("3.1")
    assert {"/api/v1/submissions", "/api/v1/submissions/{submission_id}", "/api/v1/portfolio"} <= set(raw["paths"])
    assert {
        "/api/v1/waivers",
        "/api/v1/waivers/expiring",
        "/api/v1/waivers/{waiver_id}",
        "/api/v1/waivers/{waiver_id}/approve",
        "/api/v1/waivers/{waiver_id}/reject",
        "/api/v1/waivers/{waiver_id}/revoke",
    } <= set(raw["paths"])
    assert raw["paths"]["/api/v1/waivers/{waiver_id}/approve"]["post"]["description"].startswith("Approvers")
    assert "HTTPBearer" in raw["components"]["securitySchemes"]
