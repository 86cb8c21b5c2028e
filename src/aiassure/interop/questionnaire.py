"""A rubric as a FHIR R4 Questionnaire: one item per criterion, grouped by domain, with the subject's details first."""

from __future__ import annotations

from typing import Any

from ..assessments.answers_file import evidence_rule
from ..assessments.model import ORG_TYPES, ROUND_PATTERN, TECHNOLOGY_ONLY
from ..rubrics.loader import LoadedRubric
from ..rubrics.model import Condition, Criterion
from .fhir_names import (
    ABOUT,
    ANSWER_SYSTEM,
    DOMAIN_PREFIX,
    FINGERPRINT_EXTENSION,
    FRAMEWORK_PREFIX,
    ITEM_CONTROL,
    ITEM_CONTROL_SYSTEM,
    MAX_VALUE,
    MIN_VALUE,
    NA_CODE,
    NONE_CODE,
    ORDINAL_VALUE,
    ORG_TYPE_SYSTEM,
    REGEX,
    UNIT,
    computable_name,
    criterion_system,
    questionnaire_url,
    resource_id,
    scale_system,
    sub_item,
)

Item = dict[str, Any]

# The answer codings every criterion of a type may take besides its own; see docs/interop.md.
NA_CODING = {"system": ANSWER_SYSTEM, "code": NA_CODE, "display": "Not applicable"}
NONE_CODING = {"system": ANSWER_SYSTEM, "code": NONE_CODE, "display": "None of these"}
YES_CODING = {"system": ANSWER_SYSTEM, "code": "yes", "display": "Yes"}
NO_CODING = {"system": ANSWER_SYSTEM, "code": "no", "display": "No"}

# The envelope of a submission (SPEC 4) as items: (linkId under `about/`, text, FHIR type, required).
SUBJECT_FIELDS = (
    ("subject/name", "Name of the organisation or product", "string", True),
    ("subject/code", "Code (ODS code for an organisation; the supplier's product id for a technology)", "string", True),
    ("subject/org_type", "Type of organisation", "choice", True),
    ("subject/region", "NHS region", "string", False),
    ("subject/version", "Product version", "string", False),
    ("subject/supplier/name", "Supplier's name", "string", False),
    ("subject/supplier/code", "Supplier's code", "string", False),
    ("subject/intended_use", "Intended use", "string", False),
    ("subject/device_class", "Medical device class", "string", False),
)
ASSESSMENT_FIELDS = (
    ("round", "Reporting round (YYYY-Qn)", "string", True),
    ("assessed_on", "Date of the assessment", "date", True),
)
ASSESSOR_FIELDS = (("name", "Name", "string"), ("role", "Role", "string"), ("email", "Email", "string"))
ASSESSED_BY_FIELDS = (
    ("name", "Name of the organisation that carried out the assessment", "string"),
    ("code", "Its ODS code", "string"),
    ("org_type", "Its type", "choice"),
)


def paragraphs(text: str) -> str:
    """Markdown-ish text with each paragraph's hard line breaks joined: form tools wrap text themselves."""
    blocks = [" ".join(line.strip() for line in block.splitlines()) for block in text.strip().split("\n\n")]
    return "\n\n".join(block for block in blocks if block)


def about(path: str) -> str:
    return f"{ABOUT}/{path}"


def org_type_options() -> list[Item]:
    return [{"valueCoding": {"system": ORG_TYPE_SYSTEM, "code": code, "display": code}} for code in ORG_TYPES]


def questionnaire(rubric: LoadedRubric) -> dict[str, Any]:
    """The Questionnaire resource (as JSON data) of a rubric. Gates, weights, thresholds and outcomes stay here."""
    model = rubric.model
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": resource_id(rubric),
        "extension": [{"url": FINGERPRINT_EXTENSION, "valueString": rubric.fingerprint}],
        "url": questionnaire_url(rubric.id),
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": f"urn:aiassure:rubric:{rubric.ref}"}],
        "version": rubric.version,
        "name": computable_name(rubric),
        "title": model.title,
        "status": "active",
        "subjectType": ["Organization" if model.subject == "organisation" else "Device"],
    }
    publisher = model.publisher
    if publisher is not None and publisher.effective_date is not None:
        resource["date"] = publisher.effective_date.isoformat()
    if publisher is not None and publisher.publisher:
        resource["publisher"] = publisher.publisher
    if model.description:
        resource["description"] = paragraphs(model.description)
    if publisher is not None and publisher.licence:
        resource["copyright"] = publisher.licence
    resource["item"] = [_about_group(rubric)] + [
        {
            "linkId": f"{DOMAIN_PREFIX}{domain.id}",
            "text": domain.title,
            "type": "group",
            "item": ([_help(f"{DOMAIN_PREFIX}{domain.id}", domain.description)] if domain.description else [])
            + [_criterion_item(rubric, criterion) for criterion in domain.criteria],
        }
        for domain in model.domains
        if domain.criteria
    ]
    return resource


