"""Rubric checks (SPEC 3.7): each error and warning, located in the rubric file."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiassure.errors import Diagnostic, InputError
from aiassure.rubrics.lint import applies_if_cycle
from aiassure.rubrics.loader import RubricLibrary

# A clean rubric: no error and no warning. Tests replace one line (or add some) at a time.
CLEAN = """\
id: clean
version: 1.0.0
title: Clean rubric
subject: technology
scale:
  - {level: 0, label: Absent}
  - {level: 1, label: Partial}
  - {level: 2, label: Full}
pillars:
  - {id: safe, title: Safe}
  - {id: ethical, title: Ethical, weight: 2}
domains:
  - id: gov
    title: Governance
    pillar: safe
    criteria:
      - id: gov-01
        question: Is there an owner?
        levels: {0: None, 1: Informal, 2: Named}
        gate: {min_level: 1, cap: 1, scope: pillar}
        references: [{framework: DTAC, id: C1.1}]
      - id: gov-02
        question: Is there a safety case?
        type: yes_no
        yes_level: 2
        references: [{framework: DCB0129, id: "2.1"}]
  - id: ethics
    title: Ethics
    pillar: ethical
    criteria:
      - id: eth-01
        question: How is bias checked?
        type: choice
        options: [{id: none, label: Not checked, level: 0}, {id: audit, label: Audited, level: 2}]
        applies_if: [{criterion: gov-02, in: [yes]}]
        references: [{framework: NICE-ESF, id: "4"}]
      - id: eth-02
        question: Which checks were run?
        type: multi
        options: [{id: a, label: A}, {id: b, label: B, points: 2}]
        thresholds: [{min: 1, level: 1}, {min: 3, level: 2}]
        references: [{framework: NICE-ESF, id: "5"}]
      - id: eth-03
        question: Error rate (%)
        type: number
        direction: lower_is_better
        range: [0, 100]
        thresholds: [{max: 10, level: 1}, {max: 2, level: 2}]
        references: [{framework: NICE-ESF, id: "6"}]
      - id: eth-04
        question: Transparency
        type: checklist
        elements: [{id: t1, text: Record drafted, level: 1}, {id: t2, text: Record published, level: 2}]
        applies_if: [{criterion: eth-01, at_least: 1}]
        references: [{framework: ATRS, id: Tier 1}]
outcomes:
  - {id: ok, label: OK, when: {overall_at_least: 1, pillars_at_least: {safe: 2}}}
