"""Waivers: an approved, time-limited exception to a gate or a criterion (docs/waivers.md).

A waiver file is YAML (`waivers:`, a list), read with the submissions' reader and limits; the
rules a waiver must meet beyond its shape are `waiver_problems` (the service checks the same);
`decide` says, for one submission, which waivers apply and why each other one does not. Nothing
here reads a clock: "today" is the command's Calendar (aiassure.clock).
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, get_args

from pydantic import Field, StringConstraints, ValidationError, model_validator

from ..canonical import canonical_json
from ..diagnose import MAX_DIAGNOSTICS, pydantic_diagnostics, too_many
from ..errors import AiassureError, Diagnostic, InputError
from ..limits import Limit, TextRules
from ..limits import text_diagnostics as _text_diagnostics
from ..rubrics.loader import LoadedRubric, RubricLibrary, version_key
from ..rubrics.model import DEFAULT_WAIVER_MONTHS, Identifier, Slug
from ..source import DEFAULT_MAX_BYTES, Document, KeyPath, YamlMap, load_file
from ..text import is_ascii_number
from .answers import EvidenceChecker
from .model import Day, EvidenceItem, Round, Strict
from .result import WaiverRef, WaiversOut

if TYPE_CHECKING:
    from .validate import ParsedSubmission

WaiverStatus = Literal["requested", "approved", "rejected", "expired", "revoked"]
WAIVER_STATUSES: tuple[WaiverStatus, ...] = get_args(WaiverStatus)
ALL_ROUNDS = "all"  # `rounds: all`: every round of the rubric's major version
# How long after its approval a waiver may run, unless its rubric says otherwise (`waivers: {max_months: N}`).
DEFAULT_MAX_MONTHS = DEFAULT_WAIVER_MONTHS
TargetKind = Literal["criterion", "gate"]
# Why a waiver is not applied to a submission (docs/waivers.md, Scoring).
NotAppliedReason = Literal[
    "not-approved",  # requested, rejected or revoked
    "not-yet-approved",  # approved on a day after today
    "expired",  # marked expired, or today is on or after its expiry
    "other-subject",
    "other-rubric",  # another rubric, or another major version of it
    "other-round",
    "unknown-criterion",
    "unknown-gate",  # no such criterion, or a criterion without a gate
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class WaiverScope(Strict):
    """What a waiver covers: one criterion (left out like `na`) or one criterion's gate (it does
    not cap), of one subject, under one rubric's major version, in some rounds or all."""

    subject: Name  # the subject's code (ODS code, product id)
    rubric: Slug  # the rubric's id
    rubric_major: Annotated[int, Field(ge=0, le=2_147_483_647)]
    criterion: Identifier | None = None
    gate: Identifier | None = None  # the id of the criterion whose gate is waived
    rounds: list[Round] | Literal["all"]

    @model_validator(mode="after")
    def _one_target(self) -> WaiverScope:
        if (self.criterion is None) == (self.gate is None):
            raise ValueError("a scope names exactly one of `criterion` or `gate`")
        return self

    @property
    def kind(self) -> TargetKind:
        return "criterion" if self.criterion is not None else "gate"

    @property
    def target(self) -> str:
        """The criterion id the waiver is about (its own, or the one whose gate it waives)."""
        return self.criterion if self.criterion is not None else self.gate or ""

    def covers_round(self, round_: str) -> bool:
        return self.rounds == ALL_ROUNDS or round_ in self.rounds


class Waiver(Strict):
    """One waiver record (docs/waivers.md, The file)."""

    id: Slug
    scope: WaiverScope
    justification: Name
    compensating_controls: list[Name] = Field(default_factory=list)
    evidence: list[EvidenceItem] = Field(default_factory=list)
    requester: Name
    approver: Name | None = None  # who approved or rejected it; none while requested
    approved_on: Day | None = None  # the day of that decision
    expires_on: Day
    status: WaiverStatus

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the waiver's canonical JSON: any change to it is a new fingerprint."""
        return hashlib.sha256(canonical_json(self.model_dump(mode="json")).encode()).hexdigest()

    def in_force(self, today: dt.date) -> bool:
        """Approved, approved by today, and not expired: "expires on D" means not applied on D."""
        return (
            self.status == "approved" and self.approved_on is not None and self.approved_on <= today < self.expires_on
        )


class WaiverFile(Strict):
    waivers: list[Waiver]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day where it has no such day (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, _calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True, slots=True)
class Problem:
    """A rule a waiver breaks: its code (aiassure.codes), what is wrong, and the field (under the waiver)."""

    code: str
    message: str
    field: tuple[str, ...]
    hint: str = ""


