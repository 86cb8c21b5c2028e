"""Issue 11, classes 1 and 2: the registry stores only what the engine computed from the
submission's own bytes, under the official rubric.

A dishonest submitter edits a result JSON (levels, labels, caps, outcome, gate rows), makes it
claim another submission's SHA-256, swaps a PDF report's attachments, or ships a look-alike rubric
under an official id and version. Each is refused with a located reason, and what is stored is
exactly what scoring the submission gives, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import copy
import json
import shutil
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hostile_helpers import EXAMPLES, ROOT, pdf_with_attachments
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiassure.assessments.score_files import ScoreOptions
from aiassure.cli import main
from aiassure.errors import AiassureError
from aiassure.registry.intake import read_input
from aiassure.registry.store import Registry, open_registry
from aiassure.rubrics.loader import BUILTIN_DIR

OPTIONS = ScoreOptions()
TINY_RUBRIC = ROOT / "tests" / "registry" / "data" / "rubrics" / "tiny-org-1.yaml"


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def ingest(db: str, *paths: object, rubric_dir: Path | None = None) -> tuple[int, dict[str, Any], str]:
    extra = ["--rubric-dir", rubric_dir] if rubric_dir else []
    code, out, err = run("registry", "ingest", *paths, "--db", db, "--format", "json", *extra)
    return code, json.loads(out), err


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two shipped example submissions (trusts RX1 and RX2) with the evidence files they cite."""
    shutil.copytree(EXAMPLES / "2026-Q4" / "evidence", tmp_path / "evidence")
    for name in ("RX1.yaml", "RX2.yaml"):
        shutil.copy(EXAMPLES / "2026-Q4" / name, tmp_path / name)
    return tmp_path


def honest(path: Path) -> dict[str, Any]:
    """The result scoring the submission gives, as `aiassure score --format json` writes it."""
    data: dict[str, Any] = json.loads(read_input(path, OPTIONS).result.to_json())
    return data


def stored_results(db: str) -> dict[str, dict[str, Any]]:
    """sha256 -> stored result, for every stored submission."""
    registry = open_registry(db, must_exist=True)
    try:
        return {row.sha256: json.loads(registry.submission(row.id).result_json) for row in registry.listing()}
    finally:
        registry.close()


def first_index(items: list[dict[str, Any]], **wanted: Any) -> int:
    return next(i for i, item in enumerate(items) if all(item[k] == v for k, v in wanted.items()))


def _forge_level(data: dict[str, Any]) -> str:
    data["pillars"][0]["level"] = 5
    return "pillars[0].level"


def _forge_label(data: dict[str, Any]) -> str:
    data["overall"]["label"] = "Optimising"
    return "overall.label"


def _forge_cap(data: dict[str, Any]) -> str:
    data["overall"]["capped_to"] = 5
    return "overall.capped_to"


def _forge_outcome_label(data: dict[str, Any]) -> str:
    data["outcome"]["label"] = "Ready to scale nationally"
    return "outcome.label"


def _forge_gate_row(data: dict[str, Any]) -> str:
    data["failed_gates"].append({"criterion": "ls-01", "scope": "overall", "target": "overall", "cap": 1})
    return "failed_gates"


def _forge_criterion(data: dict[str, Any]) -> str:
    index = next(i for i, c in enumerate(data["criteria"]) if c["status"] == "credited" and c["credited"] < 5)
    data["criteria"][index]["credited"] = 5
    data["criteria"][index]["claimed"] = 5
    return f"criteria[{index}].claimed"


FORGERIES: dict[str, Callable[[dict[str, Any]], str]] = {
    "level": _forge_level,
    "label": _forge_label,
    "cap": _forge_cap,
    "outcome-label": _forge_outcome_label,
    "gate-row": _forge_gate_row,
    "criterion": _forge_criterion,
}


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_an_edited_result_json_is_refused_naming_the_field(folder: Path, db_url: str, forgery: str) -> None:
    source = folder / "RX1.yaml"
    data = honest(source)
    field = FORGERIES[forgery](data)
    forged = folder / "RX1.json"
    forged.write_text(json.dumps(data, indent=2), encoding="utf-8")
    code, summary, err = ingest(db_url, source, forged)
    assert code == 1 and summary["new"] == 1 and summary["confirmed"] == 0
    [(path, reasons)] = [(r["path"], r["reasons"]) for r in summary["rejected"]]
    assert path == str(forged) and "score-mismatch" in reasons[0] and f"({field})" in reasons[0], reasons
    assert stored_results(db_url) == {data["submission"]["sha256"]: honest(source)}


