"""Submission validation (SPEC 4.1): every error category and warning, located at file:line:column.

Single-diagnostic cases (a wrong value, a duplicate key, a tag, an unknown key) are in
tests/diagnostics/submission.yaml; this module holds the cases a table cannot say."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from aiassure.assessments.replies import ReplyError, evidence_item
from aiassure.assessments.result import to_result
from aiassure.assessments.validate import check_document, load_submission, load_submission_bytes
from aiassure.errors import Diagnostic, InputError
from aiassure.rubrics.loader import RubricLibrary
from aiassure.source import load_file

pytestmark = pytest.mark.usefixtures("tiny_rubric")


def diagnose(
    path: Path, library: RubricLibrary, *, strict: bool = False, max_bytes: int | None = None
) -> list[Diagnostic]:
    """Every diagnostic of a submission file: its errors (raised) or its warnings (when valid)."""
    options = {} if max_bytes is None else {"max_bytes": max_bytes}
    try:
        parsed = load_submission(path, library, strict=strict, **options)
    except InputError as exc:
        assert exc.diagnostics, "an InputError must carry its diagnostics"
        return exc.diagnostics
    return parsed.warnings


def found(path: Path, library: RubricLibrary, **options: object) -> list[tuple[str, str, str]]:
    """(file:line:col, severity, code) of each diagnostic, in the order reported."""
    return [(str(d.location), d.severity, d.code) for d in diagnose(path, library, **options)]


def only(path: Path, library: RubricLibrary, **options: object) -> Diagnostic:
    diagnostics = diagnose(path, library, **options)
    assert len(diagnostics) == 1, [d.format() for d in diagnostics]
    return diagnostics[0]


def at(path: Path, needle: str) -> str:
    """`file:line:col` of the first occurrence of `needle` in the file."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return f"{path}:{number}:{line.index(needle) + 1}"
    raise AssertionError(f"{needle!r} is not in {path}")


def with_answers(valid: str, answers: str) -> str:
    """The valid submission with its answers block replaced."""
    head = valid.split("answers:\n")[0]
    return head + "answers:\n" + answers


def test_the_valid_submission_has_no_diagnostic(write, library, valid_submission) -> None:
    path = write("submission.yaml", valid_submission)
    assert diagnose(path, library) == []
    result = to_result(load_submission(path, library))
    assert result.rubric.id == "tiny" and result.warnings == []


def test_every_error_of_a_file_is_reported_with_its_position(write, library) -> None:
    path = write(
        "submission.yaml",
        """
        rubric: tiny-rubric.yaml
        subject:
          type: organisation
          name: Northshire
          code: RXX
          org_type: acutee
        round: 2026Q4
        assessed_on: 2026-11-20
        assessor: []
        answers:
          gov-01: {level: 7}
          gov-2: yes
          gov-03: {value: local, note: typo}
          eth-01: [eia, bias, eia]
          val-01: 101
          val-02: {value: [defined], evidence: [{title: Doc, url: "javascript:alert(1)"}]}
          eth-03: maybe
        """,
    )
    diagnostics = diagnose(path, library)
    located = [(str(d.location), d.code, d.path) for d in diagnostics]
    assert located == [
        (f"{path}:6:13", "invalid-value", "subject.org_type"),
        (f"{path}:7:8", "invalid-value", "round"),
        (f"{path}:9:1", "unknown-key", "assessor"),
        (f"{path}:11:19", "invalid-answer", "answers.gov-01.level"),
        (f"{path}:12:3", "unknown-criterion", "answers.gov-2"),
        (f"{path}:13:26", "unknown-key", "answers.gov-03.note"),
        (f"{path}:14:23", "duplicate-option", "answers.eth-01[2]"),
        (f"{path}:15:11", "invalid-answer", "answers.val-01"),
        (f"{path}:16:59", "evidence-url", "answers.val-02.evidence[0].url"),
        (f"{path}:17:11", "invalid-answer", "answers.eth-03"),
    ]
    assert all(d.is_error for d in diagnostics)
    hints = {d.code + ":" + d.path: d.hint for d in diagnostics}
    assert hints["unknown-key:assessor"] == "did you mean assessors?"
    assert hints["unknown-criterion:answers.gov-2"] == "did you mean gov-02?"
    assert hints["unknown-key:answers.gov-03.note"] == "did you mean notes?"
    first = diagnostics[0].format()
    assert first.startswith(f"{path}:6:13: error invalid-value (subject.org_type): ")
    assert "'acutee'" in first


