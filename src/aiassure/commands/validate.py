"""`aiassure validate FILE...`: every error and warning of each submission, located."""

from __future__ import annotations

from pathlib import Path

import click

from ..assessments.validate import check_document
from ..batch import expand_paths
from ..errors import AiassureError
from ..rubrics.loader import RubricLibrary
from ..source import load_file
from .common import echo_diagnostics, max_bytes_option, progress, rubric_dir_option


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--quiet", "-q", is_flag=True, help="Print errors only, no warnings or summary.")
@rubric_dir_option
@max_bytes_option
def command(files: tuple[Path, ...], strict: bool, quiet: bool, rubric_dirs: tuple[Path, ...], max_bytes: int) -> None:
    """Check submission files against their rubric (exit 1 if any has an error)."""
    library = RubricLibrary(list(rubric_dirs))
    paths = expand_paths(files)
    invalid = errors = warnings = 0
    for path in progress(paths, len(paths), "validating"):
        try:
            doc = load_file(path, max_bytes=max_bytes)
            _, found = check_document(doc, library, strict=strict)
        except AiassureError as exc:
            found = exc.diagnostics
        file_errors = sum(1 for d in found if d.is_error)
        errors += file_errors
        warnings += len(found) - file_errors
        invalid += bool(file_errors)
        echo_diagnostics(d for d in found if d.is_error or not quiet)
    if not quiet:
        click.echo(
            f"{len(paths)} file(s): {len(paths) - invalid} valid, {invalid} invalid; "
            f"{errors} error(s), {warnings} warning(s)",
            err=True,
        )
    if invalid:
        raise SystemExit(1)
