"""Open a registry (SQLite or PostgreSQL, one code path), migrate it, and store each input in its own transaction."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from ..errors import Diagnostic, InputError, Location, NotFoundError, RegistryError, UsageError
from .intake import Intake, RubricRecord, major_of

if TYPE_CHECKING:
    # Types only: importing SQLAlchemy costs the CLI's start-up, so code imports it where it runs.
    import sqlite3

    from alembic.config import Config as AlembicConfig
    from sqlalchemy import ColumnElement, Connection, RowMapping, Table
    from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
    from sqlalchemy.engine import Engine
    from sqlalchemy.sql.elements import KeyedColumnElement
    from sqlalchemy.sql.expression import FromClause

T = TypeVar("T")

DEFAULT_URL = "sqlite:///aiassure.db"
ENV_DB = "AIASSURE_DB"
MIGRATIONS = Path(__file__).parent / "migrations"
# Concurrent writers queue on SQLite's lock rather than fail; a minute covers long ingests.
SQLITE_BUSY_TIMEOUT_SECONDS = 60
# Any fixed number: the PostgreSQL advisory lock that serialises schema migrations.
MIGRATION_LOCK = 0x6169617373  # "aiass"
OWN = "-"  # `--assessed-by -`: the subjects' own submissions, assessed by no other organisation
# The query planner's statistics are taken again once the registry holds this many times the
# submissions it held when they were last taken (see Registry.refresh_statistics).
STATISTICS_GROWTH = 1.25
# Column names of the submissions table that listings, exports and the portfolio select, kept here
# so that each reads them in the same order. Whose submission a row is: the subject...
SUBJECT_COLUMNS = ("subject_type", "subject_code", "subject_name", "org_type", "region")
# ...and the organisation that carried out the assessment (null for the subject's own submission).
ASSESSOR_COLUMNS = ("assessed_by_code", "assessed_by_name")
# What a listed or exported submission starts with: which file, whose, when, against what.
SUBMISSION_FACTS = (
    "id",
    "sha256",
    *SUBJECT_COLUMNS,
    *ASSESSOR_COLUMNS,
    "round",
    "assessed_on",
    "rubric_id",
    "rubric_version",
)


def registry_url(given: str | None = None) -> str:
    """The registry URL from --db, else AIASSURE_DB, else ./aiassure.db; a bare path means SQLite."""
    url = given or os.environ.get(ENV_DB) or DEFAULT_URL
    if "://" not in url:
        return f"sqlite:///{url}"
    scheme, rest = url.split("://", 1)
    if scheme in ("postgres", "postgresql"):  # psycopg (3) is the driver aiassure ships with
        return f"postgresql+psycopg://{rest}"
    return url


def shown_url(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # unparsable: show no more than its scheme
        return url.split("://", 1)[0] + "://…"


# confirmed: a result file equal to what its stored submission scores (it creates no row)
StoreStatus = Literal["new", "superseding", "history", "duplicate", "confirmed"]


@dataclass(frozen=True)
class Stored:
    """What storing one intake did."""

    status: StoreStatus
    submission_id: int
    other_id: int | None = None  # superseding: the one it replaced; history: the one that stays current

    @property
    def superseded(self) -> bool:
        """Whether a stored submission stopped (or never started) being current because of this one."""
        return self.status in ("superseding", "history")


@dataclass(frozen=True, slots=True)
class ListedSubmission:
    """One submission as `Registry.listing` gives it: whose, when, against what, with its overall score."""

    id: int
    sha256: str
    subject_type: str
    subject_code: str
    subject_name: str
    org_type: str
    region: str | None
    assessed_by_code: str | None
    assessed_by_name: str | None
    round: str
    assessed_on: dt.date
    rubric_id: str
    rubric_version: str
    overall_score: float | None
    overall_level: int | None
    failed_gate_count: int
    completeness: float | None
    outcome_label: str | None
    superseded_by: int | None
    source_kind: str
    source_name: str
    ingested_at: dt.datetime


# What `Registry.store` runs inside its transaction once it knows what storing did.
StoreHook = Callable[["Connection", Stored], None]


@dataclass(frozen=True, slots=True)
class StoredScore:
    """One stored score of a submission: overall, a pillar, a domain or a criterion (its credited level)."""

    submission_id: int
    scope: str
    scope_id: str
    score: float | None
    level: int | None
    capped_to: int | None
    status: str | None
    answer: str | None  # a criterion's answer as JSON (`answer_json`); None otherwise or unanswered


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A stored submission's file as it was given, and the result JSON it gave."""

    id: int
    source_kind: str
    source_name: str
    raw: bytes
    result_json: str


