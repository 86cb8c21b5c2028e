"""What the rubric model and the criterion types share: field kinds, conditions, gates, the common criterion."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

if TYPE_CHECKING:
    from ..source import KeyPath

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
SemVer = Annotated[str, StringConstraints(pattern=r"^[0-9]+\.[0-9]+\.[0-9]+(?:[-+][0-9A-Za-z.-]+)?$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]
# Weights and points are bounded so that their sums stay finite: 1e308 + 1e308 is inf (math.fsum
# raises), and inf / inf would be a NaN score.
MAX_WEIGHT = 1_000_000
Weight = Annotated[float, Field(ge=0, le=MAX_WEIGHT, allow_inf_nan=False)]
Points = Annotated[float, Field(ge=-MAX_WEIGHT, le=MAX_WEIGHT, allow_inf_nan=False)]
Finite = Annotated[float, Field(allow_inf_nan=False)]
ScopeKind = Literal["domain", "pillar", "overall"]  # what a score is of, and what a gate caps
# Scores and sums of points compare with this tolerance, so that 2.9999999999 is level 3.
TOLERANCE = 1e-9

# The answer saying a criterion does not apply (where `allow_na` allows it): `na` in results and
# answers files; `n/a`, in any case and with blanks around it, is read as the same answer.
NA = "na"
NA_WORDS = (NA, "n/a")

# How a criterion's answer is shaped, for the formats that ask for one (FHIR items, menus): a
# level of the scale, yes or no, one id of a menu, several ids of a menu, a number, free text.
AnswerShape = Literal["scale", "boolean", "single", "multiple", "numeric", "free_text"]


def is_na_word(text: str) -> bool:
    """Whether `text` is the not-applicable answer (the validator, the questionnaire and lint agree)."""
    return text.strip().lower() in NA_WORDS


def normalise_raw(value: Any) -> Any:
    """YAML reads `yes`/`no` as booleans; answers and conditions compare them as words."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value


@dataclass(frozen=True)
class Measure:
    """What a numeric answer is measured in, within which bounds, and which way is better."""

    unit: str | None
    range: tuple[float, float] | None
    lower_is_better: bool


class ReplyRefused(ValueError):
    """A reply that cannot be taken as it is; the message says what to type instead."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class Option(Strict):
    id: Identifier
    label: NonEmpty
    level: int | None = None  # choice
    points: Points | None = None  # multi (default 1)


class Threshold(Strict):
    min: Finite | None = None
    max: Finite | None = None
    level: int


class Condition(Strict):
    criterion: Identifier
    in_: list[str | int | float | bool] | None = Field(default=None, alias="in")
    at_least: int | None = None


class Gate(Strict):
    min_level: int
    cap: int
    scope: ScopeKind = "pillar"


class Reference(Strict):
    framework: NonEmpty
    id: NonEmpty
    title: str | None = None
    url: str | None = None


class ValueReader(Protocol):
    """What a criterion type reads an answer's value with: the validator's located diagnostics."""

    @property
    def labels(self) -> dict[int, str]: ...

    def expect(self, criterion: CriterionBase, raw: object, path: KeyPath, expected: str, hint: str = "") -> None: ...

    def ids(self, criterion: CriterionBase, raw: object, path: KeyPath, ids: list[str]) -> list[str] | None: ...

    def suggest(self, word: str, candidates: Any) -> str: ...


class LintChecker(Protocol):
    """What a criterion type's lint checks report through (rubrics/lint.py)."""

    levels: list[int]
    top: int

    def error(self, code: str, message: str, path: KeyPath, hint: str = "", key: bool = False) -> None: ...

    def warn(self, code: str, message: str, path: KeyPath, hint: str = "") -> None: ...

    def in_scale(self, value: int | None, path: KeyPath, what: str, low: int = 0) -> None: ...

    def unique(self, ids: list[str], path: KeyPath, what: str, item_key: str = "id") -> None: ...


