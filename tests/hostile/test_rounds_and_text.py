"""Issue 11, point 3: rounds and dates in ASCII digits only, and no text of a submission over its
length or holding a control, bidi-override or separator character, however the YAML wrote it.

Each file under submissions/rounds-and-text/ is a mutation of control.yaml there, refused by
`aiassure validate` with a located diagnostic (`file:line:col: error code`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiassure.assessments.limits import FIELDS, KEY, OTHER, limit_of
from aiassure.cli import main
from aiassure.text import forbidden_character, is_ascii_number, non_ascii_digit

HERE = Path(__file__).parent / "submissions" / "rounds-and-text"

# file -> (code, "line:col" it is reported at, text the message must hold)
CASES: dict[str, tuple[str, str, str]] = {
    # rounds and dates written with another script's digits, or not as a day
    "round-arabic-indic.yaml": ("non-ascii-digits", "8:8", "U+0662 ARABIC-INDIC DIGIT TWO"),
    "round-extended-arabic-indic.yaml": ("non-ascii-digits", "8:8", "U+06F2 EXTENDED ARABIC-INDIC DIGIT TWO"),
    "round-fullwidth.yaml": ("non-ascii-digits", "8:8", "U+FF12 FULLWIDTH DIGIT TWO"),
    "round-devanagari.yaml": ("non-ascii-digits", "8:8", "U+0968 DEVANAGARI DIGIT TWO"),
    "round-mathematical.yaml": ("non-ascii-digits", "8:8", "U+1D7D0 MATHEMATICAL BOLD DIGIT TWO"),
    "round-mixed.yaml": ("non-ascii-digits", "8:8", "U+09EC BENGALI DIGIT SIX"),
    "assessed-on-arabic-indic.yaml": ("non-ascii-digits", "9:14", "assessed_on"),
    "assessed-on-timestamp.yaml": ("invalid-value", "9:14", "a date is written YYYY-MM-DD, got 1763596800"),
    "assessed-on-compact.yaml": ("invalid-value", "9:14", "a date is written YYYY-MM-DD, got '20261120'"),
    "rubric-version-fullwidth.yaml": ("non-ascii-digits", "2:9", "U+FF11 FULLWIDTH DIGIT ONE"),
    "evidence-date-devanagari.yaml": ("non-ascii-digits", "12:85", "answers.ls-01.evidence[0].date"),
    # control, bidi and separator characters, through each YAML escape and as literal bytes
    "name-nul-escape.yaml": ("control-character", "5:9", "U+0000"),
    "name-x01-escape.yaml": ("control-character", "5:9", "U+0001"),
    "name-escape-escape.yaml": ("control-character", "5:9", "U+001B"),
    "name-del-escape.yaml": ("control-character", "5:9", "U+007F"),
    "name-c1-escape.yaml": ("control-character", "5:9", "U+009B"),
    "name-nel-escape.yaml": ("control-character", "5:9", "U+0085"),
    "name-bidi-escape.yaml": ("control-character", "5:9", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    "name-bidi-literal.yaml": ("control-character", "5:9", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    "name-isolate-escape.yaml": ("control-character", "5:9", "U+2068 FIRST STRONG ISOLATE"),
    "name-line-separator.yaml": ("control-character", "5:9", "U+2028 LINE SEPARATOR"),
    "name-paragraph-separator.yaml": ("control-character", "5:9", "U+2029 PARAGRAPH SEPARATOR"),
    "name-newline.yaml": ("control-character", "5:9", "U+000A"),
    "name-tab.yaml": ("control-character", "5:9", "U+0009"),
    "code-bidi-escape.yaml": ("control-character", "6:9", "U+202A LEFT-TO-RIGHT EMBEDDING"),
    "notes-nul-escape.yaml": ("control-character", "12:28", "U+0000"),
    "notes-carriage-return.yaml": ("control-character", "12:28", "U+000D"),
    "key-bidi-escape.yaml": ("control-character", "12:3", "the key 'ls-\\u202e10' in answers"),
    "option-bidi-escape.yaml": ("control-character", "11:13", "U+202E"),
    # lengths
    "name-too-long.yaml": ("too-long", "5:9", "201 characters long; at most 200"),
    "code-too-long.yaml": ("too-long", "6:9", "101 characters long; at most 100"),
    "notes-too-long.yaml": ("too-long", "12:28", "10,001 characters long; at most 10,000"),
    "key-too-long.yaml": ("too-long", "12:3", "101 characters long; at most 100"),
}
HELPERS = {"control.yaml"}


def validate(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", *args])
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    return result.exit_code, result.output


def test_every_file_has_an_expectation() -> None:
    assert {p.name for p in HERE.glob("*.yaml")} - HELPERS == set(CASES)


def test_the_control_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    """The control keeps a line break and a tab in its notes: free text may hold them."""
    monkeypatch.chdir(HERE)
    code, output = validate("control.yaml")
    assert code == 0, output


@pytest.mark.parametrize("name", sorted(CASES))
def test_refused_with_a_located_diagnostic(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.chdir(HERE)
    code, output = validate(name)
    expected, where, text = CASES[name]
    assert code == 1, output
    assert re.search(rf"^{re.escape(name)}:{where}: error {expected} ", output, re.MULTILINE), output
    assert text in output, output
    assert all(ch.isprintable() or ch == "\n" for ch in output), "a raw control character reached the terminal"


def test_a_refused_text_is_not_also_called_an_invalid_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """One error per refused text: the round's pattern is not said to fail as well."""
    monkeypatch.chdir(HERE)
    _, output = validate("round-arabic-indic.yaml")
    assert "error invalid-value (round)" not in output


