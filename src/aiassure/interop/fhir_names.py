"""The names a rubric has in FHIR: canonical URLs, code systems, extensions and the linkIds of its items."""

from __future__ import annotations

import re

from ..rubrics.loader import LoadedRubric

# aiassure's own canonical URLs are URNs: they name things without claiming a web address.
BASE = "urn:aiassure"
QUESTIONNAIRE_PREFIX = f"{BASE}:rubric:"
ANSWER_SYSTEM = f"{BASE}:answer"  # na ("not applicable") and none ("none of these")
ORG_TYPE_SYSTEM = f"{BASE}:org-type"
FRAMEWORK_PREFIX = f"{BASE}:framework:"
FINGERPRINT_EXTENSION = f"{BASE}:fhir:rubric-fingerprint"
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
PRODUCT_SYSTEM = f"{BASE}:product"

# HL7's extensions and code systems (FHIR R4 core and SDC) that form tools such as LHC-Forms read.
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
UNIT = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
REGEX = "http://hl7.org/fhir/StructureDefinition/regex"

NA_CODE = "na"
NONE_CODE = "none"

# linkIds aiassure adds beside the criteria; `/` never occurs in a criterion id, so they cannot clash.
ABOUT = "about"
DOMAIN_PREFIX = "domain/"


def questionnaire_url(rubric_id: str) -> str:
    return f"{QUESTIONNAIRE_PREFIX}{rubric_id}"


def canonical(rubric: LoadedRubric) -> str:
    """`url|version`: how a QuestionnaireResponse names the Questionnaire (and so the rubric's id@version)."""
    return f"{questionnaire_url(rubric.id)}|{rubric.version}"


def rubric_ref(canonical_ref: str) -> str | None:
    """`id@version` (or bare `id`) named by a Questionnaire canonical, or None when it is not aiassure's."""
    url, _, version = canonical_ref.partition("|")
    if not url.startswith(QUESTIONNAIRE_PREFIX):
        return None
    ident = url.removeprefix(QUESTIONNAIRE_PREFIX)
    return f"{ident}@{version}" if version else ident


def scale_system(rubric: LoadedRubric) -> str:
    return f"{QUESTIONNAIRE_PREFIX}{rubric.id}:{rubric.version}:scale"


def criterion_system(rubric: LoadedRubric, criterion_id: str) -> str:
    """The code system of a criterion's options or checklist elements."""
    return f"{QUESTIONNAIRE_PREFIX}{rubric.id}:{rubric.version}:criterion:{criterion_id}"


def resource_id(rubric: LoadedRubric) -> str:
    """A FHIR id ([A-Za-z0-9.-]{1,64}) naming id and version."""
    return re.sub(r"[^A-Za-z0-9.-]", "-", f"{rubric.id}-{rubric.version}")[:64]


def computable_name(rubric: LoadedRubric) -> str:
    """Questionnaire.name: a computer-friendly name starting with a capital letter."""
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", rubric.id) if part) or "Rubric"


def sub_item(criterion_id: str, *names: str) -> str:
    """The linkId of an item under a criterion: `gov-01/evidence/url`."""
    return "/".join((criterion_id, *names))
