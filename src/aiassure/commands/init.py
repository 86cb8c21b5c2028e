"""`aiassure init RUBRIC -o FILE`: an answers file with every question, and its JSON Schema beside it."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..assessments.answers_file import render_answers_file
from ..assessments.model import current_round
from ..assessments.schema import submission_schema
from ..errors import UsageError
from ..fsutil import reference_from, refuse_inputs, write_atomic
from ..rubrics.loader import RubricLibrary
from .common import calendar, rubric_dir_option, rubric_files, shown


@click.command("init")
@click.argument("rubric")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The answers file to create."
)
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@rubric_dir_option
def command(rubric: str, output: Path, force: bool, rubric_dirs: tuple[Path, ...]) -> None:
    """Write an answers template for RUBRIC, with guidance and level descriptors as comments."""
    if output.exists() and not force:
        raise UsageError(f"{output} exists; use --force to replace it, or `aiassure assess` to continue answering it")
    loaded = RubricLibrary(list(rubric_dirs)).resolve(rubric)
    reference = loaded.ref
    if rubric.endswith((".yaml", ".yml")):  # a rubric given as a file is named by its path from the answers file
        reference = reference_from(output.absolute().parent, Path(rubric), "rubric file")
    schema_path = output.with_name(f"{output.stem}.schema.json")
    given = [Path(rubric)] if rubric.endswith((".yaml", ".yml")) else []
    refuse_inputs([output, schema_path], [*given, *rubric_files(rubric_dirs)])
    today = calendar().today
    write_atomic(schema_path, json.dumps(submission_schema(loaded), indent=2, ensure_ascii=False) + "\n")
    write_atomic(
        output,
        render_answers_file(
            loaded,
            reference=reference,
            schema_ref=f"./{schema_path.name}",
            round_=current_round(today),
            assessed_on=today,
        ),
    )
    click.echo(f"wrote {shown(output)} ({len(loaded.criteria)} questions) and {shown(schema_path)}", err=True)
    click.echo(f"next: fill it in, then aiassure validate {shown(output)}", err=True)