@pytest.mark.parametrize(
    ("text", "ascii_number"),
    [("2026", True), ("0", True), ("", False), ("٢٠٢٦", False), ("２０２６", False), ("²", False), ("12a", False)],
)
def test_ascii_numbers_only(text: str, ascii_number: bool) -> None:
    assert is_ascii_number(text) is ascii_number
    assert (non_ascii_digit(text) is None) is (text.isascii())


@pytest.mark.parametrize(
    ("text", "in_line", "in_paragraphs"),
    [
        ("plain text, with ünïcödé and العربية", None, None),
        ("a\tb", (1, "\t"), None),
        ("a\nb", (1, "\n"), None),
        ("a\rb", (1, "\r"), (1, "\r")),
        ("\0", (0, "\0"), (0, "\0")),
        ("x\x7f", (1, "\x7f"), (1, "\x7f")),
        ("x\x85", (1, "\x85"), (1, "\x85")),
        ("ab\u202e", (2, "\u202e"), (2, "\u202e")),
        ("\u2066x", (0, "\u2066"), (0, "\u2066")),
        ("x\u2029", (1, "\u2029"), (1, "\u2029")),
        ("zero\u200dwidth joiner", None, None),  # needed by some scripts: allowed
    ],
)
def test_forbidden_characters(text: str, in_line: object, in_paragraphs: object) -> None:
    assert forbidden_character(text) == in_line
    assert forbidden_character(text, multiline=True) == in_paragraphs


def test_each_field_has_its_limit() -> None:
    assert limit_of(("subject", "name")).chars == 200
    assert limit_of(("answers", "gov-01", "notes")) == FIELDS[("answers", "*", "notes")]
    assert limit_of(("answers", "gov-01", "evidence", 3, "url")).chars == 2048
    assert limit_of(("assessors", 0, "email")).chars == 254
    assert limit_of(("round",)).digits and not limit_of(("subject", "name")).digits
    assert limit_of(("nowhere",)) == OTHER and KEY.chars == 100
    multiline = {shape for shape, limit in FIELDS.items() if limit.multiline}
    assert multiline == {
        ("subject", "intended_use"),
        ("answers", "*"),
        ("answers", "*", "value"),
        ("answers", "*", "notes"),
        ("answers", "*", "reason"),
    }
