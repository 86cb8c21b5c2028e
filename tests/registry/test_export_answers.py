"""The scores table's `answer`: every export carries each criterion's raw answer (issue 17); SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from aiassure.assessments.score_files import ScoreOptions
from aiassure.cli import main
from aiassure.interop.datapackage import SCORE_FIELDS, write_datapackage
from aiassure.registry.export import SCORE_COLUMNS, neutralise
from aiassure.registry.intake import read_input
from aiassure.registry.store import answer_json, open_registry

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "2026-Q4"
FILES = [EXAMPLES / "PRD-CXRTRIAGE.yaml", EXAMPLES / "RX1.yaml"]  # a technology and an organisation


def run(*args: object) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_answer_json_keeps_an_empty_list_apart_from_no_answer() -> None:
    assert [answer_json(v) for v in ("yes", "class-iia", ["a", "b"], [], 97.5, "na", "Ünïcode")] == [
        '"yes"',
        '"class-iia"',
        '["a","b"]',
        "[]",
        "97.5",
        '"na"',
        '"Ünïcode"',
    ]
    assert answer_json(None) is None


def test_every_export_of_the_scores_carries_each_criterion_s_answer(db_url: str, tmp_path: Path) -> None:
    run("registry", "ingest", *FILES, "--db", db_url)
    results = [read_input(path, ScoreOptions()).result for path in FILES]
    expected = {(r.subject.code, c.id): answer_json(c.answer) for r in results for c in r.criteria}
    # every type of answer: a context choice, a yes/no, a checklist, a number, a free text
    assert json.loads(expected["PRD-CXRTRIAGE", "device-class"] or "") == "class-iia"
    assert json.loads(expected["PRD-CXRTRIAGE", "dp-01"] or "") == "yes"
    assert json.loads(expected["PRD-CXRTRIAGE", "tr-01"] or "")[:2] == ["model-card", "instructions-for-use"]
    assert json.loads(expected["PRD-CXRTRIAGE", "ua-03"] or "") == 99.97
    assert json.loads(expected["RX1", "other-context"] or "").startswith("The trust is the radiology hub")
    assert SCORE_COLUMNS["answer"] == "string"

    scores = ("portfolio", "export", "--table", "scores", "--db", db_url, "--format")
    records = [json.loads(line) for line in run(*scores, "jsonl").splitlines()]
    assert {(r["subject_code"], r["scope_id"]): r["answer"] for r in records if r["scope"] == "criterion"} == expected
    assert {r["answer"] for r in records if r["scope"] != "criterion"} == {None}

    rows = list(csv.DictReader(io.StringIO(run(*scores, "csv"))))
    assert [r["answer"] for r in rows] == ["" if r["answer"] is None else neutralise(r["answer"]) for r in records]

    import pyarrow.parquet as pq

    target = tmp_path / "scores.parquet"
    run(*scores, "parquet", "-o", target)
    assert pq.read_table(target).column("answer").to_pylist() == [r["answer"] for r in records]

    registry = open_registry(db_url)
    try:
        write_datapackage(registry, tmp_path / "package")
    finally:
        registry.close()
    descriptor = json.loads((tmp_path / "package" / "datapackage.json").read_text(encoding="utf-8"))
    [scores] = [r for r in descriptor["resources"] if r["name"] == "scores"]
    [field] = [f for f in scores["schema"]["fields"] if f["name"] == "answer"]
    assert field["type"] == "string" and field["description"] == SCORE_FIELDS["answer"].description
    published = list(csv.DictReader(io.StringIO((tmp_path / "package" / "scores.csv").read_text(encoding="utf-8"))))
    assert [r["answer"] for r in published] == [r["answer"] for r in rows]
