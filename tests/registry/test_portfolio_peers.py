"""Peer groups, the scaling rule and "data as of" in the portfolio, on SQLite and PostgreSQL (issue 17).

A percentile among one or two peers says nothing ("50.0 of 1"): below the minimum peer-group size
the portfolio says "too few peers (n)". Technologies are compared with technologies of the same
intended use and device class. Every listed scaling candidate meets the rule the report states,
recomputed here in Python from the stored scores. Every output says which ingest its data reflect.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner
from markupsafe import escape
from registry_helpers import Submit, ingest, levels, national_dataset
from test_portfolio import assessed_products

from aiassure.assessments.score_files import ScoreOptions
from aiassure.cli import main
from aiassure.registry.intake import read_input
from aiassure.registry.portfolio import DEFAULT_MIN_PEERS, SCALING_RULE, Portfolio, ScalingRule, build_portfolio
from aiassure.registry.store import Registry
from aiassure.reports.portfolio import portfolio_json, render_portfolio

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "2026-Q4"


def page(portfolio: Portfolio) -> str:
    return render_portfolio(portfolio, ("html",))["html"].decode()


def peer_cells(text: str, section_anchor: str) -> str:
    """The percentile table of one section of the HTML page."""
    start = text.index(f'id="{section_anchor}-benchmarks"')
    return text[start : text.index("</table>", start)]


# -- small peer groups ---------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, DEFAULT_MIN_PEERS - 1, DEFAULT_MIN_PEERS], ids=["one", "just-under", "at"])
def test_a_percentile_needs_the_minimum_of_peers(registry: Registry, submit: Submit, n: int) -> None:
    """n acute trusts in London, scores 1..n (repeating): each is among n peers nationally, in its
    type and in its region; below the minimum no percentile is given, anywhere."""
    ingest(registry, [submit(f"S{i}", "2026-Q4", levels(*[i % 5 + 1] * 3)) for i in range(n)])
    portfolio = build_portfolio(registry)
    [section] = portfolio.sections
    assert section.min_peers == DEFAULT_MIN_PEERS
    shown = n >= DEFAULT_MIN_PEERS
    for benchmark in section.benchmarks:
        assert [(s.group, s.peers, s.too_few) for s in benchmark.standings] == [
            ("national", n, not shown),
            ("org_type", n, not shown),
            ("region", n, not shown),
        ]
        assert all((s.percentile is not None) is shown for s in benchmark.standings)
    if shown:  # scores 1, 2, 3, 4, 5: the lowest is (0 + 1/2) / 5 = 10, the highest 90
        assert sorted(b.standings[0].percentile or 0 for b in section.benchmarks) == [10.0, 30.0, 50.0, 70.0, 90.0]
    table = peer_cells(page(portfolio), f"{section.rubric.id}-{section.rubric.major}")
    assert table.count(f"too few peers ({n})") == (0 if shown else 3 * n)
    assert (f'<span class="muted">of {n}</span>' in table) is shown
    figures = json.loads(portfolio_json(portfolio))["sections"][0]
    assert figures["min_peers"] == DEFAULT_MIN_PEERS
    assert {(s["peers"], s["percentile"] is None) for b in figures["benchmarks"] for s in b["standings"]} == {
        (n, not shown)
    }


def test_the_minimum_is_an_option_of_portfolio_report(
    registry: Registry, submit: Submit, db_url: str, tmp_path: Path
) -> None:
    ingest(registry, [submit(f"S{i}", "2026-Q4", levels(i + 1, i + 1, i + 1)) for i in range(3)])
    runner = CliRunner()
    result = runner.invoke(
        main, ["portfolio", "report", "--db", db_url, "--format", "json", "--min-peers", "3", "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.stderr
    written = json.loads((tmp_path / "o" / "portfolio.json").read_text(encoding="utf-8"))
    assert written == json.loads(portfolio_json(build_portfolio(registry, min_peers=3)))
    # S0 scores 1 of the three: (0 + 1/2) / 3 in every group
    assert [s["percentile"] for s in written["sections"][0]["benchmarks"][0]["standings"]] == [
        pytest.approx(50 / 3)
    ] * 3
    refused = runner.invoke(
        main, ["portfolio", "report", "--db", db_url, "--min-peers", "0", "-o", str(tmp_path / "x")]
    )
    assert refused.exit_code == 2
    assert "--min-peers" in refused.stderr and "0 is not in the range" in refused.stderr


# -- technologies' peers -------------------------------------------------------------------------


def test_technologies_are_compared_with_those_of_the_same_intended_use_and_device_class(
    registry: Registry, submit: Submit
) -> None:
    tool = {"rubric": "tiny-tech@1.0.0", "org_type": "vendor"}
    ingest(
        registry,
        [
            submit(
                "T1",
                "2026-Q4",
                levels(4, 4, 4),
                intended_use="diagnostic-support",
                device_class="class-iia",
                region="London",
                **tool,
            ),
            submit(
                "T2",
                "2026-Q4",
                levels(3, 3, 3),
                intended_use="diagnostic-support",
                device_class="class-iia",
                region="North",
                **tool,
            ),
            submit(
                "T3",
                "2026-Q4",
                levels(2, 2, 2),
                intended_use="diagnostic-support",
                device_class="class-iia",
                region="London",
                **tool,
            ),
            submit(
                "T4",
                "2026-Q4",
                levels(4, 4, 4),
                intended_use="diagnostic-support",
                device_class="class-iib",
                region="London",
                **tool,
            ),
            submit(
                "T5",
                "2026-Q4",
                levels(1, 1, 1),
                intended_use="diagnostic-support",
                device_class="class-iib",
                region="North",
                **tool,
            ),
            submit(
                "T6",
                "2026-Q4",
                levels(3, 3, 3),
                intended_use="operational",
                device_class="not-a-device",
                region="London",
                **tool,
            ),
            submit("T7", "2026-Q4", levels(3, 3, 3), region="London", **tool),  # says neither
        ],
    )
    portfolio = build_portfolio(registry, min_peers=1)
    [tech] = portfolio.sections
    assert tech.peer_groups == ["national", "intended_use", "device_class"]
    found = {b.code: [(s.value, s.peers, s.percentile) for s in b.standings[1:]] for b in tech.benchmarks}
    # diagnostic support: T5 1 < T3 2 < T2 3 < T1 4 = T4 4; class IIa: T3 < T2 < T1; class IIb: T5 < T4
    assert found == {
        "T1": [("diagnostic-support", 5, 80.0), ("class-iia", 3, pytest.approx(250 / 3))],
        "T2": [("diagnostic-support", 5, 50.0), ("class-iia", 3, 50.0)],
        "T3": [("diagnostic-support", 5, 30.0), ("class-iia", 3, pytest.approx(50 / 3))],
        "T4": [("diagnostic-support", 5, 80.0), ("class-iib", 2, 75.0)],
        "T5": [("diagnostic-support", 5, 10.0), ("class-iib", 2, 25.0)],
        "T6": [("operational", 1, 50.0), ("not-a-device", 1, 50.0)],
        "T7": [(None, None, None), (None, None, None)],
    }
    table = peer_cells(page(portfolio), "tiny-tech-1")
    assert "Percentile in intended use" in table and "Percentile in device class" in table
    assert "region" not in table.lower() and "Type" not in table  # not the supplier's region or org_type
    # at the default minimum: the national percentile (7 peers) and diagnostic support's (5) remain
    [default] = build_portfolio(registry).sections
    assert {(b.code, s.group) for b in default.benchmarks for s in b.standings if s.percentile is not None} == {
        *((code, "national") for code in found),
        *((code, "intended_use") for code in ("T1", "T2", "T3", "T4", "T5")),
    }


# -- the scaling rule ----------------------------------------------------------------------------


def test_the_rule_on_one_assessment() -> None:
    rule = ScalingRule(pillar_level=3, completeness=0.9)
    assert rule.meets([3, 4, 5], 0, 0.9)
    assert not rule.meets([3, 2, 5], 0, 1.0)  # a pillar below
    assert not rule.meets([3, None, 5], 0, 1.0)  # a pillar not assessed
    assert not rule.meets([], 0, 1.0)  # no pillar at all
    assert not rule.meets([5, 5, 5], 1, 1.0)  # a failed gate
    assert not rule.meets([5, 5, 5], 0, 0.89)
    assert not rule.meets([5, 5, 5], 0, None)
    assert rule.decides(own=True, has_own=True) and rule.decides(own=False, has_own=False)
    assert not rule.decides(own=False, has_own=True)  # an organisation's, when the supplier submitted
    assert "level 4" in ScalingRule(pillar_level=4).text and "95%" in ScalingRule(completeness=0.95).bar


def candidates_by_the_rule(registry: Registry, rule: ScalingRule) -> dict[str, int]:
    """The candidates of the technology section, recomputed in Python from every current
    submission's stored pillar levels: code -> weakest pillar of its deciding assessments."""
    current = [r for r in registry.listing(subject_type="technology") if r.round == "2026-Q4"]
    pillars = registry.scope_scores([r.id for r in current], ("pillar",))
    by_code = defaultdict(list)
    for row in current:
        by_code[row.subject_code].append(row)
    found = {}
    for code, rows in by_code.items():
        has_own = any(r.assessed_by_code is None for r in rows)
        deciding = [r for r in rows if rule.decides(r.assessed_by_code is None, has_own)]
        if all(rule.meets([s.level for s in pillars[r.id]], r.failed_gate_count, r.completeness) for r in deciding):
            found[code] = min(s.level or 0 for r in deciding for s in pillars[r.id])
    return found