@dataclass(frozen=True, slots=True)
class AcceptedRubric:
    """A rubric text the registry has accepted, and how many stored submissions were scored against it."""

    rubric_id: str
    version: str
    fingerprint: str
    title: str
    subject: str
    submissions: int


def _row_as(kind: type[T], row: RowMapping) -> T:
    """A row dataclass from a result row whose column labels are its field names."""
    return kind(**row)


class Registry:
    """A registry database: SQLite in WAL mode, or PostgreSQL; the same statements on both."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self._known_rubrics: set[str] = set()

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @property
    def shown(self) -> str:
        return shown_url(self.url)

    @contextlib.contextmanager
    def transaction(
        self, *, write: bool = False, snapshot: bool = False, storing: str | None = None
    ) -> Iterator[Connection]:
        """A connection inside one transaction, committed on success. With `storing` (the input
        being stored), an error that is that input's own (a value the database refuses, a
        constraint, an index row too large: see `StorageRefused.of`) rolls back and is
        StorageRefused, so a batch rejects that file and goes on; any other is RegistryError.

        SQLite writers take the write lock up front (BEGIN IMMEDIATE), so two writers never
        deadlock upgrading read locks. With `snapshot`, every statement sees the same data
        (PostgreSQL: REPEATABLE READ; a SQLite read transaction always does)."""
        from sqlalchemy.exc import DBAPIError

        try:
            with self.engine.connect() as conn:
                conn.execution_options(aiassure_write=write)
                if snapshot and self.is_postgres:
                    conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    yield conn
        except (DBAPIError, OverflowError) as exc:
            refused = StorageRefused.of(exc, storing) if storing is not None else None
            if refused is not None:
                raise refused from None
            if isinstance(exc, OverflowError):
                raise
            raise RegistryError(f"registry {self.shown}: {_reason(exc)}") from None

    def close(self) -> None:
        self.engine.dispose()

    # -- schema -----------------------------------------------------------------------------

    def revisions(self) -> tuple[str | None, str | None]:
        """(the schema revision of the database, the newest this aiassure knows)."""
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        with self.transaction() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        return current, ScriptDirectory.from_config(migrations_config()).get_current_head()

    def migrate(self) -> None:
        """Bring the schema to the newest revision; concurrent openers wait for one another."""
        from alembic import command
        from alembic.script import ScriptDirectory
        from sqlalchemy import text

        config = migrations_config()
        script = ScriptDirectory.from_config(config)
        current, head = self.revisions()
        if current == head:
            return
        if current is not None and current not in {r.revision for r in script.walk_revisions()}:
            raise RegistryError(
                f"registry {self.shown} has schema revision {current}, which this aiassure does not know: "
                "it was written by a newer aiassure; upgrade aiassure"
            )
        with self.transaction(write=True) as conn:
            if self.is_postgres:
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    # -- writing ----------------------------------------------------------------------------

    def store(self, intake: Intake, *, also: StoreHook | None = None) -> Stored:
        """Store one intake (see `_store`); a result file is never stored, only confirmed (see `confirm`)."""
        if intake.kind == "json":
            return self.confirm(intake, also=also)
        return self._store(intake, also=also)

    def confirm(self, intake: Intake, *, also: StoreHook | None = None) -> Stored:
        """A result file is evidence, never input: it is accepted only when the submission it names
        is stored, and then only if every field equals what the engine computed from that
        submission's bytes (`score-mismatch` naming the field otherwise). It creates no row."""
        from sqlalchemy import select

        from ..assessments.inputs import check_against
        from ..assessments.result import Result
        from .schema import submissions as s

        with self.transaction() as conn:
            row = conn.execute(
                select(s.c.id, s.c.result_json, s.c.source_name).where(s.c.sha256 == intake.sha256)
            ).first()
        if row is None:
            message = (
                f"the result names submission {intake.sha256[:12]}…, which is not in the registry: "
                "a result file alone never creates a row"
            )
            raise InputError(
                f"{intake.source}: {message}",
                [
                    Diagnostic(
                        "result-without-submission",
                        message,
                        Location(intake.source),
                        hint="ingest the submission YAML (or its PDF report) with it, or first",
                    )
                ],
            )
        computed = Result.model_validate_json(row.result_json)
        problems = check_against(intake.raw, intake.source, computed, f"scoring the stored submission #{row.id} gives")
        if problems:
            raise InputError(f"{intake.source}: does not match the stored submission #{row.id}", problems)
        if also is None:
            return Stored("confirmed", row.id)
        with self.transaction(write=True, storing=intake.source) as conn:
            return _also(conn, also, Stored("confirmed", row.id))

    def _store(self, intake: Intake, *, also: StoreHook | None = None) -> Stored:
        """Store one intake in one transaction: the SHA-256 makes a repeat a no-op, and a newer
        submission of the same assessment (rubric, subject, assessing organisation and round)
        supersedes the current one. `also(connection, stored)` runs inside that transaction, so
        what it writes (the service's receipt and audit event) commits or rolls back with it.

        The newer of two is the one assessed later; on the same date, the one ingested later.
        Writers of the same assessment are serialised (SQLite: the database write lock;
        PostgreSQL: an advisory lock on the assessment's key), and the database itself refuses a
        second current submission and a second copy of the same bytes."""
        from sqlalchemy import func, select, update

        from .schema import submissions as s

        result = intake.result
        subject = result.subject
        assessor = intake.assessed_by[0] if intake.assessed_by else None
        key = (result.rubric.id, subject.type, subject.code, assessor or "", result.round)
        assessed_on = dt.date.fromisoformat(result.assessed_on)
        values = _submission_row(intake, assessed_on, superseded_by=None)
        score_rows, gate_rows = _score_rows(intake)
        check_storable(intake.source, values, _rubric_row(intake.rubric), score_rows, gate_rows)
        with self.transaction(write=True, storing=intake.source) as conn:
            if self.is_postgres:
                conn.execute(select(func.pg_advisory_xact_lock(func.hashtext("\x1f".join(key)))))
            self._ensure_rubric(conn, intake.rubric, intake.source)
            current = conn.execute(
                select(s.c.id, s.c.assessed_on, s.c.sha256).where(
                    s.c.rubric_id == result.rubric.id,
                    s.c.subject_type == subject.type,
                    s.c.subject_code == subject.code,
                    s.c.assessed_by_code.is_(None) if assessor is None else s.c.assessed_by_code == assessor,
                    s.c.round == result.round,
                    s.c.superseded_by.is_(None),
                )
            ).first()
            if current is not None and current.sha256 == intake.sha256:
                return _also(conn, also, Stored("duplicate", current.id))
            # A superseding row is inserted pointing at the current one, so that at no moment are
            # two rows current; the pointers are then swapped.
            values["superseded_by"] = None if current is None else current.id
            inserted = conn.execute(
                self._insert(s).values(**values).on_conflict_do_nothing(index_elements=["sha256"]).returning(s.c.id)
            ).scalar()
            if inserted is None:
                existing = conn.execute(select(s.c.id).where(s.c.sha256 == intake.sha256)).scalar_one()
                return _also(conn, also, Stored("duplicate", existing))
            _store_scores(conn, inserted, score_rows, gate_rows)
            status: StoreStatus
            other: int | None
            if current is None:
                status, other = "new", None
            elif assessed_on >= current.assessed_on:
                conn.execute(update(s).where(s.c.id == current.id).values(superseded_by=inserted))
                conn.execute(update(s).where(s.c.id == inserted).values(superseded_by=None))
                status, other = "superseding", current.id
            else:
                status, other = "history", current.id
            stored = _also(conn, also, Stored(status, inserted, other))
        self._known_rubrics.add(intake.rubric.fingerprint)
        return stored

    def _insert(self, table: Table) -> PostgresInsert | SqliteInsert:
        if self.is_postgres:
            from sqlalchemy.dialects.postgresql import insert as postgres_insert

            return postgres_insert(table)
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)

    def _ensure_rubric(self, conn: Connection, rubric: RubricRecord, source: str) -> None:
        from .schema import rubrics

        if rubric.fingerprint in self._known_rubrics:
            return
        from sqlalchemy import select

        # No conflict target: every unique index arbitrates, so two writers inserting the same
        # new rubric at once wait for each other instead of one failing on `id@version`. The
        # check comes after the insert so it sees whichever concurrent writer committed first.
        conn.execute(self._insert(rubrics).values(**_rubric_row(rubric)).on_conflict_do_nothing())
        other = conn.execute(
            select(rubrics.c.fingerprint).where(
                rubrics.c.rubric_id == rubric.id,
                rubrics.c.version == rubric.version,
                rubrics.c.fingerprint != rubric.fingerprint,
            )
        ).scalar()
        if other is not None:
            raise RubricConflict(rubric, other, source)

    def refresh_statistics(self) -> bool:
        """Take the query planner's statistics again (ANALYZE) if the registry never had any or has
        grown by a quarter since; whether it did.

        Without them SQLite guesses that an index on a column of four values (scores.scope) picks
        out a few rows, and the portfolio's queries then read every score in the registry for one
        round. PostgreSQL's autovacuum would get there too, but only later. A full ANALYZE takes
        about a second per 100,000 stored results, so it is not taken after every small ingest;
        SQLite's sampled ANALYZE (analysis_limit) is not used: it misjudges exactly that index."""
        from sqlalchemy import func, select

        from .schema import submissions as s

        with self.transaction(write=True) as conn:
            held = conn.execute(select(func.count()).select_from(s)).scalar_one()
            known = self._analysed_submissions(conn)
            if known is not None and held <= known * STATISTICS_GROWTH:
                return False
            conn.exec_driver_sql("ANALYZE submissions, scores, failed_gates" if self.is_postgres else "ANALYZE")
        return True

    def _analysed_submissions(self, conn: Connection) -> float | None:
        """How many submissions the planner's statistics were taken over; None if never."""
        if self.is_postgres:
            rows = conn.exec_driver_sql("SELECT reltuples FROM pg_class WHERE oid = 'submissions'::regclass").scalar()
            return None if rows is None or rows < 0 else float(rows)
        if not conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
            return None
        stat = conn.exec_driver_sql(
            "SELECT stat FROM sqlite_stat1 WHERE tbl = 'submissions' AND idx = 'sqlite_autoindex_submissions_1'"
        ).scalar()
        return None if stat is None else float(stat.split()[0])

    # -- reading ----------------------------------------------------------------------------

    def listing(
        self,
        *,
        round_: str | None = None,
        rubric: str | None = None,
        subject_type: str | None = None,
        org_type: str | None = None,
        region: str | None = None,
        subject: str | None = None,
        assessed_by: str | None = None,
        include_superseded: bool = False,
    ) -> Iterator[ListedSubmission]:
        """Submission rows with their overall score, filtered, in a stable order; streamed.

        `assessed_by` is an assessing organisation's code, or `-` for the subjects' own submissions."""
        from sqlalchemy import and_, select

        from .schema import scores as sc
        from .schema import submissions as s

        query = (
            select(
                *columns(s, SUBMISSION_FACTS),
                sc.c.score.label("overall_score"),
                sc.c.level.label("overall_level"),
                s.c.failed_gate_count,
                s.c.completeness,
                s.c.outcome_label,
                s.c.superseded_by,
                s.c.source_kind,
                s.c.source_name,
                s.c.ingested_at,
            )
            .select_from(s.outerjoin(sc, and_(sc.c.submission_id == s.c.id, sc.c.scope == "overall")))
            .order_by(s.c.rubric_id, s.c.round, s.c.subject_code, s.c.assessed_by_code.nulls_first(), s.c.id)
        )
        for column, wanted in (
            (s.c.round, round_),
            (s.c.subject_type, subject_type),
            (s.c.org_type, org_type),
            (s.c.region, region),
        ):
            if wanted is not None:
                query = query.where(column == wanted)
        if rubric is not None:
            query = query.where(rubric_filter(s, rubric))
        if subject is not None:
            query = query.where(subject_filter(s, subject))
        if assessed_by is not None:
            query = query.where(assessor_filter(s, assessed_by))
        if not include_superseded:
            query = query.where(s.c.superseded_by.is_(None))
        with self.transaction() as conn:
            for row in conn.execution_options(yield_per=500).execute(query):
                yield _row_as(ListedSubmission, row._mapping)

    def scope_scores(
        self, submission_ids: list[int], scopes: tuple[str, ...] = ("overall", "pillar", "domain")
    ) -> dict[int, list[StoredScore]]:
        """The stored scores of some submissions, by submission."""
        from sqlalchemy import select

        from .schema import scores as sc

        found: dict[int, list[StoredScore]] = {i: [] for i in submission_ids}
        with self.transaction() as conn:
            rows = conn.execute(select(sc).where(sc.c.submission_id.in_(submission_ids), sc.c.scope.in_(scopes)))
            for row in rows:
                found[row.submission_id].append(_row_as(StoredScore, row._mapping))
        return found

    def accepted_rubrics(self) -> list[AcceptedRubric]:
        """Every rubric text the registry has accepted: id, version, fingerprint, title, subject and
        how many submissions were scored against it; one fingerprint per id@version."""
        from sqlalchemy import func, select

        from .schema import rubrics as r
        from .schema import submissions as s

        count = (
            select(func.count()).where(s.c.rubric_fingerprint == r.c.fingerprint).scalar_subquery().label("submissions")
        )
        query = select(r.c.rubric_id, r.c.version, r.c.fingerprint, r.c.title, r.c.subject, count).order_by(
            r.c.rubric_id, r.c.major, r.c.version
        )
        with self.transaction() as conn:
            return [_row_as(AcceptedRubric, row._mapping) for row in conn.execute(query)]

    def submission(self, submission_id: int) -> StoredFile:
        """One stored submission's file, whole: its bytes as given and its result JSON."""
        from sqlalchemy import select

        from .schema import submissions as s

        with self.transaction() as conn:
            query = select(*columns(s, tuple(f.name for f in fields(StoredFile)))).where(s.c.id == submission_id)
            row = conn.execute(query).first()
        if row is None:
            raise NotFoundError(f"no submission #{submission_id} in {self.shown}")
        return _row_as(StoredFile, row._mapping)


