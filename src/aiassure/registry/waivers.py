"""The registry's waivers: requested, approved or rejected, revoked, each change kept with who and when.

Every function takes the connection of the caller's transaction, so that the service writes its audit
event in the same one. An approved waiver expires by date, its stored status unchanged, and `status_on`
says what it is on a given day (docs/waivers.md: it no longer applies on its `expires_on`)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..assessments.waivers import ALL_ROUNDS, DEFAULT_MAX_MONTHS, Problem, Waiver, WaiverStatus, waiver_problems
from ..errors import Diagnostic, InputError, Location, NotFoundError

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from .intake import Intake
    from .sqltypes import Condition, ResultRow
    from .store import Registry

# Which status each change starts from: a decision is taken once, and only an approved waiver is revoked.
CHANGES: dict[WaiverStatus, tuple[WaiverStatus, ...]] = {
    "approved": ("requested",),
    "rejected": ("requested",),
    "revoked": ("approved",),
}
# How long ahead `expiring` looks by default (the portfolio's "expiring within 60 days").
EXPIRING_DAYS = 60
MAX_EXPIRING_DAYS = 366


@dataclass(frozen=True, slots=True)
class StoredWaiver:
    """One waiver as the registry keeps it: the model's fields, its stored status and who asked."""

    id: str
    subject_code: str
    rubric_id: str
    rubric_major: int
    criterion: str | None
    gate: str | None
    rounds: tuple[str, ...] | None  # None: every round
    justification: str
    compensating_controls: tuple[str, ...]
    evidence: tuple[dict[str, Any], ...]  # EvidenceItem fields, as JSON
    requester: str
    approver: str | None
    approved_on: dt.date | None
    expires_on: dt.date
    status: WaiverStatus
    fingerprint: str
    organisation: str | None  # the organisation that asked; None: recorded at the command line
    requested_at: dt.datetime

    def status_on(self, today: dt.date) -> WaiverStatus:
        """The status on `today`: an approved waiver is `expired` from its `expires_on` on."""
        return "expired" if self.status == "approved" and today >= self.expires_on else self.status

    def in_force(self, today: dt.date) -> bool:
        """Approved, approved by `today`, and not yet expired on it."""
        return (
            self.status == "approved" and self.approved_on is not None and self.approved_on <= today < self.expires_on
        )

    def model(self) -> Waiver:
        """The waiver as the scoring engine and a waiver file have it."""
        return Waiver.model_validate(self.fields())

    def fields(self) -> dict[str, Any]:
        """The model's fields, as a waiver file gives them."""
        return {
            "id": self.id,
            "scope": {
                "subject": self.subject_code,
                "rubric": self.rubric_id,
                "rubric_major": self.rubric_major,
                "criterion": self.criterion,
                "gate": self.gate,
                "rounds": ALL_ROUNDS if self.rounds is None else list(self.rounds),
            },
            "justification": self.justification,
            "compensating_controls": list(self.compensating_controls),
            "evidence": [dict(item) for item in self.evidence],
            "requester": self.requester,
            "approver": self.approver,
            "approved_on": self.approved_on,
            "expires_on": self.expires_on,
            "status": self.status,
        }


@dataclass(frozen=True, slots=True)
class WaiverEvent:
    """One change of a waiver's status: to what, when, by whom (of which organisation), and why."""

    waiver_id: str
    seq: int
    status: WaiverStatus
    at: dt.datetime
    by: str
    organisation: str | None
    reason: str | None


class WaiverConflict(InputError):
    """A waiver change that what is stored does not allow: an id taken, a decision taken already."""

    def __init__(self, waiver_id: str, message: str, hint: str = "") -> None:
        super().__init__(
            f"waiver {waiver_id}: {message}",
            [Diagnostic("waiver-conflict", message, Location(f"waiver:{waiver_id}"), hint=hint)],
        )


class InvalidWaiver(InputError):
    """A waiver that breaks a rule of assessments.waivers (`waiver_problems`): each a located diagnostic."""

    def __init__(self, waiver_id: str, problems: list[Diagnostic]) -> None:
        super().__init__(f"waiver {waiver_id}: " + "; ".join(d.message for d in problems), problems)


def record_request(
    conn: Connection, waiver: Waiver, *, by: str, organisation: str | None, at: dt.datetime
) -> StoredWaiver:
    """Store a new waiver as `waiver.status` says (a request, or one recorded already decided at the
    command line); WaiverConflict when its id is taken."""
    from sqlalchemy import insert, select

    from .schema import waivers as w

    if conn.execute(select(w.c.id).where(w.c.id == waiver.id)).first() is not None:
        raise WaiverConflict(
            waiver.id, "a waiver with this id is stored already", "give the new waiver an id of its own"
        )
    problems = problems_of(conn, waiver)
    if problems:
        raise InvalidWaiver(waiver.id, problems)
    values = _row_values(waiver)
    conn.execute(insert(w).values(**values, organisation=organisation, requested_at=at))
    _event(conn, waiver.id, "requested", at, by, organisation, None)
    if waiver.status != "requested":
        _event(conn, waiver.id, waiver.status, at, by, organisation, None)
    return stored_waiver(conn, waiver.id)


