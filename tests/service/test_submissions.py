"""Submitting over HTTP: receipts, duplicates, located refusals; nothing refused is stored, everything is audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from service_helpers import EXAMPLES, Service, service_on

from databases import BACKENDS

VENDOR_FILE = EXAMPLES / "PRD-CXRTRIAGE.yaml"
TRUST_FILE = EXAMPLES / "RX1.yaml"
DEPLOYER_FILE = EXAMPLES / "PRD-CXRTRIAGE-by-RX1.yaml"


def test_health_and_readiness(service: Service) -> None:
    with service.client() as client:
        assert client.get("/healthz").json() == {"status": "ok", "checks": {}}
        ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "migrations": "ok"}


def test_a_vendor_submits_its_product_and_gets_a_receipt(service: Service) -> None:
    response = service.submit("vendor", VENDOR_FILE)
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert response.headers["location"] == f"/api/v1/submissions/{receipt['id']}"
    assert receipt["status"] == "new" and receipt["supersedes"] is None
    assert receipt["subject"]["code"] == "PRD-CXRTRIAGE" and receipt["subject"]["supplier_code"] == "SUP-ALDERGROVE"
    assert receipt["source"] == {"kind": "yaml", "name": "PRD-CXRTRIAGE.yaml"}
    assert receipt["submitted_by"] == {"organisation": "SUP-ALDERGROVE", "token": service.token_ids["vendor"]}
    import hashlib

    assert receipt["sha256"] == hashlib.sha256(VENDOR_FILE.read_bytes()).hexdigest()
    # the stored result is the engine's, as `registry ingest` stores it
    with service.client("vendor") as client:
        stored = client.get(f"/api/v1/submissions/{receipt['id']}/result").json()
    assert stored["overall"]["level"] == receipt["result"]["overall"]["level"]
    assert service.audit()[-1].action == "submission.submit" and service.audit()[-1].outcome == "ok"


def test_the_same_bytes_again_get_the_first_receipt(service: Service) -> None:
    first = service.submit("trust", TRUST_FILE)
    again = service.submit("trust", TRUST_FILE)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert service.count("submissions") == 1


def test_an_invalid_file_is_422_with_every_located_diagnostic_and_nothing_stored(
    service: Service, tmp_path: Path
) -> None:
    broken = tmp_path / "RX1-broken.yaml"
    text = TRUST_FILE.read_text().replace("round: 2026-Q4", "round: 2026-Q4\nbogus_key: 1", 1)
    broken.write_text(text.replace("gov-01:", "gov-99:", 1))
    response = service.submit("trust", broken)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/api/problems/invalid-submission" and problem["status"] == 422
    codes = {error["code"] for error in problem["errors"]}
    assert "unknown-key" in codes
    located = [e for e in problem["errors"] if e["code"] == "unknown-key"][0]
    assert located["file"] == "RX1-broken.yaml" and located["line"] and located["column"]
    assert located["location"] == f"RX1-broken.yaml:{located['line']}:{located['column']}"
    assert service.count("submissions") == 0
    event = service.audit()[-1]
    assert (event.action, event.outcome, event.organisation) == ("submission.submit", "refused", "RX1")


def test_a_vendor_token_cannot_submit_another_suppliers_product(service: Service) -> None:
    response = service.submit("other-vendor", VENDOR_FILE)
    assert response.status_code == 403
    problem = response.json()
    assert problem["type"] == "/api/problems/identity-mismatch"
    [error] = problem["errors"]
    assert error["path"] == "subject.supplier.code" and error["line"]
    assert "SUP-ALDERGROVE" in error["message"] and "SUP-OTHER" in error["message"]
    assert service.count("submissions") == 0
    assert service.audit()[-1].outcome == "refused"


def test_a_trust_token_cannot_submit_for_another_organisation(service: Service) -> None:
    for path in (TRUST_FILE, DEPLOYER_FILE):
        response = service.submit("other-trust", path)
        assert response.status_code == 403, path
        assert response.json()["errors"][0]["path"] in ("subject.code", "assessed_by.code")
    # a trust does not submit the supplier's own assessment of a product either
    assert service.submit("trust", VENDOR_FILE).status_code == 403
    assert service.count("submissions") == 0
    assert [e.outcome for e in service.audit()[-3:]] == ["refused"] * 3


def test_a_trust_submits_its_readiness_and_its_deployer_assessment(service: Service) -> None:
    assert service.submit("trust", TRUST_FILE).status_code == 201
    assert service.submit("trust", DEPLOYER_FILE).status_code == 201
    with service.client("trust-reader") as client:
        listed = client.get("/api/v1/submissions").json()["items"]
    assert sorted((i["subject"]["code"], (i["assessed_by"] or {}).get("code")) for i in listed) == [
        ("PRD-CXRTRIAGE", "RX1"),
        ("RX1", None),
    ]


def test_no_token_or_a_bad_token_is_401_and_audited(service: Service) -> None:
    with service.client() as client:
        missing = client.get("/api/v1/submissions")
        forged = client.get("/api/v1/submissions", headers={"Authorization": "Bearer aia_0123456789ab_" + "x" * 40})
    assert missing.status_code == forged.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    events = service.audit()[-2:]
    assert [e.outcome for e in events] == ["refused", "refused"]
    assert events[1].token_id == "0123456789ab" and events[1].principal == "unverified token"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_file_the_registry_cannot_store_is_a_422_problem_and_audited(tmp_path: Path, backend: str) -> None:
    """Issue 11, class 5: a storage error (here a rubric major beyond PostgreSQL's integers) is
    the file's refusal, a problem-details 422 naming the code, never a 500; the next file is stored."""
    rubrics = tmp_path / "rubrics"
    rubrics.mkdir()
    tiny = Path(__file__).parents[1] / "registry" / "data" / "rubrics" / "tiny-org-1.yaml"
    text = tiny.read_text(encoding="utf-8").replace("id: tiny-org\nversion: 1.0.0", "id: big\nversion: 3000000000.0.0")
    (rubrics / "big.yaml").write_text(text, encoding="utf-8")
    big = tmp_path / "RX1-big.yaml"
    big.write_text(
        "rubric: big@3000000000.0.0\n"
        "subject: {type: organisation, name: Fellgate Hospitals NHS Foundation Trust, code: RX1, org_type: acute}\n"
        "round: 2026-Q4\nassessed_on: 2026-11-15\nanswers: {g1: 2, d1: 3, v1: 3, g2: 'yes'}\n",
        encoding="utf-8",
    )
    (tmp_path / "service").mkdir()
    with service_on(backend, tmp_path / "service", rubric_dirs=(str(rubrics),)) as service:
        response = service.submit("trust", big)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["type"] == "/api/problems/invalid-submission"
        assert [error["code"] for error in problem["errors"]] == ["out-of-range"]
        event = service.audit()[-1]
        assert (event.action, event.outcome) == ("submission.submit", "refused")
        assert service.submit("trust", TRUST_FILE).status_code == 201
        assert service.count("submissions") == 1
