"""`aiassure export fhir|fhir-response`: a rubric as a FHIR R4 Questionnaire, a submission as its response."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..errors import AiassureError, Diagnostic, Location
from .common import Group, calendar, max_bytes_option, rubric_dir_option, rubric_files, shown

output_option = click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The JSON file to write."
)


@click.group("export", cls=Group)
def command() -> None:
    """Rubrics and answers in formats other tools read (docs/interop.md)."""


def _write_checked(resource: dict[str, Any], output: Path, inputs: list[Path]) -> None:
    """Check the resource (fhir.resources R4B models, then value-set bindings) and write it atomically."""
    from ..fsutil import refuse_inputs, write_atomic
    from ..interop.fhir_checks import questionnaire_problems, structure_problems

    kind = str(resource["resourceType"])
    problems = questionnaire_problems(resource) if kind == "Questionnaire" else structure_problems(resource, kind)
    if problems:
        raise AiassureError(
            f"the {kind} made here fails FHIR's checks; nothing was written",
            [Diagnostic(p.code, p.message, Location(str(output)), p.json_path) for p in problems],
        )
    refuse_inputs([output], inputs)
    write_atomic(output, json.dumps(resource, indent=2, ensure_ascii=False) + "\n")


@command.command("fhir")
@click.argument("rubric")
@output_option
@rubric_dir_option
def fhir(rubric: str, output: Path, rubric_dirs: tuple[Path, ...]) -> None:
    """Write RUBRIC (id@version, id or a file) as a FHIR R4 Questionnaire: one item per criterion,
    grouped by domain. Gates, weights, thresholds and outcomes stay in aiassure."""
    from ..interop.questionnaire import questionnaire
    from ..rubrics.loader import RubricLibrary

    loaded = RubricLibrary(list(rubric_dirs)).resolve(rubric)
    resource = questionnaire(loaded)
    inputs = [Path(rubric)] if rubric.endswith((".yaml", ".yml")) else []
    _write_checked(resource, output, [*inputs, *rubric_files(rubric_dirs)])
    click.echo(
        shown(f"wrote {output}: Questionnaire {resource['url']}|{resource['version']}")
        + f", {len(loaded.criteria)} questions",
        err=True,
    )


@command.command("fhir-response")
@click.argument("submission", type=click.Path(dir_okay=False, path_type=Path))
@output_option
@rubric_dir_option
@max_bytes_option
def fhir_response(submission: Path, output: Path, rubric_dirs: tuple[Path, ...], max_bytes: int) -> None:
    """Write a valid SUBMISSION as the QuestionnaireResponse to its rubric's Questionnaire, for
    example to start a form tool from last round's answers."""
    from ..assessments.validate import load_submission
    from ..interop.response import response_from_submission
    from ..rubrics.loader import RubricLibrary

    parsed = load_submission(submission, RubricLibrary(list(rubric_dirs)), max_bytes=max_bytes, calendar=calendar())
    resource = response_from_submission(parsed)
    _write_checked(resource, output, [submission, *rubric_files(rubric_dirs)])
    click.echo(shown(f"wrote {output}: QuestionnaireResponse to {resource['questionnaire']}"), err=True)
