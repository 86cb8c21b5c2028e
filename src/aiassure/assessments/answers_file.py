"""Write an answers file: every question with its guidance and level descriptors as YAML comments."""

from __future__ import annotations

import textwrap
from datetime import date
from typing import Any

import yaml

from ..rubrics.loader import LoadedRubric
from ..rubrics.model import Criterion
from .model import ORG_TYPES

WIDTH = 96


def scalar(value: Any) -> str:
    """One YAML value on one line (flow style), safe to put after `key: `."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**9, sort_keys=False)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _comment(text: str, indent: str, lead: str = "") -> list[str]:
    lines: list[str] = []
    for paragraph in text.strip().splitlines() or [""]:
        wrapped = textwrap.wrap(paragraph, WIDTH - len(indent) - 2 - len(lead)) or [""]
        lines.extend(f"{indent}# {lead}{line}".rstrip() for line in wrapped)
        lead = " " * len(lead)
    return lines


def evidence_rule(criterion: Criterion, date_name: str) -> str:
    """When a criterion's answer needs evidence: `Evidence is needed for level 3 and above ...`."""
    recency = (
        f", dated within {criterion.evidence_max_age_days} days of {date_name}"
        if criterion.evidence_max_age_days is not None
        else ""
    )
    return f"Evidence is needed for level {criterion.evidence_from} and above{recency}."


def describe_criterion(criterion: Criterion, rubric: LoadedRubric) -> list[str]:
    """Plain-text lines explaining how to answer a criterion (used in files and in `assess`)."""
    facts = [criterion.type.replace("_", "/"), f"pillar {rubric.pillar_of[criterion.id]}"]
    if not criterion.scored and criterion.carries_level:
        facts.append("context, not scored")
    elif criterion.weight != 1:
        facts.append(f"weight {criterion.weight:g}")
    if criterion.gate is not None:
        facts.append(
            f"gate: below level {criterion.gate.min_level} caps the {criterion.gate.scope} at {criterion.gate.cap}"
        )
    lines = [f"{criterion.question}  [{', '.join(facts)}]"]
    if criterion.guidance:
        lines.append(criterion.guidance.strip())
    lines += criterion.answer_lines(rubric.labels, rubric.top)
    if criterion.evidence_from is not None:
        lines.append(evidence_rule(criterion, "assessed_on"))
    if criterion.allow_na:
        lines.append("May be `na` where it does not apply: {value: na, reason: ..., approved_by: ...}.")
    return lines


def render_answers_file(
    rubric: LoadedRubric,
    *,
    reference: str | None = None,
    schema_ref: str | None = None,
    subject: dict[str, Any] | None = None,
    round_: str,
    assessed_on: date,
    assessors: list[dict[str, Any]] | None = None,
    assessed_by: dict[str, Any] | None = None,
    answers: dict[str, Any] | None = None,
) -> str:
    """The whole answers file as YAML text; criteria without an answer are left empty (unanswered)."""
    model = rubric.model
    answers = answers or {}
    out: list[str] = []
    if schema_ref:
        out.append(f"# yaml-language-server: $schema={schema_ref}")
    out += _comment(f"Answers to {model.title} ({rubric.ref}).", "")
    out += _comment(
        "Leave a value empty while it is unanswered. Short form `id: value`, or long form "
        "`id: {value: ..., notes: ..., owner: ..., evidence: [{title: ..., url: https://..., date: YYYY-MM-DD}]}` "
        "(use `level:` instead of `value:` for level questions). Check with `aiassure validate FILE`.",
        "",
    )
    out.append("# Scale: " + ", ".join(f"{lvl} {label}" for lvl, label in sorted(rubric.labels.items())))
    out.append(f"rubric: {scalar(reference or rubric.ref)}")
    subject = {
        "type": model.subject,
        "name": "",
        "code": "",
        "org_type": "vendor" if model.subject == "technology" else "acute",
        "region": "",
        **(subject or {}),
    }
    out.append("subject:")
    notes = {
        "name": "the organisation's or product's name",
        "code": "ODS code for an organisation; the supplier's product id for a technology",
        "org_type": " | ".join(ORG_TYPES),
    }
    for key, value in subject.items():
        remark = f"  # {notes[key]}" if key in notes else ""
        out.append(f"  {key}: {scalar(value)}{remark}")
    if assessed_by:
        out.append(f"assessed_by: {scalar(assessed_by)}  # the organisation that carried out the assessment")
    out.append(f"round: {round_}  # reporting round, YYYY-Qn")
    out.append(f"assessed_on: {assessed_on.isoformat()}")
    out.append(f"assessors: {scalar(assessors or [])}  # [{{name: ..., role: ...}}]")
    out.append("answers:")
    for domain in model.domains:
        out.append("")
        out.append(f"  # == {domain.title} ({domain.id}) ==")
        for criterion in domain.criteria:
            out.append("")
            body = describe_criterion(criterion, rubric)
            out += _comment(body[0], "  ", f"{criterion.id}: ")
            for line in body[1:]:
                out += _comment(line, "  ", "  ")
            if criterion.applies_if:
                conditions = "; ".join(
                    f"{c.criterion} in {list(c.in_)}" if c.in_ is not None else f"{c.criterion} at least {c.at_least}"
                    for c in criterion.applies_if
                )
                out += _comment(f"Only applies when {conditions}; otherwise leave it empty.", "  ", "  ")
            value = answers.get(criterion.id)
            out.append(f"  {criterion.id}:" + (f" {scalar(value)}" if value is not None else ""))
    return "\n".join(out) + "\n"
