"""The service's JSON bodies as pydantic models: what the OpenAPI description promises and the handlers return."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .identity import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, Role

# Text without control characters (a NUL is refused by PostgreSQL; none belongs in a name).
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
# The same, with line breaks and tabs allowed: a justification is prose.
_MULTILINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProblemError(_Body):
    """One located diagnostic, as `aiassure validate` prints it."""

    code: str
    severity: Literal["error", "warning"]
    message: str
    location: str = Field(description="file:line:column, or the file alone")
    file: str
    line: int | None
    column: int | None
    path: str = Field(description="the dotted path inside the document, like answers.gov-01.level")
    hint: str


class Problem(_Body):
    """RFC 9457 problem details, with every diagnostic of a refused file."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    request_id: str | None = None
    errors: list[ProblemError] = Field(default_factory=list)


class Subject(_Body):
    type: str
    code: str
    name: str
    org_type: str | None = None
    region: str | None = None
    supplier_code: str | None = None


class Score(_Body):
    id: str
    score: float | None
    level: int | None
    label: str | None


class ResultSummary(_Body):
    overall: Score
    pillars: list[Score]
    outcome: str | None
    completeness: float | None
    failed_gates: list[str]
    warnings: int


ReceiptStatus = Literal["new", "superseding", "history", "registered"]


class Receipt(_Body):
    """What the service gives for a stored submission; the same bytes sent again get the same receipt."""

    id: int
    sha256: str
    received_at: str
    status: ReceiptStatus = Field(
        description="new; superseding (replaced `supersedes` as the current assessment); history (an "
        "assessment dated later, `current_id`, stays current); registered (stored before, by `registry ingest`)"
    )
    supersedes: int | None
    current_id: int
    source: dict[str, str]
    subject: Subject
    assessed_by: str | None
    round: str
    rubric: dict[str, str]
    result: ResultSummary
    submitted_by: dict[str, str | None] | None
    links: dict[str, str]


class SubmissionSummary(_Body):
    id: int
    sha256: str
    subject: Subject
    assessed_by: dict[str, str | None] | None
    round: str
    assessed_on: str
    rubric: dict[str, str]
    overall: dict[str, Any]
    failed_gates: int
    completeness: float | None
    outcome: str | None
    current: bool
    superseded_by: int | None
    source: dict[str, str]
    ingested_at: str
    links: dict[str, str]


class Page(_Body):
    items: list[SubmissionSummary]
    next: str | None = Field(description="the URL of the next page, or null on the last")


class OrganisationIn(_Body):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    kind: Literal["ods", "supplier"]
    name: str = Field(min_length=1, max_length=300, pattern=PRINTABLE)


class OrganisationOut(_Body):
    code: str
    kind: str
    name: str
    created_at: str


class TokenIn(_Body):
    organisation: str = Field(min_length=1, max_length=64, pattern=PRINTABLE)
    role: Role
    name: str = Field(min_length=1, max_length=200, pattern=PRINTABLE)
    expires_in_days: int = Field(DEFAULT_TOKEN_DAYS, ge=1, le=MAX_TOKEN_DAYS)


class TokenOut(_Body):
    id: str
    name: str
    organisation: str
    role: str
    created_at: str
    created_by: str
    expires_at: str
    last_used_at: str | None
    revoked_at: str | None
    status: Literal["active", "expired", "revoked"]


class NewTokenOut(TokenOut):
    token: str = Field(description="shown this once: the service keeps only its hash")


class WhoAmI(_Body):
    name: str
    token_id: str | None
    organisation: str | None
    role: str
    permissions: list[str]


class AuditEventOut(_Body):
    id: int
    at: str
    principal: str
    token_id: str | None
    organisation: str | None
    action: str
    object: str | None
    outcome: str
    reason: str | None
    request_id: str | None
    client: str | None
    prev_hash: str
    hash: str


class AuditPage(_Body):
    items: list[AuditEventOut]
    next: str | None


class AuditVerification(_Body):
    ok: bool
    events: int
    head: str
    problems: list[str]


# -- waivers -----------------------------------------------------------------------------------

_SLUG = r"^[a-z0-9][a-z0-9-]*$"
_IDENTIFIER = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
_ROUND = r"^[0-9]{4}-Q[1-4]$"
_DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


class WaiverScopeIn(_Body):
    """What the waiver covers: exactly one of `criterion` (left out like `na`) or `gate` (the id of
    the criterion whose gate does not cap), of one subject under one rubric's major version."""

    subject: str = Field(min_length=1, max_length=100, pattern=_IDENTIFIER, description="the subject's code")
    rubric: str = Field(min_length=1, max_length=100, pattern=_SLUG)
    rubric_major: int = Field(ge=0, le=2**31 - 1)
    criterion: str | None = Field(None, min_length=1, max_length=100, pattern=_IDENTIFIER)
    gate: str | None = Field(None, min_length=1, max_length=100, pattern=_IDENTIFIER)
    rounds: list[Annotated[str, Field(pattern=_ROUND)]] | Literal["all"] = Field(
        max_length=400, description='the rounds it covers (YYYY-Qn), or "all"'
    )


class EvidenceIn(_Body):
    title: str = Field(min_length=1, max_length=500, pattern=PRINTABLE)
    url: str | None = Field(None, min_length=1, max_length=2048, pattern=r"^https?://[^\x00-\x20\x7f]+$")
    sha256: str | None = Field(None, pattern=r"^[0-9a-fA-F]{64}$")
    date: str | None = Field(None, pattern=_DAY)


class WaiverIn(_Body):
    """A waiver request: the requester is the token's name, and it starts `requested`."""

    id: str = Field(min_length=1, max_length=100, pattern=_SLUG)
    scope: WaiverScopeIn
    justification: str = Field(min_length=1, max_length=10_000, pattern=_MULTILINE)
    compensating_controls: list[Annotated[str, Field(min_length=1, max_length=2_000, pattern=_MULTILINE)]] = Field(
        default_factory=list, max_length=100
    )
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=100)
    expires_on: str = Field(pattern=_DAY, description="the first day it no longer applies (Europe/London)")


class WaiverDecisionIn(_Body):
    reason: str | None = Field(None, min_length=1, max_length=2_000, pattern=_MULTILINE)


class WaiverEventOut(_Body):
    status: str
    at: str
    by: str
    organisation: str | None
    reason: str | None


class WaiverOut(_Body):
    id: str
    scope: dict[str, Any]
    justification: str
    compensating_controls: list[str]
    evidence: list[dict[str, Any]]
    requester: str
    approver: str | None
    approved_on: str | None
    expires_on: str
    status: Literal["requested", "approved", "rejected", "expired", "revoked"] = Field(
        description="as of today: an approved waiver is expired from its expires_on on"
    )
    fingerprint: str
    organisation: str | None = Field(description="the organisation that asked for it")
    requested_at: str
    history: list[WaiverEventOut]
    links: dict[str, str]


class Health(_Body):
    status: Literal["ok", "unavailable"]
    checks: dict[str, str] = Field(default_factory=dict)
