"""Fuzz loading rubrics (and `extends`), then scoring answers against those that load (issue 6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from fuzz_strategies import any_value, block_document, dump, mutated, plausible_answer, text_mutation
from fuzz_support import FIXTURE_RUBRIC, FUZZ, load_rubric, score_answers
from hypothesis import given
from hypothesis import strategies as st

from aiassure.rubrics.loader import RubricLibrary
from aiassure.rubrics.model import CRITERION_TYPES

RUBRIC_TEXT = FIXTURE_RUBRIC.read_text(encoding="utf-8")
RUBRIC_DATA = yaml.safe_load(RUBRIC_TEXT)
BASE_REF = f"{RUBRIC_DATA['id']}@{RUBRIC_DATA['version']}"

IDS = ["a", "b", "c", "gov-01", "perf-01", "x"]
PILLARS = ["safe", "ethical", "effective", "other"]
# Numbers at the edges: the scale's ends, past them, huge, tiny, and not finite.
NUMBER = st.one_of(
    st.integers(-2, 12),
    st.sampled_from([0.5, 1e308, -1e308, 5e-324, float("nan"), float("inf"), 10**30]),
    st.floats(),
)
LEVEL = st.one_of(st.integers(-1, 6), NUMBER)
# Weights mostly at the extremes: sums of huge weights must not overflow into a NaN score.
WEIGHT = st.one_of(st.sampled_from([0, 1, 1_000_000, 1_000_001, 1e308]), NUMBER)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> RubricLibrary:
    """A search path holding only the fixture rubric, so `extends` has a base to find."""
    folder: Path = tmp_path_factory.mktemp("rubric-path")
    (folder / FIXTURE_RUBRIC.name).write_text(RUBRIC_TEXT, encoding="utf-8")
    return RubricLibrary([folder], use_env=False)


condition = st.fixed_dictionaries(
    {"criterion": st.sampled_from(IDS)},
    optional={
        "in": st.lists(st.one_of(st.sampled_from(["iia", "yes", "no", True, "drift"]), st.integers(0, 5)), max_size=3),
        "at_least": LEVEL,
    },
)
threshold = st.fixed_dictionaries({"level": LEVEL}, optional={"min": NUMBER, "max": NUMBER})
criterion = st.fixed_dictionaries(
    {"id": st.sampled_from(IDS), "question": st.just("Q?")},
    optional={
        "type": st.sampled_from(tuple(CRITERION_TYPES)),
        "pillar": st.sampled_from(PILLARS),
        "weight": WEIGHT,
        "levels": st.dictionaries(LEVEL, st.just("descriptor"), max_size=4),
        "allow_na": st.booleans(),
        "evidence_from": LEVEL,
        "evidence_max_age_days": st.integers(-1, 10**6),
        "applies_if": st.lists(condition, max_size=2),
        "gate": st.fixed_dictionaries(
            {"min_level": LEVEL, "cap": LEVEL},
            optional={"scope": st.sampled_from(["domain", "pillar", "overall", "galaxy"])},
        ),
        "yes_level": LEVEL,
        "no_level": LEVEL,
        "options": st.lists(
            st.fixed_dictionaries(
                {"id": st.sampled_from(["drift", "audit", "iia", "na", "x"]), "label": st.just("L")},
                optional={"level": LEVEL, "points": NUMBER},
            ),
            max_size=4,
        ),
        "thresholds": st.lists(threshold, max_size=4),
        "direction": st.sampled_from(["higher_is_better", "lower_is_better"]),
        "range": st.lists(NUMBER, min_size=2, max_size=2),
        "elements": st.lists(
            st.fixed_dictionaries({"id": st.sampled_from(["e1", "e2", "e3"]), "text": st.just("T"), "level": LEVEL}),
            max_size=4,
        ),
        "references": st.just([{"framework": "X", "id": "1"}]),
    },
)
generated_rubric = st.fixed_dictionaries(
    {
        "id": st.just("fuzz"),
        "version": st.just("1.0.0"),
        "title": st.just("Fuzz"),
        "subject": st.sampled_from(["technology", "organisation"]),
        "domains": st.lists(
            st.fixed_dictionaries(
                {
                    "id": st.sampled_from(["d1", "d2", "d3"]),
                    "title": st.just("D"),
                    "criteria": st.lists(criterion, max_size=4),
                },
                optional={"pillar": st.sampled_from(PILLARS)},
            ),
            min_size=1,
            max_size=3,
        ),
    },
    optional={
        "scale": st.lists(
            st.fixed_dictionaries({"level": LEVEL, "label": st.sampled_from(["A", "B", "C", "D"])}), max_size=12
        ),
        "pillars": st.lists(
            st.fixed_dictionaries({"id": st.sampled_from(PILLARS), "title": st.just("P")}, optional={"weight": WEIGHT}),
            max_size=4,
        ),
        "overall": st.fixed_dictionaries({"method": st.sampled_from(["min", "mean", "max"])}),
        "outcomes": st.lists(
            st.fixed_dictionaries(
                {"id": st.sampled_from(["ok", "no"]), "label": st.just("O")},
                optional={
                    "when": st.fixed_dictionaries(
                        {},
                        optional={
                            "overall_at_least": LEVEL,
                            "pillars_at_least": st.dictionaries(st.sampled_from(PILLARS), LEVEL, max_size=2),
                            "no_failed_gates": st.booleans(),
                            "min_completeness": NUMBER,
                        },
                    )
                },
            ),
            max_size=3,
        ),
    },
)


@st.composite
def _thresholds(draw: st.DrawFn, top: int) -> list[tuple[float, int]]:
    """(bound, level) pairs, both strictly increasing, as lint demands."""
    bounds = sorted(
        set(draw(st.lists(st.one_of(st.floats(-1e300, 1e300), st.integers(-3, 10)), min_size=1, max_size=top)))
    )
    levels = sorted(draw(st.lists(st.integers(1, top), min_size=len(bounds), max_size=len(bounds), unique=True)))
    return list(zip(bounds, levels, strict=True))


@st.composite
def scored_rubric(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A rubric that should load, with every type and rule at edge values, and answers for it."""
    top = draw(st.integers(1, 10))
    level = st.integers(0, top)
    pillars = ["safe", "ethical", "effective"]
    criteria: list[dict[str, Any]] = []
    answers: dict[str, Any] = {}
    for index in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(tuple(CRITERION_TYPES)))
        item: dict[str, Any] = {
            "id": f"c{index}",
            "question": "Q?",
            "type": kind,
            "pillar": draw(st.sampled_from(pillars)),
        }
        item["weight"] = draw(st.one_of(st.sampled_from([0, 1, 2.5, 1_000_000]), st.floats(0, 1_000_000)))
        item["allow_na"] = draw(st.booleans())
        item["references"] = [{"framework": "X", "id": "1"}]
        if kind != "text" and draw(st.booleans()):
            item["evidence_from"] = draw(st.integers(1, top))
            if draw(st.booleans()):
                item["evidence_max_age_days"] = draw(st.integers(0, 400))
        if kind != "text" and draw(st.booleans()):
            item["gate"] = {
                "min_level": draw(st.integers(1, top)),
                "cap": draw(level),
                "scope": draw(st.sampled_from(["domain", "pillar", "overall"])),
            }
        earlier = [c for c in criteria if c["type"] != "text"]
        if earlier and draw(st.booleans()):  # only earlier criteria: no cycles
            target = draw(st.sampled_from(earlier))
            if target["type"] == "choice" and draw(st.booleans()):
                item["applies_if"] = [{"criterion": target["id"], "in": [o["id"] for o in target["options"][:1]]}]
            else:
                item["applies_if"] = [{"criterion": target["id"], "at_least": draw(level)}]
        value: st.SearchStrategy[Any]
        if kind == "level":
            value = st.integers(-1, top + 1)
        elif kind == "yes_no":
            if draw(st.booleans()):
                item["yes_level"], item["no_level"] = draw(level), draw(level)
            value = st.sampled_from(["yes", "no", True, False, "maybe"])
        elif kind in ("choice", "multi"):
            count = draw(st.integers(1, 4))
            if kind == "choice":
                item["options"] = [{"id": f"o{j}", "label": "O", "level": draw(level)} for j in range(count)]
                value = st.sampled_from([f"o{j}" for j in range(count + 1)])
            else:
                points = st.one_of(st.integers(-3, 5), st.sampled_from([0.1, 1_000_000, -1_000_000, 5e-324]))
                item["options"] = [{"id": f"o{j}", "label": "O", "points": draw(points)} for j in range(count)]
                item["thresholds"] = [{"min": b, "level": lv} for b, lv in draw(_thresholds(top))]
                value = st.lists(st.sampled_from([f"o{j}" for j in range(count)]), unique=True)
        elif kind == "number":
            pairs = draw(_thresholds(top))
            bounds, levels = [b for b, _ in pairs], [lv for _, lv in pairs]
            if draw(st.booleans()):
                item["direction"] = "lower_is_better"
                item["thresholds"] = [{"max": b, "level": lv} for b, lv in zip(reversed(bounds), levels, strict=True)]
            else:
                item["thresholds"] = [{"min": b, "level": lv} for b, lv in zip(bounds, levels, strict=True)]
            if draw(st.booleans()):
                item["range"] = [-1e300, 1e300]
            value = st.one_of(
                st.floats(), st.integers(), st.sampled_from(bounds), st.sampled_from([1e308, -1e308, 5e-324])
            )
        elif kind == "checklist":
            item["elements"] = [
                {"id": f"e{j}", "text": "T", "level": draw(st.integers(1, top))} for j in range(draw(st.integers(1, 5)))
            ]
            value = st.lists(st.sampled_from([e["id"] for e in item["elements"]]), unique=True)
        else:
            value = st.text(max_size=10)
        criteria.append(item)
        if draw(st.integers(0, 4)):
            answer = draw(st.one_of(value, st.just("na"), any_value))
            if draw(st.booleans()):
                answer = {
                    "level" if kind == "level" else "value": answer,
                    "evidence": [{"title": "E", "url": "https://example.org", "date": draw(st.dates())}],
                }
            answers[item["id"]] = answer
    split = draw(st.integers(1, len(criteria)))
    domains = [
        {"id": f"d{i}", "title": "D", "criteria": part}
        for i, part in enumerate((criteria[:split], criteria[split:]))
        if part
    ]
    rubric = {
        "id": "scored",
        "version": "1.0.0",
        "title": "Scored",
        "subject": "technology",
        "scale": [{"level": lv, "label": f"L{lv}"} for lv in range(top + 1)],
        "pillars": [{"id": p, "title": p, "weight": draw(st.sampled_from([0, 1, 3, 1_000_000]))} for p in pillars],
        "overall": {"method": draw(st.sampled_from(["min", "mean"]))},
        "domains": domains,
        "outcomes": [
            {
                "id": "good",
                "label": "Good",
                "when": {
                    "overall_at_least": draw(level),
                    "no_failed_gates": draw(st.booleans()),
                    "min_completeness": draw(st.floats(0, 1)),
                },
            },
            {"id": "rest", "label": "Rest", "when": {}},
        ],
    }
    return rubric, answers


