"""Checks of FHIR resources: structure by fhir.resources (R4B models), then the bindings it leaves unchecked."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel

# Required bindings of FHIR R4 (the same codes in R4B) on the elements aiassure writes and reads.
PUBLICATION_STATUS = ("draft", "active", "retired", "unknown")
RESPONSE_STATUS = ("in-progress", "completed", "amended", "entered-in-error", "stopped")
ITEM_TYPES = (
    "group",
    "display",
    "boolean",
    "decimal",
    "integer",
    "date",
    "dateTime",
    "time",
    "string",
    "text",
    "url",
    "choice",
    "open-choice",
    "attachment",
    "reference",
    "quantity",
)
OPERATORS = ("exists", "=", "!=", ">", "<", ">=", "<=")
ENABLE_BEHAVIOR = ("all", "any")
# Which answer[x] (of enableWhen, answerOption, initial or a response's answer) fits which item type.
VALUE_KEYS = {
    "boolean": "valueBoolean",
    "decimal": "valueDecimal",
    "integer": "valueInteger",
    "date": "valueDate",
    "dateTime": "valueDateTime",
    "time": "valueTime",
    "string": "valueString",
    "text": "valueString",
    "url": "valueUri",
    "choice": "valueCoding",
    "attachment": "valueAttachment",
    "reference": "valueReference",
    "quantity": "valueQuantity",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong at a JSON path of a resource: `$.item[0].linkId`."""

    path: tuple[str | int, ...]
    message: str
    code: str = "fhir-invalid"

    @property
    def json_path(self) -> str:
        return json_path(self.path)


def json_path(parts: tuple[str | int, ...]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def structure_problems(data: object, resource_type: str) -> list[Problem]:
    """What the fhir.resources R4B model of `resource_type` refuses in `data`."""
    from pydantic import ValidationError

    if not isinstance(data, dict):
        return [Problem((), f"a {resource_type} must be a JSON object")]
    if data.get("resourceType") != resource_type:
        return [
            Problem(("resourceType",), f"expected resourceType {resource_type!r}, got {data.get('resourceType')!r}")
        ]
    model = _model(resource_type)
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return [Problem(tuple(p for p in error["loc"] if not _is_tag(p)), error["msg"]) for error in exc.errors()]
    return []


def _is_tag(part: object) -> bool:
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))


def _model(resource_type: str) -> type[BaseModel]:
    if resource_type == "Questionnaire":
        from fhir.resources.R4B.questionnaire import Questionnaire

        return Questionnaire
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    return QuestionnaireResponse


def walk_items(items: object, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """(path, item) of every item, depth first, in document order."""
    if not isinstance(items, list):  # absent, or not a list (which the structure check reports)
        return
    for index, item in enumerate(items):
        if isinstance(item, dict):
            here = (*path, "item", index)
            yield here, item
            yield from walk_items(item.get("item"), here)


def coding_key(coding: object) -> tuple[str, str]:
    if not isinstance(coding, dict):
        return ("", "")
    return (str(coding.get("system", "")), str(coding.get("code", "")))


def binding_problems(questionnaire: dict[str, Any]) -> list[Problem]:
    """The Questionnaire's own codes and references, which fhir.resources does not check."""
    problems: list[Problem] = []
    if questionnaire.get("status") not in PUBLICATION_STATUS:
        problems.append(Problem(("status",), f"status must be one of {', '.join(PUBLICATION_STATUS)}"))
    items = dict(walk_items(questionnaire.get("item"), ()))
    by_link: dict[str, dict[str, Any]] = {}
    for path, item in items.items():
        link = item.get("linkId")
        if link in by_link:
            problems.append(Problem((*path, "linkId"), f"linkId {link!r} is used twice"))
        by_link[str(link)] = item
    for path, item in items.items():
        problems.extend(_item_problems(path, item, by_link))
    return problems


def _item_problems(
    path: tuple[str | int, ...], item: dict[str, Any], by_link: dict[str, dict[str, Any]]
) -> list[Problem]:
    problems: list[Problem] = []
    kind = item.get("type")
    if kind not in ITEM_TYPES:
        return [Problem((*path, "type"), f"item type {kind!r} is not one of {', '.join(ITEM_TYPES)}")]
    if kind == "group" and not item.get("item"):
        problems.append(Problem(path, "a group item must have nested items (que-1)"))
    if kind == "display" and (item.get("item") or item.get("required") or item.get("repeats")):
        problems.append(Problem(path, "a display item has no nested items, required or repeats (que-6)"))
    options = item.get("answerOption") or []
    if options and kind not in ("choice", "open-choice"):
        problems.append(Problem((*path, "answerOption"), "only choice and open-choice items have answerOption (que-5)"))
    seen: set[tuple[str, str]] = set()
    for index, option in enumerate(options):
        coding = option.get("valueCoding")
        where = (*path, "answerOption", index, "valueCoding")
        if coding is None:
            continue
        key = coding_key(coding)
        if not key[0] or not key[1]:
            problems.append(Problem(where, "an answer option's coding needs a system and a code"))
        elif key in seen:
            problems.append(Problem(where, f"answer option {key[1]!r} ({key[0]}) is listed twice"))
        seen.add(key)
    conditions = item.get("enableWhen") or []
    if len(conditions) > 1 and item.get("enableBehavior") not in ENABLE_BEHAVIOR:
        problems.append(Problem((*path, "enableBehavior"), "more than one enableWhen needs enableBehavior all or any"))
    for index, condition in enumerate(conditions):
        problems.extend(_condition_problems((*path, "enableWhen", index), condition, item, by_link))
    return problems


def _condition_problems(
    path: tuple[str | int, ...], condition: dict[str, Any], item: dict[str, Any], by_link: dict[str, dict[str, Any]]
) -> list[Problem]:
    target = by_link.get(str(condition.get("question")))
    if target is None or target is item:
        return [Problem((*path, "question"), f"enableWhen names no other item: {condition.get('question')!r}")]
    operator = condition.get("operator")
    if operator not in OPERATORS:
        return [Problem((*path, "operator"), f"operator {operator!r} is not one of {', '.join(OPERATORS)}")]
    answers = [key for key in condition if key.startswith("answer")]
    if operator == "exists":
        return [] if answers == ["answerBoolean"] else [Problem(path, "`exists` takes answerBoolean")]
    expected = VALUE_KEYS.get(str(target.get("type")), "").replace("value", "answer", 1)
    if answers != [expected]:
        return [Problem(path, f"the question is of type {target.get('type')}: the condition needs {expected}")]
    if expected == "answerCoding":
        allowed = {coding_key(o.get("valueCoding")) for o in target.get("answerOption") or []}
        if coding_key(condition["answerCoding"]) not in allowed:
            code = condition["answerCoding"].get("code")
            return [Problem((*path, "answerCoding"), f"{code!r} is not an answer option of {target.get('linkId')}")]
    return []


def questionnaire_problems(data: object) -> list[Problem]:
    """Every problem of a Questionnaire: structure first; bindings only of a well-formed one."""
    problems = structure_problems(data, "Questionnaire")
    if problems or not isinstance(data, dict):  # not a dict: the structure check said so
        return problems
    return binding_problems(data)