def test_a_self_consistent_forgery_is_refused_against_the_submission(folder: Path, db_url: str) -> None:
    """The hardest forgery: the honest result of a better submission, relabelled with the real
    submission's SHA-256. Every score follows from its answers; only the submission's bytes refuse it."""
    source = folder / "RX1.yaml"
    better = folder / "better" / "RX1.yaml"
    better.parent.mkdir()
    shutil.copytree(folder / "evidence", better.parent / "evidence")
    better.write_text(source.read_text(encoding="utf-8").replace("  ls-03: 3\n", "  ls-03: 5\n", 1), encoding="utf-8")
    forged_data = honest(better)
    forged_data["submission"] = honest(source)["submission"]
    forged = folder / "RX1.json"
    forged.write_text(json.dumps(forged_data), encoding="utf-8")
    read_input(forged, OPTIONS)  # self-consistent: reading it alone finds nothing wrong
    code, summary, err = ingest(db_url, source, forged)
    assert code == 1 and summary["new"] == 1
    [rejected] = summary["rejected"]
    index = first_index(forged_data["criteria"], id="ls-03")
    assert "score-mismatch" in rejected["reasons"][0] and f"score-mismatch (criteria[{index}].answer)" in err
    assert stored_results(db_url) == {forged_data["submission"]["sha256"]: honest(source)}


def test_a_result_json_alone_never_creates_a_row(folder: Path, db_url: str) -> None:
    result = folder / "RX1.json"
    result.write_text(json.dumps(honest(folder / "RX1.yaml")), encoding="utf-8")
    code, summary, err = ingest(db_url, result)
    assert code == 1 and summary["new"] == 0
    assert "result-without-submission" in summary["rejected"][0]["reasons"][0]
    assert stored_results(db_url) == {}
    # given with its submission (in either order) it is confirmed, and the submission stored
    code, summary, _ = ingest(db_url, result, folder / "RX1.yaml")
    assert (code, summary["new"], summary["confirmed"]) == (0, 1, 1)


def test_a_result_naming_another_submissions_hash_preempts_nothing(folder: Path, db_url: str) -> None:
    victim = folder / "RX2.yaml"
    claim = honest(folder / "RX1.yaml")
    claim["submission"]["sha256"] = honest(victim)["submission"]["sha256"]
    forged = folder / "RX1.json"
    forged.write_text(json.dumps(claim), encoding="utf-8")
    code, summary, _ = ingest(db_url, forged)
    assert code == 1 and "result-without-submission" in summary["rejected"][0]["reasons"][0]
    # the victim's own submission is stored, and then the forged result is refused against it
    code, summary, _ = ingest(db_url, victim, forged)
    assert code == 1 and summary["new"] == 1
    assert "score-mismatch" in summary["rejected"][0]["reasons"][0]
    assert stored_results(db_url) == {claim["submission"]["sha256"]: honest(victim)}


def _report_pdf(result: dict[str, Any], name: str, submission: bytes) -> bytes:
    flate = ["FlateDecode"]
    return pdf_with_attachments(
        [
            ("aiassure-result.json", zlib.compress(json.dumps(result).encode()), flate),
            (name, zlib.compress(submission), flate),
        ]
    )


def test_a_pdf_whose_result_is_not_its_submissions_is_refused(folder: Path, db_url: str) -> None:
    good = folder / "RX1.pdf"
    good.write_bytes(_report_pdf(honest(folder / "RX1.yaml"), "RX1.yaml", (folder / "RX1.yaml").read_bytes()))
    swapped = folder / "swapped.pdf"  # RX1's result, RX2's submission
    swapped.write_bytes(_report_pdf(honest(folder / "RX1.yaml"), "RX2.yaml", (folder / "RX2.yaml").read_bytes()))
    edited = folder / "edited.pdf"  # the submission's own result, with a forged outcome label
    forged = honest(folder / "RX2.yaml")
    forged["outcome"]["label"] = "Ready to scale nationally"
    edited.write_bytes(_report_pdf(forged, "RX2.yaml", (folder / "RX2.yaml").read_bytes()))
    code, summary, err = ingest(db_url, good, swapped, edited)
    assert code == 1 and summary["new"] == 1
    reasons = {r["path"]: r["reasons"][0] for r in summary["rejected"]}
    assert set(reasons) == {str(swapped), str(edited)}
    assert all("score-mismatch" in reason and "aiassure-result.json]" in reason for reason in reasons.values())
    assert "(outcome.label)" in reasons[str(edited)]
    assert stored_results(db_url) == {honest(folder / "RX1.yaml")["submission"]["sha256"]: honest(folder / "RX1.yaml")}


# -- class 2: rubric identity ---------------------------------------------------------------------