rubric_values = st.one_of(any_value, NUMBER, st.lists(criterion, max_size=2), condition, threshold)


def test_the_seed_rubric_loads(library: RubricLibrary) -> None:
    assert load_rubric(RUBRIC_TEXT.encode(), library) is not None


@FUZZ
@given(raw=st.binary(max_size=1000))
def test_random_bytes(library: RubricLibrary, raw: bytes) -> None:
    load_rubric(raw, library)


@FUZZ
@given(text=block_document())
def test_random_yaml_documents(library: RubricLibrary, text: str) -> None:
    load_rubric(text.encode("utf-8"), library)


@FUZZ
@given(raw=text_mutation(RUBRIC_TEXT))
def test_text_mutations_of_a_valid_rubric(library: RubricLibrary, raw: bytes) -> None:
    load_rubric(raw, library)


@FUZZ
@given(
    data=mutated(RUBRIC_DATA, rubric_values),
    answers=st.dictionaries(
        st.sampled_from(["gov-01", "gov-02", "gov-03", "perf-01", "perf-02", "eth-01", "eth-02"]),
        plausible_answer(),
        max_size=7,
    ),
)
def test_structural_mutations_of_a_valid_rubric(library: RubricLibrary, data: Any, answers: dict[str, Any]) -> None:
    rubric = load_rubric(dump(data), library)
    if rubric is not None:
        score_answers(rubric, answers)


