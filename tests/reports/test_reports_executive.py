"""The executive summary that opens each report: the medians of a registry (SQLite, the examples ingested) checked
against SQL, "no registry given" without one, the trend over up to four rounds, the top five actions."""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest

from aiassure.assessments.inputs import load_previous
from aiassure.assessments.result import to_result
from aiassure.assessments.score_files import ScoreOptions
from aiassure.assessments.scoring import evaluate
from aiassure.assessments.validate import load_submission
from aiassure.registry.intake import read_input
from aiassure.registry.store import Registry, open_registry
from aiassure.reports.context import build_report_context
from aiassure.reports.writer import earlier_rounds, render_report

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
RX1 = EXAMPLES / "2026-Q4" / "RX1.yaml"


@pytest.fixture(scope="module")
def examples_registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    registry = open_registry(f"sqlite:///{tmp_path_factory.mktemp('registry') / 'registry.db'}")
    for path in sorted((EXAMPLES / "2026-Q2").glob("*.yaml")) + sorted((EXAMPLES / "2026-Q4").glob("*.yaml")):
        registry.store(read_input(path, ScoreOptions()))
    yield registry
    registry.close()


def _pillar_scores(registry: Registry, pillar: str, org_type: str | None = None) -> list[float]:
    from sqlalchemy import text

    query = (
        "SELECT sc.score FROM scores sc JOIN submissions s ON s.id = sc.submission_id WHERE s.superseded_by IS NULL "
        "AND s.rubric_id = 'nhs-ai-readiness' AND s.round = '2026-Q4' AND s.assessed_by_code IS NULL "
        "AND sc.scope = 'pillar' AND sc.scope_id = :pillar AND sc.score IS NOT NULL"
        + (" AND s.org_type = :org_type" if org_type else "")
    )
    with registry.transaction() as conn:
        return [row[0] for row in conn.execute(text(query), {"pillar": pillar, "org_type": org_type})]


def test_the_medians_of_the_registry_appear_and_are_right(examples_registry: Registry, report_library) -> None:
    parsed = load_submission(RX1, report_library)
    rendered = render_report(parsed, ["html", "md"], registry=examples_registry, min_peers=1)
    html, markdown = rendered["html"].decode(), rendered["md"].decode()
    for pillar in ("safe", "ethical", "effective"):
        national = _pillar_scores(examples_registry, pillar)
        acute = _pillar_scores(examples_registry, pillar, "acute")
        assert len(national) == 7 and len(acute) == 1  # seven organisations, one acute trust (RX1)
        for scores in (national, acute):
            shown = f"{statistics.median(scores):.2f} of {len(scores)}"
            assert f'<td class="num">{shown}</td>' in html
            assert f"| {shown} |" in markdown.replace("\\.", ".")
    assert "No registry given" not in html and "Same type" in html
    # the trend comes from the registry: RX1's 2026-Q2 beside this round
    assert "Earlier rounds from the registry" in html
    assert '<th scope="col">2026-Q2</th><th scope="col">2026-Q4</th>' in html


def test_a_peer_group_below_the_minimum_says_so(examples_registry: Registry, report_library) -> None:
    parsed = load_submission(RX1, report_library)
    html = render_report(parsed, ["html"], registry=examples_registry)["html"].decode()  # min_peers 5
    assert "too few peers (1)" in html and " of 7</td>" in html


def test_without_a_registry_it_says_so_and_shows_no_zeros(report_library) -> None:
    parsed = load_submission(RX1, report_library)
    rendered = render_report(parsed, ["html", "md"])
    for text in (rendered["html"].decode(), rendered["md"].decode()):
        assert "No registry given (report --db URL), so no national or peer medians." in text
        assert "No earlier round given" in text
        assert not re.search(r"\d of 0\b|0\.00 of", text) and "National" not in text  # no medians, no zeros


def test_the_trend_runs_over_at_most_four_rounds_from_previous(report_library) -> None:
    parsed = load_submission(RX1, report_library)
    result = to_result(parsed, evaluate(parsed.rubric, parsed.answers, parsed.envelope.assessed_on))
    q2 = load_previous([EXAMPLES / "2026-Q2" / "RX1.yaml"], report_library)[0]
    earlier = [q2.model_copy(update={"round": r}) for r in ("2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1")] + [q2]
    chosen = earlier_rounds(result, earlier)
    assert [r.round for r in chosen] == ["2025-Q4", "2026-Q1", "2026-Q2"]
    context = build_report_context(parsed, result, chosen[-1], earlier=chosen)
    trend = context["executive"]["trend"]
    assert trend["rounds"] == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q4"]
    assert [row["title"] for row in trend["rows"]] == ["Overall", *(p["title"] for p in context["pillars"])]
    assert trend["outcomes"][-1] == context["outcome"]["label"]  # type: ignore[index]


def test_the_top_five_actions_are_the_roadmap_s_first_five(report_library) -> None:
    parsed = load_submission(RX1, report_library)
    result = to_result(parsed, evaluate(parsed.rubric, parsed.answers, parsed.envelope.assessed_on))
    context = build_report_context(parsed, result)
    executive = context["executive"]
    assert executive["actions"] == context["roadmap"]["top"][:5] and len(executive["actions"]) == 5
    assert [f["framework"] for f in executive["frameworks"]] == [f["framework"] for f in context["crosswalk"]]
    assert all(" item" in f["text"] for f in executive["frameworks"])


def test_a_registry_without_earlier_rounds_says_so(examples_registry: Registry, report_library) -> None:
    parsed = load_submission(EXAMPLES / "2026-Q2" / "RX1.yaml", report_library)  # the registry's first round
    html = render_report(parsed, ["html"], registry=examples_registry)["html"].decode()
    assert "The registry holds no earlier round of this assessment, so there is no trend yet." in html
    assert " of 7</td>" in html  # the medians of 2026-Q2