"""


def lint(write, library: RubricLibrary, text: str) -> list[Diagnostic]:
    """Every diagnostic of a rubric file: errors (raised) or warnings (when it loads)."""
    path = write("rubric.yaml", text)
    try:
        return list(library.load_path(path).warnings)
    except InputError as exc:
        return exc.diagnostics


def replaced(old: str, new: str) -> str:
    assert CLEAN.count(old) == 1, old
    return CLEAN.replace(old, new)


def at(path: Path, needle: str) -> str:
    """`file:line:col` of the first occurrence of `needle`; with `before|target`, of the target after `before`."""
    before, _, target = needle.rpartition("|")
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if before + target in line:
            return f"{path}:{number}:{line.index(before + target) + len(before) + 1}"
    raise AssertionError(f"{needle!r} is not in {path}")


def test_the_clean_rubric_is_clean(write, library) -> None:
    assert lint(write, library, CLEAN) == []


def expect(
    write, library, text: str, code: str, needle: str, *, path: str | None = None, severity: str = "error"
) -> Diagnostic:
    """The single diagnostic with this code, at the first occurrence of `needle`."""
    diagnostics = lint(write, library, text)
    matching = [d for d in diagnostics if d.code == code]
    assert len(matching) == 1, [d.format() for d in diagnostics]
    diagnostic = matching[0]
    assert diagnostic.severity == severity
    assert str(diagnostic.location) == at(Path(diagnostic.location.file), needle)
    if path is not None:
        assert diagnostic.path == path
    return diagnostic


# --- errors -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "needle", "path", "hint"),
    [
        ("title: Clean rubric", "titel: Clean rubric", "titel", "titel", "did you mean title?"),
        (
            "        question: Is there an owner?",
            "        questoin: Is there an owner?",
            "questoin",
            "domains[0].criteria[0].questoin",
            "did you mean question?",
        ),
        ("scope: pillar}", "scop: pillar}", "scop", "domains[0].criteria[0].gate.scop", "did you mean scope?"),
        (
            "{id: a, label: A}",
            "{id: a, label: A, lable: B}",
            "lable",
            "domains[1].criteria[1].options[0].lable",
            "did you mean label?",
        ),
        (
            "  - {id: safe, title: Safe}",
            "  - {id: safe, title: Safe, colour: red}",
            "colour",
            "pillars[0].colour",
            "allowed keys here: id, title, weight, description",
        ),
    ],
)
def test_unknown_keys(write, library, old, new, needle, path, hint) -> None:
    diagnostic = expect(write, library, replaced(old, new), "unknown-key", needle, path=path)
    assert diagnostic.hint == hint


@pytest.mark.parametrize(
    ("old", "new", "needle", "path"),
    [
        ("      - id: gov-02", "      - id: gov-01", "gov-01", "domains[0].criteria[1].id"),
        ("  - id: ethics", "  - id: gov", "gov", "domains[1].id"),
        (
            "  - {id: ethical, title: Ethical, weight: 2}",
            "  - {id: safe, title: Ethical, weight: 2}",
            "safe",
            "pillars[1].id",
        ),
        (
            "{id: audit, label: Audited, level: 2}",
            "{id: none, label: Audited, level: 2}",
            "none",
            "domains[1].criteria[0].options[1].id",
        ),
        (
            "{id: t2, text: Record published",
            "{id: t1, text: Record published",
            "t1",
            "domains[1].criteria[3].elements[1].id",
        ),
        (
            "  - {id: ok, label: OK,",
            "  - {id: ok, label: Fine, when: {}}\n  - {id: ok, label: OK,",
            "ok",
            "outcomes[1].id",
        ),
    ],
    ids=["criterion", "domain", "pillar", "option", "element", "outcome"],
)
def test_duplicate_ids(write, library, old, new, needle, path) -> None:
    text = replaced(old, new)
    diagnostics = [d for d in lint(write, library, text) if d.code == "duplicate-id"]
    assert [d.path for d in diagnostics] == [path]
    # Located at the second of the two, the one `new` put in.
    offset = CLEAN.index(old) + new.rindex(needle)
    line = text[:offset].count("\n") + 1
    column = offset - text.rfind("\n", 0, offset)
    assert (diagnostics[0].location.line, diagnostics[0].location.column) == (line, column)


@pytest.mark.parametrize(
    ("old", "new", "code", "needle", "hint"),
    [
        ("    pillar: ethical\n", "    pillar: ethicall\n", "unknown-pillar", "ethicall", "did you mean ethical?"),
        (
            "        question: Is there an owner?\n",
            "        question: Is there an owner?\n        pillar: effective\n",
            "unknown-pillar",
            "effective",
            "",
        ),
        ("pillars_at_least: {safe: 2}", "pillars_at_least: {saef: 2}", "unknown-pillar", "saef", "did you mean safe?"),
        (
            "{criterion: gov-02, in: [yes]}",
            "{criterion: gov-2, in: [yes]}",
            "unknown-criterion",
            "gov-2",
            "did you mean gov-02?",
        ),
        (
            "{criterion: eth-01, at_least: 1}",
            "{criterion: eth-01, in: [audit, audti]}",
            "unknown-option",
            "audti",
            "did you mean audit?",
        ),
        (
            "{criterion: gov-02, in: [yes]}",
            "{criterion: gov-02, in: [maybe]}",
            "unknown-option",
            "maybe",
            "expected one of: yes, no",
        ),
        (
            "{criterion: gov-02, in: [yes]}",
            "{criterion: gov-01, in: [7]}",
            "unknown-option",
            "7",
            "expected one of: 0, 1, 2",
        ),
    ],
)
def test_references_that_do_not_exist(write, library, old, new, code, needle, hint) -> None:
    diagnostic = expect(write, library, replaced(old, new), code, needle)
    assert diagnostic.hint == hint


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("levels: {0: None, 1: Informal, 2: Named}", "levels: {0: None, 1: Informal, 2: Named, 3: Audited}", "Audited"),
        ("gate: {min_level: 1, cap: 1,", "gate: {min_level: 1, cap: 3,", "3, scope"),
        ("gate: {min_level: 1, cap: 1,", "gate: {min_level: 1, cap: -1,", "-1"),
        ("gate: {min_level: 1, cap: 1,", "gate: {min_level: 0, cap: 1,", "0, cap"),
        ("gate: {min_level: 1, cap: 1,", "gate: {min_level: 3, cap: 1,", "3, cap"),
        ("        yes_level: 2", "        yes_level: 5", "5"),
        ("{id: audit, label: Audited, level: 2}", "{id: audit, label: Audited, level: 4}", "4}"),
        ("{min: 3, level: 2}", "{min: 3, level: 3}", "3}]"),
        ("{id: t1, text: Record drafted, level: 1}", "{id: t1, text: Record drafted, level: 0}", "drafted, level: |0"),
        ("{criterion: eth-01, at_least: 1}", "{criterion: eth-01, at_least: 3}", "3}]"),
        ("when: {overall_at_least: 1,", "when: {overall_at_least: 6,", "6,"),
        ("pillars_at_least: {safe: 2}", "pillars_at_least: {safe: 9}", "9}"),
        (
            "        question: Is there an owner?\n",
            "        question: Is there an owner?\n        evidence_from: 3\n",
            "evidence_from: |3",
        ),
        (
            "        question: Is there an owner?\n",
            "        question: Is there an owner?\n        evidence_from: 0\n",
            "evidence_from: |0",
        ),
    ],
)
def test_levels_and_caps_outside_the_scale(write, library, old, new, needle) -> None:
    diagnostic = expect(write, library, replaced(old, new), "out-of-scale", needle.replace("\n", ""))
    assert "outside the scale" in diagnostic.message


@pytest.mark.parametrize(
    "scale",
    [
        "[{level: 0, label: A}, {level: 1, label: B}, {level: 3, label: C}]",
        "[{level: 1, label: A}, {level: 2, label: B}]",
        "[{level: 0, label: A}]",
        "[{level: 0, label: A}, {level: 1, label: B}, {level: 1, label: C}, {level: 2, label: D}]",
        "[" + ", ".join(f"{{level: {i}, label: L{i}}}" for i in range(12)) + "]",
    ],
    ids=["gap", "no-zero", "only-zero", "repeated", "eleven"],
)
def test_a_scale_must_be_0_to_n_contiguous(write, library, scale) -> None:
    text = CLEAN.split("scale:\n")[0] + f"scale: {scale}\n" + "pillars:" + CLEAN.split("pillars:", 1)[1]
    diagnostics = [d for d in lint(write, library, text) if d.code == "bad-scale"]
    assert len(diagnostics) == 1
    assert diagnostics[0].location.line == 5


def test_a_scale_of_ten_levels_is_fine(write, library) -> None:
    scale = "[" + ", ".join(f"{{level: {i}, label: L{i}}}" for i in range(11)) + "]"
    text = CLEAN.split("scale:\n")[0] + f"scale: {scale}\n" + "pillars:" + CLEAN.split("pillars:", 1)[1]
    assert not [d for d in lint(write, library, text) if d.is_error]


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        (
            "thresholds: [{min: 1, level: 1}, {min: 3, level: 2}]",
            "thresholds: [{min: 3, level: 1}, {min: 3, level: 2}]",
            "{min: 3, level: 2}",
        ),
        (
            "thresholds: [{min: 1, level: 1}, {min: 3, level: 2}]",
            "thresholds: [{min: 3, level: 1}, {min: 1, level: 2}]",
            "{min: 1, level: 2}",
        ),
        (
            "thresholds: [{max: 10, level: 1}, {max: 2, level: 2}]",
            "thresholds: [{max: 2, level: 1}, {max: 10, level: 2}]",
            "{max: 10, level: 2}",
        ),
        (
            "thresholds: [{max: 10, level: 1}, {max: 2, level: 2}]",
            "thresholds: [{max: 10, level: 1}, {max: 10, level: 2}]",
            "{max: 10, level: 2}",
        ),
        (
            "thresholds: [{max: 10, level: 1}, {max: 2, level: 2}]",
            "thresholds: [{max: 10, level: 2}, {max: 2, level: 1}]",
            "{max: 2, level: 1}",
        ),
    ],
    ids=["min-equal", "min-decreasing", "max-increasing", "max-equal", "levels-decreasing"],
)
def test_thresholds_must_be_strictly_ordered(write, library, old, new, needle) -> None:
    expect(write, library, replaced(old, new), "thresholds-order", needle)


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        (
            "thresholds: [{max: 10, level: 1}, {max: 2, level: 2}]",
            "thresholds: [{min: 10, level: 1}, {min: 20, level: 2}]",
            "min",
        ),
        (
            "thresholds: [{min: 1, level: 1}, {min: 3, level: 2}]",
            "thresholds: [{max: 3, level: 1}, {max: 1, level: 2}]",
            "max",
        ),
    ],
)
def test_thresholds_must_use_the_bound_of_their_direction(write, library, old, new, needle) -> None:
    diagnostics = [d for d in lint(write, library, replaced(old, new)) if d.code == "wrong-type-key"]
    assert len(diagnostics) == 2 and all(d.path.endswith(f".{needle}") for d in diagnostics)


def test_applies_if_cycles(write, library) -> None:
    text = replaced(
        "        yes_level: 2\n",
        "        yes_level: 2\n        applies_if: [{criterion: eth-04, in: [t1]}]\n",
    )
    diagnostic = expect(write, library, text, "applies-if-cycle", "applies_if: |[{criterion: eth-04")
    assert "gov-02 -> eth-04 -> eth-01 -> gov-02" in diagnostic.message


def test_a_criterion_depending_on_itself(write, library) -> None:
    text = replaced("{criterion: gov-02, in: [yes]}", "{criterion: eth-01, in: [audit]}")
    diagnostics = [d for d in lint(write, library, text) if d.code == "applies-if-cycle"]
    assert diagnostics and all(d.is_error for d in diagnostics)
    assert any("depends on itself" in d.message for d in diagnostics)


def test_applies_if_cycle_finds_long_cycles_and_none_where_there_is_none() -> None:
    from aiassure.rubrics.model import Rubric

    def rubric(links: dict[str, str | None]) -> Rubric:
        criteria = [
            {"id": ident, "question": "?", **({"applies_if": [{"criterion": target, "at_least": 1}]} if target else {})}
            for ident, target in links.items()
        ]
        return Rubric.model_validate(
            {
                "id": "x",
                "version": "1.0.0",
                "title": "X",
                "subject": "organisation",
                "domains": [{"id": "d", "title": "D", "pillar": "safe", "criteria": criteria}],
            }
        )

    assert applies_if_cycle(rubric({"a": "b", "b": "c", "c": "d", "d": None})) is None
    assert applies_if_cycle(rubric({"a": "b", "b": "c", "c": "d", "d": "b"})) == ["b", "c", "d", "b"]


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("        question: Is there an owner?\n", "        question: Is there an owner?\n        weight: -1\n", "-1"),
        ("{id: ethical, title: Ethical, weight: 2}", "{id: ethical, title: Ethical, weight: -0.5}", "-0.5"),
        (
            "        question: Is there an owner?\n",
            "        question: Is there an owner?\n        weight: .nan\n",
            ".nan",
        ),
    ],
)
def test_negative_weights(write, library, old, new, needle) -> None:
    diagnostic = expect(write, library, replaced(old, new), "invalid-value", needle)
    assert "got" in diagnostic.message


@pytest.mark.parametrize(
    ("old", "new", "code", "needle"),
    [
        (
            "        gate: {min_level: 1, cap: 1, scope: pillar}\n",
            "        gate: {min_level: 1, cap: 1, scope: pillar}\n        pillar: unsafe\n",
            "unknown-pillar",
            "unsafe",
        ),
        (
            "        options: [{id: none, label: Not checked, level: 0}, {id: audit, label: Audited, level: 2}]\n",
            "",
            "missing-options",
            "id: eth-01",
        ),
        ("        thresholds: [{min: 1, level: 1}, {min: 3, level: 2}]\n", "", "missing-thresholds", "id: eth-02"),
        (
            "        elements: [{id: t1, text: Record drafted, level: 1}, "
            "{id: t2, text: Record published, level: 2}]\n",
            "",
            "missing-elements",
            "id: eth-04",
        ),
        ("        yes_level: 2\n", "        yes_level: 2\n        unit: days\n", "wrong-type-key", "unit"),
        ("{id: a, label: A}", "{id: a, label: A, level: 1}", "wrong-type-key", "level: 1}"),
        (
            "{id: none, label: Not checked, level: 0}",
            "{id: none, label: Not checked, level: 0, points: 1}",
            "wrong-type-key",
            "points",
        ),
        ("{id: none, label: Not checked, level: 0}", "{id: none, label: Not checked}", "missing-key", "{id: none"),
        (
            "{criterion: gov-02, in: [yes]}",
            "{criterion: gov-02, in: [yes], at_least: 1}",
            "bad-condition",
            "{criterion: gov-02",
        ),
        ("{criterion: gov-02, in: [yes]}", "{criterion: gov-02}", "bad-condition", "{criterion: gov-02"),
        ("range: [0, 100]", "range: [100, 0]", "bad-range", "[100, 0]"),
    ],
)
def test_other_structural_errors(write, library, old, new, code, needle) -> None:
    expect(write, library, replaced(old, new), code, needle)


def test_a_criterion_without_a_pillar(write, library) -> None:
    diagnostics = [d for d in lint(write, library, replaced("    pillar: safe\n", "")) if d.code == "no-pillar"]
    assert [d.path for d in diagnostics] == ["domains[0].criteria[0]", "domains[0].criteria[1]"]
    assert diagnostics[0].hint == "add `pillar:` to the criterion or its domain"


def test_text_criteria_take_no_gate_or_evidence(write, library) -> None:
    text = replaced(
        "        question: Is there a safety case?\n        type: yes_no\n        yes_level: 2\n",
        "        question: Anything else?\n        type: text\n"
        "        gate: {min_level: 1, cap: 0}\n        evidence_from: 1\n",
    )
    diagnostics = [d for d in lint(write, library, text) if d.code == "text-not-scored"]
    assert sorted(d.path for d in diagnostics) == [
        "domains[0].criteria[1].evidence_from",
        "domains[0].criteria[1].gate",
    ]


def test_remove_without_extends(write, library) -> None:
    expect(write, library, CLEAN + "remove: [gov-01]\n", "remove-without-extends", "remove")


def test_all_errors_of_a_rubric_are_reported_together(write, library) -> None:
    text = (
        replaced("gate: {min_level: 1, cap: 1,", "gate: {min_level: 1, cap: 7,")
        .replace("    pillar: ethical\n", "    pillar: ethicall\n")
        .replace("{criterion: gov-02, in: [yes]}", "{criterion: gov-2, in: [yes]}")
    )
    codes = sorted(d.code for d in lint(write, library, text) if d.is_error)
    assert codes == ["out-of-scale", "unknown-criterion", "unknown-pillar"]


def test_schema_errors_are_all_reported(write, library) -> None:
    text = replaced("title: Clean rubric", "titel: Clean rubric").replace(
        "        type: yes_no\n", "        type: boolean\n"
    )
    diagnostics = lint(write, library, text)
    assert sorted((d.code, d.path) for d in diagnostics) == [
        ("invalid-value", "domains[0].criteria[1].type"),
        ("missing-key", ""),
        ("unknown-key", "titel"),
    ]


# --- warnings -------------------------------------------------------------------------------------------


def test_missing_level_descriptors(write, library) -> None:
    diagnostic = expect(
        write,
        library,
        replaced("levels: {0: None, 1: Informal, 2: Named}", "levels: {0: None, 2: Named}"),
        "missing-descriptor",
        "{0: None",
        severity="warning",
    )
    assert "level(s) 1" in diagnostic.message


def test_a_level_criterion_without_descriptors(write, library) -> None:
    diagnostic = expect(
        write,
        library,
        replaced("        levels: {0: None, 1: Informal, 2: Named}\n", ""),
        "missing-descriptor",
        "id: gov-01",
        severity="warning",
    )
    assert "0, 1, 2" in diagnostic.message


def test_a_criterion_without_references(write, library) -> None:
    text = replaced('        references: [{framework: DCB0129, id: "2.1"}]\n', "")
    expect(write, library, text, "no-references", "id: gov-02", severity="warning")


def test_a_pillar_with_no_criteria(write, library) -> None:
    text = replaced("pillars:\n", "pillars:\n  - {id: effective, title: Effective}\n")
    expect(write, library, text, "empty-pillar", "{id: effective", severity="warning")


def test_a_checklist_with_a_gap(write, library) -> None:
    text = replaced("{id: t2, text: Record published, level: 2}", "{id: t2, text: Record published, level: 1}")
    diagnostic = expect(write, library, text, "checklist-gap", "elements: |[{id: t1", severity="warning")
    assert "level(s) 2" in diagnostic.message


def test_evidence_age_without_evidence_from(write, library) -> None:
    text = replaced("        yes_level: 2\n", "        yes_level: 2\n        evidence_max_age_days: 365\n")
    expect(write, library, text, "recency-without-evidence", "evidence_max_age_days: |365", severity="warning")


def test_warnings_alone_do_not_stop_a_rubric_from_loading(write, library) -> None:
    text = replaced('        references: [{framework: DCB0129, id: "2.1"}]\n', "").replace(
        "pillars:\n", "pillars:\n  - {id: effective, title: Effective}\n"
    )
    path = write("rubric.yaml", text)
    loaded = library.load_path(path)
    assert sorted(d.code for d in loaded.warnings) == ["empty-pillar", "no-references"]
    assert all(not d.is_error for d in loaded.warnings)
