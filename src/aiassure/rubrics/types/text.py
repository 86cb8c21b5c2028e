"""`text`: free text, never scored (context a report shows as it was written)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

from ..parts import AnswerShape, CriterionBase, LintChecker, ValueReader

if TYPE_CHECKING:
    from ...source import KeyPath


class TextCriterion(CriterionBase):
    type: Literal["text"]
    answer_shape: ClassVar[AnswerShape] = "free_text"
    carries_level: ClassVar[bool] = False

    def claimed_level(self, value: Any, top: int) -> int | None:
        return None

    def read_value(self, reader: ValueReader, raw: object, path: KeyPath) -> str | None:
        if isinstance(raw, str):
            return raw
        reader.expect(self, raw, path, "text", "put the text in quotes")
        return None

    def parse_reply(self, text: str, labels: dict[int, str]) -> str:
        return text

    def reply_hint(self, labels: dict[int, str]) -> str:
        return "free text"

    def value_schema(self, labels: dict[int, str]) -> dict[str, Any]:
        return {"type": "string"}

    def answer_lines(self, labels: dict[int, str], top: int) -> list[str]:
        return ["Free text; not scored."]

    def spoken(self, value: Any, labels: dict[int, str]) -> str:
        return str(value)

    def report_text(self, value: Any, labels: dict[int, str]) -> str:
        return str(value)

    def lint(self, checker: LintChecker, path: KeyPath) -> None:
        for name in ("gate", "evidence_from", "evidence_max_age_days"):
            if name in self.model_fields_set:
                checker.error(
                    "text-not-scored",
                    f"{name!r} makes no sense on a text criterion, which is never scored",
                    (*path, name),
                    key=True,
                )
