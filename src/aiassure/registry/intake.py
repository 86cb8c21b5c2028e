"""What the registry takes in: each input read and scored (assessments.inputs), with its rubric's stored record."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path

from ..assessments.inputs import SUFFIXES, CheckedInput, InputFile, InputKind, read_result, read_stored
from ..assessments.score_files import SCORE_SECONDS, ScoreOptions
from ..assessments.waivers import Waiver
from ..batch import Expanded, expand_paths, run_batch
from ..canonical import canonical_json
from ..errors import AiassureError, Diagnostic, InputError, Location
from ..rubrics.loader import LoadedRubric
from ..rubrics.model import canonical_dump
from .waivers import NO_WAIVERS, StoredWaivers


def major_of(version: str) -> int:
    """The major part of a semantic version: results under different majors are never compared."""
    return int(version.split(".", 1)[0])


@dataclass(frozen=True)
class RubricRecord:
    """What the registry keeps of a rubric: its identity and the canonical JSON it was fingerprinted from."""

    fingerprint: str
    id: str
    version: str
    title: str
    subject: str
    definition: str

    @property
    def major(self) -> int:
        return major_of(self.version)

    @classmethod
    def of(cls, rubric: LoadedRubric) -> RubricRecord:
        record = _records.get(rubric.fingerprint)
        if record is None:
            model = rubric.model
            definition = canonical_json(canonical_dump(model))
            record = cls(rubric.fingerprint, model.id, model.version, model.title, model.subject, definition)
            _records[rubric.fingerprint] = record
        return record


# A rubric's canonical JSON takes milliseconds to make and is the same for every submission
# scored against it: made once per process and fingerprint.
_records: dict[str, RubricRecord] = {}


@dataclass(frozen=True)
class Intake(InputFile):
    """One input, validated and scored, ready to store: its rubric as the registry keeps it."""

    rubric: RubricRecord

    @property
    def sha256(self) -> str:
        """The submission's SHA-256: the YAML, its result JSON and its PDF report share it."""
        return self.result.submission.sha256

    @cached_property
    def result_json(self) -> str:
        """The result as stored; made where the input is read (see `_outcome`)."""
        return self.result.to_json()

    @property
    def assessed_by(self) -> tuple[str, str] | None:
        """(code, name) of the organisation that carried out the assessment; None for the subject's
        own submission. An `assessed_by` naming the subject itself or a technology's supplier (or
        with an empty code) is the subject's own submission too, so that saying so does not make it
        a second assessment."""
        assessor = self.result.assessed_by
        if not assessor or not assessor.code:
            return None
        subject = self.result.subject
        own = {subject.code, subject.supplier.code if subject.supplier else None}
        return None if assessor.code in own else (assessor.code, assessor.name)

    @property
    def owner(self) -> str | None:
        """The organisation that submits it: the assessing organisation, else the subject itself (its
        own readiness) or, for a technology, its supplier (service.identity's `owner_clause` alike)."""
        if self.assessed_by is not None:
            return self.assessed_by[0]
        subject = self.result.subject
        if subject.type == "technology":
            return subject.supplier.code if subject.supplier else None
        return subject.code


@dataclass
class IntakeOutcome:
    """An input's intake, or the diagnostics that rejected it."""

    path: str
    intake: Intake | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


def read_input(path: Path, options: ScoreOptions, waivers: StoredWaivers = NO_WAIVERS) -> Intake:
    """Validate and score one file by its kind; raises AiassureError with every problem found.

    With the registry's `waivers`, a submission (YAML or PDF) of a subject that has some is scored
    again with them (`StoredWaivers.of`): its result is the waived one, with the unwaived beside it
    (docs/scoring.md). A report PDF whose result applies a waiver the registry has not approved is
    refused (`waiver-not-approved`). A result file is evidence, confirmed as it is."""
    intake = _intake(read_result(path, options))
    if intake.kind == "json":
        return intake
    chosen = waivers.of(intake)
    if chosen:
        waived = _intake(read_result(path, dataclasses.replace(options, waivers=chosen)))
        if waived.sha256 != intake.sha256:
            message = "the file changed while it was read; nothing was stored"
            raise InputError(
                f"{intake.source}: {message}", [Diagnostic("unreadable", message, Location(intake.source))]
            )
        intake = waived
    _check_applied(intake, (*chosen, *options.waivers))
    return intake