def decide(
    conn: Connection,
    waiver_id: str,
    status: Literal["approved", "rejected", "revoked"],
    *,
    by: str,
    organisation: str | None,
    at: dt.datetime,
    on: dt.date,
    reason: str | None = None,
) -> StoredWaiver:
    """Approve or reject (`by` is then the waiver's approver, `on` its day of decision) or revoke a stored waiver;
    WaiverConflict when its status does not allow it. The model checks the approved waiver (an
    approver other than the requester, an expiry within the maximum) before anything is written."""
    from sqlalchemy import update

    from .schema import waivers as w

    current = stored_waiver(conn, waiver_id, for_update=True)
    if current.status not in CHANGES[status]:
        raise WaiverConflict(
            waiver_id,
            f"it is {current.status_on(on)}, so it cannot be {status}",
            "only a requested waiver is approved or rejected, and only an approved one revoked",
        )
    changes: dict[str, Any] = {"status": status}
    if status != "revoked":  # the model's `approver` and `approved_on` are who decided, and when
        changes |= {"approver": by, "approved_on": on}
    changed = Waiver.model_validate({**current.fields(), **changes})
    problems = problems_of(conn, changed)
    if problems:
        raise InvalidWaiver(waiver_id, problems)
    changes["fingerprint"] = changed.fingerprint
    conn.execute(update(w).where(w.c.id == waiver_id).values(**changes))
    _event(conn, waiver_id, status, at, by, organisation, reason)
    return stored_waiver(conn, waiver_id)


def stored_waiver(
    conn: Connection, waiver_id: str, *, where: Condition | None = None, for_update: bool = False
) -> StoredWaiver:
    """One stored waiver (within `where`, the caller's scope); NotFoundError for any other."""
    from sqlalchemy import select

    from .schema import waivers as w

    query = select(w).where(w.c.id == waiver_id)
    if where is not None:
        query = query.where(where)
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFoundError(f"no waiver {waiver_id}")
    return _stored(row)


def list_waivers(
    conn: Connection,
    *,
    where: Condition | None = None,
    subject: str | None = None,
    rubric: str | None = None,
    status: str | None = None,
    today: dt.date | None = None,
    expiring_within: int | None = None,
) -> list[StoredWaiver]:
    """The stored waivers within `where`, by expiry then id; `status` is one as of `today` (so
    `expired` and `approved` are told apart by date); `expiring_within` days keeps the approved
    ones in force on `today` that expire within that many days."""
    from sqlalchemy import select

    from .schema import waivers as w
    from .store import rubric_filter

    query = select(w).order_by(w.c.expires_on, w.c.id)
    if where is not None:
        query = query.where(where)
    if subject is not None:
        query = query.where(w.c.subject_code == subject)
    if rubric is not None:
        query = query.where(rubric_filter(w, rubric))
    if expiring_within is not None and today is not None:
        query = query.where(
            w.c.status == "approved",
            w.c.expires_on > today,
            w.c.expires_on <= today + dt.timedelta(days=expiring_within),
        )
    found = [_stored(row) for row in conn.execute(query)]
    if status is not None and today is not None:
        found = [waiver for waiver in found if waiver.status_on(today) == status]
    return found


def history(conn: Connection, waiver_id: str) -> list[WaiverEvent]:
    """A waiver's changes of status, oldest first."""
    from sqlalchemy import select

    from .schema import waiver_events as e

    rows = conn.execute(select(e).where(e.c.waiver_id == waiver_id).order_by(e.c.seq))
    return [WaiverEvent(**row._mapping) for row in rows]


def in_force(conn: Connection, today: dt.date) -> tuple[Waiver, ...]:
    """Every approved waiver in force on `today`, as the scoring engine takes them, by id."""
    from sqlalchemy import select

    from .schema import waivers as w

    query = select(w).where(w.c.status == "approved", w.c.approved_on <= today, w.c.expires_on > today).order_by(w.c.id)
    return tuple(_stored(row).model() for row in conn.execute(query))


def stored_max_months(conn: Connection, rubric_id: str, major: int) -> int:
    """How many months after its approval a waiver under the rubric may run, as the newest version of
    that major version the registry holds says (`waivers: {max_months: N}`; see
    assessments.waivers.max_months); DEFAULT_MAX_MONTHS when it holds none."""
    from sqlalchemy import select

    from ..rubrics.loader import version_key
    from ..rubrics.model import Rubric
    from .schema import rubrics as r

    rows = conn.execute(select(r.c.version, r.c.definition).where(r.c.rubric_id == rubric_id, r.c.major == major))
    newest = max(rows, key=lambda row: version_key(row.version), default=None)
    policy = None if newest is None else Rubric.model_validate_json(newest.definition).waivers
    return DEFAULT_MAX_MONTHS if policy is None else policy.max_months