def tiny_products(submit: Submit) -> list[Path]:
    return assessed_products(submit) + [p for p in national_dataset(submit) if p.stem in ("T2", "T4")]


def shipped_examples(submit: Submit) -> list[Path]:
    return sorted(EXAMPLES.glob("*.yaml"))


@pytest.mark.parametrize("dataset", [tiny_products, shipped_examples], ids=["tiny", "examples"])
def test_every_listed_candidate_meets_the_rule_the_report_states(
    registry: Registry, submit: Submit, dataset: object
) -> None:
    ingest(registry, dataset(submit))  # type: ignore[operator]
    portfolio = build_portfolio(registry, round_="2026-Q4")
    [tech] = [s for s in portfolio.sections if s.rubric.subject == "technology"]
    assert tech.scaling_rule == SCALING_RULE
    expected = candidates_by_the_rule(registry, SCALING_RULE)
    assert expected  # the datasets hold candidates, and technologies that are not
    assert {c.code: c.lowest_pillar for c in tech.candidates or []} == expected
    text = page(portfolio)
    stated = str(escape(SCALING_RULE.text))
    candidates = text[text.index(f'id="{tech.rubric.id}-{tech.rubric.major}-candidates"') :]
    assert stated in candidates[: candidates.index("</table>")]  # the section's paragraph
    assert text.count(stated) == 2  # and the definition at the end: the same words, from the rule
    # an organisation below the bar beside a candidate the supplier decides is said not to decide
    for candidate in tech.candidates or []:
        for organisation in candidate.assessed_by:
            if candidate.supplier_assessed and not organisation.meets_bar:
                assert f"{str(escape(organisation.name))} <span" in candidates
                assert (
                    '<span class="below">below the bar</span> <span class="muted">(not deciding)</span>' in candidates
                )


