"""The registry's current figures as open data: a CSV per table and a Frictionless Data Package descriptor."""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..registry.export import SCORE_COLUMNS, SUBMISSION_COLUMNS, Filters, export_rows, exported_rubrics, write_csv
from ..registry.store import Registry


@dataclass(frozen=True, slots=True)
class Licence:
    name: str  # an Open Definition licence id
    title: str
    path: str


LICENCES = {
    licence.name: licence
    for licence in (
        Licence(
            "OGL-UK-3.0",
            "Open Government Licence v3.0",
            "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        ),
        Licence("CC-BY-4.0", "Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
        Licence("CC0-1.0", "CC0 1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"),
        Licence("ODC-BY-1.0", "Open Data Commons Attribution 1.0", "https://opendatacommons.org/licenses/by/1-0/"),
    )
}
DEFAULT_LICENCE = "OGL-UK-3.0"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the export, described for publication. `publish=False` keeps it out of the open data."""

    description: str
    publish: bool = True


# What each exported column means, and whether it is for publication. Kept back: the registry's own
# row ids, the submission file's hash, name and kind, and when it was ingested (they describe the
# registry's bookkeeping, not the organisations, and the hash identifies a file that is not published).
PEER_GROUPS = {
    "national": "all subjects",
    "org_type": "subjects of the same type of organisation",
    "region": "subjects of the same region",
}
SUBMISSION_FIELDS: dict[str, Column] = {
    "id": Column("The registry's row id.", publish=False),
    "sha256": Column("SHA-256 of the submitted file.", publish=False),
    "subject_type": Column("What was assessed: organisation (readiness) or technology (an AI product)."),
    "subject_code": Column("ODS code of the organisation, or the supplier's product id of the technology."),
    "subject_name": Column("Name of the organisation or product."),
    "org_type": Column("Type of organisation (acute, mental-health, ..., vendor)."),
    "region": Column("NHS region."),
    "assessed_by_code": Column("ODS code of the organisation that carried out the assessment, when not the subject."),
    "assessed_by_name": Column("Name of the organisation that carried out the assessment, when not the subject."),
    "round": Column("Reporting round, YYYY-Qn."),
    "assessed_on": Column("Date of the assessment."),
    "rubric_id": Column("The rubric assessed against (see the descriptor's `rubrics` for its fingerprint)."),
    "rubric_version": Column("The rubric's version."),
    "rubric_major": Column("The rubric's major version: scores compare within one major version only."),
    "overall_score": Column("Overall score, 0 to the top of the rubric's scale, after gates; empty: not assessed."),
    "overall_level": Column("Overall level: the overall score rounded down."),
    "completeness": Column("Share of applicable scored questions answered, 0 to 1."),
    "failed_gates": Column("Number of failed gates (minimum levels on key questions)."),
    "outcome": Column("The rubric's verdict, for example Ready to scale."),
    "current": Column("Whether this is the current submission for its subject and round.", publish=False),
    "superseded_by": Column("The registry's row id of the submission that replaced this one.", publish=False),
    **{
        f"{group}_{kind}": Column(text.format(who=who))
        for group, who in PEER_GROUPS.items()
        for kind, text in (
            ("percentile", "Percentile of the overall score among {who} (same rubric and round)."),
            ("peers", "Number of {who} the percentile compares with."),
        )
    },
    "assessing_organisations": Column("Number of organisations that assessed this technology in the round."),
    "source_kind": Column("Kind of file submitted (yaml, json, pdf).", publish=False),
    "ingested_at": Column("When the registry stored the submission.", publish=False),
}
SCORE_FIELDS: dict[str, Column] = {
    "submission_id": Column("The registry's row id of the submission.", publish=False),
    "sha256": SUBMISSION_FIELDS["sha256"],
    **{name: SUBMISSION_FIELDS[name] for name in SCORE_COLUMNS if name in SUBMISSION_FIELDS and name != "sha256"},
    "current": SUBMISSION_FIELDS["current"],
    "scope": Column("What the row scores: overall, pillar, domain or criterion."),
    "scope_id": Column("The pillar, domain or criterion id (the rubric's), or the overall method."),
    "score": Column(
        "Score of the scope after gates, 0 to the top of the scale; empty for a criterion or not assessed."
    ),
    "level": Column(
        "Level of the scope; for a criterion, the level credited. A context question (the rubric gives it weight "
        "0 and no gate: AI stage, intended use, device class) counts in no score: read its answer instead."
    ),
    "capped_to": Column("The level a failed gate capped the scope to, if any."),
    "status": Column("For a criterion: credited, unevidenced, unanswered, na, not_applicable or text."),
    "answer": Column(
        'For a criterion: the answer given, as JSON: "yes", an option id, a list of the ids chosen or met '
        '([] for none), a number, a text, or "na"; empty when not answered or for any other scope.'
    ),
}
TABLES = {"submissions": (SUBMISSION_COLUMNS, SUBMISSION_FIELDS), "scores": (SCORE_COLUMNS, SCORE_FIELDS)}
FRICTIONLESS_TYPES = {
    "int64": "integer",
    "float64": "number",
    "string": "string",
    "bool": "boolean",
    "date32": "date",
    "timestamp": "datetime",
}
# One current submission per assessment: these name it (the registry's row id is not published).
SUBMISSION_KEY = ["rubric_id", "subject_type", "subject_code", "assessed_by_code", "round"]


def published(table: str) -> list[str]:
    columns, fields = TABLES[table]
    return [name for name in columns if fields[name].publish]


def _schema(table: str) -> dict[str, Any]:
    columns, fields = TABLES[table]
    schema: dict[str, Any] = {
        "fields": [
            {"name": name, "type": FRICTIONLESS_TYPES[columns[name]], "description": fields[name].description}
            | ({"constraints": {"required": True}} if name in ("subject_code", "round", "rubric_id") else {})
            for name in published(table)
        ],
        "missingValues": [""],
    }
    if table == "scores":
        schema["foreignKeys"] = [
            {"fields": SUBMISSION_KEY, "reference": {"resource": "submissions", "fields": SUBMISSION_KEY}}
        ]
    return schema


def _package_name(rubrics: list[dict[str, str]], round_: str | None) -> str:
    ids = sorted({r["id"] for r in rubrics}) or ["registry"]
    name = "aiassure-" + "-".join(ids) + (f"-{round_}" if round_ else "")
    return re.sub(r"[^a-z0-9._-]", "-", name.lower())


def package_files(folder: Path) -> list[Path]:
    """The files `write_datapackage` writes into `folder`."""
    return [*(folder / f"{table}.csv" for table in TABLES), folder / "datapackage.json"]


def write_datapackage(
    registry: Registry,
    folder: Path,
    *,
    licence: str = DEFAULT_LICENCE,
    title: str | None = None,
    publisher: str | None = None,
    round_: str | None = None,
    rubric: str | None = None,
) -> dict[str, int]:
    """Write `submissions.csv`, `scores.csv` and `datapackage.json` into `folder` (each file atomically,
    the descriptor last); current submissions only, columns marked not for publication left out.
    Returns the number of rows per table."""
    from ..fsutil import write_atomic

    filters: Filters = {"round_": round_, "rubric": rubric, "include_superseded": False}
    rubrics = exported_rubrics(registry, **filters)
    resources = []
    counts: dict[str, int] = {}
    for table in TABLES:
        buffer = io.StringIO()
        names = published(table)
        counts[table] = write_csv(export_rows(registry, table, **filters), names, buffer)
        data = buffer.getvalue().encode("utf-8")
        write_atomic(folder / f"{table}.csv", data)
        resources.append(
            {
                "name": table,
                "path": f"{table}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(data),
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                "description": (
                    "One row per current submission: who, when, against which rubric, the overall score and peer "
                    "benchmarks."
                    if table == "submissions"
                    else "One row per current submission and scope (overall, pillar, domain, criterion)."
                ),
                "schema": _schema(table),
            }
        )
    chosen = LICENCES[licence]
    descriptor: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": _package_name(rubrics, round_),
        "title": title or "AI assurance in health and care: " + (", ".join(r["title"] for r in rubrics) or "registry"),
        "description": (
            "Scores of organisations' readiness to adopt AI and of AI technologies, on the safe, ethical and "
            "effective pillars, as computed by aiassure from the submissions in its registry. Each score is "
            "reproducible from the submission and the rubric named here by its fingerprint."
        ),
        "licenses": [{"name": chosen.name, "title": chosen.title, "path": chosen.path}],
        "rubrics": rubrics,
        "sources": [{"title": f"aiassure {__version__} registry export"}],
        "keywords": ["NHS", "AI", "assurance", "health", "care"],
        "resources": resources,
    }
    if publisher:
        descriptor["contributors"] = [{"title": publisher, "role": "publisher"}]
    if round_:
        descriptor["round"] = round_
    write_atomic(folder / "datapackage.json", json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n")
    return counts
