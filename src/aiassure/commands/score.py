"""`aiassure score FILE...`: results as a readable table or as SPEC 4.8 JSON."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import click

from ..assessments.result import Result
from ..assessments.scorer import ScoreOptions, score_files
from ..batch import expand_paths
from .common import echo_diagnostics, jobs_option, max_bytes_option, progress, rubric_dir_option, stdout_console


def json_text(result: Result, *, in_array: bool) -> str:
    """A result's JSON; in an array, indented one level more and without its final newline."""
    text = result.to_json()
    return "\n".join("  " + line for line in text.rstrip("\n").split("\n")) if in_array else text


def render_table(result: Result, console: object) -> None:
    from rich.table import Table

    subject = result.subject
    overall = result.overall
    title = f"{subject.get('name')} ({subject.get('code')}), {result.round}: {result.rubric.id}@{result.rubric.version}"
    table = Table(title=title, title_justify="left", show_lines=False)
    for name in ("scope", "id", "score", "level", "capped to"):
        table.add_column(name, justify="right" if name in ("score", "level", "capped to") else "left")

    def row(kind: str, ident: str, score: float | None, level: int | None, label: str | None, cap: int | None) -> None:
        shown = "not assessed" if score is None else f"{score:.2f}"
        table.add_row(kind, ident, shown, "" if level is None else f"{level} {label}", "" if cap is None else str(cap))

    row("overall", overall.method, overall.score, overall.level, overall.label, overall.capped_to)
    for pillar in result.pillars:
        row("pillar", pillar.id, pillar.score, pillar.level, pillar.label, pillar.capped_to)
    for domain in result.domains:
        row("domain", domain.id, domain.score, domain.level, domain.label, domain.capped_to)
    console.print(table)
    outcome = result.outcome.label if result.outcome else "no outcome"
    completeness = "n/a" if result.completeness is None else f"{result.completeness:.0%}"
    console.print(f"Outcome: [bold]{outcome}[/bold] · completeness {completeness} · {len(result.warnings)} warning(s)")
    for gate in result.failed_gates:
        scope = "the overall level" if gate.scope == "overall" else f"{gate.scope} {gate.target}"
        console.print(f"[red]Failed gate[/red] {gate.criterion}: caps {scope} at {gate.cap}")
    for action in result.actions[:5]:
        console.print(f"  → {action.criterion} {action.from_level}→{action.to_level}: {action.action}", overflow="fold")
    console.print()


@click.command("score")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@jobs_option
@rubric_dir_option
@max_bytes_option
def command(
    files: tuple[Path, ...], fmt: str, strict: bool, jobs: int, rubric_dirs: tuple[Path, ...], max_bytes: int
) -> None:
    """Score submission files: one JSON object for one file, a JSON array for several."""
    paths = expand_paths(files)
    options = ScoreOptions(tuple(rubric_dirs), strict, max_bytes)
    console = stdout_console() if fmt == "table" else None
    as_array = fmt == "json" and len(paths) != 1
    render = None if fmt == "table" else partial(json_text, in_array=as_array)
    printed = failed = 0
    for outcome in progress(score_files(paths, options, jobs=jobs, render=render), len(paths), "scoring"):
        if not outcome.ok:
            failed += 1
            echo_diagnostics(outcome.diagnostics)
        elif fmt == "table":
            render_table(outcome.result, console)
        else:
            text = outcome.text
            if as_array:  # streamed, so memory stays flat however many files there are
                text = ("[\n" if not printed else ",\n") + text
            click.echo(text, nl=False)
            printed += 1
    if as_array:
        click.echo("[]" if not printed else "\n]")
    if failed:
        click.echo(f"{failed} of {len(paths)} file(s) could not be scored", err=True)
        raise SystemExit(1)
