"""`aiassure waivers list FILE`: each waiver of a file, its scope and status, and whether it is in force today."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ...assessments.waivers import Waiver
from ..common import (
    Column,
    calendar,
    echo_left_out,
    fitted_table,
    format_option,
    max_bytes_option,
    read_waivers,
    rubric_dir_option,
    shown,
    stdout_console,
)


def _row(waiver: Waiver, in_force: bool) -> dict[str, Any]:
    return {**waiver.model_dump(mode="json"), "fingerprint": waiver.fingerprint, "in_force": in_force}


@click.command("list")
@click.argument("file", type=click.Path(path_type=Path))
@format_option("text", "json")
@rubric_dir_option
@max_bytes_option
def command(file: Path, fmt: str, rubric_dirs: tuple[Path, ...], max_bytes: int) -> None:
    """The waivers of a valid FILE, in order: scope, status, approver, expiry and whether in force today."""
    today = calendar().today
    waivers = read_waivers(file, rubric_dirs, max_bytes)
    if fmt == "json":
        rows = [_row(w, w.in_force(today)) for w in waivers]
        click.echo(json.dumps({"as_of": today.isoformat(), "waivers": rows}, indent=2, ensure_ascii=False))
        return
    columns = [
        Column("id"),
        Column("subject"),
        Column("rubric", drop=3),
        Column("waives"),
        Column("rounds", drop=2, wrap=True),
        Column("status"),
        Column("approver", drop=1, wrap=True),
        Column("expires on"),
        Column("in force"),
    ]
    console = stdout_console()
    table, left_out = fitted_table(
        columns,
        [
            [
                w.id,
                w.scope.subject,
                f"{w.scope.rubric}@{w.scope.rubric_major}",
                f"{w.scope.kind} {w.scope.target}",
                "all" if w.scope.rounds == "all" else ", ".join(w.scope.rounds),
                w.status,
                w.approver or "",
                w.expires_on.isoformat(),
                "yes" if w.in_force(today) else "no",
            ]
            for w in waivers
        ],
        console.width,
    )
    console.print(table)
    echo_left_out(left_out, console.width)
    click.echo(shown(f"{len(waivers)} waiver(s) in {file}, as of {today.isoformat()}"), err=True)