def test_load_submission_raises_one_error_carrying_all_diagnostics(write, library, valid_submission) -> None:
    path = write(
        "submission.yaml",
        valid_submission.replace("round: 2026-Q4", "round: Q4").replace("gov-02: yes", "gov-02: perhaps"),
    )
    with pytest.raises(InputError) as raised:
        load_submission(path, library)
    assert [d.code for d in raised.value.diagnostics] == ["invalid-value", "invalid-answer"]
    assert "2 error(s)" in raised.value.message


# --- malformed YAML and the input limits --------------------------------------------------------


def test_malformed_yaml(write, library) -> None:
    path = write("submission.yaml", "rubric: tiny-rubric.yaml\nanswers:\n  gov-01: {level: 2\n  gov-02: yes\n")
    diagnostic = only(path, library)
    assert (diagnostic.code, str(diagnostic.location)) == ("yaml-syntax", f"{path}:4:9")


def test_a_tab_indent_is_malformed_yaml(write, library) -> None:
    path = write("submission.yaml", "rubric: tiny-rubric.yaml\nanswers:\n\tgov-01: 2\n")
    diagnostic = only(path, library)
    assert (diagnostic.code, str(diagnostic.location)) == ("yaml-syntax", f"{path}:3:1")


def test_standard_tags_are_accepted(write, library, valid_submission) -> None:
    text = valid_submission.replace("val-01: 88", "val-01: !!float 88").replace(
        "eth-02: Nothing to add.", "eth-02: !!str 42"
    )
    path = write("submission.yaml", text)
    assert diagnose(path, library) == []


def test_input_over_the_size_limit(write, library, valid_submission) -> None:
    path = write("submission.yaml", valid_submission)
    size = path.stat().st_size
    diagnostic = only(path, library, max_bytes=size - 1)
    assert (diagnostic.code, str(diagnostic.location)) == ("too-large", f"{path}:1:1")
    assert f"{size:,}" in diagnostic.message
    assert diagnose(path, library, max_bytes=size) == []


def test_nesting_deeper_than_64_levels(write, library) -> None:
    # The document (1) and `answers` (2) are two levels: 63 more brackets make 65.
    path = write("submission.yaml", "rubric: tiny-rubric.yaml\nanswers:\n  eth-02: " + "[" * 63 + "]" * 63 + "\n")
    diagnostic = only(path, library)
    assert (diagnostic.code, str(diagnostic.location)) == ("too-deep", f"{path}:3:73")


def test_an_alias_bomb_is_refused(write, library) -> None:
    lines = ["rubric: tiny-rubric.yaml", "lol0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"lol{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 9)]
    path = write("submission.yaml", "\n".join(lines) + "\n")
    diagnostic = only(path, library)
    # Every alias counts the nodes it stands for: lol1 uses 10 x 11, lol2 10 x 111, and lol3's
    # eighth *l2 (1,111 more) takes the total past 10,000.
    assert (diagnostic.code, str(diagnostic.location)) == (
        "alias-bomb",
        f"{path}:5:{len('lol3: &l3 [') + 7 * len('*l2, ') + 1}",
    )


def test_small_aliases_are_fine(write, library, valid_submission) -> None:
    text = valid_submission.replace(
        "assessors: [{name: A. Lead, role: CCIO}]", "assessors: [&lead {name: A. Lead, role: CCIO}, *lead]"
    )
    path = write("submission.yaml", text)
    assert diagnose(path, library) == []


