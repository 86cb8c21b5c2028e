"""The one place "today" is read: a frozen Calendar, built once per command (or service request) and passed down."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .text import is_ascii_number

# Where the AI Lab's day begins and ends: a submission made at 00:30 BST on 1 October is in Q4.
TIME_ZONE = "Europe/London"
ENV_TODAY = "AIASSURE_TODAY"  # pins today, as `aiassure --today YYYY-MM-DD` does (the option wins)
ENV_ROUND_MARGIN = "AIASSURE_ROUND_MARGIN"  # as `aiassure --round-margin N` (the option wins)
# How many rounds `assessed_on` may lie from its round: one round (a quarter) either side, so a
# 2026-Q4 return may be assessed from 2026-07-01 (late in the quarter before) to 2027-03-31.
DEFAULT_ROUND_MARGIN = 1
MAX_ROUND_MARGIN = 400  # a century of quarters: any more and the check means nothing
# A round is a year and a quarter, ASCII digits only (aiassure.text).
ROUND_PATTERN = r"^[0-9]{4}-Q[1-4]$"
_ROUND = re.compile(ROUND_PATTERN)
CALENDAR_KEY = "aiassure.calendar"  # where the command line keeps the Calendar (click's context meta)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True, slots=True)
class Calendar:
    """Today's date (in Europe/London, or as pinned) and how far `assessed_on` may lie from its
    round. Made at the command boundary and handed to validation; nothing below reads a clock,
    and no value of it enters a result."""

    today: dt.date
    round_margin: int = DEFAULT_ROUND_MARGIN
    pinned: bool = False  # today came from --today or AIASSURE_TODAY, not the clock

    @property
    def round(self) -> str:
        """Today's round: the latest one that is not in the future."""
        return round_of(self.today)

    def is_future_round(self, round_: str) -> bool:
        """Whether `round_` (a well-formed round) comes after today's."""
        index = round_index(round_)
        return index is not None and index > round_index_of(self.today)


def round_of(day: dt.date) -> str:
    """The quarter `day` falls in, as a round: `2026-Q4`."""
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def round_index_of(day: dt.date) -> int:
    return day.year * 4 + (day.month - 1) // 3


def round_index(round_: str) -> int | None:
    """Rounds counted from year 0 (`2026-Q1` is 8104), or None for a text that is not a round."""
    if not _ROUND.match(round_):
        return None
    return int(round_[:4]) * 4 + int(round_[-1]) - 1


def is_round(text: str) -> bool:
    return _ROUND.match(text) is not None


def parse_today(text: str) -> dt.date:
    """`YYYY-MM-DD` in ASCII digits; raises ValueError saying what is expected."""
    if not _DAY.fullmatch(text):
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a date: {exc}") from None


def london_today(now: dt.datetime | None = None) -> dt.date:
    """Today in Europe/London: the system's time-zone database, else the UK rule (UTC+1 from
    01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October)."""
    moment = dt.datetime.now(dt.UTC) if now is None else now.astimezone(dt.UTC)
    try:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return moment.astimezone(ZoneInfo(TIME_ZONE)).date()
        except ZoneInfoNotFoundError:
            pass
    except ImportError:  # pragma: no cover - zoneinfo is in every supported Python
        pass
    return (moment + dt.timedelta(hours=1 if _british_summer_time(moment) else 0)).date()


def _british_summer_time(moment: dt.datetime) -> bool:
    def last_sunday(month: int) -> dt.datetime:
        day = dt.datetime(moment.year, month, 31, 1, tzinfo=dt.UTC)
        return day - dt.timedelta(days=(day.weekday() + 1) % 7)

    return last_sunday(3) <= moment < last_sunday(10)


def calendar(
    today: str | None = None,
    round_margin: int | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Calendar:
    """The calendar of one command: `today` (the --today option) if given, else AIASSURE_TODAY,
    else the clock in Europe/London; `round_margin` likewise from --round-margin, else
    AIASSURE_ROUND_MARGIN, else one round. Raises ValueError naming what is wrong."""
    env = os.environ if environ is None else environ
    pin = today if today is not None else (env.get(ENV_TODAY) or None)
    if pin is not None:
        where = "--today" if today is not None else ENV_TODAY
        try:
            day = parse_today(pin.strip())
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
    else:
        day = london_today(now)
    margin = round_margin
    if margin is None:
        text = (env.get(ENV_ROUND_MARGIN) or "").strip()
        if text and not (is_ascii_number(text) and int(text) <= MAX_ROUND_MARGIN):
            raise ValueError(f"{ENV_ROUND_MARGIN}: {text!r} is not a number of rounds from 0 to {MAX_ROUND_MARGIN}")
        margin = int(text) if text else DEFAULT_ROUND_MARGIN
    if not 0 <= margin <= MAX_ROUND_MARGIN:
        raise ValueError(f"--round-margin: {margin} is not a number of rounds from 0 to {MAX_ROUND_MARGIN}")
    return Calendar(day, margin, pinned=pin is not None)


__all__ = [
    "CALENDAR_KEY",
    "DEFAULT_ROUND_MARGIN",
    "ENV_ROUND_MARGIN",
    "ENV_TODAY",
    "MAX_ROUND_MARGIN",
    "ROUND_PATTERN",
    "TIME_ZONE",
    "Calendar",
    "calendar",
    "is_round",
    "london_today",
    "parse_today",
    "round_index",
    "round_index_of",
    "round_of",
]
