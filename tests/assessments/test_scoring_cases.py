"""Scoring rules of SPEC 3 and 4 as YAML fixtures (scoring_cases/*.yaml), each run through the real engine.

A case file holds `cases:`, a list of mappings with:

- `id` (unique in the file) and optionally `description`;
- `rubric:` an inline rubric (or the file-level `rubric:` shared by its cases); missing `id`,
  `version`, `title`, `subject` and criterion `question`s are filled in so that cases stay short;
- `base_rubric:` optionally, a rubric written beside it (as base.yaml) for `extends`;
- `files:` optionally, {relative path: text} written beside the submission (evidence files);
- `submission:` an inline submission; missing `rubric`, `subject`, `round`, `assessed_on` are
  filled in (the rubric is referred to by its file name);
- `expect:` partial expectations checked against the result JSON:
  `criteria`/`pillars`/`domains`: {id: {field: value}}; `overall`: {field: value};
  `failed_gates`: the exact list; `outcome`: id or null; `actions`: criterion ids in order;
  `action_details`: [{field: value}] by position; `completeness`; `warnings`: codes in order;
  `criterion_ids`: every criterion id in order; `unrounded`: {pillars|domains|overall: {id: {below|equals: x}}}
  compares the engine's unrounded, uncapped scores.

The files are written to a temporary folder and scored with `load_submission` + `to_result`, as the CLI does.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from aiassure.assessments.result import to_result
from aiassure.assessments.scoring import evaluate
from aiassure.assessments.validate import load_submission
from aiassure.rubrics.loader import ENV_PATH, RubricLibrary

CASES_DIR = Path(__file__).parent / "scoring_cases"
EXPECT_KEYS = {
    "criteria",
    "pillars",
    "domains",
    "overall",
    "failed_gates",
    "outcome",
    "actions",
    "action_details",
    "completeness",
    "warnings",
    "criterion_ids",
    "unrounded",
}
CASE_KEYS = {"id", "description", "rubric", "base_rubric", "files", "submission", "expect"}


def _load_cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        shared_rubric = document.get("rubric")
        seen: set[str] = set()
        for case in document["cases"]:
            assert set(case) <= CASE_KEYS, f"{path.name}: unknown case keys {set(case) - CASE_KEYS}"
            assert case["id"] not in seen, f"{path.name}: duplicate case id {case['id']}"
            seen.add(case["id"])
            assert set(case["expect"]) <= EXPECT_KEYS, f"{path.name}/{case['id']}: unknown expect keys"
            case = {"rubric": shared_rubric, **case}
            params.append(pytest.param(case, id=f"{path.stem}/{case['id']}"))
    return params


CASES = _load_cases()


def _complete_rubric(rubric: dict[str, Any], rubric_id: str) -> dict[str, Any]:
    rubric = copy.deepcopy(rubric)
    for key, value in (("id", rubric_id), ("version", "1.0.0"), ("title", "Case rubric"), ("subject", "organisation")):
        if "extends" not in rubric or key in ("id", "version"):
            rubric.setdefault(key, value)
    for domain in rubric.get("domains", []):
        for criterion in domain.get("criteria", []):
            criterion.setdefault("question", f"Question {criterion['id']}?")
    return rubric


def _write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")


def run_case(case: dict[str, Any], folder: Path) -> tuple[dict[str, Any], Any]:
    """Write the case's files to `folder`, score the submission; the result as JSON, and the evaluation."""
    if case.get("base_rubric") is not None:
        _write(folder / "base.yaml", _complete_rubric(case["base_rubric"], "base"))
    _write(folder / "rubric.yaml", _complete_rubric(case["rubric"], "case"))
    for name, text in (case.get("files") or {}).items():
        _write(folder / name, text)
    submission = {
        "rubric": "rubric.yaml",
        "subject": {"type": "organisation", "name": "Case Trust", "code": "RXX", "org_type": "acute"},
        "round": "2026-Q4",
        "assessed_on": "2026-11-20",
        **case["submission"],
    }
    _write(folder / "submission.yaml", submission)
    parsed = load_submission(folder / "submission.yaml", RubricLibrary([folder], use_env=False))
    result = json.loads(to_result(parsed).to_json())
    return result, evaluate(parsed.rubric, parsed.answers, parsed.envelope.assessed_on)


def _by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items}


def _check_fields(actual: dict[str, Any], expected: dict[str, Any], where: str) -> None:
    for field, value in expected.items():
        assert field in actual, f"{where}: the result has no field {field!r}"
        assert actual[field] == value, f"{where}.{field}: expected {value!r}, got {actual[field]!r}"


def check_expectations(result: dict[str, Any], evaluation: Any, expect: dict[str, Any]) -> None:
    for scope in ("criteria", "pillars", "domains"):
        actual = _by_id(result[scope])
        for ident, fields in (expect.get(scope) or {}).items():
            assert ident in actual, f"{scope}: no {ident!r} in the result (have {sorted(actual)})"
            _check_fields(actual[ident], fields, f"{scope}.{ident}")
    if "overall" in expect:
        _check_fields(result["overall"], expect["overall"], "overall")
    if "failed_gates" in expect:
        assert result["failed_gates"] == expect["failed_gates"]
    if "outcome" in expect:
        outcome = result["outcome"]["id"] if result["outcome"] else None
        assert outcome == expect["outcome"]
    if "actions" in expect:
        assert [a["criterion"] for a in result["actions"]] == expect["actions"]
    for index, fields in enumerate(expect.get("action_details") or []):
        _check_fields(result["actions"][index], fields, f"actions[{index}]")
    if "completeness" in expect:
        assert result["completeness"] == expect["completeness"]
    if "warnings" in expect:
        assert [w["code"] for w in result["warnings"]] == expect["warnings"]
    if "criterion_ids" in expect:
        assert [c["id"] for c in result["criteria"]] == expect["criterion_ids"]
    unrounded = {
        "pillars": {p.id: p.uncapped for p in evaluation.pillars},
        "domains": {d.id: d.uncapped for d in evaluation.domains},
        "overall": {"overall": evaluation.overall.uncapped},
    }
    for scope, checks in (expect.get("unrounded") or {}).items():
        for ident, check in checks.items():
            value = unrounded[scope][ident]
            if "below" in check:
                assert value is not None and value < check["below"], f"unrounded {scope}.{ident} = {value!r}"
            if "equals" in check:
                assert value == check["equals"], f"unrounded {scope}.{ident} = {value!r}"


@pytest.mark.parametrize("case", CASES)
def test_scoring_case(case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_PATH, raising=False)
    result, evaluation = run_case(case, tmp_path)
    check_expectations(result, evaluation, case["expect"])


def _case(file: str, ident: str) -> dict[str, Any]:
    return next(p.values[0] for p in CASES if p.id == f"{file}/{ident}")


def test_the_floor_case_really_sums_below_the_level() -> None:
    """The weights of rollup/float-sum-floors-to-3 make Python's weighted mean land just below 3."""
    case = _case("rollup", "float-sum-floors-to-3")
    criteria = [c for d in case["rubric"]["domains"] for c in d["criteria"]]
    answers = case["submission"]["answers"]
    weights = [c["weight"] for c in criteria]
    mean = sum(c["weight"] * answers[c["id"]] for c in criteria) / sum(weights)
    assert mean < 3
    assert mean > 3 - 1e-9


def test_every_case_file_is_used() -> None:
    files = {p.id.split("/")[0] for p in CASES}
    assert files == {p.stem for p in CASES_DIR.glob("*.yaml")}
    assert len(CASES) >= 60
