"""`aiassure report FILE... -o DIR`: one report per submission, as HTML, PDF, Markdown or JSON."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..assessments.model import Submission
from ..assessments.score_files import ScoreOptions, library_for, read_submission
from ..batch import expand_paths, run_batch
from ..errors import AiassureError, ChecksFailed, Diagnostic
from ..registry.portfolio.model import DEFAULT_MIN_PEERS, MAX_MIN_PEERS
from .common import (
    calendar,
    echo_diagnostics,
    jobs_option,
    max_bytes_option,
    out_dir_option,
    progress,
    read_waivers,
    registry_files,
    rubric_dir_option,
    rubric_files,
    shown,
    template_dir_option,
    template_files,
    template_limit_options,
    waivers_option,
)

if TYPE_CHECKING:
    from ..reports.writer import ReportSettings


@dataclass(frozen=True)
class Reported:
    """One submission read, validated and rendered once, by a worker: what naming its reports needs
    (`report_paths` reads `file` and `envelope`), and its files staged beside their targets, to be
    put in place once every name is known to be safe. Nothing large crosses processes."""

    file: str
    envelope: Submission
    staged: list[tuple[Path, Path]]  # (temporary file, target)


def _report_one(path: Path, *, settings: ReportSettings, staging: Path) -> tuple[Reported | None, list[Diagnostic]]:
    """Worker: read and validate one submission, render its reports and stage their files in `staging`."""
    from ..fsutil import stage
    from ..reports.writer import render_report, report_paths

    options = settings.score
    try:
        parsed = read_submission(path, options)
    except AiassureError as exc:
        return None, exc.diagnostics
    (targets,) = report_paths([parsed], settings.out_dir, settings.outputs)
    rendered = render_report(
        parsed,
        settings.formats,
        settings.template_dirs,
        settings.previous,
        limits=settings.template_limits,
        registry=settings.registry,
        min_peers=settings.min_peers,
        action_plan=settings.action_plan,
        score=options,
    )
    # A failure leaves what was staged to the staging folder's removal.
    staged = [
        (stage(target, rendered[output], staging), target)
        for output, target in zip(settings.outputs, targets, strict=True)
    ]
    return Reported(parsed.file, parsed.envelope, staged), []


@click.command("report")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@out_dir_option("Folder to write the reports to (created if missing).")
@click.option(
    "--format",
    "formats",
    default="html,pdf",
    show_default=True,
    help="Comma-separated formats: html, pdf, md, json, or one a plugin adds (docs/plugins.md).",
)
@template_dir_option
@template_limit_options
@click.option(
    "--previous",
    "previous_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="An earlier round: submissions, result JSON files or report PDFs, or folders of them (repeatable). "
    "Each report shows the change since the latest earlier round of the same subject.",
)
@click.option(
    "--db",
    metavar="URL",
    default=None,
    help="A registry (sqlite:///PATH or postgresql+psycopg://...) to compare with: the executive summary "
    "shows its national and peer-group medians of the round, and the trend of the subject's earlier rounds "
    "there. Without it the summary says no registry was given.",
)
@click.option(
    "--min-peers",
    type=click.IntRange(1, MAX_MIN_PEERS),
    default=DEFAULT_MIN_PEERS,
    show_default=True,
    help="A median among fewer assessments than this is not shown: 'too few peers (n)'.",
)
@click.option(
    "--action-plan",
    is_flag=True,
    help="Also write the roadmap as an action plan, <code>-<round>.actions.csv: action, owner, target date, status.",
)
@click.option(
    "--previous-plan",
    "previous_plans",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The previous round's action plan (repeatable; implies --action-plan): its owners, target dates and "
    "statuses are carried to the same actions; an action no longer on the roadmap is listed as closed.",
)
@click.option("--strict", is_flag=True, help="Treat validation warnings as errors.")
@waivers_option
@jobs_option()
@rubric_dir_option
@max_bytes_option
def command(
    files: tuple[Path, ...],
    out_dir: Path,
    formats: str,
    template_dirs: tuple[Path, ...],
    template_timeout: float,
    template_max_bytes: int,
    previous_paths: tuple[Path, ...],
    db: str | None,
    min_peers: int,
    action_plan: bool,
    previous_plans: tuple[Path, ...],
    strict: bool,
    waivers_file: Path | None,
    jobs: int,
    rubric_dirs: tuple[Path, ...],
    max_bytes: int,
) -> None:
    """Write one report per submission FILE into the output folder, named <code>-<round>.<format>.

    A PDF embeds its result JSON and the submission file, so `registry ingest` accepts it alone."""
    from ..assessments.inputs import PREVIOUS_SUFFIXES, load_previous
    from ..fsutil import put_in_place, refuse_inputs, staging_folder
    from ..registry.store import open_registry
    from ..reports.actionplan import read_plans
    from ..reports.limits import TemplateLimits
    from ..reports.writer import (
        ReportSettings,
        parse_formats,
        prepare_templates,
        report_paths,
        report_seconds,
    )

    waivers = read_waivers(waivers_file, rubric_dirs, max_bytes)
    chosen = parse_formats(formats)
    prepare_templates(chosen, tuple(template_dirs))
    if db is not None:
        # A registry that is not there stops the run before any work; workers open their own.
        open_registry(db, must_exist=True).close()
    plans = read_plans(previous_plans, max_bytes=max_bytes) if previous_plans else []
    library = library_for(tuple(rubric_dirs))
    previous = load_previous(list(previous_paths), library, max_bytes=max_bytes)
    paths = expand_paths(files)
    protect = [
        *expand_paths(previous_paths, PREVIOUS_SUFFIXES),
        *template_files(template_dirs),
        *rubric_files(rubric_dirs),
        *(registry_files(db) if db is not None else []),
        *previous_plans,
        *([waivers_file] if waivers_file is not None else []),
    ]
    settings = ReportSettings(
        out_dir,
        chosen,
        tuple(template_dirs),
        tuple(previous),
        tuple(protect),
        ScoreOptions(tuple(rubric_dirs), strict, max_bytes, calendar(), waivers),
        TemplateLimits(template_timeout, template_max_bytes),
        db,
        min_peers,
        tuple(plans) if action_plan or previous_plans else None,
    )
    # Each file is read once: workers validate, render and stage its reports; they are put in place
    # only once every report's name is known not to collide or overwrite an input.
    valid: list[Reported] = []
    fresh = not out_dir.exists()
    try:
        with staging_folder(out_dir) as staging:
            work = partial(_report_one, settings=settings, staging=staging)
            batch = run_batch(work, paths, jobs=jobs, item_seconds=report_seconds(chosen))
            for reported, diagnostics in progress(batch, len(paths), "reporting"):
                if reported is None:
                    echo_diagnostics(diagnostics)
                else:
                    valid.append(reported)
            report_paths(valid, out_dir, settings.outputs)  # two submissions named alike are refused
            refuse_inputs((target for r in valid for _, target in r.staged), [*paths, *protect])
            put_in_place(staged for r in valid for staged in r.staged)
    finally:
        if fresh and out_dir.is_dir() and not any(out_dir.iterdir()):
            out_dir.rmdir()  # refused before anything was written: leave no trace
    for reported in valid:
        for _, target in reported.staged:
            click.echo(shown(target))
    echo_diagnostics(paths.refused)
    failed = len(paths) + len(paths.refused) - len(valid)
    if failed:
        click.echo(f"{failed} of {len(paths) + len(paths.refused)} file(s) could not be reported", err=True)
        raise ChecksFailed()
