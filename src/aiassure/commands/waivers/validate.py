"""`aiassure waivers validate FILE...`: every error and warning of each waiver file, located."""

from __future__ import annotations

from pathlib import Path

import click

from ...assessments.waivers import check_waivers
from ...errors import AiassureError, ChecksFailed, Diagnostic
from ...rubrics.loader import RubricLibrary
from ...source import load_file
from ..common import echo_diagnostics, max_bytes_option, rubric_dir_option


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@rubric_dir_option
@max_bytes_option
def command(files: tuple[Path, ...], strict: bool, rubric_dirs: tuple[Path, ...], max_bytes: int) -> None:
    """Check waiver files (exit 1 if any has an error): their shape, approvers, expiries and targets."""
    library = RubricLibrary(list(rubric_dirs))
    errors = warnings = 0
    for path in files:
        found: list[Diagnostic]
        try:
            found = check_waivers(load_file(path, max_bytes=max_bytes), library)[1]
        except AiassureError as exc:
            found = exc.diagnostics
        if strict:
            found = [d.as_error() for d in found]
        echo_diagnostics(found)
        errors += sum(1 for d in found if d.is_error)
        warnings += sum(1 for d in found if not d.is_error)
    click.echo(f"{len(files)} waiver file(s): {errors} error(s), {warnings} warning(s)", err=True)
    if errors:
        raise ChecksFailed()
