"""The criterion types: one module each, registered here; the criterion is their union, told apart by `type`."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, get_args

from pydantic import Discriminator, Tag

from ..parts import CriterionBase
from .checklist import ChecklistCriterion, Element
from .choice import ChoiceCriterion
from .level import LevelCriterion
from .multi import MultiCriterion
from .number import NumberCriterion
from .text import TextCriterion
from .yes_no import YesNoCriterion


# Every criterion type by its `type` name, in the order the rubric format lists them.
def type_name(cls: type[CriterionBase]) -> str:
    """The `type` a criterion class answers to (its `type` field's one literal)."""
    name: str = get_args(cls.model_fields["type"].annotation)[0]
    return name


CRITERION_TYPES: dict[str, type[CriterionBase]] = {
    type_name(cls): cls
    for cls in (
        LevelCriterion,
        YesNoCriterion,
        ChoiceCriterion,
        MultiCriterion,
        NumberCriterion,
        ChecklistCriterion,
        TextCriterion,
    )
}
DEFAULT_TYPE = "level"
# A union member's name in pydantic's error locations (diagnose.py leaves such parts out).
TAG_PREFIX = "type="


def _type_of(data: Any) -> str:
    given = data.get("type", DEFAULT_TYPE) if isinstance(data, dict) else getattr(data, "type", DEFAULT_TYPE)
    return f"{TAG_PREFIX}{given}"


# The criterion: one of the types above, told apart by `type` (`level` where it is left out). A new
# type is a module here, a member of this union and an entry of CRITERION_TYPES.
Criterion = Annotated[
    Annotated[LevelCriterion, Tag(f"{TAG_PREFIX}level")]
    | Annotated[YesNoCriterion, Tag(f"{TAG_PREFIX}yes_no")]
    | Annotated[ChoiceCriterion, Tag(f"{TAG_PREFIX}choice")]
    | Annotated[MultiCriterion, Tag(f"{TAG_PREFIX}multi")]
    | Annotated[NumberCriterion, Tag(f"{TAG_PREFIX}number")]
    | Annotated[ChecklistCriterion, Tag(f"{TAG_PREFIX}checklist")]
    | Annotated[TextCriterion, Tag(f"{TAG_PREFIX}text")],
    Discriminator(
        _type_of,
        custom_error_type="criterion_type",
        custom_error_message=f"Input should be one of {', '.join(map(repr, CRITERION_TYPES))}",
        custom_error_context={"key": "type"},  # where diagnose.py locates the error: at `type:`
    ),
]


@cache
def own_keys(name: str) -> frozenset[str]:
    """The keys criteria of type `name` have beyond the ones every criterion has."""
    return frozenset(CRITERION_TYPES[name].model_fields) - frozenset(CriterionBase.model_fields)


@cache
def type_specific_keys() -> frozenset[str]:
    """Every key that belongs to one type or more."""
    return frozenset().union(*(own_keys(name) for name in CRITERION_TYPES))


@cache
def absent_defaults() -> dict[str, Any]:
    """Each type-specific key with its default: the canonical form of a criterion carries them all,
    as the one criterion model of rubric format 1.0 did, so that no fingerprint moves."""
    defaults: dict[str, Any] = {}
    for name, cls in CRITERION_TYPES.items():
        for key in own_keys(name):
            defaults.setdefault(key, cls.model_fields[key].get_default(call_default_factory=True))
    return defaults


__all__ = [
    "CRITERION_TYPES",
    "Criterion",
    "CriterionBase",
    "Element",
    "absent_defaults",
    "own_keys",
    "type_name",
    "type_specific_keys",
]
