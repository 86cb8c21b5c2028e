"""The registry's tables as SQLAlchemy Core objects, for queries; the migrations create them."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ColumnElement,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
    literal_column,
    text,
)

metadata = MetaData()

# One row per rubric text ever scored against, keyed by its fingerprint (SPEC 3.8), so the
# portfolio can name domains and criteria without the rubric files at hand.
rubrics = Table(
    "rubrics",
    metadata,
    Column("fingerprint", String(64), primary_key=True),
    Column("rubric_id", String, nullable=False),
    Column("version", String, nullable=False),
    Column("major", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("subject", String, nullable=False),
    Column("definition", Text, nullable=False),  # the canonical JSON the fingerprint is taken of
)
# One id@version names one rubric text (migration 0005).
Index("ix_rubrics_id_version", rubrics.c.rubric_id, rubrics.c.version, unique=True)

submissions = Table(
    "submissions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("subject_type", String, nullable=False),
    Column("subject_code", String, nullable=False),
    Column("subject_name", Text, nullable=False),
    Column("org_type", String, nullable=False),
    Column("region", Text),
    # The organisation that carried out the assessment, when not the subject itself (a trust
    # assessing a product it deploys); null for the subject's own submission (migration 0002).
    Column("assessed_by_code", String),
    Column("assessed_by_name", Text),
    # A technology's supplier code (migration 0004): whose product it is, for the service's scopes.
    Column("supplier_code", String),
    # A technology's intended use and device class, as its submission gives them (migration 0006):
    # the peer groups of its portfolio percentiles.
    Column("intended_use", Text),
    Column("device_class", Text),
    Column("round", String, nullable=False),
    Column("assessed_on", Date, nullable=False),
    Column("rubric_id", String, nullable=False),
    Column("rubric_version", String, nullable=False),
    Column("rubric_major", Integer, nullable=False),
    Column("rubric_fingerprint", String(64), ForeignKey("rubrics.fingerprint"), nullable=False),
    Column("completeness", Float),
    Column("failed_gate_count", Integer, nullable=False),
    Column("outcome_id", String),
    Column("outcome_label", Text),
    Column("source_kind", String, nullable=False),  # yaml | json | pdf
    Column("source_name", Text, nullable=False),
    Column("raw", LargeBinary, nullable=False),
    Column("result_json", Text, nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("superseded_by", Integer, ForeignKey("submissions.id")),
    # Scored with the registry's waivers (migration 0008): how many applied, and the overall level and
    # outcome id without them (null when none applied), for the portfolio's "outcome depends on a waiver".
    Column("waivers_applied", Integer),
    Column("unwaived_level", Integer),
    Column("unwaived_outcome_id", String),
)


def assessor_key(column: ColumnElement[str | None]) -> ColumnElement[str]:
    """The assessing organisation's code, or '' for the subject's own submission: the index's expression.

    The empty string is written into the SQL, never sent as a bound parameter: SQLite uses an
    expression index only for a textually identical expression, so `coalesce(code, ?)` in a query
    cannot use ix_submissions_current, and the movers' join then read every score for every row."""
    return func.coalesce(column, literal_column("''"))


# At most one current submission per assessment (rubric, subject, assessing organisation, round):
# the database enforces it, so no interleaving of concurrent ingests can leave two. The subject's
# own submissions are indexed under the empty assessor code, since a unique index lets NULLs repeat.
current_per_assessment = Index(
    "ix_submissions_current",
    submissions.c.rubric_id,
    submissions.c.subject_type,
    submissions.c.subject_code,
    assessor_key(submissions.c.assessed_by_code),
    submissions.c.round,
    unique=True,
    sqlite_where=text("superseded_by IS NULL"),
    postgresql_where=text("superseded_by IS NULL"),
)
Index("ix_submissions_rubric_round", submissions.c.rubric_id, submissions.c.round)
Index("ix_submissions_subject", submissions.c.subject_code)
Index("ix_submissions_supplier", submissions.c.supplier_code)
Index("ix_submissions_ingested_at", submissions.c.ingested_at)  # the portfolio's "data as of"

# Per-scope scores, so that distributions and benchmarks are computed in SQL. For criteria,
# `level` is the credited level, `score` is null and `answer` the answer given, as compact JSON
# (`store.answer_json`, migration 0007; docs/registry.md).
scores = Table(
    "scores",
    metadata,
    Column("submission_id", Integer, ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True),
    Column("scope", String, primary_key=True),  # overall | pillar | domain | criterion
    Column("scope_id", String, primary_key=True),
    Column("score", Float),
    Column("level", Integer),
    Column("capped_to", Integer),
    Column("status", String),  # criteria only: SPEC 4.8 status
    Column("answer", Text),  # criteria only: the answer as JSON; null when unanswered
)
Index("ix_scores_scope", scores.c.scope, scores.c.scope_id)

failed_gates = Table(
    "failed_gates",
    metadata,
    Column("submission_id", Integer, ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True),
    Column("criterion", String, primary_key=True),
    Column("scope", String, nullable=False),
    Column("target", String, nullable=False),
    Column("cap", Integer, nullable=False),
)

# A waiver (assessments.waivers.Waiver) as the registry keeps it (migration 0008): its scope, its case,
# its current status and fingerprint, and the organisation that asked for it (null: the command line).
# An approved waiver expires by date (`expires_on` is its first day out), its stored status unchanged.
waivers = Table(
    "waivers",
    metadata,
    Column("id", String, primary_key=True),
    Column("subject_code", String, nullable=False),
    Column("rubric_id", String, nullable=False),
    Column("rubric_major", Integer, nullable=False),
    Column("criterion", String),  # exactly one of criterion and gate
    Column("gate", String),
    Column("rounds", Text),  # a JSON list of rounds; null: every round
    Column("justification", Text, nullable=False),
    Column("compensating_controls", Text, nullable=False),  # JSON list
    Column("evidence", Text, nullable=False),  # JSON list
    Column("requester", Text, nullable=False),
    Column("approver", Text),
    Column("approved_on", Date),
    Column("expires_on", Date, nullable=False),
    Column("status", String, nullable=False),  # requested | approved | rejected | revoked
    Column("fingerprint", String(64), nullable=False),
    Column("organisation", String),
    Column("requested_at", DateTime(timezone=True), nullable=False),
)
Index("ix_waivers_scope", waivers.c.subject_code, waivers.c.rubric_id, waivers.c.rubric_major)
Index("ix_waivers_organisation", waivers.c.organisation)
Index("ix_waivers_expires_on", waivers.c.expires_on)

# Every change of a waiver's status, in order: who, of which organisation, when, and why (a refusal's
# or a revocation's reason).
waiver_events = Table(
    "waiver_events",
    metadata,
    Column("waiver_id", String, ForeignKey("waivers.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("status", String, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("by", Text, nullable=False),
    Column("organisation", String),
    Column("reason", Text),
)