def migrations_config() -> AlembicConfig:
    """Alembic's configuration for the registry's migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _also(conn: Connection, also: StoreHook | None, stored: Stored) -> Stored:
    if also is not None:
        also(conn, stored)
    return stored


class RubricConflict(InputError):
    """A rubric whose id@version the registry already holds under another fingerprint."""

    def __init__(self, rubric: RubricRecord, accepted: str, source: str) -> None:
        message = (
            f"rubric {rubric.id}@{rubric.version} (fingerprint {rubric.fingerprint[:12]}…) is not the text the "
            f"registry accepted under that id and version ({accepted[:12]}…): one id@version names one rubric"
        )
        hint = "give the changed rubric a new version, or score against the accepted text (`aiassure registry rubrics`)"
        super().__init__(f"{source}: {message}", [Diagnostic("rubric-conflict", message, Location(source), hint=hint)])


def columns(table: FromClause, names: tuple[str, ...]) -> list[KeyedColumnElement[Any]]:
    """The named columns of a table or subquery, in the order given."""
    return [table.c[name] for name in names]


def rubric_filter(table: FromClause, rubric: str) -> ColumnElement[bool]:
    """`ID`, `ID@MAJOR` or `ID@VERSION` (its major version is what counts) as a WHERE clause."""
    from sqlalchemy import and_

    ident, _, version = rubric.partition("@")
    if not version:
        return table.c.rubric_id == ident
    try:
        major = major_of(version)
    except ValueError:
        raise UsageError(
            f"--rubric {rubric!r}: expected ID, ID@MAJOR or ID@VERSION, for example nhs-ai-readiness@1"
        ) from None
    return and_(table.c.rubric_id == ident, table.c.rubric_major == major)


def subject_filter(table: FromClause, subject: str) -> ColumnElement[bool]:
    """A subject code, or a submission's SHA-256 (8 hex digits or more)."""
    from sqlalchemy import or_

    clause = table.c.subject_code == subject
    lowered = subject.lower()
    if len(lowered) >= 8 and all(c in "0123456789abcdef" for c in lowered):
        clause = or_(clause, table.c.sha256.startswith(lowered, autoescape=True))
    return clause


