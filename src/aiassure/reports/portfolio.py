"""The portfolio report (the registry computes it): its template context, and HTML, PDF and JSON."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..fsutil import refuse_inputs, write_atomic
from ..registry.portfolio import (
    DEFAULT_MIN_PEERS,
    NATIONAL,
    SCALING_RULE,
    SUPPORT_LEVEL,
    Distribution,
    Portfolio,
    Section,
    Standing,
)
from .formats import PORTFOLIO_TEMPLATE, OutputFormat, PortfolioDocument, output_formats, register
from .views import LANG, ORG_TYPE_LABELS, Levels

if TYPE_CHECKING:
    from .limits import TemplateLimits

DEFAULT_FORMATS = ("html", "pdf")
STEM = "portfolio"
TITLE = "National AI assurance portfolio"
# The PDF is for reading and printing: each of its tables lists at most this many subjects (the
# HTML lists up to `--limit`, an export every one). WeasyPrint holds every box of a document in
# memory, over a megabyte per subject listed, so the PDF must stay this size however large the
# registry grows (issue 20: 634 MB with 200 rows a table, 229 MB with 40).
PDF_ROWS = 40
# The section lists that grow with the number of subjects, cut to PDF_ROWS in the PDF.
LONG_LISTS = ("benchmarks", "candidates", "support")


def parse_formats(text: str) -> tuple[str, ...]:
    """`html,pdf,json` -> the portfolio formats asked for, in a stable order; unknown ones are a usage error."""
    from .writer import parse_formats as parse

    return parse(text, "portfolio")


def _number(value: float | None, places: int = 2) -> str:
    return "—" if value is None else f"{value:.{places}f}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _distribution(dist: Distribution, levels: Levels) -> dict[str, Any]:
    """A distribution as a stacked bar (segments in viewBox units of 0..100) and its figures."""
    total = dist.assessed + dist.not_assessed
    segments, x = [], 0.0
    parts = [(levels.view(level), count) for level, count in enumerate(dist.counts)] + [
        (levels.view(None), dist.not_assessed)
    ]
    for view, count in parts:
        if not count:
            continue
        width = 100 * count / total
        segments.append(
            {
                "x": round(x, 3),
                "width": round(width, 3),
                "count": count,
                "fill": view["fill"],
                "ink": view["ink"],
                "css": view["css"],
                "text": view["text"],
            }
        )
        x += width
    described = "; ".join(f"{s['text']}: {s['count']}" for s in segments) or "no submissions"
    return {
        "id": dist.id,
        "title": dist.title,
        "assessed": dist.assessed,
        "not_assessed": dist.not_assessed,
        "counts": list(dist.counts),
        "segments": segments,
        "description": described,
        "mean": _number(dist.mean),
        "min": _number(dist.minimum),
        "median": _number(dist.median),
        "max": _number(dist.maximum),
    }


def _org_type(value: str) -> str:
    return ORG_TYPE_LABELS.get(value, value)


# How the report names each peer group (registry.portfolio.PEER_GROUPS): (the percentile's column,
# the column of the value peers share).
PEER_GROUP_WORDS = {
    NATIONAL: ("Percentile nationally", None),
    "org_type": ("Percentile in type", "Type"),
    "region": ("Percentile in region", "Region"),
    "intended_use": ("Percentile in intended use", "Intended use"),
    "device_class": ("Percentile in device class", "Device class"),
}
# ... and in a sentence: "among those of the same ...".
PEER_GROUP_PHRASES = {
    "org_type": "organisation type",
    "region": "region",
    "intended_use": "intended use",
    "device_class": "device class",
}


def _standing(standing: Standing, labels: dict[str, dict[str, str]]) -> dict[str, Any]:
    """One percentile cell: the figure and its peers, "too few peers (n)", or none (no group); the
    value peers share as the rubric names it (`RubricInfo.value_labels`)."""
    value = standing.value
    if value is not None and standing.group == "org_type":
        shown: str | None = _org_type(value)
    else:
        shown = labels.get(standing.group, {}).get(value, value) if value is not None else None
    return {
        "group": standing.group,
        "value": shown if shown is not None else "—",
        "percentile": _number(standing.percentile, 1) if standing.percentile is not None else None,
        "peers": standing.peers,
        "too_few": standing.too_few,
    }


def data_as_of(moment: dt.datetime | None) -> str:
    """The registry's latest ingest as a reader sees it: `7 December 2026, 11:20 UTC`."""
    if moment is None:
        return "no submission ingested"
    utc = moment.astimezone(dt.UTC)
    return f"{utc.day} {utc:%B %Y, %H:%M} UTC"


