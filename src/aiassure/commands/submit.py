"""`aiassure submit FILE... --to URL`: send submissions to the service; receipts, or errors as validate prints them."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from ..errors import ChecksFailed, UsageError
from .common import echo_diagnostics, max_bytes_option, shown

ENV_TOKEN = "AIASSURE_TOKEN"


@click.command("submit")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--to", "url", required=True, metavar="URL", help="The service, like https://aiassure.example.nhs.uk.")
@click.option("--token", metavar="TOKEN", help=f"The API token (default: {ENV_TOKEN}; prefer it to the command line).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@max_bytes_option
def command(files: tuple[Path, ...], url: str, token: str | None, fmt: str, max_bytes: int) -> None:
    """Submit files (submission YAML, report PDF) to an aiassure service for your organisation.
    Prints each receipt; refusals are printed like `validate` prints errors. Exit 1 if any file
    was refused."""
    from ..batch import expand_paths
    from ..service.client import submit_files

    secret = token or os.environ.get(ENV_TOKEN)
    if not secret:
        raise UsageError(f"no API token: give --token or set {ENV_TOKEN}")
    paths = expand_paths(list(files), (".yaml", ".yml", ".pdf", ".json"))
    sent = submit_files(url, secret, paths, max_bytes=max_bytes)
    echo_diagnostics(paths.refused)  # a symbolic link out of a folder given is not sent
    refused = len(paths.refused)
    for item in sent:
        if item.receipt is None:
            refused += 1
            problem = item.problem or {}
            if item.diagnostics:
                echo_diagnostics(item.diagnostics)
            else:
                title, detail = problem.get("title", ""), problem.get("detail", "")
                click.echo(shown(f"{item.path}: refused ({item.status} {title}): {detail}"), err=True)
        elif fmt == "text":
            click.echo(shown(_receipt_line(item.path, item.status, item.receipt)))
    if fmt == "json":
        click.echo(json.dumps([item.receipt or {"refused": item.problem} for item in sent], indent=2))
    stored = sum(1 for item in sent if item.status == 201)
    duplicate = sum(1 for item in sent if item.status == 200)
    total = len(sent) + len(paths.refused)
    click.echo(f"{total} file(s): {stored} stored, {duplicate} already stored, {refused} refused", err=True)
    if refused:
        raise ChecksFailed()


def _receipt_line(path: Path, status: int, receipt: dict[str, Any]) -> str:
    overall = receipt["result"]["overall"]
    score = overall["score"]
    level = "not assessed" if score is None else f"{overall['level']} {overall['label']} ({score:.2f})"
    what = "already stored as" if status == 200 else "stored as"
    extra = f", superseding #{receipt['supersedes']}" if receipt.get("supersedes") else ""
    return (
        f"{path}: {what} #{receipt['id']}{extra}; overall {level}; "
        f"sha256 {receipt['sha256'][:12]}; received {receipt['received_at']}"
    )