def assessor_filter(table: FromClause, code: str) -> ColumnElement[bool]:
    """An assessing organisation's code; `-` means the subject's own submissions (no assessor)."""
    return table.c.assessed_by_code.is_(None) if code == OWN else table.c.assessed_by_code == code


def _submission_row(intake: Intake, assessed_on: dt.date, *, superseded_by: int | None) -> dict[str, Any]:
    result = intake.result
    subject = result.subject
    unwaived = result.unwaived
    return {
        "sha256": intake.sha256,
        "subject_type": subject.type,
        "subject_code": subject.code,
        "subject_name": subject.name,
        "org_type": subject.org_type,
        "region": subject.region,
        "supplier_code": subject.supplier.code if subject.supplier else None,
        "intended_use": subject.intended_use,
        "device_class": subject.device_class,
        "assessed_by_code": intake.assessed_by[0] if intake.assessed_by else None,
        "assessed_by_name": intake.assessed_by[1] if intake.assessed_by else None,
        "round": result.round,
        "assessed_on": assessed_on,
        "rubric_id": result.rubric.id,
        "rubric_version": result.rubric.version,
        "rubric_major": intake.rubric.major,
        "rubric_fingerprint": result.rubric.fingerprint,
        "completeness": result.completeness,
        "failed_gate_count": len(result.failed_gates),
        "outcome_id": result.outcome.id if result.outcome else None,
        "outcome_label": result.outcome.label if result.outcome else None,
        "waivers_applied": None if result.waivers is None else len(result.waivers.applied),
        "unwaived_level": None if unwaived is None else unwaived.overall.level,
        "unwaived_outcome_id": unwaived.outcome.id if unwaived is not None and unwaived.outcome else None,
        "source_kind": intake.kind,
        "source_name": intake.source,
        "raw": intake.raw,
        "result_json": intake.result_json,
        "ingested_at": dt.datetime.now(dt.UTC),
        "superseded_by": superseded_by,
    }


