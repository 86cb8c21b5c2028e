"""`aiassure portfolio report|export`: the national view of the registry, as a report or as data."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..assessments.model import NHS_REGIONS, ORG_TYPES
from ..interop.datapackage import DEFAULT_LICENCE, LICENCES
from ..registry.portfolio import DEFAULT_MIN_PEERS, LIST_LIMIT, MAX_LIST_LIMIT, MAX_MIN_PEERS
from .common import (
    Group,
    all_option,
    calendar,
    db_option,
    out_dir_option,
    output_option,
    registry_files,
    round_option,
    rubric_option,
    shown,
    template_dir_option,
    template_files,
    template_limit_options,
)


@click.group("portfolio", cls=Group)
def command() -> None:
    """The national portfolio computed from the registry (docs/registry.md)."""


@command.command("report")
@out_dir_option("Folder to write portfolio.html / .pdf / .json into.", hidden_aliases=("--out",))
@round_option("The round to report (default: each rubric's latest).")
@rubric_option("Only this rubric; ID@MAJOR picks a major version.")
@click.option(
    "--format",
    "formats",
    default="html,pdf",
    show_default=True,
    help="Comma-separated: html, pdf, json, or one a plugin adds (docs/plugins.md).",
)
@click.option(
    "--region",
    type=click.Choice(NHS_REGIONS),
    help="Only the subjects in this NHS England region: every figure is computed among them.",
)
@click.option(
    "--org-type",
    type=click.Choice(ORG_TYPES),
    help="Only the subjects of this organisation type: every figure is computed among them.",
)
@template_dir_option
@template_limit_options
@click.option(
    "--limit",
    type=click.IntRange(1, MAX_LIST_LIMIT),
    default=LIST_LIMIT,
    show_default=True,
    help="Most subjects listed one per row in a table.",
)
@click.option(
    "--min-peers",
    type=click.IntRange(1, MAX_MIN_PEERS),
    default=DEFAULT_MIN_PEERS,
    show_default=True,
    help='Fewest peers a percentile is shown among; below it the report says "too few peers (n)".',
)
@db_option
def report(
    out_dir: Path,
    round_: str | None,
    rubric: str | None,
    formats: str,
    region: str | None,
    org_type: str | None,
    template_dirs: tuple[Path, ...],
    template_timeout: float,
    template_max_bytes: int,
    limit: int,
    min_peers: int,
    db: str | None,
) -> None:
    """Write the portfolio report: distributions, heatmap, trends, peer benchmarks, scaling
    candidates, organisations needing support, most failed gates and weakest criteria. Refuses to
    compare results across major versions of a rubric."""
    from ..fsutil import refuse_inputs
    from ..registry.portfolio import build_portfolio
    from ..registry.store import open_registry
    from ..reports.limits import TemplateLimits
    from ..reports.portfolio import parse_formats, portfolio_paths, write_portfolio

    chosen = parse_formats(formats)
    protect = [*registry_files(db), *template_files(template_dirs)]
    refuse_inputs(portfolio_paths(out_dir, chosen), protect)  # before any work
    registry = open_registry(db, must_exist=True)
    try:
        portfolio = build_portfolio(
            registry,
            round_=round_,
            rubric=rubric,
            limit=limit,
            region=region,
            org_type=org_type,
            today=calendar().today,
            min_peers=min_peers,
        )
    finally:
        registry.close()
    limits = TemplateLimits(template_timeout, template_max_bytes)
    for path in write_portfolio(portfolio, out_dir, chosen, template_dirs, protect=protect, limits=limits):
        click.echo(shown(path))


@command.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet", "jsonl", "datapackage"]), required=True)
@output_option(
    "out_file",
    "File to write (default: standard output; Parquet needs a file); for datapackage, the folder.",
    folder=True,
    hidden_aliases=("--out",),
)
@click.option(
    "--table",
    type=click.Choice(["submissions", "scores"]),
    default="submissions",
    show_default=True,
    help="One row per submission, or one per submission and scope (datapackage: both).",
)
@round_option()
@rubric_option()
@all_option
@click.option(
    "--licence",
    type=click.Choice(list(LICENCES)),
    default=DEFAULT_LICENCE,
    show_default=True,
    help="datapackage: the licence the open data is published under.",
)
@click.option("--title", help="datapackage: the package's title.")
@click.option("--publisher", help="datapackage: who publishes it (for example the programme's name).")
@db_option
def export(
    fmt: str,
    out_file: Path | None,
    table: str,
    round_: str | None,
    rubric: str | None,
    include_superseded: bool,
    licence: str,
    title: str | None,
    publisher: str | None,
    db: str | None,
) -> None:
    """Export the registry as CSV, Parquet or JSON Lines, streamed; or as open data: a Frictionless
    Data Package (a CSV per table and datapackage.json, current submissions only, columns not for
    publication left out). CSV text cells that a spreadsheet would run as a formula (starting with
    = + - @, tab or CR) are prefixed with '."""
    from ..errors import UsageError
    from ..fsutil import atomic_writer
    from ..registry.export import TABLES, export_rows, write_csv, write_jsonl, write_parquet
    from ..registry.store import open_registry

    if fmt == "parquet" and out_file is None:
        raise UsageError("Parquet is binary: give a file with -o")
    if fmt == "datapackage":
        if out_file is None or out_file.is_file():
            raise UsageError("a data package is a folder: give one with -o")
        if include_superseded:
            raise UsageError("a data package publishes current submissions only: leave out --all")
    elif out_file is not None and out_file.is_dir():
        raise UsageError(f"{shown(out_file)} is a folder: give a file with -o")
    if out_file is not None:
        from ..fsutil import refuse_inputs
        from ..interop.datapackage import package_files

        refuse_inputs(package_files(out_file) if fmt == "datapackage" else [out_file], registry_files(db))
    registry = open_registry(db, must_exist=True)
    try:
        if fmt == "datapackage":
            from ..interop.datapackage import write_datapackage

            assert out_file is not None
            counts = write_datapackage(
                registry, out_file, licence=licence, title=title, publisher=publisher, round_=round_, rubric=rubric
            )
            counted = ", ".join(f"{count} {name}" for name, count in counts.items())
            click.echo(f"wrote {shown(out_file / 'datapackage.json')} ({counted}; licence {licence})", err=True)
            return
        columns = TABLES[table]
        rows = export_rows(registry, table, round_=round_, rubric=rubric, include_superseded=include_superseded)
        if out_file is None:
            stream = sys.stdout
            count = write_csv(rows, list(columns), stream) if fmt == "csv" else write_jsonl(rows, stream)
        elif fmt == "parquet":
            with atomic_writer(out_file, "wb") as handle:
                count = write_parquet(rows, columns, handle)
        else:
            with atomic_writer(out_file, "w") as handle:
                count = write_csv(rows, list(columns), handle) if fmt == "csv" else write_jsonl(rows, handle)
    finally:
        registry.close()
    click.echo(f"{count} row(s)" + (f" written to {shown(out_file)}" if out_file else ""), err=True)
