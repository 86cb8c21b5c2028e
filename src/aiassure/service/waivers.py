"""Waivers over HTTP: a submitter asks, an approver of the same organisation or of the AI Lab decides, all audited.

Each change is made by the registry's own functions (registry.waivers) in one transaction with its
audit event. Reading is scoped as every other read: a waiver another organisation asked for is not
found, whether or not it exists."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from typing import TYPE_CHECKING, Literal

from ..errors import NotFoundError
from .audit import Actor, Event, append
from .clock import iso, now
from .identity import Principal, owner_clause
from .models import WaiverEventOut, WaiverIn, WaiverOut
from .problems import Conflict, Forbidden, InvalidWaiver, NotFound, SelfApproval
from .submissions import API

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy import Connection

    from ..assessments.score_files import ScoreOptions
    from ..registry.sqltypes import Condition
    from ..registry.store import Registry
    from ..registry.waivers import StoredWaiver

Decision = Literal["approved", "rejected", "revoked"]
# The audit trail's action for each change.
ACTIONS: dict[str, str] = {
    "requested": "waiver.request",
    "approved": "waiver.approve",
    "rejected": "waiver.reject",
    "revoked": "waiver.revoke",
}


def lab_organisations(conn: Connection) -> set[str]:
    """The AI Lab's organisations: those holding an analyst's token not revoked (docs/service.md), whose
    analysts read every organisation's submissions."""
    from sqlalchemy import select

    from .tables import api_tokens as t

    rows = conn.execute(select(t.c.organisation).where(t.c.role == "analyst", t.c.revoked_at.is_(None)).distinct())
    return set(rows.scalars())


def scope_of(conn: Connection, principal: Principal, *, deciding: bool = False) -> Condition | None:
    """The waivers the caller may see (`deciding`: decide), as a WHERE clause (None: every one). An
    analyst sees all, and an approver of the AI Lab sees and decides all; anyone else sees those its
    organisation asked for or is the subject of, and an approver decides those its organisation asked for."""
    from sqlalchemy import or_

    from ..registry.schema import waivers as w

    principal.require("waiver-decide" if deciding else "read-own")
    if (principal.reads_everything and not deciding) or _of_the_lab(conn, principal):
        return None
    org = principal.organisation or ""
    return w.c.organisation == org if deciding else or_(w.c.organisation == org, w.c.subject_code == org)


def _of_the_lab(conn: Connection, principal: Principal) -> bool:
    return principal.may("waiver-decide") and principal.organisation in lab_organisations(conn)


def request(registry: Registry, principal: Principal, actor: Actor, body: WaiverIn, *, today: dt.date) -> WaiverOut:
    """Store a waiver request of the caller's organisation, for a subject it submits."""
    from ..assessments.waivers import Waiver
    from ..registry.waivers import record_request

    principal.require("waiver-request")
    fields = body.model_dump(exclude_none=True)
    with registry.transaction(write=True) as conn, _refusals():
        _check_subject(conn, principal, body.scope.subject)
        waiver = Waiver.model_validate({**fields, "requester": principal.name, "status": "requested"})
        at = now()
        stored = record_request(conn, waiver, by=principal.name, organisation=principal.organisation, at=at)
        append(conn, actor, Event(ACTIONS["requested"], "ok", f"waiver:{waiver.id}"))
        return waiver_out(conn, stored, today)


def decide(
    registry: Registry,
    principal: Principal,
    actor: Actor,
    waiver_id: str,
    status: Decision,
    *,
    today: dt.date,
    options: ScoreOptions | None = None,
    reason: str | None = None,
) -> WaiverOut:
    """Approve, reject or revoke a waiver the caller may decide: not one it asked for itself
    (SelfApproval), not one of another organisation unless the caller is of the AI Lab (NotFound).
    An approval or a revocation scores the subject's current submissions again at once (with the
    rubrics of `options`: registry.rescore), audited as `waiver.rescore`, in the same transaction."""
    from ..registry.rescore import refresh_in
    from ..registry.waivers import decide as change
    from ..registry.waivers import stored_waiver

    principal.require("waiver-decide")
    with registry.transaction(write=True) as conn, _refusals():
        current = stored_waiver(conn, waiver_id, where=scope_of(conn, principal, deciding=True))
        if principal.name.casefold() == current.requester.casefold():
            raise SelfApproval(
                f"waiver {waiver_id} was requested by {current.requester!r}, the name of this token: "
                "a requester may not decide their own waiver; another approver must"
            )
        stored = change(
            conn,
            waiver_id,
            status,
            by=principal.name,
            organisation=principal.organisation,
            at=now(),
            on=today,
            reason=reason,
        )
        append(conn, actor, Event(ACTIONS[status], "ok", f"waiver:{waiver_id}", reason))
        if status != "rejected":
            done = refresh_in(conn, today, options, subject=current.subject_code)
            if done.rescored:
                named = ", ".join(f"submission:{r.submission_id}" for r in done.rescored)
                append(conn, actor, Event("waiver.rescore", "ok", f"waiver:{waiver_id}", f"scored again: {named}"))
        return waiver_out(conn, stored, today)