# What scoring a submission gives, as its row holds it: what `replace_scored` writes again.
SCORED_COLUMNS = (
    "completeness",
    "failed_gate_count",
    "outcome_id",
    "outcome_label",
    "waivers_applied",
    "unwaived_level",
    "unwaived_outcome_id",
    "result_json",
)


def replace_scored(conn: Connection, submission_id: int, intake: Intake) -> None:
    """Write a stored submission's derived data again from `intake` (its own bytes scored again): the
    result JSON, the scored columns, its score and failed-gate rows; its bytes and identity stay."""
    from sqlalchemy import delete, update

    from .schema import failed_gates, scores
    from .schema import submissions as s

    values = _submission_row(intake, dt.date.fromisoformat(intake.result.assessed_on), superseded_by=None)
    conn.execute(update(s).where(s.c.id == submission_id).values({name: values[name] for name in SCORED_COLUMNS}))
    conn.execute(delete(scores).where(scores.c.submission_id == submission_id))
    conn.execute(delete(failed_gates).where(failed_gates.c.submission_id == submission_id))
    _store_scores(conn, submission_id, *_score_rows(intake))


def _store_scores(
    conn: Connection, submission_id: int, rows: list[dict[str, Any]], gates: list[dict[str, Any]]
) -> None:
    from sqlalchemy import insert

    from .schema import failed_gates, scores

    conn.execute(insert(scores), [{**row, "submission_id": submission_id} for row in rows])
    if gates:
        conn.execute(insert(failed_gates), [{**gate, "submission_id": submission_id} for gate in gates])


