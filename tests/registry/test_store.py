"""Storing submissions: idempotency, supersession, history, every input kind, concurrency; SQLite and PostgreSQL."""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
from pathlib import Path

import pytest
from registry_helpers import OPTIONS, RUBRICS, Submit, ingest, levels, submission_yaml

from aiassure.assessments.score_files import ScoreOptions
from aiassure.errors import InputError, NotFoundError, RegistryError
from aiassure.registry.intake import read_input
from aiassure.registry.store import Registry, RubricConflict, open_registry, registry_url
from databases import database


def rows(registry: Registry, **filters: object) -> list[tuple]:
    return [(r.subject_code, r.round, r.overall_level, r.superseded_by is None) for r in registry.listing(**filters)]


def test_the_same_bytes_twice_are_stored_once(registry: Registry, submit: Submit) -> None:
    path = submit("A", "2026-Q4", levels(3, 3, 3))
    copy = path.with_name("copy-of-A.yaml")
    copy.write_bytes(path.read_bytes())
    assert ingest(registry, [path, path, copy]) == ["new", "duplicate", "duplicate"]
    assert rows(registry, include_superseded=True) == [("A", "2026-Q4", 3, True)]


def test_a_later_submission_supersedes_and_history_is_kept(registry: Registry, submit: Submit) -> None:
    first = submit("A", "2026-Q4", levels(1, 1, 1), file="first.yaml", assessed_on="2026-10-01")
    second = submit("A", "2026-Q4", levels(2, 2, 2), file="second.yaml", assessed_on="2026-11-01")
    same_day = submit("A", "2026-Q4", levels(4, 4, 4), file="same-day.yaml", assessed_on="2026-11-01")
    other_round = submit("A", "2026-Q2", levels(5, 5, 5))
    assert ingest(registry, [first, second, same_day, other_round]) == [
        "superseding" if i else "new" for i in (0, 1, 1)
    ] + ["new"]
    assert rows(registry) == [("A", "2026-Q2", 5, True), ("A", "2026-Q4", 4, True)]
    history = rows(registry, include_superseded=True)
    assert history == [
        ("A", "2026-Q2", 5, True),
        ("A", "2026-Q4", 1, False),
        ("A", "2026-Q4", 2, False),
        ("A", "2026-Q4", 4, True),
    ]
    listed = list(registry.listing(include_superseded=True, round_="2026-Q4"))
    assert [r.superseded_by for r in listed] == [listed[1].id, listed[2].id, None]


def test_an_older_submission_arriving_late_is_stored_as_history(registry: Registry, submit: Submit) -> None:
    newer = submit("A", "2026-Q4", levels(3, 3, 3), file="newer.yaml", assessed_on="2026-12-01")
    older = submit("A", "2026-Q4", levels(1, 1, 1), file="older.yaml", assessed_on="2026-10-01")
    assert ingest(registry, [newer, older]) == ["new", "history"]
    assert rows(registry) == [("A", "2026-Q4", 3, True)]
    assert len(rows(registry, include_superseded=True)) == 2


def test_subjects_are_told_apart_by_rubric_type_and_code(registry: Registry, submit: Submit) -> None:
    paths = [
        submit("A", "2026-Q4", levels(3, 3, 3)),
        submit("A", "2026-Q4", levels(3, 3, 3), file="A-tech.yaml", rubric="tiny-tech@1.0.0", org_type="vendor"),
        submit(
            "A", "2026-Q4", levels(2, 2, 2), file="A-v2.yaml", rubric="tiny-org@2.0.0"
        ),  # a resubmission on a newer version
    ]
    assert ingest(registry, paths) == ["new", "new", "superseding"]


