"""Validate a submission file against its rubric (SPEC 4.1) and turn it into a scored result (SPEC 4.8)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..clock import Calendar
from ..diagnose import MAX_DIAGNOSTICS, pydantic_diagnostics, too_many
from ..errors import AiassureError, Diagnostic, InputError
from ..rubrics.loader import LoadedRubric, RubricLibrary, RubricPathRefused, is_path_ref
from ..source import DEFAULT_MAX_BYTES, Document, YamlMap, load_bytes, load_file
from .answers import AnswerChecker
from .limits import text_diagnostics
from .model import TECHNOLOGY_ONLY, Answer, Submission
from .rounds import round_diagnostics
from .scoring import applicability

# What the checks after the text checks say again about a text those refused.
RESTATED = frozenset({"invalid-value", "invalid-answer", "unknown-option"})


@dataclass
class ParsedSubmission:
    """A submission that passed validation: its envelope, rubric, answers and warnings."""

    document: Document
    envelope: Submission
    rubric: LoadedRubric
    answers: dict[str, Answer]
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def file(self) -> str:
        return self.document.file

    @property
    def sha256(self) -> str:
        return self.document.sha256


def check_document(
    doc: Document, library: RubricLibrary, *, strict: bool = False, calendar: Calendar | None = None
) -> tuple[ParsedSubmission | None, list[Diagnostic]]:
    """Every error and warning of one submission, and the parsed submission when it has no error.
    `calendar` is the command's today and round margin (aiassure.clock): without one, a round or
    date in the future is not looked for (nothing here reads a clock)."""
    found: list[Diagnostic] = []
    data = doc.data
    if data is None:
        return None, [
            doc.diagnostic("empty", "the file is empty", (), hint="start from `aiassure init RUBRIC -o FILE`")
        ]
    if not isinstance(data, YamlMap):
        return None, [
            doc.diagnostic("not-a-mapping", "a submission must be a YAML mapping (rubric:, subject:, answers: ...)", ())
        ]

    if "rubric" not in data and "domains" in data:
        return None, [
            doc.diagnostic(
                "rubric-not-submission",
                "this file is a rubric, not a submission",
                (),
                hint="check it with `aiassure rubrics lint`",
            )
        ]
    if "rubric" not in data and "waivers" in data:
        return None, [
            doc.diagnostic(
                "waivers-not-submission",
                "this file is a waiver file, not a submission",
                (),
                hint="check it with `aiassure waivers validate`; `score --waivers FILE` applies it",
            )
        ]
    texts = text_diagnostics(doc)
    found.extend(texts)
    envelope_data = {k: v for k, v in data.items() if k != "answers"}
    envelope: Submission | None = None
    try:
        envelope = Submission.model_validate(envelope_data)
    except ValidationError as exc:
        found.extend(pydantic_diagnostics(doc, exc, Submission))
    if envelope is not None:
        found.extend(round_diagnostics(doc, envelope, calendar))

    rubric: LoadedRubric | None = None
    ref = data.get("rubric")
    if isinstance(ref, str) and ref:
        try:
            if doc.path is None and is_path_ref(ref):
                raise RubricPathRefused(ref, "cannot be followed: the submission was read without its folder", None)
            rubric = library.resolve(ref, relative_to=doc.path.parent if doc.path else None)
        except InputError as exc:
            if isinstance(exc, RubricPathRefused) and exc.where is None:  # this submission's own `rubric:` line
                found.append(dataclasses.replace(exc.diagnostics[0], location=doc.locate(("rubric",)), path="rubric"))
            else:
                found.extend(exc.diagnostics)
                # Those name the rubric's file; say here too why this submission fails.
                found.append(
                    doc.diagnostic(
                        "invalid-rubric",
                        f"rubric {ref!r} is invalid: see the errors listed for its file",
                        ("rubric",),
                        hint="fix the rubric, or name a valid one",
                    )
                )
        except AiassureError as exc:
            hint = exc.diagnostics[0].hint if exc.diagnostics else ""
            found.append(doc.diagnostic("unknown-rubric", exc.message, ("rubric",), hint=hint))
        by_path = is_path_ref(ref)
        if rubric is not None and by_path and rubric.id in library.builtin_ids():
            found.append(
                doc.diagnostic(
                    "rubric-id-reserved",
                    f"the rubric file {ref!r} uses the id {rubric.id!r} of a built-in rubric: "
                    "only the built-in library's text may carry it",
                    ("rubric",),
                    hint=f"name the official rubric by id@version (`rubric: {rubric.id}@…`), "
                    "or give the local rubric its own id",
                )
            )
            rubric = None
        if rubric is not None and "@" not in ref and not ref.endswith((".yaml", ".yml")):
            found.append(
                doc.diagnostic(
                    "rubric-unpinned",
                    f"rubric {ref!r} names no version; {rubric.ref} was used",
                    ("rubric",),
                    severity="warning",
                    hint=f"write `rubric: {rubric.ref}`",
                )
            )

    subject = data.get("subject")
    if rubric is not None and isinstance(subject, dict):
        kind = subject.get("type")
        if kind is not None and kind != rubric.model.subject:
            found.append(
                doc.diagnostic(
                    "subject-type",
                    f"rubric {rubric.ref} assesses a {rubric.model.subject}, but the subject is a {kind!r}",
                    ("subject", "type"),
                )
            )
        for key in ("name", "code"):
            if subject.get(key) == "":
                found.append(
                    doc.diagnostic(
                        "subject-incomplete",
                        f"subject.{key} is empty",
                        ("subject", key),
                        severity="warning",
                        hint=f"fill in subject.{key} before submitting",
                    )
                )
        if rubric.model.subject == "organisation":
            for key in TECHNOLOGY_ONLY:
                if key in subject:
                    found.append(
                        doc.diagnostic(
                            "unknown-key", f"{key!r} is only for technology subjects", ("subject", key), key=True
                        )
                    )

    answers: dict[str, Answer] = {}
    raw_answers = data.get("answers")
    if raw_answers is not None and not isinstance(raw_answers, dict):
        found.append(
            doc.diagnostic("invalid-value", "`answers` must be a mapping of criterion id to answer", ("answers",))
        )
        raw_answers = None
    if rubric is not None:
        checker = AnswerChecker(doc, rubric)
        for ident, raw in (raw_answers or {}).items():
            if len(checker.found) >= MAX_DIAGNOSTICS:
                checker.found.append(too_many(doc, ("answers",)))
                break
            criterion = rubric.criteria.get(ident) if isinstance(ident, str) else None
            if criterion is None:
                checker.error(
                    "unknown-criterion",
                    f"{ident!r} is not a criterion of {rubric.ref}",
                    ("answers", ident),
                    checker.suggest(str(ident), rubric.criteria) or f"see `aiassure rubrics show {rubric.ref}`",
                    key=True,
                )
                continue
            answer = checker.parse(criterion, raw, ("answers", ident))
            if answer is not None:
                answers[ident] = answer
        found.extend(checker.found)
        found.extend(checker.suggest.summary(doc.locate(("answers",), key=True), "answers"))
        if not any(d.is_error for d in found):
            found.extend(_applicability_warnings(doc, rubric, answers))
    if texts:  # a text refused for its characters or length is not also said to be of no valid form
        said = {(d.path, d.location) for d in texts}
        found = [d for d in found if d.code not in RESTATED or (d.path, d.location) not in said]
    if strict:
        found = [d.as_error() for d in found]
    found.sort(key=Diagnostic.sort_key)
    if any(d.is_error for d in found) or envelope is None or rubric is None:
        return None, found
    return ParsedSubmission(doc, envelope, rubric, answers, found), found


def _applicability_warnings(doc: Document, rubric: LoadedRubric, answers: dict[str, Answer]) -> list[Diagnostic]:
    warnings: list[Diagnostic] = []
    applicable = applicability(rubric, answers)
    for ident, criterion in rubric.criteria.items():
        answer = answers.get(ident)
        if applicable[ident] and criterion.carries_level and (answer is None or not answer.given):
            parts: tuple[Any, ...] = ("answers", ident) if answer is not None else ("answers",)
            warnings.append(
                doc.diagnostic(
                    "unanswered", f"{ident} is not answered: {criterion.question}", parts, severity="warning"
                )
            )
        elif not applicable[ident] and answer is not None and answer.given:
            warnings.append(
                doc.diagnostic(
                    "not-applicable",
                    f"{ident} does not apply given the other answers; its answer is ignored",
                    ("answers", ident),
                    key=True,
                    severity="warning",
                )
            )
    return warnings


def _raise_if_invalid(doc: Document, parsed: ParsedSubmission | None, found: list[Diagnostic]) -> ParsedSubmission:
    if parsed is None:
        errors = sum(1 for d in found if d.is_error)
        raise InputError(f"{doc.file}: {errors} error(s)", found)
    return parsed


def load_submission(
    path: Path,
    library: RubricLibrary,
    *,
    strict: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    calendar: Calendar | None = None,
) -> ParsedSubmission:
    """Read, parse and validate a submission file; raises InputError with every problem found."""
    doc = load_file(path, max_bytes=max_bytes)
    return _raise_if_invalid(doc, *check_document(doc, library, strict=strict, calendar=calendar))


def load_submission_bytes(
    raw: bytes,
    name: str,
    library: RubricLibrary,
    *,
    folder: Path | None = None,
    strict: bool = False,
    calendar: Calendar | None = None,
) -> ParsedSubmission:
    """The same from bytes (for example a PDF attachment); `folder` anchors relative paths."""
    doc = load_bytes(raw, name, path=(folder / name) if folder else None)
    return _raise_if_invalid(doc, *check_document(doc, library, strict=strict, calendar=calendar))