def test_bytes_that_are_not_utf8(write, library) -> None:
    path = write("submission.yaml", b'rubric: tiny-rubric.yaml\nanswers:\n  eth-02: "caf\xe9"\n')
    diagnostic = only(path, library)
    assert (diagnostic.code, str(diagnostic.location)) == ("not-utf8", f"{path}:3:15")
    assert "0xe9" in diagnostic.message


def test_a_utf8_byte_order_mark_is_accepted(write, library, valid_submission) -> None:
    path = write("submission.yaml", b"\xef\xbb\xbf" + valid_submission.encode())
    assert diagnose(path, library) == []


# --- the envelope ---------------------------------------------------------------------------------


def test_a_missing_envelope_key(write, library, valid_submission) -> None:
    path = write("submission.yaml", valid_submission.replace("round: 2026-Q4\n", ""))
    diagnostic = only(path, library)
    assert (diagnostic.code, str(diagnostic.location)) == ("missing-key", f"{path}:1:1")
    assert "'round'" in diagnostic.message


# Wrong types in the envelope, each naming its key: cases in tests/diagnostics/submission.yaml.


def test_an_impossible_date_is_refused_while_reading(write, library, valid_submission) -> None:
    path = write("submission.yaml", valid_submission.replace("assessed_on: 2026-11-20", "assessed_on: 2026-13-01"))
    diagnostic = only(path, library)
    assert (diagnostic.code, str(diagnostic.location)) == ("yaml-value", f"{path}:8:14")
    assert "month must be in 1..12" in diagnostic.message


def test_answers_must_be_a_mapping(write, library, valid_submission) -> None:
    path = write("submission.yaml", with_answers(valid_submission, "  - gov-01\n  - gov-02\n"))
    diagnostic = only(path, library)
    assert (diagnostic.code, str(diagnostic.location)) == ("invalid-value", f"{path}:11:3")


def test_subject_type_must_match_the_rubric(write, library, valid_submission) -> None:
    path = write("submission.yaml", valid_submission.replace("type: organisation", "type: technology"))
    diagnostic = only(path, library)
    assert (diagnostic.code, str(diagnostic.location)) == ("subject-type", f"{path}:3:9")
    assert "organisation" in diagnostic.message and "technology" in diagnostic.message


def test_technology_fields_on_an_organisation(write, library, valid_submission) -> None:
    path = write(
        "submission.yaml", valid_submission.replace("  org_type: acute", "  org_type: acute\n  device_class: iia")
    )
    diagnostic = only(path, library)
    assert (diagnostic.code, str(diagnostic.location)) == ("unknown-key", f"{path}:7:3")


# --- the rubric and the criteria --------------------------------------------------------------------


def test_an_unknown_rubric_lists_the_available_ones(write, library, valid_submission) -> None:
    path = write("submission.yaml", valid_submission.replace("rubric: tiny-rubric.yaml", "rubric: tiny@2.0.0"))
    diagnostic = only(path, library)
    assert (diagnostic.code, str(diagnostic.location)) == ("unknown-rubric", f"{path}:1:9")
    assert "available:" in diagnostic.message and "tiny@1.0.0" in diagnostic.message
    assert diagnostic.hint == "did you mean tiny@1.0.0?"


def test_an_unknown_rubric_file(write, library, valid_submission) -> None:
    path = write("submission.yaml", valid_submission.replace("rubric: tiny-rubric.yaml", "rubric: tiny-rubrik.yaml"))
    diagnostic = only(path, library)
    assert (diagnostic.code, str(diagnostic.location)) == ("unknown-rubric", f"{path}:1:9")
    assert "does not exist" in diagnostic.message


def test_a_rubric_by_id_and_version(write, library, valid_submission) -> None:
    path = write("submission.yaml", valid_submission.replace("rubric: tiny-rubric.yaml", "rubric: tiny@1.0.0"))
    assert diagnose(path, library) == []