def waiver_problems(waiver: Waiver, max_months: int = DEFAULT_MAX_MONTHS) -> list[Problem]:
    """What a well-formed waiver breaks: an approver who is the requester, a decision without an
    approver or a day, an expiry not after approval or more than `max_months` after it."""
    found: list[Problem] = []
    if waiver.approver is not None and waiver.approver.casefold() == waiver.requester.casefold():
        found.append(
            Problem(
                "waiver-self-approved",
                f"waiver {waiver.id} is approved by its requester {waiver.requester!r}: the approver must be "
                "someone else",
                ("approver",),
                "have another person approve it",
            )
        )
    if waiver.status != "requested":
        for name in ("approver", "approved_on"):
            if getattr(waiver, name) is None:
                found.append(
                    Problem(
                        "waiver-undecided",
                        f"waiver {waiver.id} is {waiver.status} but gives no `{name}`",
                        (),
                        f"add `{name}:` (who decided, and on which day), or set `status: requested`",
                    )
                )
    if waiver.approved_on is not None:
        latest = add_months(waiver.approved_on, max_months)
        if waiver.expires_on <= waiver.approved_on:
            found.append(
                Problem(
                    "waiver-expiry",
                    f"waiver {waiver.id} expires on {waiver.expires_on}, not after its approval on "
                    f"{waiver.approved_on}",
                    ("expires_on",),
                    "a waiver expires after the day it is approved",
                )
            )
        elif waiver.expires_on > latest:
            found.append(
                Problem(
                    "waiver-expiry",
                    f"waiver {waiver.id} expires on {waiver.expires_on}, more than {max_months} months after its "
                    f"approval on {waiver.approved_on} (at most {latest})",
                    ("expires_on",),
                    f"expire it on {latest} at the latest, and renew it then if it is still needed",
                )
            )
    return found


# The limit of each text of a waiver file (docs/waivers.md, Text fields), `#` standing for a list index.
_NAME = Limit(200)
_FREE_TEXT = Limit(10_000, multiline=True)
_DATE = Limit(16, digits=True)
FIELDS: dict[tuple[str, ...], Limit] = {
    ("waivers", "#", "id"): Limit(100),
    ("waivers", "#", "scope", "subject"): Limit(100),
    ("waivers", "#", "scope", "rubric"): Limit(100),
    ("waivers", "#", "scope", "criterion"): Limit(100),
    ("waivers", "#", "scope", "gate"): Limit(100),
    ("waivers", "#", "scope", "rounds"): Limit(16, digits=True),
    ("waivers", "#", "scope", "rounds", "#"): Limit(16, digits=True),
    ("waivers", "#", "justification"): _FREE_TEXT,
    ("waivers", "#", "compensating_controls", "#"): Limit(2_000, multiline=True),
    ("waivers", "#", "evidence", "#", "title"): Limit(500),
    ("waivers", "#", "evidence", "#", "url"): Limit(2_048),
    ("waivers", "#", "evidence", "#", "path"): Limit(1_024),
    ("waivers", "#", "evidence", "#", "sha256"): Limit(64),
    ("waivers", "#", "evidence", "#", "date"): _DATE,
    ("waivers", "#", "requester"): _NAME,
    ("waivers", "#", "approver"): _NAME,
    ("waivers", "#", "approved_on"): _DATE,
    ("waivers", "#", "expires_on"): _DATE,
    ("waivers", "#", "status"): Limit(100),
}


def limit_of(parts: KeyPath) -> Limit:
    shape = tuple("#" if isinstance(part, int) else str(part) for part in parts)
    return FIELDS.get(shape, _NAME)


RULES = TextRules(limit_of, "docs/waivers.md, Text fields", min(limit.chars for limit in (*FIELDS.values(), _NAME)))


class _WaiverEvidence(EvidenceChecker):
    folder_name = "the waiver file's folder"


@dataclass(frozen=True)
class WaiverSet:
    """The waivers of one file (or the registry), in the order given, with the file's warnings."""

    waivers: tuple[Waiver, ...]
    file: str = ""
    warnings: tuple[Diagnostic, ...] = ()


def max_months(rubric: LoadedRubric | None) -> int:
    """How many months after approval a waiver under `rubric` may run: its `waivers: {max_months: N}`,
    else DEFAULT_MAX_MONTHS (also when the rubric is not known)."""
    policy = rubric.model.waivers if rubric is not None else None
    return policy.max_months if policy is not None else DEFAULT_MAX_MONTHS