def _rubric_row(rubric: RubricRecord) -> dict[str, Any]:
    return {
        "fingerprint": rubric.fingerprint,
        "rubric_id": rubric.id,
        "version": rubric.version,
        "major": rubric.major,
        "title": rubric.title,
        "subject": rubric.subject,
        "definition": rubric.definition,
    }


def _score_rows(intake: Intake) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The score rows and failed-gate rows of an intake, without their submission's id."""
    result = intake.result
    overall = result.overall
    rows = [_score_row(0, "overall", "overall", overall.score, overall.level, overall.capped_to)]
    rows += [_score_row(0, "pillar", p.id, p.score, p.level, p.capped_to) for p in result.pillars]
    rows += [_score_row(0, "domain", d.id, d.score, d.level, d.capped_to) for d in result.domains]
    rows += [
        _score_row(0, "criterion", c.id, None, c.credited, None, c.status, answer_json(c.answer))
        for c in result.criteria
    ]
    gates = [
        {"submission_id": 0, "criterion": g.criterion, "scope": g.scope, "target": g.target, "cap": g.cap}
        for g in result.failed_gates
    ]
    return rows, gates


# What every backend can store. Integer columns are 32-bit on PostgreSQL (64-bit on SQLite): both
# refuse beyond ±2**31, so that a file is stored or refused alike on either.
INTEGER_RANGE = (-(2**31), 2**31 - 1)
# PostgreSQL refuses an index entry over 2,704 bytes; the widest index (one current submission per
# assessment) holds five identifiers: at most this many bytes each keeps it well under.
MAX_INDEXED_BYTES = 400
# The text columns some index holds, by table.
INDEXED_COLUMNS = {
    "submissions": (
        "sha256",
        "rubric_id",
        "subject_type",
        "subject_code",
        "assessed_by_code",
        "round",
        "supplier_code",
    ),
    "rubrics": ("fingerprint", "rubric_id", "version"),
    "scores": ("scope", "scope_id"),
    "failed_gates": ("criterion",),
}


