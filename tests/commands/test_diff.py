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


# Small named submissions of one organisation on the diff-tiny rubric (diff_cases/): each differs
# from base.yaml in one way, told by its name and its first comment.
CASES = Path(__file__).parent / "diff_cases"


def diff_case(old: str, new: str, fmt: str, *extra: str) -> str:
    code, out, err = run("diff", CASES / old, CASES / new, "--rubric-dir", CASES, "--format", fmt, *extra)
    assert code == 0, err
    return out


def both(old: str, new: str) -> tuple[dict[str, object], str]:
    """The JSON (parsed) and the terminal table of one comparison: every test checks both, and
    `markdown` the third format."""
    return json.loads(diff_case(old, new, "json")), diff_case(old, new, "table")


def markdown(old: str, new: str) -> str:
    return diff_case(old, new, "md")


def line_of(table: str, start: str) -> str:
    return next(line for line in table.splitlines() if line.startswith(start))


def test_diff_shows_a_change_of_outcome() -> None:
    changes, table = both("base.yaml", "outcome-change.yaml")
    assert changes["outcome"] == {
        "before": {"id": "ready", "label": "Ready"},
        "after": {"id": "not-yet", "label": "Not yet ready"},
        "changed": True,
    }
    assert "Outcome: Ready → Not yet ready" in table
    same, same_table = both("base.yaml", "score-inside-level.yaml")
    assert same["outcome"]["changed"] is False  # type: ignore[index]
    assert "Outcome: Ready (unchanged)" in same_table
    assert "**Outcome:** Ready → Not yet ready" in markdown("base.yaml", "outcome-change.yaml")
    assert "**Outcome:** Ready (unchanged)" in markdown("base.yaml", "score-inside-level.yaml")


def test_diff_shows_a_score_change_inside_a_level() -> None:
    changes, table = both("base.yaml", "score-inside-level.yaml")
    safe = next(p for p in changes["pillars"] if p["id"] == "safe")  # type: ignore[attr-defined]
    assert (safe["before_score"], safe["after_score"], safe["delta"], safe["change"]) == (3.0, 3.5, 0.5, "same")
    overall = changes["overall"]
    assert (overall["before_score"], overall["after_score"], overall["delta"]) == (3.0, 3.0, 0.0)  # type: ignore[index]
    assert "│ 3 (3.00)    │ 3 (3.50)    │ +0.50 │       │" in line_of(table, "│ pillar  │ safe ")
    assert "│  0.00 │" in line_of(table, "│ overall ")
    down, down_table = both("base.yaml", "outcome-change.yaml")
    assert down["overall"]["delta"] == -1.0  # type: ignore[index]
    assert "-1.00 │ ▼ down" in line_of(down_table, "│ overall ")
    assert "| pillar | safe | 3 (3.00) | 3 (3.50) | +0.50 |   |" in markdown("base.yaml", "score-inside-level.yaml")
    assert "| overall | overall | 3 (3.00) | 2 (2.00) | -1.00 | ▼ down |" in markdown(
        "base.yaml", "outcome-change.yaml"
    )


def test_diff_shows_a_gate_newly_failed_and_one_newly_passed() -> None:
    failed, table = both("base.yaml", "gate-failed.yaml")
    assert failed["gates_failed"] == [{"criterion": "g2", "scope": "overall", "target": "overall", "cap": 1}]
    assert failed["gates_cleared"] == []
    assert "Gate newly failed g2: caps the overall level at 1" in table
    passed, passed_table = both("gate-failed.yaml", "base.yaml")
    assert [g["criterion"] for g in passed["gates_cleared"]] == ["g2"] and passed["gates_failed"] == []  # type: ignore[attr-defined,index]
    assert "Gate newly passed g2: no longer caps the overall level" in passed_table
    assert "No gate newly failed or passed." in both("base.yaml", "evidence-added.yaml")[1]
    assert "- **Gate newly failed** g2: caps the overall level at 1" in markdown("base.yaml", "gate-failed.yaml")
    assert "- **Gate newly passed** g2: no longer caps the overall level" in markdown("gate-failed.yaml", "base.yaml")


