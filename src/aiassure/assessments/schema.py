"""JSON Schema of a submission for one rubric, for editor completion and checks (`aiassure schema`)."""

from __future__ import annotations

from typing import Any

from ..rubrics.loader import LoadedRubric
from ..rubrics.model import NA_WORDS, Criterion
from .model import EvidenceItem, Submission

_NA = {
    "type": "string",
    "enum": [*NA_WORDS, *(word.upper() for word in NA_WORDS)],
    "description": "not applicable (give a reason in the long form)",
}


def _answer_schema(criterion: Criterion, rubric: LoadedRubric) -> dict[str, Any]:
    value = criterion.value_schema(rubric.labels)
    choices: list[dict[str, Any]] = [value, {"type": "null"}]
    if criterion.allow_na:
        choices.append(_NA)
    value_or_na = {"anyOf": choices}
    long_form: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "value": value_or_na,
            "notes": {"type": "string"},
            "owner": {"type": "string"},
            "evidence": {"type": "array", "items": {"$ref": "#/$defs/EvidenceItem"}},
            "reason": {"type": "string"},
            "approved_by": {"type": "string"},
        },
    }
    if criterion.answer_key != "value":
        long_form["properties"][criterion.answer_key] = value_or_na
    description = criterion.question + (f"\n\n{criterion.guidance}" if criterion.guidance else "")
    return {"description": description, "anyOf": [*choices, long_form]}


def submission_schema(rubric: LoadedRubric) -> dict[str, Any]:
    """A JSON Schema (2020-12) that an answers file for `rubric` satisfies."""
    schema = Submission.model_json_schema()
    defs = schema.setdefault("$defs", {})
    evidence = EvidenceItem.model_json_schema()
    defs.update(evidence.pop("$defs", {}))
    defs["EvidenceItem"] = evidence
    properties = schema["properties"]
    properties["rubric"] = {"type": "string", "description": "the rubric, id@version", "examples": [rubric.ref]}
    subject = defs["Subject"]
    subject["properties"]["type"] = {"const": rubric.model.subject}
    properties["answers"] = {
        "type": ["object", "null"],
        "additionalProperties": False,
        "properties": {ident: _answer_schema(c, rubric) for ident, c in rubric.criteria.items()},
    }
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"Answers to {rubric.model.title} ({rubric.ref})"
    return schema