def test_a_bare_rubric_id_is_a_warning(write, library, valid_submission) -> None:
    path = write("submission.yaml", valid_submission.replace("rubric: tiny-rubric.yaml", "rubric: tiny"))
    assert found(path, library) == [(f"{path}:1:9", "warning", "rubric-unpinned")]


def test_an_unknown_criterion_suggests_the_nearest(write, library, valid_submission) -> None:
    path = write("submission.yaml", valid_submission.replace("  gov-02: yes", "  gov-2: yes"))
    diagnostics = diagnose(path, library)
    assert [(str(d.location), d.code, d.hint) for d in diagnostics] == [
        (f"{path}:12:3", "unknown-criterion", "did you mean gov-02?"),
    ]


def test_an_unknown_criterion_far_from_any_lists_how_to_see_them(write, library, valid_submission) -> None:
    path = write("submission.yaml", valid_submission.replace("  gov-02: yes", "  completely-different: yes"))
    diagnostic = only(path, library)
    assert diagnostic.code == "unknown-criterion" and "rubrics show tiny@1.0.0" in diagnostic.hint


def test_every_unknown_key_of_a_long_form_answer_is_reported(write, library, valid_submission) -> None:
    path = write(
        "submission.yaml", valid_submission.replace("  gov-03: local", "  gov-03: {value: local, note: a, ownr: b}")
    )
    diagnostics = diagnose(path, library)
    assert [(d.code, str(d.location), d.hint) for d in diagnostics] == [
        ("unknown-key", at(path, "note"), "did you mean notes?"),
        ("unknown-key", at(path, "ownr"), "did you mean owner?"),
    ]


def test_na_where_the_criterion_does_not_allow_it(write, library, valid_submission) -> None:
    path = write(
        "submission.yaml", valid_submission.replace("  gov-02: yes", "  gov-02: {value: na, reason: Not relevant}")
    )
    diagnostic = only(path, library)
    assert (diagnostic.code, str(diagnostic.location)) == ("na-not-allowed", at(path, "na, reason"))


def test_na_without_a_reason_is_a_warning(write, library, valid_submission) -> None:
    path = write("submission.yaml", valid_submission.replace("  gov-03: local", "  gov-03: N/A"))
    assert found(path, library) == [(f"{path}:13:11", "warning", "na-without-reason")]
    result = to_result(load_submission(path, library))
    assert [(w.code, w.location) for w in result.warnings] == [("na-without-reason", f"{path}:13:11")]


def test_na_with_a_reason_is_silent(write, library, valid_submission) -> None:
    path = write(
        "submission.yaml",
        valid_submission.replace(
            "  gov-03: local", "  gov-03: {value: na, reason: No incidents possible, approved_by: DPO}"
        ),
    )
    assert diagnose(path, library) == []


def test_a_reason_without_na_is_a_warning(write, library, valid_submission) -> None:
    path = write(
        "submission.yaml", valid_submission.replace("  gov-03: local", "  gov-03: {value: local, reason: Because}")
    )
    assert found(path, library) == [(f"{path}:13:19", "warning", "reason-without-na")]


# --- evidence ------------------------------------------------------------------------------------------


def _evidence(valid: str, item: str) -> str:
    return valid.replace(
        '  gov-01: {level: 2, evidence: [{title: Board minutes, url: "https://example.org/minutes"}]}',
        f"  gov-01: {{level: 2, evidence: [{item}]}}",
    )


@pytest.mark.parametrize(
    "target",
    ["../secret.txt", "evidence/../../secret.txt", "/etc/passwd", "C:/Windows/win.ini", "evidence\\..\\..\\secret.txt"],
)
def test_an_evidence_path_escaping_the_folder(write, library, valid_submission, target) -> None:
    write("../secret.txt", "secret\n")
    path = write("submission.yaml", _evidence(valid_submission, f"{{title: Secret, path: '{target}'}}"))
    diagnostic = only(path, library)
    assert (diagnostic.code, str(diagnostic.location)) == ("evidence-path", at(path, f"'{target}'"))


