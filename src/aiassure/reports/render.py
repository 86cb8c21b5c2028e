"""Jinja environments over the template search path: --template-dir first (sandboxed), then the built-ins."""

from __future__ import annotations

import re
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
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
    nodes,
)
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import AiassureError, Diagnostic, InputError, Location, NotFoundError, UsageError
from ..fsutil import write_atomic
from .limits import DEFAULT_TEMPLATE_MAX_BYTES, TemplateLimits
from .markdown import is_web_url, md_escape, md_finalize, md_link
from .views import not_assessed_view

BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
DEFAULT_PREFIX = "default"  # `{% extends "default:report.html" %}` reaches the built-in template


class TemplateLimitExceeded(Exception):
    """A user template ran past its time or output bound."""


@dataclass(slots=True)
class _Budget:
    """The rendering under way: its deadline and the output bound."""

    name: str
    limits: TemplateLimits
    deadline: float

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateLimitExceeded(
                f"took longer than {self.limits.seconds:g} seconds (raise it with --template-timeout)"
            )

    def too_large(self) -> TemplateLimitExceeded:
        return TemplateLimitExceeded(
            f"wrote more than {self.limits.max_bytes} bytes (raise it with --template-max-bytes)"
        )


_BUDGET: ContextVar[_Budget | None] = ContextVar("aiassure_template_budget", default=None)
_TICK = "aiassure_tick"  # the global every loop iteration of a user template calls


def _tick() -> bool:
    budget = _BUDGET.get()
    if budget is not None:
        budget.tick()
    return True


class _BoundedSandbox(ImmutableSandboxedEnvironment):
    """The sandbox for --template-dir templates, with their rendering bounded: the clock is read
    at every call, attribute and item lookup and loop iteration (a tick is compiled into each
    `{% for %}`, so a loop that calls nothing is bounded too); `*` and `**` may not build a value
    larger than the output bound, nor padding methods and filters a string that is."""

    intercepted_binops = frozenset({"*", "**"})

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for loop in list(tree.find_all(nodes.For)):
            loop.body.insert(0, nodes.ExprStmt(self._tick_call(loop.lineno), lineno=loop.lineno))
            if loop.test is not None:  # `{% for x in xs if test %}` skips the body of most items
                loop.test = nodes.And(self._tick_call(loop.lineno), loop.test, lineno=loop.lineno)
        tree.set_environment(self)
        return tree

    @staticmethod
    def _tick_call(lineno: int) -> nodes.Call:
        return nodes.Call(nodes.Name(_TICK, "load", lineno=lineno), [], [], None, None, lineno=lineno)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _tick()
        if getattr(__obj, "__name__", "") in _PADDING and isinstance(getattr(__obj, "__self__", None), str):
            _check_width(args[:1] or [kwargs.get("width", 0)])
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj: Any, attribute: str) -> Any:
        _tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _tick()
        return super().getitem(obj, argument)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _tick()
        limit = _max_bytes()
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            if abs(left) > 1 and right * max(abs(left).bit_length(), 1) > 8 * limit:
                raise SecurityError(f"{left} ** {right} is too large")
        if operator == "*":
            sized, count = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(count, int) and isinstance(sized, (str, bytes, list, tuple)) and len(sized) * count > limit:
                raise SecurityError(f"a value of {len(sized)} repeated {count} times is too large")
        return super().call_binop(context, operator, left, right)


_PADDING = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


def _max_bytes() -> int:
    budget = _BUDGET.get()
    return budget.limits.max_bytes if budget is not None else DEFAULT_TEMPLATE_MAX_BYTES


def _check_width(widths: Sequence[Any]) -> None:
    for width in widths:
        if isinstance(width, int) and width > _max_bytes():
            raise SecurityError(f"a width of {width} is too large")


def _bounded_filter(filter_: Callable[..., Any]) -> Callable[..., Any]:
    """A padding filter (`center`, `indent`) whose width may not exceed the output bound."""

    def bounded(value: Any, *args: Any, **kwargs: Any) -> Any:
        _check_width([*args[:1], kwargs.get("width", 0)])
        return filter_(value, *args, **kwargs)

    return bounded


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


# What a plain dict has as attributes (its methods, and object's): `{{ d.name }}` means these first.
_DICT_ATTRIBUTES = frozenset(name for name in dir(dict) if hasattr({}, name))