def test_diff_shows_evidence_added() -> None:
    changes, table = both("base.yaml", "evidence-added.yaml")
    assert changes["evidence"] == {
        "today": "2026-12-07",
        "added": [
            {
                "criterion": "g1",
                "title": "AI audit report",
                "url": "https://org-a.example/ai-audit.pdf",
                "path": None,
                "date": "2026-10-15",
            }
        ],
        "removed": [],
        "expired": [],
        "not_compared": None,
    }
    assert "│ g1        │ AI audit report │ 2026-10-15 │ added  │" in table
    removed, removed_table = both("evidence-added.yaml", "base.yaml")
    assert [e["title"] for e in removed["evidence"]["removed"]] == ["AI audit report"]  # type: ignore[index]
    assert "│ g1        │ AI audit report │ 2026-10-15 │ removed │" in removed_table
    assert "| g1 | AI audit report | 2026-10-15 | added |" in markdown("base.yaml", "evidence-added.yaml")
    assert "| g1 | AI audit report | 2026-10-15 | removed |" in markdown("evidence-added.yaml", "base.yaml")


def test_diff_shows_evidence_expired_by_the_commands_today() -> None:
    changes, table = both("base.yaml", "evidence-expired.yaml")
    evidence = changes["evidence"]
    # 365 days old on the day assessed (it counted), 401 days old on the suite's pinned today
    assert evidence["expired"] == [  # type: ignore[index]
        {
            "criterion": "g1",
            "title": "AI policy v0",
            "url": "https://org-a.example/ai-policy-v0.pdf",
            "path": None,
            "date": "2025-11-01",
            "max_age_days": 365,
            "expired_on": "2026-11-02",
            "credit_lost": True,
        }
    ]
    assert [e["title"] for e in evidence["added"]] == ["AI policy v0"]  # type: ignore[index]
    assert [e["title"] for e in evidence["removed"]] == ["AI policy v1"]  # type: ignore[index]
    assert "expired 2026-11-02 (over 365 days);" in table and "g1's credited level no longer holds" in table
    # "today" is the command's pinned date: on the last day the evidence counts, nothing has expired
    on_time = json.loads(diff_case("base.yaml", "evidence-expired.yaml", "json"))
    code, out, err = run(
        "--today", "2026-11-01", "diff", CASES / "base.yaml", CASES / "evidence-expired.yaml",
        "--rubric-dir", CASES, "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["evidence"]["expired"] == [] and on_time["evidence"]["expired"] != []
    assert "No evidence added, removed or expired" not in table
    assert (
        "| g1 | AI policy v0 | 2025-11-01 | expired 2026-11-02 (over 365 days); g1's credited level no longer holds |"
        in markdown("base.yaml", "evidence-expired.yaml")
    )


def test_diff_says_why_evidence_is_not_compared_against_a_result_file(tmp_path: Path) -> None:
    result = tmp_path / "base.json"
    code, out, err = run("score", CASES / "base.yaml", "--rubric-dir", CASES, "--format", "json")
    assert code == 0, err
    result.write_text(out, encoding="utf-8")
    for fmt in ("json", "table", "md"):
        code, out, err = run("diff", result, CASES / "evidence-expired.yaml", "--rubric-dir", CASES, "--format", fmt)
        assert code == 0, err
        if fmt == "json":
            evidence = json.loads(out)["evidence"]
            assert (evidence["added"], evidence["removed"]) == (None, None)
            assert [e["title"] for e in evidence["expired"]] == ["AI policy v0"]
            assert evidence["not_compared"].startswith("OLD is a result file")
        elif fmt == "md":
            assert "Evidence: OLD is a result file, which records whether evidence counted" in out
            assert "\\| expired 2026-11-02" not in out and "| expired 2026-11-02" in out
        else:
            assert "Evidence: OLD is a result file, which records whether evidence counted" in out
            assert "expired 2026-11-02" in out


@pytest.mark.parametrize("width", [80, 120])
def test_diff_table_keeps_whole_ids_at_80_and_120_columns(width: int) -> None:
    old, new = EXAMPLES / "2026-Q2" / "RX1.yaml", EXAMPLES / "2026-Q4" / "RX1.yaml"
    result = CliRunner(env={"COLUMNS": str(width)}).invoke(main, ["diff", str(old), str(new)])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= width
    changes = diff_results(result_of(old), result_of(new))
    ids = [row.id for row in [*changes.pillars, *changes.domains]] + [c.id for c in changes.criteria]
    assert all(any(f"│ {ident} " in line for line in lines) for ident in ids)
    assert "│ domain  │ information-governance │" in result.stdout