def scope_rubric(library: RubricLibrary, scope: WaiverScope) -> LoadedRubric | None:
    """The newest rubric on the search path with the scope's id and major version, or None."""
    versions = [v for i, v, _ in library.entries() if i == scope.rubric and _major(v) == scope.rubric_major]
    if not versions:
        return None
    try:
        return library.resolve(f"{scope.rubric}@{max(versions, key=version_key)}")
    except AiassureError:  # an invalid rubric: `validate` and `score` say so where they use it
        return None


def _major(version: str) -> int | None:
    head = version.split(".", 1)[0]
    return int(head) if is_ascii_number(head) else None


def check_waivers(doc: Document, library: RubricLibrary | None = None) -> tuple[WaiverSet | None, list[Diagnostic]]:
    """Every error and warning of a waiver file, and its waivers when it has no error. A waiver's
    longest run is its rubric's (found in `library`), else DEFAULT_MAX_MONTHS."""
    data = doc.data
    if data is None:
        return None, [doc.diagnostic("empty", "the file is empty", (), hint="start it with `waivers:` and a list")]
    if not isinstance(data, YamlMap):
        return None, [doc.diagnostic("not-a-mapping", "a waiver file is a YAML mapping with a `waivers:` list", ())]
    found = _text_diagnostics(doc, RULES)
    waivers: list[Waiver] = []
    try:
        waivers = list(WaiverFile.model_validate(data).waivers)
    except ValidationError as exc:
        found.extend(pydantic_diagnostics(doc, exc, WaiverFile))
    checker = _WaiverEvidence(doc)
    seen: dict[str, int] = {}
    for index, waiver in enumerate(waivers):
        if len(found) + len(checker.found) >= MAX_DIAGNOSTICS:
            found.append(too_many(doc, ("waivers",)))
            break
        where: KeyPath = ("waivers", index)
        if waiver.id in seen:
            found.append(
                doc.diagnostic(
                    "duplicate-id",
                    f"waiver id {waiver.id!r} is also waiver {seen[waiver.id] + 1}'s",
                    (*where, "id"),
                    hint="give each waiver its own id",
                )
            )
        seen.setdefault(waiver.id, index)
        rubric = scope_rubric(library, waiver.scope) if library is not None else None
        for problem in waiver_problems(waiver, max_months(rubric)):
            found.append(doc.diagnostic(problem.code, problem.message, (*where, *problem.field), hint=problem.hint))
        lacking = _target_problem(waiver.scope, rubric) if rubric is not None else None
        if rubric is not None and lacking is not None:
            found.append(
                doc.diagnostic(
                    "waiver-target",
                    f"waiver {waiver.id}: {rubric.ref} has no {lacking}, so it never applies",
                    (*where, "scope", waiver.scope.kind),
                    severity="warning",
                    hint=checker.suggest(waiver.scope.target, rubric.criteria)
                    or f"see `aiassure rubrics show {rubric.ref}`",
                )
            )
        raw = data["waivers"][index]
        checker.evidence(raw.get("evidence") if isinstance(raw, dict) else None, (*where, "evidence"))
    found.extend(checker.found)
    found.sort(key=Diagnostic.sort_key)
    if any(d.is_error for d in found):
        return None, found
    return WaiverSet(tuple(waivers), doc.file, tuple(found)), found


def load_waivers(path: Path, library: RubricLibrary | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES) -> WaiverSet:
    """Read and check a waiver file; raises InputError with every problem found."""
    doc = load_file(path, max_bytes=max_bytes)
    waivers, found = check_waivers(doc, library)
    if waivers is None:
        errors = sum(1 for d in found if d.is_error)
        raise InputError(f"{doc.file}: {errors} error(s)", found)
    return waivers


@dataclass(frozen=True, slots=True)
class NotApplied:
    waiver: Waiver
    reason: NotAppliedReason


@dataclass(frozen=True, slots=True)
class WaiverDecision:
    """Which waivers apply to one submission, and why each other one does not (in the order given)."""

    applied: tuple[Waiver, ...] = ()
    not_applied: tuple[NotApplied, ...] = ()

    def record(self, as_of: dt.date) -> WaiversOut | None:
        """What a result records of this decision: every waiver of its subject, applied or not
        (with the reason); None when there is none, so that the result is as without waivers."""
        applied = [_ref(w) for w in self.applied]
        not_applied = [_ref(n.waiver, n.reason) for n in self.not_applied if n.reason != "other-subject"]
        if not applied and not not_applied:
            return None
        return WaiversOut(as_of=as_of.isoformat(), applied=applied, not_applied=not_applied)


