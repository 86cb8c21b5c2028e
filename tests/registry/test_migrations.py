"""Schema migrations on a registry made by an older aiassure: 0001 -> newest keeps every row; SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from registry_helpers import OPTIONS, Submit, ingest, levels

from aiassure.registry.intake import read_input
from aiassure.registry.store import MIGRATIONS, Registry, open_registry


def migrate_to(registry: Registry, revision: str, *, down: bool = False) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with registry.transaction(write=True) as conn:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, revision)


def revision_of(registry: Registry) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with registry.transaction() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def store_as_0001(registry: Registry, path: Path, *, superseded_by: int | None = None, criteria: bool = False) -> int:
    """Store a submission the way aiassure did at revision 0001: the columns that revision has;
    `criteria`, its criteria's rows too (credited level and status, no answer: before 0007)."""
    from sqlalchemy import MetaData, Table, insert

    intake = read_input(path, OPTIONS)
    result = intake.result
    with registry.transaction(write=True) as conn:
        tables = {name: Table(name, MetaData(), autoload_with=conn) for name in ("rubrics", "submissions", "scores")}
        record = intake.rubric
        if not conn.execute(
            tables["rubrics"].select().where(tables["rubrics"].c.fingerprint == record.fingerprint)
        ).first():
            conn.execute(
                insert(tables["rubrics"]).values(
                    fingerprint=record.fingerprint,
                    rubric_id=record.id,
                    version=record.version,
                    major=record.major,
                    title=record.title,
                    subject=record.subject,
                    definition=record.definition,
                )
            )
        row: dict[str, Any] = {
            "sha256": intake.sha256,
            "subject_type": result.subject.type,
            "subject_code": result.subject.code,
            "subject_name": result.subject.name,
            "org_type": result.subject.org_type,
            "region": result.subject.region,
            "round": result.round,
            "assessed_on": dt.date.fromisoformat(result.assessed_on),
            "rubric_id": result.rubric.id,
            "rubric_version": result.rubric.version,
            "rubric_major": record.major,
            "rubric_fingerprint": record.fingerprint,
            "completeness": result.completeness,
            "failed_gate_count": len(result.failed_gates),
            "source_kind": "yaml",
            "source_name": str(path),
            "raw": intake.raw,
            "result_json": result.to_json(),
            "ingested_at": dt.datetime.now(dt.UTC),
            "superseded_by": superseded_by,
        }
        submission_id = conn.execute(
            insert(tables["submissions"]).values(**row).returning(tables["submissions"].c.id)
        ).scalar()
        scores = [("overall", "overall", result.overall.score, result.overall.level)]
        scores += [("pillar", p.id, p.score, p.level) for p in result.pillars]
        conn.execute(
            insert(tables["scores"]),
            [
                {"submission_id": submission_id, "scope": s, "scope_id": i, "score": v, "level": lv}
                for s, i, v, lv in scores
            ],
        )
        if criteria:
            conn.execute(
                insert(tables["scores"]),
                [
                    {"submission_id": submission_id, "scope": "criterion", "scope_id": c.id, "level": c.credited}
                    | {"status": c.status}
                    for c in result.criteria
                ],
            )
    return submission_id


