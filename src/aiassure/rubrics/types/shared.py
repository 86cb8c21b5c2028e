"""What several criterion types share: picking from a menu, option and threshold checks, threshold levels."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from ...text import is_ascii_number
from ..parts import CriterionBase, LintChecker, Option, ReplyRefused, Threshold, is_na_word

if TYPE_CHECKING:
    from ...source import KeyPath

Bound = Literal["min", "max"]
NOTHING_WORDS = ("none", "-", "[]")  # an explicit empty selection for multi and checklist


def pick(menu: list[tuple[str, str]], token: str) -> str:
    """One menu entry by id, by number, or by id or label ignoring case."""
    ids = [ident for ident, _ in menu]
    if token in ids:
        return token
    if is_ascii_number(token) and 1 <= int(token) <= len(menu):
        return ids[int(token) - 1]
    loose = [ident for ident, text in menu if token.lower() in (ident.lower(), text.lower())]
    if len(loose) == 1:
        return loose[0]
    raise ReplyRefused(f"{token!r} is not a number 1-{len(menu)} or one of: {', '.join(ids)}")


def selection(menu: list[tuple[str, str]], text: str) -> list[str]:
    """Menu entries by ids, numbers and ranges (`1-3`), in menu order; `none` for nothing."""
    ids = [ident for ident, _ in menu]
    if text.lower() in NOTHING_WORDS and text not in ids:
        return []
    chosen: set[str] = set()
    for token in filter(None, re.split(r"[\s,\[\]]+", text)):
        span = re.fullmatch(r"([0-9]+)-([0-9]+)", token)
        if span and token not in ids:
            first, last = int(span[1]), int(span[2])
            if not 1 <= first <= last <= len(menu):
                raise ReplyRefused(f"{token!r} is not a range within 1-{len(menu)}")
            chosen.update(ids[first - 1 : last])
        else:
            chosen.add(pick(menu, token))
    return [ident for ident in ids if ident in chosen]


def selection_hint(size: int, what: str) -> str:
    return f"{what}numbers or ids, separated by spaces or commas; ranges like 1-{size}; none for nothing"


def threshold_level(thresholds: Sequence[Threshold] | None, value: float, bound: Bound) -> int:
    """The highest level whose threshold the value reaches (`min`: at least; `max`: at most)."""
    reached = [t.level for t in thresholds or [] if (value >= t.min if bound == "min" else value <= t.max)]  # type: ignore[operator]
    return max(reached, default=0)


def threshold_step(
    criterion: CriterionBase, thresholds: Sequence[Threshold] | None, bound: Bound, target: int, noun: str, unit: str
) -> str | None:
    """`Bring <noun> to at least <n><unit>: <question>`, with the first threshold at or above `target`."""
    needed = [t.min if bound == "min" else t.max for t in thresholds or [] if t.level >= target]
    if not needed or needed[0] is None:
        return None
    word = "at most" if bound == "max" else "at least"
    return f"Bring {noun} to {word} {needed[0]:g}{unit}: {criterion.question}"


def check_options(checker: LintChecker, criterion: CriterionBase, options: list[Option] | None, path: KeyPath) -> None:
    if not options:
        checker.error("missing-options", f"a {criterion.type} criterion needs `options`", path)
        return
    checker.unique([o.id for o in options], (*path, "options"), "option")
    for oi, option in enumerate(options):
        if is_na_word(option.id):
            checker.error(
                "reserved-id",
                "an option may not be called `na`: it is the not-applicable answer",
                (*path, "options", oi, "id"),
            )


def check_thresholds(
    checker: LintChecker, criterion: CriterionBase, thresholds: list[Threshold] | None, path: KeyPath, bound: Bound
) -> None:
    if not thresholds:
        checker.error("missing-thresholds", f"a {criterion.type} criterion needs `thresholds` with `{bound}`", path)
        return
    other = "max" if bound == "min" else "min"
    previous: tuple[float, int] | None = None
    for ti, threshold in enumerate(thresholds):
        tpath = (*path, "thresholds", ti)
        value = getattr(threshold, bound)
        if getattr(threshold, other) is not None:
            checker.error("wrong-type-key", f"use `{bound}` here, not `{other}`", (*tpath, other), key=True)
        if value is None:
            checker.error("missing-key", f"a threshold here needs `{bound}`", tpath)
            continue
        checker.in_scale(threshold.level, (*tpath, "level"), "threshold level")
        if previous is not None:
            bound_ok = value > previous[0] if bound == "min" else value < previous[0]
            if not bound_ok or threshold.level <= previous[1]:
                order = "increasing" if bound == "min" else "decreasing"
                checker.error(
                    "thresholds-order",
                    f"thresholds must have strictly {order} `{bound}` and strictly increasing levels",
                    tpath,
                )
        previous = (value, threshold.level)
