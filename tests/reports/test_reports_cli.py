"""`aiassure report`: names, formats, --previous, parallel runs, and files that are never clobbered."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiassure.assessments.result import to_result
from aiassure.assessments.validate import load_submission
from aiassure.cli import main
from aiassure.reports.writer import slug

DATA = Path(__file__).parent / "data"


def run(*args: str | Path) -> object:
    return CliRunner().invoke(main, ["report", *map(str, args)])


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A copy of the test submissions and rubrics, so that tests may write beside them."""
    for path in DATA.iterdir():
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("../../etc/x", "etc-x"),
        ("RXX", "RXX"),
        ("", "report"),
        ("..", "report"),
        ("Ümlaut trust/ä", "Umlaut-trust-a"),
        (".hidden", "hidden"),
        ("a" * 200, "a" * 80),
    ],
)
def test_slug_keeps_names_inside_the_folder(text: str, expected: str) -> None:
    assert slug(text) == expected


def test_one_report_per_submission_named_from_code_and_round(workdir: Path, report_library) -> None:
    out = workdir / "out"
    result = run(
        workdir / "northshire-2026-Q4.yaml", workdir / "hostile-vendor.yaml", "-o", out, "--format", "json,md,html"
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        f"{stem}.{ext}" for stem in ("RXX-2026-Q4", "etc-x-2026-Q4") for ext in ("html", "json", "md")
    ]
    assert result.stdout.splitlines()[0] == str(out / "RXX-2026-Q4.html")
    expected = to_result(load_submission(workdir / "northshire-2026-Q4.yaml", report_library)).to_json()
    assert (out / "RXX-2026-Q4.json").read_text() == expected
    assert not list(workdir.parent.glob("etc*")) and not (workdir / "etc").exists()


def test_json_format_is_exactly_what_score_prints(workdir: Path) -> None:
    submission = workdir / "northshire-2026-Q4.yaml"
    assert run(submission, "-o", workdir / "out", "--format", "json").exit_code == 0
    scored = CliRunner().invoke(main, ["score", str(submission), "--format", "json"])
    assert (workdir / "out" / "RXX-2026-Q4.json").read_text() == scored.stdout


@pytest.mark.slow
def test_previous_round_from_a_submission_a_result_or_a_pdf(workdir: Path, rendered_pdfs: Path) -> None:
    out = workdir / "out"
    assert run(workdir / "northshire-2026-Q2.yaml", "-o", workdir / "q2", "--format", "json").exit_code == 0
    for previous in (workdir / "northshire-2026-Q2.yaml", workdir / "q2" / "RXX-2026-Q2.json", workdir / "q2"):
        result = run(workdir / "northshire-2026-Q4.yaml", "-o", out, "--format", "md", "--previous", previous)
        assert result.exit_code == 0, result.output
        assert "## Change since 2026-Q2" in (out / "RXX-2026-Q4.md").read_text()
    # a report PDF is a previous round too; a later round of the same subject is not "previous"
    result = run(
        workdir / "northshire-2026-Q2.yaml",
        "-o",
        out,
        "--format",
        "md",
        "--previous",
        rendered_pdfs / "RXX-2026-Q4.pdf",
    )
    assert result.exit_code == 0 and "Change since" not in (out / "RXX-2026-Q2.md").read_text()


def test_two_submissions_for_one_name_are_refused_before_writing(workdir: Path) -> None:
    (workdir / "again.yaml").write_bytes((workdir / "northshire-2026-Q4.yaml").read_bytes())
    result = run(workdir / "northshire-2026-Q4.yaml", workdir / "again.yaml", "-o", workdir / "out", "--format", "md")
    assert result.exit_code == 2 and "RXX-2026-Q4" in result.output
    assert not (workdir / "out").exists()


def test_an_input_is_never_overwritten(workdir: Path) -> None:
    victim = workdir / "RXX-2026-Q4.md"
    shutil.copy(workdir / "northshire-2026-Q4.yaml", victim)  # a submission that happens to bear a report's name
    before = victim.read_bytes()
    result = run(victim, "-o", workdir, "--format", "md")
    assert result.exit_code == 2 and "refusing to overwrite" in result.output
    assert victim.read_bytes() == before


def test_a_failure_half_way_leaves_earlier_files_whole(workdir: Path) -> None:
    out = workdir / "out"
    out.mkdir()
    (out / "RXX-2026-Q4.html").write_text("last quarter's report")
    broken = workdir / "templates"
    broken.mkdir()
    (broken / "report.md").write_text("{{ subject.__class__ }}")
    result = run(workdir / "northshire-2026-Q4.yaml", "-o", out, "--format", "html,md", "--template-dir", broken)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (
        out / "RXX-2026-Q4.html"
    ).read_text() == "last quarter's report"  # html renders first but is not written alone
    assert sorted(p.name for p in out.iterdir()) == ["RXX-2026-Q4.html"]  # and no temporary file is left behind


def test_invalid_files_are_reported_and_the_others_still_written(workdir: Path) -> None:
    (workdir / "bad.yaml").write_text("rubric: tiny-readiness.yaml\nsubject: 3\n")
    result = run(workdir / "bad.yaml", workdir / "northshire-2026-Q4.yaml", "-o", workdir / "out", "--format", "md")
    assert result.exit_code == 1
    assert "bad.yaml:2" in result.output and "1 of 2 file(s) could not be reported" in result.output
    assert (workdir / "out" / "RXX-2026-Q4.md").exists()


def test_parallel_runs_write_the_same_files(workdir: Path) -> None:
    files = [workdir / "northshire-2026-Q2.yaml", workdir / "northshire-2026-Q4.yaml", workdir / "hostile-vendor.yaml"]
    assert run(*files, "-o", workdir / "one", "--format", "md,json").exit_code == 0
    result = run(*files, "-o", workdir / "two", "--format", "md,json", "--jobs", "2")
    assert result.exit_code == 0, result.output
    for path in (workdir / "one").iterdir():
        assert (workdir / "two" / path.name).read_bytes() == path.read_bytes()


def test_unknown_format_is_a_usage_error(workdir: Path) -> None:
    result = run(workdir / "northshire-2026-Q4.yaml", "-o", workdir / "out", "--format", "html,docx")
    assert result.exit_code == 2 and "docx" in result.output


def test_report_reads_and_parses_each_file_once(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each submission is read from disk and parsed once, however many formats (issue 20: twice)."""
    from collections import Counter

    import aiassure.assessments.score_files as score_files
    import aiassure.source as source

    reads: Counter[str] = Counter()
    parses: Counter[str] = Counter()
    real_read, real_parse = source.read_bytes, score_files.load_submission

    def counting_read(path: Path, **kwargs: object) -> bytes:
        reads[Path(path).name] += 1
        return real_read(path, **kwargs)  # type: ignore[arg-type]

    def counting_parse(path: Path, *args: object, **kwargs: object) -> object:
        parses[Path(path).name] += 1
        return real_parse(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(source, "read_bytes", counting_read)
    monkeypatch.setattr(score_files, "load_submission", counting_parse)
    files = [workdir / "northshire-2026-Q2.yaml", workdir / "northshire-2026-Q4.yaml"]
    result = run(*files, "-o", workdir / "out", "--format", "html,md,json")
    assert result.exit_code == 0, result.output
    assert len(list((workdir / "out").iterdir())) == 6
    assert {f.name: (reads[f.name], parses[f.name]) for f in files} == {f.name: (1, 1) for f in files}
