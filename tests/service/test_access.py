"""The access-control matrix: every endpoint x every role x own / other organisation, each with its status
code; nobody learns that another organisation's submission exists."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from service_helpers import EXAMPLES, TOKENS, Service, service_on

from databases import BACKENDS

# Whose each stored example is: the organisation that submits it.
STORED = {
    "vendor-product": ("vendor", "PRD-CXRTRIAGE.yaml"),
    "trust-readiness": ("trust", "RX1.yaml"),
    "trust-deployer": ("trust", "PRD-CXRTRIAGE-by-RX1.yaml"),
    "other-readiness": ("other-trust", "RX3.yaml"),
}
ORG_OF = {who: org for who, (org, _) in TOKENS.items()}
SUBMITTER_ORG = {name: ORG_OF[who] for name, (who, _) in STORED.items()}
READS = ["", "/result", "/source", "/report.html"]
ROLES = list(TOKENS)


@dataclass
class Matrix:
    """A service holding one submission of each kind, and a kept-open client per token."""

    service: Service
    ids: dict[str, int]
    clients: dict[str, httpx.Client]


@pytest.fixture(scope="module", params=BACKENDS)
def matrix(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    with service_on(request.param, tmp_path_factory.mktemp("access")) as service:
        ids = {}
        for name, (who, file) in STORED.items():
            response = service.submit(who, EXAMPLES / file)
            assert response.status_code == 201, response.text
            ids[name] = response.json()["id"]
        clients = {who: service.client(who) for who in TOKENS}
        try:
            yield Matrix(service, ids, clients)
        finally:
            for client in clients.values():
                client.close()


def expected_read(who: str, stored: str) -> int:
    role = TOKENS[who][1]
    if role == "admin":
        return 403
    if role == "analyst" or ORG_OF[who] == SUBMITTER_ORG[stored]:
        return 200
    return 404  # not 403: the submission's existence is not given away


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("stored", list(STORED))
@pytest.mark.parametrize("read", READS)
def test_reading_a_submission(matrix: Matrix, who: str, stored: str, read: str) -> None:
    ids, clients = matrix.ids, matrix.clients
    client = clients[who]
    response = client.get(f"/api/v1/submissions/{ids[stored]}{read}")
    assert response.status_code == expected_read(who, stored), response.text
    if response.status_code == 404:
        # exactly what an id that was never used gets
        never = client.get(f"/api/v1/submissions/999999{read}")
        assert never.status_code == 404
        assert response.json()["detail"].replace(str(ids[stored]), "N") == never.json()["detail"].replace("999999", "N")


@pytest.mark.parametrize("who", ROLES)
def test_a_listing_holds_only_what_the_role_may_see(matrix: Matrix, who: str) -> None:
    ids, clients = matrix.ids, matrix.clients
    client = clients[who]
    response = client.get("/api/v1/submissions", params={"status": "all"})
    if TOKENS[who][1] == "admin":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    listed = {item["id"] for item in response.json()["items"]}
    visible = {ids[name] for name in STORED if expected_read(who, name) == 200}
    assert listed == visible
    # no filter widens the scope
    for params in ({"subject": "RX3"}, {"subject": "PRD-CXRTRIAGE"}, {"assessed_by": "RX1"}, {"round": "2026-Q4"}):
        client = clients[who]
        narrowed = {item["id"] for item in client.get("/api/v1/submissions", params=params).json()["items"]}
        assert narrowed <= visible


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("stored", list(STORED))
def test_submitting(matrix: Matrix, who: str, stored: str) -> None:
    service = matrix.service
    response = service.submit(who, EXAMPLES / STORED[stored][1])
    role = TOKENS[who][1]
    if role != "submitter":
        assert response.status_code == 403 and response.json()["type"] == "/api/problems/forbidden"
    elif ORG_OF[who] == SUBMITTER_ORG[stored]:
        assert response.status_code == 200  # stored by the fixture already: its first receipt
    else:
        assert response.status_code == 403 and response.json()["type"] == "/api/problems/identity-mismatch"


ADMIN_READS = [
    "/api/v1/organisations",
    "/api/v1/organisations/RX1",
    "/api/v1/tokens",
    "/api/v1/audit",
    "/api/v1/audit/verify",
]
ANALYST_READS = ["/api/v1/portfolio", "/api/v1/export.csv", "/api/v1/export.jsonl", "/api/v1/export.parquet"]


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("path", ADMIN_READS + ANALYST_READS + ["/api/v1/whoami"])
def test_the_national_and_admin_endpoints(matrix: Matrix, who: str, path: str) -> None:
    clients = matrix.clients
    role = TOKENS[who][1]
    client = clients[who]
    response = client.get(path)
    allowed = (
        path == "/api/v1/whoami"
        or (path in ADMIN_READS and role == "admin")
        or (path in ANALYST_READS and role == "analyst")
    )
    assert response.status_code == (200 if allowed else 403), response.text


@pytest.mark.parametrize("who", ROLES)
def test_only_an_admin_makes_organisations_and_tokens(matrix: Matrix, who: str) -> None:
    service, clients = matrix.service, matrix.clients
    admin = TOKENS[who][1] == "admin"
    client = clients[who]
    org = client.post("/api/v1/organisations", json={"code": f"NEW-{who}", "kind": "ods", "name": "New"})
    token = client.post("/api/v1/tokens", json={"organisation": "RX1", "role": "admin", "name": "escalation"})
    revoke = client.post(f"/api/v1/tokens/{service.token_ids['trust-reader']}/revoke") if not admin else None
    assert (org.status_code, token.status_code) == ((201, 201) if admin else (403, 403))
    if revoke is not None:
        assert revoke.status_code == 403


def test_the_whoami_of_each_token(matrix: Matrix) -> None:
    service, clients = matrix.service, matrix.clients
    for who, (org, role) in TOKENS.items():
        client = clients[who]
        me = client.get("/api/v1/whoami").json()
        assert (me["organisation"], me["role"], me["token_id"]) == (org, role, service.token_ids[who])


def test_the_exports_and_portfolio_hold_every_organisation(matrix: Matrix, tmp_path: Path) -> None:
    import json

    import pyarrow.parquet as pq

    ids, clients = matrix.ids, matrix.clients
    client = clients["analyst"]
    lines = client.get("/api/v1/export.jsonl").text.splitlines()
    parquet = client.get("/api/v1/export.parquet").content
    portfolio = client.get("/api/v1/portfolio").json()
    assert {json.loads(line)["id"] for line in lines} == set(ids.values())
    (tmp_path / "x.parquet").write_bytes(parquet)
    assert set(pq.read_table(tmp_path / "x.parquet").column("id").to_pylist()) == set(ids.values())
    assert {section["rubric"]["id"] for section in portfolio["sections"]} == {"nhs-ai-technology", "nhs-ai-readiness"}


def test_the_service_s_score_exports_carry_each_criterion_s_answer(matrix: Matrix, tmp_path: Path) -> None:
    """/api/v1/export.* of the scores table give the raw answer of every criterion (issue 17)."""
    import csv
    import io
    import json

    import pyarrow.parquet as pq

    client = matrix.clients["analyst"]
    table = {"table": "scores"}
    rows = [json.loads(line) for line in client.get("/api/v1/export.jsonl", params=table).text.splitlines()]
    criteria = [r for r in rows if r["scope"] == "criterion"]
    own = [r for r in criteria if r["subject_code"] == "PRD-CXRTRIAGE" and r["assessed_by_code"] is None]
    vendor = {r["scope_id"]: r["answer"] for r in own}
    assert json.loads(vendor["device-class"]) == "class-iia" and json.loads(vendor["dp-01"]) == "yes"
    assert all(r["answer"] is None for r in rows if r["scope"] != "criterion")
    as_csv = list(csv.DictReader(io.StringIO(client.get("/api/v1/export.csv", params=table).text)))
    assert [r["answer"] for r in as_csv] == ["" if r["answer"] is None else r["answer"] for r in rows]
    (tmp_path / "scores.parquet").write_bytes(client.get("/api/v1/export.parquet", params=table).content)
    assert pq.read_table(tmp_path / "scores.parquet").column("answer").to_pylist() == [r["answer"] for r in rows]
