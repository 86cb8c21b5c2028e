"""FHIR QuestionnaireResponses: one made from a submission, and an answers file made from one (then validated)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..assessments.answers_file import render_answers_file
from ..assessments.model import Answer, current_round, parse_day
from ..assessments.validate import ParsedSubmission, check_document
from ..clock import Calendar
from ..diagnose import Suggester
from ..errors import AiassureError, Diagnostic, InputError, Location, Severity
from ..rubrics.loader import LoadedRubric, RubricLibrary
from ..rubrics.model import Criterion
from ..source import DEFAULT_MAX_BYTES, Document, load_bytes
from .fhir_checks import RESPONSE_STATUS, VALUE_KEYS, coding_key, structure_problems, walk_items
from .fhir_names import (
    ABOUT,
    FINGERPRINT_EXTENSION,
    NA_CODE,
    NONE_CODE,
    ODS_SYSTEM,
    ORG_TYPE_SYSTEM,
    PRODUCT_SYSTEM,
    canonical,
    rubric_ref,
    sub_item,
)
from .questionnaire import about, answer_options, item_type, na_is_an_item, questionnaire

Item = dict[str, Any]
ItemPath = tuple[str | int, ...]

# Sources of the subject's details, in the order they win: options, the form's items, the response's references.
SUBJECT_KEYS = ("name", "code", "org_type", "region", "version", "intended_use", "device_class")


# ---------------------------------------------------------------------------------------------
# A response made from a submission


def response_from_submission(parsed: ParsedSubmission) -> dict[str, Any]:
    """The QuestionnaireResponse that answers the rubric's Questionnaire as the submission does."""
    rubric = parsed.rubric
    env = parsed.envelope
    subject = env.subject
    system = ODS_SYSTEM if subject.type == "organisation" else PRODUCT_SYSTEM
    response: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "extension": [{"url": FINGERPRINT_EXTENSION, "valueString": rubric.fingerprint}],
        "questionnaire": canonical(rubric),
        "status": "completed",
        "subject": {"identifier": {"system": system, "value": subject.code}, "display": subject.name},
        "authored": env.assessed_on.isoformat(),
    }
    if env.assessed_by is not None:
        response["author"] = {
            "identifier": {"system": ODS_SYSTEM, "value": env.assessed_by.code},
            "display": env.assessed_by.name,
        }
    response["item"] = [_about_answers(parsed)] + [
        {
            "linkId": f"domain/{domain.id}",
            "item": [
                _criterion_answer(rubric, criterion, parsed.answers[criterion.id])
                for criterion in domain.criteria
                if criterion.id in parsed.answers
            ],
        }
        for domain in rubric.model.domains
        if any(c.id in parsed.answers for c in domain.criteria)
    ]
    return response


def _answer_item(link: str, values: list[dict[str, Any]]) -> Item:
    return {"linkId": link, "answer": values}


def _string(link: str, value: str | None) -> list[Item]:
    return [_answer_item(link, [{"valueString": value}])] if value else []


def _about_answers(parsed: ParsedSubmission) -> Item:
    env = parsed.envelope
    subject = env.subject.model_dump(exclude_none=True)
    items: list[Item] = []
    for key, value in subject.items():
        if key == "type":
            continue
        if key == "supplier":
            items += _string(about("subject/supplier/name"), value["name"])
            items += _string(about("subject/supplier/code"), value.get("code"))
        elif key == "org_type":
            items.append(_answer_item(about("subject/org_type"), [_org_type(value)]))
        else:
            items += _string(about(f"subject/{key}"), value)
    items.append(_answer_item(about("round"), [{"valueString": env.round}]))
    items.append(_answer_item(about("assessed_on"), [{"valueDate": env.assessed_on.isoformat()}]))
    for assessor in env.assessors:
        fields = assessor.model_dump(exclude_none=True)
        items.append(
            {
                "linkId": about("assessors"),
                "item": [i for name, text in fields.items() for i in _string(about(f"assessors/{name}"), text)],
            }
        )
    if env.assessed_by is not None:
        by = env.assessed_by.model_dump(exclude_none=True)
        nested = _string(about("assessed_by/name"), by["name"]) + _string(about("assessed_by/code"), by["code"])
        if "org_type" in by:
            nested.append(_answer_item(about("assessed_by/org_type"), [_org_type(by["org_type"])]))
        items.append({"linkId": about("assessed_by"), "item": nested})
    return {"linkId": ABOUT, "item": items}


