"""`aiassure gaps FILE...`: the criteria each submission is credited below a level, one line each."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("gaps")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--below", type=click.IntRange(min=1), default=2, show_default=True, help="List criteria credited below this level."
)
def gaps(files: tuple[Path, ...], below: int) -> None:
    """List, for each submission FILE, the criteria credited below --below (unanswered ones count as 0)."""
    # aiassure is imported here, not at the top: `aiassure --help` lists this command without importing it anyway,
    # and a plugin's command module stays cheap to load.
    from aiassure.assessments.result import to_result
    from aiassure.assessments.validate import load_submission
    from aiassure.rubrics.loader import RubricLibrary

    library = RubricLibrary()
    for path in files:
        result = to_result(load_submission(path, library))
        low = [c for c in result.criteria if c.credited is not None and c.credited < below]
        click.echo(f"{path}: {len(low)} criteria below level {below}")
        for criterion in low:
            click.echo(f"  {criterion.id} ({criterion.domain}): level {criterion.credited}, {criterion.status}")
