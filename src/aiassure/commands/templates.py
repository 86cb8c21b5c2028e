"""`aiassure templates`: list the built-in report templates, or copy them into a folder to edit."""

from __future__ import annotations

from pathlib import Path

import click

from .common import Group, shown


@click.group("templates", cls=Group)
def command() -> None:
    """Report templates: the built-in ones, and a copy of them to edit.

    `aiassure report --template-dir DIR` looks for templates in DIR first, then among the
    built-ins; a template in DIR can extend the built-in one of the same name with
    {% extends "default:report.html" %} and override only some blocks (docs/reports.md)."""


@command.command("list")
def list_templates() -> None:
    """Print the built-in templates; partials (`_name.html`) are only included by others."""
    from ..reports.render import BUILTIN_TEMPLATES, builtin_templates

    for name in builtin_templates():
        kind = "partial" if Path(name).name.startswith("_") else "report"
        click.echo(f"{shown(name)}\t{kind}")
    click.echo(f"(in {shown(BUILTIN_TEMPLATES)})", err=True)


@command.command("scaffold")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace templates already in DIRECTORY.")
def scaffold(directory: Path, force: bool) -> None:
    """Copy the built-in templates into DIRECTORY, to edit and use with --template-dir."""
    from ..reports.render import scaffold_templates

    written = scaffold_templates(directory, force=force)
    click.echo(f"copied {len(written)} template(s) to {shown(directory)}", err=True)
    click.echo(f"next: edit them, then aiassure report FILE... -o OUT --template-dir {shown(directory)}", err=True)