def _about_group(rubric: LoadedRubric) -> Item:
    technology = rubric.model.subject == "technology"
    items: list[Item] = []
    for link, text, kind, required in SUBJECT_FIELDS:
        if not technology and link.split("/")[1] in TECHNOLOGY_ONLY:
            continue
        item: Item = {"linkId": about(link), "text": text, "type": kind, "required": required}
        if kind == "choice":
            item["answerOption"] = org_type_options()
        items.append(item)
    for link, text, kind, required in ASSESSMENT_FIELDS:
        item = {"linkId": about(link), "text": text, "type": kind, "required": required}
        if link == "round":
            item["extension"] = [{"url": REGEX, "valueString": ROUND_PATTERN}]
        items.append(item)
    items.append(
        {
            "linkId": about("assessors"),
            "text": "Who carried out the assessment",
            "type": "group",
            "repeats": True,
            "item": [
                {"linkId": about(f"assessors/{name}"), "text": text, "type": kind}
                for name, text, kind in ASSESSOR_FIELDS
            ],
        }
    )
    items.append(
        {
            "linkId": about("assessed_by"),
            "text": "The organisation that carried out the assessment, when it is not the subject",
            "type": "group",
            "item": [
                {"linkId": about(f"assessed_by/{name}"), "text": text, "type": kind}
                | ({"answerOption": org_type_options()} if kind == "choice" else {})
                for name, text, kind in ASSESSED_BY_FIELDS
            ],
        }
    )
    return {"linkId": ABOUT, "text": "About this assessment", "type": "group", "item": items}


def _help(parent: str, text: str) -> Item:
    return {
        "linkId": f"{parent}/help",
        "text": paragraphs(text),
        "type": "display",
        "extension": [
            {
                "url": ITEM_CONTROL,
                "valueCodeableConcept": {
                    "coding": [{"system": ITEM_CONTROL_SYSTEM, "code": "help", "display": "Help"}]
                },
            }
        ],
    }


def answer_options(rubric: LoadedRubric, criterion: Criterion) -> list[dict[str, Any]]:
    """The codings a choice item of this criterion accepts (its value set), in the rubric's order."""
    shape = criterion.answer_shape
    codings: list[dict[str, Any]] = []
    if shape == "scale":
        for level, label in sorted(rubric.labels.items()):
            descriptor = criterion.levels.get(level, "").strip()
            display = f"{level} {label}" + (f": {descriptor}" if descriptor else "")
            codings.append(
                {
                    "system": scale_system(rubric),
                    "code": str(level),
                    "display": display,
                    "extension": [{"url": ORDINAL_VALUE, "valueDecimal": level}],
                }
            )
    elif shape == "boolean":
        codings += [YES_CODING, NO_CODING]
    else:
        system = criterion_system(rubric, criterion.id)
        menu = criterion.menu(with_levels=True)
        codings += [{"system": system, "code": code, "display": text} for code, text in menu]
    if shape == "multiple":
        codings.append(NONE_CODING)
    if criterion.allow_na:
        codings.append(NA_CODING)
    return codings


def item_type(criterion: Criterion) -> str:
    """The FHIR item type a criterion's answer takes."""
    shape = criterion.answer_shape
    if shape == "boolean":
        return "choice" if criterion.allow_na else "boolean"
    return {"numeric": "decimal", "free_text": "text"}.get(shape, "choice")


def na_is_an_item(criterion: Criterion) -> bool:
    """`na` needs an item of its own where the answer cannot be a coding (a number)."""
    return criterion.allow_na and item_type(criterion) not in ("choice",)


def _criterion_item(rubric: LoadedRubric, criterion: Criterion) -> Item:
    kind = item_type(criterion)
    item: Item = {"linkId": criterion.id, "prefix": criterion.id, "text": criterion.question.strip(), "type": kind}
    if criterion.references:
        item["code"] = [
            {"system": f"{FRAMEWORK_PREFIX}{ref.framework}", "code": ref.id}
            | ({"display": ref.title} if ref.title else {})
            for ref in criterion.references
        ]
    if criterion.answer_shape == "multiple":
        item["repeats"] = True
    if kind == "choice":
        item["answerOption"] = [{"valueCoding": coding} for coding in answer_options(rubric, criterion)]
    extensions: list[Item] = []
    measure = criterion.measure()
    if measure is not None:
        if measure.unit:
            extensions.append({"url": UNIT, "valueCoding": {"display": measure.unit}})
        if measure.range is not None:
            extensions.append({"url": MIN_VALUE, "valueDecimal": measure.range[0]})
            extensions.append({"url": MAX_VALUE, "valueDecimal": measure.range[1]})
    if extensions:
        item["extension"] = extensions
    enable = enable_when(rubric, criterion)
    if enable:
        item.update(enable)
    item["item"] = _sub_items(rubric, criterion)
    return item


