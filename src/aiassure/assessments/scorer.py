"""Validate and score files one by one or in parallel; each file's outcome is independent."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ..batch import run_batch
from ..errors import AiassureError, Diagnostic
from ..rubrics.loader import RubricLibrary
from ..source import DEFAULT_MAX_BYTES
from .result import Result
from .validate import load_submission, to_result


@dataclass
class FileOutcome:
    """What happened to one input file: its result, or the diagnostics that stopped it."""

    path: str
    result: Result | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.result is not None


@dataclass(frozen=True)
class ScoreOptions:
    rubric_dirs: tuple[Path, ...] = ()
    strict: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES


_libraries: dict[tuple[Path, ...], RubricLibrary] = {}


def library_for(dirs: tuple[Path, ...]) -> RubricLibrary:
    """One library (and so one rubric cache) per search path per process."""
    if dirs not in _libraries:
        _libraries[dirs] = RubricLibrary(list(dirs))
    return _libraries[dirs]


def score_file(path: Path, options: ScoreOptions) -> FileOutcome:
    try:
        parsed = load_submission(path, library_for(options.rubric_dirs), strict=options.strict, max_bytes=options.max_bytes)
    except AiassureError as exc:
        return FileOutcome(str(path), None, exc.diagnostics)
    return FileOutcome(str(path), to_result(parsed), parsed.warnings)


def score_files(paths: list[Path], options: ScoreOptions, *, jobs: int = 1):
    """FileOutcome of each path, in order."""
    return run_batch(partial(score_file, options=options), paths, jobs=jobs)
