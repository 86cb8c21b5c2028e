"""The API's routes, thin over the service's library functions so that the portal's pages can call the same ones."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from ..assessments.model import NhsRegion, OrgType
from ..errors import AiassureError
from ..registry.portfolio import DEFAULT_MIN_PEERS, LIST_LIMIT, MAX_LIST_LIMIT, MAX_MIN_PEERS
from ..registry.waivers import EXPIRING_DAYS, MAX_EXPIRING_DAYS
from .app import Service, caller, service_of
from .audit import Event, append, verify
from .clock import iso
from .identity import (
    PERMISSIONS,
    Principal,
    add_organisation,
    create_token,
    list_organisations,
    list_tokens,
    organisation,
    revoke_token,
    token_row,
    token_status,
)
from .models import (
    PRINTABLE,
    AuditEventOut,
    AuditPage,
    AuditVerification,
    Health,
    NewTokenOut,
    OrganisationIn,
    OrganisationOut,
    Page,
    Problem,
    Receipt,
    SubmissionSummary,
    TokenIn,
    TokenOut,
    WaiverDecisionIn,
    WaiverIn,
    WaiverOut,
    WhoAmI,
)
from .submissions import API, MAX_PAGE, Filters, listing, stored_submission, submit, suffix_for, summary, upload_name
from .waivers import Decision

if TYPE_CHECKING:
    from ..registry.sqltypes import ResultRow

router = APIRouter()
Caller = Annotated[Principal, Depends(caller)]
# No control characters in any text parameter (models.PRINTABLE): a 422 here, not a database error.
# Ids are the database's 32-bit integers: anything larger names nothing.
SubmissionId = Annotated[int, Path(ge=1, le=2**31 - 1)]
PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {"application/problem+json": {}}} for status in (401, 403, 404, 422, 429)
}
SUBMISSION_BODY = {
    "requestBody": {
        "required": True,
        "description": "A submission YAML file, a report PDF (its embedded submission is read) or a result JSON",
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


# -- health ----------------------------------------------------------------------------------


@router.get("/healthz", response_model=Health, tags=["health"])
def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, tags=["health"], responses={503: {"model": Health}})
def readyz(request: Request) -> JSONResponse:
    """The registry answers and its schema is at this aiassure's newest revision."""
    checks = _readiness(service_of(request))
    ok = all(value == "ok" for value in checks.values())
    body = Health(status="ok" if ok else "unavailable", checks=checks)
    return JSONResponse(body.model_dump(), 200 if ok else 503)


def _readiness(service: Service) -> dict[str, str]:
    checks: dict[str, str] = {}
    try:
        current, head = service.registry.revisions()
        checks["database"] = "ok"
    except AiassureError as exc:
        return {"database": exc.message}
    checks["migrations"] = "ok" if current == head else f"at {current}, expected {head}: restart to migrate"
    return checks


# -- submissions -----------------------------------------------------------------------------


@router.post(
    f"{API}/submissions",
    status_code=201,
    response_model=Receipt,
    tags=["submissions"],
    openapi_extra=SUBMISSION_BODY,
    responses={
        200: {"model": Receipt, "description": "The same bytes were stored before: their first receipt"},
        **PROBLEMS,
        413: {"model": Problem},
        415: {"model": Problem},
    },
)
async def create_submission(
    request: Request,
    principal: Caller,
    filename: Annotated[
        str | None, Query(max_length=255, pattern=PRINTABLE, description="The file's name, for messages")
    ] = None,
) -> JSONResponse:
    """Validate, score and store one file for the token's organisation, by the same code as
    `registry ingest`: 201 with a receipt, 200 with the first receipt for bytes stored before, 422
    with every located diagnostic, 403 when the file is another organisation's."""
    service = service_of(request)
    suffix = suffix_for(request.headers.get("content-type"))
    raw = await request.body()
    name = upload_name(filename, suffix)
    actor = service.actor(request.scope, principal)
    done = await run_in_threadpool(
        submit, service.registry, principal, actor, raw, name, service.settings.score_options
    )
    receipt = done.receipt
    return JSONResponse(
        receipt.model_dump(mode="json"),
        200 if done.duplicate else 201,
        headers={"Location": receipt.links["self"]},
    )