# Paths the one evidence-path rule (assessments.model.evidence_path_problem) takes or refuses.
EVIDENCE_PATHS = {
    "evidence/minutes.pdf": True,
    "evidence/./minutes.pdf": True,
    "evidence/../minutes.pdf": True,
    "~minutes.pdf": False,
    "~/minutes.pdf": False,
    "evidence\\minutes.pdf": False,
    "evidence\\..\\..\\secret.txt": False,
    "../secret.txt": False,
    "evidence/../../secret.txt": False,
    "..": False,
    "/etc/passwd": False,
    "\\\\server\\share\\x.pdf": False,
    "C:/Windows/win.ini": False,
    "a\0b": False,
}


@pytest.mark.parametrize(("target", "taken"), EVIDENCE_PATHS.items())
def test_the_validator_and_the_questionnaire_take_the_same_evidence_paths(
    write, library, valid_submission, target, taken
) -> None:
    path = write("submission.yaml", _evidence(valid_submission, f"{{title: Minutes, path: {json.dumps(target)}}}"))
    (path.parent / "evidence").mkdir()
    (path.parent / "evidence" / "minutes.pdf").write_bytes(b"%PDF-1.7\n")
    (path.parent / "minutes.pdf").write_bytes(b"%PDF-1.7\n")
    codes = [d.code for d in diagnose(path, library)]
    # A NUL is refused in every text too (assessments.limits), before the path rule sees it.
    assert codes == ([] if taken else ["control-character"] * ("\0" in target) + ["evidence-path"])
    try:
        evidence_item("Minutes", target)
    except ReplyError:
        asked = False
    else:
        asked = True
    assert asked == taken


def test_an_evidence_path_escaping_through_a_symlink(write, library, valid_submission, tmp_path) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret\n")
    os.symlink(outside, tmp_path / "linked")
    path = write("submission.yaml", _evidence(valid_submission, "{title: Secret, path: linked/secret.txt}"))
    diagnostic = only(path, library)
    assert (diagnostic.code, str(diagnostic.location)) == ("evidence-path", at(path, "linked/secret.txt"))
    assert "escapes" in diagnostic.message


def test_evidence_inside_the_folder_with_its_hash(write, library, valid_submission) -> None:
    evidence = write("evidence/minutes.txt", "Minutes.\n")
    digest = hashlib.sha256(evidence.read_bytes()).hexdigest()
    path = write(
        "submission.yaml",
        _evidence(valid_submission, f"{{title: Minutes, path: evidence/minutes.txt, sha256: {digest}}}"),
    )
    assert diagnose(path, library) == []
    wrong = write(
        "wrong.yaml",
        _evidence(valid_submission, f"{{title: Minutes, path: evidence/minutes.txt, sha256: '{'0' * 64}'}}"),
    )
    assert found(wrong, library) == [(at(wrong, "'0000"), "error", "evidence-hash")]


