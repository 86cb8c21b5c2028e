"""`aiassure demo`: the main job end to end on the shipped examples: scores, reports, a registry and the portfolio."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click

import aiassure

from ..assessments.score_files import ScoreOptions
from ..batch import expand_paths, run_batch
from ..errors import InputError, NotFoundError, UsageError
from .common import (
    MAX_JOBS,
    calendar,
    echo_diagnostics,
    jobs_option,
    out_dir_option,
    progress,
    read_waivers,
    rubric_dir_option,
    rubric_files,
    shown,
)

if TYPE_CHECKING:
    from ..assessments.waivers import Waiver
    from ..registry.intake import Intake
    from ..registry.store import Registry

DEFAULT_OUT = Path("aiassure-demo")
REPORT_FORMATS = ("html", "pdf")
# The examples' waivers (docs/waivers.md), applied to their scores, reports and registry when present.
WAIVERS_FILE = "waivers.yaml"


def source_examples() -> Path:
    """The examples/ folder of the source tree aiassure runs from (src/aiassure/ -> repo root)."""
    return Path(aiassure.__file__).resolve().parents[2] / "examples"


def example_submissions(folder: Path) -> list[Path]:
    """Every submission under `folder`: YAML files whose `subject` is a mapping (rubric files and
    evidence are left alone), in a stable order."""
    from ..errors import AiassureError
    from ..source import load_file

    found = []
    for path in expand_paths([folder]):
        try:
            data = load_file(path).data
        except AiassureError:
            found.append(path)  # let scoring report what is wrong with it
            continue
        if isinstance(data, dict) and isinstance(data.get("subject"), dict):
            found.append(path)
    return found


@click.command("demo")
@out_dir_option("Folder for everything the demo writes.", DEFAULT_OUT)
@click.option(
    "--examples",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of example submissions (default: examples/ of the aiassure source tree).",
)
@jobs_option(min(os.cpu_count() or 1, MAX_JOBS), "the number of CPUs")
@rubric_dir_option
def command(out_dir: Path, examples: Path | None, jobs: int, rubric_dirs: tuple[Path, ...]) -> None:
    """Score every example submission, ingest them all into a SQLite registry (OUTPUT/registry.db),
    write each one's HTML and PDF report (its executive summary set against the registry's medians)
    and the national portfolio report; then say where everything is."""
    from ..registry.intake import read_inputs
    from ..registry.portfolio import build_portfolio
    from ..registry.store import open_registry
    from ..reports.portfolio import write_portfolio
    from ..reports.writer import ReportSettings, report_file, report_seconds

    folder = examples or source_examples()
    if not folder.is_dir():
        raise NotFoundError(
            f"no examples folder at {folder} (aiassure is not running from its source tree); "
            "give one with --examples DIR"
        )
    _refuse_overlap(out_dir, folder)
    files = example_submissions(folder)
    if not files:
        raise NotFoundError(f"no submission files in {folder}")
    from ..fsutil import refuse_inputs

    waivers_file = folder / WAIVERS_FILE
    waivers = read_waivers(waivers_file if waivers_file.is_file() else None, rubric_dirs)
    refuse_inputs([out_dir / "registry.db"], [*files, *rubric_files(rubric_dirs)])
    options = ScoreOptions(tuple(rubric_dirs), calendar=calendar(), waivers=waivers)
    outcomes = list(progress(read_inputs(files, options, jobs=jobs), len(files), "scoring"))
    rejected = [o for o in outcomes if o.intake is None]
    if rejected:
        for outcome in rejected:
            echo_diagnostics(outcome.diagnostics)
        raise InputError(f"{len(rejected)} of {len(files)} example(s) are invalid")
    intakes = [o.intake for o in outcomes if o.intake is not None]

    out_dir.mkdir(parents=True, exist_ok=True)
    database = out_dir / "registry.db"
    registry_url = f"sqlite:///{database}"
    registry = open_registry(registry_url)
    try:
        _record_waivers(registry, waivers)
        statuses = [registry.store(intake).status for intake in intakes]
        portfolio = build_portfolio(registry, today=options.calendar.today if options.calendar else None)
    finally:
        registry.close()
    reports_dir = out_dir / "reports"
    # Written after the registry is filled, so that each report's executive summary compares the
    # subject with the national and same-type medians there (`report --db`).
    settings = ReportSettings(
        reports_dir,
        REPORT_FORMATS,
        previous=tuple(i.result for i in intakes),
        score=options,
        registry_url=registry_url,
    )
    reports = [
        p
        for written in progress(
            run_batch(
                partial(report_file, settings=settings),
                files,
                jobs=jobs,
                item_seconds=report_seconds(REPORT_FORMATS),
            ),
            len(files),
            "reports",
        )
        for p in written
    ]

    portfolio_files = write_portfolio(portfolio, out_dir / "portfolio")
    _print_summary(folder, intakes, reports_dir, reports, database, statuses, portfolio_files)


def _record_waivers(registry: Registry, waivers: tuple[Waiver, ...]) -> None:
    """The waiver file's waivers in the demo registry, as recorded at the command line (so that the
    portfolio counts them); one stored already with the same fingerprint (a demo run again) is kept."""

    from ..registry.waivers import WaiverConflict, record_request, stored_waiver

    at = dt.datetime.now(dt.UTC)
    with registry.transaction(write=True) as conn:
        for waiver in waivers:
            try:
                record_request(conn, waiver, by=waiver.requester, organisation=None, at=at)
            except WaiverConflict:
                if stored_waiver(conn, waiver.id).fingerprint != waiver.fingerprint:
                    raise


def _refuse_overlap(out_dir: Path, examples: Path) -> None:
    """The demo's output folder may neither be nor hold nor sit in the examples folder: its reports
    would become examples, or replace them."""
    out, given = out_dir.resolve(), examples.resolve()
    if out == given or out.is_relative_to(given) or given.is_relative_to(out):
        raise UsageError(f"refusing to write into {shown(out_dir)}: it overlaps the examples folder {shown(examples)}")


def _two_rounds(intakes: list[Intake]) -> tuple[str, str] | None:
    """The files of the first subject assessed in two rounds on one rubric (by itself, or by the same
    organisation), earlier round first."""
    seen: dict[tuple[str, str, tuple[str, str] | None], Intake] = {}
    for intake in sorted(intakes, key=lambda i: (i.result.round, i.source)):
        key = (intake.result.rubric.id, intake.result.subject.code, intake.assessed_by)
        earlier = seen.setdefault(key, intake)
        if earlier.result.round != intake.result.round:
            return earlier.source, intake.source
    return None


def _print_summary(
    folder: Path,
    intakes: list[Intake],
    reports_dir: Path,
    reports: list[Path],
    database: Path,
    statuses: Sequence[str],
    portfolio_files: list[Path],
) -> None:
    """Plain aligned text: it reads the same on a terminal, in a log and in a pipe."""
    rows = []
    for intake in sorted(
        intakes,
        key=lambda i: (
            f"{i.result.rubric.id}@{i.result.rubric.version}",
            i.result.subject.code,
            i.assessed_by or ("", ""),
            i.result.round,
        ),
    ):
        result = intake.result
        code = result.subject.code + (f" by {intake.assessed_by[0]}" if intake.assessed_by else "")
        overall = result.overall
        level = "not assessed" if overall.level is None else f"{overall.level} {overall.label} ({overall.score:.2f})"
        gates = len(result.failed_gates)
        waived = len(result.waivers.applied) if result.waivers else 0
        notes = [f"{gates} failed gate{'' if gates == 1 else 's'}"] if gates else []
        notes += [f"{waived} waiver{'' if waived == 1 else 's'} applied"] if waived else []
        expired = [w.id for w in result.waivers.not_applied if w.reason == "expired"] if result.waivers else []
        notes += [f"waiver {', '.join(expired)} expired"] if expired else []
        rows.append(
            (
                f"{result.rubric.id}@{result.rubric.version}",
                result.round,
                code,
                level,
                "; ".join(notes),
                result.outcome.label if result.outcome else "",
                result.subject.name,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [f"Scored {len(intakes)} example submissions from {folder}:"]
    for rubric in dict.fromkeys(row[0] for row in rows):
        lines.append(f"  {rubric}")
        lines += [
            "    " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[1:], start=1)).rstrip()
            for row in rows
            if row[0] == rubric
        ]
    stored = len(statuses) - statuses.count("duplicate")
    lines += [
        "",
        f"Per-organisation reports, HTML and PDF ({len(reports)} files): {reports_dir}/",
        f"Registry (SQLite): {database}  ({stored} stored, {statuses.count('duplicate')} already there)",
        "Portfolio report:",
        *(f"  {path}" for path in portfolio_files),
        "",
        "Next:",
        f"  aiassure registry list --db {database}",
        f"  aiassure portfolio export --format csv --db {database} -o portfolio.csv",
    ]
    pair = _two_rounds(intakes)
    if pair:
        lines.append(f"  aiassure diff {pair[0]} {pair[1]}")
    click.echo("\n".join(shown(line) for line in lines))
