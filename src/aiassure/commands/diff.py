"""`aiassure diff OLD NEW`: level changes between two submissions of one subject, as a table or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..assessments.score_files import ScoreOptions
from .common import calendar, format_option, max_bytes_option, rubric_dir_option, shown, stdout_console

if TYPE_CHECKING:
    from ..assessments.diff import ResultDiff

ARROWS = {"up": "▲ up", "down": "▼ down", "same": "", "added": "added", "removed": "removed"}
STYLES = {"up": "green", "down": "red"}


@click.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@format_option("table", "json")
@rubric_dir_option
@max_bytes_option
def command(old: Path, new: Path, fmt: str, rubric_dirs: tuple[Path, ...], max_bytes: int) -> None:
    """What changed from OLD to NEW (submission YAML, result JSON or report PDF of the same subject):
    pillar, domain and criterion levels, and gates newly failed or cleared. Refuses to compare
    across major versions of a rubric."""
    from ..assessments.diff import diff_results
    from ..assessments.inputs import read_result

    options = ScoreOptions(tuple(rubric_dirs), False, max_bytes, calendar())
    changes = diff_results(read_result(old, options).result, read_result(new, options).result)
    if fmt == "json":
        click.echo(changes.to_json(), nl=False)
        return
    _print_table(changes)


def _level(level: int | None, score: float | None) -> str:
    return "—" if level is None and score is None else ("not assessed" if score is None else f"{level} ({score:.2f})")


def _change_text(change: str) -> Any:
    from rich.text import Text

    return Text(ARROWS.get(change, shown(change)), style=STYLES.get(change, ""))


def _print_table(changes: ResultDiff) -> None:
    from rich.table import Table
    from rich.text import Text

    from ..assessments.scoring import capped_scope_text, gate_caps_text

    console = stdout_console()
    subject = changes.subject
    before, after = changes.before, changes.after
    table = Table(
        title=shown(
            f"{subject.name} ({subject.code}) on {changes.rubric}: "
            f"{before.round} ({before.assessed_on}) → {after.round} ({after.assessed_on})"
        ),
        title_justify="left",
    )
    for name in ("scope", "id", f"old {before.round}", f"new {after.round}", "change"):
        table.add_column(shown(name))
    for row in [changes.overall, *changes.pillars, *changes.domains]:
        table.add_row(
            shown(row.scope),
            shown(row.id),
            _level(row.before_level, row.before_score),
            _level(row.after_level, row.after_score),
            _change_text(row.change),
        )
    console.print(table)
    if changes.criteria:
        criteria = Table(title="Criteria whose credited level or status changed", title_justify="left")
        for name in ("criterion", "domain", f"old {before.round}", f"new {after.round}", "change"):
            criteria.add_column(shown(name))
        for c in changes.criteria:
            was = (
                "—"
                if c.before_status is None
                else f"{'' if c.before_level is None else c.before_level} {c.before_status}".strip()
            )
            now = (
                "—"
                if c.after_status is None
                else f"{'' if c.after_level is None else c.after_level} {c.after_status}".strip()
            )
            criteria.add_row(shown(c.id), shown(c.domain), shown(was), shown(now), _change_text(c.change))
        console.print(criteria)
    else:
        console.print("No criterion changed.")
    for gate in changes.gates_failed:
        caps = gate_caps_text(gate.scope, gate.target, gate.cap)
        console.print(Text.assemble(("Gate newly failed", "red"), shown(f" {gate.criterion}: {caps}")))
    for gate in changes.gates_cleared:
        capped = capped_scope_text(gate.scope, gate.target)
        console.print(Text.assemble(("Gate cleared", "green"), shown(f" {gate.criterion}: no longer caps {capped}")))
    if not changes.gates_failed and not changes.gates_cleared:
        console.print("No gate newly failed or cleared.")
