"""`aiassure waivers validate|list` and `score --waivers`, through click's CliRunner, on examples/waivers.yaml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from aiassure.cli import main

REPO = Path(__file__).resolve().parents[2]
WAIVERS = REPO / "examples" / "waivers.yaml"


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_validate_accepts_the_example_file() -> None:
    result = run("waivers", "validate", WAIVERS)
    assert result.exit_code == 0, result.stderr
    assert "1 waiver file(s): 0 error(s), 0 warning(s)" in result.stderr


def test_validate_locates_a_self_approval_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(
        WAIVERS.read_text().replace(
            "approver: Tom Evans (AI Lab assurance lead)",
            "approver: priya shah (head of information governance, rx3)",
            1,
        )
    )
    result = run("waivers", "validate", path)
    assert result.exit_code == 1
    assert f"{path}:22:15: error waiver-self-approved (waivers[0].approver)" in result.stderr


def test_validate_warns_of_a_target_the_rubric_lacks(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(WAIVERS.read_text().replace("gate: ig-02", "gate: igg-02"))
    result = run("waivers", "validate", path)
    assert result.exit_code == 0
    assert "warning waiver-target (waivers[0].scope.gate)" in result.stderr and "did you mean ig-02?" in result.stderr
    assert run("waivers", "validate", "--strict", path).exit_code == 1


def test_list_says_which_waivers_are_in_force_today() -> None:
    listed = json.loads(run("--today", "2026-12-07", "waivers", "list", WAIVERS, "--format", "json").stdout)
    assert listed["as_of"] == "2026-12-07"
    assert [(w["id"], w["in_force"]) for w in listed["waivers"]] == [
        ("rx3-ig-02-dspt", True),
        ("lx1-csr-01-cso", False),
    ]
    assert all(len(w["fingerprint"]) == 64 for w in listed["waivers"])
    earlier = json.loads(run("--today", "2026-10-31", "waivers", "list", WAIVERS, "--format", "json").stdout)
    assert [w["in_force"] for w in earlier["waivers"]] == [True, True]
    text = run("waivers", "list", WAIVERS)
    assert text.exit_code == 0 and "rx3-ig-02-dspt" in text.stdout and "gate ig-02" in text.stdout


def test_score_with_waivers_applies_the_one_in_force(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = run(
        "score", "--format", "json", "--waivers", WAIVERS, "examples/2026-Q4/RX3.yaml", "examples/2026-Q4/LX1.yaml"
    )
    assert result.exit_code == 0, result.stderr
    rx3, lx1 = json.loads(result.stdout)
    assert rx3["failed_gates"] == [] and rx3["unwaived"]["failed_gates"][0]["criterion"] == "ig-02"
    assert [w["id"] for w in rx3["waivers"]["applied"]] == ["rx3-ig-02-dspt"]
    assert [(w["id"], w["reason"]) for w in lx1["waivers"]["not_applied"]] == [("lx1-csr-01-cso", "expired")]
    text = run("score", "--waivers", WAIVERS, "examples/2026-Q4/RX3.yaml").stdout
    assert "unwaived" in text and "rx3-ig-02-dspt: applied" in text


def test_score_refuses_an_invalid_waiver_file_before_scoring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    path = tmp_path / "waivers.yaml"
    path.write_text(WAIVERS.read_text().replace("expires_on: 2027-10-15", "expires_on: 2027-10-16"))
    result = run("score", "--format", "json", "--waivers", path, "examples/2026-Q4/RX3.yaml")
    assert result.exit_code == 1 and result.stdout == ""
    assert "error waiver-expiry" in result.stderr and "at most 2027-10-15" in result.stderr
