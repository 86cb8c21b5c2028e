"""The executive summary that opens every report, two pages at most (docs/reports.md, `executive`):
the pillar levels against the registry's medians, the trend over up to four rounds, the framework
verdicts and the top five actions, beside the outcome and failed gates the cover shows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..registry.portfolio.model import DEFAULT_MIN_PEERS
from ..registry.standing import Median, RoundScores, Standing
from .views import ORG_TYPE_LABELS, Levels

TOP_ACTIONS = 5
_PEER_GROUP_WORDS = {"org_type": "type", "intended_use": "intended use"}


def executive_summary(
    context: dict[str, Any],
    levels: Levels,
    current: RoundScores,
    earlier: Sequence[RoundScores],
    earlier_from: str | None,
    standing: Standing | None,
    min_peers: int = DEFAULT_MIN_PEERS,
) -> dict[str, Any]:
    """The `executive` part of a report's context, from the rest of it (`context`: pillars,
    crosswalk, roadmap). `earlier`: up to three earlier rounds, oldest first, read from
    `earlier_from` ("the registry", "--previous"), or none."""
    return {
        "benchmark": _benchmark(context, standing, min_peers),
        "trend": _trend(context, levels, [*earlier, current], earlier_from, registry=standing is not None),
        "frameworks": [_verdict(fw, levels) for fw in context["crosswalk"]],
        "actions": context["roadmap"]["top"][:TOP_ACTIONS],
        "actions_count": context["roadmap"]["count"],
    }


def _median_text(median: Median | None, round_: str, min_peers: int) -> str:
    if median is None:
        return f"none in {round_}"
    if median.peers < min_peers:
        return f"too few peers ({median.peers})"
    return "not assessed" if median.median is None else f"{median.median:.2f} of {median.peers}"


def _benchmark(context: dict[str, Any], standing: Standing | None, min_peers: int) -> dict[str, Any]:
    """Overall and each pillar beside the national and peer-group medians, or why there are none."""
    if standing is None:
        return {"given": False, "text": "No registry given (report --db URL), so no national or peer medians."}
    round_ = context["round"]
    value = standing.peer_value
    shown = ORG_TYPE_LABELS.get(value, value) if standing.peer_group == "org_type" and value else value
    peer_label = f"Same {_PEER_GROUP_WORDS[standing.peer_group]}"
    scopes = [("overall", "Overall", context["overall"])] + [
        (f"pillar:{p['id']}", p["title"], p) for p in context["pillars"]
    ]
    rows = [
        {
            "title": title,
            "level": scope["level"],
            "score_text": scope["score_text"],
            "national": _median_text(standing.national.get(key), round_, min_peers),
            "peers": _median_text(standing.peers.get(key), round_, min_peers)
            if value is not None
            else f"no {_PEER_GROUP_WORDS[standing.peer_group]} given",
        }
        for key, title, scope in scopes
    ]
    as_of = standing.as_of.strftime("%Y-%m-%d %H:%M UTC") if standing.as_of else "never ingested"
    return {
        "given": True,
        "registry": standing.registry,
        "as_of": as_of,
        "peer_label": peer_label,
        "peer_value": shown,
        "min_peers": min_peers,
        "rows": rows,
        "text": f"Median scores of the subjects' own current assessments in {round_}: national, and of those of "
        f'the same {_PEER_GROUP_WORDS[standing.peer_group]} ({shown or "none given"}); "of n": among how many; '
        f"none among fewer than {min_peers}. {standing.registry}, data as of {as_of}.",
    }


def _trend(
    context: dict[str, Any], levels: Levels, rounds: list[RoundScores], earlier_from: str | None, *, registry: bool
) -> dict[str, Any]:
    """Outcome, overall and pillar levels in each round, oldest first (the report's own last)."""

    def cell(figures: tuple[float | None, int | None] | None) -> dict[str, Any]:
        score, level = figures or (None, None)
        return {"level": levels.view(level), "score_text": "—" if score is None else f"{score:.2f}"}

    rows = [{"title": "Overall", "cells": [cell(r.overall) for r in rounds]}] + [
        {"title": p["title"], "cells": [cell(r.pillars.get(p["id"])) for r in rounds]} for p in context["pillars"]
    ]
    if len(rounds) == 1 and registry:
        text = "The registry holds no earlier round of this assessment, so there is no trend yet."
    elif len(rounds) == 1:
        text = "No earlier round given (report --previous FILES, or --db URL), so there is no trend yet."
    else:
        text = f"Earlier rounds from {earlier_from}."
    return {
        "rounds": [r.round for r in rounds],
        "outcomes": [r.outcome or "none" for r in rounds],
        "rows": rows,
        "text": text,
    }


def _verdict(framework: dict[str, Any], levels: Levels) -> dict[str, Any]:
    """What the crosswalk shows of one framework, in a line: its items, the weakest credited level
    among the criteria mapped to them and which items have it."""
    weakest: dict[str, int] = {}
    open_items = []
    for item in framework["entries"]:
        scored = [c for c in item["criteria"] if c["scored"]]
        credited = [c["credited"]["level"] for c in scored if c["credited"]]
        if len(credited) < len(scored):
            open_items.append(item["id"])
        if credited:
            weakest[item["id"]] = min(credited)
    count = len(framework["entries"])
    text = f"{count} item{'s' if count != 1 else ''}"
    low = min(weakest.values(), default=None)
    if low is not None:
        named = [item for item, level in weakest.items() if level == low]
        more = f" and {len(named) - 1} more" if len(named) > 1 else ""
        text += f", weakest {levels.view(low)['text']}: {named[0]}{more}"
    if open_items:
        text += f"; {len(open_items)} not credited"
    return {"framework": framework["framework"], "items": count, "weakest": levels.view(low), "text": text}


__all__ = ["TOP_ACTIONS", "executive_summary"]
