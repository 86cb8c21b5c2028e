"""The criterion types' registry: every type implements the whole interface, and no fingerprint moves."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from aiassure.rubrics.loader import RubricLibrary
from aiassure.rubrics.parts import AnswerShape, CriterionBase
from aiassure.rubrics.types import CRITERION_TYPES, Criterion, absent_defaults, own_keys, type_name

ROOT = Path(__file__).resolve().parents[2]

# The fingerprints of rubric format 1.0's canonical form: moving one would orphan stored results.
PINNED = {
    "nhs-ai-readiness@1.0.0": "b01be385d57bbbb5f08382eb159340b9b0ed78de1d9c7ae10023d319d9fd48ba",
    "nhs-ai-technology@1.0.0": "37888447372439cb991eab9b264245fff793c257e95f0d760c0c79ee91503cc0",
    "examples/local-rubric/northshire-ai-readiness.yaml": (
        "d32e130ec48f1203b560273400adb597f124104768a4fac3f95eb86b41cdc9b5"
    ),
    "tests/registry/data/rubrics/tiny-org-1.yaml": "a33e533fbf0e70257a65bcd27adb4ad60344dbcf1bbff1cbfd186acc83d44ffd",
    "tests/registry/data/rubrics/tiny-tech.yaml": "b2fdd6f398cf773ea765aadcf3b3c1544c7eca55480203589765d4e678fdcb50",
}
INTERFACE = [
    name
    for name, member in inspect.getmembers(CriterionBase)
    if getattr(member, "__isabstractmethod__", False)
]


def test_the_registry_lists_the_seven_types_of_the_rubric_format() -> None:
    assert list(CRITERION_TYPES) == ["level", "yes_no", "choice", "multi", "number", "checklist", "text"]


def test_the_interface_is_the_whole_list_of_what_a_type_owns() -> None:
    assert sorted(INTERFACE) == sorted(
        [
            "answer_lines",
            "claimed_level",
            "lint",
            "parse_reply",
            "read_value",
            "report_text",
            "reply_hint",
            "spoken",
            "value_schema",
        ]
    )


@pytest.mark.parametrize("name", list(CRITERION_TYPES))
def test_each_type_implements_the_whole_interface(name: str) -> None:
    cls = CRITERION_TYPES[name]
    assert not inspect.isabstract(cls), f"{name} leaves {sorted(cls.__abstractmethods__)} unimplemented"
    for method in INTERFACE:
        assert getattr(cls, method) is not getattr(CriterionBase, method), f"{name} does not define {method}"
    assert type_name(cls) == name
    assert cls.answer_shape in AnswerShape.__args__  # type: ignore[attr-defined]
    assert inspect.getmodule(cls).__name__ == f"aiassure.rubrics.types.{name}"  # type: ignore[union-attr]


@pytest.mark.parametrize("name", list(CRITERION_TYPES))
def test_the_union_reads_each_type_by_its_name(name: str) -> None:
    from pydantic import TypeAdapter

    data = {"id": "c1", "question": "Q?", "type": name}
    assert type(TypeAdapter(Criterion).validate_python(data)) is CRITERION_TYPES[name]


def test_a_criterion_without_a_type_is_a_level_criterion() -> None:
    from pydantic import TypeAdapter

    assert type(TypeAdapter(Criterion).validate_python({"id": "c1", "question": "Q?"})).__name__ == "LevelCriterion"


def test_a_stored_definition_with_every_type_key_reads_back() -> None:
    """Definitions stored by the registry carry every type's keys, as nulls where absent."""
    from pydantic import TypeAdapter

    stored = absent_defaults() | {"id": "c1", "question": "Q?", "type": "yes_no", "yes_level": 3}
    criterion = TypeAdapter(Criterion).validate_python(stored)
    assert criterion.claimed_level("yes", 5) == 3
    assert own_keys("yes_no") == {"yes_level", "no_level"}


@pytest.mark.parametrize("ref", list(PINNED))
def test_fingerprints_do_not_move(ref: str) -> None:
    given = ROOT / ref if ref.endswith(".yaml") else ref
    assert RubricLibrary([]).resolve(str(given)).fingerprint == PINNED[ref]
