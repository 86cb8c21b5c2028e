"""Bounded work for hostile sizes: "did you mean" searches capped per file, every JSON input and
`--previous` refused past --max-bytes without being read whole, numeric options out of range usage
errors. (How fast a capped file is refused is a benchmark figure: bench/measure_suggestions.py.)"""

from __future__ import annotations

import difflib
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiassure.assessments.validate import load_submission
from aiassure.cli import main
from aiassure.diagnose import CUTOFF, MAX_SUGGESTIONS, SHORTLIST_ABOVE, did_you_mean
from aiassure.errors import AiassureError, ExitCode
from aiassure.rubrics.loader import RubricLibrary

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "2026-Q4" / "RX4.yaml"  # 2,250 bytes
HUGE = 20 * 1024**3  # a sparse file this long: reading it whole would exhaust memory


def big_rubric(folder: Path, criteria: int) -> str:
    """A rubric of `criteria` level criteria (crit-00000, ...) in domains of 100; its id@version."""
    lines = ["id: big-rubric", "version: 1.0.0", "title: Big", "subject: organisation", "domains:"]
    for d in range(-(-criteria // 100)):
        pillar = ("safe", "ethical", "effective")[d % 3]
        lines += [f"  - id: dom{d:03d}", f"    title: Domain {d}", f"    pillar: {pillar}", "    criteria:"]
        for i in range(d * 100, min(criteria, d * 100 + 100)):
            lines.append(f"      - {{id: crit-{i:05d}, question: Q{i}?, references: [{{framework: T, id: '{i}'}}]}}")
    lines += ["outcomes:", "  - {id: any, label: Any, when: {}}"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "big.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "big-rubric@1.0.0"


def submission(path: Path, rubric: str, answers: list[str]) -> Path:
    head = [
        f"rubric: {rubric}",
        "subject: {type: organisation, name: X, code: X1, org_type: acute}",
        "round: 2026-Q4",
        "assessed_on: 2026-11-15",
        "answers:",
    ]
    path.write_text("\n".join(head + [f"  {ident}: 2" for ident in answers]) + "\n", encoding="utf-8")
    return path


def sparse(path: Path, size: int = HUGE) -> Path:
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


def run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


# -- "did you mean", capped ------------------------------------------------------------------


def test_many_unknown_ids_get_at_most_the_capped_number_of_suggestions(tmp_path: Path) -> None:
    rubric = big_rubric(tmp_path / "rubrics", 2_000)
    unknown = [f"crit-x{i:05d}" for i in range(600)]  # each one edit from a criterion
    bad = submission(tmp_path / "bad.yaml", rubric, unknown)
    with pytest.raises(AiassureError) as refused:
        load_submission(bad, RubricLibrary([tmp_path / "rubrics"]))
    found = refused.value.diagnostics
    unknowns = [d for d in found if d.code == "unknown-criterion"]
    assert len(unknowns) == len(unknown)  # every unknown id is still reported, located
    hinted = [d for d in unknowns if d.hint.startswith("did you mean")]
    assert len(hinted) == MAX_SUGGESTIONS
    assert hinted[0].hint == "did you mean crit-00000?"
    [capped] = [d for d in found if d.code == "suggestions-capped"]
    assert capped.severity == "warning" and capped.location.line == 5
    assert f"first {MAX_SUGGESTIONS} unknown names" in capped.message and "500 more" in capped.message


def test_a_few_unknown_ids_each_get_their_suggestion_and_no_cap_warning(tmp_path: Path) -> None:
    rubric = big_rubric(tmp_path / "rubrics", 2_000)
    bad = submission(tmp_path / "bad.yaml", rubric, ["crit-01999x", "crit-00042"])
    with pytest.raises(AiassureError) as refused:
        load_submission(bad, RubricLibrary([tmp_path / "rubrics"]))
    hints = {d.path: d.hint for d in refused.value.diagnostics if d.code == "unknown-criterion"}
    assert hints == {"answers.crit-01999x": "did you mean crit-01999?"}  # crit-00042 is one
    assert not any(d.code == "suggestions-capped" for d in refused.value.diagnostics)


def _ordinary_typos() -> tuple[list[str], list[str]]:
    """More candidates than the shortlist threshold, and 150 of them each with one letter dropped,
    inserted or replaced (always the same ones)."""
    words = ["governance", "safety", "evidence", "clinical", "data", "audit", "bias", "model", "drift", "consent"]
    candidates = sorted({f"{a}-{b}-{n}" for a in words for b in words for n in range(12)})
    rng = random.Random(11)
    typos = []
    for target in rng.sample(candidates, 150):
        i = rng.randrange(len(target))
        typos.append(
            rng.choice(
                [target[:i] + target[i + 1 :], target[:i] + "x" + target[i:], target[:i] + "q" + target[i + 1 :]]
            )
        )
    return candidates, typos


# The quick loop checks the first 40 typos; the full suite checks all 150 (a full search is costly).
@pytest.mark.parametrize(
    "part",
    [pytest.param(slice(0, 40), id="first-40"), pytest.param(slice(40, None), id="the-rest", marks=pytest.mark.slow)],
)
def test_the_shortlist_finds_what_a_full_search_finds_for_ordinary_typos(part: slice) -> None:
    candidates, typos = _ordinary_typos()
    assert len(candidates) > SHORTLIST_ABOVE
    for typo in typos[part]:
        full = difflib.get_close_matches(typo, candidates, n=1, cutoff=CUTOFF)
        best = difflib.SequenceMatcher(None, typo, full[0]).ratio()
        hint = did_you_mean(typo, candidates)
        got = hint.removeprefix("did you mean ").removesuffix("?")
        assert difflib.SequenceMatcher(None, typo, got).ratio() == best, (typo, full, hint)


def test_a_name_too_long_to_be_an_identifier_is_not_searched() -> None:
    assert did_you_mean("governance" * 100, ["governance"]) == ""
    assert did_you_mean("governanse", ["governance"]) == "did you mean governance?"


# -- inputs refused past --max-bytes, never read whole -----------------------------------------


def test_an_oversize_previous_result_json_is_refused_located(tmp_path: Path) -> None:
    previous = sparse(tmp_path / "old.json")
    code, out = run("report", EXAMPLE, "-o", tmp_path / "out", "--format", "json", "--previous", previous)
    assert code == ExitCode.INVALID
    assert f"{previous}:1:1: error too-large: the file is {HUGE:,} bytes, over the limit of" in out


def test_an_oversize_previous_pdf_and_yaml_are_refused(tmp_path: Path) -> None:
    for name in ("old.pdf", "old.yaml"):
        previous = tmp_path / name
        previous.write_bytes(b"x" * 5_000)
        args = ("report", EXAMPLE, "-o", tmp_path / "out", "--format", "json", "--max-bytes", 4_000)
        code, out = run(*args, "--previous", previous)
        assert code == ExitCode.INVALID, out
        assert f"{previous}:1:1: error too-large: the file is 5,000 bytes, over the limit of 4,000" in out


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".pdf"])
def test_oversize_inputs_of_diff_and_ingest_are_refused_without_reading(tmp_path: Path, suffix: str) -> None:
    huge = sparse(tmp_path / f"huge{suffix}")
    code, out = run("diff", huge, EXAMPLE)
    assert code == ExitCode.INVALID and "too-large" in out and f"{HUGE:,} bytes" in out
    result = CliRunner().invoke(
        main, ["registry", "ingest", str(huge), "--db", f"sqlite:///{tmp_path / 'r.db'}", "--format", "json"]
    )
    assert result.exit_code == ExitCode.INVALID
    [rejected] = json.loads(result.stdout)["rejected"]
    assert any(f"{HUGE:,} bytes, over the limit" in reason for reason in rejected["reasons"]), rejected


def test_an_oversize_fhir_response_and_questionnaire_are_refused(tmp_path: Path) -> None:
    huge = sparse(tmp_path / "response.json")
    code, out = run("import", "fhir", huge, "-o", tmp_path / "answers.yaml")
    assert code == ExitCode.INVALID and "too-large" in out
    response = tmp_path / "small.json"
    response.write_text(json.dumps({"resourceType": "QuestionnaireResponse", "status": "completed"}))
    questionnaire = sparse(tmp_path / "questionnaire.json")
    code, out = run("import", "fhir", response, "--questionnaire", questionnaire, "-o", tmp_path / "answers.yaml")
    assert code == ExitCode.INVALID and "too-large" in out and str(questionnaire) in out


def test_submit_refuses_an_oversize_file_without_reading_it_and_sends_the_rest(tmp_path: Path) -> None:
    huge = sparse(tmp_path / "huge.yaml")
    # nothing listens on port 9 of 127.0.0.1: the oversize file is refused before any connection
    code, out = run("submit", huge, "--to", "http://127.0.0.1:9", "--token", "aia_x_y")
    assert code == ExitCode.INVALID
    assert f"{huge}:1:1: error too-large" in out and "1 refused" in out


# -- numeric options out of range are usage errors ---------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["score", EXAMPLE, "--jobs", "0"],
        ["score", EXAMPLE, "--jobs", "-1"],
        ["score", EXAMPLE, "--jobs", "100000"],
        ["registry", "ingest", EXAMPLE, "--jobs", "0"],
        ["report", EXAMPLE, "-o", "out", "--jobs", "999999"],
        ["validate", EXAMPLE, "--max-bytes", "0"],
        ["validate", EXAMPLE, "--max-bytes", str(10**15)],
        ["portfolio", "report", "--out", "out", "--limit", "-1"],
        ["portfolio", "report", "--out", "out", "--limit", "0"],
        ["portfolio", "report", "--out", "out", "--limit", "10001"],
        ["serve", "--port", "70000"],
        ["serve", "--port", "-1"],
        ["serve", "--workers", "0"],
        ["serve", "--workers", "5000"],
        ["serve", "--rate-limit", "0"],
        ["admin", "token", "create", "--org", "X", "--role", "reader", "--name", "n", "--expires-in", "400"],
        ["score", EXAMPLE, "--jobs", "two"],
    ],
    ids=lambda args: " ".join(str(a) for a in args[:2] + args[-2:]),
)
def test_a_numeric_option_out_of_range_is_a_usage_error(args: list[object], tmp_path: Path) -> None:
    code, out = run(*[tmp_path / a if a == "out" else a for a in args])
    assert code == ExitCode.USAGE, out
    assert "Invalid value for" in out and ("is not in the range" in out or "is not a valid integer" in out)
