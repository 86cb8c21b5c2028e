"""`aiassure schema RUBRIC`: the JSON Schema of a submission for that rubric."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..assessments.schema import submission_schema
from ..fsutil import refuse_inputs, write_atomic
from ..rubrics.loader import RubricLibrary
from .common import rubric_dir_option, rubric_files, shown


@click.command("schema")
@click.argument("rubric")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@rubric_dir_option
def command(rubric: str, output: Path | None, rubric_dirs: tuple[Path, ...]) -> None:
    """JSON Schema of an answers file for RUBRIC (for editor completion and checks)."""
    loaded = RubricLibrary(list(rubric_dirs)).resolve(rubric)
    text = json.dumps(submission_schema(loaded), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        given = [Path(rubric)] if rubric.endswith((".yaml", ".yml")) else []
        refuse_inputs([output], [*given, *rubric_files(rubric_dirs)])
        write_atomic(output, text)
        click.echo(f"wrote {shown(output)}", err=True)