def test_outcomes_and_candidates_are_told_apart(registry: Registry) -> None:
    for path in sorted(EXAMPLES.glob("PRD-*.yaml")):
        registry.store(read_input(path, ScoreOptions()))
    portfolio = build_portfolio(registry)
    [tech] = portfolio.sections
    text = page(portfolio)
    assert ("Ready to scale", 5) in tech.outcomes and len(tech.candidates or []) == 2
    headline = text[text.index('id="nhs-ai-technology-1-headline"') : text.index('id="nhs-ai-technology-1-levels"')]
    assert "Outcomes count assessments; scaling candidates count technologies." in headline
    assert f"Each of the {tech.submissions} current assessments" in headline
    assert "A scaling candidate (2) is a technology, counted once" in headline
    # the values peers share, as the rubric's criteria of the same names say them
    table = peer_cells(text, "nhs-ai-technology-1")
    assert "<td>Diagnostic decision support</td><td>Class IIa medical device</td>" in table
    assert "class-iia" not in table
    ready = dict(tech.rubric.outcomes)["Ready to scale"]
    assert f"<dt>Ready to scale</dt><dd>{str(escape(ready))}</dd>" in headline


# -- data as of ----------------------------------------------------------------------------------


def test_every_output_says_which_ingest_its_data_reflect(registry: Registry, submit: Submit) -> None:
    ingest(registry, national_dataset(submit))
    stored = [r.ingested_at for r in registry.listing(include_superseded=True)]
    latest = max(m if m.tzinfo else m.replace(tzinfo=dt.UTC) for m in stored)
    portfolio = build_portfolio(registry)
    assert portfolio.data_as_of == latest and portfolio.data_as_of.utcoffset() == dt.timedelta(0)
    iso = latest.isoformat(timespec="seconds")
    assert json.loads(portfolio_json(portfolio))["data_as_of"] == iso
    text = page(portfolio)
    said = f"{latest.day} {latest:%B %Y, %H:%M} UTC"
    assert f'Data as of <time datetime="{iso}">{said}</time>' in text
    assert f"data as of {said}</p>" in text  # the provenance line: the foot of every PDF page
    # a filtered portfolio reflects the same registry; a later ingest moves the time on
    assert build_portfolio(registry, region="London").data_as_of == latest
    ingest(registry, [submit("Z", "2026-Q4", levels(3, 3, 3), region="North")])
    later = build_portfolio(registry).data_as_of
    assert later is not None and later >= latest


@pytest.mark.slow  # WeasyPrint
def test_every_pdf_page_says_data_as_of(registry: Registry, submit: Submit) -> None:
    from pypdf import PdfReader

    ingest(registry, national_dataset(submit))
    portfolio = build_portfolio(registry)
    assert portfolio.data_as_of is not None
    pdf = render_portfolio(portfolio, ("pdf",))["pdf"]
    moment = portfolio.data_as_of
    said = f"data as of {moment.day} {moment:%B %Y, %H:%M} UTC"
    pages = [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) > 1
    assert [n for n, text in enumerate(pages, 1) if said not in text] == []
