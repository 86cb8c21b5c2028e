"""The length and character limits of every text of a submission (docs/submission-format.md, Text fields)."""

from __future__ import annotations

from ..errors import Diagnostic
from ..limits import KEY, Limit, TextRules
from ..limits import text_diagnostics as _text_diagnostics
from ..source import Document, KeyPath

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
OTHER = NAME  # a text anywhere else (under a key that validation then refuses)


# Paths repeat from file to file (the same rubric's criteria): their limits are kept, keyed by
# the parts' types too (the key 1.0 is not the index 1), up to a bound so that memory stays flat.
_known: dict[tuple[KeyPath, tuple[type, ...]], Limit] = {}
_KNOWN_MAX = 4096


def limit_of(parts: KeyPath) -> Limit:
    """The limit of the text at `parts` (keys and list indexes)."""
    known = (parts, tuple(map(type, parts)))
    limit = _known.get(known)
    if limit is None:
        shape = tuple(
            "#" if isinstance(part, int) else "*" if index == 1 and parts[0] == "answers" else str(part)
            for index, part in enumerate(parts)
        )
        limit = FIELDS.get(shape, OTHER)
        if len(_known) >= _KNOWN_MAX:
            _known.clear()
        _known[known] = limit
    return limit


def text_diagnostics(doc: Document) -> list[Diagnostic]:
    """Every text of the submission over its field's limit or holding a forbidden character."""
    return _text_diagnostics(doc, RULES)


RULES = TextRules(
    limit_of, "docs/submission-format.md, Text fields", min(limit.chars for limit in (*FIELDS.values(), OTHER))
)

__all__ = ["FIELDS", "KEY", "Limit", "OTHER", "RULES", "limit_of", "text_diagnostics"]
