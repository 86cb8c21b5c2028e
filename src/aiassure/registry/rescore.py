"""Score stored submissions again when the waivers in force for them change (docs/waivers.md).

Ingest scores a submission with the waivers in force on its day. When one of them expires or is
revoked, or one is approved later, `refresh_waivers` scores each current submission concerned again
from its stored bytes, the way intake does (`read_stored_input`), and replaces its derived data when
the waivers it applies differ: so the portfolio counts its outcome as it now stands. Idempotent."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..assessments.result import Result
from ..assessments.score_files import ScoreOptions
from ..clock import DEFAULT_ROUND_MARGIN, Calendar
from ..errors import AiassureError, Diagnostic, Location
from .intake import read_stored_input
from .store import replace_scored
from .waivers import approved_in

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from .store import Registry


@dataclass(frozen=True, slots=True)
class Rescored:
    """One current submission scored again: its outcome and overall level, and the waivers it
    applies (their ids), before and after."""

    submission_id: int
    subject_code: str
    round: str
    outcome_before: str | None
    outcome_after: str | None
    level_before: int | None
    level_after: int | None
    applied_before: tuple[str, ...]
    applied_after: tuple[str, ...]

    def line(self) -> str:
        """`#12 RXX 2026-Q4: outcome ready -> not-ready, level 3 -> 2 (waivers w-1 -> none)`."""
        return (
            f"#{self.submission_id} {self.subject_code} {self.round}: outcome {self.outcome_before or '-'} -> "
            f"{self.outcome_after or '-'}, level {_shown(self.level_before)} -> {_shown(self.level_after)} "
            f"(waivers {', '.join(self.applied_before) or 'none'} -> {', '.join(self.applied_after) or 'none'})"
        )


@dataclass
class Refresh:
    """What a refresh did: the submissions scored again, and those it could not score (kept as stored)."""

    rescored: list[Rescored] = field(default_factory=list)
    skipped: list[Diagnostic] = field(default_factory=list)


def refresh_waivers(
    registry: Registry, today: dt.date, options: ScoreOptions | None = None, *, subject: str | None = None
) -> Refresh:
    """`refresh_in` in a transaction of its own."""
    with registry.transaction(write=True) as conn:
        return refresh_in(conn, today, options, subject=subject)


def refresh_in(
    conn: Connection, today: dt.date, options: ScoreOptions | None = None, *, subject: str | None = None
) -> Refresh:
    """Within the caller's transaction: each current submission (of `subject`, when given) of a
    subject with an approved waiver, or scored with a waiver, is scored again from its bytes with
    the approved waivers of its subject asked for by its organisation, as of `today` (the rubrics of
    `options`); where the waivers it applies differ from those stored, its derived data is replaced."""
    from sqlalchemy import or_, select

    from .schema import submissions as s

    options = options or ScoreOptions()
    margin = options.calendar.round_margin if options.calendar is not None else DEFAULT_ROUND_MARGIN
    options = dataclasses.replace(options, calendar=Calendar(today, margin))
    waivers = approved_in(conn, subject)
    concerned = or_(s.c.waivers_applied > 0, s.c.subject_code.in_(sorted(waivers.by_subject)))
    query = (
        select(s.c.id, s.c.raw, s.c.source_name, s.c.source_kind, s.c.rubric_fingerprint, s.c.result_json)
        .where(s.c.superseded_by.is_(None), s.c.source_kind != "json", concerned)
        .order_by(s.c.id)
    )
    if subject is not None:
        query = query.where(s.c.subject_code == subject)
    done = Refresh()
    for row in conn.execute(query).all():
        before = Result.model_validate_json(row.result_json)
        where = Location(f"submission:{row.id}")
        try:
            intake = read_stored_input(bytes(row.raw), row.source_name, row.source_kind, options, waivers)
        except AiassureError as exc:
            done.skipped.append(_skipped(where, exc.message))
            continue
        if intake.rubric.fingerprint != row.rubric_fingerprint:
            done.skipped.append(
                _skipped(where, "the rubric found on the search path is not the text it was scored with")
            )
            continue
        after = intake.result
        if _applied(before) == _applied(after):
            continue
        replace_scored(conn, row.id, intake)
        done.rescored.append(
            Rescored(
                row.id,
                after.subject.code,
                after.round,
                before.outcome.id if before.outcome else None,
                after.outcome.id if after.outcome else None,
                before.overall.level,
                after.overall.level,
                _applied_ids(before),
                _applied_ids(after),
            )
        )
    return done


def _applied(result: Result) -> frozenset[str]:
    return frozenset(ref.fingerprint for ref in (result.waivers.applied if result.waivers else []))


def _applied_ids(result: Result) -> tuple[str, ...]:
    return tuple(ref.id for ref in (result.waivers.applied if result.waivers else []))


def _skipped(where: Location, reason: str) -> Diagnostic:
    return Diagnostic(
        "rescore-skipped",
        f"{where.file} was not scored again: {reason}",
        where,
        severity="warning",
        hint="give the rubric folders it was ingested with (--rubric-dir)",
    )


def _shown(level: int | None) -> str:
    return "-" if level is None else str(level)


__all__ = ["Refresh", "Rescored", "refresh_in", "refresh_waivers"]
