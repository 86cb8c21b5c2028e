"""Waivers through the API from request to scoring: a trust asks, its approver approves, the next submission is
scored with the waiver (the unwaived result beside it), the portfolio counts it and the analysts' expiring list
names it; every change audited in the hash chain. Both backends."""

from __future__ import annotations

from service_helpers import EXAMPLES, Service

REQUEST = {
    "id": "rx1-ig-01",
    "scope": {"subject": "RX1", "rubric": "nhs-ai-readiness", "rubric_major": 1, "gate": "ig-01", "rounds": "all"},
    "justification": "The DPIA is with the DPO for sign-off.",
    "compensating_controls": ["No patient data leaves the test environment"],
    "evidence": [{"title": "DPO ticket", "url": "https://tickets.example.nhs.uk/DPO-112"}],
    "expires_on": "2027-01-31",
}


def test_a_waiver_from_request_to_the_scored_result_and_the_portfolio(service: Service) -> None:
    from aiassure.service.audit import verify

    with service.client("trust") as trust, service.client("trust-approver") as approver:
        asked = trust.post("/api/v1/waivers", json=REQUEST)
        assert asked.status_code == 201, asked.text
        assert asked.headers["location"] == "/api/v1/waivers/rx1-ig-01"
        assert asked.json()["status"] == "requested" and asked.json()["requester"] == "trust"
        approved = approver.post("/api/v1/waivers/rx1-ig-01/approve", json={"reason": "controls checked"})
        assert approved.status_code == 200, approved.text
        body = approved.json()
        assert (body["status"], body["approver"], body["approved_on"]) == ("approved", "trust-approver", "2026-12-07")
        stored = service.submit("trust", EXAMPLES / "RX1.yaml")
        assert stored.status_code == 201, stored.text
        result = trust.get(f"/api/v1/submissions/{stored.json()['id']}/result").json()
    applied = result["waivers"]["applied"]
    assert [(w["id"], w["fingerprint"]) for w in applied] == [("rx1-ig-01", body["fingerprint"])]
    assert "unwaived" in result
    with service.client("analyst") as analyst:
        expiring = analyst.get("/api/v1/waivers/expiring", params={"within": 60}).json()
        later = analyst.get("/api/v1/waivers/expiring", params={"within": 30}).json()
        portfolio = analyst.get("/api/v1/portfolio").json()
    assert [w["id"] for w in expiring] == ["rx1-ig-01"] and later == []  # 55 days left
    [section] = portfolio["sections"]
    assert section["waivers"]["active"] == 1 and section["waivers"]["expiring"] == 1
    actions = [(e.action, e.object) for e in service.audit() if (e.object or "").startswith("waiver:")]
    assert actions == [("waiver.request", "waiver:rx1-ig-01"), ("waiver.approve", "waiver:rx1-ig-01")]
    assert verify(service.registry).ok


def test_a_waiver_request_that_breaks_a_rule_is_refused_and_stores_nothing(service: Service) -> None:
    with service.client("trust") as trust:
        unknown_field = trust.post("/api/v1/waivers", json={**REQUEST, "approver": "me"})
        both = trust.post("/api/v1/waivers", json={**REQUEST, "scope": {**REQUEST["scope"], "criterion": "ig-02"}})
        listed = trust.get("/api/v1/waivers").json()
    assert unknown_field.status_code == 422  # the requester and approver are never the body's to say
    assert both.status_code == 422 and both.json()["type"] == "/api/problems/invalid-waiver"
    assert listed == [] and service.count("waivers") == 0


def test_an_approval_and_a_revocation_rescore_the_stored_result_at_once(service: Service) -> None:
    """Approved after the submission was stored, the waiver applies to its stored result at once; revoked,
    it no longer does: each in the decision's transaction, audited as waiver.rescore; the chain verifies."""
    from click.testing import CliRunner

    from aiassure.cli import main

    with service.client("trust") as trust, service.client("trust-approver") as approver:
        stored = service.submit("trust", EXAMPLES / "RX1.yaml")
        assert stored.status_code == 201, stored.text
        ident = stored.json()["id"]
        before = trust.get(f"/api/v1/submissions/{ident}/result").json()
        assert trust.post("/api/v1/waivers", json=REQUEST).status_code == 201
        assert approver.post("/api/v1/waivers/rx1-ig-01/approve").status_code == 200
        approved = trust.get(f"/api/v1/submissions/{ident}/result").json()
        assert approver.post("/api/v1/waivers/rx1-ig-01/revoke", json={"reason": "DPIA refused"}).status_code == 200
        revoked = trust.get(f"/api/v1/submissions/{ident}/result").json()
    assert "waivers" not in before
    assert [w["id"] for w in approved["waivers"]["applied"]] == ["rx1-ig-01"] and "unwaived" in approved
    assert "waivers" not in revoked and revoked["overall"] == before["overall"]  # as if never waived
    assert approved["unwaived"]["overall"] == before["overall"]
    rescores = [(e.object, e.reason) for e in service.audit() if e.action == "waiver.rescore"]
    assert rescores == [("waiver:rx1-ig-01", f"scored again: submission:{ident}")] * 2
    verified = CliRunner().invoke(main, ["admin", "audit", "verify", "--db", service.db])
    assert verified.exit_code == 0, verified.output