def _ref(waiver: Waiver, reason: NotAppliedReason | None = None) -> WaiverRef:
    return WaiverRef(
        id=waiver.id,
        fingerprint=waiver.fingerprint,
        kind=waiver.scope.kind,
        target=waiver.scope.target,
        status=waiver.status,
        expires_on=waiver.expires_on.isoformat(),
        reason=reason,
    )


def _target_problem(scope: WaiverScope, rubric: LoadedRubric) -> str | None:
    """What `rubric` lacks for the scope's target (`scored criterion gov-9`, `gate on gov-2`), or None."""
    criterion = rubric.criteria.get(scope.target)
    if criterion is None or not criterion.scored:
        return f"scored criterion {scope.target}"
    if scope.kind == "gate" and criterion.gate is None:
        return f"gate on {scope.target}"
    return None


def not_applied_reason(
    waiver: Waiver, *, subject: str, rubric: LoadedRubric, round_: str, today: dt.date
) -> NotAppliedReason | None:
    """Why `waiver` does not apply to a submission of `subject` in `round_` under `rubric`, or None
    when it applies. The scope is looked at first, then the status and the dates."""
    scope = waiver.scope
    if scope.subject != subject:
        return "other-subject"
    if scope.rubric != rubric.id or scope.rubric_major != _major(rubric.version):
        return "other-rubric"
    if not scope.covers_round(round_):
        return "other-round"
    if _target_problem(scope, rubric) is not None:
        return "unknown-criterion" if scope.kind == "criterion" else "unknown-gate"
    if waiver.status == "expired" or (waiver.status == "approved" and today >= waiver.expires_on):
        return "expired"
    if waiver.status != "approved":
        return "not-approved"
    if waiver.approved_on is None or waiver.approved_on > today:
        return "not-yet-approved"
    return None


def decide(
    waivers: Sequence[Waiver],
    *,
    subject: str,
    rubric: LoadedRubric,
    round_: str,
    today: dt.date,
) -> WaiverDecision:
    """Which of `waivers` apply to a submission (its subject code, rubric and round) on `today`,
    and the reason each other one does not. Pure: the same arguments, the same decision."""
    applied: list[Waiver] = []
    not_applied: list[NotApplied] = []
    for waiver in waivers:
        reason = not_applied_reason(waiver, subject=subject, rubric=rubric, round_=round_, today=today)
        if reason is None:
            applied.append(waiver)
        else:
            not_applied.append(NotApplied(waiver, reason))
    return WaiverDecision(tuple(applied), tuple(not_applied))


# Why a waiver was not applied, in words (the command line and the reports).
REASON_TEXT: dict[str, str] = {
    "not-approved": "not approved",
    "not-yet-approved": "approved after the day scored",
    "expired": "expired",
    "other-subject": "for another subject",
    "other-rubric": "for another rubric or major version",
    "other-round": "for other rounds",
    "unknown-criterion": "the rubric has no such scored criterion",
    "unknown-gate": "the rubric has no such gate",
}


def waiver_effect(ref: WaiverRef) -> str:
    """What a waiver does when applied: `gov-03 left out of the scores`, `gov-01's gate does not cap`."""
    if ref.kind == "criterion":
        return f"{ref.target} left out of the scores"
    return f"{ref.target}'s gate does not cap"


def waiver_line(ref: WaiverRef) -> str:
    """One waiver of a result in one line: applied (what it does, until when) or why not."""
    if ref.reason is None:
        return f"{ref.id}: applied, {waiver_effect(ref)} (expires on {ref.expires_on})"
    return f"{ref.id}: not applied, {REASON_TEXT.get(ref.reason, ref.reason)} ({ref.kind} {ref.target})"


def waivers_of(parsed: ParsedSubmission, waivers: Sequence[Waiver], today: dt.date) -> WaiversOut | None:
    """What the result of `parsed` records of `waivers` on `today` (None when none is of its subject)."""
    envelope = parsed.envelope
    decision = decide(waivers, subject=envelope.subject.code, rubric=parsed.rubric, round_=envelope.round, today=today)
    return decision.record(today)


__all__ = [
    "ALL_ROUNDS",
    "DEFAULT_MAX_MONTHS",
    "RULES",
    "WAIVER_STATUSES",
    "REASON_TEXT",
    "NotApplied",
    "NotAppliedReason",
    "Problem",
    "Waiver",
    "WaiverDecision",
    "WaiverFile",
    "WaiverScope",
    "WaiverSet",
    "WaiverStatus",
    "add_months",
    "check_waivers",
    "decide",
    "load_waivers",
    "max_months",
    "scope_rubric",
    "not_applied_reason",
    "waiver_effect",
    "waiver_line",
    "waiver_problems",
    "waivers_of",
]