class _TrustedEnvironment(Environment):
    """The built-in templates' environment. A report's context is mostly dicts, and Jinja looks
    `d.name` up as an attribute before a key: each failed lookup raises AttributeError, a tenth
    of a report's rendering. A plain dict has no attribute but its type's, so a name that is not
    one is looked up as a key directly, with the same result."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


@lru_cache(maxsize=32)
def _environment(template_dirs: tuple[str, ...], markdown: bool) -> Environment:
    builtin = FileSystemLoader(str(BUILTIN_TEMPLATES))
    loaders: list[BaseLoader] = [PrefixLoader({DEFAULT_PREFIX: builtin}, delimiter=":")]
    loaders.extend(_FolderLoader(folder) for folder in template_dirs)
    loaders.append(builtin)
    # The built-in templates are aiassure's own code: with no template folder given they run outside
    # the sandbox, whose check of every attribute and call is a third of a report's rendering. The
    # data they show is never run as a template, so the sandbox guards nothing there.
    kind = _BoundedSandbox if template_dirs else _TrustedEnvironment
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
    env.globals["not_assessed"] = not_assessed_view()  # the `level_css` macro's `level-na` colours
    env.filters["md"] = md_escape
    env.tests["web_url"] = is_web_url
    if template_dirs:
        env.globals[_TICK] = _tick
        for name in ("center", "indent"):
            env.filters[name] = _bounded_filter(env.filters[name])
    return env


def render_html(
    template_name: str,
    context: Mapping[str, Any],
    template_dirs: Sequence[Path] = (),
    *,
    limits: TemplateLimits | None = None,
) -> str:
    """Render an HTML template; user text in `context` is escaped by the template engine. A user
    template (from `template_dirs`) is stopped at `limits`."""
    return _render(environment(template_dirs), template_name, context, limits)


_BLANK_RUNS = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


def render_markdown(
    template_name: str,
    context: Mapping[str, Any],
    template_dirs: Sequence[Path] = (),
    *,
    limits: TemplateLimits | None = None,
) -> str:
    """Render a Markdown template, with at most one blank line in a row and one final newline."""
    text = _render(environment(template_dirs, markdown=True), template_name, context, limits)
    text = _BLANK_RUNS.sub("\n\n", _TRAILING_SPACE.sub("\n", text))
    return text.strip("\n") + "\n"


def compile_template(name: str, template_dirs: Sequence[Path] = (), *, markdown: bool = False) -> None:
    """Compile a template now, so that its errors show before any work and forked workers inherit it."""
    _render(environment(template_dirs, markdown=markdown), name, None)


def _render(
    env: Environment, name: str, context: Mapping[str, Any] | None, limits: TemplateLimits | None = None
) -> str:
    """Render `name` (only compile it when there is no context); every failure of a template, of
    whatever kind, is an error naming the template and its line, never an internal error."""
    try:
        template = env.get_template(name)
        if context is None:
            return ""
        if not isinstance(env, _BoundedSandbox):
            return template.render(context)
        return _bounded_render(template, context, name, limits or TemplateLimits())
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
    except TemplateLimitExceeded as exc:
        raise _located(exc, name, "template stopped", "", limit=True) from None
    except AiassureError:
        raise
    except RecursionError as exc:
        raise _located(exc, name, "template error", "a macro that calls itself without end?") from None
    except MemoryError as exc:
        raise _located(exc, name, "template error", "out of memory") from None
    except Exception as exc:  # ZeroDivisionError, OverflowError (a range too big), TypeError...
        raise _located(exc, name, "template error", "") from None


def _bounded_render(template: Any, context: Mapping[str, Any], name: str, limits: TemplateLimits) -> str:
    """The template's output, chunk by chunk, stopped once it passes `limits`."""
    budget = _Budget(name, limits, time.monotonic() + limits.seconds)
    token = _BUDGET.set(budget)
    try:
        parts: list[str] = []
        size = 0
        for chunk in template.generate(context):
            size += len(chunk.encode("utf-8", "surrogatepass"))
            if size > limits.max_bytes:
                raise budget.too_large()
            budget.tick()
            parts.append(chunk)
        return "".join(parts)
    finally:
        _BUDGET.reset(token)


def _dirs_of(env: Environment) -> list[Path]:
    user = [loader for loader in env.loader.loaders[1:-1]]  # type: ignore[union-attr]
    return [Path(p) for loader in user for p in loader.searchpath]


def _located(exc: BaseException, name: str, what: str, hint: str, *, limit: bool = False) -> AiassureError:
    """An error naming the template file and line where it happened (Jinja keeps those in the traceback)."""
    where = Location(name)
    for frame in reversed(traceback.extract_tb(exc.__traceback__, limit=None)[-200:]):
        if frame.filename.endswith((".html", ".md", ".svg", ".txt", ".xml")):
            where = Location(Path(frame.filename).name, frame.lineno)
            break
    detail = str(exc) or type(exc).__name__
    if not isinstance(exc, (TemplateError, TemplateLimitExceeded)):
        detail = f"{type(exc).__name__}: {detail}"
    message = f"{what}: {detail}"
    return AiassureError(
        f"{where}: {message}",
        [Diagnostic("template-limit" if limit else "template-error", message, where, "", "error", hint)],
    )


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
