"""`choice`: one option of a list, each option credited its own level."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

from ..parts import AnswerShape, CriterionBase, LintChecker, Option, ValueReader
from .shared import check_options, pick

if TYPE_CHECKING:
    from ...source import KeyPath


class ChoiceCriterion(CriterionBase):
    type: Literal["choice"]
    options: list[Option] | None = None
    answer_shape: ClassVar[AnswerShape] = "single"

    def claimed_level(self, value: Any, top: int) -> int | None:
        return next(o.level or 0 for o in self.options or [] if o.id == value)

    def menu(self, with_levels: bool = False) -> list[tuple[str, str]]:
        return [(o.id, o.label) for o in self.options or []]

    def raw_values(self, levels: list[int]) -> list[Any] | None:
        return [o.id for o in self.options or []]

    def ids_at_least(self, level: int, levels: list[int]) -> list[str] | None:
        return [o.id for o in self.options or [] if (o.level or 0) >= level]

    def next_step(self, target: int, value: Any, labels: dict[int, str]) -> str | None:
        options = [o.label for o in self.options or [] if o.level == target]
        return "Reach: " + " or ".join(options) if options else None

    def read_value(self, reader: ValueReader, raw: object, path: KeyPath) -> str | None:
        ids = [o.id for o in self.options or []]
        if isinstance(raw, str) and raw in ids:
            return raw
        reader.expect(self, raw, path, "one option id", reader.suggest(str(raw), ids) or f"options: {', '.join(ids)}")
        return None

    def parse_reply(self, text: str, labels: dict[int, str]) -> str:
        return pick(self.menu(), text)

    def reply_hint(self, labels: dict[int, str]) -> str:
        return f"a number 1-{len(self.menu())} or an option id"

    def value_schema(self, labels: dict[int, str]) -> dict[str, Any]:
        return {"type": "string", "enum": [o.id for o in self.options or []]}

    def answer_lines(self, labels: dict[int, str], top: int) -> list[str]:
        def credit(option: Option) -> str:
            return f" (level {option.level})" if self.scored else ""

        return ["One of:", *(f"  {o.id}: {o.label}{credit(o)}" for o in self.options or [])]

    def spoken(self, value: Any, labels: dict[int, str]) -> str:
        return dict(self.menu()).get(value, str(value))

    def report_text(self, value: Any, labels: dict[int, str]) -> str:
        return self.spoken(value, labels)

    def lint(self, checker: LintChecker, path: KeyPath) -> None:
        check_options(checker, self, self.options, path)
        for oi, option in enumerate(self.options or []):
            opath = (*path, "options", oi)
            if option.level is None:
                checker.error("missing-key", f"option {option.id!r} of a choice needs a `level`", opath)
            checker.in_scale(option.level, (*opath, "level"), "option level")
            if option.points is not None:
                checker.error(
                    "wrong-type-key",
                    "`points` is for multi options; a choice option has a `level`",
                    (*opath, "points"),
                    key=True,
                )
