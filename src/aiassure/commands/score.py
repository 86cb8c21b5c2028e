"""`aiassure score FILE...`: results as a readable table or as SPEC 4.8 JSON."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import click

from ..assessments.result import Result
from ..assessments.score_files import ScoreOptions, score_files
from ..batch import expand_paths
from .common import (
    echo_diagnostics,
    jobs_option,
    max_bytes_option,
    progress,
    render_table,
    rubric_dir_option,
    stdout_console,
)


def json_text(result: Result, *, in_array: bool) -> str:
    """A result's JSON; in an array, indented one level more and without its final newline."""
    text = result.to_json()
    return "\n".join("  " + line for line in text.rstrip("\n").split("\n")) if in_array else text


@click.command("score")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@jobs_option
@rubric_dir_option
@max_bytes_option
def command(
    files: tuple[Path, ...], fmt: str, strict: bool, jobs: int, rubric_dirs: tuple[Path, ...], max_bytes: int
) -> None:
    """Score submission files: one JSON object for one file, a JSON array for several."""
    paths = expand_paths(files)
    options = ScoreOptions(tuple(rubric_dirs), strict, max_bytes)
    console = stdout_console() if fmt == "table" else None
    as_array = fmt == "json" and len(paths) != 1
    render = None if fmt == "table" else partial(json_text, in_array=as_array)
    printed = failed = 0
    for outcome in progress(score_files(paths, options, jobs=jobs, render=render), len(paths), "scoring"):
        if outcome.result is not None and console is not None:
            render_table(outcome.result, console)
        elif outcome.text is not None:
            text = outcome.text
            if as_array:  # streamed, so memory stays flat however many files there are
                text = ("[\n" if not printed else ",\n") + text
            click.echo(text, nl=False)
            printed += 1
        else:
            failed += 1
            echo_diagnostics(outcome.diagnostics)
    if as_array:
        click.echo("[]" if not printed else "\n]")
    if failed:
        click.echo(f"{failed} of {len(paths)} file(s) could not be scored", err=True)
        raise SystemExit(1)
