"""Smoke test of bench/: the generator makes valid, reproducible submissions, and every measure runs.

No figure is checked: timings on a shared CI machine mean nothing. docs/performance.md has them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aiassure.assessments.validate import load_submission
from aiassure.rubrics.loader import RubricLibrary

BENCH = Path(__file__).resolve().parents[2] / "bench"
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402


@pytest.fixture(scope="module")
def library() -> RubricLibrary:
    return RubricLibrary([HERE], use_env=False)


@pytest.mark.parametrize("ref", ["bench-all-types@1.0.0", "nhs-ai-technology", "nhs-ai-readiness"])
def test_generated_submissions_are_valid_and_reproducible(ref, library, tmp_path) -> None:
    rubric = library.resolve(ref)
    paths = generate.generate([rubric], 24, tmp_path / "a", seed=3)
    again = generate.generate([rubric], 24, tmp_path / "b", seed=3)
    assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in again]
    layouts = set()
    for path in paths:
        parsed = load_submission(path, library)  # raises on any error
        assert parsed.rubric.ref == rubric.ref
        layouts.add(path.read_bytes().startswith(b"#"))
    assert layouts == {True, False}, "both file layouts appear"


def test_every_criterion_type_and_answer_form_appears(library, tmp_path) -> None:
    rubric = library.resolve("bench-all-types@1.0.0")
    paths = generate.generate([rubric], 80, tmp_path, seed=1)
    parsed = [load_submission(p, library) for p in paths]
    answers = [a for p in parsed for a in p.answers.values()]
    assert any(a.na for a in answers) and any(a.notes for a in answers) and any(a.owner for a in answers)
    assert any(item.url for a in answers for item in a.evidence)
    assert any(item.path for a in answers for item in a.evidence)
    answered = {ident for p in parsed for ident, a in p.answers.items() if a.value is not None}
    assert answered == set(rubric.criteria), "every criterion, of every type, gets answered somewhere"
    codes = {w.code for p in parsed for w in p.warnings}
    assert {"unanswered", "not-applicable"} <= codes


@pytest.mark.parametrize("ref", ["bench-all-types@1.0.0", "nhs-ai-technology", "nhs-ai-readiness"])
def test_the_fast_template_fill_writes_what_render_answers_file_writes(ref, library) -> None:
    generator = generate.SubmissionGenerator(library.resolve(ref), seed=5)
    for k in range(30):
        assert generator._fill_template(generator.submission(k)) == generator.render_reference(k)


def test_the_quick_benchmark_runs_every_measure(tmp_path) -> None:
    env = {**os.environ, "AIASSURE_BENCH_DATA": str(tmp_path / "data")}
    out = tmp_path / "figures.json"
    run = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--quick", "--json", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    figures = json.loads(out.read_text())["figures"]
    assert {f["measure"] for f in figures} >= {"1", "2-score", "2-report", "2-ingest", "3", "4", "5", "6", "7"}
    for figure in figures:
        if figure["value"] is None:  # only PostgreSQL may be missing, and only without a server
            assert "PostgreSQL" in figure["name"] and not os.environ.get("AIASSURE_TEST_POSTGRES_URL")