@router.get(f"{API}/submissions", response_model=Page, tags=["submissions"], responses=PROBLEMS)
def list_submissions(
    request: Request,
    principal: Caller,
    subject: Annotated[
        str | None, Query(max_length=200, pattern=PRINTABLE, description="A subject code or SHA-256 prefix")
    ] = None,
    round: Annotated[str | None, Query(max_length=20, pattern=PRINTABLE, description="YYYY-Qn")] = None,
    rubric: Annotated[
        str | None, Query(max_length=200, pattern=PRINTABLE, description="ID, ID@MAJOR or ID@VERSION")
    ] = None,
    status: Literal["current", "superseded", "all"] = "current",
    assessed_by: Annotated[
        str | None, Query(max_length=64, pattern=PRINTABLE, description="An assessor's code; - for own")
    ] = None,
    after: Annotated[int, Query(ge=0, le=2**31 - 1, description="The last id of the page before")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Page:
    """The submissions the token may see (its organisation's own; everything for an analyst), in id order."""
    filters = Filters(subject, round, rubric, status, assessed_by)
    rows = listing(service_of(request).registry, principal, filters, after=after, limit=limit)
    following = None
    if len(rows) == limit:
        query = request.query_params.multi_items()
        kept = "&".join(f"{k}={v}" for k, v in query if k != "after")
        following = f"{API}/submissions?" + (kept + "&" if kept else "") + f"after={rows[-1].id}"
    return Page(items=[summary(row) for row in rows], next=following)


@router.get(
    f"{API}/submissions/{{submission_id}}", response_model=SubmissionSummary, tags=["submissions"], responses=PROBLEMS
)
def get_submission(request: Request, principal: Caller, submission_id: SubmissionId) -> SubmissionSummary:
    """One submission the token may see; 404 for any other, whether or not it exists."""
    return summary(stored_submission(service_of(request).registry, principal, submission_id))


@router.get(f"{API}/submissions/{{submission_id}}/result", tags=["submissions"], responses=PROBLEMS)
def get_result(request: Request, principal: Caller, submission_id: SubmissionId) -> Response:
    """The result the registry computed and stored (SPEC 4.8), byte for byte."""
    row = stored_submission(service_of(request).registry, principal, submission_id)
    return Response(row.result_json, media_type="application/json")


SOURCE_TYPES = {"yaml": "application/yaml", "pdf": "application/yaml", "json": "application/json"}


@router.get(f"{API}/submissions/{{submission_id}}/source", tags=["submissions"], responses=PROBLEMS)
def get_source(request: Request, principal: Caller, submission_id: SubmissionId) -> Response:
    """The submitted file's bytes (for a report PDF, the submission it embedded)."""
    row = stored_submission(service_of(request).registry, principal, submission_id)
    name = row.source_name.rsplit("[", 1)[-1].rstrip("]").rsplit("/", 1)[-1]
    return Response(
        bytes(row.raw),
        media_type=SOURCE_TYPES.get(row.source_kind, "application/octet-stream"),
        headers={"Content-Disposition": f'attachment; filename="{_header_safe(name)}"'},
    )


@router.get(
    f"{API}/submissions/{{submission_id}}/report.{{fmt}}",
    tags=["submissions"],
    responses={**PROBLEMS, 409: {"model": Problem}},
)
def get_report(
    request: Request, principal: Caller, submission_id: SubmissionId, fmt: Literal["html", "pdf"]
) -> Response:
    """The submission's report, as `aiassure report` makes it (the PDF embeds the result and the
    submission), compared with the same assessment's latest earlier round in the registry."""
    from .outputs import report

    service = service_of(request)
    row = stored_submission(service.registry, principal, submission_id)
    content = report(service.registry, row, fmt, service.settings.score_options)
    media = "text/html; charset=utf-8" if fmt == "html" else "application/pdf"
    stem = _header_safe(
        f"{row.subject_code}-{row.round}" + (f"-by-{row.assessed_by_code}" if row.assessed_by_code else "")
    )
    return Response(content, media_type=media, headers={"Content-Disposition": f'inline; filename="{stem}.{fmt}"'})


def _header_safe(name: str) -> str:
    return "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)


# -- the national view -----------------------------------------------------------------------


@router.get(f"{API}/portfolio", tags=["portfolio"], responses=PROBLEMS)
def get_portfolio(
    request: Request,
    principal: Caller,
    round: Annotated[
        str | None, Query(max_length=20, pattern=PRINTABLE, description="YYYY-Qn; default: each rubric's latest")
    ] = None,
    rubric: Annotated[
        str | None, Query(max_length=200, pattern=PRINTABLE, description="ID, ID@MAJOR or ID@VERSION")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIST_LIMIT, description="Most subjects listed one per row")] = LIST_LIMIT,
    min_peers: Annotated[
        int, Query(ge=1, le=MAX_MIN_PEERS, description="Fewest peers a percentile is given among (null below)")
    ] = DEFAULT_MIN_PEERS,
    region: Annotated[
        NhsRegion | None, Query(description="Only the subjects in this NHS England region (every figure among them)")
    ] = None,
    org_type: Annotated[
        OrgType | None, Query(description="Only the subjects of this organisation type (every figure among them)")
    ] = None,
) -> Response:
    """The portfolio's figures, as `aiassure portfolio report --format json` writes them (analysts),
    over every subject or those of one region and/or organisation type."""
    from .outputs import portfolio

    principal.require("portfolio")
    service = service_of(request)
    text = portfolio(
        service.registry,
        round_=round,
        rubric=rubric,
        limit=limit,
        region=region,
        org_type=org_type,
        today=service.settings.calendar().today,
        min_peers=min_peers,
    )
    return Response(text, media_type="application/json")


@router.get(f"{API}/export.{{fmt}}", tags=["portfolio"], responses=PROBLEMS)
def get_export(
    request: Request,
    principal: Caller,
    fmt: Literal["csv", "jsonl", "parquet"],
    table: Literal["submissions", "scores"] = "submissions",
    round: Annotated[str | None, Query(max_length=20, pattern=PRINTABLE)] = None,
    rubric: Annotated[str | None, Query(max_length=200, pattern=PRINTABLE)] = None,
    status: Literal["current", "all"] = "current",
) -> StreamingResponse:
    """The registry as `aiassure portfolio export` writes it (analysts); `status=all` includes history."""
    from .outputs import EXPORT_FORMATS, export

    principal.require("export")
    chunks = export(
        service_of(request).registry, fmt, table, round_=round, rubric=rubric, include_superseded=status == "all"
    )
    return StreamingResponse(
        chunks,
        media_type=EXPORT_FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="aiassure-{table}.{fmt}"'},
    )


# -- waivers ---------------------------------------------------------------------------------

WaiverId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9-]*$")]
WAIVER_PROBLEMS = {**PROBLEMS, 409: {"model": Problem}}


