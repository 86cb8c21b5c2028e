"""`multi`: any options of a list, each worth points (default 1); the points' sum reaches a level by `thresholds`."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from ..parts import TOLERANCE, AnswerShape, CriterionBase, LintChecker, Option, Threshold, ValueReader
from .shared import check_options, check_thresholds, selection, selection_hint, threshold_level, threshold_step

if TYPE_CHECKING:
    from ...source import KeyPath


class MultiCriterion(CriterionBase):
    type: Literal["multi"]
    options: list[Option] | None = None
    thresholds: list[Threshold] | None = None
    answer_shape: ClassVar[AnswerShape] = "multiple"

    def claimed_level(self, value: Any, top: int) -> int | None:
        points = {o.id: (1.0 if o.points is None else o.points) for o in self.options or []}
        # Points are decimals like 0.1: an exact sum, whatever the order of the answer's ids, with
        # the tolerance of level_of so that 0.7 + 0.1 + 0.1 + 0.1 reaches `min: 1`.
        total = math.fsum(points[i] for i in value) + TOLERANCE
        return threshold_level(self.thresholds, total, "min")

    def menu(self, with_levels: bool = False) -> list[tuple[str, str]]:
        return [(o.id, o.label) for o in self.options or []]

    def raw_values(self, levels: list[int]) -> list[Any] | None:
        return [o.id for o in self.options or []]

    def next_step(self, target: int, value: Any, labels: dict[int, str]) -> str | None:
        return threshold_step(self, self.thresholds, "min", target, "points", "")

    def read_value(self, reader: ValueReader, raw: object, path: KeyPath) -> list[str] | None:
        return reader.ids(self, raw, path, [o.id for o in self.options or []])

    def parse_reply(self, text: str, labels: dict[int, str]) -> list[str]:
        return selection(self.menu(), text)

    def reply_hint(self, labels: dict[int, str]) -> str:
        return selection_hint(len(self.menu()), "")

    def value_schema(self, labels: dict[int, str]) -> dict[str, Any]:
        ids = [o.id for o in self.options or []]
        return {"type": "array", "items": {"type": "string", "enum": ids}, "uniqueItems": True}

    def answer_lines(self, labels: dict[int, str], top: int) -> list[str]:
        def credit(option: Option) -> str:
            return f" ({1 if option.points is None else option.points:g} point(s))" if self.scored else ""

        return ["Any of (a list):", *(f"  {o.id}: {o.label}{credit(o)}" for o in self.options or [])]

    def spoken(self, value: Any, labels: dict[int, str]) -> str:
        names = dict(self.menu())
        return "; ".join(names.get(ident, str(ident)) for ident in value) or "none"

    def report_text(self, value: Any, labels: dict[int, str]) -> str:
        names = dict(self.menu())
        return "\n".join(names.get(ident, str(ident)) for ident in value) or "None selected"

    def lint(self, checker: LintChecker, path: KeyPath) -> None:
        check_options(checker, self, self.options, path)
        for oi, option in enumerate(self.options or []):
            if option.level is not None:
                checker.error(
                    "wrong-type-key",
                    "`level` is for choice options; a multi option has `points`",
                    (*path, "options", oi, "level"),
                    key=True,
                )
        check_thresholds(checker, self, self.thresholds, path, "min")
