"""What the service renders from the registry: a stored submission's report, the portfolio and exports."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, Unpack

from ..assessments.result import Result
from ..assessments.score_files import ScoreOptions, library_for
from .problems import Conflict

if TYPE_CHECKING:
    from ..registry.export import Filters
    from ..registry.sqltypes import ResultRow
    from ..registry.store import Registry

EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/jsonl",
    "parquet": "application/vnd.apache.parquet",
}
CHUNK = 64 * 1024


def report(registry: Registry, row: ResultRow, fmt: str, options: ScoreOptions) -> bytes:
    """The report of a stored submission as `aiassure report --previous` writes it: re-read from its
    stored bytes, compared with the latest earlier round of the same assessment."""
    from ..assessments.validate import check_document
    from ..registry.intake import stored_name
    from ..reports.writer import render_report
    from ..source import load_bytes

    if row.source_kind == "json":
        raise Conflict(f"submission #{row.id} was stored from a result file: there is no submission to report on")
    name = stored_name(row.source_name)
    parsed, found = check_document(
        load_bytes(bytes(row.raw), name, max_bytes=len(row.raw)), library_for(options.rubric_dirs)
    )
    if parsed is None:
        raise Conflict(
            f"submission #{row.id} no longer reads against this service's rubrics",
            [d for d in found if d.is_error],
        )
    return render_report(parsed, [fmt], previous=earlier_results(registry, row))[fmt]


def earlier_results(registry: Registry, row: ResultRow) -> list[Result]:
    """The current results of the same assessment (subject, rubric, assessor) in earlier rounds."""
    from sqlalchemy import select

    from ..registry.schema import submissions as s

    query = select(s.c.result_json).where(
        s.c.subject_type == row.subject_type,
        s.c.subject_code == row.subject_code,
        s.c.rubric_id == row.rubric_id,
        s.c.assessed_by_code.is_(None)
        if row.assessed_by_code is None
        else s.c.assessed_by_code == row.assessed_by_code,
        s.c.round < row.round,
        s.c.superseded_by.is_(None),
    )
    with registry.transaction() as conn:
        return [Result.model_validate_json(text) for text in conn.execute(query).scalars()]


def portfolio(
    registry: Registry,
    *,
    round_: str | None,
    rubric: str | None,
    limit: int,
    region: str | None = None,
    org_type: str | None = None,
    today: dt.date | None = None,
    min_peers: int,
) -> str:
    """The portfolio's figures as `portfolio report --format json` writes them."""
    from ..registry.portfolio import build_portfolio
    from ..reports.portfolio import portfolio_json

    built = build_portfolio(
        registry,
        round_=round_,
        rubric=rubric,
        limit=limit,
        region=region,
        org_type=org_type,
        today=today,
        min_peers=min_peers,
    )
    return portfolio_json(built)


def export(registry: Registry, fmt: str, table: str, **filters: Unpack[Filters]) -> Iterator[bytes]:
    """An export, made whole in memory first (so a failure is an error answer, never a truncated
    file), then streamed in chunks."""
    from ..registry.export import TABLES, export_rows, write_csv, write_jsonl, write_parquet

    columns = TABLES[table]
    rows = export_rows(registry, table, **filters)
    if fmt == "parquet":
        binary = io.BytesIO()
        write_parquet(rows, columns, binary)
        content = binary.getvalue()
    else:
        text = io.StringIO(newline="")
        if fmt == "csv":
            write_csv(rows, list(columns), text)
        else:
            write_jsonl(rows, text)
        content = text.getvalue().encode()
    return (content[start : start + CHUNK] for start in range(0, len(content), CHUNK))
