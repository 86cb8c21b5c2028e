"""`aiassure rubrics list|show|lint|crosswalk`: the rubric library and rubric checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..errors import AiassureError, ChecksFailed, Diagnostic
from ..fsutil import write_atomic
from ..rubrics.crosswalk import crosswalk_markdown, replace_between_markers
from ..rubrics.loader import BUILTIN_DIR, RubricLibrary
from ..rubrics.model import canonical_dump
from .common import (
    Column,
    Group,
    echo_diagnostics,
    echo_left_out,
    fitted_table,
    format_option,
    rubric_dir_option,
    shown,
    stdout_console,
)


@click.group("rubrics", cls=Group)
def command() -> None:
    """The rubric library: list, show, lint, crosswalk."""


@command.command("list")
@format_option("text", "json")
@rubric_dir_option
def list_(fmt: str, rubric_dirs: tuple[Path, ...]) -> None:
    """Every rubric on the search path."""
    library = RubricLibrary(list(rubric_dirs))
    rows: list[dict[str, Any]] = []
    for ident, version, path in library.entries():
        try:
            rubric = library.load_path(path)
        except AiassureError as exc:
            echo_diagnostics(exc.diagnostics)
            continue
        source = "built-in" if path.parent == BUILTIN_DIR else str(path)
        rows.append(
            {
                "id": ident,
                "version": version,
                "subject": rubric.model.subject,
                "title": rubric.model.title,
                "criteria": len(rubric.criteria),
                "source": source,
            }
        )
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    columns = [
        Column("id@version"),
        Column("subject", drop=2),
        Column("criteria", drop=3, right=True),
        Column("title", wrap=True, min_width=16),
        Column("source", drop=1, wrap=True),
    ]
    console = stdout_console()
    table, left_out = fitted_table(
        columns,
        [
            [f"{row['id']}@{row['version']}", row["subject"], str(row["criteria"]), row["title"], row["source"]]
            for row in rows
        ],
        console.width,
    )
    console.print(table)
    echo_left_out(left_out, console.width)


@command.command("show")
@click.argument("rubric")
@format_option("text", "json")
@rubric_dir_option
def show(rubric: str, fmt: str, rubric_dirs: tuple[Path, ...]) -> None:
    """One rubric's structure (id, id@version or path)."""
    loaded = RubricLibrary(list(rubric_dirs)).resolve(rubric)
    model = loaded.model
    if fmt == "json":
        click.echo(
            json.dumps(
                {"fingerprint": loaded.fingerprint, "rubric": canonical_dump(model, by_alias=True)},
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    from rich.text import Text
    from rich.tree import Tree

    heading = shown(f" {loaded.ref} ({model.subject}) overall={model.overall.method}")
    tree = Tree(Text.assemble((shown(model.title), "bold"), heading))
    tree.add(shown(f"fingerprint {loaded.fingerprint}"))
    tree.add(shown("scale: " + ", ".join(f"{s.level} {s.label}" for s in model.scale)))
    tree.add(shown("pillars: " + ", ".join(f"{p.id} (weight {p.weight:g})" for p in model.pillars)))
    for domain in model.domains:
        branch = tree.add(Text.assemble((shown(domain.id), "bold"), shown(f" {domain.title}")))
        for criterion in domain.criteria:
            extras = [criterion.type, loaded.pillar_of[criterion.id]]
            if criterion.weight != 1:
                extras.append(f"weight {criterion.weight:g}")
            if criterion.gate:
                extras.append(f"gate <{criterion.gate.min_level} caps {criterion.gate.scope} at {criterion.gate.cap}")
            if criterion.applies_if:
                extras.append("applies if " + " and ".join(c.criterion for c in criterion.applies_if))
            if criterion.evidence_from is not None:
                extras.append(f"evidence from {criterion.evidence_from}")
            line = shown(f"{criterion.id}: {criterion.question} ")
            branch.add(Text.assemble(line, (shown(f"({'; '.join(extras)})"), "dim")))
    outcomes = tree.add("outcomes")
    for outcome in model.outcomes:
        when = outcome.when.model_dump(exclude_defaults=True) or "always"
        outcomes.add(shown(f"{outcome.id}: {outcome.label} when {when}"))
    stdout_console().print(tree)


@command.command("lint")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@rubric_dir_option
def lint(paths: tuple[Path, ...], strict: bool, rubric_dirs: tuple[Path, ...]) -> None:
    """Check rubric files (docs/rubric-format.md, Checks); exit 1 on any error (or warning with --strict)."""
    library = RubricLibrary(list(rubric_dirs))
    files = [
        p for path in paths for p in (sorted([*path.glob("*.yaml"), *path.glob("*.yml")]) if path.is_dir() else [path])
    ]
    errors = warnings = 0
    for path in files:
        found: list[Diagnostic]
        try:
            found = list(library.load_path(path).warnings)
        except AiassureError as exc:
            found = exc.diagnostics
        echo_diagnostics(found)
        errors += sum(1 for d in found if d.is_error)
        warnings += sum(1 for d in found if not d.is_error)
    click.echo(f"{len(files)} rubric file(s): {errors} error(s), {warnings} warning(s)", err=True)
    if errors or (strict and warnings):
        raise ChecksFailed()


@command.command("crosswalk")
@click.argument("rubrics", nargs=-1)
@click.option(
    "--update",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Rewrite the crosswalk block of this Markdown file in place.",
)
@rubric_dir_option
def crosswalk(rubrics: tuple[str, ...], update: Path | None, rubric_dirs: tuple[Path, ...]) -> None:
    """Framework item -> criteria table, generated from the rubrics' references."""
    library = RubricLibrary(list(rubric_dirs))
    refs = list(rubrics) or sorted({f"{i}@{v}" for i, v, p in library.entries() if p.parent == BUILTIN_DIR})
    table = crosswalk_markdown([library.resolve(ref) for ref in refs])
    if update is None:
        click.echo("\n".join(shown(line) for line in table.split("\n")), nl=False)
        return
    write_atomic(update, replace_between_markers(update.read_text(encoding="utf-8"), table))
    click.echo(f"updated {shown(update)}", err=True)
