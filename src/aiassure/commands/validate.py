"""`aiassure validate FILE...`: every error and warning of each submission, located; as text or as SARIF."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from ..assessments.validate import check_document
from ..batch import expand_paths
from ..errors import AiassureError, ChecksFailed, Diagnostic, printable
from ..rubrics.loader import RubricLibrary
from ..source import load_file
from .common import calendar, echo_diagnostics, max_bytes_option, progress, rubric_dir_option


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--quiet", "-q", is_flag=True, help="Report errors only (text and SARIF), no warnings or summary.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "sarif"]),
    default="text",
    show_default=True,
    help="text: messages on standard error; sarif: also a SARIF 2.1.0 log for code-scanning views.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --format sarif: the file to write the log to (default: standard output).",
)
@rubric_dir_option
@max_bytes_option
def command(
    files: tuple[Path, ...],
    strict: bool,
    quiet: bool,
    fmt: str,
    output: Path | None,
    rubric_dirs: tuple[Path, ...],
    max_bytes: int,
) -> None:
    """Check submission files against their rubric (exit 1 if any has an error)."""
    from ..errors import UsageError

    if output is not None and fmt != "sarif":
        raise UsageError("-o/--output is for --format sarif")
    library = RubricLibrary(list(rubric_dirs))
    paths = expand_paths(files)
    if output is not None:
        from ..fsutil import refuse_inputs

        refuse_inputs([output], paths)
    today = calendar()
    invalid = errors = warnings = 0
    everything: list[Diagnostic] = []
    identities: dict[str, str | None] = {str(path): None for path in paths}
    for path in progress(paths, len(paths), "validating"):
        try:
            doc = load_file(path, max_bytes=max_bytes)
            identities[str(path)] = doc.sha256
            _, found = check_document(doc, library, strict=strict, calendar=today)
        except AiassureError as exc:
            found = exc.diagnostics
        file_errors = sum(1 for d in found if d.is_error)
        errors += file_errors
        warnings += len(found) - file_errors
        invalid += bool(file_errors)
        shown = [d for d in found if d.is_error or not quiet]
        everything.extend(shown)
        echo_diagnostics(shown)
    for refused in paths.refused:  # a symbolic link out of a folder given: that file only
        identities[refused.location.file] = None
        everything.append(refused)
        echo_diagnostics([refused])
    invalid += len(paths.refused)
    errors += len(paths.refused)
    if fmt == "sarif":
        _write_sarif(everything, identities, output)
    if not quiet:
        total = len(paths) + len(paths.refused)
        click.echo(
            f"{total} file(s): {total - invalid} valid, {invalid} invalid; {errors} error(s), {warnings} warning(s)",
            err=True,
        )
    if invalid:
        raise ChecksFailed()


def _write_sarif(diagnostics: list[Diagnostic], inputs: dict[str, str | None], output: Path | None) -> None:
    import json

    from ..interop.sarif import sarif_log

    log = sarif_log(
        diagnostics,
        inputs,
        root=Path.cwd(),
        command_line=shlex.join(["aiassure", *sys.argv[1:]]) if sys.argv else "aiassure validate",
    )
    text = json.dumps(log, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    from ..fsutil import write_atomic

    write_atomic(output, text)
    click.echo(f"wrote {printable(str(output))}", err=True)
