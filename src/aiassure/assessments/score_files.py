"""Validate and score files one by one or in parallel; each file's outcome is independent."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ..batch import run_batch
from ..clock import Calendar
from ..errors import AiassureError, Diagnostic
from ..rubrics.loader import RubricLibrary
from ..source import DEFAULT_MAX_BYTES
from .result import Result, to_result
from .scoring import NOTHING_WAIVED, Evaluation, evaluate, uncapped_scores
from .validate import ParsedSubmission, load_submission
from .waivers import Waiver, waivers_of


@dataclass
class FileOutcome:
    """What happened to one input file: its result (or its rendered `text`), or the diagnostics that stopped it."""

    path: str
    result: Result | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    text: str | None = None  # the result as `score_files(render=...)` rendered it, in place of `result`
    uncapped: dict[str, float | None] = field(default_factory=dict)  # scores before gate caps (`uncapped_scores`)


@dataclass(frozen=True)
class ScoreOptions:
    rubric_dirs: tuple[Path, ...] = ()
    strict: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    # The command's today and round margin (aiassure.clock); None checks no round or date
    # against today. Every command and the service give one.
    calendar: Calendar | None = None
    # Waivers to apply (`score --waivers`, docs/waivers.md), as of the calendar's today (else each
    # submission's assessed_on: nothing here reads a clock).
    waivers: tuple[Waiver, ...] = ()


_libraries: dict[tuple[Path, ...], RubricLibrary] = {}
# About how long validating and scoring one file takes (bench measure 1: 2 ms, and the JSON):
# what `run_batch` plans the workers and tasks of --jobs from.
SCORE_SECONDS = 0.0025


def library_for(dirs: tuple[Path, ...]) -> RubricLibrary:
    """One library (and so one rubric cache) per search path per process."""
    if dirs not in _libraries:
        _libraries[dirs] = RubricLibrary(list(dirs))
    return _libraries[dirs]


def read_submission(path: Path, options: ScoreOptions) -> ParsedSubmission:
    """One submission read and validated under the options that `score`, `report` and `demo` share."""
    return load_submission(
        path,
        library_for(options.rubric_dirs),
        strict=options.strict,
        max_bytes=options.max_bytes,
        calendar=options.calendar,
    )


def score_parsed(parsed: ParsedSubmission, options: ScoreOptions | None = None) -> tuple[Result, Evaluation]:
    """The result of a validated submission and the scoring it came from, with the waivers of
    `options` applied as of its calendar's today (else the submission's assessed_on)."""
    waivers = None
    if options is not None and options.waivers:
        today = options.calendar.today if options.calendar is not None else parsed.envelope.assessed_on
        waivers = waivers_of(parsed, options.waivers, today)
    waived = waivers.waived if waivers is not None else NOTHING_WAIVED
    evaluation = evaluate(parsed.rubric, parsed.answers, parsed.envelope.assessed_on, waived)
    return to_result(parsed, evaluation, waivers), evaluation


def score_file(path: Path, options: ScoreOptions, render: Callable[[Result], str] | None = None) -> FileOutcome:
    try:
        parsed = read_submission(path, options)
    except AiassureError as exc:
        return FileOutcome(str(path), None, exc.diagnostics)
    result, evaluation = score_parsed(parsed, options)
    if render is not None:
        return FileOutcome(str(path), None, parsed.warnings, render(result))
    return FileOutcome(str(path), result, parsed.warnings, uncapped=uncapped_scores(evaluation))


def score_files(
    paths: list[Path], options: ScoreOptions, *, jobs: int = 1, render: Callable[[Result], str] | None = None
) -> Iterator[FileOutcome]:
    """FileOutcome of each path, in order. With `render` (a module-level function), each outcome
    carries `render(result)` as its text instead of the result: with --jobs the rendering then
    happens in the worker, and only text travels back, so the parent is not the bottleneck."""
    return run_batch(partial(score_file, options=options, render=render), paths, jobs=jobs, item_seconds=SCORE_SECONDS)
