"""The length and character limits of every text of a rubric (docs/rubric-format.md, Text fields)."""

from __future__ import annotations

from ..errors import Diagnostic
from ..limits import Limit, TextRules
from ..limits import text_diagnostics as _text_diagnostics
from ..source import Document, KeyPath

PROSE = Limit(20_000, multiline=True)  # Markdown: descriptions, guidance, changelogs
DESCRIPTOR = Limit(5_000, multiline=True)  # a level's descriptor (the roadmap's action)
SENTENCE = Limit(2_000, multiline=True)  # a question, an option's or an element's text
TITLE = Limit(300)  # titles, labels, publishers, licences
URL = Limit(2_048)
VERSIONED = Limit(200, digits=True)  # versions, dates and `extends` references: ASCII digits only
OTHER = Limit(200)  # ids, enumerated words, references' ids: anything not named below

# By the text's own key, the nearest string key of its path (list items take their list's key).
BY_KEY: dict[str, Limit] = {
    "description": PROSE,
    "guidance": PROSE,
    "changelog": PROSE,
    "question": SENTENCE,
    "text": SENTENCE,
    "title": TITLE,
    "label": TITLE,
    "publisher": TITLE,
    "licence": TITLE,
    "url": URL,
    "version": VERSIONED,
    "effective_date": VERSIONED,
    "extends": VERSIONED,
}


def limit_of(parts: KeyPath) -> Limit:
    """The limit of the rubric text at `parts` (keys and list indexes)."""
    if len(parts) >= 2 and parts[-2] == "levels":
        return DESCRIPTOR
    key = next((part for part in reversed(parts) if isinstance(part, str)), "")
    return BY_KEY.get(key, OTHER)


RULES = TextRules(
    limit_of, "docs/rubric-format.md, Text fields", min(limit.chars for limit in (*BY_KEY.values(), DESCRIPTOR, OTHER))
)


def text_diagnostics(doc: Document) -> list[Diagnostic]:
    """Every text of the rubric over its field's limit or holding a forbidden character."""
    return _text_diagnostics(doc, RULES)


__all__ = ["BY_KEY", "OTHER", "RULES", "limit_of", "text_diagnostics"]