def _listed(row: Any) -> dict[str, Any]:
    """How the lists name an assessment (portfolio.LISTED_COLUMNS): subject, assessing organisation, org_type."""
    return {"code": row.code, "name": row.name, "assessed_by": row.assessed_by, "org_type": _org_type(row.org_type)}


def _section(section: Section) -> dict[str, Any]:
    info = section.rubric
    levels = Levels(info.top, info.labels)
    domains = [{"id": ident, "title": title} for ident, title, _ in info.domains]
    return {
        "anchor": f"{info.id}-{info.major}",
        "rubric": {
            "id": info.id,
            "major": info.major,
            "title": info.title,
            "subject": info.subject,
            "versions": section.versions,
        },
        "subject_word": "technology" if info.subject == "technology" else "organisation",
        "subjects_word": "technologies" if info.subject == "technology" else "organisations",
        "round": section.round,
        "submissions": section.submissions,
        "subjects": section.subjects,
        "by_other_organisations": section.by_other_organisations,
        "with_failed_gates": section.with_failed_gates,
        "mean_completeness": _percent(section.mean_completeness),
        "org_types": [{"name": _org_type(name), "count": n} for name, n in section.org_types],
        "regions": [{"name": name or "no region given", "count": n} for name, n in section.regions],
        "outcomes": [{"name": name or "no outcome", "count": n} for name, n in section.outcomes],
        "scale": levels.scale(),
        "top": info.top,
        "overall": _distribution(section.overall, levels),
        "pillars": [_distribution(d, levels) for d in section.pillars],
        "domains": [_distribution(d, levels) for d in section.domains],
        "heatmap": {
            "columns": domains,
            "rows": [
                {
                    **_listed(row),
                    "overall": levels.view(row.overall),
                    "cells": [{**levels.view(level), "score": _number(score)} for level, score in row.cells],
                }
                for row in section.heatmap
            ],
            "total": section.submissions,
        },
        "trend": [
            {
                "round": t.round,
                "overall": _distribution(t.overall, levels),
                "pillars": [
                    {"title": title, "mean": _number(t.pillar_means.get(ident))} for ident, title in info.pillars
                ],
            }
            for t in section.trend
        ],
        "pillar_titles": [title for _, title in info.pillars],
        "not_compared": [
            {"round": r, "majors": ", ".join(f"{m}.x" for m in majors), "count": n}
            for r, majors, n in section.not_compared
        ],
        "previous_round": section.previous_round,
        "movers_up": [_mover(m, levels) for m in section.movers_up],
        "movers_down": [_mover(m, levels) for m in section.movers_down],
        "peer_groups": [
            {"id": g, "title": PEER_GROUP_WORDS[g][0], "column": PEER_GROUP_WORDS[g][1]} for g in section.peer_groups
        ],
        "peer_phrases": [PEER_GROUP_PHRASES[g] for g in section.peer_groups if g != NATIONAL],
        "min_peers": section.min_peers,
        "benchmarks": [
            {
                **_listed(b),
                "region": b.region or "—",
                "level": levels.view(b.level),
                "score": _number(b.score),
                "standings": [_standing(st, info.value_labels) for st in b.standings],
            }
            for b in section.benchmarks
        ],
        "outcome_rules": [{"label": label, "description": text} for label, text in info.outcomes if text],
        "scaling_rule": None
        if section.scaling_rule is None
        else {
            "text": section.scaling_rule.text,
            "bar": section.scaling_rule.bar,
            "deciding": section.scaling_rule.deciding,
        },
        "candidates_total": None if section.candidates is None else len(section.candidates),
        "candidates": None
        if section.candidates is None
        else [
            {
                "code": c.code,
                "name": c.name,
                "lowest": levels.view(c.lowest_pillar),
                "completeness": _percent(c.completeness),
                "decided_by": "the supplier's submission" if c.supplier_assessed else "every organisation's assessment",
                "organisations": c.organisations,
                "organisations_meeting_bar": c.organisations_meeting_bar,
                "assessed_by": [
                    # an organisation's assessment decides only when the supplier has not submitted
                    {"code": o.code, "name": o.name, "meets_bar": o.meets_bar, "decides": not c.supplier_assessed}
                    for o in c.assessed_by
                ],
            }
            for c in section.candidates
        ],
        "support": [
            {
                **_listed(s),
                "region": s.region or "—",
                "level": levels.view(s.level),
                "score": _number(s.score),
                "gates": list(s.gates),
                "why": ", ".join(
                    ([f"failed gate{'s' if len(s.gates) > 1 else ''} {', '.join(s.gates)}"] if s.gates else [])
                    + ([f"overall level {s.level}"] if s.level is not None and s.level <= SUPPORT_LEVEL else [])
                ),
            }
            for s in section.support
        ],
        "support_total": section.support_total,
        "gates": [
            {"criterion": g.criterion, "question": g.question, "failed": g.failed, "share": _percent(g.share)}
            for g in section.gates
        ],
        "weakest": [
            {
                "criterion": w.criterion,
                "question": w.question,
                "domain": w.domain,
                "mean": _number(w.mean),
                "counted": w.counted,
            }
            for w in section.weakest
        ],
        "limit": section.limit,
        "waivers": None
        if section.waivers is None
        else {
            "active": section.waivers.active,
            "expiring": section.waivers.expiring,
            "expiring_days": section.waivers.expiring_days,
            "depending": section.waivers.depending,
            "today": section.waivers.today.isoformat(),
            "stale": section.waivers.stale,
        },
        "extra_figures": [
            {
                "id": f.id,
                "title": f.title,
                "description": f.description,
                "columns": f.columns,
                "rows": [["—" if cell is None else cell for cell in row] for row in f.rows],
                "plugin": str(f.plugin),
            }
            for f in section.extra_figures
        ],
    }


