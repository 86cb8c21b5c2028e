"""Plugin points: entry points other installed packages declare, loaded only when a point is used (docs/plugins.md)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

# The entry-point groups aiassure reads, and what each entry point names.
COMMANDS = "aiassure.commands"  # a click command; the entry point's name is the command's name
RUBRICS = "aiassure.rubrics"  # a package (or a folder path) holding rubric YAML files
FORMATS = "aiassure.formats"  # a reports.formats.OutputFormat: a report or portfolio output format
PORTFOLIO = "aiassure.portfolio"  # a registry.portfolio.PluginFigure: an extra portfolio figure
GROUPS = (COMMANDS, RUBRICS, FORMATS, PORTFOLIO)


F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
_forgetters: list[Callable[[], None]] = []


def remembered(func: F) -> F:
    """`functools.cache`, and forgotten by `forget()`: what is found and loaded of the plugins once
    serves the whole process."""
    cached = cache(func)
    _forgetters.append(cached.cache_clear)
    return cast(F, cached)


def forget() -> None:
    """Forget the plugins found and loaded so far, for a process that installs one while it runs (the tests)."""
    for clear in _forgetters:
        clear()


class PluginWarning(UserWarning):
    """A plugin could not be loaded or used; the run goes on without it. The CLI prints it as a warning line."""


@dataclass(frozen=True, order=True)
class PluginRef:
    """The package a plugin comes from: what a result records when the plugin contributed to it."""

    name: str
    version: str

    def __str__(self) -> str:
        return f"{self.name} {self.version}"

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version}


@dataclass(frozen=True)
class Plugin:
    """One entry point of an installed package, found from its metadata and not imported yet."""

    group: str
    name: str  # the entry point's name
    value: str  # `module` or `module:attribute`
    ref: PluginRef

    def load(self) -> Any | None:
        """The object the entry point names, or None after a PluginWarning naming the package and its version."""
        try:
            return _entry_point(self).load()
        except Exception as exc:  # a plugin's import may fail in any way: it must not stop the run
            warn(self, f"could not be loaded ({type(exc).__name__}: {exc})")
            return None

    def load_as(self, kind: type[T], what: str) -> T | None:
        """The object if it is a `kind` (`what` names it for people), else None after a PluginWarning."""
        loaded = self.load()
        if loaded is None:
            return None
        if not isinstance(loaded, kind):
            warn(self, f"names a {type(loaded).__name__}, not {what}")
            return None
        return loaded


def load_all(group: str, kind: type[T], what: str) -> list[tuple[Plugin, T]]:
    """Every entry point of `group` that loads to a `kind`, with its plugin; the others are left out
    with a PluginWarning."""
    return [(plugin, loaded) for plugin in discover(group) if (loaded := plugin.load_as(kind, what)) is not None]


def warn(plugin: Plugin, problem: str) -> None:
    """Say that `plugin` is left out, and why, as a PluginWarning."""
    warnings.warn(
        f"plugin {plugin.ref} ({plugin.group} entry point {plugin.name!r} = {plugin.value}) {problem}; "
        "going on without it (upgrade or uninstall the package)",
        PluginWarning,
        stacklevel=3,
    )


@remembered
def discover(group: str) -> tuple[Plugin, ...]:
    """The entry points of `group` across installed packages, by name, read from package metadata
    alone: nothing of the plugins is imported until `Plugin.load`."""
    from importlib.metadata import entry_points

    found = []
    for entry in entry_points(group=group):
        dist = entry.dist
        ref = PluginRef(dist.name, dist.version) if dist is not None else PluginRef(entry.value.split(":")[0], "?")
        found.append(Plugin(group, entry.name, entry.value, ref))
    return tuple(sorted(found, key=lambda plugin: (plugin.name, plugin.ref)))


def _entry_point(plugin: Plugin) -> EntryPoint:
    from importlib.metadata import EntryPoint

    return EntryPoint(plugin.name, plugin.value, plugin.group)


__all__ = [
    "COMMANDS",
    "FORMATS",
    "GROUPS",
    "PORTFOLIO",
    "RUBRICS",
    "Plugin",
    "PluginRef",
    "PluginWarning",
    "discover",
    "forget",
    "load_all",
    "remembered",
    "warn",
]
