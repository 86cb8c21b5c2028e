"""The length and character limits of every text of a submission (docs/submission-format.md, Text fields)."""

from __future__ import annotations

from dataclasses import dataclass

from ..diagnose import MAX_DIAGNOSTICS, too_many
from ..errors import Diagnostic, Location
from ..source import Document, KeyPath, dotted
from ..text import character_name, forbidden_character, non_ascii_digit


@dataclass(frozen=True, slots=True)
class Limit:
    """What one text field takes: at most `chars` characters; line breaks and tabs only when
    `multiline`; only ASCII digits when `digits` (rounds, dates, versions)."""

    chars: int
    multiline: bool = False
    digits: bool = False


CODE = Limit(100)  # ODS codes, product and supplier codes
NAME = Limit(200)  # names, roles, regions, titles
WORD = Limit(100)  # enumerated words (type, org_type) and short identifiers
OPTION = Limit(100)  # an option id or a level label in an answer
FREE_TEXT = Limit(10_000, multiline=True)  # notes, reasons, answers to text criteria
DATE = Limit(16, digits=True)

# Dotted paths of the fields, `*` standing for any key (a criterion id) and `#` for any list index.
FIELDS: dict[tuple[str, ...], Limit] = {
    ("rubric",): Limit(1024, digits=True),
    ("round",): Limit(16, digits=True),
    ("assessed_on",): DATE,
    ("subject", "type"): WORD,
    ("subject", "name"): NAME,
    ("subject", "code"): CODE,
    ("subject", "org_type"): WORD,
    ("subject", "region"): NAME,
    ("subject", "version"): WORD,
    ("subject", "supplier", "name"): NAME,
    ("subject", "supplier", "code"): CODE,
    ("subject", "intended_use"): Limit(2_000, multiline=True),
    ("subject", "device_class"): WORD,
    ("assessed_by", "name"): NAME,
    ("assessed_by", "code"): CODE,
    ("assessed_by", "org_type"): WORD,
    ("assessors", "#", "name"): NAME,
    ("assessors", "#", "role"): NAME,
    ("assessors", "#", "email"): Limit(254),
    ("answers", "*"): FREE_TEXT,
    ("answers", "*", "#"): OPTION,
    ("answers", "*", "value"): FREE_TEXT,
    ("answers", "*", "value", "#"): OPTION,
    ("answers", "*", "level"): OPTION,
    ("answers", "*", "notes"): FREE_TEXT,
    ("answers", "*", "reason"): FREE_TEXT,
    ("answers", "*", "owner"): NAME,
    ("answers", "*", "approved_by"): NAME,
    ("answers", "*", "evidence", "#", "title"): Limit(500),
    ("answers", "*", "evidence", "#", "url"): Limit(2_048),
    ("answers", "*", "evidence", "#", "path"): Limit(1_024),
    ("answers", "*", "evidence", "#", "sha256"): Limit(64),
    ("answers", "*", "evidence", "#", "date"): DATE,
}
KEY = Limit(100)  # every mapping key
OTHER = NAME  # a text anywhere else (under a key that validation then refuses)


def limit_of(parts: KeyPath) -> Limit:
    """The limit of the text at `parts` (keys and list indexes)."""
    shape = tuple(
        "#" if isinstance(part, int) else "*" if index == 1 and parts[0] == "answers" else str(part)
        for index, part in enumerate(parts)
    )
    return FIELDS.get(shape, OTHER)


def text_diagnostics(doc: Document) -> list[Diagnostic]:
    """Every text of the document over its length, holding a character no field may hold, or
    writing a number with digits other than ASCII ones, located at the text (or its key). What is
    under a refused key is not looked at: its path would repeat the key."""
    found: list[Diagnostic] = []
    _walk(doc, doc.data, (), found)
    return found


def _walk(doc: Document, node: object, parts: KeyPath, found: list[Diagnostic]) -> None:
    if len(found) > MAX_DIAGNOSTICS:
        return
    if isinstance(node, str):
        _check(doc, node, parts, limit_of(parts), found, key=False)
    elif isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str) and not _check(doc, key, (*parts, key), KEY, found, key=True):
                continue
            _walk(doc, value, (*parts, key), found)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            _walk(doc, item, (*parts, index), found)


def _check(doc: Document, text: str, parts: KeyPath, limit: Limit, found: list[Diagnostic], *, key: bool) -> bool:
    """Whether `text` is within `limit`; if not, its diagnostic is added to `found`."""
    if len(text) <= limit.chars and forbidden_character(text, multiline=limit.multiline) is None:
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
    found.append(_problem(text, limit, doc.locate(parts, key=key), path, what))
    return False


def _problem(text: str, limit: Limit, where: Location, path: str, what: str) -> Diagnostic:
    """What is wrong with `text` under `limit` (it breaks the limit), located at `where`."""
    if len(text) > limit.chars:
        return Diagnostic(
            "too-long",
            f"{what} is {len(text):,} characters long; at most {limit.chars:,} are allowed here",
            where,
            path,
            hint="shorten it (docs/submission-format.md, Text fields, lists each field's limit)",
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


__all__ = ["FIELDS", "KEY", "Limit", "OTHER", "limit_of", "text_diagnostics"]