def _mover(mover: Any, levels: Levels) -> dict[str, Any]:
    return {
        **_listed(mover),
        "before": levels.view(mover.level_before),
        "after": levels.view(mover.level_after),
        "score_before": _number(mover.before),
        "score_after": _number(mover.after),
        "change": f"{mover.change:+.2f}",
    }


def portfolio_context(portfolio: Portfolio) -> dict[str, Any]:
    """What portfolio.html sees (docs/registry.md lists the names)."""
    sections = [_section(s) for s in portfolio.sections]
    return {
        "title": TITLE,
        "lang": LANG,
        "source": portfolio.source,
        "data_as_of": data_as_of(portfolio.data_as_of),
        "data_as_of_iso": _iso(portfolio.data_as_of),
        "min_peers": next((s.min_peers for s in portfolio.sections), DEFAULT_MIN_PEERS),  # one per portfolio
        "scaling_rule": SCALING_RULE.text,
        "filters": _filters(portfolio.filters),
        "sections": sections,
    }


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def _filters(filters: dict[str, str]) -> str:
    """The portfolio's filters as a reader says them ("" when it covers every subject)."""
    said = []
    if "region" in filters:
        said.append(f"in the region {filters['region']}")
    if "org_type" in filters:
        said.append(f"of the type {_org_type(filters['org_type'])}")
    return ("Only the subjects " + " and ".join(said) + ": every figure is computed among them.") if said else ""


