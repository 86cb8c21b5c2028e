"""Jinja environments over the template search path: --template-dir first (sandboxed), then the built-ins."""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import AiassureError, Diagnostic, InputError, Location, NotFoundError, UsageError
from ..fsutil import write_atomic
from .markdown import is_web_url, md_escape, md_finalize, md_link

BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
DEFAULT_PREFIX = "default"  # `{% extends "default:report.html" %}` reaches the built-in template


def template_search_path(template_dirs: Sequence[Path] = ()) -> list[Path]:
    """Where templates are looked up, in order: the given folders, then the built-ins."""
    return [*(Path(d) for d in template_dirs), BUILTIN_TEMPLATES]


def environment(template_dirs: Sequence[Path] = (), *, markdown: bool = False) -> Environment:
    """The environment for a template search path (one per path and kind, cached): sandboxed
    whenever a template folder is given, since its templates may come from anyone.

    HTML templates are autoescaped; in Markdown templates (`markdown=True`) every `{{ value }}` is
    Markdown-escaped instead, unless it is Markup, such as the result of `md_link()` or a macro.
    """
    return _environment(tuple(str(Path(d).resolve()) for d in template_dirs), markdown)


class _FolderLoader(FileSystemLoader):
    """Templates of one --template-dir. Like the PDF renderer's fetcher, it reads no file whose real
    path (symbolic links followed) is outside the folder, and nothing that is not a regular file:
    a template folder from elsewhere may link to a private file, or to a FIFO that would block."""

    def __init__(self, folder: str) -> None:
        super().__init__(folder)
        self.root = Path(folder).resolve()

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        real = self.root.joinpath(*split_template_path(template)).resolve()
        if not (real.is_relative_to(self.root) and real.is_file()):
            raise TemplateNotFound(template)
        return super().get_source(environment, template)


@lru_cache(maxsize=32)
def _environment(template_dirs: tuple[str, ...], markdown: bool) -> Environment:
    builtin = FileSystemLoader(str(BUILTIN_TEMPLATES))
    loaders: list[BaseLoader] = [PrefixLoader({DEFAULT_PREFIX: builtin}, delimiter=":")]
    loaders.extend(_FolderLoader(folder) for folder in template_dirs)
    loaders.append(builtin)
    # The built-in templates are aiassure's own code: with no template folder given they run outside
    # the sandbox, whose check of every attribute and call is a third of a report's rendering. The
    # data they show is never run as a template, so the sandbox guards nothing there.
    kind = ImmutableSandboxedEnvironment if template_dirs else Environment
    env = kind(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=md_finalize if markdown else None,
    )
    env.globals["md_link"] = md_link
    env.filters["md"] = md_escape
    env.tests["web_url"] = is_web_url
    return env


def render_html(template_name: str, context: Mapping[str, Any], template_dirs: Sequence[Path] = ()) -> str:
    """Render an HTML template; user text in `context` is escaped by the template engine."""
    return _render(environment(template_dirs), template_name, context)


_BLANK_RUNS = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


def render_markdown(template_name: str, context: Mapping[str, Any], template_dirs: Sequence[Path] = ()) -> str:
    """Render a Markdown template, with at most one blank line in a row and one final newline."""
    text = _render(environment(template_dirs, markdown=True), template_name, context)
    text = _BLANK_RUNS.sub("\n\n", _TRAILING_SPACE.sub("\n", text))
    return text.strip("\n") + "\n"


def compile_template(name: str, template_dirs: Sequence[Path] = (), *, markdown: bool = False) -> None:
    """Compile a template now, so that its errors show before any work and forked workers inherit it."""
    _render(environment(template_dirs, markdown=markdown), name, None)


def _render(env: Environment, name: str, context: Mapping[str, Any] | None) -> str:
    try:
        template = env.get_template(name)
        return "" if context is None else template.render(context)
    except TemplateSyntaxError as exc:
        where = Location(Path(exc.filename or exc.name or name).name, exc.lineno)
        message = f"template syntax error: {exc.message}"
        raise InputError(message, [Diagnostic("template-syntax", message, where)]) from None
    except TemplateNotFound as exc:
        folders = ", ".join(str(p) for p in template_search_path(_dirs_of(env)))
        raise NotFoundError(f"template {exc.name!r} not found in {folders}") from None
    except SecurityError as exc:
        raise _located(
            exc, name, "template refused", "a template may use the report's data, not Python internals"
        ) from None
    except UndefinedError as exc:
        raise _located(exc, name, "template error", "see docs/reports.md for the names a template can use") from None
    except TemplateError as exc:
        raise _located(exc, name, "template error", "") from None


def _dirs_of(env: Environment) -> list[Path]:
    user = [loader for loader in env.loader.loaders[1:-1]]  # type: ignore[union-attr]
    return [Path(p) for loader in user for p in loader.searchpath]


def _located(exc: Exception, name: str, what: str, hint: str) -> AiassureError:
    """An error naming the template file and line where it happened (Jinja keeps those in the traceback)."""
    where = Location(name)
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".md", ".svg", ".txt", ".xml")):
            where = Location(Path(frame.filename).name, frame.lineno)
            break
    message = f"{what}: {exc}"
    return AiassureError(f"{where}: {message}", [Diagnostic("template-error", message, where, "", "error", hint)])


def builtin_templates() -> list[str]:
    """Names of the built-in templates; those starting with `_` are partials, only included or extended."""
    return sorted(
        p.relative_to(BUILTIN_TEMPLATES).as_posix()
        for p in BUILTIN_TEMPLATES.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )


def scaffold_templates(target: Path, *, force: bool = False) -> list[Path]:
    """Copy the built-in templates into `target` for editing; refuses to replace files unless `force`."""
    names = builtin_templates()
    existing = [target / name for name in names if (target / name).exists()]
    if existing and not force:
        shown = ", ".join(str(p) for p in existing[:3]) + (" ..." if len(existing) > 3 else "")
        raise UsageError(f"{len(existing)} template(s) already exist ({shown}); use --force to replace them")
    written = []
    for name in names:
        write_atomic(target / name, (BUILTIN_TEMPLATES / name).read_bytes())
        written.append(target / name)
    return written