@router.post(f"{API}/waivers", status_code=201, response_model=WaiverOut, tags=["waivers"], responses=WAIVER_PROBLEMS)
def post_waiver(request: Request, principal: Caller, body: WaiverIn) -> JSONResponse:
    """Ask for a waiver (submitters) of a subject the token's organisation submits: it starts
    `requested`, with the token's name as its requester; 409 when its id is taken."""
    from .waivers import request as ask

    service = service_of(request)
    actor = service.actor(request.scope, principal)
    made = ask(service.registry, principal, actor, body, today=service.settings.calendar().today)
    return JSONResponse(made.model_dump(mode="json"), 201, headers={"Location": made.links["self"]})


@router.get(f"{API}/waivers", response_model=list[WaiverOut], tags=["waivers"], responses=PROBLEMS)
def get_waivers(
    request: Request,
    principal: Caller,
    subject: Annotated[str | None, Query(max_length=100, pattern=PRINTABLE, description="A subject code")] = None,
    rubric: Annotated[
        str | None, Query(max_length=200, pattern=PRINTABLE, description="ID, ID@MAJOR or ID@VERSION")
    ] = None,
    status: Literal["requested", "approved", "rejected", "expired", "revoked"] | None = None,
) -> list[WaiverOut]:
    """The waivers the token may see (its organisation's; every one for an analyst or an approver of
    the AI Lab), by expiry; `status` as of today (an approved waiver is expired from its expires_on on)."""
    from .waivers import listing

    service = service_of(request)
    today = service.settings.calendar().today
    return listing(service.registry, principal, today=today, subject=subject, rubric=rubric, status=status)


