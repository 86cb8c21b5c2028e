"""How reports show things, in the organisation and portfolio reports alike: level palette, language, labels."""

from __future__ import annotations

from typing import Any

from .charts import palette

LANG = "en-GB"

ORG_TYPE_LABELS = {
    "acute": "Acute trust",
    "mental-health": "Mental health trust",
    "community": "Community trust",
    "ambulance": "Ambulance trust",
    "icb": "Integrated care board",
    "primary-care": "Primary care",
    "local-authority": "Local authority",
    "care-provider": "Care provider",
    "vendor": "Supplier",
    "other": "Other",
}

STATUS_TEXT = {
    "credited": "Credited",
    "unevidenced": "Evidence missing",
    "unanswered": "Not answered",
    "na": "Not applicable (N/A)",
    "not_applicable": "Does not apply",
    "text": "Information only",
}

NOT_ASSESSED = "not assessed"

NOT_ASSESSED_FILL = "#d8dde0"  # NHS grey 4


class Levels:
    """Level views for templates: a level with its label, CSS class and colours, or a grey 'not assessed'.

    `Levels(rubric.top, rubric.labels)`; `scale()` feeds the `level_css` macro of _macros.html.
    """

    def __init__(self, top: int, labels: dict[int, str]) -> None:
        self.top = top
        self.labels = labels
        self.colours = {c.level: c for c in palette(top)}

    def scale(self) -> list[dict[str, Any]]:
        return [self.view(level) for level in range(self.top + 1)]

    def view(self, level: int | None) -> dict[str, Any]:
        if level is None:
            return {
                "level": None,
                "label": NOT_ASSESSED,
                "text": NOT_ASSESSED,
                "css": "level-na",
                "fill": NOT_ASSESSED_FILL,
                "ink": "#0b0c0c",
            }
        colour = self.colours.get(level, self.colours[min(max(level, 0), self.top)])
        label = self.labels.get(level, "")
        return {
            "level": level,
            "label": label,
            "text": f"{level} {label}".strip(),
            "css": f"level-{level}",
            "fill": colour.fill,
            "ink": colour.text,
        }

    def words(self, level: int | None) -> str:
        return NOT_ASSESSED if level is None else f"level {level} ({self.labels.get(level, '')})"


__all__ = ["LANG", "NOT_ASSESSED", "NOT_ASSESSED_FILL", "ORG_TYPE_LABELS", "STATUS_TEXT", "Levels"]
