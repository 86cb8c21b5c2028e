"""`aiassure score FILE...`: results as a readable table or as JSON (docs/scoring.md)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

import click

from ..assessments.result import Result
from ..assessments.score_files import FileOutcome, ScoreOptions, score_files
from ..batch import expand_paths
from ..errors import ChecksFailed
from .common import (
    calendar,
    echo_diagnostics,
    echo_json_array,
    format_option,
    jobs_option,
    json_array_item,
    max_bytes_option,
    progress,
    read_waivers,
    render_table,
    rubric_dir_option,
    stdout_console,
    waivers_option,
)


def json_text(result: Result, *, in_array: bool) -> str:
    """A result's JSON, as an item of an array or on its own."""
    text = result.to_json()
    return json_array_item(text) if in_array else text


@click.command("score")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@format_option("text", "json")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@waivers_option
@jobs_option()
@rubric_dir_option
@max_bytes_option
def command(
    files: tuple[Path, ...],
    fmt: str,
    strict: bool,
    waivers_file: Path | None,
    jobs: int,
    rubric_dirs: tuple[Path, ...],
    max_bytes: int,
) -> None:
    """Score submission files: one JSON object for one file, a JSON array for several."""
    waivers = read_waivers(waivers_file, rubric_dirs, max_bytes)
    paths = expand_paths(files)
    options = ScoreOptions(tuple(rubric_dirs), strict, max_bytes, calendar(), waivers)
    as_array = fmt == "json" and len(paths) != 1
    render = None if fmt == "text" else partial(json_text, in_array=as_array)
    failed = 0

    def scored() -> Iterator[FileOutcome]:
        nonlocal failed
        for outcome in progress(score_files(paths, options, jobs=jobs, render=render), len(paths), "scoring"):
            if outcome.result is not None or outcome.text is not None:
                yield outcome
            else:
                failed += 1
                echo_diagnostics(outcome.diagnostics)

    if fmt == "text":
        console = stdout_console()
        for outcome in scored():
            if outcome.result is not None:
                render_table(outcome.result, console, outcome.uncapped)
    elif as_array:  # streamed, so memory stays flat however many files there are
        echo_json_array(outcome.text for outcome in scored() if outcome.text is not None)
    else:
        for outcome in scored():
            click.echo(outcome.text, nl=False)
    echo_diagnostics(paths.refused)
    failed += len(paths.refused)
    if failed:
        click.echo(f"{failed} of {len(paths) + len(paths.refused)} file(s) could not be scored", err=True)
        raise ChecksFailed()