@router.get(f"{API}/waivers/expiring", response_model=list[WaiverOut], tags=["waivers"], responses=PROBLEMS)
def get_expiring_waivers(
    request: Request,
    principal: Caller,
    within: Annotated[int, Query(ge=1, le=MAX_EXPIRING_DAYS, description="Days from today")] = EXPIRING_DAYS,
) -> list[WaiverOut]:
    """The approved waivers in force today that expire within `within` days (analysts), soonest first."""
    from .waivers import listing

    service = service_of(request)
    today = service.settings.calendar().today
    return listing(service.registry, principal, today=today, expiring_within=within)


@router.get(f"{API}/waivers/{{waiver_id}}", response_model=WaiverOut, tags=["waivers"], responses=PROBLEMS)
def get_waiver(request: Request, principal: Caller, waiver_id: WaiverId) -> WaiverOut:
    """One waiver the token may see, with its history; 404 for any other, whether or not it exists."""
    from .waivers import one

    service = service_of(request)
    return one(service.registry, principal, waiver_id, today=service.settings.calendar().today)


def _decision_route(action: str, status: Decision, summary: str) -> None:
    def decide_waiver(
        request: Request, principal: Caller, waiver_id: WaiverId, body: WaiverDecisionIn | None = None
    ) -> WaiverOut:
        from .waivers import decide

        service = service_of(request)
        return decide(
            service.registry,
            principal,
            service.actor(request.scope, principal),
            waiver_id,
            status,
            today=service.settings.calendar().today,
            options=service.settings.score_options,
            reason=None if body is None else body.reason,
        )

    router.add_api_route(
        f"{API}/waivers/{{waiver_id}}/{action}",
        decide_waiver,
        methods=["POST"],
        response_model=WaiverOut,
        tags=["waivers"],
        responses={**WAIVER_PROBLEMS, 403: {"model": Problem, "description": "not an approver, or the requester"}},
        summary=summary,
        description=DECISIONS_DESCRIPTION,
        name=f"waiver_{action}",
    )


DECISIONS_DESCRIPTION = (
    "Approvers of the waiver's organisation, or of the AI Lab. A requester may not decide their own "
    "waiver (403 self-approval); a waiver the token may not see is 404; one whose status does not allow "
    "it is 409 (only a requested waiver is approved or rejected, only an approved one revoked); an "
    "approval that would break a rule (an expiry more than the rubric's maximum after today) is 422."
)
DECISIONS: tuple[tuple[str, Decision, str], ...] = (
    ("approve", "approved", "Approve a requested waiver, today"),
    ("reject", "rejected", "Reject a requested waiver"),
    ("revoke", "revoked", "Revoke an approved waiver"),
)
for _action, _status, _summary in DECISIONS:
    _decision_route(_action, _status, _summary)


# -- the caller ------------------------------------------------------------------------------


@router.get(f"{API}/whoami", response_model=WhoAmI, tags=["identity"], responses=PROBLEMS)
def whoami(principal: Caller) -> WhoAmI:
    """The token's name, organisation, role and what the role allows."""
    return WhoAmI(
        name=principal.name,
        token_id=principal.token_id,
        organisation=principal.organisation,
        role=principal.role,
        permissions=sorted(PERMISSIONS[principal.role]),
    )


# -- administration --------------------------------------------------------------------------


@router.get(f"{API}/organisations", response_model=list[OrganisationOut], tags=["admin"], responses=PROBLEMS)
def get_organisations(request: Request, principal: Caller) -> list[OrganisationOut]:
    principal.require("admin")
    with service_of(request).registry.transaction() as conn:
        return [_organisation_out(row) for row in list_organisations(conn)]


@router.post(
    f"{API}/organisations",
    status_code=201,
    response_model=OrganisationOut,
    tags=["admin"],
    responses={**PROBLEMS, 409: {"model": Problem}},
)
def post_organisation(request: Request, principal: Caller, body: OrganisationIn) -> OrganisationOut:
    principal.require("admin")
    service = service_of(request)
    with service.registry.transaction(write=True) as conn:
        row = add_organisation(conn, body.code, body.kind, body.name)
        append(
            conn, service.actor(request.scope, principal), Event("organisation.add", "ok", f"organisation:{body.code}")
        )
    return _organisation_out(row)


