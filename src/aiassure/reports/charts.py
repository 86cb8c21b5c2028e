"""Chart geometry and the level palette: numbers for the SVG templates, computed once in Python."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Viridis, from light (low levels) to dark (high levels): ordered, and readable with any of the
# common colour-vision deficiencies. Colour is never the only cue: every mark carries its level.
_VIRIDIS = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")
_BLACK = "#0b0c0c"  # NHS text black
_WHITE = "#ffffff"
AA_CONTRAST = 4.5  # WCAG 2.1 AA for normal text


RGB = tuple[float, ...]  # red, green, blue from 0 to 1


def _rgb(colour: str) -> RGB:
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))


def _hex(rgb: RGB) -> str:
    return "#" + "".join(f"{round(channel * 255):02x}" for channel in rgb)


def _luminance(colour: str) -> float:
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in _rgb(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two colours."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@dataclass(frozen=True)
class LevelColour:
    level: int
    fill: str
    text: str  # black or white, whichever contrasts more with `fill`


def palette(top: int) -> list[LevelColour]:
    """One colour per level 0..top, spread evenly along the palette."""
    colours = []
    for level in range(top + 1):
        position = level / top * (len(_VIRIDIS) - 1) if top else 0
        low = min(int(position), len(_VIRIDIS) - 2)
        share = position - low
        start, end = _rgb(_VIRIDIS[low]), _rgb(_VIRIDIS[low + 1])
        rgb = tuple(a + (b - a) * share for a, b in zip(start, end, strict=True))
        text = _BLACK if contrast(_hex(rgb), _BLACK) >= contrast(_hex(rgb), _WHITE) else _WHITE
        while contrast(_hex(rgb), text) < AA_CONTRAST:
            # a few mid-palette colours fall just short with either ink: shift them away from it
            rgb = tuple(c * 0.97 for c in rgb) if text == _WHITE else tuple(c + (1 - c) * 0.03 for c in rgb)
        colours.append(LevelColour(level, _hex(rgb), text))
    return colours


@dataclass(frozen=True)
class RadarAxis:
    title: str
    value_text: str
    x: float  # axis end
    y: float
    label_x: float
    label_y: float
    anchor: str  # text-anchor of the label


@dataclass(frozen=True)
class RadarRing:
    level: int
    points: str  # polygon points
    label_x: float  # where the ring's level number goes, beside the first axis
    label_y: float


@dataclass(frozen=True)
class Radar:
    size: float
    centre: float
    top: float  # the drawing's vertical extent, labels included: the SVG viewBox is 0 top size height
    height: float
    rings: list[RadarRing]
    axes: list[RadarAxis]
    shape: str  # polygon points of the scores


def _point(centre: float, radius: float, angle: float) -> tuple[float, float]:
    return centre + radius * math.cos(angle), centre + radius * math.sin(angle)


def _points(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def radar(
    scores: list[tuple[str, float | None, str]], top: int, *, size: float = 360, margin: float = 75
) -> Radar | None:
    """Geometry of a spider chart of (title, score, value text); None below three axes, where a
    radar says nothing a bar does not."""
    if len(scores) < 3 or top <= 0:
        return None
    centre = size / 2
    radius = centre - margin
    angles = [-math.pi / 2 + 2 * math.pi * index / len(scores) for index in range(len(scores))]
    rings = [
        RadarRing(
            level,
            _points([_point(centre, radius * level / top, a) for a in angles]),
            centre + 4,
            centre - radius * level / top + 12,
        )
        for level in range(1, top + 1)
    ]
    axes = []
    for (title, _, text), angle in zip(scores, angles, strict=True):
        x, y = _point(centre, radius, angle)
        label_x, label_y = _point(centre, radius + 14, angle)
        cosine = math.cos(angle)
        anchor = "middle" if abs(cosine) < 0.3 else ("start" if cosine > 0 else "end")
        if math.sin(angle) > 0.3:
            label_y += 12  # below the chart: move the first line clear of the axis end
        elif math.sin(angle) < -0.3:
            label_y -= 16  # above the chart: both lines go above the axis end
        axes.append(RadarAxis(title, text, x, y, label_x, label_y, anchor))
    shape = _points(
        [
            _point(centre, radius * max(0.0, min(score or 0.0, top)) / top, a)
            for (_, score, _), a in zip(scores, angles, strict=True)
        ]
    )
    top_edge = max(0.0, min(axis.label_y for axis in axes) - 18)  # room for a label's first line above its point
    bottom_edge = min(size, max(axis.label_y for axis in axes) + 22)  # and for its second line below
    return Radar(size, centre, round(top_edge, 1), round(bottom_edge - top_edge, 1), rings, axes, shape)


def bar_width(score: float | None, top: int) -> float:
    """Share of the full width (0..100) a score fills."""
    if score is None or top <= 0:
        return 0.0
    return round(100 * max(0.0, min(score, top)) / top, 1)


def bar_text(score: float | None, top: int, cells: int = 10) -> str:
    """The same bar in text, for Markdown: filled and empty blocks, rounded to the nearest cell."""
    filled = round(bar_width(score, top) / 100 * cells)
    return "█" * filled + "░" * (cells - filled)
