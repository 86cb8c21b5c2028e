"""`rubrics list`, `registry list` and `registry show` as tables at 80 and 120 columns: every id
whole, no line wider than the terminal, columns left out said, pillars in the rubric's order."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from registry_helpers import RUBRICS, Submit, national_dataset

from aiassure.cli import main
from aiassure.commands.common import Column, fitted_table

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WIDTHS = (80, 120)


def run(width: int, *args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args], env={"COLUMNS": str(width)})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def cells(out: str) -> list[list[str]]:
    """The cells of every table line, stripped (a wrapped value is spread over lines)."""
    return [[cell.strip() for cell in line.strip("│┃").split("│" if "│" in line else "┃")] for line in out.splitlines()]


def in_one_cell(value: str, out: str) -> bool:
    return any(value in row for row in cells(out))


def assert_fits(out: str, width: int) -> None:
    assert out.strip(), "no table"
    assert max(len(line) for line in out.splitlines()) <= width
    assert "…" not in out  # nothing cut with an ellipsis


@pytest.fixture(scope="module")
def examples_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    database = str(tmp_path_factory.mktemp("examples") / "registry.db")
    for folder in ("2026-Q2", "2026-Q4"):
        code, _, _ = run(200, "registry", "ingest", EXAMPLES / folder, "--db", database)
        assert code == 0
    return database


@pytest.mark.parametrize("width", WIDTHS)
def test_rubrics_list_shows_whole_ids(width: int) -> None:
    local = EXAMPLES / "local-rubric"
    code, out, err = run(width, "rubrics", "list", "--rubric-dir", local)
    assert code == 0
    assert_fits(out, width)
    _, listed, _ = run(width, "rubrics", "list", "--rubric-dir", local, "--format", "json")
    refs = [f"{r['id']}@{r['version']}" for r in json.loads(listed)]
    assert "northshire-ai-readiness@1.0.0" in refs and "nhs-ai-technology@1.0.0" in refs
    for ref in refs:
        assert in_one_cell(ref, out), ref
    if width == 80:
        assert "not shown at 80 columns: criteria" in err
    else:
        assert "criteria" in out.splitlines()[1]


@pytest.mark.parametrize("width", WIDTHS)
def test_registry_list_shows_whole_ids_and_the_outcome(width: int, examples_db: str) -> None:
    code, out, err = run(width, "registry", "list", "--db", examples_db)
    assert code == 0
    assert_fits(out, width)
    _, listed, _ = run(width, "registry", "list", "--db", examples_db, "--format", "json")
    rows = json.loads(listed)
    assert len(rows) == 29 and "29 submission(s)" in err
    # one table per rubric, titled with it whole
    assert "nhs-ai-readiness@1.0.0: 14 submission(s)" in out and "nhs-ai-technology@1.0.0: 15 submission(s)" in out
    for row in rows:
        assert any(
            line[:3] == [str(row["id"]), row["subject"]["code"], line[2]] for line in cells(out) if len(line) > 2
        ), row["subject"]["code"]
    headers = [line for line in cells(out) if line and line[0] == "id"]
    assert all("outcome" in header for header in headers)
    assert in_one_cell("Ready to scale", out) and in_one_cell("Not yet ready", out)
    assert "status" not in headers[0]  # every row is current: no status column
    left_out = re.search(r"not shown at \d+ columns: ([^(]*) \(", err)
    if width == 80:
        assert left_out is not None and "gates" in left_out[1] and "region" in left_out[1]
    else:
        assert "gates" in headers[0] and "assessed by" in headers[0]


@pytest.mark.parametrize("width", WIDTHS)
def test_registry_show_keeps_the_rubrics_pillar_order(width: int, examples_db: str) -> None:
    code, out, err = run(width, "registry", "show", "PRD-CXRTRIAGE", "--db", examples_db)
    assert code == 0
    assert_fits(out, width)
    assert "LungLens CXR (PRD-CXRTRIAGE; technology, vendor, North West) on" in out
    assert in_one_cell("nhs-ai-technology@1.0.0", out) or "nhs-ai-technology@1.0.0" in out
    [header] = [line for line in cells(out) if line and line[0] == "id"]
    # the rubric lists safe, ethical, effective; stored scores come alphabetically
    assert [h for h in header if h in ("safe", "ethical", "effective")] == ["safe", "ethical", "effective"]
    _, shown_json, _ = run(width, "registry", "show", "PRD-CXRTRIAGE", "--db", examples_db, "--format", "json")
    history = json.loads(shown_json)
    for entry in history:
        assert in_one_cell(str(entry["id"]), out)
        if entry["assessed_by"] is not None and width == 120:
            assert f"({entry['assessed_by']['code']})" in out
    if width == 80:
        assert "not shown at 80 columns:" in err and "sha256" in err


@pytest.mark.parametrize("width", WIDTHS)
def test_history_and_two_versions_at_each_width(width: int, db_url: str, submit: Submit) -> None:
    code, _, _ = run(width, "registry", "ingest", *national_dataset(submit), "--db", db_url, "--rubric-dir", RUBRICS)
    assert code == 0
    code, out, _ = run(width, "registry", "list", "--all", "--db", db_url)
    assert code == 0
    assert_fits(out, width)
    assert "tiny-org (1.0.0, 1.1.0): 9 submission(s)" in out
    [org_header, _tech_header] = [line for line in cells(out) if line and line[0] == "id"]
    assert "version" in org_header and "status" in org_header
    assert in_one_cell("1.1.0", out)
    # the status wraps between words, never inside the id it names
    assert re.search(r"│ superseded by #5 +│", out) or re.search(r"│ superseded +│\n.*│ by #5 +│", out)
    code, out, _ = run(width, "registry", "show", "A", "--db", db_url)
    assert code == 0
    assert_fits(out, width)
    [header] = [line for line in cells(out) if line and line[0] == "id"]
    assert [h for h in header if h in ("safe", "ethical", "effective")] == ["safe", "ethical", "effective"]
    assert "on tiny-org@1.0.0" in out.replace("\n", " ")


def test_an_id_is_folded_never_cut_when_nothing_else_can_go() -> None:
    from rich.console import Console

    ident = "a-very-long-rubric-identifier@10.20.30"
    table, left_out = fitted_table(
        [Column("id"), Column("note", drop=1, wrap=True)], [[ident, "a note that can go"]], 20
    )
    assert left_out == ["note"]
    console = Console(width=20, record=True, file=io.StringIO())
    console.print(table)
    text = console.export_text()
    assert "…" not in text
    body = [line for line in text.splitlines() if line.startswith("│")]
    assert len(body) > 1 and max(len(line) for line in text.splitlines()) <= 20
    assert "".join(cell for row in cells("\n".join(body)) for cell in row) == ident


@pytest.mark.parametrize("width", WIDTHS)
def test_registry_rubrics_keeps_the_title_readable(width: int, examples_db: str) -> None:
    code, out, _ = run(width, "registry", "rubrics", "--db", examples_db)
    assert code == 0
    assert_fits(out, width)
    _, listed, _ = run(width, "registry", "rubrics", "--db", examples_db, "--format", "json")
    for rubric in json.loads(listed):
        assert in_one_cell(f"{rubric['id']}@{rubric['version']}", out)
        assert in_one_cell(rubric["fingerprint"][:12], out)
    # the title wraps between words, never squeezed to nothing
    assert any(cell.startswith("Organisational") for row in cells(out) for cell in row)
