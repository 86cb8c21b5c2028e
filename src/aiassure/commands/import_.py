"""`aiassure import fhir RESPONSE.json -o answers.yaml`: answers that come back from a FHIR form tool."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from ..assessments.model import ORG_TYPES
from .common import Group, calendar, echo_diagnostics, max_bytes_option, rubric_dir_option, rubric_files, shown


@click.group("import", cls=Group)
def command() -> None:
    """Answers from formats other tools write (docs/interop.md)."""


@command.command("fhir")
@click.argument("response", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The answers file to create."
)
@click.option(
    "--questionnaire",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The Questionnaire the response answers (as exported): its rubric fingerprint is checked too.",
)
@click.option("--subject-name", help="The subject's name (else the form's answer, else the response's subject).")
@click.option("--subject-code", help="The subject's ODS or product code (likewise).")
@click.option("--org-type", type=click.Choice(ORG_TYPES), help="The subject's type of organisation (likewise).")
@click.option("--region", help="The subject's region (likewise).")
@click.option("--round", "round_", metavar="YYYY-Qn", help="The reporting round (else the form's, else from the date).")
@click.option(
    "--assessed-on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The date of the assessment (else the form's, else the response's `authored`).",
)
@click.option("--force", is_flag=True, help="Replace the answers file if it exists.")
@rubric_dir_option
@max_bytes_option
def fhir(
    response: Path,
    output: Path,
    questionnaire: Path | None,
    subject_name: str | None,
    subject_code: str | None,
    org_type: str | None,
    region: str | None,
    round_: str | None,
    assessed_on: datetime | None,
    force: bool,
    rubric_dirs: tuple[Path, ...],
    max_bytes: int,
) -> None:
    """Turn a FHIR QuestionnaireResponse to a Questionnaire from `aiassure export fhir` into an
    answers file, validated as usual. A response to another rubric version or fingerprint is
    refused; problems are located in the response (line:column and JSON path)."""
    from ..errors import UsageError
    from ..fsutil import refuse_inputs, write_atomic
    from ..interop.response import ImportOptions, read_response
    from ..rubrics.loader import RubricLibrary
    from ..source import read_bytes

    refuse_inputs([output], [response, *([questionnaire] if questionnaire else []), *rubric_files(rubric_dirs)])
    if output.exists() and not force:
        raise UsageError(f"{output} exists; use --force to replace it")
    subject = {"name": subject_name, "code": subject_code, "org_type": org_type, "region": region}
    options = ImportOptions(
        subject={key: value for key, value in subject.items() if value},
        round=round_,
        assessed_on=assessed_on.date() if assessed_on is not None else None,
        questionnaire=questionnaire,
        max_bytes=max_bytes,
        calendar=calendar(),
    )
    raw = read_bytes(response, max_bytes=max_bytes)
    if not raw:
        raise UsageError(f"{response} is empty")
    imported = read_response(raw, str(response), RubricLibrary(list(rubric_dirs)), options, output)
    echo_diagnostics(imported.warnings)
    write_atomic(output, imported.text)
    click.echo(shown(f"wrote {output} ({imported.rubric.ref}); next: aiassure score {output}"), err=True)
