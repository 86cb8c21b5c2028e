"""`aiassure registry ingest|list|show|refresh-waivers`: store submissions, results and PDF reports, and look at
what is stored."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..assessments.score_files import ScoreOptions
from ..errors import ChecksFailed, Diagnostic, NotFoundError
from .common import (
    Column,
    Group,
    all_option,
    calendar,
    db_option,
    echo_diagnostics,
    echo_json_array,
    echo_left_out,
    fitted_table,
    format_option,
    jobs_option,
    json_array_item,
    max_bytes_option,
    progress,
    round_option,
    rubric_dir_option,
    rubric_option,
    shown,
    stdout_console,
)

if TYPE_CHECKING:
    from ..registry.store import ListedSubmission, Stored, StoredScore


@click.group("registry", cls=Group)
def command() -> None:
    """The registry of every submission: SQLite by default, PostgreSQL when shared (docs/registry.md)."""


@dataclass
class IngestSummary:
    """Counts of what happened to each input, and why each rejected one was rejected."""

    db: str
    files: int = 0
    new: int = 0
    superseded: int = 0
    duplicate: int = 0
    confirmed: int = 0
    skipped: list[str] = field(default_factory=list)
    rejected: list[tuple[str, list[str]]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "db": self.db,
            "files": self.files,
            "new": self.new,
            "superseded": self.superseded,
            "duplicate": self.duplicate,
            "confirmed": self.confirmed,
            "skipped": self.skipped,
            "rejected": [{"path": path, "reasons": reasons} for path, reasons in self.rejected],
        }

    def lines(self) -> list[str]:
        """The summary as plain lines, every file name and reason escaped (`shown`)."""
        lines = [
            f"{self.files} file(s) into {self.db}:",
            f"  new         {self.new}",
            f"  superseded  {self.superseded}  (stored; an earlier submission of the same assessment: subject,"
            " assessing organisation, rubric and round, is kept as history)",
            f"  duplicate   {self.duplicate}  (already stored: same SHA-256)",
            f"  confirmed   {self.confirmed}  (result files equal to what their stored submission scores)",
            f"  skipped     {len(self.skipped)}  (rubric and waiver files found in the folders given)",
            f"  rejected    {len(self.rejected)}",
        ]
        for path, reasons in self.rejected:
            # A located reason already starts with the file's name.
            first = reasons[0] if reasons[0].startswith(path) else f"{path}: {reasons[0]}"
            lines.append(f"    {first}" + (f" (and {len(reasons) - 1} more)" if len(reasons) > 1 else ""))
        return [shown(line) for line in lines]


@command.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
@click.option("--strict", is_flag=True, help="Reject submissions that have warnings.")
@click.option("--verbose", "-v", is_flag=True, help="Say what happened to every file.")
@format_option("text", "json", help_text="Summary format.")
@jobs_option()
@rubric_dir_option
@max_bytes_option
def ingest(
    paths: tuple[Path, ...],
    db: str | None,
    strict: bool,
    verbose: bool,
    fmt: str,
    jobs: int,
    rubric_dirs: tuple[Path, ...],
    max_bytes: int,
) -> None:
    """Validate, score and store submission YAML files, result JSON files and PDF reports (or folders
    of them). The same submission twice is stored once; a newer one of the same assessment (subject,
    assessing organisation, rubric and round) supersedes the current one, which is kept as history.
    A submission is scored with the registry's approved waivers of its subject in force today
    (docs/waivers.md). Exit 1 if any file was rejected."""
    from ..registry.intake import expand_inputs, read_inputs
    from ..registry.store import open_registry
    from ..registry.waivers import approved_waivers

    files = expand_inputs(list(paths))
    named = {str(path) for path in paths}
    options = ScoreOptions(tuple(rubric_dirs), strict, max_bytes, calendar())
    registry = open_registry(db)
    waivers = approved_waivers(registry)
    summary = IngestSummary(registry.shown, len(files) + len(files.refused))
    for refused in files.refused:  # a symbolic link out of a folder given: that file only
        _store_one(registry, summary, refused.location.file, None, [refused], verbose)
    # A result file is evidence, checked against the stored submission it names once every
    # submission of the batch is stored; it never creates a row.
    results: list[Any] = []
    try:
        for outcome in progress(read_inputs(files, options, jobs=jobs, waivers=waivers), len(files), "ingesting"):
            if outcome.intake is None and outcome.path not in named and _is_beside(outcome.diagnostics):
                # A local rubric or a waiver file kept beside the submissions is not a rejected submission.
                summary.skipped.append(outcome.path)
                continue
            if outcome.intake is not None and outcome.intake.kind == "json":
                results.append(outcome.intake)
                continue
            _store_one(registry, summary, outcome.path, outcome.intake, outcome.diagnostics, verbose)
        for intake in results:
            _store_one(registry, summary, intake.source, intake, [], verbose)
        if summary.new or summary.superseded:
            registry.refresh_statistics()
    finally:
        registry.close()
    if fmt == "json":
        click.echo(json.dumps(summary.as_json(), indent=2))
    else:
        click.echo("\n".join(summary.lines()))
    if summary.rejected:
        raise ChecksFailed()


def _store_one(
    registry: Any, summary: IngestSummary, path: str, intake: Any, diagnostics: list[Any], verbose: bool
) -> None:
    """Store (or confirm) one intake and count what happened; a file refused, by its reading or by
    the database, is counted as rejected and the batch goes on."""
    from ..errors import AiassureError, Diagnostic, Location

    if intake is not None:
        try:
            stored = registry.store(intake)
        except AiassureError as exc:
            diagnostics = exc.diagnostics or [Diagnostic("not-stored", exc.message, Location(path))]
        else:
            if stored.status in ("duplicate", "confirmed"):
                setattr(summary, stored.status, getattr(summary, stored.status) + 1)
            elif stored.superseded:
                summary.superseded += 1
            else:
                summary.new += 1
            if verbose:
                click.echo(shown(_stored_line(path, stored)), err=True)
            return
    echo_diagnostics(diagnostics)
    reasons = [d.format().split("\n")[0] for d in diagnostics if d.is_error] or ["rejected"]
    summary.rejected.append((path, reasons))


def _is_beside(diagnostics: list[Diagnostic]) -> bool:
    """Whether a file is one kept beside submissions: a rubric or a waiver file."""
    return [d.code for d in diagnostics] in (["rubric-not-submission"], ["waivers-not-submission"])


def _stored_line(path: str, stored: Stored) -> str:
    if stored.status == "duplicate":
        return f"{path}: duplicate of #{stored.submission_id}"
    if stored.status == "confirmed":
        return f"{path}: matches stored submission #{stored.submission_id}"
    if stored.status == "superseding":
        return f"{path}: stored as #{stored.submission_id}, superseding #{stored.other_id}"
    if stored.status == "history":
        current = stored.other_id
        return f"{path}: stored as #{stored.submission_id} as history: #{current} was assessed later and stays current"
    return f"{path}: stored as #{stored.submission_id}"


@command.command("list")
@db_option
@round_option()
@rubric_option()
@click.option("--subject-type", type=click.Choice(["organisation", "technology"]))
@click.option("--org-type", metavar="TYPE", help="Only this org_type (acute, icb, vendor, ...).")
@click.option("--region", metavar="REGION", help="Only this region.")
@click.option(
    "--assessed-by",
    metavar="CODE",
    help="Only the assessments this organisation carried out of other subjects; - for the subjects' own.",
)
@all_option
@format_option("text", "json")
def list_(
    db: str | None,
    round_: str | None,
    rubric: str | None,
    subject_type: str | None,
    org_type: str | None,
    region: str | None,
    assessed_by: str | None,
    include_superseded: bool,
    fmt: str,
) -> None:
    """The stored submissions, current ones only unless --all. `assessed by` is the code of the
    organisation that carried out an assessment when it was not the subject itself (a trust
    assessing a product it deploys); `-` for the subject's own."""
    from ..registry.store import open_registry

    registry = open_registry(db, must_exist=True)
    try:
        rows = registry.listing(
            round_=round_,
            rubric=rubric,
            subject_type=subject_type,
            org_type=org_type,
            region=region,
            assessed_by=assessed_by,
            include_superseded=include_superseded,
        )
        if fmt == "json":
            echo_json_array(_json_item(_row_json(row)) for row in rows)
            return
        console = stdout_console()
        count = _print_listing(list(rows), console)
        click.echo(f"{count} submission(s)", err=True)
    finally:
        registry.close()