def _lookalike(folder: Path, *, version: str | None = None) -> Path:
    """The official readiness rubric with its first criterion's weight changed: same id and version."""
    data = yaml.safe_load((BUILTIN_DIR / "nhs-ai-readiness.yaml").read_text(encoding="utf-8"))
    data["domains"][0]["criteria"][0]["weight"] = 40
    if version:
        data["version"] = version
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "nhs-ai-readiness.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_a_lookalike_of_an_official_rubric_on_the_search_path_is_refused(folder: Path, db_url: str) -> None:
    rubrics = folder / "vendor-rubrics"
    _lookalike(rubrics)
    code, summary, _ = ingest(db_url, folder / "RX1.yaml", rubric_dir=rubrics)
    assert code == 1 and summary["new"] == 0
    assert any("rubric-conflict" in r for r in summary["rejected"][0]["reasons"]), summary
    assert stored_results(db_url) == {}


def test_a_submission_naming_a_rubric_file_cannot_use_a_builtin_id(folder: Path, db_url: str) -> None:
    _lookalike(folder / "mine", version="9.0.0")  # a new version, so no fingerprint to compare with
    source = folder / "RX1.yaml"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("nhs-ai-readiness@1.0.0", "mine/nhs-ai-readiness.yaml"), encoding="utf-8")
    code, summary, _ = ingest(db_url, source)
    assert code == 1 and "rubric-id-reserved" in summary["rejected"][0]["reasons"][0]


def test_the_registry_accepts_one_fingerprint_per_rubric_version(folder: Path, db_url: str) -> None:
    official, other = folder / "official", folder / "other"
    official.mkdir()
    shutil.copy(TINY_RUBRIC, official / "tiny-org.yaml")
    other.mkdir()
    text = TINY_RUBRIC.read_text(encoding="utf-8").replace("title: Governance", "title: Governance (ours)", 1)
    (other / "tiny-org.yaml").write_text(text, encoding="utf-8")
    for name, code_ in (("a.yaml", "A"), ("b.yaml", "B")):
        (folder / name).write_text(
            "rubric: tiny-org@1.0.0\n"
            f"subject: {{type: organisation, name: Trust {code_}, code: {code_}, org_type: acute}}\n"
            "round: 2026-Q4\nassessed_on: 2026-11-15\nanswers: {g1: 3, d1: 3, v1: 3, g2: 'yes'}\n",
            encoding="utf-8",
        )
    assert ingest(db_url, folder / "a.yaml", rubric_dir=official)[0] == 0
    code, summary, _ = ingest(db_url, folder / "b.yaml", rubric_dir=other)
    assert code == 1 and "rubric-conflict" in summary["rejected"][0]["reasons"][0]
    code, out, _ = run("registry", "rubrics", "--db", db_url, "--format", "json")
    listed = json.loads(out)
    assert code == 0 and [(r["id"], r["version"], r["submissions"]) for r in listed] == [("tiny-org", "1.0.0", 1)]
    code, out, _ = run("registry", "rubrics", "--db", db_url)
    assert code == 0 and listed[0]["fingerprint"][:12] in out


# -- the property: any edit is refused, or changes nothing ------------------------------------------


def _leaves(value: Any, parts: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*parts, key))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from _leaves(item, (*parts, index))
    else:
        yield parts


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 9) | st.floats(-1, 6, allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=4), inner, max_size=2),
    max_leaves=4,
)


@pytest.fixture(scope="module")
def stored_example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Registry, dict[str, Any], Path]]:
    folder = tmp_path_factory.mktemp("property")
    source = folder / "RX1.yaml"
    shutil.copytree(EXAMPLES / "2026-Q4" / "evidence", folder / "evidence")
    shutil.copy(EXAMPLES / "2026-Q4" / "RX1.yaml", source)
    registry = open_registry(f"sqlite:///{folder / 'registry.db'}")
    assert registry.store(read_input(source, OPTIONS)).status == "new"
    yield registry, honest(source), folder
    registry.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_edit_of_a_result_is_refused_or_changes_nothing(
    stored_example: tuple[Registry, dict[str, Any], Path], data: st.DataObject
) -> None:
    registry, original, folder = stored_example
    edited = copy.deepcopy(original)
    leaves = list(_leaves(edited))
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        *head, last = data.draw(st.sampled_from(leaves), label="field")
        node: Any = edited
        for part in head:
            node = node[part]
        node[last] = data.draw(JSON_VALUES, label="value")
    path = folder / "edited.json"
    path.write_text(json.dumps(edited), encoding="utf-8")
    try:
        stored = registry.store(read_input(path, OPTIONS))
    except AiassureError:
        pass  # refused
    else:
        assert stored.status == "confirmed"
        differing = {k for k in original if edited.get(k) != original[k]}
        assert differing <= {"engine", "warnings"}, differing
    [row] = registry.listing()
    assert json.loads(registry.submission(row.id).result_json) == original