def listing(
    registry: Registry,
    principal: Principal,
    *,
    today: dt.date,
    subject: str | None = None,
    rubric: str | None = None,
    status: str | None = None,
    expiring_within: int | None = None,
) -> list[WaiverOut]:
    """The waivers the caller may see, by expiry; `expiring_within` (analysts): those in force that
    expire within that many days."""
    from ..registry.waivers import list_waivers

    if expiring_within is not None:
        principal.require("read-all")
    with registry.transaction() as conn, _refusals():
        found = list_waivers(
            conn,
            where=scope_of(conn, principal),
            subject=subject,
            rubric=rubric,
            status=status,
            today=today,
            expiring_within=expiring_within,
        )
        return [waiver_out(conn, stored, today) for stored in found]


def one(registry: Registry, principal: Principal, waiver_id: str, *, today: dt.date) -> WaiverOut:
    from ..registry.waivers import stored_waiver

    with registry.transaction() as conn, _refusals():
        return waiver_out(conn, stored_waiver(conn, waiver_id, where=scope_of(conn, principal)), today)


def _check_subject(conn: Connection, principal: Principal, subject: str) -> None:
    """A submitter asks for waivers of its own subjects: its own readiness, or a subject of which the
    registry holds a submission the organisation submitted (its product, or its assessment of one)."""
    from sqlalchemy import select

    from ..registry.schema import submissions as s

    org = principal.organisation or ""
    if subject == org:
        return
    held = conn.execute(select(s.c.id).where(s.c.subject_code == subject, owner_clause(s, org)).limit(1)).first()
    if held is None:
        raise Forbidden(
            f"{org} may ask for waivers of its own subjects: {subject!r} is not one it has submitted an assessment of"
        )


@contextmanager
def _refusals() -> Iterator[None]:
    """The registry's refusals as the service's: a waiver not found (404), a change its status does
    not allow or an id taken (409), a rule it breaks (422, with each located diagnostic)."""
    from pydantic import ValidationError

    from ..registry.waivers import InvalidWaiver as BrokenRule
    from ..registry.waivers import WaiverConflict

    try:
        yield
    except NotFoundError as exc:
        raise NotFound(exc.message) from None
    except WaiverConflict as exc:
        raise Conflict(exc.message, exc.diagnostics) from None
    except BrokenRule as exc:
        raise InvalidWaiver(exc.message, exc.diagnostics) from None
    except ValidationError as exc:
        raise InvalidWaiver(f"the waiver is invalid: {exc.errors()[0]['msg']}") from None


def waiver_out(conn: Connection, stored: StoredWaiver, today: dt.date) -> WaiverOut:
    from ..registry.waivers import history

    return WaiverOut(
        id=stored.id,
        scope=stored.fields()["scope"],
        justification=stored.justification,
        compensating_controls=list(stored.compensating_controls),
        evidence=list(stored.evidence),
        requester=stored.requester,
        approver=stored.approver,
        approved_on=None if stored.approved_on is None else stored.approved_on.isoformat(),
        expires_on=stored.expires_on.isoformat(),
        status=stored.status_on(today),
        fingerprint=stored.fingerprint,
        organisation=stored.organisation,
        requested_at=iso(stored.requested_at),
        history=[
            WaiverEventOut(status=e.status, at=iso(e.at), by=e.by, organisation=e.organisation, reason=e.reason)
            for e in history(conn, stored.id)
        ],
        links={"self": f"{API}/waivers/{stored.id}"},
    )
