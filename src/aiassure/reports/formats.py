"""Output formats of the reports and the portfolio: a registry filled by registration, built-ins and plugins alike."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..plugins import FORMATS, PluginRef, load_all, remembered, warn

if TYPE_CHECKING:
    from ..assessments.result import Result
    from ..assessments.validate import ParsedSubmission
    from ..registry.portfolio import Portfolio
    from .context import ReportContext
    from .limits import TemplateLimits

Target = Literal["report", "portfolio"]
# A format's name is also the extension of the file it writes: nothing that could leave the folder.
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,15}")


@dataclass(frozen=True)
class OutputFormat:
    """One output format: its `--format` name (the file's extension), and how it renders.

    `render` takes a ReportDocument (target "report": one submission's report) or a
    PortfolioDocument (target "portfolio") and returns the file's bytes. `templates` are compiled
    before the first file is rendered, so that a broken template stops the run before anything is
    written: (name, is Markdown)."""

    name: str
    description: str
    render: Callable[[Any], bytes]
    target: Target = "report"
    templates: tuple[tuple[str, bool], ...] = ()
    plugin: PluginRef | None = None  # set by aiassure for a plugin's format


@dataclass
class ReportDocument:
    """What a report format renders from: one submission, its result and the templates' context."""

    parsed: ParsedSubmission
    result: Result
    context: ReportContext
    template_dirs: Sequence[Path] = ()
    template_limits: TemplateLimits | None = None  # bounds on a --template-dir template's rendering

    @cached_property
    def html(self) -> str:
        """The HTML report, rendered once for every format that needs it (HTML and PDF)."""
        from .render import render_html

        return render_html(HTML_TEMPLATE, self.context, self.template_dirs, limits=self.template_limits)


@dataclass
class PortfolioDocument:
    """What a portfolio format renders from: the portfolio (its figures) and, for templates, its context."""

    portfolio: Portfolio
    template_dirs: Sequence[Path] = ()
    template_limits: TemplateLimits | None = None

    @cached_property
    def context(self) -> dict[str, Any]:
        from .portfolio import portfolio_context

        return portfolio_context(self.portfolio)

    @cached_property
    def html(self) -> str:
        from .render import render_html

        return render_html(PORTFOLIO_TEMPLATE, self.context, self.template_dirs, limits=self.template_limits)


HTML_TEMPLATE = "report.html"
MARKDOWN_TEMPLATE = "report.md"
PORTFOLIO_TEMPLATE = "portfolio.html"


_builtin: dict[Target, dict[str, OutputFormat]] = {"report": {}, "portfolio": {}}


def register(output: OutputFormat) -> OutputFormat:
    """Add a built-in format; their modules (writer, portfolio) register them when imported."""
    _check_name(output)
    taken = _builtin[output.target]
    if output.name in taken:
        raise ValueError(f"the {output.target} format {output.name!r} is registered already")
    taken[output.name] = output
    return output


def output_formats(target: Target) -> dict[str, OutputFormat]:
    """The formats of `target`: the built-in ones in their order, then the plugins' by name."""
    from . import portfolio, writer  # noqa: F401  (importing them registers the built-in formats)

    return {**_builtin[target], **_plugin_formats()[target]}


def _check_name(output: OutputFormat) -> None:
    if not _NAME.fullmatch(output.name):
        raise ValueError(f"a format name is 1 to 16 of a-z, 0-9 and -, not {output.name!r}")


@remembered
def _plugin_formats() -> dict[Target, dict[str, OutputFormat]]:
    """The formats plugins add, loaded on first use. One that fails to load, is not an OutputFormat,
    or takes a name already there is left out with a PluginWarning."""
    found: dict[Target, dict[str, OutputFormat]] = {"report": {}, "portfolio": {}}
    for plugin, loaded in load_all(FORMATS, OutputFormat, "an aiassure.reports.formats.OutputFormat"):
        taken = {**_builtin[loaded.target], **found[loaded.target]}
        try:
            _check_name(loaded)
        except ValueError as exc:
            warn(plugin, f"was not registered: {exc}")
            continue
        if loaded.name in taken:
            warn(plugin, f"was not registered: the {loaded.target} format {loaded.name!r} exists already")
            continue
        found[loaded.target][loaded.name] = dataclasses.replace(loaded, plugin=plugin.ref)
    return found


__all__ = [
    "OutputFormat",
    "PortfolioDocument",
    "ReportDocument",
    "Target",
    "output_formats",
    "register",
]
