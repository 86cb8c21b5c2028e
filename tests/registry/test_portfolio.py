"""The portfolio's figures on a small hand-checked dataset (conftest.national_dataset), on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from registry_helpers import Submit, ingest, levels, national_dataset

from aiassure.registry.export import export_rows
from aiassure.registry.portfolio import DEFAULT_MIN_PEERS, MixedMajorVersions, Section, build_portfolio
from aiassure.registry.portfolio.model import Benchmark
from aiassure.registry.store import Registry
from aiassure.reports.portfolio import render_portfolio


@pytest.fixture
def sections(registry: Registry, submit: Submit) -> dict[str, Section]:
    ingest(registry, national_dataset(submit))
    return {s.rubric.id: s for s in build_portfolio(registry).sections}


def test_headline_and_distributions(sections: dict[str, Section]) -> None:
    org = sections["tiny-org"]
    assert (org.round, org.submissions, org.versions) == ("2026-Q4", 5, ["1.0.0", "1.1.0"])  # A's draft is superseded
    assert org.org_types == [("acute", 4), ("mental-health", 1)]
    assert org.regions == [("North", 3), ("London", 2)]
    assert org.with_failed_gates == 1
    # overall scores of A..E: 3, 2, 3, 1, 1 (E capped at 1 by its failed gate)
    overall = org.overall
    assert overall.counts == (0, 2, 1, 2, 0, 0)
    assert (overall.minimum, overall.median, overall.maximum, overall.mean) == (1.0, 2.0, 3.0, 2.0)
    # safe pillar: 4, 2, 3, 1, 5 -> median 3; effective: 5, 2, 3, 4, 5 -> median 4
    safe, ethical, effective = org.pillars
    assert (safe.id, safe.median, safe.mean) == ("safe", 3.0, 3.0)
    assert (effective.median, effective.mean) == (4.0, 3.8)
    law = next(d for d in org.domains if d.id == "law")  # weight 0 only: never assessed
    assert (law.assessed, law.not_assessed, law.median) == (0, 5, None)


def standings(benchmark: Benchmark) -> tuple[tuple[str, float | None, int | None], ...]:
    return tuple((s.group, s.percentile, s.peers) for s in benchmark.standings)


def test_percentiles_within_org_type_and_region(registry: Registry, submit: Submit) -> None:
    """The hand-checked arithmetic (docs/registry.md), with every peer group shown (min_peers=1)."""
    ingest(registry, national_dataset(submit))
    [org] = build_portfolio(registry, rubric="tiny-org", min_peers=1).sections
    found = {b.code: standings(b) for b in org.benchmarks}
    # all: D 1 = E 1 < B 2 < A 3 = C 3; acute: E < B < A = C; London: B < A; North: D = E < C.
    # A nationally: (3 below + half of 2 equal) / 5 = 80
    assert org.peer_groups == ["national", "org_type", "region"]
    assert found == {
        "A": (("national", 80.0, 5), ("org_type", 75.0, 4), ("region", 75.0, 2)),
        "B": (("national", 50.0, 5), ("org_type", 37.5, 4), ("region", 25.0, 2)),
        "C": (("national", 80.0, 5), ("org_type", 75.0, 4), ("region", pytest.approx(250 / 3), 3)),
        "D": (("national", 20.0, 5), ("org_type", 50.0, 1), ("region", pytest.approx(100 / 3), 3)),
        "E": (("national", 20.0, 5), ("org_type", 12.5, 4), ("region", pytest.approx(100 / 3), 3)),
    }


def test_by_default_a_percentile_needs_five_peers(sections: dict[str, Section]) -> None:
    """The same dataset at the default minimum: only the national percentiles (5 peers) are given;
    the others keep their peer count and say nothing else."""
    org = sections["tiny-org"]
    assert org.min_peers == DEFAULT_MIN_PEERS == 5
    found = {b.code: standings(b) for b in org.benchmarks}
    assert found["A"] == (("national", 80.0, 5), ("org_type", None, 4), ("region", None, 2))
    assert found["D"] == (("national", 20.0, 5), ("org_type", None, 1), ("region", None, 3))
    assert all(s.too_few for b in org.benchmarks for s in b.standings[1:])
    # the technologies give no intended use or device class: no group, not "too few"
    tech = sections["tiny-tech"]
    assert tech.peer_groups == ["national", "intended_use", "device_class"]
    for b in tech.benchmarks:
        assert [(s.peers, s.percentile, s.too_few) for s in b.standings[1:]] == [(None, None, False)] * 2


def test_scaling_candidates_and_support(sections: dict[str, Section]) -> None:
    tech = sections["tiny-tech"]
    # T2 fails its gate (unanswered) and is 75% complete; T3 has a pillar at 2. Only the suppliers
    # assessed them: no other organisation did.
    assert [(c.code, c.lowest_pillar, c.supplier_assessed, c.organisations) for c in tech.candidates] == [
        ("T1", 4, True, 0),
        ("T4", 3, True, 0),
    ]
    assert [(s.code, s.gates) for s in tech.support] == [("T2", ("g2",))]
    org = sections["tiny-org"]
    assert org.candidates is None
    assert [(s.code, s.level, s.gates) for s in org.support] == [("E", 1, ("g2",)), ("D", 1, ())]
    assert [(g.criterion, g.failed, g.share) for g in org.gates] == [("g2", 1, 0.2)]
    assert [(w.criterion, w.mean) for w in org.weakest][:2] == [("g1", 3.0), ("d1", 3.4)]


def assessed_products(submit: Submit) -> list[Path]:
    """Technologies assessed by their suppliers and by organisations deploying them (Trust RX1, RX2)."""
    tool = {"rubric": "tiny-tech@1.0.0", "org_type": "vendor", "region": None}

    def product(code: str, round_: str, answers: dict[str, object], by: str | None = None, **kwargs: Any) -> Path:
        file = f"{code}-by-{by}-{kwargs.get('assessed_on', '')}.yaml" if by else None
        return submit(code, round_, answers, file=file, assessed_by=by, **tool, **kwargs)

    return [
        product("T1", "2026-Q2", levels(2, 2, 2), "RX1"),
        product("T1", "2026-Q4", levels(4, 4, 4)),  # supplier: meets the bar, so T1 is a candidate
        product("T1", "2026-Q4", levels(3, 3, 3), "RX1"),  # meets it
        product("T1", "2026-Q4", levels(3, 2, 3), "RX2"),  # does not: ethical at 2
        product("T3", "2026-Q4", levels(3, 3, 2)),  # supplier below the bar: not a candidate ...
        product("T3", "2026-Q4", levels(4, 4, 4), "RX1"),  # ... whatever RX1 found
        product("T5", "2026-Q4", levels(3, 3, 3), "RX1"),  # no supplier submission: both organisations' meet it
        product("T5", "2026-Q4", levels(4, 4, 4), "RX2"),
        product("T6", "2026-Q4", levels(4, 4, 4), "RX1"),  # no supplier submission, and RX2's is below
        product("T6", "2026-Q4", levels(2, 2, 2), "RX2"),
        product("T7", "2026-Q4", levels(3, 3, 3)),
        product("T7", "2026-Q4", levels(4, 4, 4), "RX1", assessed_on="2026-11-01"),  # superseded by ...
        product("T7", "2026-Q4", levels(2, 2, 2), "RX1", assessed_on="2026-12-01"),  # ... RX1's later one
    ]


def test_scaling_candidates_with_the_organisations_assessing_them(registry: Registry, submit: Submit) -> None:
    ingest(registry, assessed_products(submit))
    [tech] = build_portfolio(registry).sections
    assert (tech.submissions, tech.subjects, tech.by_other_organisations) == (11, 5, 8)
    assert [
        (
            c.code,
            c.lowest_pillar,
            c.completeness,
            c.supplier_assessed,
            c.organisations,
            c.organisations_meeting_bar,
            [(o.code, o.name, o.meets_bar) for o in c.assessed_by],
        )
        for c in tech.candidates
    ] == [
        ("T1", 4, 1.0, True, 2, 1, [("RX1", "Trust RX1", True), ("RX2", "Trust RX2", False)]),
        ("T5", 3, 1.0, False, 2, 2, [("RX1", "Trust RX1", True), ("RX2", "Trust RX2", True)]),
        ("T7", 3, 1.0, True, 1, 0, [("RX1", "Trust RX1", False)]),
    ]
    # an organisation's assessment is compared with its own in the previous round, not with others'
    assert [(m.code, m.assessed_by, m.before, m.after) for m in tech.movers_up] == [("T1", "Trust RX1", 2.0, 3.0)]
    assert tech.movers_down == []
    assert [(h.code, h.assessed_by) for h in tech.heatmap][:3] == [
        ("T1", None),
        ("T1", "Trust RX1"),
        ("T1", "Trust RX2"),
    ]
    exported = {
        (r["subject_code"], r["assessed_by_code"], r["overall_level"]): (r["assessing_organisations"], r["current"])
        for r in export_rows(registry, "submissions", round_="2026-Q4", include_superseded=True)
    }
    assert exported[("T1", None, 4)] == exported[("T1", "RX2", 2)] == (2, True)
    assert (exported[("T7", "RX1", 2)], exported[("T7", "RX1", 4)]) == ((1, True), (None, False))  # history: no count
    html = render_portfolio(build_portfolio(registry), ("html",))["html"].decode()
    candidates = html[html.index("Scaling candidates (2026-Q4)") :]
    assert 'Trust RX2 <span class="muted">RX2</span> <span class="below">below the bar</span>' in candidates
    assert "the supplier&#39;s submission" in candidates and "every organisation&#39;s assessment" in candidates


def test_trends_and_movers(sections: dict[str, Section]) -> None:
    org = sections["tiny-org"]
    assert [t.round for t in org.trend] == ["2026-Q2", "2026-Q4"]
    assert org.trend[0].overall.counts == (0, 0, 1, 2, 0, 0)
    assert org.previous_round == "2026-Q2"
    assert [(m.code, m.before, m.after) for m in org.movers_up] == [("A", 2.0, 3.0)]
    assert [(m.code, m.change) for m in org.movers_down] == [("B", -1.0)]
    assert sections["tiny-tech"].previous_round is None


def test_results_under_two_major_versions_are_never_compared(registry: Registry, submit: Submit) -> None:
    ingest(
        registry,
        [
            submit("A", "2026-Q2", levels(2, 2, 2)),
            submit("A", "2026-Q4", levels(3, 3, 3)),
            submit("B", "2026-Q4", levels(4, 4, 4), rubric="tiny-org@2.0.0"),
        ],
    )
    with pytest.raises(
        MixedMajorVersions,
        match=r"refusing to compare results across major versions of tiny-org in 2026-Q4 \(1 under 1.x, 1 under 2.x\)",
    ) as refused:
        build_portfolio(registry)
    assert "--rubric tiny-org@2" in refused.value.message
    [one] = build_portfolio(registry, rubric="tiny-org@1").sections
    assert (one.submissions, [t.round for t in one.trend], one.not_compared) == (1, ["2026-Q2", "2026-Q4"], [])
    [two] = build_portfolio(registry, rubric="tiny-org@2.0.0").sections
    assert (two.submissions, [t.round for t in two.trend], two.previous_round) == (1, ["2026-Q4"], None)
    # a round held under another major version only is left out of the trend, and said so
    ingest(registry, [submit("C", "2027-Q1", levels(3, 3, 3), rubric="tiny-org@2.0.0")])
    [later] = build_portfolio(registry, round_="2027-Q1").sections
    assert later.rubric.major == 2
    assert [t.round for t in later.trend] == ["2026-Q4", "2027-Q1"]
    assert later.not_compared == [("2026-Q2", [1], 1), ("2026-Q4", [1], 1)]


def test_a_round_or_rubric_with_nothing_in_it_is_an_error(registry: Registry, submit: Submit) -> None:
    from aiassure.errors import NotFoundError

    ingest(registry, [submit("A", "2026-Q4", levels(3, 3, 3))])
    with pytest.raises(NotFoundError, match="for round 2030-Q1"):
        build_portfolio(registry, round_="2030-Q1")


@pytest.mark.slow
def test_the_pdf_lists_the_first_rows_of_each_long_table_and_says_so(registry: Registry, submit: Submit) -> None:
    """The PDF's tables are cut to PDF_ROWS subjects (its memory stays flat, issue 20); the HTML keeps
    up to --limit, and the headline counts are the whole section's."""
    import sys

    from aiassure.reports.formats import PORTFOLIO_TEMPLATE
    from aiassure.reports.portfolio import PDF_ROWS, pdf_context, portfolio_context
    from aiassure.reports.render import render_html

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from grow import grow

    ingest(registry, national_dataset(submit))
    with registry.transaction(write=True) as conn:
        grow(conn, subject_copies=12)  # 60 organisations and 48 technologies in 2026-Q4
    full = portfolio_context(build_portfolio(registry))
    cut = pdf_context(full)
    for whole, shown in zip(full["sections"], cut["sections"], strict=True):
        assert len(whole["heatmap"]["rows"]) == whole["heatmap"]["total"] > PDF_ROWS
        assert len(shown["heatmap"]["rows"]) == PDF_ROWS
        assert len(shown["benchmarks"]) == PDF_ROWS < len(whole["benchmarks"])
        assert shown["support_total"] == whole["support_total"]
        assert len(shown["support"]) == min(PDF_ROWS, whole["support_total"])
    html = render_html(PORTFOLIO_TEMPLATE, cut)
    assert f"The first {PDF_ROWS} of {full['sections'][0]['heatmap']['total']} organisations by name" in html