@FUZZ
@given(
    data=generated_rubric,
    answers=st.dictionaries(
        st.sampled_from(IDS),
        st.one_of(
            plausible_answer(), st.sampled_from(["drift", ["e1", "e2"], ["drift", "audit"], 1e308, -1e308]), NUMBER
        ),
        max_size=6,
    ),
)
def test_generated_rubrics_load_and_score(library: RubricLibrary, data: Any, answers: dict[str, Any]) -> None:
    """Rubrics built field by field from edge values; those that load must score any answers."""
    rubric = load_rubric(dump(data), library)
    if rubric is not None:
        score_answers(rubric, answers)


@FUZZ
@given(case=scored_rubric())
def test_scoring_on_generated_valid_rubrics(
    library: RubricLibrary, case: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    """Valid rubrics of every shape at edge values, and answers of every kind: scoring never fails."""
    data, answers = case
    rubric = load_rubric(dump(data), library)
    assert rubric is not None, "the generator should only build valid rubrics"
    score_answers(rubric, answers)


@FUZZ
@given(
    extension=st.fixed_dictionaries(
        {
            "id": st.just("ext"),
            "version": st.just("1.0.0"),
            "extends": st.sampled_from([BASE_REF, BASE_REF, "missing@1.0.0", "ext@1.0.0", "no-version"]),
        },
        optional={
            "remove": st.one_of(
                st.lists(st.one_of(st.sampled_from(["gov-01", "perf-01", "eth-02", "nope"]), any_value), max_size=3),
                any_value,
            ),
            "domains": st.one_of(
                st.lists(
                    st.fixed_dictionaries(
                        {"id": st.sampled_from(["gov", "perf", "eth", "new"])},
                        optional={
                            "title": st.just("T"),
                            "pillar": st.sampled_from(PILLARS),
                            "criteria": st.lists(criterion, max_size=3),
                        },
                    ),
                    max_size=3,
                ),
                any_value,
            ),
            "title": st.one_of(st.just("Extended"), any_value),
            "scale": st.one_of(st.just([{"level": 0, "label": "No"}, {"level": 1, "label": "Yes"}]), any_value),
        },
    ),
    answers=st.dictionaries(st.sampled_from(["gov-01", "gov-02", "a", "b", "perf-01"]), plausible_answer(), max_size=4),
)
def test_extensions_of_a_rubric(library: RubricLibrary, extension: dict[str, Any], answers: dict[str, Any]) -> None:
    rubric = load_rubric(dump(extension), library)
    if rubric is not None:
        score_answers(rubric, answers)
