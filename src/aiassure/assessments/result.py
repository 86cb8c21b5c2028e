"""The result of scoring one submission (SPEC 4.8), serialised to deterministic JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .. import __version__
from ..rubrics.loader import LoadedRubric
from ..rubrics.model import OverallMethod, ScopeKind
from .model import OrganisationOut, SubjectOut
from .scoring import NOTHING_WAIVED, CriterionStatus, Evaluation, ScopeResult, Waived, evaluate, level_of

if TYPE_CHECKING:
    from .validate import ParsedSubmission

RESULT_SCHEMA = 1


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RubricIdentity(_Out):
    id: str
    version: str
    fingerprint: str


class SubmissionIdentity(_Out):
    sha256: str


class OverallScore(_Out):
    score: float | None
    level: int | None
    label: str | None
    method: OverallMethod
    capped_to: int | None


class ScopeScore(_Out):
    id: str
    title: str
    score: float | None
    level: int | None
    label: str | None
    capped_to: int | None


class CriterionResult(_Out):
    id: str
    domain: str
    pillar: str
    applicable: bool
    answer: Any
    claimed: int | None
    credited: int | None
    status: CriterionStatus


class FailedGate(_Out):
    criterion: str
    scope: ScopeKind
    target: str
    cap: int


class OutcomeRef(_Out):
    id: str
    label: str


class Action(_Out):
    criterion: str
    from_level: int
    to_level: int
    action: str
    reason: str


class ResultWarning(_Out):
    code: str
    message: str
    location: str


class PluginUse(_Out):
    """A plugin that contributed to a result (its rubric's library): the package and its version."""

    name: str
    version: str


class WaiverRef(_Out):
    """A waiver as a result records it: which one (id and fingerprint), what it is about, and why
    it was not applied (`reason`, absent when it was)."""

    id: str
    fingerprint: str
    kind: Literal["criterion", "gate"]
    target: str  # the criterion (or the criterion whose gate) it waives
    status: str
    expires_on: str
    reason: str | None = Field(default=None, exclude_if=lambda value: value is None)


class WaiversOut(_Out):
    """The waivers of the result's subject (docs/scoring.md section 5): as of which day, which
    applied and which did not. Waivers of other subjects are not named."""

    as_of: str
    applied: list[WaiverRef]
    not_applied: list[WaiverRef]

    @property
    def waived(self) -> Waived:
        return Waived(
            frozenset(w.target for w in self.applied if w.kind == "criterion"),
            frozenset(w.target for w in self.applied if w.kind == "gate"),
        )


class Unwaived(_Out):
    """The scores the answers give without any waiver: the raw position, beside the waived one."""

    overall: OverallScore
    pillars: list[ScopeScore]
    domains: list[ScopeScore]
    failed_gates: list[FailedGate]
    completeness: float | None
    outcome: OutcomeRef | None


UNWAIVED_FIELDS = tuple(Unwaived.model_fields)


class Result(_Out):
    result_schema: int = RESULT_SCHEMA
    engine: str
    plugins: list[PluginUse] | None = None  # absent, not empty, when none contributed (docs/plugins.md)
    subject: SubjectOut
    assessed_by: OrganisationOut | None = None  # extension: who assessed the subject, when not itself
    round: str
    assessed_on: str
    rubric: RubricIdentity
    submission: SubmissionIdentity
    overall: OverallScore
    pillars: list[ScopeScore]
    domains: list[ScopeScore]
    criteria: list[CriterionResult]
    failed_gates: list[FailedGate]
    completeness: float | None
    outcome: OutcomeRef | None
    actions: list[Action]
    # Only when waivers of the subject were given (absent, not null, otherwise: docs/waivers.md).
    waivers: WaiversOut | None = Field(default=None, exclude_if=lambda value: value is None)
    unwaived: Unwaived | None = Field(default=None, exclude_if=lambda value: value is None)
    warnings: list[ResultWarning]

    def to_json(self) -> str:
        """The result file, as `dumps` writes the JSON data: written by pydantic-core, which gives the
        same bytes about three times faster, unless a value is one the two write differently.
        `plugins` is left out when no plugin contributed, so such a result reads as before plugins."""
        left_out = {"plugins"} if self.plugins is None else None
        if _written_alike(self):
            return self.model_dump_json(indent=2, exclude=left_out) + "\n"
        return dumps(self.model_dump(mode="json", exclude=left_out))


def _written_alike(result: Result) -> bool:
    """Whether pydantic-core writes every value of the result as json.dumps does: its floats, and
    the answers (free-form data); every other field is text, an integer or a flag."""
    floats = [result.overall.score, result.completeness, *(s.score for s in (*result.pillars, *result.domains))]
    if result.unwaived is not None:
        raw = result.unwaived
        floats += [raw.overall.score, raw.completeness, *(s.score for s in (*raw.pillars, *raw.domains))]
    return all(_plain(value) for value in floats) and all(_plain(c.answer) for c in result.criteria)


def _plain(value: Any) -> bool:
    """JSON data that pydantic-core and json.dumps write alike. They differ on floats below 1e-4
    (1e-07 against 1e-7, 1.5e-05 against 0.000015) and on infinities and NaN (null against
    Infinity); keys that are not strings, and values of other types, are left to json.dumps."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    if kind is float:
        return bool(value == 0.0 or 1e-4 <= abs(value) < float("inf"))
    if kind is list or kind is tuple:
        return all(_plain(item) for item in value)
    if kind is dict:
        return all(type(key) is str and _plain(item) for key, item in value.items())
    return False


def _scope_out(rubric: LoadedRubric, scope: ScopeResult) -> dict[str, Any]:
    level = scope.level
    return {
        "id": scope.id,
        "title": scope.title,
        "score": None if scope.score is None else round(scope.score, 2),
        "level": level,
        "label": rubric.labels.get(level) if level is not None else None,
        "capped_to": scope.capped_to,
    }


def to_result(
    parsed: ParsedSubmission, evaluation: Evaluation | None = None, waivers: WaiversOut | None = None
) -> Result:
    """The SPEC 4.8 result of a validated submission; with `waivers`, scored with those applied
    (`evaluation`, when given, is that scoring) and carrying the unwaived scores beside them."""
    rubric = parsed.rubric
    env = parsed.envelope
    waived = waivers.waived if waivers is not None else NOTHING_WAIVED
    ev = evaluation or evaluate(rubric, parsed.answers, env.assessed_on, waived)
    extra: dict[str, Any] = {}
    if waivers is not None:
        raw = evaluate(rubric, parsed.answers, env.assessed_on) if waived != NOTHING_WAIVED else ev
        extra = {"waivers": waivers, "unwaived": unwaived_fields(rubric, raw)}
    # Plain data validated in one call: a model call per criterion and action costs far more.
    return Result.model_validate(
        {
            "engine": __version__,
            "plugins": [plugin.as_json() for plugin in rubric.plugins] or None,
            "subject": env.subject,
            "assessed_by": env.assessed_by,
            "round": env.round,
            "assessed_on": env.assessed_on.isoformat(),
            "rubric": {"id": rubric.id, "version": rubric.version, "fingerprint": rubric.fingerprint},
            "submission": {"sha256": parsed.sha256},
            **scored_fields(rubric, ev),
            **extra,
            "warnings": [
                {"code": w.code, "message": w.message, "location": str(w.location)}
                for w in parsed.warnings
                if not w.is_error
            ],
        }
    )


def scored_fields(rubric: LoadedRubric, ev: Evaluation) -> dict[str, Any]:
    """The fields of a result that scoring gives (every level, label, cap, gate row, outcome and
    action), as plain data: what a result's own figures must equal."""
    overall_level = level_of(ev.overall.score)
    return {
        "overall": {
            "score": None if ev.overall.score is None else round(ev.overall.score, 2),
            "level": overall_level,
            "label": rubric.labels.get(overall_level) if overall_level is not None else None,
            "method": rubric.model.overall.method,
            "capped_to": ev.overall.capped_to,
        },
        "pillars": [_scope_out(rubric, p) for p in ev.pillars],
        "domains": [_scope_out(rubric, d) for d in ev.domains],
        "criteria": [
            {
                "id": c.id,
                "domain": c.domain,
                "pillar": c.pillar,
                "applicable": c.applicable,
                "answer": c.answer,
                "claimed": c.claimed,
                "credited": c.credited,
                "status": c.status,
            }
            for c in ev.criteria
        ],
        "failed_gates": [
            {"criterion": g.criterion, "scope": g.scope, "target": g.target, "cap": g.cap} for g in ev.failed_gates
        ],
        "completeness": None if ev.completeness is None else round(ev.completeness, 3),
        "outcome": {"id": ev.outcome[0], "label": ev.outcome[1]} if ev.outcome else None,
        "actions": [
            {
                "criterion": a.criterion,
                "from_level": a.from_level,
                "to_level": a.to_level,
                "action": a.action,
                "reason": a.reason,
            }
            for a in ev.actions
        ],
    }


def unwaived_fields(rubric: LoadedRubric, unwaived: Evaluation) -> dict[str, Any]:
    """A result's `unwaived` key: the scores, gates and outcome of the scoring without waivers."""
    fields = scored_fields(rubric, unwaived)
    return {key: fields[key] for key in UNWAIVED_FIELDS}


# What two results of the same submission may differ in: the aiassure version that wrote each,
# and where a warning was found (a path as the user gave it to `score`; the base name at ingest).
NOT_COMPARED = frozenset({("engine",)})
MAX_DIFFERENCES = 20


def result_differences(
    recorded: Any, computed: Any, parts: tuple[str | int, ...] = ()
) -> list[tuple[tuple[str | int, ...], Any, Any]]:
    """(field path, recorded value, computed value) of every leaf where two results (as plain
    JSON data) differ, in document order; at most MAX_DIFFERENCES. A missing key or item
    differs from any value; warnings are compared by code and message."""
    found: list[tuple[tuple[str | int, ...], Any, Any]] = []
    _differences(recorded, computed, parts, found)
    return found


def _differences(recorded: Any, computed: Any, parts: tuple[str | int, ...], found: list[Any]) -> None:
    if len(found) >= MAX_DIFFERENCES or parts in NOT_COMPARED:
        return
    if len(parts) == 3 and parts[0] == "warnings" and parts[2] == "location":
        return
    if isinstance(recorded, dict) and isinstance(computed, dict):
        for key in [*computed, *(k for k in recorded if k not in computed)]:
            _differences(recorded.get(key, _ABSENT), computed.get(key, _ABSENT), (*parts, key), found)
    elif isinstance(recorded, list) and isinstance(computed, list) and len(recorded) == len(computed):
        for index, (left, right) in enumerate(zip(recorded, computed, strict=True)):
            _differences(left, right, (*parts, index), found)
    elif type(recorded) is not type(computed) and not _same_number(recorded, computed) or recorded != computed:
        found.append((parts, recorded, computed))


def _same_number(left: object, right: object) -> bool:
    """1 and 1.0 are the same figure; True is not 1."""
    numbers = (int, float)
    return (
        isinstance(left, numbers)
        and isinstance(right, numbers)
        and not isinstance(left, bool)
        and not isinstance(right, bool)
    )


class _Absent:
    def __repr__(self) -> str:
        return "nothing"


_ABSENT = _Absent()


def dumps(value: object) -> str:
    """The one JSON layout every result file uses: stable, readable, newline-terminated.

    Exactly `json.dumps(value, indent=2, ensure_ascii=False)`, written out here because with an
    indent the standard library falls back to its slow pure-Python encoder, and every scored
    file goes through this (tests/bench checks the two agree)."""
    parts: list[str] = []
    try:
        _encode(value, parts, "\n")
    except (_Unusual, RecursionError):  # RecursionError: let json.dumps report a circular value
        return json.dumps(value, indent=2, ensure_ascii=False) + "\n"
    parts.append("\n")
    return "".join(parts)


class _Unusual(Exception):
    """A value `_encode` leaves to the standard library (a non-string key, an object to convert)."""


_string = json.encoder.encode_basestring  # the C version when available, as json.dumps uses


def _encode(value: object, out: list[str], newline: str) -> None:
    if isinstance(value, str):
        out.append(_string(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _Unusual
        out.append(float.__repr__(value))
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        out.append("[")
        for index, item in enumerate(value):
            out.append(inner if index == 0 else "," + inner)
            _encode(item, out, inner)
        out.append(newline + "]")
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise _Unusual
            out.append((inner if index == 0 else "," + inner) + _string(key) + ": ")
            _encode(item, out, inner)
        out.append(newline + "}")
    else:
        raise _Unusual
