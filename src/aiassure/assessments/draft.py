"""The answers file being written, in the form the questionnaire edits: read to resume, rendered to save."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import Diagnostic, InputError, Location, UsageError
from ..rubrics.loader import LoadedRubric, RubricLibrary
from ..rubrics.model import NA, Criterion
from ..source import DEFAULT_MAX_BYTES, load_file
from .answers_file import render_answers_file
from .model import Answer
from .validate import check_document

SCHEMA_COMMENT = "# yaml-language-server: $schema="


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
        body[criterion.answer_key] = answer.value
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