def _org_type(code: str) -> dict[str, Any]:
    return {"valueCoding": {"system": ORG_TYPE_SYSTEM, "code": code, "display": code}}


def _coding(rubric: LoadedRubric, criterion: Criterion, code: str) -> dict[str, Any]:
    coding = next(c for c in answer_options(rubric, criterion) if c["code"] == code)
    return {"valueCoding": {key: coding[key] for key in ("system", "code", "display")}}


def _values(rubric: LoadedRubric, criterion: Criterion, answer: Answer) -> list[dict[str, Any]]:
    kind = item_type(criterion)
    if answer.na:
        return [] if na_is_an_item(criterion) else [_coding(rubric, criterion, NA_CODE)]
    value = answer.value
    if value is None:
        return []
    if kind == "boolean":
        return [{"valueBoolean": value == "yes"}]
    if kind == "decimal":
        return [{"valueDecimal": value}]
    if kind == "text":
        return [{"valueString": value}]
    if isinstance(value, list):
        return [_coding(rubric, criterion, code) for code in value] or [_coding(rubric, criterion, NONE_CODE)]
    return [_coding(rubric, criterion, str(value))]


def _criterion_answer(rubric: LoadedRubric, criterion: Criterion, answer: Answer) -> Item:
    ident = criterion.id
    nested: list[Item] = []
    if answer.na and na_is_an_item(criterion):
        nested.append(_answer_item(sub_item(ident, "na"), [{"valueBoolean": True}]))
    for evidence in answer.evidence:
        parts = _string(sub_item(ident, "evidence", "title"), evidence.title)
        if evidence.url is not None:
            parts.append(_answer_item(sub_item(ident, "evidence", "url"), [{"valueUri": evidence.url}]))
        if evidence.path is not None:
            attachment = {"url": evidence.path, "title": evidence.title}
            parts.append(_answer_item(sub_item(ident, "evidence", "file"), [{"valueAttachment": attachment}]))
        if evidence.date is not None:
            parts.append(_answer_item(sub_item(ident, "evidence", "date"), [{"valueDate": evidence.date.isoformat()}]))
        parts += _string(sub_item(ident, "evidence", "sha256"), evidence.sha256)
        nested.append({"linkId": sub_item(ident, "evidence"), "item": parts})
    nested += _string(sub_item(ident, "notes"), answer.notes)
    nested += _string(sub_item(ident, "owner"), answer.owner)
    nested += _string(sub_item(ident, "reason"), answer.reason)
    nested += _string(sub_item(ident, "approved_by"), answer.approved_by)
    values = _values(rubric, criterion, answer)
    item: Item = {"linkId": ident}
    if values:
        # FHIR puts the items nested under a question beneath its (first) answer.
        item["answer"] = values
        if nested:
            values[0]["item"] = nested
    elif nested:
        item["item"] = nested
    return item


# ---------------------------------------------------------------------------------------------
# An answers file made from a response


@dataclass(frozen=True)
class ImportOptions:
    """What the command line gives beside the response: values that win over the response's own."""

    subject: dict[str, str] = field(default_factory=dict)
    round: str | None = None
    assessed_on: date | None = None
    questionnaire: Path | None = None  # the exported Questionnaire, to check the fingerprint against
    max_bytes: int = DEFAULT_MAX_BYTES
    calendar: Calendar | None = None  # the command's today: the answers file is checked as `validate` does


@dataclass
class Imported:
    """An answers file made from a response: its YAML text, its rubric, and the warnings found on the way."""

    text: str
    rubric: LoadedRubric
    warnings: list[Diagnostic]


