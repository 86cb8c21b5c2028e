"""Pydantic models of a submission's envelope (SPEC 4) and the parsed form of one answer."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, StringConstraints

from ..clock import ROUND_PATTERN as ROUND_PATTERN
from ..clock import round_of
from ..fsutil import name_problem
from ..rubrics.model import SubjectType

OrgType = Literal[
    "acute",
    "mental-health",
    "community",
    "ambulance",
    "icb",
    "primary-care",
    "local-authority",
    "care-provider",
    "vendor",
    "other",
]
ORG_TYPES: tuple[OrgType, ...] = get_args(OrgType)
# The seven NHS England regions: what the questionnaire offers for `subject.region` (any text is
# accepted, for a region outside England).
NhsRegion = Literal[
    "East of England",
    "London",
    "Midlands",
    "North East and Yorkshire",
    "North West",
    "South East",
    "South West",
]
NHS_REGIONS: tuple[NhsRegion, ...] = get_args(NhsRegion)
Text = Annotated[str, StringConstraints(strip_whitespace=True)]
# ASCII digits only ([0-9], never `\d`, which takes any script's digits): aiassure.text.
Round = Annotated[str, StringConstraints(pattern=ROUND_PATTERN)]
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(text: str) -> dt.date:
    """`YYYY-MM-DD` in ASCII digits, and nothing else `date.fromisoformat` would take (`20261120`,
    `2026-W47-5`); raises ValueError."""
    if not _ISO_DAY.fullmatch(text):
        raise ValueError("a date is written YYYY-MM-DD")
    return dt.date.fromisoformat(text)


def _day(value: Any) -> Any:
    """A calendar day as YAML writes one (`2026-11-20`) or as that text: not a moment (a datetime,
    a timestamp)."""
    if isinstance(value, dt.datetime) or not isinstance(value, (dt.date, str)):
        raise ValueError("a date is written YYYY-MM-DD")
    return parse_day(value) if isinstance(value, str) else value


Day = Annotated[dt.date, BeforeValidator(_day)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Supplier(Strict):
    name: Text
    code: Text | None = None


class Subject(Strict):
    type: SubjectType
    name: Text
    code: Text
    org_type: OrgType
    region: Text | None = None
    # technology subjects only
    version: Text | None = None
    supplier: Supplier | None = None
    intended_use: Text | None = None
    device_class: Text | None = None


TECHNOLOGY_ONLY = ("version", "supplier", "intended_use", "device_class")


class Assessor(Strict):
    name: Text
    role: Text | None = None
    email: Text | None = None


class Organisation(Strict):
    """The organisation that carried out an assessment (a trust assessing a product it deploys)."""

    name: Text
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    org_type: OrgType | None = None


def _given_fields(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_none=True)


# How a result and a diff write the subject and the assessing organisation: only the fields given,
# as the submission had them (a field left out is not written as null).
SubjectOut = Annotated[Subject, PlainSerializer(_given_fields)]
OrganisationOut = Annotated[Organisation, PlainSerializer(_given_fields)]


class Submission(Strict):
    rubric: Annotated[str, StringConstraints(min_length=1)]
    subject: Subject
    assessed_by: Organisation | None = None
    round: Round
    assessed_on: Day
    assessors: list[Assessor] = Field(default_factory=list)
    answers: dict[str, Any] | None = None


class EvidenceItem(Strict):
    title: Annotated[str, StringConstraints(min_length=1)]
    url: str | None = None
    path: str | None = None
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")] | None = None
    date: Day | None = None


def evidence_path_problem(path: str) -> str | None:
    """Why `path` cannot name an evidence file, or None: the one rule the validator and the
    questionnaire apply (docs/cli.md, Evidence), `fsutil.name_problem` for the submission's folder.
    The validator also follows symbolic links and checks the file (`fsutil.confined`); this is the
    part that needs no file system."""
    return name_problem(path, "the submission's folder")


# The long form of an answer: `value` (or `level` for level criteria) plus these.
LONG_FORM_KEYS = ("value", "level", "notes", "evidence", "owner", "reason", "approved_by")


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer after validation: its normalised value and what came with it."""

    value: Any  # level int, "yes"/"no", option id, list of ids, number, text; None when unanswered or na
    na: bool = False
    notes: str | None = None
    owner: str | None = None
    reason: str | None = None
    approved_by: str | None = None
    evidence: tuple[EvidenceItem, ...] = ()

    @property
    def given(self) -> bool:
        """Answered, `na` included."""
        return self.na or self.value is not None


def current_round(today: dt.date) -> str:
    """The quarter `today` falls in, as a round: `2026-Q4`."""
    return round_of(today)
