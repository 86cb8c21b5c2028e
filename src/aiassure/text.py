"""What text a field accepts: ASCII digits where numbers are written; no control, bidi or separator characters."""

from __future__ import annotations

import re

# Digits, as rounds, dates, versions and codes are written: ASCII only. Python's `\d`, `int()` and
# `str.isdigit()` also take Arabic-Indic, fullwidth, Devanagari... digits, which sort after `9`
# and would read as another number (or none) elsewhere.
ASCII_DIGITS = "0123456789"
ASCII_NUMBER = re.compile(r"[0-9]+")

# Never in any text: C0 controls (NUL included), DEL, C1 controls, the bidirectional embeddings,
# overrides and isolates (U+202A-U+202E, U+2066-U+2069: they make a text read as another), and the
# line and paragraph separators (U+2028, U+2029: a line break that most tools do not count).
# Free text that may span lines also keeps tab and line feed.
_FORBIDDEN_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_FORBIDDEN_IN_PARAGRAPHS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def is_ascii_number(text: str) -> bool:
    """`text` is one or more ASCII digits and nothing else (what `str.isdigit()` should have meant)."""
    return ASCII_NUMBER.fullmatch(text) is not None


def forbidden_character(text: str, *, multiline: bool = False) -> tuple[int, str] | None:
    """The index and the first character of `text` that no field may hold, or None. `multiline`
    allows tab and line feed (free text that may span lines)."""
    found = (_FORBIDDEN_IN_PARAGRAPHS if multiline else _FORBIDDEN_IN_LINE).search(text)
    return None if found is None else (found.start(), found.group())


def non_ascii_digit(text: str) -> str | None:
    """The first digit of `text` that is not an ASCII digit (`٢`, `２`, `२`...), or None."""
    if text.isascii():
        return None
    return next((c for c in text if c.isdigit() and c not in ASCII_DIGITS), None)


def character_name(character: str) -> str:
    """`U+202E RIGHT-TO-LEFT OVERRIDE`: how a message names a character it refuses (never the
    character itself, which could rewrite the message)."""
    import unicodedata

    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X}" + (f" {name}" if name else " (a control character)")