def test_a_registry_created_at_0001_is_upgraded_and_keeps_its_rows(db_url: str, submit: Submit) -> None:
    from sqlalchemy import create_engine

    from aiassure.registry.store import Registry as Opened

    old = Opened(create_engine(db_url), db_url)  # not open_registry: that would migrate to the newest revision
    try:
        migrate_to(old, "0001")
        assert revision_of(old) == "0001"
        tool = {"rubric": "tiny-tech@1.0.0", "org_type": "vendor", "region": None}
        current = store_as_0001(old, submit("T1", "2026-Q4", levels(4, 4, 4), file="T1.yaml", **tool))
        store_as_0001(
            old, submit("T1", "2026-Q4", levels(2, 2, 2), file="T1-draft.yaml", **tool), superseded_by=current
        )
        store_as_0001(old, submit("A", "2026-Q4", levels(3, 3, 3)))
    finally:
        old.close()

    registry = open_registry(db_url)  # upgrades to the newest revision
    try:
        assert revision_of(registry) == registry.revisions()[1]  # the newest
        kept = [
            (r.subject_code, r.overall_level, r.superseded_by, r.assessed_by_code)
            for r in registry.listing(include_superseded=True)
        ]
        assert kept == [("A", 3, None, None), ("T1", 4, None, None), ("T1", 2, current, None)]
        # the migrated rows take part in the new identity: a trust's assessment is a second current
        # assessment, and the supplier's resubmission supersedes its migrated one
        trust = submit("T1", "2026-Q4", levels(3, 3, 3), file="T1-by-RX1.yaml", assessed_by="RX1", **tool)
        again = submit("T1", "2026-Q4", levels(5, 5, 5), file="T1-v2.yaml", assessed_on="2026-12-20", **tool)
        assert ingest(registry, [trust, again]) == ["new", "superseding"]
        assert [(r.subject_code, r.assessed_by_code, r.overall_level) for r in registry.listing()] == [
            ("A", None, 3),
            ("T1", None, 5),
            ("T1", "RX1", 3),
        ]
        # and back: 0002 -> 0001 drops the new columns and keeps the rows (here, after the trust's is removed)
        with registry.transaction(write=True) as conn:
            from sqlalchemy import delete

            from aiassure.registry.schema import submissions

            conn.execute(delete(submissions).where(submissions.c.assessed_by_code.is_not(None)))
        migrate_to(registry, "0001", down=True)
        assert revision_of(registry) == "0001"
    finally:
        registry.close()
    reopened = open_registry(db_url)
    try:
        assert revision_of(reopened) == reopened.revisions()[1]
        rows = list(reopened.listing(include_superseded=True))
        assert len(rows) == 4 and all(
            len(s) == 4 for s in reopened.scope_scores([r.id for r in rows], ("overall", "pillar")).values()
        )
    finally:
        reopened.close()


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection")  # store_as_0001 reads the table back
def test_0006_fills_in_each_technology_s_peer_groups_from_its_stored_result(db_url: str, submit: Submit) -> None:
    """Rows stored before 0006 gain their intended use and device class, so that their portfolio
    percentiles are taken among technologies of the same (issue 17)."""
    from sqlalchemy import create_engine, select

    from aiassure.registry.portfolio import build_portfolio
    from aiassure.registry.schema import submissions
    from aiassure.registry.store import Registry as Opened

    old = Opened(create_engine(db_url), db_url)
    try:
        migrate_to(old, "0005")
        tool: dict[str, Any] = {"rubric": "tiny-tech@1.0.0", "org_type": "vendor", "region": None}
        for code, use, device in (("T1", "triage", "class-iia"), ("T2", "triage", None), ("T3", None, None)):
            store_as_0001(old, submit(code, "2026-Q4", levels(3, 3, 3), intended_use=use, device_class=device, **tool))
        store_as_0001(old, submit("A", "2026-Q4", levels(3, 3, 3)))
    finally:
        old.close()
    registry = open_registry(db_url)
    try:
        assert revision_of(registry) == registry.revisions()[1]
        s = submissions
        with registry.transaction() as conn:
            rows = conn.execute(select(s.c.subject_code, s.c.intended_use, s.c.device_class).order_by(s.c.subject_code))
            assert [tuple(r) for r in rows] == [
                ("A", None, None),
                ("T1", "triage", "class-iia"),
                ("T2", "triage", None),
                ("T3", None, None),
            ]
        [tech] = build_portfolio(registry, rubric="tiny-tech", min_peers=1).sections
        assert {b.code: [s.peers for s in b.standings] for b in tech.benchmarks} == {
            "T1": [3, 2, 1],
            "T2": [3, 2, None],
            "T3": [3, None, None],
        }
        migrate_to(registry, "0005", down=True)  # and back: the columns and the index go, the rows stay
        assert revision_of(registry) == "0005"
    finally:
        registry.close()


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection")  # store_as_0001 reads the table back
def test_0007_fills_in_each_criterion_s_answer_from_its_stored_result(db_url: str, submit: Submit) -> None:
    """Score rows stored at 0006 gain the answer of their criterion, read from the stored result,
    byte for byte what an ingest writes today, so exports carry it for old rows too (issue 17)."""
    from sqlalchemy import create_engine, select

    from aiassure.registry.schema import scores, submissions
    from aiassure.registry.store import Registry as Opened

    old = Opened(create_engine(db_url), db_url)
    try:
        migrate_to(old, "0006")
        store_as_0001(old, submit("A", "2026-Q4", levels(3, 2, 1)), criteria=True)
        store_as_0001(old, submit("B", "2026-Q4", levels(4, 4, 4, statutory=None)), criteria=True)
    finally:
        old.close()

    def answers(registry: Registry) -> dict[tuple[str, str], str | None]:
        s, sc = submissions, scores
        with registry.transaction() as conn:
            rows = conn.execute(
                select(s.c.subject_code, sc.c.scope_id, sc.c.answer)
                .select_from(s.join(sc, sc.c.submission_id == s.c.id))
                .where(sc.c.scope == "criterion")
            )
            return {(code, ident): answer for code, ident, answer in rows}

    registry = open_registry(db_url)
    try:
        assert revision_of(registry) == "0008" == registry.revisions()[1]  # the head, past 0007
        assert answers(registry) == {
            ("A", "g1"): "3",
            ("A", "d1"): "2",
            ("A", "v1"): "1",
            ("A", "g2"): '"yes"',
            ("B", "g1"): "4",
            ("B", "d1"): "4",
            ("B", "v1"): "4",
            ("B", "g2"): None,  # not answered
        }
        # a submission ingested now stores the very same text as the backfill wrote
        assert ingest(registry, [submit("C", "2026-Q4", levels(3, 2, 1))]) == ["new"]
        stored = answers(registry)
        assert {k: v for (code, k), v in stored.items() if code == "C"} == {
            k: v for (code, k), v in stored.items() if code == "A"
        }
        migrate_to(registry, "0006", down=True)  # and back: the column goes, the rows stay
        assert revision_of(registry) == "0006"
        with registry.transaction() as conn:
            from sqlalchemy import func, text

            kept = conn.execute(select(func.count()).select_from(text("scores"))).scalar_one()
        # the criteria; A's and B's overall and pillars; C's overall, pillars and domains
        assert kept == len(stored) + 2 * (1 + 3) + (1 + 3 + 4)
    finally:
        registry.close()
