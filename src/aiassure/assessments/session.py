"""The guided self-assessment as a pure state machine: what to ask next, how to read a reply, what to save."""

from __future__ import annotations

import math
import posixpath
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from ..errors import Diagnostic, InputError, Location, UsageError
from ..rubrics.loader import LoadedRubric, RubricLibrary
from ..rubrics.model import NA, Criterion, is_na_word
from ..source import DEFAULT_MAX_BYTES, load_file
from .answers_file import describe_criterion, render_answers_file
from .model import NHS_REGIONS, ORG_TYPES, Answer, EvidenceItem, evidence_path_problem
from .scoring import applicability, claimed_level, evidence_counts
from .validate import check_document

FieldKind = Literal["text", "ods", "choice", "round", "date"]  # how an intake field's answer is read
ReplyKind = Literal["value", "na", "keep", "help", "back", "skip", "quit"]
COMMANDS: dict[str, ReplyKind] = {"?": "help", "b": "back", "s": "skip", "q": "quit"}
NOTHING_WORDS = ("none", "-", "[]")  # an explicit empty selection for multi and checklist
SCHEMA_COMMENT = "# yaml-language-server: $schema="


class ReplyError(ValueError):
    """A reply that cannot be taken as it is; the message says what to type instead."""


# ---------------------------------------------------------------------------------------------
# The draft: everything an answers file holds


@dataclass
class Draft:
    """The answers file being written, in the form the questionnaire edits."""

    rubric: LoadedRubric
    reference: str  # the file's `rubric:` value
    subject: dict[str, Any]
    round: str
    assessed_on: date
    assessors: list[dict[str, str]] = field(default_factory=list)
    answers: dict[str, Answer] = field(default_factory=dict)
    schema_ref: str | None = None

    @classmethod
    def new(cls, rubric: LoadedRubric, reference: str, round_: str, today: date) -> Draft:
        org_type = "vendor" if rubric.model.subject == "technology" else "acute"
        subject = {"type": rubric.model.subject, "name": "", "code": "", "org_type": org_type, "region": ""}
        return cls(rubric, reference, subject, round_, today)

    @property
    def answered(self) -> int:
        """Answers given (`na` included)."""
        return sum(1 for answer in self.answers.values() if answer.given)

    @property
    def subject_complete(self) -> bool:
        return bool(self.subject.get("name")) and bool(self.subject.get("code"))

    def get(self, key: str) -> Any:
        """A subject or envelope value by dotted key (`subject.name`, `round`, `subject.supplier.name`)."""
        node: Any = (
            self.subject if key.startswith("subject.") else {"round": self.round, "assessed_on": self.assessed_on}
        )
        for part in key.removeprefix("subject.").split("."):
            node = node.get(part) if isinstance(node, dict) else None
        return node

    def set(self, key: str, value: Any) -> None:
        if key == "round":
            self.round = value
        elif key == "assessed_on":
            self.assessed_on = value
        elif key == "subject.supplier.name":
            self.subject["supplier"] = {**(self.subject.get("supplier") or {}), "name": value}
        else:
            self.subject[key.removeprefix("subject.")] = value

    def render(self) -> str:
        """The whole answers file, in the format `aiassure init` writes."""
        criteria = self.rubric.criteria
        return render_answers_file(
            self.rubric,
            reference=self.reference,
            schema_ref=self.schema_ref,
            subject={key: value for key, value in self.subject.items() if value is not None},
            round_=self.round,
            assessed_on=self.assessed_on,
            assessors=self.assessors,
            answers={ident: raw_answer(criteria[ident], answer) for ident, answer in self.answers.items()},
        )


def raw_answer(criterion: Criterion, answer: Answer) -> Any:
    """The YAML value of an answer: the short form when the value says it all, else the long form."""
    body: dict[str, Any] = {}
    if answer.na:
        body["value"] = NA
    elif answer.value is not None:
        body["level" if criterion.type == "level" else "value"] = answer.value
    for name in ("reason", "approved_by", "notes", "owner"):
        if getattr(answer, name):
            body[name] = getattr(answer, name)
    if answer.evidence:
        body["evidence"] = [item.model_dump(exclude_none=True) for item in answer.evidence]
    if not body:
        return None
    if len(body) == 1 and not answer.na and answer.value is not None:
        return answer.value
    return body