def stored_name(source_name: str) -> str:
    """The base name a stored submission was parsed under: its file's (for a report PDF, its attachment's)."""
    return source_name.rsplit("[", 1)[-1].rstrip("]").rsplit("/", 1)[-1]


def read_stored_input(
    raw: bytes, source_name: str, kind: InputKind, options: ScoreOptions, waivers: StoredWaivers
) -> Intake:
    """A stored submission scored again from its bytes as `read_input` scores a YAML file: with the
    registry's `waivers` for its subject and organisation, as of the options' today. Raises
    AiassureError when its bytes no longer read against the rubrics of `options`."""
    name = stored_name(source_name)
    intake = _intake(read_stored(raw, name, source_name, kind, options))
    chosen = waivers.of(intake)
    if chosen:
        intake = _intake(read_stored(raw, name, source_name, kind, dataclasses.replace(options, waivers=chosen)))
    return intake


def _check_applied(intake: Intake, given: tuple[Waiver, ...]) -> None:
    """Refuse a result applying a waiver (as a report PDF's may record) that is none of those given
    (the registry's approved waivers for it, and the caller's own, as `aiassure demo` gives its file's):
    the registry stores only the waivers it approved."""
    recorded = intake.result.waivers
    approved = {waiver.fingerprint for waiver in given}
    unapproved = [ref for ref in (recorded.applied if recorded else []) if ref.fingerprint not in approved]
    if not unapproved:
        return
    found = [
        Diagnostic(
            "waiver-not-approved",
            f"the result applies waiver {ref.id} (fingerprint {ref.fingerprint[:12]}…), which is not an approved "
            "waiver of the registry for this subject and organisation",
            Location(intake.source),
            hint="ingest the submission YAML, which is scored with the registry's approved waivers; or have the "
            "waiver requested and approved first",
        )
        for ref in unapproved
    ]
    raise InputError(f"{intake.source}: {len(found)} error(s)", found)


def _intake(checked: CheckedInput) -> Intake:
    return Intake(checked.source, checked.kind, checked.raw, checked.result, RubricRecord.of(checked.rubric))


def read_inputs(
    paths: list[Path], options: ScoreOptions, *, jobs: int = 1, waivers: StoredWaivers = NO_WAIVERS
) -> Iterator[IntakeOutcome]:
    """The outcome of each path, in order, read and scored in `jobs` processes (with the registry's
    `waivers`: see `read_input`)."""
    work = partial(_outcome, options=options, waivers=waivers)
    return run_batch(work, paths, jobs=jobs, item_seconds=SCORE_SECONDS)


def expand_inputs(paths: list[Path]) -> Expanded:
    """The inputs ingest reads, files and the files in folders, and the symbolic links refused in those."""
    return expand_paths(paths, SUFFIXES)


def _outcome(path: Path, options: ScoreOptions, waivers: StoredWaivers) -> IntakeOutcome:
    try:
        intake = read_input(path, options, waivers)
        intake.result_json  # noqa: B018  made here, in the worker with --jobs, not in the storing parent
        return IntakeOutcome(str(path), intake)
    except AiassureError as exc:
        diagnostics = exc.diagnostics or [Diagnostic("rejected", exc.message, Location(str(path)))]
        return IntakeOutcome(str(path), None, diagnostics)


__all__ = [
    "Intake",
    "IntakeOutcome",
    "RubricRecord",
    "SUFFIXES",
    "expand_inputs",
    "major_of",
    "read_input",
    "read_inputs",
    "read_stored_input",
    "stored_name",
]
