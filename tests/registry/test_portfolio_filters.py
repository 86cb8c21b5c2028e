"""The portfolio narrowed to a region and/or an org_type: the same figures as a registry holding only those
subjects, computed in SQL on SQLite and PostgreSQL; unknown filter values refused with the allowed ones."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from registry_helpers import Submit, ingest, levels, national_dataset

from aiassure.assessments.model import NHS_REGIONS
from aiassure.cli import main
from aiassure.errors import ExitCode
from aiassure.registry.portfolio import Section, build_portfolio
from aiassure.registry.portfolio.build import UnknownFilter
from aiassure.registry.store import Registry

FILTERS = [
    pytest.param({"region": "London"}, id="region"),
    pytest.param({"org_type": "acute"}, id="org_type"),
    pytest.param({"region": "London", "org_type": "acute"}, id="both"),
]


def filtered_dataset(submit: Submit) -> list[Path]:
    """The national dataset with more to filter: an acute trust in London assessed in both rounds,
    a mental-health trust in London, and a London subject that moves to the North East in 2026-Q4
    (so a mover compares within each round's own region)."""
    return [
        *national_dataset(submit),
        submit("F", "2026-Q2", levels(1, 1, 1), region="London"),
        submit("F", "2026-Q4", levels(3, 2, 3), region="London"),
        submit("G", "2026-Q4", levels(2, 3, 2), org_type="mental-health", region="London"),
        submit("H", "2026-Q2", levels(2, 2, 2), region="London"),
        submit("H", "2026-Q4", levels(4, 4, 4), region="North East and Yorkshire"),
    ]


def matches(path: Path, filters: dict[str, str]) -> bool:
    import yaml

    subject = yaml.safe_load(path.read_text())["subject"]
    return all(subject.get(name) == value for name, value in filters.items())


@pytest.mark.parametrize("filters", FILTERS)
def test_a_filtered_portfolio_is_that_of_the_filtered_subjects_alone(
    registry: Registry, submit: Submit, filters: dict[str, str]
) -> None:
    paths = filtered_dataset(submit)
    inside = [p for p in paths if matches(p, filters)]
    outside = [p for p in paths if not matches(p, filters)]
    assert inside and outside
    ingest(registry, inside)
    alone = build_portfolio(registry)
    ingest(registry, outside)
    everyone = build_portfolio(registry)
    narrowed = build_portfolio(registry, **filters)
    assert narrowed.filters == filters and not everyone.filters
    # every figure (headline, percentiles, trends, movers...) but the rubric's title block, which comes
    # from the newest version the registry holds, whoever used it
    assert figures_of(narrowed.sections) == figures_of(alone.sections)
    assert figures_of(narrowed.sections) != figures_of(everyone.sections)


def figures_of(sections: list[Section]) -> list[Section]:
    return [dataclasses.replace(s, rubric=dataclasses.replace(s.rubric, version="")) for s in sections]


def test_the_filters_reach_the_percentiles_trends_and_movers(registry: Registry, submit: Submit) -> None:
    ingest(registry, filtered_dataset(submit))
    [london] = build_portfolio(registry, region="London", org_type="acute", rubric="tiny-org").sections
    assert {r.name for r in london.benchmarks} == {"Subject A", "Subject B", "Subject F"}
    assert {r.standings[0].peers for r in london.benchmarks} == {3}  # national: among the filtered alone
    assert london.regions == [("London", 3)] and london.org_types == [("acute", 3)]
    assert [t.round for t in london.trend] == ["2026-Q2", "2026-Q4"]
    assert london.trend[0].overall.assessed == 4  # A, B, F and H in 2026-Q2 (C is in the North)
    assert london.trend[1].overall.assessed == 3  # H is in the North East in 2026-Q4
    # H left London in 2026-Q4: it is no mover of London's
    assert {m.name for m in london.movers_up + london.movers_down} == {"Subject A", "Subject B", "Subject F"}


def test_a_filter_with_nothing_in_it_is_not_found(registry: Registry, submit: Submit) -> None:
    from aiassure.errors import NotFoundError

    ingest(registry, filtered_dataset(submit))
    with pytest.raises(NotFoundError, match="region South West"):
        build_portfolio(registry, region="South West")


@pytest.mark.parametrize(
    ("filters", "allowed"),
    [({"region": "North"}, ", ".join(NHS_REGIONS)), ({"org_type": "hospital"}, "acute, mental-health")],
)
def test_an_unknown_filter_value_is_refused_with_the_values_allowed(
    registry: Registry, submit: Submit, filters: dict[str, str], allowed: str
) -> None:
    ingest(registry, national_dataset(submit))
    with pytest.raises(UnknownFilter, match=allowed) as refused:
        build_portfolio(registry, **filters)
    assert refused.value.exit_code == ExitCode.USAGE


def test_portfolio_report_takes_region_and_org_type(db_url: str, submit: Submit, tmp_path: Path) -> None:
    from registry_helpers import RUBRICS

    filtered_dataset(submit)
    runner = CliRunner()
    ingested = runner.invoke(
        main, ["registry", "ingest", str(tmp_path / "submissions"), "--db", db_url, "--rubric-dir", str(RUBRICS)]
    )
    assert ingested.exit_code == 0, ingested.output
    out = tmp_path / "out"
    args = ["portfolio", "report", "--out", str(out), "--db", db_url, "--format", "json,html"]
    done = runner.invoke(main, [*args, "--region", "London", "--org-type", "mental-health"])
    assert done.exit_code == 0, done.output
    figures = json.loads((out / "portfolio.json").read_text())
    assert figures["filters"] == {"region": "London", "org_type": "mental-health"}
    [section] = figures["sections"]
    assert [b["name"] for b in section["benchmarks"]] == ["Subject G"]
    assert "Only the subjects in the region London and of the type" in (out / "portfolio.html").read_text()
    refused = runner.invoke(main, [*args, "--region", "Atlantis"])
    assert refused.exit_code == ExitCode.USAGE
    assert "'Atlantis' is not one of" in refused.stderr and "'North West'" in refused.stderr
