"""Options and output shared by the commands: folders, limits, the registry, diagnostics, progress, score tables."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..errors import Diagnostic
from ..source import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    from rich.console import Console

    from ..assessments.result import Result

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


def db_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db",
        metavar="URL",
        default=None,
        help="The registry: sqlite:///PATH (or just PATH) or postgresql+psycopg://USER:PASSWORD@HOST/DB. "
        "Default: AIASSURE_DB, else sqlite:///aiassure.db.",
    )(func)


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


def _stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True)


def stdout_console() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def render_table(result: Result, console: Console) -> None:
    from rich.table import Table

    subject = result.subject
    overall = result.overall
    title = f"{subject.name} ({subject.code}), {result.round}: {result.rubric.id}@{result.rubric.version}"
    table = Table(title=title, title_justify="left", show_lines=False)
    for name in ("scope", "id", "score", "level", "capped to"):
        table.add_column(name, justify="right" if name in ("score", "level", "capped to") else "left")

    def row(kind: str, ident: str, score: float | None, level: int | None, label: str | None, cap: int | None) -> None:
        shown = "not assessed" if score is None else f"{score:.2f}"
        table.add_row(kind, ident, shown, "" if level is None else f"{level} {label}", "" if cap is None else str(cap))

    row("overall", overall.method, overall.score, overall.level, overall.label, overall.capped_to)
    for pillar in result.pillars:
        row("pillar", pillar.id, pillar.score, pillar.level, pillar.label, pillar.capped_to)
    for domain in result.domains:
        row("domain", domain.id, domain.score, domain.level, domain.label, domain.capped_to)
    console.print(table)
    outcome = result.outcome.label if result.outcome else "no outcome"
    completeness = "n/a" if result.completeness is None else f"{result.completeness:.0%}"
    console.print(f"Outcome: [bold]{outcome}[/bold] · completeness {completeness} · {len(result.warnings)} warning(s)")
    for gate in result.failed_gates:
        scope = "the overall level" if gate.scope == "overall" else f"{gate.scope} {gate.target}"
        console.print(f"[red]Failed gate[/red] {gate.criterion}: caps {scope} at {gate.cap}")
    for action in result.actions[:5]:
        console.print(f"  → {action.criterion} {action.from_level}→{action.to_level}: {action.action}", overflow="fold")
    console.print()
