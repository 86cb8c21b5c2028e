"""`level`: the answer is a level of the rubric's scale (or its label), described level by level."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

from ...text import is_ascii_number
from ..parts import AnswerShape, CriterionBase, LintChecker, ReplyRefused, ValueReader

if TYPE_CHECKING:
    from ...source import KeyPath


class LevelCriterion(CriterionBase):
    type: Literal["level"] = "level"
    answer_shape: ClassVar[AnswerShape] = "scale"
    answer_key: ClassVar[str] = "level"

    def claimed_level(self, value: Any, top: int) -> int | None:
        level: int | None = value  # validation made a level answer's value an int
        return level

    def raw_values(self, levels: list[int]) -> list[Any] | None:
        return list(levels)

    def ids_at_least(self, level: int, levels: list[int]) -> list[str] | None:
        return [str(candidate) for candidate in sorted(levels) if candidate >= level]

    def read_value(self, reader: ValueReader, raw: object, path: KeyPath) -> int | None:
        labels = reader.labels
        if isinstance(raw, int) and not isinstance(raw, bool) and raw in labels:
            return raw
        if isinstance(raw, str):
            by_label = {label.lower(): level for level, label in labels.items()}
            level = by_label.get(raw.strip().lower())
            if level is not None:
                return level
        options = ", ".join(f"{lvl} ({label})" for lvl, label in sorted(labels.items()))
        hint = reader.suggest(raw, labels.values()) if isinstance(raw, str) else ""
        expected = f"a level {min(labels)}..{max(labels)} or its label"
        reader.expect(self, raw, path, expected, hint or f"levels: {options}")
        return None

    def parse_reply(self, text: str, labels: dict[int, str]) -> int:
        low, high = min(labels), max(labels)
        if is_ascii_number(text):
            if int(text) in labels:
                return int(text)
            raise ReplyRefused(f"levels go from {low} to {high}")
        word = text.lower()
        exact = [level for level, label in labels.items() if label.lower() == word]
        starts = [level for level, label in labels.items() if label.lower().startswith(word)]
        if exact or len(starts) == 1:
            return (exact or starts)[0]
        raise ReplyRefused(f"type a level {low}-{high} or its label ({', '.join(labels.values())})")

    def reply_hint(self, labels: dict[int, str]) -> str:
        return f"a level {min(labels)}-{max(labels)} or its label"

    def value_schema(self, labels: dict[int, str]) -> dict[str, Any]:
        names = list(labels.values())
        return {
            "anyOf": [
                {"type": "integer", "enum": sorted(labels)},
                {"type": "string", "enum": names + [name.lower() for name in names]},
            ]
        }

    def answer_lines(self, labels: dict[int, str], top: int) -> list[str]:
        return [f"{lvl} {labels.get(lvl, '')}: {self.levels.get(lvl, '')}".rstrip(": ") for lvl in sorted(labels)]

    def spoken(self, value: Any, labels: dict[int, str]) -> str:
        return f"{value} {labels.get(value, '')}".strip()

    def report_text(self, value: Any, labels: dict[int, str]) -> str:
        return f"{value} ({labels.get(value, '')})"

    def lint(self, checker: LintChecker, path: KeyPath) -> None:
        missing = [lvl for lvl in checker.levels if lvl not in self.levels]
        if missing:
            checker.warn(
                "missing-descriptor",
                f"no level descriptor for level(s) {', '.join(map(str, missing))}",
                (*path, "levels") if self.levels else path,
            )