def check_storable(
    source: str,
    submission: dict[str, Any],
    rubric: dict[str, Any],
    scores: list[dict[str, Any]],
    gates: list[dict[str, Any]],
) -> None:
    """Refuse (StorageRefused) an input holding an integer or an indexed text that some backend
    cannot store, before any statement runs, with the same reason on SQLite and PostgreSQL."""
    low, high = INTEGER_RANGE
    tables = [("submissions", [submission]), ("rubrics", [rubric]), ("scores", scores), ("failed_gates", gates)]
    for table, rows in tables:
        indexed = INDEXED_COLUMNS[table]
        for row in rows:
            for column, value in row.items():
                if isinstance(value, int) and not isinstance(value, bool) and not low <= value <= high:
                    raise StorageRefused(
                        source,
                        "out-of-range",
                        f"{table}.{column} would be {_digits(value)}: the registry stores integers from "
                        f"{low:,} to {high:,}",
                    )
                if column in indexed and isinstance(value, str) and len(value.encode("utf-8")) > MAX_INDEXED_BYTES:
                    raise StorageRefused(
                        source,
                        "too-long-to-index",
                        f"{table}.{column} would be {len(value.encode('utf-8')):,} bytes long: the registry "
                        f"indexes it, and takes at most {MAX_INDEXED_BYTES} bytes there",
                    )


def _digits(value: int) -> str:
    """An integer for a message: a huge one by its number of digits."""
    text = str(value) if abs(value) < 10**30 else f"a {len(str(abs(value)))}-digit number"
    return text