def load_draft(
    path: Path, rubric: LoadedRubric, library: RubricLibrary, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Draft:
    """An existing answers file, checked by the validator, to resume; it must answer `rubric`."""
    doc = load_file(path, max_bytes=max_bytes)
    parsed, found = check_document(doc, library)
    if parsed is None:
        errors = [d for d in found if d.is_error]
        blocked = Diagnostic(
            "cannot-resume",
            f"the file has {len(errors)} error(s) and was left as it is",
            Location(str(path)),
            hint=f"fix them (`aiassure validate {path}`), then run the same command to resume",
        )
        raise InputError(f"{path} cannot be resumed", [blocked, *errors])
    if parsed.rubric.fingerprint != rubric.fingerprint:
        same = " (same id and version, different content)" if parsed.rubric.ref == rubric.ref else ""
        raise UsageError(
            f"{path} answers rubric {parsed.envelope.rubric!r} ({parsed.rubric.ref}), "
            f"not the rubric given ({rubric.ref}){same}; give the file's rubric, or another -o file to start anew"
        )
    first_line = doc.raw.split(b"\n", 1)[0].decode("utf-8", "replace")
    envelope = parsed.envelope
    return Draft(
        rubric=rubric,
        reference=envelope.rubric,
        subject=envelope.subject.model_dump(exclude_none=True),
        round=envelope.round,
        assessed_on=envelope.assessed_on,
        assessors=[assessor.model_dump(exclude_none=True) for assessor in envelope.assessors],
        # empty entries parse as blank answers; keep only those that carry something
        answers={ident: a for ident, a in parsed.answers.items() if a.given or a.notes or a.owner or a.evidence},
        schema_ref=first_line.removeprefix(SCHEMA_COMMENT).strip() if first_line.startswith(SCHEMA_COMMENT) else None,
    )


# ---------------------------------------------------------------------------------------------
# The subject and the envelope


@dataclass(frozen=True)
class IntakeField:
    """One question about the subject or the assessment round."""

    key: str  # dotted, for Draft.get and Draft.set
    prompt: str
    kind: FieldKind = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    other_allowed: bool = False  # may the answer be text outside `choices`?


def intake_fields(subject_type: str) -> list[IntakeField]:
    """What is asked before the criteria, in order."""
    organisation = subject_type == "organisation"
    fields = [
        IntakeField("subject.name", "Organisation name" if organisation else "Product name", required=True),
        IntakeField(
            "subject.code",
            "ODS code" if organisation else "Product id",
            kind="ods" if organisation else "text",
            required=True,
        ),
        IntakeField("subject.org_type", "Organisation type", kind="choice", required=True, choices=ORG_TYPES),
        IntakeField("subject.region", "NHS England region", kind="choice", choices=NHS_REGIONS, other_allowed=True),
    ]
    if not organisation:
        fields += [
            IntakeField("subject.version", "Product version"),
            IntakeField("subject.supplier.name", "Supplier"),
            IntakeField("subject.intended_use", "Intended use"),
            IntakeField("subject.device_class", "Medical device class (for example I, IIa, IIb)"),
        ]
    return fields + [
        IntakeField("round", "Reporting round (YYYY-Qn)", kind="round", required=True),
        IntakeField("assessed_on", "Assessed on (YYYY-MM-DD)", kind="date", required=True),
    ]


def read_field(spec: IntakeField, text: str, current: Any) -> Any:
    """The value a reply gives a field; Enter keeps the current value. Raises ReplyError."""
    text = text.strip()
    if not text:
        if current not in (None, ""):
            return current
        if spec.required:
            raise ReplyError(f"{spec.prompt} is needed")
        return None
    if spec.kind == "choice":
        if text.isdigit() and 1 <= int(text) <= len(spec.choices):
            return spec.choices[int(text) - 1]
        by_name = {choice.lower(): choice for choice in spec.choices}
        if text.lower() in by_name:
            return by_name[text.lower()]
        if spec.other_allowed:
            return text
        raise ReplyError(f"type a number 1-{len(spec.choices)} or one of: {', '.join(spec.choices)}")
    if spec.kind == "ods":
        code = text.upper()
        if not re.fullmatch(r"[A-Z0-9]{2,10}", code):
            raise ReplyError("an ODS code is 2 to 10 letters and digits, such as RXX or 00L")
        return code
    if spec.kind == "round":
        round_ = text.upper()
        if not re.fullmatch(r"\d{4}-Q[1-4]", round_):
            raise ReplyError("a round looks like 2026-Q4")
        return round_
    if spec.kind == "date":
        return parse_date(text)
    return text


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ReplyError(f"{text.strip()!r} is not a date; write it as YYYY-MM-DD") from None


# ---------------------------------------------------------------------------------------------
# Reading replies to a criterion


@dataclass(frozen=True)
class Reply:
    """What a line typed at a question means."""

    kind: ReplyKind
    value: Any = None


def read_reply(criterion: Criterion, rubric: LoadedRubric, text: str, *, has_answer: bool) -> Reply:
    """Commands (`?`, `b`, `s`, `q`) first, then Enter, `na`, then a value of the criterion's type."""
    word = text.strip()
    if word.lower() in COMMANDS:
        return Reply(COMMANDS[word.lower()])
    if not word:
        if has_answer:
            return Reply("keep")
        raise ReplyError("type an answer (? for help, s to skip)")
    if is_na_word(word) and criterion.type != "text":
        if not criterion.allow_na:
            raise ReplyError(f"{criterion.id} does not allow na: answer it, or s to skip it for now")
        return Reply("na")
    return Reply("value", parse_value(criterion, rubric, word))


def parse_value(criterion: Criterion, rubric: LoadedRubric, text: str) -> Any:
    """The answer value a reply gives, normalised as the validator would; raises ReplyError."""
    kind = criterion.type
    if kind == "level":
        return _level(rubric, text)
    if kind == "yes_no":
        word = text.lower()
        if word in ("y", "yes", "true"):
            return "yes"
        if word in ("n", "no", "false"):
            return "no"
        raise ReplyError("type y or n")
    if kind == "choice":
        return _choice(criterion, text)
    if kind in ("multi", "checklist"):
        return _selection(criterion, text)
    if kind == "number":
        return _number(criterion, text)
    return text


def _level(rubric: LoadedRubric, text: str) -> int:
    labels = rubric.labels
    low, high = min(labels), max(labels)
    if re.fullmatch(r"\d+", text):
        if int(text) in labels:
            return int(text)
        raise ReplyError(f"levels go from {low} to {high}")
    word = text.lower()
    exact = [level for level, label in labels.items() if label.lower() == word]
    starts = [level for level, label in labels.items() if label.lower().startswith(word)]
    if exact or len(starts) == 1:
        return (exact or starts)[0]
    raise ReplyError(f"type a level {low}-{high} or its label ({', '.join(labels.values())})")


def choices(criterion: Criterion) -> list[tuple[str, str]]:
    """(id, text) of a choice, multi or checklist criterion's numbered menu, in rubric order."""
    if criterion.type == "checklist":
        return [(e.id, e.text) for e in criterion.elements or []]
    return [(o.id, o.label) for o in criterion.options or []]


def _pick(menu: list[tuple[str, str]], token: str) -> str:
    """One menu entry by id, by number, or by id or label ignoring case."""
    ids = [ident for ident, _ in menu]
    if token in ids:
        return token
    if token.isdigit() and 1 <= int(token) <= len(menu):
        return ids[int(token) - 1]
    loose = [ident for ident, text in menu if token.lower() in (ident.lower(), text.lower())]
    if len(loose) == 1:
        return loose[0]
    raise ReplyError(f"{token!r} is not a number 1-{len(menu)} or one of: {', '.join(ids)}")


def _choice(criterion: Criterion, text: str) -> str:
    return _pick(choices(criterion), text)


def _selection(criterion: Criterion, text: str) -> list[str]:
    menu = choices(criterion)
    ids = [ident for ident, _ in menu]
    if text.lower() in NOTHING_WORDS and text not in ids:
        return []
    chosen: set[str] = set()
    for token in filter(None, re.split(r"[\s,\[\]]+", text)):
        span = re.fullmatch(r"(\d+)-(\d+)", token)
        if span and token not in ids:
            first, last = int(span[1]), int(span[2])
            if not 1 <= first <= last <= len(menu):
                raise ReplyError(f"{token!r} is not a range within 1-{len(menu)}")
            chosen.update(ids[first - 1 : last])
        else:
            chosen.add(_pick(menu, token))
    return [ident for ident in ids if ident in chosen]


_NUMBER = re.compile(r"([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*)")


def _number(criterion: Criterion, text: str) -> int | float:
    unit = criterion.unit
    wanted = "a number" + (f" in {unit}" if unit else "")
    match = _NUMBER.fullmatch(text)
    if match is None:
        raise ReplyError(f"type {wanted}, such as {criterion.range[0]:g}" if criterion.range else f"type {wanted}")
    digits, suffix = match.groups()
    if suffix.startswith(","):  # "1,5" or "1,000": refuse rather than guess which was meant
        raise ReplyError("write the number without commas, with a dot for decimals, such as 99.5")
    if suffix and (unit is None or suffix.lower() != unit.lower()):
        raise ReplyError(
            f"this question is measured in {unit}: type the number alone"
            if unit
            else "type the number alone, without a unit"
        )
    value: int | float = int(digits) if re.fullmatch(r"[-+]?\d+", digits) else float(digits)
    if not math.isfinite(value):
        raise ReplyError("the number must be finite")
    if criterion.range is not None and not criterion.range[0] <= value <= criterion.range[1]:
        raise ReplyError(
            f"the answer must be from {criterion.range[0]:g} to {criterion.range[1]:g}" + (f" {unit}" if unit else "")
        )
    return value


# ---------------------------------------------------------------------------------------------
# Evidence


def needs_evidence(criterion: Criterion, value: Any, rubric: LoadedRubric) -> bool:
    """Whether the level an answer claims needs evidence (SPEC 4.3)."""
    if criterion.evidence_from is None or value is None:
        return False
    level = claimed_level(criterion, value, rubric.top)
    return level is not None and level >= criterion.evidence_from


def evidence_item(title: str, target: str) -> EvidenceItem:
    """An evidence item from a title and a URL or relative path; raises ReplyError."""
    title, target = title.strip(), target.strip()
    if not title:
        raise ReplyError("an evidence item needs a title")
    parts = urlsplit(target)
    if parts.scheme.lower() in ("http", "https"):
        if not parts.netloc:
            raise ReplyError(f"{target!r} is not a complete web address")
        return EvidenceItem(title=title, url=target)
    if "://" in target or target.lower().startswith(("mailto:", "file:")):
        raise ReplyError("only http:// and https:// links are accepted; or give a path relative to the answers file")
    if not target:
        raise ReplyError("give a link (https://...) or a path relative to the answers file")
    problem = evidence_path_problem(target)
    if problem is not None:
        raise ReplyError(
            f"the path {problem.replace('submission', 'answers file')} (write it like evidence/minutes.pdf)"
        )
    return EvidenceItem(title=title, path=posixpath.normpath(target))


def evidence_note(criterion: Criterion, answer: Answer, assessed_on: date) -> str | None:
    """Why the evidence given does not count yet, or None when it does (or is not needed)."""
    if evidence_counts(criterion, answer, assessed_on):
        return None
    fallback = (criterion.evidence_from or 1) - 1
    if criterion.evidence_max_age_days is not None and answer.evidence:
        return (
            f"no item is dated within {criterion.evidence_max_age_days} days before {assessed_on.isoformat()}: "
            f"the answer will be credited at level {fallback}"
        )
    return f"without evidence the answer will be credited at level {fallback}"


# ---------------------------------------------------------------------------------------------
# Showing a criterion


def question_lines(criterion: Criterion, rubric: LoadedRubric) -> list[str]:
    """The question, its guidance and its descriptors, with choices numbered for the keyboard."""
    lines = describe_criterion(criterion, rubric)
    if criterion.type in ("choice", "multi", "checklist"):
        # describe_criterion indents exactly the menu entries, in rubric order
        entries = iter(range(1, len(choices(criterion)) + 1))
        lines = [f"  {next(entries)}) {line.strip()}" if line.startswith("  ") else line for line in lines]
    return lines


def answer_hint(criterion: Criterion, rubric: LoadedRubric) -> str:
    """One line saying what may be typed at this question."""
    labels = rubric.labels
    size = len(choices(criterion))
    hints = {
        "level": f"a level {min(labels)}-{max(labels)} or its label",
        "yes_no": "y or n",
        "choice": f"a number 1-{size} or an option id",
        "multi": f"numbers or ids, separated by spaces or commas; ranges like 1-{size}; none for nothing",
        "checklist": f"the elements met: numbers or ids, spaces or commas; ranges like 1-{size}; none for nothing",
        "number": _number_hint(criterion),
        "text": "free text",
    }
    hint = hints[criterion.type]
    if criterion.allow_na and criterion.type != "text":
        hint += "; na if it does not apply"
    return hint


def _number_hint(criterion: Criterion) -> str:
    span = f" from {criterion.range[0]:g} to {criterion.range[1]:g}" if criterion.range else ""
    return f"a number{span}" + (f" {criterion.unit}" if criterion.unit else "")


def help_lines(criterion: Criterion, rubric: LoadedRubric) -> list[str]:
    """What `?` shows: how to answer, the commands, why the question is asked."""
    lines = [f"Answer with {answer_hint(criterion, rubric)}."]
    if criterion.type in ("multi", "checklist"):
        lines.append(
            "Example: 1 3  or  1-2,4  or  ids separated by commas. An empty selection is an answer: type none."
        )
    if criterion.type == "level":
        lines.append("A label may be shortened while it stays unambiguous (def for Defined).")
    if criterion.allow_na:
        lines.append("na: the question does not apply here; you will be asked why and who approved that.")
    if criterion.evidence_from is not None:
        lines.append(
            f"Claims of level {criterion.evidence_from} or more need evidence: a title, then a https:// link "
            "or a path relative to the answers file."
        )
    lines += [
        "Enter: keep the current answer (when there is one).  b: back to the previous question.",
        "s: skip for now (asked again at the end, and on the next run).  q: save and quit.",
        "Ctrl-C: stop at once; every answer given so far is saved.",
    ]
    if criterion.applies_if:
        lines.append("Asked because: " + "; ".join(_condition(c) for c in criterion.applies_if) + ".")
    if criterion.references:
        lines.append("References: " + ", ".join(f"{ref.framework} {ref.id}" for ref in criterion.references))
    return lines


def _condition(condition: Any) -> str:
    if condition.at_least is not None:
        return f"{condition.criterion} is at least level {condition.at_least}"
    return f"{condition.criterion} is one of {', '.join(map(str, condition.in_ or []))}"


def show_answer(criterion: Criterion, rubric: LoadedRubric, answer: Answer) -> str:
    """An answer as a person reads it: `3 Defined`, `na (reason: ...)`, `access, audit`."""
    if answer.na:
        return NA + (f" (reason: {answer.reason})" if answer.reason else "")
    value = answer.value
    if criterion.type == "level":
        text = f"{value} {rubric.labels.get(value, '')}".strip()
    elif isinstance(value, list):
        text = ", ".join(value) if value else "none"
    elif isinstance(value, float):
        text = f"{value:g}"
    else:
        text = str(value)
    if criterion.type == "number" and criterion.unit:
        text += f" {criterion.unit}"
    if answer.evidence:
        text += f" (evidence: {len(answer.evidence)} item{'s' if len(answer.evidence) > 1 else ''})"
    return text


# ---------------------------------------------------------------------------------------------
# The questionnaire


@dataclass(frozen=True)
class Progress:
    domain: str
    position: int
    domain_total: int
    answered: int
    total: int

    def __str__(self) -> str:
        return f"{self.domain} {self.position}/{self.domain_total} · {self.answered} of {self.total} answered"


@dataclass(frozen=True)
class ApplicabilityChange:
    """Criteria whose applicability an answer changed."""

    now_apply: tuple[str, ...] = ()
    no_longer_apply: tuple[str, ...] = ()


class Questionnaire:
    """Which question comes next, given the answers, the applicability rules and what was done this run.

    A run asks every applicable unanswered criterion in rubric order (with `review`, the answered
    ones too). A skipped question is offered once more after the others; skipped again, it stays
    unanswered until the next run. `back` returns to the question left before this one.
    """

    def __init__(self, draft: Draft, *, review: bool = False) -> None:
        self.draft = draft
        self.rubric = draft.rubric
        self.review = review
        self.order = list(self.rubric.criteria)
        self.left: set[str] = set()  # left forward this run: answered, kept or skipped
        self.deferred: list[str] = []  # skipped once this run, in the order they were skipped
        self.declined: set[str] = set()  # skipped twice: left for the next run
        self.history: list[str] = []
        self.revisit: str | None = None
        self._applicable: dict[str, bool] | None = None

    def applicable(self) -> dict[str, bool]:
        if self._applicable is None:
            self._applicable = applicability(self.rubric, self.draft.answers)
        return self._applicable

    def answer_of(self, ident: str) -> Answer | None:
        answer = self.draft.answers.get(ident)
        return answer if answer is not None and answer.given else None

    def current(self) -> str | None:
        """The question to ask now, or None when this run has nothing left to ask."""
        if self.revisit is not None:
            return self.revisit
        applicable = self.applicable()
        for ident in self.order:
            if applicable[ident] and ident not in self.left and (self.review or self.answer_of(ident) is None):
                return ident
        for ident in self.deferred:
            if applicable[ident] and ident not in self.declined and self.answer_of(ident) is None:
                return ident
        return None

    def second_offer(self, ident: str) -> bool:
        return ident in self.deferred and self.revisit != ident

    def _leave(self, ident: str) -> None:
        self.history.append(ident)
        self.left.add(ident)
        self.revisit = None

    def record(self, ident: str, answer: Answer) -> ApplicabilityChange:
        before = self.applicable()
        self.draft.answers[ident] = answer
        self._applicable = None
        after = self.applicable()
        self._leave(ident)
        return ApplicabilityChange(
            tuple(i for i in self.order if after[i] and not before[i]),
            tuple(i for i in self.order if before[i] and not after[i]),
        )

    def keep(self, ident: str) -> None:
        self._leave(ident)

    def skip(self, ident: str) -> None:
        if self.answer_of(ident) is None:
            if ident in self.deferred:
                self.declined.add(ident)
            else:
                self.deferred.append(ident)
        self._leave(ident)

    def back(self, ident: str) -> str | None:
        """Go to the question left before `ident` (or, at the start of a run, the one before it in the rubric)."""
        applicable = self.applicable()
        while self.history:
            previous = self.history.pop()
            if previous != ident and applicable[previous]:
                self.revisit = previous
                return previous
        position = self.order.index(ident)
        for previous in reversed(self.order[:position]):
            if applicable[previous]:
                self.revisit = previous
                return previous
        return None

    def progress(self, ident: str) -> Progress:
        applicable = self.applicable()
        domain = self.rubric.domain_of[ident]
        in_domain = [c.id for c in domain.criteria if applicable[c.id]]
        asked = [i for i in self.order if applicable[i]]
        answered = sum(1 for i in asked if self.answer_of(i) is not None)
        return Progress(domain.title, in_domain.index(ident) + 1, len(in_domain), answered, len(asked))

    def unanswered(self) -> list[str]:
        applicable = self.applicable()
        return [i for i in self.order if applicable[i] and self.answer_of(i) is None]