class _Reader:
    """Reads one response, collecting diagnostics located by JSON path (and line:column where known)."""

    def __init__(self, file: str, data: Any, positions: Document | None) -> None:
        self.file = file
        self.data = data
        self.positions = positions
        self.found: list[Diagnostic] = []
        self.suggest = Suggester()  # the file's "did you mean" searches, capped

    def locate(self, path: ItemPath) -> Location:
        if self.positions is None:
            return Location(self.file)
        line, column = self.positions.position(path)
        return Location(self.file, line, column)

    def add(self, code: str, message: str, path: ItemPath, hint: str = "", severity: Severity = "error") -> None:
        from .fhir_checks import json_path

        self.found.append(Diagnostic(code, message, self.locate(path), json_path(path), severity, hint))


def _parse(raw: bytes, file: str, max_bytes: int) -> tuple[Any, Document | None]:
    """The response's JSON, and a YAML reading of the same text for line:column positions."""
    try:
        positions: Document | None = load_bytes(raw, file, max_bytes=max_bytes)
    except InputError as exc:
        if any(d.code != "yaml-syntax" for d in exc.diagnostics):
            raise  # too large, too deep, not UTF-8, duplicate keys: refused whatever the syntax
        positions = None  # JSON that YAML reads differently: errors are located by JSON path alone

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        counted = Counter(key for key, _ in pairs)  # not list.count: that is quadratic in the keys
        twice = sorted(key for key, n in counted.items() if n > 1)
        if twice:
            raise ValueError(f"duplicate key {twice[0]!r}")
        return dict(pairs)

    try:
        return json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates), positions
    except json.JSONDecodeError as exc:
        where = Location(file, exc.lineno, exc.colno)
        raise InputError(
            f"{file}: not JSON", [Diagnostic("json-syntax", exc.msg, where, "", "error", "a FHIR resource is JSON")]
        ) from None
    except ValueError as exc:
        raise InputError(f"{file}: {exc}", [Diagnostic("duplicate-key", str(exc), Location(file))]) from None


def read_response(raw: bytes, file: str, library: RubricLibrary, options: ImportOptions, out: Path) -> Imported:
    """The answers file (as text) for the QuestionnaireResponse in `raw`, validated as if it were at `out`.

    Raises InputError, with every problem located in the response, when it cannot become a valid file."""
    data, positions = _parse(raw, file, options.max_bytes)
    reader = _Reader(file, data, positions)
    for problem in structure_problems(data, "QuestionnaireResponse"):
        reader.add("fhir-invalid", problem.message, problem.path)
    if reader.found:
        raise InputError(f"{file}: not a valid QuestionnaireResponse", reader.found)
    _check_status(reader)
    rubric = _rubric_of(reader, library, options)
    definitions = {item["linkId"]: item for _, item in walk_items(questionnaire(rubric)["item"], ())}
    answers: dict[str, Any] = {}
    found = _Collected()
    for path, item in _walk_response(data.get("item"), ()):
        _read_item(reader, rubric, definitions, path, item, found, answers)
    reader.found.extend(reader.suggest.summary(Location(file)))
    if any(d.is_error for d in reader.found):
        raise InputError(f"{file}: {sum(d.is_error for d in reader.found)} error(s)", reader.found)
    submission = _envelope(reader, rubric, options, found)
    text = render_answers_file(
        rubric,
        subject=submission["subject"],
        round_=submission["round"],
        assessed_on=submission["assessed_on"],
        assessors=submission["assessors"],
        assessed_by=submission.get("assessed_by"),
        answers=answers,
    )
    doc = load_bytes(text.encode("utf-8"), str(out), path=out)
    _, diagnostics = check_document(doc, library, calendar=options.calendar)
    # The generated file's diagnostics, told where the user can act on them: in the response.
    relocated = [_relocate(reader, d, found) for d in diagnostics]
    errors = [d for d in relocated if d.is_error]
    if errors:
        raise InputError(f"{file}: {len(errors)} error(s)", relocated + reader.found)
    return Imported(text, rubric, sorted(reader.found + relocated, key=Diagnostic.sort_key))


