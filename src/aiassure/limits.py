"""Length and character limits on every text of a YAML document, one walk for submissions and rubrics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .diagnose import MAX_DIAGNOSTICS, too_many
from .errors import Diagnostic, Location
from .source import Document, KeyPath, dotted
from .text import character_name, forbidden_character, non_ascii_digit


@dataclass(frozen=True, slots=True)
class Limit:
    """What one text field takes: at most `chars` characters; line breaks and tabs only when
    `multiline`; only ASCII digits when `digits` (rounds, dates, versions)."""

    chars: int
    multiline: bool = False
    digits: bool = False


KEY = Limit(100)  # every mapping key


@dataclass(frozen=True, slots=True)
class TextRules:
    """The limit of each text of one kind of document, and the docs section that lists them."""

    limit_of: Callable[[KeyPath], Limit]
    listed_in: str  # e.g. "docs/submission-format.md, Text fields"
    shortest: int  # the fewest characters any text's limit allows: a shorter text is checked without its limit


def text_diagnostics(doc: Document, rules: TextRules) -> list[Diagnostic]:
    """Every text of the document over its length, holding a character no field may hold, or
    writing a number with digits other than ASCII ones, located at the text (or its key). What is
    under a refused key is not looked at: its path would repeat the key."""
    found: list[Diagnostic] = []
    _walk(doc, rules, doc.data, (), found)
    return found


def _walk(doc: Document, rules: TextRules, node: object, parts: KeyPath, found: list[Diagnostic]) -> None:
    # Most texts are short printable ASCII (no character a field refuses, only ASCII digits): those
    # pass whatever their limit, without computing it.
    if len(found) > MAX_DIAGNOSTICS:
        return
    if isinstance(node, str):
        if len(node) > rules.shortest or not (node.isascii() and node.isprintable()):
            _check(doc, rules, node, parts, rules.limit_of(parts), found, key=False)
    elif isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str) and (len(key) > KEY.chars or not (key.isascii() and key.isprintable())):
                if not _check(doc, rules, key, (*parts, key), KEY, found, key=True):
                    continue
            if isinstance(value, str):
                if len(value) > rules.shortest or not (value.isascii() and value.isprintable()):
                    where = (*parts, key)
                    _check(doc, rules, value, where, rules.limit_of(where), found, key=False)
            elif isinstance(value, (dict, list)):
                _walk(doc, rules, value, (*parts, key), found)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            _walk(doc, rules, item, (*parts, index), found)


def _check(
    doc: Document,
    rules: TextRules,
    text: str,
    parts: KeyPath,
    limit: Limit,
    found: list[Diagnostic],
    *,
    key: bool,
) -> bool:
    """Whether `text` is within `limit`; if not, its diagnostic is added to `found`."""
    if len(text) <= limit.chars:
        if text.isascii() and text.isprintable():
            return True
        if forbidden_character(text, multiline=limit.multiline) is None:
            if not limit.digits or non_ascii_digit(text) is None:
                return True
    if len(found) >= MAX_DIAGNOSTICS:
        if len(found) == MAX_DIAGNOSTICS:
            found.append(too_many(doc, ()))
        return False
    if key:
        path = dotted(parts[:-1])
        what = f"the key {text[:40]!r}" + ("..." if len(text) > 40 else "") + (f" in {path}" if path else "")
    else:
        path = dotted(parts)
        what = path or "the document"
    found.append(_problem(text, limit, doc.locate(parts, key=key), path, what, rules.listed_in))
    return False


def _problem(text: str, limit: Limit, where: Location, path: str, what: str, listed_in: str) -> Diagnostic:
    """What is wrong with `text` under `limit` (it breaks the limit), located at `where`."""
    if len(text) > limit.chars:
        return Diagnostic(
            "too-long",
            f"{what} is {len(text):,} characters long; at most {limit.chars:,} are allowed here",
            where,
            path,
            hint=f"shorten it ({listed_in}, lists each field's limit)",
        )
    bad = forbidden_character(text, multiline=limit.multiline)
    if bad is not None:
        index, character = bad
        return Diagnostic(
            "control-character",
            f"{what} holds {character_name(character)} at character {index + 1}: control, bidirectional and "
            "line-separator characters are not allowed"
            + (" (line breaks and tabs are, here)" if limit.multiline else ""),
            where,
            path,
            hint="remove it; in quoted YAML it may be written as an escape such as \\0, \\x01 or \\u202e",
        )
    digit = non_ascii_digit(text) or "?"
    return Diagnostic(
        "non-ascii-digits",
        f"{what} writes a number with {character_name(digit)}: rounds, dates and versions take ASCII digits 0-9 only",
        where,
        path,
        hint="write the digits as 0-9",
    )


__all__ = ["KEY", "Limit", "TextRules", "text_diagnostics"]
