"""`aiassure waivers validate|list FILE`: check a waiver file, or list its waivers and which are in force today."""

from __future__ import annotations

import click

from ..common import Group
from .list_ import command as list_command
from .validate import command as validate_command


@click.group("waivers", cls=Group)
def command() -> None:
    """Waiver files (docs/waivers.md): validate, list."""


command.add_command(validate_command)
command.add_command(list_command)