def _relocate(reader: _Reader, diagnostic: Diagnostic, found: _Collected) -> Diagnostic:
    """A diagnostic of the generated answers file, pointing at the response's item it came from."""
    from .fhir_checks import json_path

    parts = diagnostic.path.split(".")
    if parts[0] == "answers":
        path = found.paths.get(parts[1].split("[")[0], ()) if len(parts) > 1 else ()
    else:
        link = "/".join(parts)
        path = found.about_paths.get(link) or found.about_paths.get(parts[0]) or ()
    return Diagnostic(
        diagnostic.code, diagnostic.message, reader.locate(path), json_path(path), diagnostic.severity, diagnostic.hint
    )


def _check_status(reader: _Reader) -> None:
    """`status` is a required binding; an answer entered in error is no answer, one in progress may be partial."""
    status = reader.data.get("status")
    if status not in RESPONSE_STATUS:
        reader.add("fhir-invalid", f"status must be one of {', '.join(RESPONSE_STATUS)}, got {status!r}", ("status",))
    elif status == "entered-in-error":
        reader.add("entered-in-error", "this response is marked as entered in error", ("status",))
    elif status in ("in-progress", "stopped"):
        reader.add(
            "response-incomplete",
            f"this response is {status}: questions not yet answered are reported as unanswered",
            ("status",),
            severity="warning",
        )
    if any(d.is_error for d in reader.found):
        raise InputError(f"{reader.file}: not a response to import", reader.found)


def _rubric_of(reader: _Reader, library: RubricLibrary, options: ImportOptions) -> LoadedRubric:
    data = reader.data
    named = data.get("questionnaire")
    claims: list[tuple[str, str, ItemPath]] = []
    for index, extension in enumerate(data.get("extension") or []):
        if isinstance(extension, dict) and extension.get("url") == FINGERPRINT_EXTENSION:
            claims.append(("this response", str(extension.get("valueString")), ("extension", index, "valueString")))
    if options.questionnaire is not None:
        given, fingerprint = _read_questionnaire(options.questionnaire, options.max_bytes)
        if named is None:
            named = given  # some tools leave `questionnaire` out; the form it answered names it
        elif given != named:
            reader.add(
                "questionnaire-mismatch",
                f"this response answers {named!r}, but {options.questionnaire} is {given!r}",
                ("questionnaire",),
            )
        claims.append((str(options.questionnaire), fingerprint, ("questionnaire",)))
    ref = rubric_ref(named) if isinstance(named, str) else None
    if ref is None or "@" not in ref:
        reader.add(
            "not-aiassure-questionnaire",
            f"this response answers {named!r}, not a Questionnaire exported by aiassure "
            "(urn:aiassure:rubric:ID|VERSION)",
            ("questionnaire",),
            "export the form with `aiassure export fhir RUBRIC -o questionnaire.json` and answer that",
        )
        raise InputError(f"{reader.file}: unknown questionnaire", reader.found)
    try:
        rubric = library.resolve(ref, by_id=True)
    except InputError as exc:  # the rubric's own file is invalid: its diagnostics say where
        raise InputError(exc.message, exc.diagnostics) from None
    except AiassureError as exc:  # no such rubric here: say where the response named it
        reader.add("unknown-rubric", exc.message, ("questionnaire",), "add its folder with --rubric-dir")
        raise InputError(f"{reader.file}: unknown rubric", reader.found) from None
    for source, fingerprint, path in claims:
        if fingerprint != rubric.fingerprint:
            reader.add(
                "rubric-fingerprint",
                f"{source} was made for {ref} with fingerprint {fingerprint[:12]}…, but {ref} here has "
                f"{rubric.fingerprint[:12]}…: the rubric changed without a new version",
                path,
                "answer a Questionnaire exported from the rubric as it is now",
            )
    if any(d.is_error for d in reader.found):
        raise InputError(f"{reader.file}: another rubric", reader.found)
    return rubric


