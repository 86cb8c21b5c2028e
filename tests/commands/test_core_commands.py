"""The core commands through click's CliRunner: rubrics, schema, init, validate, score and exit codes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from aiassure.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture()
def work(tmp_path: Path) -> Path:
    for path in FIXTURES.iterdir():
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_rubrics_list_shows_builtin_and_extra_dirs(work: Path) -> None:
    result = run("rubrics", "list", "--format", "json", "--rubric-dir", str(work))
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {"id": "tiny", "version": "1.2.0"}.items() <= next(r for r in rows if r["id"] == "tiny").items()


def test_rubrics_show_text_and_json(work: Path) -> None:
    text = run("rubrics", "show", str(work / "tiny-rubric.yaml"))
    assert text.exit_code == 0 and "gov-02" in text.stdout and "gate" in text.stdout
    shown = json.loads(run("rubrics", "show", "tiny@1.2.0", "--rubric-dir", str(work), "--format", "json").stdout)
    assert shown["rubric"]["id"] == "tiny" and len(shown["fingerprint"]) == 64


def test_rubrics_show_unknown_lists_available() -> None:
    result = run("rubrics", "show", "nope@1.0.0")
    assert result.exit_code == 1
    assert "unknown rubric 'nope@1.0.0'; available:" in result.stderr


def test_rubrics_lint_clean_and_broken(work: Path) -> None:
    assert run("rubrics", "lint", "--strict", str(work / "tiny-rubric.yaml")).exit_code == 0
    broken = work / "broken.yaml"
    broken.write_text((work / "tiny-rubric.yaml").read_text().replace("pillar: ethical", "pillar: ethics"))
    result = run("rubrics", "lint", str(broken))
    assert result.exit_code == 1
    assert f"{broken}:23:13: error unknown-pillar" in result.stderr and "did you mean ethical?" in result.stderr


def test_schema_is_a_valid_json_schema(work: Path) -> None:
    result = run("schema", str(work / "tiny-rubric.yaml"))
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert set(schema["properties"]["answers"]["properties"]) == {"gov-01", "gov-02", "dp-01", "ev-01", "ev-02"}


def _as_json(path: Path) -> object:
    # Editors see YAML dates as strings; so does this check.
    return json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))


def test_init_writes_a_template_that_validates_and_meets_its_schema(work: Path) -> None:
    target = work / "answers.yaml"
    result = run("init", str(work / "tiny-rubric.yaml"), "-o", str(target))
    assert result.exit_code == 0, result.output
    text = target.read_text()
    assert text.startswith("# yaml-language-server: $schema=./answers.schema.json\n")
    assert "# gov-01: Is there a named board-level owner for AI?" in text
    assert "#   3 Defined: Named owner reporting yearly." in text
    assert "rubric: tiny-rubric.yaml" in text
    schema = json.loads((work / "answers.schema.json").read_text())
    jsonschema.validate(_as_json(target), schema)
    validated = run("validate", str(target))
    assert validated.exit_code == 0
    assert "warning unanswered (answers.gov-01)" in validated.stderr
    assert run("validate", "--strict", str(target)).exit_code == 1


def test_init_says_a_context_question_is_not_scored_and_gives_its_options_no_level(work: Path) -> None:
    target = work / "technology.yaml"
    assert run("init", "nhs-ai-technology", "-o", str(target)).exit_code == 0
    text = target.read_text()
    assert "# device-class: [choice, pillar effective, context, not scored]" in text
    assert "#   class-iia: Class IIa medical device\n" in text  # the answer, no "(level 5)"
    # a scored choice keeps the level each option is credited at
    assert re.search(r"#   \S+: .+ \(level \d\)\n", text)


def test_init_refuses_to_overwrite(work: Path) -> None:
    result = run("init", str(work / "tiny-rubric.yaml"), "-o", str(work / "good.yaml"))
    assert result.exit_code == 2 and "exists" in result.stderr


def test_good_submission_meets_the_schema(work: Path) -> None:
    schema = json.loads(run("schema", str(work / "tiny-rubric.yaml")).stdout)
    jsonschema.validate(_as_json(work / "good.yaml"), schema)


def test_validate_reports_every_error_located(work: Path) -> None:
    result = run("validate", str(work / "bad.yaml"))
    assert result.exit_code == 1
    bad = work / "bad.yaml"
    for expected in (
        f"{bad}:3:8: error invalid-value (round)",
        f"{bad}:6:3: error unknown-criterion (answers.gov-1)",
        "did you mean gov-01?",
        f"{bad}:7:11: error invalid-answer (answers.gov-02)",
        f"{bad}:8:25: error unknown-key (answers.dp-01.colour)",
        f"{bad}:9:10: error invalid-answer (answers.ev-01)",
    ):
        assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.output


def test_validate_missing_file_is_located(work: Path) -> None:
    result = run("validate", str(work / "missing.yaml"))
    assert result.exit_code == 1 and "no-such-file" in result.stderr


def test_usage_errors_exit_2(work: Path) -> None:
    assert run("validate").exit_code == 2
    assert run("score", "--format", "xml", str(work / "good.yaml")).exit_code == 2


def test_score_table_and_json(work: Path) -> None:
    table = run("score", str(work / "good.yaml"))
    assert table.exit_code == 0
    assert "Northshire Hospitals" in table.stdout and "Outcome: Ready" in table.stdout
    one = json.loads(run("score", "--format", "json", str(work / "good.yaml")).stdout)
    assert one["result_schema"] == 1 and one["outcome"] == {"id": "ready", "label": "Ready"}
    many = json.loads(run("score", "--format", "json", str(work / "good.yaml"), str(work / "good.yaml")).stdout)
    assert many == [one, one]


def test_score_is_byte_identical_whatever_the_answer_order(work: Path) -> None:
    original = run("score", "--format", "json", str(work / "good.yaml")).stdout
    lines = (work / "good.yaml").read_text().splitlines()
    start = lines.index("answers:") + 1
    reordered = lines[:start] + list(reversed(lines[start:]))
    (work / "good.yaml").write_text("\n".join(reordered) + "\n")
    again = json.loads(run("score", "--format", "json", str(work / "good.yaml")).stdout)
    first = json.loads(original)
    assert first.pop("submission") != again.pop("submission")  # different bytes, same scores
    assert json.dumps(first) == json.dumps(again)


def test_score_in_parallel_gives_the_same_output(work: Path) -> None:
    files = [str(work / "good.yaml")] * 4
    serial = run("score", "--format", "json", *files).stdout
    assert run("score", "--format", "json", "--jobs", "2", *files).stdout == serial


def test_score_with_an_invalid_file_exits_1_but_scores_the_rest(work: Path) -> None:
    result = run("score", "--format", "json", str(work / "good.yaml"), str(work / "bad.yaml"))
    assert result.exit_code == 1
    assert len(json.loads(result.stdout)) == 1
    assert "1 of 2 file(s) could not be scored" in result.stderr


def test_validate_does_not_import_heavy_modules(work: Path) -> None:
    probe = (
        "import sys\n"
        "from aiassure.cli import main\n"
        "try:\n"
        f"    main(['validate', {str(work / 'good.yaml')!r}])\n"
        "except SystemExit as exit:\n"
        "    assert exit.code in (0, None), exit.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('weasyprint', 'sqlalchemy', 'alembic', 'pyarrow', 'rich', 'jinja2'))\n"
        "print(heavy)\n"
    )
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "[]", output.stdout


def test_debug_shows_the_traceback_and_default_hides_it(work: Path) -> None:
    quiet = subprocess.run(
        [sys.executable, "-m", "aiassure", "validate", str(work / "bad.yaml")], capture_output=True, text=True
    )
    assert quiet.returncode == 1 and "Traceback" not in quiet.stderr


def test_validate_recognises_a_rubric_given_as_a_submission(work: Path) -> None:
    result = run("validate", str(work / "tiny-rubric.yaml"))
    assert result.exit_code == 1
    assert "error rubric-not-submission" in result.stderr and "aiassure rubrics lint" in result.stderr
