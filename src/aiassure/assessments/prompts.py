"""What the questionnaire shows: the intake fields, a criterion's question, its menu, hints and help, an answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from ..rubrics.loader import LoadedRubric
from ..rubrics.model import NA, Criterion
from .answers_file import describe_criterion
from .model import NHS_REGIONS, ORG_TYPES, Answer
from .scoring import evidence_counts

FieldKind = Literal["text", "ods", "choice", "round", "date"]  # how an intake field's answer is read


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


# What `?` says at each question about the subject, before the keys every one of them takes.
FIELD_HELP = {
    "subject.name": "The name as it should appear in reports, in full (for example Northshire Hospitals NHS "
    "Foundation Trust).",
    "subject.code": "The code that identifies the subject from round to round; the registry and reports "
    "group submissions by it.",
    "subject.org_type": "The kind of organisation: type its number in the menu above, or its name. Peer "
    "comparisons are made among organisations of the same type.",
    "subject.region": "The NHS England region: type its number in the menu above, its name, or any other "
    "text; Enter leaves it blank.",
    "subject.version": "The version of the product assessed, as its supplier numbers it (for example 2.3.1).",
    "subject.supplier.name": "The company that supplies the product.",
    "subject.intended_use": "What the product is for, in a few words (for example chest X-ray triage).",
    "subject.device_class": "The product's UK medical device class (I, IIa, IIb or III), if it is a medical "
    "device; Enter leaves it blank.",
    "round": "The reporting round the assessment is for, as YYYY-Qn (for example 2026-Q4). It may not be a "
    "round that has not begun yet.",
    "assessed_on": "The day the assessment was made, as YYYY-MM-DD; not after today, and near its round. "
    "Evidence recency is measured from it.",
}
ODS_HELP = "The organisation's ODS code: 2 to 10 letters and digits, such as RXX or 00L."
STEP_KEYS = "Enter keeps the value in brackets. b: back to the previous question. Ctrl-C: stop."


def field_help(spec: IntakeField) -> list[str]:
    """What `?` shows at a question about the subject: what it is, what may be typed, the keys."""
    lines = [ODS_HELP if spec.kind == "ods" else FIELD_HELP.get(spec.key, spec.prompt + ".")]
    if spec.choices:
        lines.append("One of: " + ", ".join(spec.choices) + ("; or any other text." if spec.other_allowed else "."))
    lines.append(("Required. " if spec.required else "Optional. ") + STEP_KEYS)
    return lines


ASSESSOR_HELP = [
    "The name of someone who took part in the assessment; their role is asked next (Enter leaves it blank).",
    "Enter on an empty name ends the list. b: back to the previous question (at a role: to the name).",
]
NA_REASON_HELP = [
    "Why this question does not apply here, in a sentence: it is shown in reports beside the answer. Required.",
    "b: back to the question.",
]
NA_APPROVER_HELP = [
    "Who agreed that it does not apply: a name and role (for example Jo Bloggs, DPO). Optional: Enter leaves it blank.",
    "b: back to the reason.",
]
EVIDENCE_KEEP_HELP = [
    "y or Enter keeps the evidence listed above; n drops it, and you give the evidence again.",
    "b: back to the question.",
]
EVIDENCE_TITLE_HELP = [
    "A short title for a document that backs the answer (for example Board minutes, June 2026).",
    "Enter when there is no more. b: back to the question (nothing is saved for it).",
]
EVIDENCE_LINK_HELP = [
    "A link starting https:// (or http://), or the path of a file relative to the answers file's folder, "
    "with / between folders, such as evidence/minutes.pdf. A file named b is written ./b.",
    "b: back to the title (this item is dropped).",
]


def evidence_date_help(criterion: Criterion, assessed_on: date) -> list[str]:
    """What `?` shows at an evidence item's date: which dates count for this criterion."""
    limit = criterion.evidence_max_age_days
    rule = (
        f"It counts when dated within {limit} days before the assessment date ({assessed_on.isoformat()}); "
        "an undated item does not count."
        if limit is not None
        else "Any date counts."
    )
    return [f"The document's date, as YYYY-MM-DD. {rule}", "Enter if it has no date. b: back to the link."]


def needs_evidence(criterion: Criterion, value: Any, rubric: LoadedRubric) -> bool:
    """Whether the level an answer claims needs evidence (SPEC 4.3)."""
    if criterion.evidence_from is None or value is None:
        return False
    level = criterion.claimed_level(value, rubric.top)
    return level is not None and level >= criterion.evidence_from


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


def question_lines(criterion: Criterion, rubric: LoadedRubric) -> list[str]:
    """The question, its guidance and its descriptors, with choices numbered for the keyboard."""
    lines = describe_criterion(criterion, rubric)
    menu = criterion.menu()
    if menu:
        # describe_criterion indents exactly the menu entries, in rubric order
        entries = iter(range(1, len(menu) + 1))
        lines = [f"  {next(entries)}) {line.strip()}" if line.startswith("  ") else line for line in lines]
    return lines


def answer_hint(criterion: Criterion, rubric: LoadedRubric) -> str:
    """One line saying what may be typed at this question."""
    hint = criterion.reply_hint(rubric.labels)
    if criterion.allow_na and criterion.carries_level:
        hint += "; na if it does not apply"
    return hint


def help_lines(criterion: Criterion, rubric: LoadedRubric) -> list[str]:
    """What `?` shows: how to answer, the commands, why the question is asked."""
    lines = [f"Answer with {answer_hint(criterion, rubric)}."]
    if criterion.answer_shape == "multiple":
        lines.append(
            "Example: 1 3  or  1-2,4  or  ids separated by commas. An empty selection is an answer: type none."
        )
    if criterion.answer_shape == "scale":
        lines.append("A label may be shortened while it stays unambiguous (def for Defined).")
    if criterion.allow_na:
        lines.append(
            "na: the question does not apply here; you will be asked why and who approved that (b there: back here)."
        )
    if criterion.evidence_from is not None:
        dated = " and its date" if criterion.evidence_max_age_days is not None else ""
        lines.append(
            f"Claims of level {criterion.evidence_from} or more need evidence: a title, then a https:// link "
            f"or a path relative to the answers file{dated}; at those prompts ? explains and b goes back a step."
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
    """An answer as a person reads it: `3 Defined`, `Yes (level 5)`, `na (reason: ...)`, the labels
    (or element texts) of the options chosen, never their ids; a yes/no criterion that is scored
    says the level its answer earns, one that is not (context) none (`Criterion.binary`)."""
    if answer.na:
        return NA + (f" (reason: {answer.reason})" if answer.reason else "")
    value = answer.value
    text = criterion.spoken(value, rubric.labels)
    if criterion.binary and criterion.scored:
        text += f" (level {criterion.claimed_level(value, rubric.top)})"
    if answer.evidence:
        text += f" (evidence: {len(answer.evidence)} item{'s' if len(answer.evidence) > 1 else ''})"
    return text