# The columns of `registry list`, one table a rubric: what is always shown, then what is left
# out first when the terminal is too narrow (the higher `drop`), so that at 80 columns the subject's
# code, round, overall, outcome and name stay.
LIST_COLUMNS = (
    Column("id", right=True),
    Column("code"),
    Column("name", drop=2, wrap=True, min_width=14),
    Column("org_type", drop=6),
    Column("region", drop=7, wrap=True),
    Column("assessed by", drop=4),
    Column("round"),
    Column("version"),
    Column("overall", right=True),
    Column("outcome", drop=1, wrap=True, min_width=15),
    Column("gates", drop=3, right=True),
    Column("complete", drop=5, right=True),
    Column("status", wrap=True),
)


def _print_listing(rows: list[ListedSubmission], console: Any) -> int:
    """One table per rubric, titled with it, in the listing's order; a rubric's version is a column
    only when its rows have more than one, and the status only when a row is not current (--all)."""
    left_out: list[str] = []
    for rubric in dict.fromkeys(row.rubric_id for row in rows):
        group = [row for row in rows if row.rubric_id == rubric]
        versions = list(dict.fromkeys(row.rubric_version for row in group))
        shown_names = {column.name for column in LIST_COLUMNS}
        if len(versions) == 1:
            shown_names.discard("version")
        if all(row.superseded_by is None for row in group):
            shown_names.discard("status")
        columns = [column for column in LIST_COLUMNS if column.name in shown_names]
        values = [
            {
                "id": str(row.id),
                "code": row.subject_code,
                "name": row.subject_name,
                "org_type": row.org_type,
                "region": row.region or "",
                "assessed by": row.assessed_by_code or "-",
                "round": row.round,
                "version": row.rubric_version,
                "overall": _overall_text(row.overall_score, row.overall_level),
                "outcome": row.outcome_label or "no outcome",
                "gates": str(row.failed_gate_count),
                "complete": "" if row.completeness is None else f"{row.completeness:.0%}",
                "status": _status_text(row),
            }
            for row in group
        ]
        title = f"{rubric}@{versions[0]}" if len(versions) == 1 else f"{rubric} ({', '.join(versions)})"
        table, dropped = fitted_table(
            columns,
            [[value[column.name] for column in columns] for value in values],
            console.width,
            title=f"{title}: {len(group)} submission(s)",
        )
        console.print(table)
        left_out += [name for name in dropped if name not in left_out]
    echo_left_out(left_out, console.width)
    return len(rows)