def _read_questionnaire(path: Path, max_bytes: int) -> tuple[str, str]:
    """The canonical (`url|version`) and rubric fingerprint of an exported Questionnaire (refused
    past `max_bytes`, read no further)."""
    from ..source import read_bytes

    raw = read_bytes(path, max_bytes=max_bytes)
    try:
        given = json.loads(raw)
    except (OSError, ValueError) as exc:
        where = Location(str(path))
        raise InputError(
            f"{path}: unreadable", [Diagnostic("unreadable", f"cannot read the Questionnaire: {exc}", where)]
        ) from None
    if not isinstance(given, dict) or given.get("resourceType") != "Questionnaire":
        raise InputError(
            f"{path}: not a Questionnaire",
            [Diagnostic("not-a-questionnaire", "not a Questionnaire", Location(str(path)))],
        )
    extensions = given.get("extension") or []
    fingerprint = next(
        (
            str(e.get("valueString"))
            for e in extensions
            if isinstance(e, dict) and e.get("url") == FINGERPRINT_EXTENSION
        ),
        "",
    )
    return f"{given.get('url')}|{given.get('version')}", fingerprint


@dataclass
class _Collected:
    """What the response said outside the criteria, and where each criterion's item is."""

    about: dict[str, Any] = field(default_factory=dict)
    assessors: list[dict[str, str]] = field(default_factory=list)
    paths: dict[str, ItemPath] = field(default_factory=dict)  # criterion id -> its item
    about_paths: dict[str, ItemPath] = field(default_factory=dict)  # `subject/name`, `round` ... -> its item


def _walk_response(items: Any, path: ItemPath) -> list[tuple[ItemPath, Item]]:
    """(path, item) of the response's items that are not under a criterion, depth first."""
    found: list[tuple[ItemPath, Item]] = []
    for index, item in enumerate(items or []):
        here = (*path, "item", index)
        found.append((here, item))
        link = str(item.get("linkId", ""))
        if link == ABOUT or link.startswith("domain/"):
            found += _walk_response(item.get("item"), here)
    return found


def _top_level(definitions: dict[str, Item]) -> Iterator[str]:
    """The linkIds a misspelt top-level one may have meant: the criteria and sections (all, when none)."""
    top = [k for k in definitions if "/" not in k]
    yield from top or definitions


def _read_item(
    reader: _Reader,
    rubric: LoadedRubric,
    definitions: dict[str, Item],
    path: ItemPath,
    item: Item,
    found: _Collected,
    answers: dict[str, Any],
) -> None:
    link = str(item.get("linkId"))
    definition = definitions.get(link)
    if (
        definition is None
        or link.startswith(f"{ABOUT}/assessors/")
        or "/" in link
        and link.split("/")[0] in rubric.criteria
    ):
        reader.add(
            "unknown-linkid",
            f"linkId {link!r} is not an item of {rubric.ref}'s Questionnaire here",
            (*path, "linkId"),
            reader.suggest(link, _top_level(definitions)) or f"see `aiassure export fhir {rubric.ref}`",
        )
        return
    if link == ABOUT or link.startswith("domain/"):
        return
    if link in rubric.criteria:
        found.paths[link] = path
        value = _criterion_value(reader, rubric, rubric.criteria[link], definitions, path, item)
        if value is not None:
            answers[link] = value
        return
    found.about_paths[link.removeprefix(f"{ABOUT}/")] = path
    if link == about("assessors"):
        assessor: dict[str, str] = {}
        for index, nested in enumerate(item.get("item") or []):
            name = str(nested.get("linkId", "")).removeprefix(about("assessors/"))
            value = _scalar(reader, definitions, (*path, "item", index), nested)
            if value is not None:
                assessor[name] = value
        if assessor:
            found.assessors.append(assessor)
        return
    if link == about("assessed_by"):
        for index, nested in enumerate(item.get("item") or []):
            _read_item(reader, rubric, definitions, (*path, "item", index), nested, found, answers)
        return
    value = _scalar(reader, definitions, path, item)
    if value is not None:
        found.about[link.removeprefix(f"{ABOUT}/")] = value


