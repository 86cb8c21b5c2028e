"""`registry ingest|list|show` and `portfolio report|export` from the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from registry_helpers import RUBRICS, Submit, levels, national_dataset

from aiassure.cli import main
from aiassure.registry.export import neutralise


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_ingest_summarises_new_duplicate_superseded_and_rejected(db_url: str, submit: Submit, tmp_path: Path) -> None:
    national_dataset(submit)
    bad = tmp_path / "submissions" / "bad.yaml"
    bad.write_text(
        "rubric: tiny-org@1.0.0\nsubject: {type: organisation, name: X, code: X, org_type: acute}\n"
        "round: 2026-Q9\nassessed_on: 2026-11-01\nanswers: {g1: 9}\n"
    )
    folder = tmp_path / "submissions"
    code, out, err = run("registry", "ingest", folder, "--db", db_url, "--rubric-dir", RUBRICS, "--format", "json")
    summary = json.loads(out)
    assert code == 1
    assert (summary["files"], summary["new"], summary["superseded"], summary["duplicate"]) == (14, 12, 1, 0)
    [rejected] = summary["rejected"]
    assert rejected["path"] == str(bad)
    assert any("round" in reason for reason in rejected["reasons"]) and any(
        "g1" in reason for reason in rejected["reasons"]
    )
    assert f"{bad}:3:8: error" in err  # located diagnostics on stderr
    code, out, _ = run("registry", "ingest", folder / "2026-Q4", "--db", db_url, "--rubric-dir", RUBRICS)
    assert code == 0
    assert "duplicate   10" in out and "new         0" in out


def test_list_and_show(db_url: str, submit: Submit) -> None:
    paths = national_dataset(submit)
    run("registry", "ingest", *paths, "--db", db_url, "--rubric-dir", RUBRICS)
    code, out, _ = run(
        "registry", "list", "--db", db_url, "--format", "json", "--round", "2026-Q4", "--rubric", "tiny-org"
    )
    listed = json.loads(out)
    assert code == 0 and [r["subject"]["code"] for r in listed] == ["A", "B", "C", "D", "E"]
    code, out, _ = run(
        "registry", "list", "--db", db_url, "--format", "json", "--all", "--org-type", "acute", "--region", "London"
    )
    assert [(r["subject"]["code"], r["round"], r["current"]) for r in json.loads(out)] == [
        ("A", "2026-Q2", True),
        ("B", "2026-Q2", True),
        ("A", "2026-Q4", False),
        ("A", "2026-Q4", True),
        ("B", "2026-Q4", True),
    ]
    code, out, _ = run("registry", "show", "A", "--db", db_url, "--format", "json")
    history = json.loads(out)
    assert [(h["round"], h["current"], h["result"]["overall"]["level"]) for h in history] == [
        ("2026-Q2", True, 2),
        ("2026-Q4", False, 1),
        ("2026-Q4", True, 3),
    ]
    code, out, _ = run("registry", "show", history[0]["sha256"][:10], "--db", db_url)
    assert code == 0 and "Subject A (A; organisation, acute, London) on tiny-org" in out
    code, _, err = run("registry", "show", "NOPE", "--db", db_url)
    assert code == 1 and "no submission of 'NOPE'" in err


@pytest.mark.slow
def test_portfolio_report_writes_html_pdf_and_json(db_url: str, submit: Submit, tmp_path: Path) -> None:
    run("registry", "ingest", *national_dataset(submit), "--db", db_url, "--rubric-dir", RUBRICS)
    out_dir = tmp_path / "portfolio"
    # rendering does not depend on the database: the PDF is made once, from SQLite
    formats = ("html", "pdf", "json") if db_url.startswith("sqlite") else ("html", "json")
    code, out, err = run("portfolio", "report", "-o", out_dir, "--db", db_url, "--format", ",".join(formats))
    assert code == 0, err
    assert out.split() == [str(out_dir / f"portfolio.{ext}") for ext in formats]
    html = (out_dir / "portfolio.html").read_text()
    for text in (
        "Tiny organisational readiness, 2026-Q4",
        "Scaling candidates",
        "needing support",
        "Percentile in region",
        "Biggest movers up since 2026-Q2",
    ):
        assert text in html
    if "pdf" in formats:
        assert (out_dir / "portfolio.pdf").read_bytes().startswith(b"%PDF-")
    figures = json.loads((out_dir / "portfolio.json").read_text())
    assert [s["rubric"]["id"] for s in figures["sections"]] == ["tiny-org", "tiny-tech"]


def test_portfolio_report_refuses_mixed_major_versions(db_url: str, submit: Submit, tmp_path: Path) -> None:
    paths = [submit("A", "2026-Q4", levels(3, 3, 3)), submit("B", "2026-Q4", levels(3, 3, 3), rubric="tiny-org@2.0.0")]
    run("registry", "ingest", *paths, "--db", db_url, "--rubric-dir", RUBRICS)
    code, _, err = run("portfolio", "report", "-o", tmp_path / "out", "--db", db_url, "--format", "json")
    assert code == 2
    assert "refusing to compare results across major versions of tiny-org" in err and "--rubric tiny-org@2" in err
    assert not (tmp_path / "out").exists()
    code, _, _ = run(
        "portfolio", "report", "-o", tmp_path / "out", "--db", db_url, "--format", "json", "--rubric", "tiny-org@1"
    )
    assert code == 0


def test_export_csv_neutralises_formulas(db_url: str, submit: Submit) -> None:
    hostile = {"A": "'=HYPERLINK(\"http://x\")'", "B": '"+1+1"', "C": '"-2+3"', "D": '"@SUM(1)"', "E": "Plain - name"}
    paths = [submit(code, "2026-Q4", levels(2, 2, 2), name=name) for code, name in hostile.items()]
    run("registry", "ingest", *paths, "--db", db_url, "--rubric-dir", RUBRICS)
    code, out, err = run("portfolio", "export", "--format", "csv", "--db", db_url)
    assert code == 0 and "5 row(s)" in err
    names = [row["subject_name"] for row in csv.DictReader(io.StringIO(out))]
    assert names == ['\'=HYPERLINK("http://x")', "'+1+1", "'-2+3", "'@SUM(1)", "Plain - name"]
    assert [neutralise(text) for text in ("\tx", "\rx", "\nx", "x=1", "")] == ["'\tx", "'\rx", "'\nx", "x=1", ""]
    code, out, _ = run("portfolio", "export", "--format", "jsonl", "--db", db_url, "--table", "scores")
    records = [json.loads(line) for line in out.splitlines()]
    assert (
        len(records) == 5 * (1 + 3 + 4 + 4) and records[0]["subject_name"] == '=HYPERLINK("http://x")'
    )  # JSON is not neutralised


def test_export_parquet(db_url: str, submit: Submit, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    run("registry", "ingest", *national_dataset(submit), "--db", db_url, "--rubric-dir", RUBRICS)
    target = tmp_path / "all.parquet"
    code, _, err = run("portfolio", "export", "--format", "parquet", "-o", target, "--db", db_url, "--all")
    assert code == 0 and "13 row(s)" in err
    table = pq.read_table(target)
    assert table.num_rows == 13
    rows = {(r["subject_code"], r["round"], r["current"]): r for r in table.to_pylist()}
    assert rows[("C", "2026-Q4", True)]["region_percentile"] == 250 / 3
    assert rows[("A", "2026-Q4", False)]["org_type_percentile"] is None  # history has no peers
    code, _, err = run("portfolio", "export", "--format", "parquet", "--db", db_url)
    assert code == 2 and "give a file with -o" in err


def test_list_show_and_export_name_the_assessing_organisation(
    db_url: str, submit: Submit, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # tables as wide as they need to be
    tool = {"rubric": "tiny-tech@1.0.0", "org_type": "vendor", "region": None}
    paths = [
        submit("T1", "2026-Q4", levels(4, 4, 4), **tool),
        submit("T1", "2026-Q4", levels(3, 3, 3), file="T1-by-RX1.yaml", assessed_by="RX1", **tool),
    ]
    code, out, _ = run("registry", "ingest", *paths, "--db", db_url, "--rubric-dir", RUBRICS)
    assert code == 0 and "new         2" in out
    code, out, _ = run("registry", "list", "--db", db_url, "--format", "json")
    assert [r["assessed_by"] for r in json.loads(out)] == [None, {"code": "RX1", "name": "Trust RX1"}]
    code, out, _ = run("registry", "list", "--db", db_url, "--format", "json", "--assessed-by", "RX1")
    assert [r["overall"]["level"] for r in json.loads(out)] == [3]
    code, out, _ = run("registry", "list", "--db", db_url, "--assessed-by", "-")
    assert code == 0 and "assessed by" in out and "RX1" not in out
    code, out, _ = run("registry", "show", "T1", "--db", db_url)
    assert code == 0 and "Trust RX1 (RX1)" in out
    code, out, _ = run("portfolio", "export", "--format", "csv", "--db", db_url)
    rows = [
        (r["assessed_by_code"], r["assessed_by_name"], r["assessing_organisations"])
        for r in csv.DictReader(io.StringIO(out))
    ]
    assert rows == [("", "", "1"), ("RX1", "Trust RX1", "1")]


def test_a_local_rubric_in_a_folder_is_skipped_but_named_alone_is_rejected(db_url: str) -> None:
    folder = Path(__file__).resolve().parents[2] / "examples" / "local-rubric"
    code, out, _ = run("registry", "ingest", folder, "--db", db_url, "--format", "json")
    summary = json.loads(out)
    assert code == 0
    assert (summary["new"], summary["skipped"], summary["rejected"]) == (
        1,
        [str(folder / "northshire-ai-readiness.yaml")],
        [],
    )
    code, _, err = run("registry", "ingest", folder / "northshire-ai-readiness.yaml", "--db", db_url)
    assert code == 1 and "rubric-not-submission" in err
