"""`yes_no`: a yes or a no, each credited a level (`yes_level`, default the top; `no_level`, default 0)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

from ..parts import AnswerShape, CriterionBase, LintChecker, ReplyRefused, ValueReader

if TYPE_CHECKING:
    from ...source import KeyPath


class YesNoCriterion(CriterionBase):
    type: Literal["yes_no"]
    yes_level: int | None = None
    no_level: int | None = None
    answer_shape: ClassVar[AnswerShape] = "boolean"
    binary: ClassVar[bool] = True

    def claimed_level(self, value: Any, top: int) -> int | None:
        if value == "yes":
            return top if self.yes_level is None else self.yes_level
        return self.no_level or 0

    def raw_values(self, levels: list[int]) -> list[Any] | None:
        return ["yes", "no"]

    def next_step(self, target: int, value: Any, labels: dict[int, str]) -> str | None:
        return f"Make this a yes: {self.question}"

    def read_value(self, reader: ValueReader, raw: object, path: KeyPath) -> str | None:
        if isinstance(raw, bool):
            return "yes" if raw else "no"
        if isinstance(raw, str) and raw.strip().lower() in ("yes", "no"):
            return raw.strip().lower()
        reader.expect(self, raw, path, "yes or no")
        return None

    def parse_reply(self, text: str, labels: dict[int, str]) -> str:
        word = text.lower()
        if word in ("y", "yes", "true"):
            return "yes"
        if word in ("n", "no", "false"):
            return "no"
        raise ReplyRefused("type y or n")

    def reply_hint(self, labels: dict[int, str]) -> str:
        return "y or n"

    def value_schema(self, labels: dict[int, str]) -> dict[str, Any]:
        return {"enum": [True, False, "yes", "no", "Yes", "No"]}

    def answer_lines(self, labels: dict[int, str], top: int) -> list[str]:
        lines = ["Answer yes or no:"]
        for word in ("yes", "no"):
            level = self.claimed_level(word, top)
            descriptor = self.levels.get(level, "") if level is not None else ""
            credit = f" (level {level})" if self.scored else ""
            lines.append(f"  {word}{credit}" + (f": {descriptor.strip()}" if descriptor.strip() else ""))
        return lines

    def spoken(self, value: Any, labels: dict[int, str]) -> str:
        return "Yes" if value == "yes" else "No"

    def report_text(self, value: Any, labels: dict[int, str]) -> str:
        return self.spoken(value, labels)

    def lint(self, checker: LintChecker, path: KeyPath) -> None:
        checker.in_scale(self.yes_level, (*path, "yes_level"), "yes_level")
        checker.in_scale(self.no_level, (*path, "no_level"), "no_level")