class StorageRefused(InputError):
    """The registry cannot store this input (a value out of a column's range, an index entry too
    large, a constraint): the input is rejected, the transaction rolled back, and a batch goes on."""

    def __init__(self, source: str, code: str, reason: str) -> None:
        message = f"not stored: {reason}"
        super().__init__(f"{source}: {message}", [Diagnostic(code, message, Location(source))])

    @classmethod
    def of(cls, exc: Exception, source: str) -> StorageRefused | None:
        """The refusal for a database error that is this input's own, or None (a connection lost,
        a lock not had, a bug): SQLAlchemy's IntegrityError and DataError, PostgreSQL's classes
        22 (data exception), 23 (integrity) and 54 (program limit: an index row too large), and
        a driver refusing a Python integer it cannot bind."""
        from sqlalchemy.exc import DataError, IntegrityError

        if isinstance(exc, OverflowError):
            return StorageRefused(source, "out-of-range", f"the database cannot hold one of its numbers ({exc})")
        state = str(getattr(getattr(exc, "orig", None), "sqlstate", "") or "")
        if isinstance(exc, IntegrityError) or state.startswith("23"):
            return StorageRefused(source, "storage-refused", f"the database refused it: {_reason(exc)}")
        if isinstance(exc, DataError) or state[:2] in ("22", "54"):
            return StorageRefused(
                source, "storage-refused", f"the database cannot hold one of its values: {_reason(exc)}"
            )
        return None


def _score_row(
    submission_id: int,
    scope: str,
    ident: str,
    score: float | None,
    level: int | None,
    capped_to: int | None,
    status: str | None = None,
    answer: str | None = None,
) -> dict[str, Any]:
    return {
        "submission_id": submission_id,
        "scope": scope,
        "scope_id": ident,
        "score": score,
        "level": level,
        "capped_to": capped_to,
        "status": status,
        "answer": answer,
    }


def answer_json(value: Any) -> str | None:
    """A criterion's answer as the scores table and the exports hold it: the result's `answer` as
    compact JSON (`"yes"`, `"class-iia"`, `["a","b"]`, `[]`, `97.5`, `"na"`), or None when it was not
    answered, so that an empty checklist (`[]`) and no answer stay apart in every format. Ingest
    and migration 0007's backfill both write it, so the two agree byte for byte."""
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _reason(exc: Exception) -> str:
    """The database's own message, first line only (drivers append SQL and background links)."""
    original = getattr(exc, "orig", None) or exc
    return str(original).strip().split("\n")[0]


def _sqlite_engine(url: str) -> Engine:
    from sqlalchemy import create_engine, event

    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None  # transactions are begun below, not by the driver
        cursor = dbapi_connection.cursor()
        # WAL: readers never block the writer; NORMAL: a killed process loses nothing committed.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("aiassure_write") else "BEGIN")

    return engine


def open_registry(url: str | None = None, *, must_exist: bool = False) -> Registry:
    """Open (creating and migrating if needed) the registry at `url` (see `registry_url`).

    With `must_exist`, a SQLite file that is not there is an error rather than a new empty registry."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    resolved = registry_url(url)
    try:
        parsed = make_url(resolved)
    except ArgumentError:
        raise RegistryError(
            f"{shown_url(resolved)} is not a database URL; use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if not database or database == ":memory:":
            raise RegistryError("an in-memory SQLite registry would vanish on exit; give a file: sqlite:///PATH")
        if must_exist and not Path(database).is_file():
            raise NotFoundError(
                f"there is no registry at {database}; "
                f"create one with `aiassure registry ingest FILES --db {shown_url(resolved)}`"
            )
        engine = _sqlite_engine(resolved)
    elif parsed.get_backend_name() == "postgresql":
        try:
            engine = create_engine(resolved)
        except NoSuchModuleError:
            raise RegistryError(f"no driver for {parsed.drivername}; use postgresql+psycopg://") from None
    else:
        raise RegistryError(
            f"{parsed.get_backend_name()} is not supported: the registry runs on SQLite (sqlite:///PATH) or PostgreSQL (postgresql+psycopg://...)"
        )
    registry = Registry(engine, resolved)
    try:
        registry.migrate()
    except BaseException:
        registry.close()
        raise
    return registry


__all__ = [
    "answer_json",
    "DEFAULT_URL",
    "ENV_DB",
    "OWN",
    "ASSESSOR_COLUMNS",
    "SUBJECT_COLUMNS",
    "SUBMISSION_FACTS",
    "Registry",
    "RubricConflict",
    "StorageRefused",
    "Stored",
    "assessor_filter",
    "columns",
    "open_registry",
    "registry_url",
    "rubric_filter",
    "shown_url",
    "subject_filter",
]
