"""Golden files of the JSON outputs: a score, a diff and the portfolio, from the examples.

Like the report goldens (tests/reports), they move only on purpose: after an intended change, rewrite
them with `python -m pytest tests/commands/test_json_goldens.py --update-goldens` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from aiassure.cli import main

REPO = Path(__file__).resolve().parents[2]
GOLDENS = Path(__file__).parent / "goldens"
# The portfolio names the registry it was read from; the golden says this instead of a temporary path.
REGISTRY_PLACEHOLDER = "sqlite:///REGISTRY"
# ...and the time of its latest ingest (when the test ran), checked before it is replaced.
DATA_AS_OF_PLACEHOLDER = "INGESTED-AT"


def run(*args: object) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def check_golden(name: str, text: str, update: bool) -> None:
    golden = GOLDENS / name
    if update:
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file {name}: run with --update-goldens"
    assert text == golden.read_text(encoding="utf-8"), (
        f"{name} differs from its golden: if the change is intended, rerun with --update-goldens and review the diff"
    )


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the repository, so that the file names the outputs carry are the same everywhere."""
    monkeypatch.chdir(REPO)


@pytest.mark.parametrize(
    ("name", "files"),
    [
        ("score-RX1-2026-Q4.json", ["examples/2026-Q4/RX1.yaml"]),
        ("score-PRD-CXRTRIAGE-by-RX1-2026-Q4.json", ["examples/2026-Q4/PRD-CXRTRIAGE-by-RX1.yaml"]),
        ("score-2026-Q2-array.json", ["examples/2026-Q2/RX1.yaml", "examples/2026-Q2/PRD-HOMEBP.yaml"]),
    ],
)
def test_score_json_matches_its_golden(in_repo: None, update_goldens: bool, name: str, files: list[str]) -> None:
    check_golden(name, run("score", "--format", "json", *files), update_goldens)


def test_score_json_with_waivers_matches_its_golden(in_repo: None, update_goldens: bool) -> None:
    """RX3's ig-02 gate waived (in force) and LX1's csr-01 waiver expired: examples/waivers.yaml."""
    files = ["examples/2026-Q4/RX3.yaml", "examples/2026-Q4/LX1.yaml"]
    text = run("--today", "2026-12-07", "score", "--format", "json", "--waivers", "examples/waivers.yaml", *files)
    check_golden("score-2026-Q4-waivers.json", text, update_goldens)


def test_diff_json_matches_its_golden(in_repo: None, update_goldens: bool) -> None:
    text = run("diff", "--format", "json", "examples/2026-Q2/RX1.yaml", "examples/2026-Q4/RX1.yaml")
    check_golden("diff-RX1-2026-Q2-2026-Q4.json", text, update_goldens)


@pytest.mark.slow  # builds a registry and its portfolio
def test_portfolio_json_matches_its_golden(in_repo: None, update_goldens: bool, tmp_path: Path) -> None:
    import datetime as dt
    import json

    url = f"sqlite:///{tmp_path / 'registry.db'}"
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    run("registry", "ingest", "examples", "--db", url)
    after = dt.datetime.now(dt.UTC)
    run("portfolio", "report", "--db", url, "--format", "json", "-o", tmp_path / "out")
    text = (tmp_path / "out" / "portfolio.json").read_text(encoding="utf-8")
    assert text.count(url) == 1
    as_of = json.loads(text)["data_as_of"]
    assert before <= dt.datetime.fromisoformat(as_of) <= after and text.count(as_of) == 1
    text = text.replace(url, REGISTRY_PLACEHOLDER).replace(as_of, DATA_AS_OF_PLACEHOLDER)
    check_golden("portfolio-examples.json", text, update_goldens)
