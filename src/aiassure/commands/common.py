"""Options and output shared by the commands: rubric search path, diagnostics, progress."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import Diagnostic
from ..source import DEFAULT_MAX_BYTES

T = TypeVar("T")


def rubric_dir_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--rubric-dir",
        "rubric_dirs",
        multiple=True,
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="Folder of rubric files searched before the built-in library (repeatable; also AIASSURE_RUBRIC_PATH).",
    )(func)


def max_bytes_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--max-bytes",
        type=click.IntRange(min=1),
        default=DEFAULT_MAX_BYTES,
        show_default=True,
        help="Refuse input files larger than this.",
    )(func)


def jobs_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True, help="Worker processes.")(func)


def err_is_tty() -> bool:
    return sys.stderr.isatty()


def echo_diagnostics(diagnostics: Iterable[Diagnostic]) -> None:
    colour = err_is_tty()
    for diagnostic in diagnostics:
        text = diagnostic.format()
        if colour:
            head, _, rest = text.partition(": ")
            style = "red" if diagnostic.is_error else "yellow"
            text = click.style(head, bold=True) + ": " + click.style(rest.split("\n")[0], fg=style) + (
                "\n" + "\n".join(rest.split("\n")[1:]) if "\n" in rest else ""
            )
        click.echo(text, err=True)


def progress(items: Iterable[T], total: int, label: str) -> Iterator[T]:
    """A progress bar on a terminal for more than one item; silent when piped."""
    if total <= 1 or not err_is_tty():
        yield from items
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True, console=_stderr_console()) as bar:
        task = bar.add_task(label, total=total)
        for item in items:
            yield item
            bar.advance(task)


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def stdout_console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)
