"""Read any input the registry accepts (submission YAML, result JSON, PDF report) into a checked, scored result."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..assessments.answers import AnswerChecker
from ..assessments.model import Answer, EvidenceItem, Organisation, Round, Subject
from ..assessments.result import Result
from ..assessments.scorer import SCORE_CHUNK, ScoreOptions, library_for
from ..assessments.scoring import Evaluation, evaluate
from ..assessments.validate import check_document, to_result
from ..batch import expand_paths, run_batch
from ..diagnose import pydantic_diagnostics
from ..errors import AiassureError, Diagnostic, InputError, Location
from ..rubrics.loader import LoadedRubric, canonical_json
from ..source import Document, load_bytes, load_file

SUFFIXES = (".yaml", ".yml", ".json", ".pdf")


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
            definition = canonical_json(model.model_dump(mode="json"))
            record = cls(rubric.fingerprint, model.id, model.version, model.title, model.subject, definition)
            _records[rubric.fingerprint] = record
        return record


# A rubric's canonical JSON takes milliseconds to make and is the same for every submission
# scored against it: made once per process and fingerprint.
_records: dict[str, RubricRecord] = {}


@dataclass(frozen=True)
class Intake:
    """One input, validated and scored, ready to store."""

    source: str  # the path as given
    kind: str  # yaml | json | pdf
    raw: bytes  # the submission's bytes (for a PDF, its attachment); for a result file, the JSON itself
    result: Result
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
        if not assessor or not assessor["code"]:
            return None
        subject = self.result.subject
        own = {subject["code"], (subject.get("supplier") or {}).get("code")}
        return None if assessor["code"] in own else (assessor["code"], assessor["name"])


@dataclass
class IntakeOutcome:
    """An input's intake, or the diagnostics that rejected it."""

    path: str
    intake: Intake | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


