"""`aiassure diff OLD NEW`: level changes and gates between two submissions of one subject."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiassure.assessments.diff import diff_results
from aiassure.assessments.score_files import ScoreOptions
from aiassure.cli import main
from aiassure.errors import InputError
from aiassure.registry.intake import read_input

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
RUBRICS = Path(__file__).resolve().parents[1] / "registry" / "data" / "rubrics"


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def write(
    folder: Path, name: str, answers: str, *, rubric: str = "tiny-org@1.0.0", code: str = "A", round_: str = "2026-Q4"
) -> Path:
    path = folder / name
    path.write_text(
        f"rubric: {rubric}\nsubject: {{type: organisation, name: Org {code}, code: {code}, org_type: acute}}\n"
        f"round: {round_}\nassessed_on: 2026-11-01\nanswers: {answers}\n",
        encoding="utf-8",
    )
    return path


def result_of(path: Path) -> object:
    return read_input(path, ScoreOptions(rubric_dirs=(RUBRICS,))).result


def test_diff_of_two_rounds_of_an_example() -> None:
    old, new = EXAMPLES / "2026-Q2" / "RX1.yaml", EXAMPLES / "2026-Q4" / "RX1.yaml"
    code, out, err = run("diff", old, new, "--format", "json")
    assert code == 0, err
    changes = json.loads(out)
    assert (changes["before"]["round"], changes["after"]["round"]) == ("2026-Q2", "2026-Q4")
    assert (changes["overall"]["before_level"], changes["overall"]["after_level"], changes["overall"]["change"]) == (
        2,
        3,
        "up",
    )
    # every criterion whose credited level or status differs between the two results is listed, and no other
    before = {c.id: (c.credited, c.status) for c in result_of(old).criteria}
    after = {c.id: (c.credited, c.status) for c in result_of(new).criteria}
    assert [c["id"] for c in changes["criteria"]] == [i for i in after if before[i] != after[i]]
    assert all((c["before_level"], c["before_status"]) == before[c["id"]] for c in changes["criteria"])
    code, table, _ = run("diff", old, new)
    assert code == 0 and "old 2026-Q2" in table and "▲ up" in table


def test_diff_reports_gates_newly_failed_and_cleared(tmp_path: Path) -> None:
    passing = write(tmp_path, "old.yaml", "{g1: 4, d1: 3, v1: 3, g2: yes}")
    failing = write(tmp_path, "new.yaml", "{g1: 4, d1: 2, v1: 3, g2: no}")
    changes = diff_results(result_of(passing), result_of(failing))
    assert [(g.criterion, g.scope, g.cap) for g in changes.gates_failed] == [("g2", "overall", 1)]
    assert changes.gates_cleared == []
    assert (changes.overall.before_level, changes.overall.after_level, changes.overall.change) == (3, 1, "down")
    assert [(c.id, c.before_level, c.after_level, c.change) for c in changes.criteria] == [
        ("d1", 3, 2, "down"),
        ("g2", 5, 0, "down"),
    ]
    assert [(p.id, p.change) for p in changes.pillars] == [("safe", "same"), ("ethical", "down"), ("effective", "same")]
    reverse = diff_results(result_of(failing), result_of(passing))
    assert [g.criterion for g in reverse.gates_cleared] == ["g2"] and reverse.gates_failed == []


def test_diff_refuses_other_subjects_and_major_versions(tmp_path: Path) -> None:
    one = write(tmp_path, "one.yaml", "{g1: 3}")
    other = write(tmp_path, "other.yaml", "{g1: 3}", code="B")
    with pytest.raises(InputError, match="OLD is organisation A and NEW is organisation B"):
        diff_results(result_of(one), result_of(other))
    second_edition = write(tmp_path, "v2.yaml", "{g1: 3}", rubric="tiny-org@2.0.0")
    code, _, err = run("diff", one, second_edition, "--rubric-dir", RUBRICS)
    assert code == 1
    assert "refusing to compare tiny-org 1.0.0 with 2.0.0: a new major version changes what is asked" in err
    minor = write(tmp_path, "v11.yaml", "{g1: 4}", rubric="tiny-org@1.1.0")  # a minor version compares
    assert diff_results(result_of(one), result_of(minor)).after.rubric_version == "1.1.0"