def problems_of(conn: Connection, waiver: Waiver) -> list[Diagnostic]:
    """What a waiver breaks (assessments.waivers.waiver_problems, with its rubric's maximum), as diagnostics."""
    limit = stored_max_months(conn, waiver.scope.rubric, waiver.scope.rubric_major)
    return [_diagnostic(waiver.id, problem) for problem in waiver_problems(waiver, limit)]


def _diagnostic(waiver_id: str, problem: Problem) -> Diagnostic:
    return Diagnostic(
        problem.code, problem.message, Location(f"waiver:{waiver_id}"), ".".join(problem.field), hint=problem.hint
    )


@dataclass(frozen=True)
class StoredWaivers:
    """The registry's approved waivers by subject code, each with the organisation that asked for it:
    what ingest and the service score with. Plain data, so that it travels to worker processes."""

    by_subject: dict[str, tuple[tuple[str | None, Waiver], ...]] = field(default_factory=dict)

    def of(self, intake: Intake) -> tuple[Waiver, ...]:
        """The waivers for an intake's subject asked for by the organisation that submits it (or at
        the command line): a trust's waiver never changes the supplier's own assessment of a product,
        nor the other way round. The engine then applies those in force on today and lists the others."""
        owner = intake.owner
        asked = self.by_subject.get(intake.result.subject.code, ())
        return tuple(waiver for org, waiver in asked if org is None or org == owner)

    def __bool__(self) -> bool:
        return bool(self.by_subject)


NO_WAIVERS = StoredWaivers()


def approved_waivers(registry: Registry) -> StoredWaivers:
    """Every approved waiver the registry holds, whatever its dates (the engine lists an expired one
    as not applied, with its reason), by subject."""
    with registry.transaction() as conn:
        return approved_in(conn)


def approved_in(conn: Connection, subject: str | None = None) -> StoredWaivers:
    """`approved_waivers` as the caller's transaction sees them (of `subject` only, when given)."""
    from sqlalchemy import select

    from .schema import waivers as w

    query = select(w).where(w.c.status == "approved").order_by(w.c.id)
    if subject is not None:
        query = query.where(w.c.subject_code == subject)
    found: dict[str, list[tuple[str | None, Waiver]]] = {}
    for row in conn.execute(query):
        stored = _stored(row)
        found.setdefault(stored.subject_code, []).append((stored.organisation, stored.model()))
    return StoredWaivers({code: tuple(asked) for code, asked in found.items()})


def _event(
    conn: Connection,
    waiver_id: str,
    status: WaiverStatus,
    at: dt.datetime,
    by: str,
    organisation: str | None,
    reason: str | None,
) -> None:
    from sqlalchemy import func, insert, select

    from .schema import waiver_events as e

    last = conn.execute(select(func.max(e.c.seq)).where(e.c.waiver_id == waiver_id)).scalar()
    conn.execute(
        insert(e).values(
            waiver_id=waiver_id,
            seq=(last or 0) + 1,
            status=status,
            at=at,
            by=by,
            organisation=organisation,
            reason=reason,
        )
    )


def _row_values(waiver: Waiver) -> dict[str, Any]:
    scope = waiver.scope
    return {
        "id": waiver.id,
        "subject_code": scope.subject,
        "rubric_id": scope.rubric,
        "rubric_major": scope.rubric_major,
        "criterion": scope.criterion,
        "gate": scope.gate,
        "rounds": None if scope.rounds == ALL_ROUNDS else json.dumps(list(scope.rounds)),
        "justification": waiver.justification,
        "compensating_controls": json.dumps(waiver.compensating_controls),
        "evidence": json.dumps([item.model_dump(mode="json", exclude_none=True) for item in waiver.evidence]),
        "requester": waiver.requester,
        "approver": waiver.approver,
        "approved_on": waiver.approved_on,
        "expires_on": waiver.expires_on,
        "status": waiver.status,
        "fingerprint": waiver.fingerprint,
    }


def _stored(row: ResultRow) -> StoredWaiver:
    values = dict(row._mapping)
    values["rounds"] = None if values["rounds"] is None else tuple(json.loads(values["rounds"]))
    values["compensating_controls"] = tuple(json.loads(values["compensating_controls"]))
    values["evidence"] = tuple(json.loads(values["evidence"]))
    if isinstance(values["requested_at"], dt.datetime) and values["requested_at"].tzinfo is None:
        values["requested_at"] = values["requested_at"].replace(tzinfo=dt.UTC)
    return StoredWaiver(**values)


__all__ = [
    "EXPIRING_DAYS",
    "NO_WAIVERS",
    "MAX_EXPIRING_DAYS",
    "StoredWaiver",
    "StoredWaivers",
    "approved_waivers",
    "InvalidWaiver",
    "WaiverConflict",
    "WaiverEvent",
    "decide",
    "history",
    "in_force",
    "list_waivers",
    "stored_max_months",
    "problems_of",
    "record_request",
    "stored_waiver",
]
