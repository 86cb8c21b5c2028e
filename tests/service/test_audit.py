"""The audit trail: every change and refusal in it, append-only in the database, and a hash chain that shows
a deleted or an edited event; `aiassure admin audit verify` on the command line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from service_helpers import EXAMPLES, Service

from aiassure.cli import main
from aiassure.service.audit import verify


def _activity(service: Service) -> None:
    assert service.submit("vendor", EXAMPLES / "PRD-CXRTRIAGE.yaml").status_code == 201
    assert service.submit("other-trust", EXAMPLES / "RX1.yaml").status_code == 403
    with service.client("admin") as client:
        made = client.post("/api/v1/tokens", json={"organisation": "RX1", "role": "reader", "name": "board pack"})
        client.post(f"/api/v1/tokens/{made.json()['id']}/revoke")


def _drop_append_only_triggers(service: Service) -> None:
    """What someone with the database's owner rights (not aiassure) could do to rewrite history."""
    from sqlalchemy import text

    with service.registry.transaction(write=True) as conn:
        if service.registry.is_postgres:
            conn.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))


def test_every_action_is_in_the_chain_and_it_verifies(service: Service) -> None:
    _activity(service)
    events = service.audit()
    actions = [(e.action, e.outcome) for e in events]
    assert ("submission.submit", "ok") in actions and ("submission.submit", "refused") in actions
    assert ("token.create", "ok") in actions and ("token.revoke", "ok") in actions
    submitted = next(e for e in events if e.action == "submission.submit" and e.outcome == "ok")
    assert submitted.token_id == service.token_ids["vendor"] and submitted.organisation == "SUP-ALDERGROVE"
    assert submitted.request_id and submitted.client == "127.0.0.1"
    found = verify(service.registry)
    assert found.ok and found.events == len(events) and found.head == events[-1].hash
    with service.client("admin") as client:
        assert client.get("/api/v1/audit/verify").json()["ok"] is True


def test_the_database_refuses_to_edit_or_delete_an_event(service: Service) -> None:
    from aiassure.errors import RegistryError
    from aiassure.service.tables import audit_events

    for statement in (audit_events.update().values(outcome="ok"), audit_events.delete()):
        with pytest.raises(RegistryError, match="append-only"):
            with service.registry.transaction(write=True) as conn:
                conn.execute(statement)


def test_a_deleted_event_breaks_the_chain(service: Service) -> None:
    from aiassure.service.tables import audit_events as a

    _activity(service)
    _drop_append_only_triggers(service)
    middle = service.audit()[len(service.audit()) // 2].id
    with service.registry.transaction(write=True) as conn:
        conn.execute(a.delete().where(a.c.id == middle))
    found = verify(service.registry)
    assert not found.ok
    assert any(f"#{middle + 1}" in problem and "deleted" in problem for problem in found.problems)


def test_an_edited_event_breaks_the_chain(service: Service) -> None:
    from aiassure.service.tables import audit_events as a

    _activity(service)
    refused = next(e for e in service.audit() if e.outcome == "refused")
    _drop_append_only_triggers(service)
    with service.registry.transaction(write=True) as conn:
        conn.execute(a.update().where(a.c.id == refused.id).values(outcome="ok"))
    found = verify(service.registry)
    assert found.problems == [f"event #{refused.id}: its content does not match its hash (edited)"]


def test_deleting_the_newest_events_shows_against_a_recorded_head(service: Service) -> None:
    from aiassure.service.tables import audit_events as a

    _activity(service)
    head = verify(service.registry).head
    _drop_append_only_triggers(service)
    with service.registry.transaction(write=True) as conn:
        conn.execute(a.delete().where(a.c.id == service.audit()[-1].id))
    assert verify(service.registry).ok  # a shorter chain is whole...
    assert not verify(service.registry, expect_head=head).ok  # ...but the head recorded earlier is gone


def test_admin_audit_verify_on_the_command_line(service: Service) -> None:
    from aiassure.service.tables import audit_events as a

    _activity(service)
    runner = CliRunner()
    intact = runner.invoke(main, ["admin", "audit", "verify", "--db", service.db])
    assert intact.exit_code == 0, intact.output
    assert f"audit trail intact: {len(service.audit())} event(s)" in intact.output
    _drop_append_only_triggers(service)
    with service.registry.transaction(write=True) as conn:
        conn.execute(a.update().where(a.c.id == 2).values(reason="nothing to see"))
    broken = runner.invoke(main, ["admin", "audit", "verify", "--db", service.db])
    assert broken.exit_code == 1
    assert "audit: event #2: its content does not match its hash (edited)" in broken.output
    assert "error: the audit trail is broken: 1 problem(s)" in broken.output
