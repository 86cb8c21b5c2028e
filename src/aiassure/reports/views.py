"""How reports show things, in the organisation and portfolio reports alike: level palette, language, labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .colour import AA_CONTRAST, contrast, mix

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
    "context": "Context, not scored",
    "waived": "Waived: left out of the scores",
}

NOT_ASSESSED = "not assessed"

# The one level scale of every output (HTML and PDF reports, the portfolio, charts): ColorBrewer's
# sequential Blues (9-class: classes 2, 4, 5, 6, 7 and 8), light for weak, dark for strong. A single
# hue that only gets darker reads in order with every common colour-vision deficiency and in a
# black-and-white print, where viridis's yellow-to-green start made a capped "1 Initial" look like
# good news. One swatch a level of the default 0..5 scale; CIE L* falls by 10 to 13 a step.
LEVEL_SWATCHES = ("#deebf7", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c")
# "Not assessed" is white, a neutral outside the ramp: the eye reads it as "nothing", not as a level
# weaker than 0 (a grey would sit inside the ramp's lightness); badges draw its border dashed.
NOT_ASSESSED_FILL = "#ffffff"
INK_BLACK = "#0b0c0c"  # NHS text black
INK_WHITE = "#ffffff"
# Only where neither ink reaches AA (a luminance of about 0.18 to 0.19, possible between swatches on
# a longer scale) does a level's text fall back to pure black, which always does there.
_INK_FALLBACK = "#000000"


@dataclass(frozen=True)
class LevelColour:
    level: int
    fill: str
    text: str  # the ink of a label on `fill`: at least AA_CONTRAST against it


def ink(fill: str) -> str:
    """The text colour for a label on `fill`: NHS black or white, whichever contrasts more, and pure
    black where even that falls short of AA."""
    best = INK_BLACK if contrast(fill, INK_BLACK) >= contrast(fill, INK_WHITE) else INK_WHITE
    return best if contrast(fill, best) >= AA_CONTRAST else _INK_FALLBACK


def palette(top: int) -> list[LevelColour]:
    """One colour per level 0..top: the swatches themselves for a 0..5 scale, otherwise evenly spaced
    steps along them (mixed in L*a*b*, so lightness still falls evenly from 0 to the top)."""
    last = len(LEVEL_SWATCHES) - 1
    colours = []
    for level in range(top + 1):
        position = level / top * last if top else 0.0
        low = min(int(position), last - 1)
        fill = mix(LEVEL_SWATCHES[low], LEVEL_SWATCHES[low + 1], position - low)
        colours.append(LevelColour(level, fill, ink(fill)))
    return colours


def not_assessed_view() -> dict[str, Any]:
    """The view of a score that is not assessed, the same on every scale: its text and neutral colours."""
    return {
        "level": None,
        "label": NOT_ASSESSED,
        "text": NOT_ASSESSED,
        "css": "level-na",
        "fill": NOT_ASSESSED_FILL,
        "ink": ink(NOT_ASSESSED_FILL),
    }


class Levels:
    """Level views for templates: a level with its label, CSS class and colours, or 'not assessed'.

    `Levels(rubric.top, rubric.labels)`; `scale()` feeds the `level_css` macro of _macros.html.
    """

    def __init__(self, top: int, labels: dict[int, str]) -> None:
        self.top = top
        self.labels = labels
        self.colours = {c.level: c for c in palette(top)}

    def scale(self) -> list[dict[str, Any]]:
        return [self.view(level) for level in range(self.top + 1)]

    def view(self, level: int | None, *, numbered: bool = False) -> dict[str, Any]:
        """A level's view; `numbered`, its text is `level 5`, without the scale's label: for a yes/no
        answer, which a report names itself, so that a yes never reads as "5 Optimising"
        (`Criterion.binary`)."""
        if level is None:
            return not_assessed_view()
        colour = self.colours.get(level, self.colours[min(max(level, 0), self.top)])
        label = self.labels.get(level, "")
        return {
            "level": level,
            "label": label,
            "text": f"level {level}" if numbered else f"{level} {label}".strip(),
            "css": f"level-{level}",
            "fill": colour.fill,
            "ink": colour.text,
        }

    def words(self, level: int | None) -> str:
        return NOT_ASSESSED if level is None else f"level {level} ({self.labels.get(level, '')})"


__all__ = [
    "LANG",
    "LEVEL_SWATCHES",
    "NOT_ASSESSED",
    "NOT_ASSESSED_FILL",
    "ORG_TYPE_LABELS",
    "STATUS_TEXT",
    "LevelColour",
    "Levels",
    "ink",
    "not_assessed_view",
    "palette",
]
