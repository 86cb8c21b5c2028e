"""Submissions over HTTP: read by the registry's own intake, checked against the caller's organisation, receipted."""

from __future__ import annotations

import dataclasses
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..assessments.result import Result
from ..assessments.score_files import ScoreOptions
from ..errors import AiassureError, Diagnostic, Location, RegistryError
from ..fsutil import write_atomic
from ..registry.waivers import NO_WAIVERS, StoredWaivers, approved_waivers
from .audit import Actor, Event, append, append_alone
from .clock import iso
from .identity import Principal, check_submission_scope, owner_clause
from .models import Receipt, ReceiptStatus, ResultSummary, Score, Subject, SubmissionSummary
from .problems import InvalidRequest, InvalidSubmission, NotFound, ServiceProblem, UnsupportedMediaType

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.sql.expression import FromClause

    from ..registry.intake import Intake
    from ..registry.sqltypes import Condition, ResultRow
    from ..registry.store import Registry, Stored

API = "/api/v1"
# The kinds of body the service takes, by media type, and the suffix `registry ingest` reads them by.
MEDIA_TYPES = {
    "application/yaml": ".yaml",
    "application/x-yaml": ".yaml",
    "text/yaml": ".yaml",
    "text/x-yaml": ".yaml",
    "application/json": ".json",
    "application/pdf": ".pdf",
}
DEFAULT_NAMES = {".yaml": "submission.yaml", ".json": "result.json", ".pdf": "report.pdf"}
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
MAX_NAME = 120


def suffix_for(content_type: str | None) -> str:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media not in MEDIA_TYPES:
        raise UnsupportedMediaType(
            f"Content-Type {media or '(none)'} is not taken: send a submission as application/yaml, "
            "a report PDF as application/pdf, or a result as application/json"
        )
    return MEDIA_TYPES[media]