def test_a_result_json_is_evidence_confirmed_against_its_stored_submission(registry: Registry, submit: Submit) -> None:
    path = submit("A", "2026-Q4", levels(4, 3, 5), assessed_by="QX1")
    result = path.with_suffix(".json")
    result.write_text(read_input(path, OPTIONS).result.to_json(), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        registry.store(read_input(result, OPTIONS))  # alone, it never creates a row
    assert [d.code for d in caught.value.diagnostics] == ["result-without-submission"]
    assert list(registry.listing()) == []
    assert ingest(registry, [path, result]) == ["new", "confirmed"]
    [stored] = registry.listing()
    assert (stored.source_kind, stored.assessed_by_code, stored.assessed_by_name) == ("yaml", "QX1", "Trust QX1")
    assert json.loads(registry.submission(stored.id).result_json) == json.loads(result.read_text())


def test_a_result_naming_no_assessing_organisation_code_is_rejected(submit: Submit) -> None:
    path = submit("A", "2026-Q4", levels(4, 3, 5))
    data = json.loads(read_input(path, OPTIONS).result.to_json())
    data["assessed_by"] = {"name": "Trust QX1"}
    edited = path.with_suffix(".json")
    edited.write_text(json.dumps(data, indent=2), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_input(edited, OPTIONS)
    [problem] = [d for d in caught.value.diagnostics if d.is_error]
    assert (problem.code, problem.path) == ("missing-key", "assessed_by") and "'code'" in problem.message


def test_a_result_whose_scores_do_not_follow_from_its_answers_is_rejected(submit: Submit) -> None:
    path = submit("A", "2026-Q4", levels(4, 3, 5))
    data = json.loads(read_input(path, OPTIONS).result.to_json())
    data["overall"]["score"] = 5.0
    forged = path.with_suffix(".json")
    forged.write_text(json.dumps(data, indent=2), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_input(forged, OPTIONS)
    [problem] = caught.value.diagnostics
    assert problem.code == "score-mismatch" and problem.path == "overall.score"
    assert str(problem.location).startswith(f"{forged}:")


@pytest.fixture(scope="module")
def yaml_and_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A submission and its PDF report (rendered once: WeasyPrint takes a second or two)."""
    from aiassure.assessments.validate import load_submission
    from aiassure.reports.writer import write_reports
    from aiassure.rubrics.loader import RubricLibrary

    folder = tmp_path_factory.mktemp("pdf")
    path = folder / "A.yaml"
    answers = {**levels(4, 3, 5), "v1": "{level: 5, notes: Tracked monthly}"}
    path.write_text(submission_yaml("A", "2026-Q4", answers, assessed_by="QX1"))
    [pdf] = write_reports([load_submission(path, RubricLibrary([RUBRICS]))], folder / "reports", ("pdf",))
    assert pdf.name == "A-by-QX1-2026-Q4.pdf"
    return path, pdf


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["yaml", "pdf"])
def test_a_pdf_report_gives_the_same_stored_result_as_its_yaml(
    registry: Registry, yaml_and_pdf: tuple[Path, Path], kind: str
) -> None:
    path, pdf = yaml_and_pdf
    assert ingest(registry, [path if kind == "yaml" else pdf]) == ["new"]
    [row] = registry.listing()
    assert (row.source_kind, row.assessed_by_code, row.assessed_by_name) == (kind, "QX1", "Trust QX1")
    stored = registry.submission(row.id)
    assert stored.raw == path.read_bytes()
    assert stored.result_json == read_input(path, OPTIONS).result.to_json()
    assert ingest(registry, [pdf if kind == "yaml" else path]) == ["duplicate"]


def test_organisations_assessing_one_product_are_each_current_and_supersede_only_their_own(
    registry: Registry, submit: Submit
) -> None:
    def product(file: str, answers: dict[str, object], by: str | None = None, day: str = "2026-11-15") -> Path:
        tech = {"rubric": "tiny-tech@1.0.0", "org_type": "vendor", "region": None}
        return submit("T1", "2026-Q4", answers, file=file, assessed_by=by, assessed_on=day, **tech)

    paths = [
        product("own.yaml", levels(4, 4, 4)),  # the supplier's own submission
        product("rx1.yaml", levels(3, 3, 3), "RX1"),
        product("rx2.yaml", levels(2, 2, 2), "RX2"),
        product("rx1-again.yaml", levels(5, 5, 5), "RX1", day="2026-11-20"),  # RX1 resubmits
        product("rx2-draft.yaml", levels(1, 1, 1), "RX2", day="2026-11-01"),  # RX2's older draft, late
    ]
    assert ingest(registry, paths) == ["new", "new", "new", "superseding", "history"]
    assert [(r.assessed_by_code, r.assessed_by_name, r.overall_level) for r in registry.listing()] == [
        (None, None, 4),
        ("RX1", "Trust RX1", 5),
        ("RX2", "Trust RX2", 2),
    ]
    ids = {Path(r.source_name).name: r for r in registry.listing(include_superseded=True)}
    assert ids["rx1.yaml"].superseded_by == ids["rx1-again.yaml"].id
    assert ids["rx2-draft.yaml"].superseded_by == ids["rx2.yaml"].id
    assert [r.superseded_by for r in (ids["own.yaml"], ids["rx1-again.yaml"], ids["rx2.yaml"])] == [None] * 3
    # an assessed_by naming the product's supplier (or the subject itself) is the subject's own submission
    by_supplier = product("own-again.yaml", levels(3, 3, 3), "SUP-T1", day="2026-11-25").read_text()
    own_again = paths[0].with_name("own-again.yaml")
    own_again.write_text(
        by_supplier.replace("org_type: vendor}", "org_type: vendor, supplier: {name: T Ltd, code: SUP-T1}}"),
        encoding="utf-8",
    )
    assert ingest(registry, [own_again]) == ["superseding"]
    assert [(r.assessed_by_code, r.overall_level) for r in registry.listing(assessed_by="-")] == [(None, 3)]
    assert [r.overall_level for r in registry.listing(assessed_by="RX2")] == [2]


def test_migrations_run_once_and_reopening_keeps_the_data(db_url: str, submit: Submit) -> None:
    first = open_registry(db_url)
    ingest(first, [submit("A", "2026-Q4", levels(3, 3, 3))])
    first.close()
    again = open_registry(db_url)
    try:
        assert rows(again) == [("A", "2026-Q4", 3, True)]
    finally:
        again.close()


def _ingest_all(url: str, paths: list[Path], queue: multiprocessing.Queue) -> None:
    registry = open_registry(url)
    try:
        queue.put(ingest(registry, paths))
    finally:
        registry.close()


def test_concurrent_ingests_store_each_submission_once_with_one_current(db_url: str, submit: Submit) -> None:
    paths = [
        submit(code, "2026-Q4", levels(n, n, n), file=f"{code}-{n}.yaml", assessed_on=f"2026-11-0{n}")
        for code in "AB"
        for n in (1, 2, 3)
    ]
    open_registry(db_url).close()  # the schema exists before the race
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [
        context.Process(target=_ingest_all, args=(db_url, order, queue))
        for order in (paths, paths[::-1], paths[2:] + paths[:2])
    ]
    for worker in workers:
        worker.start()
    statuses = [queue.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    stored = [s for run in statuses for s in run if s != "duplicate"]
    assert len(stored) == len(paths)  # each file stored by exactly one process
    registry = open_registry(db_url)
    try:
        assert rows(registry) == [("A", "2026-Q4", 3, True), ("B", "2026-Q4", 3, True)]
        assert len(rows(registry, include_superseded=True)) == len(paths)
    finally:
        registry.close()


def _wait_until_blocked(url: str) -> None:
    """Return once some other session of this database waits on a lock (PostgreSQL)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        for _ in range(200):  # up to 20 s; a blocked writer shows up within milliseconds
            with engine.connect() as conn:
                if conn.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar():
                    return
            time.sleep(0.1)
    finally:
        engine.dispose()
    raise AssertionError("the second writer never waited for the first")


@pytest.mark.postgres
@pytest.mark.parametrize("same_text", [True, False], ids=["same-rubric", "changed-text"])
def test_two_writers_bringing_a_new_rubric_at_once_wait_rather_than_fail(
    tmp_path: Path, submit: Submit, same_text: bool
) -> None:
    """Two writers first storing one id@version at the same moment: the second waits for the first,
    then stores (same text) or is told `rubric-conflict` (changed text): never a raw unique-index error."""
    changed = tmp_path / "changed-rubrics"
    changed.mkdir()
    text_ = (RUBRICS / "tiny-tech.yaml").read_text(encoding="utf-8")
    (changed / "tiny-tech.yaml").write_text(text_.replace("Tiny technology assurance", "Tiny, retitled"), "utf-8")
    first = read_input(submit("T1", "2026-Q4", levels(3, 3, 3), rubric="tiny-tech@1.0.0", org_type="vendor"), OPTIONS)
    second_path = submit("T2", "2026-Q4", levels(2, 2, 2), rubric="tiny-tech@1.0.0", org_type="vendor")
    second = read_input(second_path, OPTIONS if same_text else ScoreOptions(rubric_dirs=(changed,)))
    assert (first.rubric.fingerprint == second.rubric.fingerprint) is same_text
    with database("postgresql", tmp_path) as url:
        open_registry(url).close()  # the schema exists before the race
        holding, release = threading.Event(), threading.Event()

        def hold(_conn: object, _stored: object) -> None:
            holding.set()
            assert release.wait(timeout=30)

        writers = [open_registry(url), open_registry(url)]
        outcome: list[object] = []
        first_writer = threading.Thread(target=lambda: writers[0].store(first, also=hold))
        first_writer.start()
        assert holding.wait(timeout=30)  # the first has inserted the rubric and not committed

        def store_second() -> None:
            try:
                outcome.append(writers[1].store(second).status)
            except RubricConflict as exc:
                outcome.append(exc.diagnostics[0].code)

        second_writer = threading.Thread(target=store_second)
        second_writer.start()
        _wait_until_blocked(url)
        release.set()
        first_writer.join(timeout=30)
        second_writer.join(timeout=30)
        for writer in writers:
            writer.close()
        assert outcome == (["new"] if same_text else ["rubric-conflict"])


def test_registry_urls() -> None:
    assert registry_url("reg.db") == "sqlite:///reg.db"
    assert registry_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert registry_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert registry_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_unusable_registries_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="there is no registry at"):
        open_registry(f"sqlite:///{tmp_path / 'missing.db'}", must_exist=True)
    with pytest.raises(RegistryError, match="unable to open database file"):
        open_registry(f"sqlite:///{tmp_path / 'no-such-folder' / 'x.db'}")
    with pytest.raises(RegistryError, match="not supported"):
        open_registry("mysql://u@h/db")
    with pytest.raises(RegistryError, match="in-memory"):
        open_registry("sqlite://")
