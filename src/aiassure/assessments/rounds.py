"""Whether a submission's round and `assessed_on` make sense, against the command's calendar (docs/cli.md)."""

from __future__ import annotations

from ..clock import DEFAULT_ROUND_MARGIN, Calendar, round_index, round_index_of, round_of
from ..errors import Diagnostic
from ..source import Document
from .model import Submission


def round_diagnostics(doc: Document, envelope: Submission, calendar: Calendar | None) -> list[Diagnostic]:
    """A round after today's, an `assessed_on` after today, and an `assessed_on` more rounds
    from its round than the calendar's margin. Without a calendar (a library caller that gave
    none) only the last is checked, with the default margin: nothing here reads a clock."""
    found: list[Diagnostic] = []
    on, round_ = envelope.assessed_on, envelope.round
    if calendar is not None and calendar.is_future_round(round_):
        found.append(
            doc.diagnostic(
                "round-in-future",
                f"the round {round_} has not begun: today ({calendar.today.isoformat()}) is in {calendar.round}",
                ("round",),
                hint="give the round the assessment reports on; a later round can be submitted once it has begun",
            )
        )
    if calendar is not None and on > calendar.today:
        found.append(
            doc.diagnostic(
                "assessed-in-future",
                f"assessed_on {on.isoformat()} is after today ({calendar.today.isoformat()})",
                ("assessed_on",),
                hint="give the day the assessment was made",
            )
        )
    margin = DEFAULT_ROUND_MARGIN if calendar is None else calendar.round_margin
    index = round_index(round_)
    distance = None if index is None else abs(index - round_index_of(on))
    if distance is not None and distance > margin:
        found.append(
            doc.diagnostic(
                "assessed-off-round",
                f"assessed_on {on.isoformat()} is in {round_of(on)}, {distance} rounds from the round {round_}; "
                f"at most {margin} {'round is' if margin == 1 else 'rounds are'} allowed",
                ("assessed_on",),
                hint="check the round and the date (`aiassure --round-margin N` allows more)",
            )
        )
    return found


__all__ = ["round_diagnostics"]
