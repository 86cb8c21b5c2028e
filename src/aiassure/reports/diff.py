"""A diff of two results as Markdown: the same facts as the terminal table and the JSON, every text escaped."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..assessments.diff import (
    DIRECTION_TEXT,
    criterion_text,
    delta_text,
    evidence_rows,
    gate_lines,
    level_text,
    outcome_text,
)
from .markdown import md_escape

if TYPE_CHECKING:
    from ..assessments.diff import ResultDiff


def _table(header: list[str], rows: list[list[str]], figures: int | None = None) -> list[str]:
    """A GFM table; every cell is escaped here (md_escape keeps a cell on one line and inert),
    except column `figures`, right-aligned: score changes we write (`+0.50`, `-1.00`, `—`), which
    inside a cell start nothing, so they are left as they read."""
    rule = ["---:" if index == figures else "---" for index in range(len(header))]

    def cell(index: int, text: str) -> str:
        return (text if index == figures else md_escape(text)) or " "

    return [
        "| " + " | ".join(md_escape(name) for name in header) + " |",
        "| " + " | ".join(rule) + " |",
        *("| " + " | ".join(cell(index, text) for index, text in enumerate(row)) + " |" for row in rows),
    ]


def diff_markdown(changes: ResultDiff) -> str:
    """The diff as a Markdown document: heading, outcome, scores, criteria, gates and evidence."""
    subject, before, after = changes.subject, changes.before, changes.after
    lines = [
        "# "
        + md_escape(
            f"{subject.name} ({subject.code}) on {changes.rubric}: "
            f"{before.round} ({before.assessed_on}) → {after.round} ({after.assessed_on})"
        ),
        "",
        f"**Outcome:** {md_escape(outcome_text(changes.outcome))}",
        "",
    ]
    scopes = [changes.overall, *changes.pillars, *changes.domains]
    lines += _table(
        ["scope", "id", f"old {before.round}", f"new {after.round}", "score", "level"],
        [
            [
                row.scope,
                row.id,
                level_text(row.before_level, row.before_score),
                level_text(row.after_level, row.after_score),
                delta_text(row.delta),
                DIRECTION_TEXT.get(row.change, row.change),
            ]
            for row in scopes
        ],
        figures=4,
    )
    lines += ["", "## Criteria whose credited level or status changed", ""]
    if changes.criteria:
        lines += _table(
            ["criterion", "domain", f"old {before.round}", f"new {after.round}", "change"],
            [
                [
                    c.id,
                    c.domain,
                    criterion_text(c.before_level, c.before_status),
                    criterion_text(c.after_level, c.after_status),
                    DIRECTION_TEXT.get(c.change, c.change),
                ]
                for c in changes.criteria
            ],
        )
    else:
        lines.append("No criterion changed.")
    lines += ["", "## Gates", ""]
    gates = gate_lines(changes)
    lines += [f"- **{md_escape(heading)}** {md_escape(detail)}" for _, heading, detail in gates]
    if not gates:
        lines.append("No gate newly failed or passed.")
    evidence = changes.evidence
    if evidence is not None:
        lines += ["", f"## Evidence added, removed or expired (today is {md_escape(evidence.today)})", ""]
        rows = evidence_rows(evidence)
        if rows:
            lines += _table(["criterion", "evidence", "dated", "change"], [list(row) for row in rows])
        elif evidence.not_compared is None:
            lines.append("No evidence added, removed or expired.")
        if evidence.not_compared is not None:
            lines += ["", md_escape(f"Evidence: {evidence.not_compared}.")]
    return "\n".join(lines) + "\n"


__all__ = ["diff_markdown"]
