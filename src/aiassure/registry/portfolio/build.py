"""The national portfolio, aggregated in SQL: distributions, trends, peer benchmarks, scaling candidates, support."""

# Every figure is computed by the database over the current submissions of one rubric (one major
# version) in one round; Python only receives aggregates and bounded lists, so memory does not grow
# with the number of submissions. docs/registry.md defines each figure.

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ...assessments.model import NHS_REGIONS, ORG_TYPES
from ...clock import round_index, round_of
from ...errors import NotFoundError, UsageError
from ...plugins import PORTFOLIO, Plugin, load_all, remembered, warn
from ...rubrics.loader import version_key
from ..store import Registry, rubric_filter
from .figures import (
    benchmarks,
    candidates,
    distributions,
    gates,
    headline,
    heatmap,
    movers,
    support,
    trend,
    waivers,
    weakest,
)
from .model import (
    DEFAULT_MIN_PEERS,
    LIST_LIMIT,
    MAX_MIN_PEERS,
    NATIONAL,
    PEER_GROUPS,
    SCALING_RULE,
    ExtraFigure,
    PluginFigure,
    Portfolio,
    Section,
)
from .queries import EVERYONE, Among, current_of, grouped, latest_ingest, rubric_info

if TYPE_CHECKING:
    from sqlalchemy import Connection


class MixedMajorVersions(UsageError):
    """Results under different major versions of a rubric were about to be compared."""


class UnknownFilter(UsageError):
    """A portfolio filter's value is none of those it can take."""


def among(region: str | None = None, org_type: str | None = None) -> Among:
    """The subjects a portfolio covers, checked: `region` one of the NHS England regions, `org_type`
    one of the organisation types (an unknown value is refused, with the values it can take)."""
    if region is not None and region not in NHS_REGIONS:
        raise UnknownFilter(f"unknown region {region!r}: expected one of " + ", ".join(NHS_REGIONS))
    if org_type is not None and org_type not in ORG_TYPES:
        raise UnknownFilter(f"unknown org_type {org_type!r}: expected one of " + ", ".join(ORG_TYPES))
    return Among(region, org_type)


def build_portfolio(
    registry: Registry,
    *,
    round_: str | None = None,
    rubric: str | None = None,
    limit: int = LIST_LIMIT,
    region: str | None = None,
    org_type: str | None = None,
    today: dt.date | None = None,
    min_peers: int = DEFAULT_MIN_PEERS,
) -> Portfolio:
    """One section per rubric: its latest round that is not after today's (the calendar's;
    a stored text that is not a well-formed round is never a default), or `round_`; `rubric` is
    ID, ID@MAJOR or ID@VERSION;
    `region` and `org_type` narrow every figure to the subjects of that region and type (in SQL: the
    percentiles, trends and movers are among them alone); a percentile among fewer than `min_peers`
    peers is left out ("too few peers"); the waivers counted are those in force on `today` (none without it)."""
    from sqlalchemy import func, select

    from ..schema import submissions as s

    if not 1 <= min_peers <= MAX_MIN_PEERS:
        raise UsageError(f"min_peers must be from 1 to {MAX_MIN_PEERS:,}, not {min_peers}")
    covered = among(region, org_type)
    today_round = None if today is None else round_of(today)
    portfolio = Portfolio(registry.shown, filters=covered.shown())
    figures = plugin_figures()
    with registry.transaction(snapshot=True) as conn:
        # Read in the same snapshot as the figures, so that "data as of" is the state they reflect.
        portfolio.data_as_of = latest_ingest(conn)
        query = select(s.c.rubric_id, s.c.round, s.c.rubric_major, func.count()).where(
            s.c.superseded_by.is_(None), *covered.where(s)
        )
        if rubric is not None:
            query = query.where(rubric_filter(s, rubric))
        groups = conn.execute(query.group_by(s.c.rubric_id, s.c.round, s.c.rubric_major)).all()
        counts = {(rid, rnd, major): n for rid, rnd, major, n in groups}
        for rubric_id in sorted({g[0] for g in groups}):
            rounds = sorted({rnd for rid, rnd, _ in counts if rid == rubric_id})
            target = round_ or _default_round(rounds, today_round)
            if target is None or target not in rounds:
                continue
            majors = sorted({major for rid, rnd, major in counts if rid == rubric_id and rnd == target})
            if len(majors) > 1:
                raise MixedMajorVersions(_mixed_message(rubric_id, target, majors, counts))
            major = majors[0]
            section = _section(conn, rubric_id, major, target, rounds, counts, limit, covered, min_peers)
            section.extra_figures = _extra_figures(conn, section, figures, covered)
            if today is not None:
                current = current_of(rubric_id, major, [target], covered)
                section.waivers = waivers.build(conn, current, rubric_id, major, target, today)
            portfolio.sections.append(section)
    portfolio.plugins = sorted({f.plugin for s in portfolio.sections for f in s.extra_figures})
    if not portfolio.sections:
        asked = (
            f"round {round_}" if round_ else "",
            f"rubric {rubric}" if rubric else "",
            *(f"{name} {value}" for name, value in covered.shown().items()),
        )
        wanted = " and ".join(x for x in asked if x)
        raise NotFoundError(
            f"the registry {registry.shown} holds no current submission"
            + (f" for {wanted}" if wanted else "")
            + "; ingest some with `aiassure registry ingest`"
        )
    return portfolio