def _status_text(row: ListedSubmission) -> str:
    return "current" if row.superseded_by is None else f"superseded by #{row.superseded_by}"


@command.command("rubrics")
@db_option
@format_option("text", "json")
def rubrics(db: str | None, fmt: str) -> None:
    """The rubric texts the registry has accepted: one fingerprint per id@version, and how many
    stored submissions were scored against each. A rubric with a known id and version but another
    text is refused at ingest."""
    from ..registry.store import open_registry

    registry = open_registry(db, must_exist=True)
    try:
        rows = registry.accepted_rubrics()
    finally:
        registry.close()
    if fmt == "json":
        echo_json_array(
            _json_item(
                {
                    "id": row.rubric_id,
                    "version": row.version,
                    "fingerprint": row.fingerprint,
                    "title": row.title,
                    "subject": row.subject,
                    "submissions": row.submissions,
                }
            )
            for row in rows
        )
        return
    console = stdout_console()
    columns = [
        Column("rubric"),
        Column("fingerprint"),
        Column("subject", drop=2),
        Column("submissions", right=True),
        Column("title", drop=1, wrap=True, min_width=12),
    ]
    table, left_out = fitted_table(
        columns,
        [
            [f"{row.rubric_id}@{row.version}", row.fingerprint[:12], row.subject, str(row.submissions), row.title]
            for row in rows
        ],
        console.width,
    )
    console.print(table)
    echo_left_out(left_out, console.width)


