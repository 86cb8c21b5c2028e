"""The registry's waivers: request, approve, reject, revoke and list, with the status history; on both backends."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from aiassure.assessments.waivers import Waiver
from aiassure.errors import NotFoundError
from aiassure.registry.store import Registry
from aiassure.registry.waivers import (
    InvalidWaiver,
    WaiverConflict,
    decide,
    history,
    in_force,
    list_waivers,
    record_request,
    stored_waiver,
)

AT = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 12, 7)


def waiver(ident: str = "a-g2", **changes: Any) -> Waiver:
    """A requested waiver of tiny-org@1's gate g2 for subject A in 2026-Q4."""
    scope = {"subject": "A", "rubric": "tiny-org", "rubric_major": 1, "gate": "g2", "rounds": ["2026-Q4"]}
    scope |= changes.pop("scope", {})
    fields: dict[str, Any] = {
        "id": ident,
        "scope": scope,
        "justification": "DCB0160 is being signed off",
        "compensating_controls": ["a clinical safety officer reviews every output"],
        "evidence": [{"title": "CSO ticket", "url": "https://example.org/t/1"}],
        "requester": "Ann Asker",
        "expires_on": "2027-03-01",
        "status": "requested",
    }
    return Waiver.model_validate(fields | changes)


def test_a_request_is_stored_whole_and_read_back_as_the_same_waiver(registry: Registry) -> None:
    asked = waiver()
    with registry.transaction(write=True) as conn:
        stored = record_request(conn, asked, by="Ann Asker", organisation="A", at=AT)
    assert stored.model() == asked
    assert stored.fingerprint == asked.fingerprint
    assert (stored.status, stored.organisation, stored.rounds) == ("requested", "A", ("2026-Q4",))
    with registry.transaction() as conn:
        assert [(e.seq, e.status, e.by) for e in history(conn, "a-g2")] == [(1, "requested", "Ann Asker")]
        # every round: stored as null, read back as "all"
        everywhere = record_request(conn, waiver("a-all", scope={"rounds": "all"}), by="x", organisation=None, at=AT)
        assert everywhere.rounds is None and everywhere.model().scope.rounds == "all"


def test_approve_then_revoke_keeps_who_and_when_and_changes_the_fingerprint(registry: Registry) -> None:
    with registry.transaction(write=True) as conn:
        asked = record_request(conn, waiver(), by="Ann Asker", organisation="A", at=AT)
        approved = decide(conn, "a-g2", "approved", by="Bo Boss", organisation="A", at=AT, on=TODAY)
        assert (approved.status, approved.approver, approved.approved_on) == ("approved", "Bo Boss", TODAY)
        assert approved.fingerprint == approved.model().fingerprint != asked.fingerprint
        assert [w.id for w in in_force(conn, TODAY)] == ["a-g2"]
        revoked = decide(
            conn, "a-g2", "revoked", by="Bo Boss", organisation="A", at=AT, on=TODAY, reason="DCB0160 signed"
        )
        assert revoked.status == "revoked" and in_force(conn, TODAY) == ()
        events = [(e.status, e.by, e.reason) for e in history(conn, "a-g2")]
    assert events == [
        ("requested", "Ann Asker", None),
        ("approved", "Bo Boss", None),
        ("revoked", "Bo Boss", "DCB0160 signed"),
    ]


def test_a_decision_is_taken_once_and_only_an_approved_waiver_is_revoked(registry: Registry) -> None:
    with registry.transaction(write=True) as conn:
        record_request(conn, waiver(), by="Ann Asker", organisation="A", at=AT)
        with pytest.raises(WaiverConflict, match="cannot be revoked"):
            decide(conn, "a-g2", "revoked", by="Bo Boss", organisation="A", at=AT, on=TODAY)
        decide(conn, "a-g2", "rejected", by="Bo Boss", organisation="A", at=AT, on=TODAY, reason="no controls")
        with pytest.raises(WaiverConflict, match="it is rejected, so it cannot be approved"):
            decide(conn, "a-g2", "approved", by="Bo Boss", organisation="A", at=AT, on=TODAY)
        with pytest.raises(WaiverConflict, match="stored already") as taken:
            record_request(conn, waiver(), by="Ann Asker", organisation="A", at=AT)
        assert taken.value.diagnostics[0].code == "waiver-conflict"
        with pytest.raises(NotFoundError):
            stored_waiver(conn, "never")


def test_the_model_s_rules_refuse_an_approval(registry: Registry) -> None:
    """The requester approving, or an expiry more than 12 months after the approval: refused with the
    model's located diagnostics, nothing changed."""
    with registry.transaction(write=True) as conn:
        record_request(conn, waiver(), by="Ann Asker", organisation="A", at=AT)
        record_request(conn, waiver("late", expires_on="2028-01-01"), by="Ann Asker", organisation="A", at=AT)
    with registry.transaction(write=True) as conn, pytest.raises(InvalidWaiver) as own:
        decide(conn, "a-g2", "approved", by="ann asker", organisation="A", at=AT, on=TODAY)
    with registry.transaction(write=True) as conn, pytest.raises(InvalidWaiver) as late:
        decide(conn, "late", "approved", by="Bo Boss", organisation="A", at=AT, on=TODAY)
    assert [d.code for d in own.value.diagnostics] == ["waiver-self-approved"]
    assert [d.code for d in late.value.diagnostics] == ["waiver-expiry"]
    assert str(late.value.diagnostics[0].location) == "waiver:late"
    with registry.transaction() as conn:
        assert {stored_waiver(conn, i).status for i in ("a-g2", "late")} == {"requested"}


def test_listing_by_status_as_of_today_and_expiring_soon(registry: Registry) -> None:
    with registry.transaction(write=True) as conn:
        for ident, expires in (("soon", "2027-01-15"), ("later", "2027-06-01"), ("gone", "2026-12-07")):
            record_request(conn, waiver(ident, expires_on=expires), by="Ann Asker", organisation="A", at=AT)
            decide(conn, ident, "approved", by="Bo Boss", organisation="A", at=AT, on=dt.date(2026, 12, 1))
        record_request(conn, waiver("asked", scope={"subject": "B"}), by="Cy", organisation="B", at=AT)
    with registry.transaction() as conn:
        listed = [w.id for w in list_waivers(conn)]
        approved = [w.id for w in list_waivers(conn, status="approved", today=TODAY)]
        expired = [w.id for w in list_waivers(conn, status="expired", today=TODAY)]
        expiring = [w.id for w in list_waivers(conn, today=TODAY, expiring_within=60)]
        of_b = [w.id for w in list_waivers(conn, subject="B")]
        by_rubric = [w.id for w in list_waivers(conn, rubric="tiny-org@1")]
        other_major = list_waivers(conn, rubric="tiny-org@2")
        scoped = [w.id for w in list_waivers(conn, where=_organisation_is("B"))]
        assert [w.id for w in in_force(conn, TODAY)] == ["later", "soon"]
    assert listed == ["gone", "soon", "asked", "later"]  # by expiry, then id
    assert approved == ["soon", "later"]
    assert expired == ["gone"]  # "expires on D" means it no longer applies on D
    assert expiring == ["soon"]
    assert of_b == ["asked"] == scoped
    assert by_rubric == listed and other_major == []


def _organisation_is(code: str) -> Any:
    from aiassure.registry.schema import waivers

    return waivers.c.organisation == code