def upload_name(filename: str | None, suffix: str) -> str:
    """The client's file name reduced to a safe base name with the suffix of its media type: what
    diagnostics and the registry call the file."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = _UNSAFE_NAME.sub("_", base.rsplit(".", 1)[0] if "." in base else base).strip("._")[:MAX_NAME]
    return stem + suffix if stem else DEFAULT_NAMES[suffix]


def read_upload(raw: bytes, name: str, options: ScoreOptions, waivers: StoredWaivers = NO_WAIVERS) -> Intake:
    """Validate and score an uploaded file with `registry ingest`'s own reader (`read_input`, with the
    registry's `waivers`), on a private copy in a folder of its own; the file and every diagnostic
    are named `name`."""
    from ..registry.intake import read_input

    with tempfile.TemporaryDirectory(prefix="aiassure-upload-") as folder:
        path = Path(folder) / name
        write_atomic(path, raw)  # like every write of aiassure's; the folder is private anyway
        prefix = f"{folder}/"
        try:
            intake = read_input(path, options, waivers)
        except AiassureError as exc:
            exc.diagnostics = [_unprefixed(d, prefix) for d in exc.diagnostics]
            exc.message = exc.message.replace(prefix, "")
            raise
    return dataclasses.replace(intake, source=intake.source.removeprefix(prefix))


def _unprefixed(diagnostic: Diagnostic, prefix: str) -> Diagnostic:
    where = diagnostic.location
    if not where.file.startswith(prefix):
        return diagnostic
    return dataclasses.replace(diagnostic, location=Location(where.file[len(prefix) :], where.line, where.column))


@dataclass(frozen=True)
class Submitted:
    """A submission's receipt, and whether the bytes were stored before (200: sent again, or a result
    file confirmed against them) or now (201)."""

    receipt: Receipt
    duplicate: bool


def submit(
    registry: Registry, principal: Principal, actor: Actor, raw: bytes, name: str, options: ScoreOptions
) -> Submitted:
    """Validate, score, check and store one file; every refusal is audited and nothing refused is stored."""
    principal.require("submit")
    try:
        intake = read_upload(raw, name, options, approved_waivers(registry))
        check_submission_scope(principal, intake)
    except AiassureError as exc:
        problem = exc if isinstance(exc, ServiceProblem) else InvalidSubmission(exc.message, exc.diagnostics)
        errors = sum(1 for d in problem.diagnostics if d.is_error)
        reason = f"{problem.slug}: {errors} error(s)" if errors else f"{problem.slug}: {problem.message}"
        append_alone(registry, actor, Event("submission.submit", "refused", f"file:{name}", reason))
        problem.audited = True
        raise problem from None
    made: dict[str, Receipt] = {}

    def also(conn: Connection, stored: Stored) -> None:
        made["receipt"] = _receipt(conn, stored, intake.result, principal)
        append(conn, actor, Event("submission.submit", "ok", f"submission:{stored.submission_id}", stored.status))

    try:
        stored = registry.store(intake, also=also)
    except RegistryError:  # the registry itself failed: 503, not the file's fault
        raise
    except AiassureError as exc:  # refused when stored (a rubric conflict, a value the database cannot hold)
        problem = exc if isinstance(exc, ServiceProblem) else InvalidSubmission(exc.message, exc.diagnostics)
        reason = f"{problem.slug}: {', '.join(d.code for d in problem.diagnostics) or problem.message}"
        append_alone(registry, actor, Event("submission.submit", "refused", f"file:{name}", reason))
        problem.audited = True
        raise problem from None
    return Submitted(made["receipt"], duplicate=stored.status in ("duplicate", "confirmed"))


def _receipt(conn: Connection, stored: Stored, result: Result, principal: Principal) -> Receipt:
    """The first receipt of the stored bytes: the one given before, or a new one kept for next time."""
    from sqlalchemy import insert, select

    from ..registry.schema import submissions as s
    from .tables import receipts

    kept = conn.execute(select(receipts.c.body).where(receipts.c.submission_id == stored.submission_id)).scalar()
    if kept is not None:
        return Receipt.model_validate_json(kept)
    row = conn.execute(select(s).where(s.c.id == stored.submission_id)).one()
    status: ReceiptStatus
    # Stored by `registry ingest` and first sent to the service now: the same bytes again, or a result
    # file confirmed against them (a result is evidence, never input, so it has no receipt of its own).
    if stored.status == "duplicate" or stored.status == "confirmed":
        status = "registered"
        supersedes = conn.execute(select(s.c.id).where(s.c.superseded_by == row.id).limit(1)).scalar()
        current = row.superseded_by or row.id
        submitted_by = None
        result = Result.model_validate_json(row.result_json)
    else:
        status = stored.status  # new, superseding or history
        supersedes = stored.other_id if status == "superseding" else None
        current = stored.other_id if status == "history" else row.id
        submitted_by = {"organisation": principal.organisation, "token": principal.token_id}
    receipt = Receipt(
        id=row.id,
        sha256=row.sha256,
        received_at=iso(row.ingested_at),
        status=status,
        supersedes=supersedes,
        current_id=current,
        source={"kind": row.source_kind, "name": row.source_name},
        subject=_subject(row),
        assessed_by=row.assessed_by_code,
        round=row.round,
        rubric={"id": result.rubric.id, "version": result.rubric.version, "fingerprint": result.rubric.fingerprint},
        result=summary_of(result),
        submitted_by=submitted_by,
        links=links(row.id),
    )
    conn.execute(
        insert(receipts).values(
            submission_id=row.id,
            organisation=principal.organisation if submitted_by else None,
            token_id=principal.token_id if submitted_by else None,
            body=receipt.model_dump_json(),
        )
    )
    return receipt


def summary_of(result: Result) -> ResultSummary:
    overall = result.overall
    return ResultSummary(
        overall=Score(id="overall", score=overall.score, level=overall.level, label=overall.label),
        pillars=[Score(id=p.id, score=p.score, level=p.level, label=p.label) for p in result.pillars],
        outcome=result.outcome.label if result.outcome else None,
        completeness=result.completeness,
        failed_gates=[g.criterion for g in result.failed_gates],
        warnings=len(result.warnings),
    )


def links(submission_id: int) -> dict[str, str]:
    base = f"{API}/submissions/{submission_id}"
    return {
        "self": base,
        "result": f"{base}/result",
        "source": f"{base}/source",
        "report_html": f"{base}/report.html",
        "report_pdf": f"{base}/report.pdf",
    }


def _subject(row: ResultRow) -> Subject:
    return Subject(
        type=row.subject_type,
        code=row.subject_code,
        name=row.subject_name,
        org_type=row.org_type,
        region=row.region,
        supplier_code=row.supplier_code,
    )


# -- reading ---------------------------------------------------------------------------------

STATUSES = ("current", "superseded", "all")
MAX_PAGE = 500


@dataclass(frozen=True)
class Filters:
    """What a listing is narrowed to; every value is optional."""

    subject: str | None = None
    round: str | None = None
    rubric: str | None = None
    status: str = "current"
    assessed_by: str | None = None


def visible(principal: Principal, table: FromClause) -> Condition | None:
    """The caller's scope as a WHERE clause, or None for everything (an analyst)."""
    principal.require("read-own")
    if principal.reads_everything:
        return None
    return owner_clause(table, principal.organisation or "")