@command.command("refresh-waivers")
@db_option
@rubric_dir_option
def refresh_waivers(db: str | None, rubric_dirs: tuple[Path, ...]) -> None:
    """Score again, from its stored bytes, each current submission whose stored result applies other
    waivers than those in force today (one expired or revoked since, or approved since): its result,
    scores and outcome are then those of today's waivers. Run it daily, e.g. from cron; running it
    again changes nothing (docs/waivers.md)."""
    from ..registry.rescore import refresh_waivers as refresh
    from ..registry.store import open_registry

    today = calendar()
    registry = open_registry(db, must_exist=True)
    try:
        done = refresh(registry, today.today, ScoreOptions(tuple(rubric_dirs), calendar=today))
    finally:
        registry.close()
    echo_diagnostics(done.skipped)
    for rescored in done.rescored:
        click.echo(rescored.line())
    count = len(done.rescored)
    click.echo(f"{count} submission{'' if count == 1 else 's'} scored again with the waivers in force on {today.today}")


@command.command("show")
@click.argument("subject")
@db_option
@format_option("text", "json")
def show(subject: str, db: str | None, fmt: str) -> None:
    """Every stored submission of one subject (by code, or a submission's SHA-256 prefix), history included."""
    from ..registry.store import open_registry

    registry = open_registry(db, must_exist=True)
    try:
        rows = list(registry.listing(subject=subject, include_superseded=True))
        if not rows:
            raise NotFoundError(
                f"no submission of {subject!r} in {registry.shown}; `aiassure registry list` shows what is stored"
            )
        scores = registry.scope_scores([row.id for row in rows], ("pillar",))
        if fmt == "json":
            echo_json_array(
                _json_item({**_row_json(row), "result": json.loads(registry.submission(row.id).result_json)})
                for row in rows
            )
            return
        _print_history(rows, scores, _pillar_order(registry, rows))
    finally:
        registry.close()


def _pillar_order(registry: Any, rows: list[ListedSubmission]) -> dict[str, list[str]]:
    """Each rubric's pillars in the rubric's order, as its results list them (the stored scores
    come in no order): read from the latest result of each rubric version."""
    latest = {(row.rubric_id, row.rubric_version): row.id for row in rows}
    order: dict[str, list[str]] = {}
    for (rubric, _version), submission_id in latest.items():
        result = json.loads(registry.submission(submission_id).result_json)
        known = order.setdefault(rubric, [])
        known += [pillar["id"] for pillar in result.get("pillars", []) if pillar["id"] not in known]
    return order


# The columns of `registry show` around the pillars (one column each, in the rubric's order), as
# `LIST_COLUMNS`: the round, the overall, the pillars and the status are always shown.
SHOW_BEFORE = (
    Column("id", right=True),
    Column("round"),
    Column("assessed by", drop=2, wrap=True, min_width=11),
    Column("assessed", drop=5),
    Column("version"),
    Column("sha256", drop=6),
    Column("overall", right=True),
)
SHOW_AFTER = (
    Column("outcome", drop=1, wrap=True, min_width=15),
    Column("gates", drop=3, right=True),
    Column("complete", drop=4, right=True),
    Column("status", wrap=True),
)