def _answers_of(reader: _Reader, definition: Item, path: ItemPath, item: Item) -> list[tuple[ItemPath, Any]]:
    """(path, value) of each answer, checked against the item's type and value set."""
    kind = str(definition.get("type"))
    key = VALUE_KEYS.get(kind, "")
    out: list[tuple[ItemPath, Any]] = []
    answers = item.get("answer") or []
    if len(answers) > 1 and not definition.get("repeats"):
        reader.add(
            "too-many-answers", f"{definition['linkId']} takes one answer, got {len(answers)}", (*path, "answer")
        )
        return []
    allowed = {coding_key(o["valueCoding"]): o["valueCoding"] for o in definition.get("answerOption") or []}
    for index, answer in enumerate(answers):
        where = (*path, "answer", index)
        values = [k for k in answer if k.startswith("value")]
        accepted = {key} | ({"valueInteger"} if kind == "decimal" else set())
        if len(values) != 1 or values[0] not in accepted:
            reader.add(
                "wrong-answer-type",
                f"{definition['linkId']} is a {kind} item: its answer is {key}, got {', '.join(values) or 'nothing'}",
                where,
            )
            continue
        value = answer[values[0]]
        if kind == "choice":
            coding = value if isinstance(value, dict) else {}
            match = allowed.get(coding_key(coding)) or (
                None
                if coding.get("system")
                else next((c for (_, code), c in allowed.items() if code == coding.get("code")), None)
            )
            if match is None:
                codes = [code for _, code in allowed]
                reader.add(
                    "not-in-value-set",
                    f"{coding.get('code')!r} ({coding.get('system', 'no system')}) is not an answer option of "
                    f"{definition['linkId']}",
                    (*where, "valueCoding"),
                    reader.suggest(str(coding.get("code")), codes) or f"codes: {', '.join(codes)}",
                )
                continue
            value = str(match["code"])
        out.append((where, value))
    return out


def _scalar(reader: _Reader, definitions: dict[str, Item], path: ItemPath, item: Item) -> Any:
    definition = definitions.get(str(item.get("linkId")))
    if definition is None:
        reader.add("unknown-linkid", f"linkId {item.get('linkId')!r} is not an item here", (*path, "linkId"))
        return None
    values = _answers_of(reader, definition, path, item)
    return values[0][1] if values else None


def _nested(item: Item, path: ItemPath) -> list[tuple[ItemPath, Item]]:
    """Items under a question: beneath its answers (as FHIR says) or beneath the item itself."""
    out = [((*path, "item", i), nested) for i, nested in enumerate(item.get("item") or [])]
    for a, answer in enumerate(item.get("answer") or []):
        out += [((*path, "answer", a, "item", i), nested) for i, nested in enumerate(answer.get("item") or [])]
    return out


def _criterion_value(
    reader: _Reader,
    rubric: LoadedRubric,
    criterion: Criterion,
    definitions: dict[str, Item],
    path: ItemPath,
    item: Item,
) -> Any:
    """The answer to one criterion as the answers file writes it: short form, or long form with what came with it."""
    ident = criterion.id
    values = _answers_of(reader, definitions[ident], path, item)
    codes = [v for _, v in values]
    extras: dict[str, Any] = {}
    evidence: list[dict[str, Any]] = []
    na = NA_CODE in codes
    for where, nested in _nested(item, path):
        link = str(nested.get("linkId"))
        name = link.removeprefix(f"{ident}/")
        if link not in definitions or not link.startswith(f"{ident}/"):
            reader.add(
                "unknown-linkid",
                f"linkId {link!r} is not an item under {ident}",
                (*where, "linkId"),
                reader.suggest(link, (k for k in definitions if k.startswith(f"{ident}/"))),
            )
        elif name == "evidence":
            evidence.append(_evidence(reader, definitions, where, nested))
        elif name == "na":
            na = na or _scalar(reader, definitions, where, nested) is True
        else:
            text = _scalar(reader, definitions, where, nested)
            if text is not None:
                extras[name] = text
    value: Any
    if na:
        if len(codes) > (1 if NA_CODE in codes else 0):
            reader.add("na-and-answer", f"{ident} is answered and marked not applicable", (*path, "answer"))
        value = NA_CODE
    elif not values:
        value = None
    elif criterion.answer_shape == "multiple":
        if NONE_CODE in codes and len(codes) > 1:
            reader.add("none-and-answer", f"{ident}: “None of these” is chosen with other options", (*path, "answer"))
        value = [c for c in codes if c != NONE_CODE]
    elif criterion.answer_shape == "scale":
        value = int(codes[0])
    elif criterion.answer_shape == "boolean":
        value = ("yes" if codes[0] else "no") if isinstance(codes[0], bool) else codes[0]
    else:
        value = codes[0]
    if evidence:
        extras["evidence"] = evidence
    if not extras:
        return value
    key = "value" if na else criterion.answer_key
    return ({key: value} if value is not None else {}) | extras


