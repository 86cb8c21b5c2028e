"""`number`: a measure (in `unit`, within `range`) that reaches a level by `thresholds`, either way better."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from ..parts import AnswerShape, CriterionBase, Finite, LintChecker, Measure, ReplyRefused, Threshold, ValueReader
from .shared import Bound, check_thresholds, threshold_level, threshold_step

if TYPE_CHECKING:
    from ...source import KeyPath

_NUMBER = re.compile(r"([-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)\s*(.*)")


class NumberCriterion(CriterionBase):
    type: Literal["number"]
    thresholds: list[Threshold] | None = None
    direction: Literal["higher_is_better", "lower_is_better"] = "higher_is_better"
    unit: str | None = None
    range: tuple[Finite, Finite] | None = None
    answer_shape: ClassVar[AnswerShape] = "numeric"

    @property
    def bound(self) -> Bound:
        """Which end of a threshold a measure must reach: `max` where lower is better."""
        return "max" if self.direction == "lower_is_better" else "min"

    @property
    def unit_text(self) -> str:
        return f" {self.unit}" if self.unit else ""

    def measure(self) -> Measure | None:
        return Measure(self.unit, self.range, self.direction == "lower_is_better")

    def claimed_level(self, value: Any, top: int) -> int | None:
        return threshold_level(self.thresholds, value, self.bound)

    def next_step(self, target: int, value: Any, labels: dict[int, str]) -> str | None:
        return threshold_step(self, self.thresholds, self.bound, target, "the measure", self.unit_text)

    def read_value(self, reader: ValueReader, raw: object, path: KeyPath) -> float | int | None:
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            reader.expect(self, raw, path, "a number" + (f" in {self.unit}" if self.unit else ""))
            return None
        if not math.isfinite(raw):
            reader.expect(self, raw, path, "a finite number")
            return None
        if self.range is not None and not self.range[0] <= raw <= self.range[1]:
            low, high = self.range
            reader.expect(self, raw, path, f"a number from {low:g} to {high:g}{self.unit_text}")
            return None
        return raw

    def parse_reply(self, text: str, labels: dict[int, str]) -> int | float:
        unit = self.unit
        wanted = "a number" + (f" in {unit}" if unit else "")
        match = _NUMBER.fullmatch(text)
        if match is None:
            raise ReplyRefused(f"type {wanted}, such as {self.range[0]:g}" if self.range else f"type {wanted}")
        digits, suffix = match.groups()
        if suffix.startswith(","):  # "1,5" or "1,000": refuse rather than guess which was meant
            raise ReplyRefused("write the number without commas, with a dot for decimals, such as 99.5")
        if suffix and (unit is None or suffix.lower() != unit.lower()):
            raise ReplyRefused(
                f"this question is measured in {unit}: type the number alone"
                if unit
                else "type the number alone, without a unit"
            )
        value: int | float = int(digits) if re.fullmatch(r"[-+]?[0-9]+", digits) else float(digits)
        if not math.isfinite(value):
            raise ReplyRefused("the number must be finite")
        if self.range is not None and not self.range[0] <= value <= self.range[1]:
            raise ReplyRefused(f"the answer must be from {self.range[0]:g} to {self.range[1]:g}{self.unit_text}")
        return value

    def reply_hint(self, labels: dict[int, str]) -> str:
        span = f" from {self.range[0]:g} to {self.range[1]:g}" if self.range else ""
        return f"a number{span}{self.unit_text}"

    def value_schema(self, labels: dict[int, str]) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "number"}
        if self.range is not None:
            schema["minimum"], schema["maximum"] = self.range
        return schema

    def answer_lines(self, labels: dict[int, str], top: int) -> list[str]:
        span = f" from {self.range[0]:g} to {self.range[1]:g}" if self.range else ""
        better = " (lower is better)" if self.direction == "lower_is_better" else ""
        return [f"A number{span}{self.unit_text}{better}."]

    def spoken(self, value: Any, labels: dict[int, str]) -> str:
        return (f"{value:g}" if isinstance(value, float) else str(value)) + self.unit_text

    def report_text(self, value: Any, labels: dict[int, str]) -> str:
        unit = self.unit or ""
        return f"{value:g}{unit}" if unit == "%" else f"{value:g} {unit}".rstrip()

    def lint(self, checker: LintChecker, path: KeyPath) -> None:
        check_thresholds(checker, self, self.thresholds, path, self.bound)
        if self.range is not None and not self.range[0] < self.range[1]:
            message = f"range {list(self.range)} must be [low, high] with low < high"
            checker.error("bad-range", message, (*path, "range"))