class CriterionBase(Strict):
    """The keys every criterion has; each type in `rubrics/types/` adds its own and says how its
    answers are read, scored, described and asked (the engine knows no type by name)."""

    id: Identifier
    question: NonEmpty
    guidance: str = ""
    pillar: Identifier | None = None
    weight: Weight = 1.0
    levels: dict[int, str] = Field(default_factory=dict)
    allow_na: bool = False
    evidence_from: int | None = None
    evidence_max_age_days: Annotated[int, Field(ge=0)] | None = None
    applies_if: list[Condition] = Field(default_factory=list)
    gate: Gate | None = None
    references: list[Reference] = Field(default_factory=list)

    type: str
    answer_shape: ClassVar[AnswerShape]
    carries_level: ClassVar[bool] = True  # whether an answer claims a level at all (text does not)
    binary: ClassVar[bool] = False  # answered yes or no: outputs show the answer, and its level as a number
    answer_key: ClassVar[str] = "value"  # the long form's key for the answer

    @model_validator(mode="before")
    @classmethod
    def _foreign_keys_left_to_lint(cls, data: Any) -> Any:
        # Another type's key (`unit` on a yes/no) is a lint error with its own message
        # (`wrong-type-key`), not an unknown key; stored definitions carry them all as nulls.
        if not isinstance(data, dict):
            return data
        from .types import type_specific_keys

        foreign = type_specific_keys() - cls.model_fields.keys()
        return {key: value for key, value in data.items() if key not in foreign}

    @property
    def scored(self) -> bool:
        """Whether this criterion's level counts anywhere: in a score (weight above 0) or in a gate.
        A weight-0 criterion with no gate is context (intended use, device class, AI stage), so
        reports show its answer, never a level."""
        return self.carries_level and (self.weight > 0 or self.gate is not None)

    def menu(self, with_levels: bool = False) -> list[tuple[str, str]]:
        """(id, text) of the answers to pick from, in rubric order; empty where the answer is not picked."""
        return []

    def measure(self) -> Measure | None:
        """The unit, bounds and direction of a numeric answer; None where the answer is no number."""
        return None

    def raw_values(self, levels: list[int]) -> list[Any] | None:
        """The raw answers an `in` condition may compare with, or None when any value can match."""
        return None

    def ids_at_least(self, level: int, levels: list[int]) -> list[str] | None:
        """The answers (as codes) that claim `level` or more, where the answer is one code; else None."""
        return None

    def next_step(self, target: int, value: Any, labels: dict[int, str]) -> str | None:
        """The roadmap's action to reach `target` from the answer `value`, beyond the level descriptor."""
        return None

    @abstractmethod
    def claimed_level(self, value: Any, top: int) -> int | None:
        """The level a (validated) answer value claims; None where an answer claims none."""

    @abstractmethod
    def read_value(self, reader: ValueReader, raw: object, path: KeyPath) -> Any:
        """The normalised value of a raw answer from a file, or None after `reader` recorded why not."""

    @abstractmethod
    def parse_reply(self, text: str, labels: dict[int, str]) -> Any:
        """The value a typed reply gives, normalised as `read_value` would; raises ReplyRefused."""

    @abstractmethod
    def reply_hint(self, labels: dict[int, str]) -> str:
        """One line saying what may be typed for this criterion."""

    @abstractmethod
    def value_schema(self, labels: dict[int, str]) -> dict[str, Any]:
        """The JSON Schema of an answer's value (`aiassure schema`)."""

    @abstractmethod
    def answer_lines(self, labels: dict[int, str], top: int) -> list[str]:
        """How to answer, in plain lines for answers files and the questionnaire; menu entries indented."""

    @abstractmethod
    def spoken(self, value: Any, labels: dict[int, str]) -> str:
        """An answer as the questionnaire repeats it back: labels, not ids."""

    @abstractmethod
    def report_text(self, value: Any, labels: dict[int, str]) -> str:
        """An answer as the reports show it: labels, not ids; one line per item of a list."""

    @abstractmethod
    def lint(self, checker: LintChecker, path: KeyPath) -> None:
        """The type's own checks of the rubric, beyond its schema."""