def pdf_context(context: dict[str, Any], rows: int = PDF_ROWS) -> dict[str, Any]:
    """The portfolio context with each long table cut to its first `rows` subjects: what the PDF
    shows. The template says how many it leaves out, and where they all are."""

    def cut(section: dict[str, Any]) -> dict[str, Any]:
        heatmap = {**section["heatmap"], "rows": section["heatmap"]["rows"][:rows]}
        lists = {name: section[name][:rows] for name in LONG_LISTS if section[name] is not None}
        return {**section, **lists, "heatmap": heatmap}

    return {**context, "sections": [cut(s) for s in context["sections"]]}


def portfolio_json(portfolio: Portfolio) -> str:
    """The portfolio's figures as JSON, unformatted (the HTML rounds them). The plugins' figures, the
    list of plugins, the filters and a section's waivers are left out when there are none, so that a
    portfolio made without plugins, filters or waivers reads the same as before they existed."""
    data = dataclasses.asdict(portfolio)
    data["data_as_of"] = _iso(portfolio.data_as_of)
    for section, built in zip(data["sections"], portfolio.sections, strict=True):
        if built.scaling_rule is not None:
            section["scaling_rule"]["text"] = built.scaling_rule.text
    if not data["plugins"]:
        del data["plugins"]
    if not data["filters"]:
        del data["filters"]
    for section in data["sections"]:
        if not section["extra_figures"]:
            del section["extra_figures"]
        if section["waivers"] is None:
            del section["waivers"]
        elif not section["waivers"]["stale"]:  # shown only when some results wait for refresh-waivers
            del section["waivers"]["stale"]
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def render_portfolio(
    portfolio: Portfolio,
    formats: Sequence[str] = DEFAULT_FORMATS,
    template_dirs: Sequence[Path] = (),
    *,
    limits: TemplateLimits | None = None,
) -> dict[str, bytes]:
    """Every requested format of the portfolio, in memory: extension -> bytes."""
    document = PortfolioDocument(portfolio, template_dirs, limits)
    chosen = output_formats("portfolio")
    return {name: output.render(document) for name, output in chosen.items() if name in formats}


def _html(document: PortfolioDocument) -> bytes:
    return document.html.encode()


def _pdf(document: PortfolioDocument) -> bytes:
    """From the context cut to PDF_ROWS subjects a table (`pdf_context`), not from the HTML page."""
    from .pdf import html_to_pdf
    from .render import render_html

    context = pdf_context(document.context)
    html = render_html(PORTFOLIO_TEMPLATE, context, document.template_dirs, limits=document.template_limits)
    return html_to_pdf(html, title=TITLE, lang=LANG, base_dirs=document.template_dirs)


def _json(document: PortfolioDocument) -> bytes:
    return portfolio_json(document.portfolio).encode()


_TEMPLATES = ((PORTFOLIO_TEMPLATE, False),)
for _output in (
    OutputFormat("html", "the portfolio as one HTML page", _html, "portfolio", _TEMPLATES),
    OutputFormat("pdf", "the portfolio as PDF/UA", _pdf, "portfolio", _TEMPLATES),
    OutputFormat("json", "the portfolio's figures, unrounded", _json, "portfolio"),
):
    register(_output)


def portfolio_paths(out_dir: Path, formats: Sequence[str] = DEFAULT_FORMATS) -> list[Path]:
    """The files `write_portfolio` writes for `formats`."""
    return [out_dir / f"{STEM}.{ext}" for ext in formats]


def write_portfolio(
    portfolio: Portfolio,
    out_dir: Path,
    formats: Sequence[str] = DEFAULT_FORMATS,
    template_dirs: Sequence[Path] = (),
    *,
    protect: Sequence[Path] = (),
    limits: TemplateLimits | None = None,
) -> list[Path]:
    """Render every format first, then write each file atomically, none of them over a file of
    `protect` (the registry, the templates); returns the files written."""
    refuse_inputs(portfolio_paths(out_dir, formats), protect)
    rendered = render_portfolio(portfolio, formats, template_dirs, limits=limits)
    written = []
    for ext, content in rendered.items():
        path = out_dir / f"{STEM}.{ext}"
        write_atomic(path, content)
        written.append(path)
    return written
