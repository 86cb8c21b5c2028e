"""The level palette: one sequential scale from views.py, readable, ordered, and the only level colours anywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import aiassure
from aiassure.reports.colour import contrast, difference, lab, luminance
from aiassure.reports.views import LEVEL_SWATCHES, NOT_ASSESSED_FILL, Levels, ink, not_assessed_view, palette

PACKAGE = Path(aiassure.__file__).parent
HEX = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b")
# viridis, the palette before issue 17: none of it may come back anywhere
OLD_VIRIDIS = {"#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"}
SCALES = range(1, 11)  # rubrics/lint.py: a scale is 0..N with 1 <= N <= 10


def _lightness(colour: str) -> float:
    return lab(colour)[0]


@pytest.mark.parametrize("top", SCALES)
def test_palette_is_ordered_distinct_and_readable(top: int) -> None:
    colours = palette(top)
    assert [c.level for c in colours] == list(range(top + 1))
    assert all(contrast(c.fill, c.text) >= 4.5 for c in colours)  # WCAG AA for the label on its swatch
    assert len({c.fill for c in colours}) == top + 1
    luminance_ = [luminance(c.fill) for c in colours]
    assert luminance_ == sorted(luminance_, reverse=True)  # darker means a higher level
    assert colours[0].fill == LEVEL_SWATCHES[0] and colours[-1].fill == LEVEL_SWATCHES[-1]  # the whole ramp
    # next levels stay tellable apart (CIE76 delta E; 2.3 is just noticeable)
    assert all(difference(a.fill, b.fill) > 5 for a, b in zip(colours, colours[1:], strict=False))


def test_the_default_scale_is_the_swatches_themselves() -> None:
    assert [c.fill for c in palette(5)] == list(LEVEL_SWATCHES)
    assert [c.text for c in palette(5)] == ["#0b0c0c"] * 4 + ["#ffffff"] * 2


@pytest.mark.parametrize("top", SCALES)
def test_lightness_falls_steadily_from_level_0_to_the_top(top: int) -> None:
    lightness = [_lightness(c.fill) for c in palette(top)]
    steps = [a - b for a, b in zip(lightness, lightness[1:], strict=False)]
    assert all(step > 0 for step in steps), lightness  # CIE L* is monotonic: weak is light, strong is dark
    assert max(steps) < 2 * min(steps), steps  # and evenly so: no two levels bunch together


def test_lightness_of_the_swatches() -> None:
    lightness = [round(_lightness(s)) for s in LEVEL_SWATCHES]
    assert lightness == [92, 79, 68, 58, 46, 35]
    assert all(a > b for a, b in zip(lightness, lightness[1:], strict=False))


def test_not_assessed_is_a_neutral_outside_the_scale() -> None:
    view = not_assessed_view()
    assert view["fill"] == NOT_ASSESSED_FILL and view["css"] == "level-na" and view["text"] == "not assessed"
    assert contrast(view["fill"], view["ink"]) >= 4.5
    _, a, b = lab(NOT_ASSESSED_FILL)
    assert abs(a) < 1 and abs(b) < 1  # neutral: no hue to mistake for a level's
    assert all(difference(NOT_ASSESSED_FILL, c.fill) > 10 for top in SCALES for c in palette(top))
    assert Levels(5, {}).view(None) == view


def test_ink_always_reaches_aa_even_where_neither_house_ink_does() -> None:
    # luminance about 0.187: NHS black gives 4.4:1 and white 4.5:1 or less, so pure black it is
    assert ink("#777777") == "#000000" and contrast("#777777", "#000000") >= 4.5
    assert ink("#ffffff") == "#0b0c0c" and ink("#08519c") == "#ffffff"


def _literals(path: Path) -> set[str]:
    return {h.lower() for h in HEX.findall(path.read_text(encoding="utf-8"))}


def _sources() -> list[Path]:
    """Every template, stylesheet and module that draws a report, a portfolio or a chart, but views.py."""
    found = [*sorted((PACKAGE / "templates").iterdir()), *sorted((PACKAGE / "reports").glob("*.py"))]
    return [p for p in found if p.is_file() and p.name != "views.py"]


def test_no_template_stylesheet_or_chart_names_a_level_colour() -> None:
    level_colours = {c.fill for top in SCALES for c in palette(top)}
    assert _sources(), "no templates found"
    for path in _sources():
        written = _literals(path)
        assert not written & level_colours, f"{path.name} hard-codes a level colour: {written & level_colours}"
        assert not written & OLD_VIRIDIS, f"{path.name} still has the old palette: {written & OLD_VIRIDIS}"


def _chrome() -> set[str]:
    """Colours the templates write themselves (text, borders, identity): never a level colour, as above."""
    return set().union(*(_literals(path) for path in (PACKAGE / "templates").iterdir() if path.is_file()))


def _level_colours_in(page: str, top: int) -> None:
    """Every colour of a rendered page is the templates' own or the palette's, and each level wears its own."""
    colours = palette(top)
    allowed = {c.fill for c in colours} | {c.text for c in colours} | {NOT_ASSESSED_FILL, ink(NOT_ASSESSED_FILL)}
    stray = {h.lower() for h in HEX.findall(page)} - _chrome() - allowed
    assert not stray, f"colours from neither the templates nor the palette: {stray}"
    assert not {h.lower() for h in HEX.findall(page)} & OLD_VIRIDIS
    by_level = {c.level: c for c in colours}
    for level, fill, text in re.findall(r"\.level-(\d+) \{ background: (#\w+); color: (#\w+); \}", page):
        assert (fill, text) == (by_level[int(level)].fill, by_level[int(level)].text)


@pytest.mark.parametrize("stem", ["RXX-2026-Q4", "etc-x-2026-Q4"])
def test_a_rendered_report_uses_only_the_palette_for_levels(rendered: Path, stem: str) -> None:
    page = (rendered / f"{stem}.html").read_text(encoding="utf-8")
    top = max(int(level) for level in re.findall(r"^\.level-(\d+) \{", page, re.M))  # the test rubrics' scale
    assert ".level-0 {" in page and top >= 4
    assert f".level-na {{ background: {NOT_ASSESSED_FILL}; color: {ink(NOT_ASSESSED_FILL)}; }}" in page
    _level_colours_in(page, top)
    # the bars of the level tables take their level's swatch
    track = '<rect x="0" y="0" width="100" height="8" fill="#f0f4f5"/>\n'
    fills = re.findall(re.escape(track) + r'<rect x="0" y="0" width="[\d.]+" height="8" fill="(#\w+)"/>', page)
    assert fills and set(fills) <= {c.fill for c in palette(top)} | {NOT_ASSESSED_FILL}
    # and every badge carries its words beside the colour
    for css, text in re.findall(r'<span class="level (level-[\w-]+)">([^<]*)</span>', page):
        assert text.strip(), css


def test_a_rendered_portfolio_uses_only_the_palette_for_levels(tmp_path: Path) -> None:
    from aiassure.assessments.score_files import ScoreOptions
    from aiassure.registry.intake import read_input
    from aiassure.registry.portfolio import build_portfolio
    from aiassure.registry.store import open_registry
    from aiassure.reports.portfolio import render_portfolio

    examples = Path(__file__).parents[2] / "examples"
    registry = open_registry(f"sqlite:///{tmp_path / 'registry.db'}")
    try:
        for path in sorted(examples.glob("2026-Q*/*.yaml")):
            registry.store(read_input(path, ScoreOptions()))
        page = render_portfolio(build_portfolio(registry), ("html",))["html"].decode()
    finally:
        registry.close()
    _level_colours_in(page, 5)
    cells = re.findall(r'<td class="cell (level-[\w-]+)" style="background: (#\w+); color: (#\w+)"', page)
    assert cells
    by_css = {f"level-{c.level}": (c.fill, c.text) for c in palette(5)} | {
        "level-na": (NOT_ASSESSED_FILL, ink(NOT_ASSESSED_FILL))
    }
    assert all(by_css[css] == (fill, text) for css, fill, text in cells)
    # a stacked bar's segments are named in words under it: colour is never the only cue
    assert page.count('<div class="stack" aria-hidden="true">') == page.count('<p class="stack-key">') > 0