def _print_history(
    rows: list[ListedSubmission], scores: dict[int, list[StoredScore]], pillar_order: dict[str, list[str]]
) -> None:
    console = stdout_console()
    left_out: list[str] = []
    for rubric in dict.fromkeys(row.rubric_id for row in rows):
        group = [row for row in rows if row.rubric_id == rubric]
        found = {score.scope_id for row in group for score in scores[row.id]}
        pillars = [p for p in pillar_order.get(rubric, []) if p in found]
        pillars += sorted(found - set(pillars))
        versions = list(dict.fromkeys(row.rubric_version for row in group))
        latest = group[-1]
        title = (
            f"{latest.subject_name} ({latest.subject_code}; {latest.subject_type}, {latest.org_type}"
            + (f", {latest.region}" if latest.region else "")
            + f") on {rubric}"
            + (f"@{versions[0]}" if len(versions) == 1 else f" ({', '.join(versions)})")
        )
        columns = [
            *(c for c in SHOW_BEFORE if c.name != "version" or len(versions) > 1),
            *(Column(pillar, right=True) for pillar in pillars),
            *SHOW_AFTER,
        ]
        values = []
        for row in group:
            by_pillar = {score.scope_id: score for score in scores[row.id]}
            values.append(
                {
                    "id": str(row.id),
                    "round": row.round,
                    "assessed by": _assessor_text(row),
                    "assessed": row.assessed_on.isoformat(),
                    "version": row.rubric_version,
                    "sha256": row.sha256[:12],
                    "overall": _overall_text(row.overall_score, row.overall_level),
                    **{
                        p: _overall_text(by_pillar[p].score, by_pillar[p].level) if p in by_pillar else ""
                        for p in pillars
                    },
                    "outcome": row.outcome_label or "no outcome",
                    "gates": str(row.failed_gate_count),
                    "complete": "" if row.completeness is None else f"{row.completeness:.0%}",
                    "status": _status_text(row),
                }
            )
        table, dropped = fitted_table(
            columns, [[value[c.name] for c in columns] for value in values], console.width, title=title
        )
        console.print(table)
        left_out += [name for name in dropped if name not in left_out]
    echo_left_out(left_out, console.width)


def _assessor_text(row: ListedSubmission) -> str:
    """The assessing organisation, or `-` for the subject's own submission."""
    return "-" if row.assessed_by_code is None else f"{row.assessed_by_name} ({row.assessed_by_code})"


def _overall_text(score: float | None, level: int | None) -> str:
    return "not assessed" if score is None else f"{level} ({score:.2f})"


def _row_json(row: ListedSubmission) -> dict[str, Any]:
    return {
        "id": row.id,
        "sha256": row.sha256,
        "subject": {
            "type": row.subject_type,
            "code": row.subject_code,
            "name": row.subject_name,
            "org_type": row.org_type,
            "region": row.region,
        },
        "assessed_by": None
        if row.assessed_by_code is None
        else {"code": row.assessed_by_code, "name": row.assessed_by_name},
        "round": row.round,
        "assessed_on": row.assessed_on.isoformat(),
        "rubric": {"id": row.rubric_id, "version": row.rubric_version},
        "overall": {"score": row.overall_score, "level": row.overall_level},
        "failed_gates": row.failed_gate_count,
        "completeness": row.completeness,
        "outcome": row.outcome_label,
        "current": row.superseded_by is None,
        "superseded_by": row.superseded_by,
        "source": {"kind": row.source_kind, "name": row.source_name},
        "ingested_at": row.ingested_at.isoformat(),
    }


def _json_item(value: dict[str, Any]) -> str:
    return json_array_item(json.dumps(value, indent=2, ensure_ascii=False))
