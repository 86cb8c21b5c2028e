"""`aiassure diff OLD NEW`: what changed between two submissions of one subject, as a table, JSON or Markdown."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..assessments.score_files import ScoreOptions
from .common import calendar, format_option, max_bytes_option, rubric_dir_option, shown, stdout_console

if TYPE_CHECKING:
    from ..assessments.diff import LevelChange, ResultDiff

STYLES = {"up": "green", "down": "red"}
GATE_STYLES = {"failed": "red", "passed": "green", "inapplicable": "yellow"}


@click.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@format_option("text", "json", "md")
@rubric_dir_option
@max_bytes_option
def command(old: Path, new: Path, fmt: str, rubric_dirs: tuple[Path, ...], max_bytes: int) -> None:
    """What changed from OLD to NEW (submission YAML, result JSON or report PDF of the same subject):
    the outcome, overall, pillar and domain scores and levels, criteria, gates newly failed or
    passed, and evidence added, removed or expired by today. Refuses to compare across major
    versions of a rubric. `md` is Markdown for a paper or a pull request."""
    from ..assessments.diff import diff_inputs
    from ..assessments.inputs import read_result

    today = calendar()
    options = ScoreOptions(tuple(rubric_dirs), False, max_bytes, today)
    changes = diff_inputs(read_result(old, options), read_result(new, options), today.today)
    if fmt == "json":
        click.echo(changes.to_json(), nl=False)
    elif fmt == "md":
        from ..reports.diff import diff_markdown

        click.echo(diff_markdown(changes), nl=False)
    else:
        _print_table(changes)


def _change_text(change: str) -> Any:
    from rich.text import Text

    from ..assessments.diff import DIRECTION_TEXT

    return Text(DIRECTION_TEXT.get(change, shown(change)), style=STYLES.get(change, ""))


def _delta(row: LevelChange) -> Any:
    from rich.text import Text

    from ..assessments.diff import delta_text

    style = "" if not row.delta else "green" if row.delta > 0 else "red"
    return Text(delta_text(row.delta), style=style)


def _print_table(changes: ResultDiff) -> None:
    from rich.table import Table
    from rich.text import Text

    from ..assessments.diff import criterion_text, gate_lines, level_text, outcome_text

    console = stdout_console()
    subject = changes.subject
    before, after = changes.before, changes.after
    console.print(
        shown(
            f"{subject.name} ({subject.code}) on {changes.rubric}: "
            f"{before.round} ({before.assessed_on}) → {after.round} ({after.assessed_on})"
        )
    )
    console.print(Text.assemble(("Outcome: ", "bold"), shown(outcome_text(changes.outcome))))
    table = Table()
    # Ids are never cut (no_wrap): at 80 columns the other columns give way.
    for name in ("scope", "id"):
        table.add_column(name, no_wrap=True)
    for name in (f"old {before.round}", f"new {after.round}"):
        table.add_column(shown(name), no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("level", no_wrap=True)
    for row in [changes.overall, *changes.pillars, *changes.domains]:
        table.add_row(
            shown(row.scope),
            shown(row.id),
            level_text(row.before_level, row.before_score),
            level_text(row.after_level, row.after_score),
            _delta(row),
            _change_text(row.change),
        )
    console.print(table)
    if changes.criteria:
        criteria = Table(title="Criteria whose credited level or status changed", title_justify="left")
        for name in ("criterion", "domain"):
            criteria.add_column(name, no_wrap=True)
        for name in (f"old {before.round}", f"new {after.round}", "change"):
            criteria.add_column(shown(name))
        for c in changes.criteria:
            was, now = criterion_text(c.before_level, c.before_status), criterion_text(c.after_level, c.after_status)
            criteria.add_row(shown(c.id), shown(c.domain), shown(was), shown(now), _change_text(c.change))
        console.print(criteria)
    else:
        console.print("No criterion changed.")
    gates = gate_lines(changes)
    for kind, heading, detail in gates:
        console.print(Text.assemble((heading, GATE_STYLES[kind]), " ", shown(detail)))
    if not gates:
        console.print("No gate newly failed or passed.")
    _print_evidence(changes, console)


def _print_evidence(changes: ResultDiff, console: Any) -> None:
    from rich.table import Table

    from ..assessments.diff import evidence_rows

    evidence = changes.evidence
    if evidence is None:
        return
    rows = evidence_rows(evidence)
    if rows:
        console.print(f"Evidence added, removed or expired (today is {evidence.today}):")
        table = Table()
        table.add_column("criterion", no_wrap=True)
        table.add_column("evidence")
        table.add_column("dated", no_wrap=True)
        table.add_column("change")
        for criterion, title, day, what in rows:
            table.add_row(shown(criterion), shown(title), shown(day), shown(what))
        console.print(table)
    elif evidence.not_compared is None:
        console.print(f"No evidence added, removed or expired (today is {evidence.today}).")
    if evidence.not_compared is not None:
        console.print(shown(f"Evidence: {evidence.not_compared}."))