def _default_round(rounds: list[str], today_round: str | None) -> str | None:
    """The latest of `rounds` that is a round (ASCII `YYYY-Qn`) and not after `today_round`: a
    far-future round, or one written in other digits (which sorts after every real one), stored
    before such rounds were refused, never becomes the default."""
    latest = None if today_round is None else round_index(today_round)
    eligible = [
        (index, r) for r in rounds if (index := round_index(r)) is not None and (latest is None or index <= latest)
    ]
    return max(eligible)[1] if eligible else None


@remembered
def plugin_figures() -> tuple[tuple[Plugin, PluginFigure], ...]:
    """The figures plugins add (entry point group aiassure.portfolio), loaded on first use; one that
    fails to load or is not a PluginFigure is left out with a PluginWarning."""
    return tuple(load_all(PORTFOLIO, PluginFigure, "an aiassure.registry.portfolio.PluginFigure"))


def _extra_figures(
    conn: Connection, section: Section, figures: tuple[tuple[Plugin, PluginFigure], ...], covered: Among = EVERYONE
) -> list[ExtraFigure]:
    """Each plugin figure built for `section` (over the submissions `covered`); one that raises is left
    out with a PluginWarning, and the portfolio is made without it."""
    current = current_of(section.rubric.id, section.rubric.major, [section.round], covered)
    built = []
    for plugin, figure in figures:
        try:
            with conn.begin_nested():  # a failing figure's statements leave the snapshot usable
                rows = [list(row) for row in figure.build(conn, current, section.rubric)]
        except Exception as exc:  # a plugin may fail in any way: it must not stop the portfolio
            warn(
                plugin,
                f"failed to build its figure for {section.rubric.id} {section.round} ({type(exc).__name__}: {exc})",
            )
            continue
        built.append(ExtraFigure(plugin.name, figure.title, figure.description, list(figure.columns), rows, plugin.ref))
    return built


def _mixed_message(rubric_id: str, round_: str, majors: list[int], counts: dict[tuple[str, str, int], int]) -> str:
    held = ", ".join(f"{counts[(rubric_id, round_, m)]} under {m}.x" for m in majors)
    return (
        f"refusing to compare results across major versions of {rubric_id} in {round_} ({held}): "
        "a new major version changes what is asked or what a level means, "
        "so its scores do not line up with the old ones. "
        f"Choose one with --rubric {rubric_id}@{majors[-1]} (or @{majors[0]})"
    )


def _section(
    conn: Connection,
    rubric_id: str,
    major: int,
    round_: str,
    rounds: list[str],
    counts: dict[tuple[str, str, int], int],
    limit: int,
    covered: Among,
    min_peers: int,
) -> Section:
    from sqlalchemy import select

    from ..schema import submissions as s

    info = rubric_info(conn, rubric_id, major)
    current = current_of(rubric_id, major, [round_], covered)
    versions = sorted(
        conn.execute(select(s.c.rubric_version).where(s.c.id.in_(select(current.c.id))).distinct()).scalars(),
        key=version_key,
    )
    counted = headline.build(conn, current)
    trend_rounds = [r for r in rounds if r <= round_ and (rubric_id, r, major) in counts]
    not_compared = []  # rounds up to this one holding results under another major version
    for r in (r for r in rounds if r <= round_):
        others = sorted(m for (rid, rnd, m) in counts if rid == rubric_id and rnd == r and m != major)
        if others:
            not_compared.append((r, others, sum(counts[(rubric_id, r, m)] for m in others)))
    previous = trend_rounds[-2] if len(trend_rounds) > 1 else None
    by_scope = distributions.build(conn, current, info)
    up, down = movers.build(conn, rubric_id, major, round_, previous, covered) if previous else ([], [])
    needing_support, support_total = support.build(conn, current, limit)
    groups = PEER_GROUPS["technology" if info.subject == "technology" else "organisation"]
    technology = info.subject == "technology"
    return Section(
        rubric=info,
        round=round_,
        versions=versions,
        submissions=counted.submissions,
        subjects=counted.subjects,
        by_other_organisations=counted.by_other_organisations,
        org_types=grouped(conn, current.c.org_type),
        regions=grouped(conn, current.c.region),
        outcomes=grouped(conn, current.c.outcome_label),
        with_failed_gates=counted.with_failed_gates,
        mean_completeness=counted.mean_completeness,
        overall=by_scope[("overall", "overall")],
        pillars=[by_scope[("pillar", p)] for p, _ in info.pillars if ("pillar", p) in by_scope],
        domains=[by_scope[("domain", d[0])] for d in info.domains if ("domain", d[0]) in by_scope],
        heatmap=heatmap.build(conn, current, info, limit),
        trend=trend.build(conn, rubric_id, major, trend_rounds, info, covered),
        not_compared=not_compared,
        previous_round=previous,
        movers_up=up,
        movers_down=down,
        benchmarks=benchmarks.build(conn, current, groups, min_peers, limit),
        peer_groups=[NATIONAL, *groups],
        min_peers=min_peers,
        candidates=candidates.build(conn, current, SCALING_RULE) if technology else None,
        scaling_rule=SCALING_RULE if technology else None,
        support=needing_support,
        support_total=support_total,
        gates=gates.build(conn, current, info, counted.submissions),
        weakest=weakest.build(conn, current, info),
        limit=limit,
    )


__all__ = ["MixedMajorVersions", "UnknownFilter", "among", "build_portfolio"]