def _evidence(reader: _Reader, definitions: dict[str, Item], path: ItemPath, group: Item) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    for index, nested in enumerate(group.get("item") or []):
        where = (*path, "item", index)
        name = str(nested.get("linkId", "")).rsplit("/", 1)[-1]
        value = _scalar(reader, definitions, where, nested)
        if value is None:
            continue
        if name == "file":
            entry["path"] = value.get("url") if isinstance(value, dict) else None
            entry.setdefault("title", value.get("title") if isinstance(value, dict) else None)
        elif name == "date":
            entry["date"] = _date(reader, where, value)
        else:
            entry[name] = value
    return {key: entry[key] for key in ("title", "url", "path", "sha256", "date") if entry.get(key) is not None}


def _date(reader: _Reader, path: ItemPath, value: Any) -> date | None:
    try:
        return value if type(value) is date else parse_day(str(value))
    except ValueError:
        reader.add("invalid-date", f"{value!r} is not a date (YYYY-MM-DD)", path)
        return None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _envelope(reader: _Reader, rubric: LoadedRubric, options: ImportOptions, found: _Collected) -> dict[str, Any]:
    """Subject, round, date and assessors: options first, then the form's items, then the response's references."""
    data = reader.data
    said = found.about
    reference = _mapping(data.get("subject")) or _mapping(data.get("author"))
    identifier = _mapping(reference.get("identifier"))
    subject: dict[str, Any] = {"type": rubric.model.subject}
    fallbacks = {"name": reference.get("display"), "code": identifier.get("value")}
    for key in SUBJECT_KEYS:
        value = options.subject.get(key) or said.get(f"subject/{key}") or fallbacks.get(key)
        if value is not None or key == "region":
            subject[key] = value
    if said.get("subject/supplier/name"):
        subject["supplier"] = {"name": said["subject/supplier/name"]} | (
            {"code": said["subject/supplier/code"]} if said.get("subject/supplier/code") else {}
        )
    for key in ("name", "code", "org_type"):
        if not subject.get(key):
            flag = {"name": "--subject-name", "code": "--subject-code", "org_type": "--org-type"}[key]
            reader.add(
                "missing-subject",
                f"the response does not say the subject's {key}",
                found.about_paths.get(f"subject/{key}", ("subject",)),
                f"answer {about('subject/' + key)} in the form, or give {flag}",
            )
    on = options.assessed_on
    if on is None and "assessed_on" in said:
        on = _date(reader, found.about_paths["assessed_on"], said["assessed_on"])
    authored = str(data.get("authored") or "")[:10]
    if on is None and authored:
        on = _date(reader, ("authored",), authored)
    if on is None:
        reader.add("missing-date", "the response does not say when the assessment was made", (), "give --assessed-on")
    if any(d.is_error for d in reader.found) or on is None:
        raise InputError(f"{reader.file}: {sum(d.is_error for d in reader.found)} error(s)", reader.found)
    envelope: dict[str, Any] = {
        "subject": subject,
        "round": options.round or said.get("round") or current_round(on),
        "assessed_on": on,
        "assessors": found.assessors,
    }
    by = {k.removeprefix("assessed_by/"): v for k, v in said.items() if k.startswith("assessed_by/")}
    if by:
        envelope["assessed_by"] = by
    return envelope


__all__ = ["ImportOptions", "Imported", "read_response", "response_from_submission"]
