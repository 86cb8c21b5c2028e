"""Options and output shared by the commands: input and output folders, limits, diagnostics, progress."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import Diagnostic
from ..source import DEFAULT_MAX_BYTES

T = TypeVar("T")


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _folders_option(flag: str, name: str, help_text: str) -> Decorator:
    """A repeatable option naming existing folders, giving `name: tuple[Path, ...]`."""
    return click.option(
        flag, name, multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path), help=help_text
    )


def out_dir_option(long_flag: str, help_text: str) -> Decorator:
    """`-o`/`long_flag`: the folder a command writes into, giving `out_dir: Path`."""
    return click.option(
        "-o", long_flag, "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help=help_text
    )


rubric_dir_option = _folders_option(
    "--rubric-dir",
    "rubric_dirs",
    "Folder of rubric files searched before the built-in library (repeatable; also AIASSURE_RUBRIC_PATH).",
)
template_dir_option = _folders_option(
    "--template-dir", "template_dirs", "Folder of templates searched before the built-in ones (repeatable)."
)
max_bytes_option = click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="Refuse input files larger than this.",
)
jobs_option = click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True, help="Worker processes."
)


def err_is_tty() -> bool:
    return sys.stderr.isatty()


def echo_diagnostics(diagnostics: Iterable[Diagnostic]) -> None:
    colour = err_is_tty()
    for diagnostic in diagnostics:
        text = diagnostic.format()
        if colour:
            head, _, rest = text.partition(": ")
            style = "red" if diagnostic.is_error else "yellow"
            text = (
                click.style(head, bold=True)
                + ": "
                + click.style(rest.split("\n")[0], fg=style)
                + ("\n" + "\n".join(rest.split("\n")[1:]) if "\n" in rest else "")
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
