"""Read any input that carries a result (submission YAML, result JSON, report PDF) into a checked, scored result."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from ..batch import expand_paths
from ..diagnose import pydantic_diagnostics
from ..errors import AiassureError, Diagnostic, InputError, Location
from ..fsutil import attachment_problem
from ..rubrics.loader import LoadedRubric, RubricLibrary
from ..source import DEFAULT_MAX_BYTES, Document, load_bytes, load_file, read_bytes
from .answers import AnswerChecker
from .model import Answer, EvidenceItem, Round
from .result import Result, WaiversOut, result_differences, scored_fields, to_result, unwaived_fields
from .score_files import ScoreOptions, library_for, score_parsed
from .scoring import NOTHING_WAIVED, evaluate
from .validate import check_document, load_submission

SUFFIXES = (".yaml", ".yml", ".json", ".pdf")

RESULT_ATTACHMENT = "aiassure-result.json"
PREVIOUS_SUFFIXES = (".yaml", ".yml", ".json", ".pdf")
# A report embeds two files (its result and its submission); reading stops well past that.
MAX_ATTACHMENTS = 8
MAX_NAME_TREE_DEPTH = 16


InputKind = Literal["yaml", "json", "pdf"]  # a submission, a result file, a PDF report with a submission attached


@dataclass(frozen=True)
class InputFile:
    """One input read: the path as given, its kind, its bytes and the result it gives."""

    source: str  # the path as given
    kind: InputKind
    raw: bytes  # the submission's bytes (for a PDF, its attachment); for a result file, the JSON itself
    result: Result


@dataclass(frozen=True)
class CheckedInput(InputFile):
    """One input, validated and scored, with the rubric that scored it and, for a submission (its
    YAML, or the one a report PDF embeds), its answers with their evidence: a result file records
    only whether evidence counted, so it has none (None)."""

    rubric: LoadedRubric
    answers: Mapping[str, Answer] | None = None


def read_result(path: Path, options: ScoreOptions) -> CheckedInput:
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


def read_stored(raw: bytes, name: str, shown: str, kind: InputKind, options: ScoreOptions) -> CheckedInput:
    """A stored submission's bytes (a YAML file's, or those a report PDF embeds), parsed under the base
    name `name` and scored like the file itself with the waivers of `options`."""
    doc = _relocated(lambda: load_bytes(raw, name, max_bytes=max(options.max_bytes, len(raw))), name, shown)
    return _from_submission(doc, shown, kind, options)


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


def _from_submission(
    doc: Document, shown: str, kind: InputKind, options: ScoreOptions, waivers: WaiversOut | None = None
) -> CheckedInput:
    """A submission, validated and scored with the waivers of `options`; with `waivers` (what a
    report PDF's result records), with the waivers it names as applied instead."""
    parsed, found = check_document(
        doc, library_for(options.rubric_dirs), strict=options.strict, calendar=options.calendar
    )
    if parsed is None:
        raise _reject(doc, found, shown)
    result = to_result(parsed, waivers=waivers) if waivers is not None else score_parsed(parsed, options)[0]
    return CheckedInput(shown, kind, doc.raw, result, parsed.rubric, parsed.answers)


def _from_result_json(doc: Document, shown: str, options: ScoreOptions) -> CheckedInput:
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
    _check_scalar(doc, problems, Round, result.round, ("round",), "a round like 2026-Q4")
    assessed_on = _check_scalar(doc, problems, dt.date, result.assessed_on, ("assessed_on",), "a date like 2026-11-20")
    rubric = _result_rubric(doc, result, options, problems)
    subject = result.subject
    if rubric is not None and subject.type != rubric.model.subject:
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
        recorded = result.model_dump(mode="json")
        waivers = result.waivers
        waived = waivers.waived if waivers is not None else NOTHING_WAIVED
        computed = {**recorded, **scored_fields(rubric, evaluate(rubric, answers, assessed_on, waived))}
        if waivers is not None:  # the applied waivers the result names are applied again, by kind and target
            computed["unwaived"] = unwaived_fields(rubric, evaluate(rubric, answers, assessed_on))
        problems.extend(mismatches(doc, recorded, computed, f"its answers under {rubric.ref} give"))
    if problems:
        raise _reject(doc, problems, shown)
    return CheckedInput(shown, "json", doc.raw, result, rubric)


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
        rubric = library_for(options.rubric_dirs).resolve(ref, by_id=True)
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
            # A waived criterion keeps the levels it was scored at: evidence counted where they agree.
            had = item.status == "credited" or (item.status == "waived" and item.credited == item.claimed)
            answers[item.id] = dataclasses.replace(answer, evidence=counted if had else ())
    problems.extend(d for d in checker.found if d.is_error)
    return answers


def mismatches(doc: Document, recorded: Any, computed: Any, computed_by: str) -> list[Diagnostic]:
    """A `score-mismatch` for every field (located in `doc`) where a result differs from the one
    computed; `computed_by` says where the computed one came from."""
    return [
        doc.diagnostic(
            "score-mismatch",
            f"the result records {found!r} but {computed_by} {wanted!r}",
            parts,
            hint="the result was edited or scored by a different engine: ingest the submission YAML instead",
        )
        for parts, found, wanted in result_differences(recorded, computed)
    ]


def check_against(raw: bytes, shown: str, computed: Result, computed_by: str) -> list[Diagnostic]:
    """Every difference between a result file's bytes and the result computed from its
    submission (see `result_differences`), located in the file."""
    doc = load_bytes(raw, shown)
    return mismatches(doc, doc.data, json.loads(computed.to_json()), computed_by)  # the layout result files have


def _from_pdf(path: Path, options: ScoreOptions) -> CheckedInput:
    """A report PDF: the submission it embeds is validated and scored like the YAML file itself."""
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
    checked = _from_submission(doc, attached, "pdf", options, embedded.result.waivers)
    embedded_result = f"{shown}[{RESULT_ATTACHMENT}]"
    problems = check_against(embedded.result_raw, embedded_result, checked.result, f"scoring {name} gives")
    if problems:
        raise InputError(f"{embedded_result}: does not match the submission it is embedded with", problems)
    return checked


@dataclass(frozen=True)
class ReportAttachments:
    """What a report PDF carries: the result (and its bytes), and the submission file's name and bytes."""

    result: Result
    submission_name: str
    submission: bytes
    result_raw: bytes = b""


def read_report_pdf(source: Path | bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ReportAttachments:
    """The result and submission embedded in a report PDF (for `registry ingest report.pdf`); each
    embedded file may be at most `max_bytes` long."""
    name = source.name if isinstance(source, Path) else "PDF"
    if isinstance(source, Path):  # stat, then a bounded read: an oversize file is never read whole
        source = read_bytes(source, max_bytes=max_bytes)
    files = read_pdf_attachments(source, max_bytes=max_bytes, name=name)
    others = [key for key in files if key != RESULT_ATTACHMENT]
    if RESULT_ATTACHMENT not in files or len(others) != 1:
        found = ", ".join(sorted(files)) or "none"
        message = f"not an aiassure report: it should embed {RESULT_ATTACHMENT} and one submission file, found {found}"
        raise InputError(f"{name}: {message}", [Diagnostic("not-a-report", message, Location(name))])
    problem = attachment_problem(others[0])
    if problem is not None:
        message = f"the embedded file {others[0]!r} {problem}: it is not read"
        hint = "a report names its embedded submission by the file's base name, such as submission.yaml"
        raise InputError(f"{name}: {message}", [Diagnostic("attachment-name", message, Location(name), hint=hint)])
    try:
        result = Result.model_validate_json(files[RESULT_ATTACHMENT])
    except ValidationError as exc:
        message = f"the embedded {RESULT_ATTACHMENT} is not a valid result: {exc.errors()[0]['msg']}"
        raise InputError(f"{name}: {message}", [Diagnostic("bad-result", message, Location(name))]) from None
    return ReportAttachments(result, others[0], files[others[0]], files[RESULT_ATTACHMENT])


def load_previous(paths: Sequence[Path], library: RubricLibrary, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Result]:
    """Earlier results from submissions (YAML), results (JSON object or array) or report PDFs, each
    file refused (`too-large`) past `max_bytes`, as every input is."""
    results: list[Result] = []
    found = expand_paths(paths, PREVIOUS_SUFFIXES)
    if found.refused:
        raise InputError(f"{found.refused[0].location}: refused", found.refused)
    for path in found:
        suffix = path.suffix.lower()
        if suffix == ".pdf":
            results.append(read_report_pdf(path, max_bytes=max_bytes).result)
        elif suffix == ".json":
            results.extend(_results_from_json(path, max_bytes))
        else:
            results.append(to_result(load_submission(path, library, max_bytes=max_bytes)))
    return results


def _results_from_json(path: Path, max_bytes: int) -> list[Result]:
    raw = read_bytes(path, max_bytes=max_bytes)  # stat, then a bounded read
    try:
        data = json.loads(raw)
        return [Result.model_validate(item) for item in (data if isinstance(data, list) else [data])]
    except (OSError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
        message = f"not a result JSON file: {str(exc).splitlines()[0]}"
        raise InputError(f"{path}: {message}", [Diagnostic("bad-result", message, Location(str(path)))]) from None


def read_pdf_attachments(
    source: Path | bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, name: str | None = None
) -> dict[str, bytes]:
    """The files embedded in a PDF, by name; raises InputError when it is not a readable PDF.

    A small PDF can carry gigabytes once decompressed (a compression bomb, or many attachments),
    so at most MAX_ATTACHMENTS files are read, each decoded here with a bound of `max_bytes`
    rather than by pypdf, whose limits depend on its version."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    name = name or (source.name if isinstance(source, Path) else "PDF")
    try:
        reader = PdfReader(source if isinstance(source, Path) else io.BytesIO(source))
        files: dict[str, bytes] = {}
        for attached, stream in _embedded_files(reader.trailer["/Root"]):
            if len(files) == MAX_ATTACHMENTS:
                message = f"it embeds more than {MAX_ATTACHMENTS} files, which no aiassure report does"
                raise InputError(f"{name}: {message}", [Diagnostic("not-a-report", message, Location(name))])
            files.setdefault(attached, _decoded(stream, attached, name, max_bytes))
        return files
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, zlib.error) as exc:
        message = f"not a readable PDF ({exc})"
        raise InputError(f"{name}: {message}", [Diagnostic("not-a-pdf", message, Location(name))]) from None


def _embedded_files(catalog: Any) -> Iterator[tuple[str, Any]]:
    """(name, stream) of each file in the catalog's EmbeddedFiles name tree, without decoding any."""
    names = catalog.get("/Names")
    tree = names.get_object().get("/EmbeddedFiles") if names is not None else None
    nodes = [(tree.get_object(), 0)] if tree is not None else []
    while nodes:
        node, depth = nodes.pop()
        if depth > MAX_NAME_TREE_DEPTH:  # a /Kids loop, or a tree no writer makes
            raise ValueError("the tree of embedded files is too deep")
        pairs = node.get("/Names") or []
        for index in range(0, len(pairs) - 1, 2):
            spec = pairs[index + 1].get_object()
            embedded = spec["/EF"].get_object()
            yield str(pairs[index]), (embedded.get("/UF") or embedded["/F"]).get_object()
        nodes.extend((kid.get_object(), depth + 1) for kid in reversed(node.get("/Kids") or []))


def _decoded(stream: Any, attached: str, pdf_name: str, max_bytes: int) -> bytes:
    """An embedded file's bytes, unencoded or Flate (what WeasyPrint and other writers use); never
    more than `max_bytes` of it is produced."""
    filters = stream.get("/Filter")
    filters = [] if filters is None else [filters] if isinstance(filters, str) else list(filters)
    encoded: bytes = stream._data  # the bytes as stored: pypdf's get_data() would decode them without our bound
    if not filters:
        data = encoded
    elif filters == ["/FlateDecode"] and stream.get("/DecodeParms") is None:
        data = zlib.decompressobj().decompress(encoded, max_bytes + 1)
    else:
        raise ValueError(f"the embedded file {attached} is encoded with {' '.join(map(str, filters))}, not Flate")
    if len(data) > max_bytes:
        where = Location(pdf_name)
        message = f"the embedded file {attached} is over the limit of {max_bytes:,} bytes once decompressed"
        raise InputError(
            f"{pdf_name}: {message}",
            [Diagnostic("too-large", message, where, hint="raise the limit with --max-bytes")],
        )
    return data


__all__ = [
    "PREVIOUS_SUFFIXES",
    "RESULT_ATTACHMENT",
    "SUFFIXES",
    "CheckedInput",
    "check_against",
    "InputFile",
    "ReportAttachments",
    "load_previous",
    "read_pdf_attachments",
    "read_report_pdf",
    "read_result",
]