def _help_text(criterion: Criterion) -> str:
    lines = [paragraphs(criterion.guidance)] if criterion.guidance.strip() else []
    if criterion.answer_shape == "multiple":
        lines.append("Choose every one that holds, or “None of these”.")
    measure = criterion.measure()
    if measure is not None:
        unit = f" in {measure.unit}" if measure.unit else ""
        better = "lower" if measure.lower_is_better else "higher"
        lines.append(f"A number{unit}; {better} is better.")
    if criterion.evidence_from is not None:
        lines.append(evidence_rule(criterion, "the date of the assessment"))
    if criterion.allow_na:
        lines.append("May be “Not applicable”, with the reason and who approved it.")
    return "\n\n".join(lines)


def _sub_items(rubric: LoadedRubric, criterion: Criterion) -> list[Item]:
    ident = criterion.id
    items: list[Item] = []
    text = _help_text(criterion)
    if text:
        items.append(_help(ident, text))
    if na_is_an_item(criterion):
        items.append({"linkId": sub_item(ident, "na"), "text": "Not applicable", "type": "boolean"})
    if criterion.carries_level:
        items.append(
            {
                "linkId": sub_item(ident, "evidence"),
                "text": "Evidence",
                "type": "group",
                "repeats": True,
                "item": [
                    {"linkId": sub_item(ident, "evidence", "title"), "text": "Title", "type": "string"},
                    {"linkId": sub_item(ident, "evidence", "url"), "text": "Link (https://...)", "type": "url"},
                    {
                        "linkId": sub_item(ident, "evidence", "file"),
                        "text": "File (its path beside the answers file)",
                        "type": "attachment",
                    },
                    {"linkId": sub_item(ident, "evidence", "date"), "text": "Dated", "type": "date"},
                    {"linkId": sub_item(ident, "evidence", "sha256"), "text": "SHA-256 of the file", "type": "string"},
                ],
            }
        )
    items.append({"linkId": sub_item(ident, "notes"), "text": "Notes", "type": "text"})
    items.append({"linkId": sub_item(ident, "owner"), "text": "Owner", "type": "string"})
    if criterion.allow_na:
        when = (
            {"question": sub_item(ident, "na"), "operator": "=", "answerBoolean": True}
            if na_is_an_item(criterion)
            else {"question": ident, "operator": "=", "answerCoding": _bare(NA_CODING)}
        )
        for name, label, kind in (
            ("reason", "Why it does not apply", "text"),
            ("approved_by", "Approved by", "string"),
        ):
            items.append({"linkId": sub_item(ident, name), "text": label, "type": kind, "enableWhen": [when]})
    return items


def _bare(coding: dict[str, Any]) -> dict[str, Any]:
    return {"system": coding["system"], "code": coding["code"]}


def enable_when(rubric: LoadedRubric, criterion: Criterion) -> dict[str, Any]:
    """`applies_if` as enableWhen and enableBehavior, where they say exactly the same; else nothing
    (the item is always shown, and aiassure applies the conditions when the answers come back)."""
    alternatives = [_alternatives(rubric, condition) for condition in criterion.applies_if]
    if not alternatives or any(a is None for a in alternatives):
        return {}
    options = [a for a in alternatives if a is not None]
    if len(options) == 1:
        only = options[0]
        return {"enableWhen": only} | ({"enableBehavior": "any"} if len(only) > 1 else {})
    if all(len(a) == 1 for a in options):
        return {"enableWhen": [a[0] for a in options], "enableBehavior": "all"}
    return {}


def _alternatives(rubric: LoadedRubric, condition: Condition) -> list[dict[str, Any]] | None:
    """The enableWhen entries, any of which makes one condition hold; None when they cannot say it."""
    target = rubric.criteria.get(condition.criterion)
    if target is None:
        return None
    kind = item_type(target)
    codes = {str(c["code"]): c for c in answer_options(rubric, target)} if kind == "choice" else {}
    if condition.at_least is not None:
        wanted = target.ids_at_least(condition.at_least, sorted(rubric.labels))
        if wanted is None:
            return None
        return [_equals(target.id, codes[code]) for code in wanted]
    values = ["yes" if v is True else "no" if v is False else v for v in condition.in_ or []]
    if kind == "boolean":
        return [{"question": target.id, "operator": "=", "answerBoolean": v == "yes"} for v in values]
    if kind == "decimal":
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        return [{"question": target.id, "operator": "=", "answerDecimal": v} for v in numbers] or None
    if kind == "choice":
        found = [codes[str(v)] for v in values if str(v) in codes]
        return [_equals(target.id, coding) for coding in found] or None
    return None


def _equals(question: str, coding: dict[str, Any]) -> dict[str, Any]:
    return {"question": question, "operator": "=", "answerCoding": _bare(coding)}


__all__ = ["answer_options", "item_type", "questionnaire"]
