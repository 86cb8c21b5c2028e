"""Colour arithmetic for the level palette: WCAG contrast, CIE L*a*b* and steps between two colours."""

from __future__ import annotations

import math

RGB = tuple[float, float, float]  # red, green, blue from 0 to 1
Lab = tuple[float, float, float]  # CIE L*, a*, b* under D65

AA_CONTRAST = 4.5  # WCAG 2.1 AA for normal text

# sRGB to CIE XYZ (D65), and the D65 white point: the matrices of IEC 61966-2-1.
_TO_XYZ = ((0.4124, 0.3576, 0.1805), (0.2126, 0.7152, 0.0722), (0.0193, 0.1192, 0.9505))
_FROM_XYZ = ((3.2406, -1.5372, -0.4986), (-0.9689, 1.8758, 0.0415), (0.0557, -0.2040, 1.0570))
_WHITE_XYZ = (0.95047, 1.0, 1.08883)
_EPSILON, _KAPPA = 216 / 24389, 24389 / 27  # the CIE's exact constants, not the rounded 0.008856 and 903.3


def rgb(colour: str) -> RGB:
    """`#rrggbb` -> channels from 0 to 1."""
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return red, green, blue


def hex_colour(channels: RGB) -> str:
    """Channels from 0 to 1 -> `#rrggbb`, each clamped into range first."""
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in channels)


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def _gamma(channel: float) -> float:
    return channel * 12.92 if channel <= 0.0031308 else 1.055 * channel ** (1 / 2.4) - 0.055


def luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance, 0 (black) to 1 (white)."""
    red, green, blue = (_linear(c) for c in rgb(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two colours, 1 to 21."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def lab(colour: str) -> Lab:
    """CIE L*a*b* of an sRGB colour: L* is lightness as the eye sees it, 0 to 100."""
    linear = [_linear(c) for c in rgb(colour)]
    x, y, z = (
        sum(m * c for m, c in zip(row, linear, strict=True)) / w for row, w in zip(_TO_XYZ, _WHITE_XYZ, strict=True)
    )

    def f(t: float) -> float:
        return t ** (1 / 3) if t > _EPSILON else (_KAPPA * t + 16) / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def from_lab(value: Lab) -> str:
    """The sRGB colour of a CIE L*a*b* value (clamped into the sRGB gamut)."""
    lightness, a, b = value
    fy = (lightness + 16) / 116
    fx, fz = fy + a / 500, fy - b / 200

    def inverse(t: float) -> float:
        return t**3 if t**3 > _EPSILON else (116 * t - 16) / _KAPPA

    xyz = [inverse(t) * w for t, w in zip((fx, fy, fz), _WHITE_XYZ, strict=True)]
    red, green, blue = (_gamma(max(0.0, sum(m * c for m, c in zip(row, xyz, strict=True)))) for row in _FROM_XYZ)
    return hex_colour((red, green, blue))


def mix(start: str, end: str, share: float) -> str:
    """The colour `share` (0 to 1) of the way from `start` to `end`, in L*a*b*, so that equal shares
    are equal steps of lightness as the eye sees them (sRGB mixing would bunch them at one end)."""
    if share <= 0:
        return start
    if share >= 1:
        return end
    (l1, a1, b1), (l2, a2, b2) = lab(start), lab(end)
    return from_lab((l1 + (l2 - l1) * share, a1 + (a2 - a1) * share, b1 + (b2 - b1) * share))


def difference(first: str, second: str) -> float:
    """CIE76 colour difference (delta E*ab): about 2.3 is just noticeable; over 10, plainly different."""
    return math.dist(lab(first), lab(second))
