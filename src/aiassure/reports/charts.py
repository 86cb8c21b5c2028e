"""Chart geometry: numbers for the SVG templates, computed once in Python (the level colours: views.py)."""

from __future__ import annotations

import math
from dataclasses import dataclass


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