def listing(
    registry: Registry, principal: Principal, filters: Filters, *, after: int = 0, limit: int = 50
) -> list[ResultRow]:
    """One page of the submissions the caller may see, in id order after `after`."""
    from sqlalchemy import and_, select

    from ..registry.schema import scores as sc
    from ..registry.schema import submissions as s
    from ..registry.store import assessor_filter, rubric_filter, subject_filter

    if filters.status not in STATUSES:
        raise InvalidRequest(f"status {filters.status!r}: expected one of {', '.join(STATUSES)}")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidRequest(f"limit {limit}: expected 1 to {MAX_PAGE}")
    query = (
        select(s, sc.c.score.label("overall_score"), sc.c.level.label("overall_level"))
        .select_from(s.outerjoin(sc, and_(sc.c.submission_id == s.c.id, sc.c.scope == "overall")))
        .where(s.c.id > after)
        .order_by(s.c.id)
        .limit(limit)
    )
    scope = visible(principal, s)
    if scope is not None:
        query = query.where(scope)
    if filters.round is not None:
        query = query.where(s.c.round == filters.round)
    if filters.rubric is not None:
        query = query.where(rubric_filter(s, filters.rubric))
    if filters.subject is not None:
        query = query.where(subject_filter(s, filters.subject))
    if filters.assessed_by is not None:
        query = query.where(assessor_filter(s, filters.assessed_by))
    if filters.status == "current":
        query = query.where(s.c.superseded_by.is_(None))
    elif filters.status == "superseded":
        query = query.where(s.c.superseded_by.is_not(None))
    with registry.transaction() as conn:
        return list(conn.execute(query))


def stored_submission(registry: Registry, principal: Principal, submission_id: int) -> ResultRow:
    """One submission, whole, if the caller may see it; otherwise NotFound, as if it did not exist."""
    from sqlalchemy import and_, select

    from ..registry.schema import scores as sc
    from ..registry.schema import submissions as s

    query = (
        select(s, sc.c.score.label("overall_score"), sc.c.level.label("overall_level"))
        .select_from(s.outerjoin(sc, and_(sc.c.submission_id == s.c.id, sc.c.scope == "overall")))
        .where(s.c.id == submission_id)
    )
    scope = visible(principal, s)
    if scope is not None:
        query = query.where(scope)
    with registry.transaction() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no submission #{submission_id}")
    return row


def summary(row: ResultRow) -> SubmissionSummary:
    return SubmissionSummary(
        id=row.id,
        sha256=row.sha256,
        subject=_subject(row),
        assessed_by=None
        if row.assessed_by_code is None
        else {"code": row.assessed_by_code, "name": row.assessed_by_name},
        round=row.round,
        assessed_on=row.assessed_on.isoformat(),
        rubric={"id": row.rubric_id, "version": row.rubric_version},
        overall={"score": row.overall_score, "level": row.overall_level},
        failed_gates=row.failed_gate_count,
        completeness=row.completeness,
        outcome=row.outcome_label,
        current=row.superseded_by is None,
        superseded_by=row.superseded_by,
        source={"kind": row.source_kind, "name": row.source_name},
        ingested_at=iso(row.ingested_at),
        links=links(row.id),
    )