@router.get(f"{API}/organisations/{{code}}", response_model=OrganisationOut, tags=["admin"], responses=PROBLEMS)
def get_organisation(
    request: Request, principal: Caller, code: Annotated[str, Path(max_length=64, pattern=PRINTABLE)]
) -> OrganisationOut:
    principal.require("admin")
    with service_of(request).registry.transaction() as conn:
        return _organisation_out(organisation(conn, code))


@router.get(f"{API}/tokens", response_model=list[TokenOut], tags=["admin"], responses=PROBLEMS)
def get_tokens(
    request: Request,
    principal: Caller,
    organisation: Annotated[str | None, Query(max_length=64, pattern=PRINTABLE)] = None,
) -> list[TokenOut]:
    principal.require("admin")
    with service_of(request).registry.transaction() as conn:
        return [token_out(row) for row in list_tokens(conn, organisation)]


@router.post(f"{API}/tokens", status_code=201, response_model=NewTokenOut, tags=["admin"], responses=PROBLEMS)
def post_token(request: Request, principal: Caller, body: TokenIn) -> NewTokenOut:
    """A new token; its secret is in this answer only."""
    principal.require("admin")
    service = service_of(request)
    with service.registry.transaction(write=True) as conn:
        made = create_token(
            conn,
            org=body.organisation,
            role=body.role,
            name=body.name,
            expires_in_days=body.expires_in_days,
            created_by=principal.name,
        )
        append(
            conn, service.actor(request.scope, principal), Event("token.create", "ok", f"token:{made.id}", body.role)
        )
        row = token_row(conn, made.id)
    return NewTokenOut(**token_out(row).model_dump(), token=made.token)


@router.get(f"{API}/tokens/{{token_id}}", response_model=TokenOut, tags=["admin"], responses=PROBLEMS)
def get_token(
    request: Request, principal: Caller, token_id: Annotated[str, Path(max_length=64, pattern=PRINTABLE)]
) -> TokenOut:
    principal.require("admin")
    with service_of(request).registry.transaction() as conn:
        return token_out(token_row(conn, token_id))


@router.post(f"{API}/tokens/{{token_id}}/revoke", response_model=TokenOut, tags=["admin"], responses=PROBLEMS)
def post_revoke(
    request: Request, principal: Caller, token_id: Annotated[str, Path(max_length=64, pattern=PRINTABLE)]
) -> TokenOut:
    """Revoke a token for good (again: no change)."""
    principal.require("admin")
    service = service_of(request)
    with service.registry.transaction(write=True) as conn:
        revoke_token(conn, token_id)
        append(conn, service.actor(request.scope, principal), Event("token.revoke", "ok", f"token:{token_id}"))
        row = token_row(conn, token_id)
    return token_out(row)


@router.get(f"{API}/audit", response_model=AuditPage, tags=["admin"], responses=PROBLEMS)
def get_audit(
    request: Request,
    principal: Caller,
    after: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> AuditPage:
    """The audit trail, oldest first, a page at a time."""
    from .audit import events

    principal.require("admin")
    rows = list(events(service_of(request).registry, after=after, limit=limit))
    following = f"{API}/audit?after={rows[-1].id}&limit={limit}" if len(rows) == limit else None
    return AuditPage(items=[AuditEventOut(**row._mapping) for row in rows], next=following)


@router.get(f"{API}/audit/verify", response_model=AuditVerification, tags=["admin"], responses=PROBLEMS)
def get_audit_verify(request: Request, principal: Caller) -> AuditVerification:
    """Walk the audit trail's hash chain: every edit or deletion shows."""
    principal.require("admin")
    found = verify(service_of(request).registry)
    return AuditVerification(ok=found.ok, events=found.events, head=found.head, problems=found.problems)


def _organisation_out(row: ResultRow | Mapping[str, Any]) -> OrganisationOut:
    values = row if isinstance(row, Mapping) else row._mapping
    return OrganisationOut(
        code=values["code"], kind=values["kind"], name=values["name"], created_at=iso(values["created_at"])
    )


def token_out(row: ResultRow) -> TokenOut:
    return TokenOut(
        id=row.id,
        name=row.name,
        organisation=row.organisation,
        role=row.role,
        created_at=iso(row.created_at),
        created_by=row.created_by,
        expires_at=iso(row.expires_at),
        last_used_at=None if row.last_used_at is None else iso(row.last_used_at),
        revoked_at=None if row.revoked_at is None else iso(row.revoked_at),
        status=token_status(row),
    )
