"""`aiassure report FILE... -o DIR`: one report per submission, as HTML, PDF, Markdown or JSON."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

import click

from ..assessments.model import Submission
from ..assessments.score_files import SCORE_CHUNK, ScoreOptions, library_for
from ..assessments.validate import load_submission
from ..batch import expand_paths, run_batch
from ..errors import AiassureError, Diagnostic
from .common import (
    echo_diagnostics,
    jobs_option,
    max_bytes_option,
    out_dir_option,
    progress,
    rubric_dir_option,
    template_dir_option,
)


@dataclass(frozen=True)
class Checked:
    """What naming the reports needs of a valid submission (`report_paths` reads `file` and
    `envelope`): kept instead of the whole parsed file, so memory stays flat however many there are."""

    file: str
    envelope: Submission
    path: Path


def _check_one(
    path: Path, *, rubric_dirs: tuple[Path, ...], strict: bool, max_bytes: int
) -> tuple[Checked | None, list[Diagnostic]]:
    """Worker: validate one submission before any report is written."""
    try:
        parsed = load_submission(path, library_for(rubric_dirs), strict=strict, max_bytes=max_bytes)
    except AiassureError as exc:
        return None, exc.diagnostics
    return Checked(parsed.file, parsed.envelope, path), []


# Files sent to a worker at a time: fewer round trips, while a PDF-heavy batch still spreads evenly.
REPORT_CHUNK = 4


@click.command("report")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@out_dir_option("--output", "Folder to write the reports to (created if missing).")
@click.option(
    "--format",
    "formats",
    default="html,pdf",
    show_default=True,
    help="Comma-separated formats: html, pdf, md, json, or one a plugin adds (docs/plugins.md).",
)
@template_dir_option
@click.option(
    "--previous",
    "previous_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="An earlier round: submissions, result JSON files or report PDFs, or folders of them (repeatable). "
    "Each report shows the change since the latest earlier round of the same subject.",
)
@click.option("--strict", is_flag=True, help="Treat validation warnings as errors.")
@jobs_option()
@rubric_dir_option
@max_bytes_option
def command(
    files: tuple[Path, ...],
    out_dir: Path,
    formats: str,
    template_dirs: tuple[Path, ...],
    previous_paths: tuple[Path, ...],
    strict: bool,
    jobs: int,
    rubric_dirs: tuple[Path, ...],
    max_bytes: int,
) -> None:
    """Write one report per submission FILE into the output folder, named <code>-<round>.<format>.

    A PDF embeds its result JSON and the submission file, so `registry ingest` accepts it alone."""
    from ..assessments.inputs import PREVIOUS_SUFFIXES, load_previous
    from ..fsutil import refuse_inputs
    from ..reports.writer import ReportSettings, parse_formats, prepare_templates, report_file, report_paths

    chosen = parse_formats(formats)
    prepare_templates(chosen, tuple(template_dirs))
    library = library_for(tuple(rubric_dirs))
    previous = load_previous(list(previous_paths), library)
    paths = expand_paths(files)
    valid: list[Checked] = []
    check = partial(_check_one, rubric_dirs=tuple(rubric_dirs), strict=strict, max_bytes=max_bytes)
    for checked, diagnostics in progress(run_batch(check, paths, jobs=jobs, chunk=SCORE_CHUNK), len(paths), "checking"):
        if checked is None:
            echo_diagnostics(diagnostics)
        else:
            valid.append(checked)
    protect = [
        *expand_paths(previous_paths, PREVIOUS_SUFFIXES),
        *(p for d in template_dirs for p in d.rglob("*") if p.is_file()),
    ]
    refuse_inputs(
        (target for planned in report_paths(valid, out_dir, chosen) for target in planned), [*paths, *protect]
    )
    settings = ReportSettings(
        out_dir,
        chosen,
        tuple(template_dirs),
        tuple(previous),
        tuple(protect),
        ScoreOptions(tuple(rubric_dirs), strict, max_bytes),
    )
    valid_paths = [c.path for c in valid]
    for written in progress(
        run_batch(partial(report_file, settings=settings), valid_paths, jobs=jobs, chunk=REPORT_CHUNK),
        len(valid_paths),
        "reporting",
    ):
        for target in written:
            click.echo(str(target))
    failed = len(paths) - len(valid)
    if failed:
        click.echo(f"{failed} of {len(paths)} file(s) could not be reported", err=True)
        raise SystemExit(1)