def read_input(path: Path, options: ScoreOptions) -> Intake:
    """Validate and score one file by its kind; raises AiassureError with every problem found."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _from_pdf(path, options)
    if suffix not in SUFFIXES:
        raise InputError(
            f"{path}: not an accepted input",
            [
                Diagnostic(
                    "unknown-input",
                    f"{path.suffix or 'a file without suffix'} is not an accepted input",
                    Location(str(path)),
                    hint="give submission YAML, result JSON or PDF report files, or folders of them",
                )
            ],
        )
    doc = _relocated(lambda: load_file(path, max_bytes=options.max_bytes, display=path.name), path.name, str(path))
    if suffix == ".json":
        return _from_result_json(doc, str(path), options)
    return _from_submission(doc, str(path), "yaml", options)


def read_inputs(paths: list[Path], options: ScoreOptions, *, jobs: int = 1) -> Iterator[IntakeOutcome]:
    """The outcome of each path, in order, read and scored in `jobs` processes."""
    return run_batch(partial(_outcome, options=options), paths, jobs=jobs, chunk=SCORE_CHUNK)


def expand_inputs(paths: list[Path]) -> list[Path]:
    return expand_paths(paths, SUFFIXES)


def _outcome(path: Path, options: ScoreOptions) -> IntakeOutcome:
    try:
        intake = read_input(path, options)
        intake.result_json  # noqa: B018  made here, in the worker with --jobs, not in the storing parent
        return IntakeOutcome(str(path), intake)
    except AiassureError as exc:
        diagnostics = exc.diagnostics or [Diagnostic("rejected", exc.message, Location(str(path)))]
        return IntakeOutcome(str(path), None, diagnostics)


def _relocated(load: Any, name: str, shown: str) -> Any:
    """Run `load`, naming `shown` instead of the bare `name` in any error it raises.

    Inputs are parsed under their base name so that the stored result does not depend on where
    the file was when it was ingested; errors still point at the path the user gave."""
    try:
        return load()
    except AiassureError as exc:
        exc.diagnostics = [_renamed(d, name, shown) for d in exc.diagnostics]
        raise


def _renamed(diagnostic: Diagnostic, name: str, shown: str) -> Diagnostic:
    if diagnostic.location.file != name:
        return diagnostic
    return dataclasses.replace(
        diagnostic, location=Location(shown, diagnostic.location.line, diagnostic.location.column)
    )


def _reject(doc: Document, found: list[Diagnostic], shown: str) -> InputError:
    errors = [d for d in found if d.is_error] or found
    return InputError(f"{shown}: {len(errors)} error(s)", [_renamed(d, doc.file, shown) for d in found])


def _from_submission(doc: Document, shown: str, kind: str, options: ScoreOptions) -> Intake:
    parsed, found = check_document(doc, library_for(options.rubric_dirs), strict=options.strict)
    if parsed is None:
        raise _reject(doc, found, shown)
    return Intake(shown, kind, doc.raw, to_result(parsed), RubricRecord.of(parsed.rubric))


def _from_result_json(doc: Document, shown: str, options: ScoreOptions) -> Intake:
    """A result file: checked against its rubric and re-scored from the answers it records.

    A result carries every answer but not the evidence itself, only whether it counted (status
    `credited` rather than `unevidenced`); that is enough to recompute every score. A result
    whose scores do not follow from its answers, or that names a rubric text other than the one
    on the search path, is rejected."""
    if not isinstance(doc.data, dict):
        raise _reject(
            doc,
            [
                doc.diagnostic(
                    "not-a-result",
                    "a result file holds one JSON object, as `aiassure score --format json FILE` writes",
                    (),
                )
            ],
            shown,
        )
    try:
        result = Result.model_validate(doc.data)
    except ValidationError as exc:
        raise _reject(doc, pydantic_diagnostics(doc, exc, Result), shown) from None
    problems: list[Diagnostic] = []
    if result.result_schema != 1:
        problems.append(
            doc.diagnostic(
                "result-schema",
                f"result_schema {result.result_schema} is not supported (expected 1)",
                ("result_schema",),
            )
        )
    subject: Subject | None = None
    try:
        subject = Subject.model_validate(result.subject)
    except ValidationError as exc:
        problems.extend(pydantic_diagnostics(doc, exc, Subject, ("subject",)))
    if result.assessed_by is not None:
        try:
            Organisation.model_validate(result.assessed_by)
        except ValidationError as exc:
            problems.extend(pydantic_diagnostics(doc, exc, Organisation, ("assessed_by",)))
    _check_scalar(doc, problems, Round, result.round, ("round",), "a round like 2026-Q4")
    assessed_on = _check_scalar(doc, problems, dt.date, result.assessed_on, ("assessed_on",), "a date like 2026-11-20")
    rubric = _result_rubric(doc, result, options, problems)
    if rubric is not None and subject is not None and subject.type != rubric.model.subject:
        problems.append(
            doc.diagnostic(
                "subject-type",
                f"rubric {rubric.ref} assesses a {rubric.model.subject}, but the subject is a {subject.type}",
                ("subject", "type"),
            )
        )
    if problems or rubric is None or assessed_on is None:
        raise _reject(doc, problems, shown)
    answers = _recorded_answers(doc, result, rubric, assessed_on, problems)
    if not problems:
        problems.extend(_score_mismatches(doc, result, evaluate(rubric, answers, assessed_on)))
    if problems:
        raise _reject(doc, problems, shown)
    return Intake(shown, "json", doc.raw, result, RubricRecord.of(rubric))


def _check_scalar(
    doc: Document, problems: list[Diagnostic], kind: Any, value: Any, parts: tuple[str, ...], expected: str
) -> Any:
    try:
        return TypeAdapter(kind).validate_python(value)
    except ValidationError:
        problems.append(doc.diagnostic("invalid-value", f"{value!r} is not {expected}", parts))
        return None


def _result_rubric(
    doc: Document, result: Result, options: ScoreOptions, problems: list[Diagnostic]
) -> LoadedRubric | None:
    ref = f"{result.rubric.id}@{result.rubric.version}"
    try:
        rubric = library_for(options.rubric_dirs).resolve(ref)
    except AiassureError as exc:
        hint = exc.diagnostics[0].hint if exc.diagnostics else ""
        problems.append(
            doc.diagnostic(
                "unknown-rubric",
                exc.message,
                ("rubric", "id"),
                hint=hint or "add the folder holding it with --rubric-dir",
            )
        )
        return None
    if rubric.fingerprint != result.rubric.fingerprint:
        problems.append(
            doc.diagnostic(
                "rubric-fingerprint",
                f"the result was scored against a different text of {ref} "
                f"(fingerprint {result.rubric.fingerprint[:12]}…) than the one on the search path "
                f"({rubric.fingerprint[:12]}…)",
                ("rubric", "fingerprint"),
                hint="ingest the submission YAML instead, or add the rubric it was scored against with --rubric-dir",
            )
        )
        return None
    return rubric


def _recorded_answers(
    doc: Document, result: Result, rubric: LoadedRubric, assessed_on: dt.date, problems: list[Diagnostic]
) -> dict[str, Answer]:
    recorded = [c.id for c in result.criteria]
    if recorded != list(rubric.criteria):
        problems.append(
            doc.diagnostic(
                "criteria-mismatch", f"the result's criteria are not those of {rubric.ref}, in its order", ("criteria",)
            )
        )
        return {}
    checker = AnswerChecker(doc, rubric)
    # Stands for the evidence that made a claim count: the result says it counted, not what it was.
    counted = (EvidenceItem(title="evidence recorded as counting in the result", date=assessed_on),)
    answers: dict[str, Answer] = {}
    for index, item in enumerate(result.criteria):
        if item.answer is None:
            continue
        answer = checker.parse(rubric.criteria[item.id], item.answer, ("criteria", index, "answer"))
        if answer is not None:
            answers[item.id] = dataclasses.replace(answer, evidence=counted if item.status == "credited" else ())
    problems.extend(d for d in checker.found if d.is_error)
    return answers


def _score_mismatches(doc: Document, result: Result, evaluation: Evaluation) -> list[Diagnostic]:
    def rounded(value: float | None, places: int) -> float | None:
        return None if value is None else round(value, places)

    expected: list[tuple[tuple[Any, ...], Any, Any]] = [
        (("overall", "score"), result.overall.score, rounded(evaluation.overall.score, 2)),
        (("overall", "capped_to"), result.overall.capped_to, evaluation.overall.capped_to),
        (("completeness",), result.completeness, rounded(evaluation.completeness, 3)),
        (("failed_gates",), [g.criterion for g in result.failed_gates], [g.criterion for g in evaluation.failed_gates]),
        (
            ("outcome",),
            result.outcome.id if result.outcome else None,
            evaluation.outcome[0] if evaluation.outcome else None,
        ),
    ]
    for key, recorded_scopes, scopes in (
        ("pillars", result.pillars, evaluation.pillars),
        ("domains", result.domains, evaluation.domains),
    ):
        by_id = {s.id: s for s in scopes}
        expected.append(((key,), [s.id for s in recorded_scopes], list(by_id)))
        for index, scope in enumerate(recorded_scopes):
            computed = by_id.get(scope.id)
            expected.append(((key, index, "score"), scope.score, rounded(computed.score, 2) if computed else "absent"))
    for index, (recorded, computed) in enumerate(zip(result.criteria, evaluation.criteria, strict=True)):
        expected.append(
            (
                ("criteria", index, "credited"),
                (recorded.credited, recorded.status),
                (computed.credited, computed.status),
            )
        )
    return [
        doc.diagnostic(
            "score-mismatch",
            f"the result records {found!r} but its answers give {wanted!r} "
            f"under {result.rubric.id}@{result.rubric.version}",
            parts,
            hint="the result was edited or scored by a different engine: ingest the submission YAML instead",
        )
        for parts, found, wanted in expected
        if found != wanted
    ]


def _from_pdf(path: Path, options: ScoreOptions) -> Intake:
    """A report PDF: the submission it embeds is validated and scored like the YAML file itself."""
    from ..reports.writer import read_report_pdf

    shown = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(
            f"{shown}: cannot read",
            [Diagnostic("unreadable", f"cannot read the file: {exc.strerror}", Location(shown))],
        ) from None
    if size > options.max_bytes:
        raise InputError(
            f"{shown}: too large",
            [
                Diagnostic(
                    "too-large",
                    f"the file is {size:,} bytes, over the limit of {options.max_bytes:,}",
                    Location(shown),
                    hint="raise the limit with --max-bytes",
                )
            ],
        )
    embedded = _relocated(lambda: read_report_pdf(path, max_bytes=options.max_bytes), path.name, shown)
    name = embedded.submission_name
    attached = f"{shown}[{name}]"
    doc = _relocated(
        lambda: load_bytes(embedded.submission, name, max_bytes=options.max_bytes, path=path.parent / name),
        name,
        attached,
    )
    return _from_submission(doc, attached, "pdf", options)


__all__ = [
    "Intake",
    "IntakeOutcome",
    "RubricRecord",
    "SUFFIXES",
    "expand_inputs",
    "major_of",
    "read_input",
    "read_inputs",
]
