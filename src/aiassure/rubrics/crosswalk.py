"""The crosswalk from published framework items to rubric criteria, generated from `references`."""

from __future__ import annotations

import re
from collections import defaultdict

from ..errors import InputError
from ..text import is_ascii_number
from .loader import LoadedRubric

START = "<!-- crosswalk:start -->"
END = "<!-- crosswalk:end -->"


def _natural(text: str) -> list[object]:
    return [int(part) if is_ascii_number(part) else part for part in re.split(r"([0-9]+)", text)]


def crosswalk(rubrics: list[LoadedRubric]) -> dict[str, dict[str, list[str]]]:
    """framework -> item id -> ['rubric:criterion', ...], sorted naturally."""
    table: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for rubric in rubrics:
        for ident, criterion in rubric.criteria.items():
            for reference in criterion.references:
                table[reference.framework][reference.id].append(f"{rubric.id}:{ident}")
    return {
        framework: {item: table[framework][item] for item in sorted(table[framework], key=_natural)}
        for framework in sorted(table, key=str.lower)
    }


def crosswalk_markdown(rubrics: list[LoadedRubric]) -> str:
    lines = ["| Framework | Item | Criteria |", "|---|---|---|"]
    for framework, items in crosswalk(rubrics).items():
        for item, criteria in items.items():
            lines.append(f"| {framework} | {item} | {', '.join(f'`{c}`' for c in criteria)} |")
    return "\n".join(lines) + "\n"


def replace_between_markers(text: str, block: str) -> str:
    if START not in text or END not in text:
        raise InputError(f"the file has no {START} ... {END} block to fill")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{block}{END}{tail}"
