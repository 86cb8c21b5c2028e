"""Export the registry as CSV, Parquet or JSON Lines, streamed from the database in batches."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, TypeAlias, TypedDict, Unpack

from .portfolio.queries import SUBJECT_ROUND, assessing_organisations, benchmark_query, current_submissions
from .store import SUBJECT_COLUMNS, SUBMISSION_FACTS, Registry, columns, rubric_filter

if TYPE_CHECKING:
    from .sqltypes import Condition, Query

# A cell of an exported row, as the database gives it (a timestamp is a dt.datetime, a dt.date too).
Value: TypeAlias = str | int | float | bool | dt.date | None
Row: TypeAlias = dict[str, Value]


class Filters(TypedDict, total=False):
    """The export's filters, as `export_rows`, `exported_rubrics` and the commands pass them on."""

    round_: str | None
    rubric: str | None
    include_superseded: bool


# Column name -> Arrow type, in the order export_query selects them; the same columns in every format.
SUBMISSION_COLUMNS = {
    **{name: {"id": "int64", "assessed_on": "date32"}.get(name, "string") for name in SUBMISSION_FACTS},
    "rubric_major": "int64",
    "overall_score": "float64",
    "overall_level": "int64",
    "completeness": "float64",
    "failed_gates": "int64",
    "outcome": "string",
    "current": "bool",
    "superseded_by": "int64",
    "national_percentile": "float64",
    "national_peers": "int64",
    "org_type_percentile": "float64",
    "org_type_peers": "int64",
    "region_percentile": "float64",
    "region_peers": "int64",
    "assessing_organisations": "int64",
    "source_kind": "string",
    "ingested_at": "timestamp",
}
# The scores table names the assessing organisation by code only.
SCORE_FACTS = ("sha256", *SUBJECT_COLUMNS, "assessed_by_code", "round", "rubric_id", "rubric_version")
SCORE_COLUMNS = {
    "submission_id": "int64",
    **dict.fromkeys(SCORE_FACTS, "string"),
    "current": "bool",
    "scope": "string",
    "scope_id": "string",
    "score": "float64",
    "level": "int64",
    "capped_to": "int64",
    "status": "string",
    "answer": "string",
}
TABLES = {"submissions": SUBMISSION_COLUMNS, "scores": SCORE_COLUMNS}
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
BATCH = 5_000


def neutralise(value: str) -> str:
    """Text a spreadsheet would evaluate, made inert with a leading apostrophe (OWASP's advice)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _conditions(
    *, round_: str | None = None, rubric: str | None = None, include_superseded: bool = False
) -> list[Condition]:
    """The WHERE clauses on submissions that the export's filters make."""
    from .schema import submissions as s

    conditions: list[Condition] = []
    if round_ is not None:
        conditions.append(s.c.round == round_)
    if rubric is not None:
        conditions.append(rubric_filter(s, rubric))
    if not include_superseded:
        conditions.append(s.c.superseded_by.is_(None))
    return conditions


