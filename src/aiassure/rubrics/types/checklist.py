"""`checklist`: elements met or not, each at a level, reached when its elements and those below are met."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

from ..parts import AnswerShape, CriterionBase, Identifier, LintChecker, NonEmpty, Strict, ValueReader
from .shared import selection, selection_hint

if TYPE_CHECKING:
    from ...source import KeyPath


class Element(Strict):
    id: Identifier
    text: NonEmpty
    level: int


class ChecklistCriterion(CriterionBase):
    type: Literal["checklist"]
    elements: list[Element] | None = None
    answer_shape: ClassVar[AnswerShape] = "multiple"

    def claimed_level(self, value: Any, top: int) -> int | None:
        met = set(value)
        by_level: dict[int, list[str]] = {}
        for element in self.elements or []:
            by_level.setdefault(element.level, []).append(element.id)
        level = 0
        for candidate in range(1, top + 1):
            ids = by_level.get(candidate)
            if ids is None:  # no element at this level: nothing to meet, but never the level reached
                continue
            if not met.issuperset(ids):
                break
            level = candidate
        return level

    def menu(self, with_levels: bool = False) -> list[tuple[str, str]]:
        shown = with_levels and self.scored
        return [(e.id, e.text + (f" (level {e.level})" if shown else "")) for e in self.elements or []]

    def raw_values(self, levels: list[int]) -> list[Any] | None:
        return [e.id for e in self.elements or []]

    def next_step(self, target: int, value: Any, labels: dict[int, str]) -> str | None:
        met = set(value) if isinstance(value, list) else set()
        missing = [e.text for e in self.elements or [] if e.level <= target and e.id not in met]
        return "Meet: " + "; ".join(missing) if missing else None

    def read_value(self, reader: ValueReader, raw: object, path: KeyPath) -> list[str] | None:
        return reader.ids(self, raw, path, [e.id for e in self.elements or []])

    def parse_reply(self, text: str, labels: dict[int, str]) -> list[str]:
        return selection(self.menu(), text)

    def reply_hint(self, labels: dict[int, str]) -> str:
        return selection_hint(len(self.menu()), "the elements met: ")

    def value_schema(self, labels: dict[int, str]) -> dict[str, Any]:
        ids = [e.id for e in self.elements or []]
        return {"type": "array", "items": {"type": "string", "enum": ids}, "uniqueItems": True}

    def answer_lines(self, labels: dict[int, str], top: int) -> list[str]:
        return [
            "List the ids of the elements that are met; a level counts when all its elements are met:",
            *(f"  {e.id}{f' (level {e.level})' if self.scored else ''}: {e.text}" for e in self.elements or []),
        ]

    def spoken(self, value: Any, labels: dict[int, str]) -> str:
        names = dict(self.menu())
        return "; ".join(names.get(ident, str(ident)) for ident in value) or "none"

    def report_text(self, value: Any, labels: dict[int, str]) -> str:
        """`Met 5 of 7; missing: <text>; <text>`: the count, and the items not met named in full."""
        elements = self.elements or []
        chosen = set(value)
        missing = [e.text for e in elements if e.id not in chosen]
        head = f"Met {sum(1 for e in elements if e.id in chosen)} of {len(elements)}"
        return head if not missing else f"{head}; missing:\n" + "\n".join(f"– {text}" for text in missing)

    def lint(self, checker: LintChecker, path: KeyPath) -> None:
        if not self.elements:
            checker.error("missing-elements", "a checklist criterion needs `elements`", path)
            return
        checker.unique([e.id for e in self.elements], (*path, "elements"), "element")
        for ei, element in enumerate(self.elements):
            checker.in_scale(element.level, (*path, "elements", ei, "level"), "element level", low=1)
        present = {e.level for e in self.elements}
        gaps = [lvl for lvl in range(1, checker.top + 1) if lvl not in present]
        if gaps:
            checker.warn(
                "checklist-gap",
                f"no element at level(s) {', '.join(map(str, gaps))}: the checklist never credits those levels",
                (*path, "elements"),
            )
