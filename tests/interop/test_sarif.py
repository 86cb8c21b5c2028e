"""`validate --format sarif`: a SARIF 2.1.0 log, checked against the vendored schema, saying what the text says."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from aiassure.cli import main

# The SARIF 2.1.0 JSON Schema (OASIS; draft-04), vendored from npm's @microsoft/jest-sarif 1.0.0-beta.0
# (lib/schemas/sarif-2.1.0-rtm.5.json, MIT): tests never fetch anything.
SCHEMA = Path(__file__).parent / "schemas" / "sarif-2.1.0-rtm.5.json"

ERRORS_AND_WARNINGS = """\
rubric: nhs-ai-readiness@1.0.0
subject: {type: organisation, name: Test Trust, code: '', org_type: acute}
round: 2026-Q4
assessed_on: 2026-11-20
answers:
  ls-01: 7
  ls-02: {level: 2, evidense: []}
  ls-99: 3
  mi-03: na
"""


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def sarif_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema).check_schema(schema)
    return schema


def test_a_file_with_errors_and_warnings_gives_a_valid_sarif_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sarif_schema: dict[str, Any]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "answers.yaml").write_text(ERRORS_AND_WARNINGS, encoding="utf-8")
    (tmp_path / "fine.yaml").write_text(
        ERRORS_AND_WARNINGS.split("answers:")[0].replace("code: ''", "code: RXX") + "answers: {}\n", encoding="utf-8"
    )
    done = run("validate", "--format", "sarif", "answers.yaml", "fine.yaml")
    assert done.exit_code == 1
    log = json.loads(done.stdout)
    jsonschema.validate(log, sarif_schema)
    text = run("validate", "answers.yaml", "fine.yaml").stderr

    assert log["version"] == "2.1.0"
    (run_,) = log["runs"]
    assert run_["tool"]["driver"]["name"] == "aiassure" and run_["tool"]["driver"]["version"]
    results = run_["results"]
    levels = {r["level"] for r in results}
    assert levels == {"error", "warning"}
    rules = [rule["id"] for rule in run_["tool"]["driver"]["rules"]]
    for result in results:
        assert rules[result["ruleIndex"]] == result["ruleId"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert physical["artifactLocation"]["uriBaseId"] == "SRCROOT"
        region = physical["region"]
        # The same diagnostic, in the same place, as the text output says it.
        where = f"{uri}:{region['startLine']}:{region['startColumn']}: {result['level']} {result['ruleId']}"
        assert where in text, where
    by_rule = {r["ruleId"]: r for r in results}
    unknown = by_rule["unknown-criterion"]
    assert unknown["level"] == "error" and "ls-99" in unknown["message"]["text"]
    assert unknown["properties"]["hint"] and "Hint: " in unknown["message"]["text"]
    assert unknown["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "answers.ls-99"
    assert unknown["locations"][0]["physicalLocation"]["region"] == {"startLine": 8, "startColumn": 3}
    assert by_rule["subject-incomplete"]["level"] == "warning"
    assert {"invalid-answer", "unknown-key", "na-without-reason"} <= set(by_rule)
    artifacts = [a["location"]["uri"] for a in run_["artifacts"]]
    assert artifacts == ["answers.yaml", "fine.yaml"]
    assert all(len(a["hashes"]["sha-256"]) == 64 for a in run_["artifacts"])


def test_strict_makes_warnings_errors_and_the_log_can_go_to_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sarif_schema: dict[str, Any]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "answers.yaml").write_text(ERRORS_AND_WARNINGS, encoding="utf-8")
    done = run("validate", "--strict", "--format", "sarif", "-o", "out/aiassure.sarif", "answers.yaml")
    assert done.exit_code == 1 and done.stdout == ""
    log = json.loads((tmp_path / "out" / "aiassure.sarif").read_text(encoding="utf-8"))
    jsonschema.validate(log, sarif_schema)
    assert {r["level"] for r in log["runs"][0]["results"]} == {"error"}


def test_quiet_leaves_warnings_out_and_a_valid_file_gives_no_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sarif_schema: dict[str, Any]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ok.yaml").write_text(
        textwrap.dedent(
            """\
            rubric: nhs-ai-readiness@1.0.0
            subject: {type: organisation, name: Test Trust, code: RXX, org_type: acute}
            round: 2026-Q4
            assessed_on: 2026-11-20
            """
        ),
        encoding="utf-8",
    )
    done = run("validate", "--quiet", "--format", "sarif", "ok.yaml")
    assert done.exit_code == 0
    log = json.loads(done.stdout)
    jsonschema.validate(log, sarif_schema)
    assert log["runs"][0]["results"] == []


def test_output_is_only_for_sarif_and_never_an_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "answers.yaml").write_text(ERRORS_AND_WARNINGS, encoding="utf-8")
    assert run("validate", "-o", "x.sarif", "answers.yaml").exit_code == 2
    done = run("validate", "--format", "sarif", "-o", "answers.yaml", "answers.yaml")
    assert done.exit_code == 2 and "refusing to overwrite the input" in done.output
    assert (tmp_path / "answers.yaml").read_text(encoding="utf-8") == ERRORS_AND_WARNINGS