def test_a_missing_evidence_file_is_a_warning(write, library, valid_submission) -> None:
    path = write("submission.yaml", _evidence(valid_submission, "{title: Minutes, path: evidence/none.pdf}"))
    assert found(path, library) == [(at(path, "evidence/none.pdf"), "warning", "evidence-missing")]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "ftp://example.org/x",
        "https://",
        "//example.org/x",
        "data:text/html,hi",
    ],
)
def test_an_evidence_url_must_be_http_or_https(write, library, valid_submission, url) -> None:
    path = write("submission.yaml", _evidence(valid_submission, f"{{title: Link, url: '{url}'}}"))
    diagnostic = only(path, library)
    assert (diagnostic.code, str(diagnostic.location)) == ("evidence-url", at(path, f"'{url}'"))


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (
            "{title: Both, url: 'https://a.example', path: a.pdf}",
            [("evidence-target", "{title: Both", "answers.gov-01.evidence[0]")],
        ),
        ("{title: Neither}", [("evidence-target", "{title: Neither", "answers.gov-01.evidence[0]")]),
        (
            "{titel: Typo, url: 'https://a.example'}",
            [
                ("missing-key", "{titel", "answers.gov-01.evidence[0]"),
                ("unknown-key", "titel", "answers.gov-01.evidence[0].titel"),
            ],
        ),
        (
            "{title: Dated, url: 'https://a.example', date: someday}",
            [("invalid-value", "someday", "answers.gov-01.evidence[0].date")],
        ),
        (
            "{title: Hash, url: 'https://a.example', sha256: abc}",
            [("invalid-value", "abc", "answers.gov-01.evidence[0].sha256")],
        ),
    ],
)
def test_evidence_items_are_checked(write, library, valid_submission, item, expected) -> None:
    path = write("submission.yaml", _evidence(valid_submission, item))
    diagnostics = diagnose(path, library)
    assert [(d.code, str(d.location), d.path) for d in diagnostics] == [
        (code, at(path, needle), dotted) for code, needle, dotted in expected
    ]


def test_evidence_paths_without_a_folder_must_not_climb(library, valid_submission) -> None:
    raw = (
        _evidence(valid_submission, "{title: Up, path: ../x.pdf}")
        .replace("rubric: tiny-rubric.yaml", "rubric: tiny@1.0.0")
        .encode()
    )
    with pytest.raises(InputError) as raised:
        load_submission_bytes(raw, "attachment.yaml", library)
    assert [(str(d.location), d.code) for d in raised.value.diagnostics] == [("attachment.yaml:11:51", "evidence-path")]


# --- warnings and --strict ---------------------------------------------------------------------------


def test_unanswered_and_not_applicable_are_warnings(write, library, valid_submission) -> None:
    text = valid_submission.replace("  gov-02: yes", "  gov-02: no").replace("  val-02: [defined, baseline]\n", "")
    path = write("submission.yaml", text)
    assert found(path, library) == [
        (f"{path}:11:3", "warning", "unanswered"),  # the answers block
        (f"{path}:16:3", "warning", "not-applicable"),
    ]
    messages = [d.message for d in diagnose(path, library)]
    assert messages[0].startswith("val-02 is not answered") and messages[1].startswith("eth-03 does not apply")


def test_an_empty_answer_is_unanswered_and_located(write, library, valid_submission) -> None:
    path = write("submission.yaml", valid_submission.replace("  val-01: 88", "  val-01:"))
    assert found(path, library) == [(f"{path}:17:10", "warning", "unanswered")]


def test_text_and_not_applicable_criteria_are_never_unanswered(write, library, valid_submission) -> None:
    text = (
        valid_submission.replace("  gov-02: yes", "  gov-02: no")
        .replace("  eth-02: Nothing to add.\n", "")
        .replace("  eth-03: no\n", "")
    )
    path = write("submission.yaml", text)
    assert diagnose(path, library) == []


def test_strict_turns_warnings_into_errors(write, library, valid_submission) -> None:
    text = valid_submission.replace("  gov-03: local", "  gov-03: na").replace("  val-02: [defined, baseline]\n", "")
    path = write("submission.yaml", text)
    assert [(d.severity, d.code) for d in diagnose(path, library)] == [
        ("warning", "unanswered"),
        ("warning", "na-without-reason"),
    ]
    with pytest.raises(InputError) as raised:
        load_submission(path, library, strict=True)
    assert [(d.severity, d.code) for d in raised.value.diagnostics] == [
        ("error", "unanswered"),
        ("error", "na-without-reason"),
    ]
    parsed, diagnostics = check_document(load_file(path), library, strict=True)
    assert parsed is None and all(d.is_error for d in diagnostics)


def test_strict_accepts_a_file_without_warnings(write, library, valid_submission) -> None:
    path = write("submission.yaml", valid_submission)
    assert load_submission(path, library, strict=True).warnings == []