def export_query(
    table: str, *, round_: str | None = None, rubric: str | None = None, include_superseded: bool = False
) -> Query:
    """The SELECT of one export table, filtered, in a stable order."""
    from sqlalchemy import and_, select

    from .schema import scores as sc
    from .schema import submissions as s

    conditions = _conditions(round_=round_, rubric=rubric, include_superseded=include_superseded)
    # Percentiles and counts of assessing organisations are taken within one rubric, major version
    # and round, so the same filters narrow the peers without changing a figure: an export of one
    # round then reads that round only.
    among = _conditions(round_=round_, rubric=rubric, include_superseded=True)
    current = s.c.superseded_by.is_(None).label("current")
    if table == "scores":
        return (
            select(
                sc.c.submission_id,
                *columns(s, SCORE_FACTS),
                current,
                sc.c.scope,
                sc.c.scope_id,
                sc.c.score,
                sc.c.level,
                sc.c.capped_to,
                sc.c.status,
                sc.c.answer,
            )
            .select_from(s.join(sc, sc.c.submission_id == s.c.id))
            .where(*conditions)
            .order_by(s.c.rubric_id, s.c.round, s.c.subject_code, s.c.id, sc.c.scope, sc.c.scope_id)
        )
    overall = sc.alias("overall")
    peers = benchmark_query(current_submissions().where(*among).subquery("cur")).subquery("peers")
    assessing = assessing_organisations(current_submissions().where(*among).subquery("cur")).subquery("assessing")
    return (
        select(
            *columns(s, SUBMISSION_FACTS),
            s.c.rubric_major,
            overall.c.score.label("overall_score"),
            overall.c.level.label("overall_level"),
            s.c.completeness,
            s.c.failed_gate_count.label("failed_gates"),
            s.c.outcome_label.label("outcome"),
            current,
            s.c.superseded_by,
            peers.c.national_percentile,
            peers.c.national_peers,
            peers.c.org_type_percentile,
            peers.c.org_type_peers,
            peers.c.region_percentile,
            peers.c.region_peers,
            assessing.c.organisations,
            s.c.source_kind,
            s.c.ingested_at,
        )
        .select_from(
            s.outerjoin(overall, and_(overall.c.submission_id == s.c.id, overall.c.scope == "overall"))
            .outerjoin(peers, peers.c.id == s.c.id)
            .outerjoin(
                assessing,
                and_(
                    s.c.superseded_by.is_(None),
                    *(assessing.c[name] == s.c[name] for name in SUBJECT_ROUND),
                ),
            )
        )
        .where(*conditions)
        .order_by(s.c.rubric_id, s.c.round, s.c.subject_code, s.c.id)
    )


def export_rows(registry: Registry, table: str, **filters: Unpack[Filters]) -> Iterator[Row]:
    """The rows of one export table as dicts, streamed."""
    names = list(TABLES[table])
    with registry.transaction(snapshot=True) as conn:
        for row in conn.execution_options(yield_per=BATCH).execute(export_query(table, **filters)):
            yield dict(zip(names, row, strict=True))


def exported_rubrics(registry: Registry, **filters: Unpack[Filters]) -> list[dict[str, str]]:
    """Each rubric text (id, version, fingerprint, title) that the exported submissions were scored against."""
    from sqlalchemy import select

    from .schema import rubrics as r
    from .schema import submissions as s

    query = (
        select(r.c.rubric_id, r.c.version, r.c.fingerprint, r.c.title)
        .select_from(s.join(r, r.c.fingerprint == s.c.rubric_fingerprint))
        .where(*_conditions(**filters))
        .distinct()
        .order_by(r.c.rubric_id, r.c.version, r.c.fingerprint)
    )
    with registry.transaction(snapshot=True) as conn:
        return [
            {"id": row.rubric_id, "version": row.version, "fingerprint": row.fingerprint, "title": row.title}
            for row in conn.execute(query)
        ]


def _plain(value: Value) -> str | int | float | bool | None:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.replace(tzinfo=dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def write_csv(rows: Iterator[Row], columns: list[str], stream: IO[str]) -> int:
    """CSV with a header; text cells are neutralised against formula injection."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        cells = []
        for name in columns:
            value = _plain(row[name])
            if value is None:
                value = ""
            elif isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, str):
                value = neutralise(value)
            cells.append(value)
        writer.writerow(cells)
        count += 1
    return count


def write_jsonl(rows: Iterator[Row], stream: IO[str]) -> int:
    count = 0
    for row in rows:
        stream.write(json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_parquet(rows: Iterator[Row], columns: dict[str, str], target: IO[bytes]) -> int:
    """Parquet written in row groups of BATCH rows, so memory stays flat."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {
        "int64": pa.int64(),
        "float64": pa.float64(),
        "string": pa.string(),
        "bool": pa.bool_(),
        "date32": pa.date32(),
        "timestamp": pa.timestamp("us", tz="UTC"),
    }
    schema = pa.schema([(name, types[kind]) for name, kind in columns.items()])
    count = 0
    with pq.ParquetWriter(target, schema) as writer:
        batch: list[Row] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count += len(batch)
                batch = []
        if batch or not count:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


__all__ = [
    "SCORE_COLUMNS",
    "SUBMISSION_COLUMNS",
    "TABLES",
    "export_query",
    "export_rows",
    "exported_rubrics",
    "Filters",
    "Row",
    "Value",
    "neutralise",
    "write_csv",
    "write_jsonl",
    "write_parquet",
]
