"""Reading what a person types at the questionnaire: intake fields, replies to a criterion, evidence items."""

from __future__ import annotations

import math
import posixpath
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from urllib.parse import urlsplit

from ..rubrics.loader import LoadedRubric
from ..rubrics.model import Criterion, is_na_word
from ..text import is_ascii_number
from .model import ROUND_PATTERN, EvidenceItem, evidence_path_problem, parse_day
from .prompts import IntakeField, choices

ReplyKind = Literal["value", "na", "keep", "help", "back", "skip", "quit"]
COMMANDS: dict[str, ReplyKind] = {"?": "help", "b": "back", "s": "skip", "q": "quit"}
NOTHING_WORDS = ("none", "-", "[]")  # an explicit empty selection for multi and checklist


StepKind = Literal["help", "back"]
# What may be typed at a prompt inside a step (a field of the subject, an assessor, an evidence
# item, an `na` reason) instead of its answer: help on that prompt, or back one prompt.
STEP_COMMANDS: dict[str, StepKind] = {"?": "help", "b": "back"}


def step_command(text: str) -> StepKind | None:
    """`help` for `?`, `back` for `b` (any case), else None: anything else typed is the answer to
    the prompt. A file named `b` is given as `./b`."""
    return STEP_COMMANDS.get(text.strip().lower())


class ReplyError(ValueError):
    """A reply that cannot be taken as it is; the message says what to type instead."""


def read_field(spec: IntakeField, text: str, current: Any) -> Any:
    """The value a reply gives a field; Enter keeps the current value. Raises ReplyError."""
    text = text.strip()
    if not text:
        if current not in (None, ""):
            return current
        if spec.required:
            raise ReplyError(f"{spec.prompt} is needed")
        return None
    if spec.kind == "choice":
        if is_ascii_number(text) and 1 <= int(text) <= len(spec.choices):
            return spec.choices[int(text) - 1]
        by_name = {choice.lower(): choice for choice in spec.choices}
        if text.lower() in by_name:
            return by_name[text.lower()]
        if spec.other_allowed:
            return text
        raise ReplyError(f"type a number 1-{len(spec.choices)} or one of: {', '.join(spec.choices)}")
    if spec.kind == "ods":
        code = text.upper()
        if not re.fullmatch(r"[A-Z0-9]{2,10}", code):
            raise ReplyError("an ODS code is 2 to 10 letters and digits, such as RXX or 00L")
        return code
    if spec.kind == "round":
        round_ = text.upper()
        if not re.fullmatch(ROUND_PATTERN, round_):
            raise ReplyError("a round looks like 2026-Q4")
        return round_
    if spec.kind == "date":
        return parse_date(text)
    return text


def parse_date(text: str) -> date:
    try:
        return parse_day(text.strip())
    except ValueError:
        raise ReplyError(f"{text.strip()!r} is not a date; write it as YYYY-MM-DD") from None


@dataclass(frozen=True)
class Reply:
    """What a line typed at a question means."""

    kind: ReplyKind
    value: Any = None


def read_reply(criterion: Criterion, rubric: LoadedRubric, text: str, *, has_answer: bool) -> Reply:
    """Commands (`?`, `b`, `s`, `q`) first, then Enter, `na`, then a value of the criterion's type."""
    word = text.strip()
    if word.lower() in COMMANDS:
        return Reply(COMMANDS[word.lower()])
    if not word:
        if has_answer:
            return Reply("keep")
        raise ReplyError("type an answer (? for help, s to skip)")
    if is_na_word(word) and criterion.type != "text":
        if not criterion.allow_na:
            raise ReplyError(f"{criterion.id} does not allow na: answer it, or s to skip it for now")
        return Reply("na")
    return Reply("value", parse_value(criterion, rubric, word))


def parse_value(criterion: Criterion, rubric: LoadedRubric, text: str) -> Any:
    """The answer value a reply gives, normalised as the validator would; raises ReplyError."""
    kind = criterion.type
    if kind == "level":
        return _level(rubric, text)
    if kind == "yes_no":
        word = text.lower()
        if word in ("y", "yes", "true"):
            return "yes"
        if word in ("n", "no", "false"):
            return "no"
        raise ReplyError("type y or n")
    if kind == "choice":
        return _choice(criterion, text)
    if kind in ("multi", "checklist"):
        return _selection(criterion, text)
    if kind == "number":
        return _number(criterion, text)
    return text


def _level(rubric: LoadedRubric, text: str) -> int:
    labels = rubric.labels
    low, high = min(labels), max(labels)
    if is_ascii_number(text):
        if int(text) in labels:
            return int(text)
        raise ReplyError(f"levels go from {low} to {high}")
    word = text.lower()
    exact = [level for level, label in labels.items() if label.lower() == word]
    starts = [level for level, label in labels.items() if label.lower().startswith(word)]
    if exact or len(starts) == 1:
        return (exact or starts)[0]
    raise ReplyError(f"type a level {low}-{high} or its label ({', '.join(labels.values())})")


def _pick(menu: list[tuple[str, str]], token: str) -> str:
    """One menu entry by id, by number, or by id or label ignoring case."""
    ids = [ident for ident, _ in menu]
    if token in ids:
        return token
    if is_ascii_number(token) and 1 <= int(token) <= len(menu):
        return ids[int(token) - 1]
    loose = [ident for ident, text in menu if token.lower() in (ident.lower(), text.lower())]
    if len(loose) == 1:
        return loose[0]
    raise ReplyError(f"{token!r} is not a number 1-{len(menu)} or one of: {', '.join(ids)}")


def _choice(criterion: Criterion, text: str) -> str:
    return _pick(choices(criterion), text)


def _selection(criterion: Criterion, text: str) -> list[str]:
    menu = choices(criterion)
    ids = [ident for ident, _ in menu]
    if text.lower() in NOTHING_WORDS and text not in ids:
        return []
    chosen: set[str] = set()
    for token in filter(None, re.split(r"[\s,\[\]]+", text)):
        span = re.fullmatch(r"([0-9]+)-([0-9]+)", token)
        if span and token not in ids:
            first, last = int(span[1]), int(span[2])
            if not 1 <= first <= last <= len(menu):
                raise ReplyError(f"{token!r} is not a range within 1-{len(menu)}")
            chosen.update(ids[first - 1 : last])
        else:
            chosen.add(_pick(menu, token))
    return [ident for ident in ids if ident in chosen]


_NUMBER = re.compile(r"([-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)\s*(.*)")


def _number(criterion: Criterion, text: str) -> int | float:
    unit = criterion.unit
    wanted = "a number" + (f" in {unit}" if unit else "")
    match = _NUMBER.fullmatch(text)
    if match is None:
        raise ReplyError(f"type {wanted}, such as {criterion.range[0]:g}" if criterion.range else f"type {wanted}")
    digits, suffix = match.groups()
    if suffix.startswith(","):  # "1,5" or "1,000": refuse rather than guess which was meant
        raise ReplyError("write the number without commas, with a dot for decimals, such as 99.5")
    if suffix and (unit is None or suffix.lower() != unit.lower()):
        raise ReplyError(
            f"this question is measured in {unit}: type the number alone"
            if unit
            else "type the number alone, without a unit"
        )
    value: int | float = int(digits) if re.fullmatch(r"[-+]?[0-9]+", digits) else float(digits)
    if not math.isfinite(value):
        raise ReplyError("the number must be finite")
    if criterion.range is not None and not criterion.range[0] <= value <= criterion.range[1]:
        raise ReplyError(
            f"the answer must be from {criterion.range[0]:g} to {criterion.range[1]:g}" + (f" {unit}" if unit else "")
        )
    return value


def evidence_item(title: str, target: str) -> EvidenceItem:
    """An evidence item from a title and a URL or relative path; raises ReplyError."""
    title, target = title.strip(), target.strip()
    if not title:
        raise ReplyError("an evidence item needs a title")
    parts = urlsplit(target)
    if parts.scheme.lower() in ("http", "https"):
        if not parts.netloc:
            raise ReplyError(f"{target!r} is not a complete web address")
        return EvidenceItem(title=title, url=target)
    if "://" in target or target.lower().startswith(("mailto:", "file:")):
        raise ReplyError("only http:// and https:// links are accepted; or give a path relative to the answers file")
    if not target:
        raise ReplyError("give a link (https://...) or a path relative to the answers file")
    problem = evidence_path_problem(target)
    if problem is not None:
        raise ReplyError(
            f"the path {problem.replace('submission', 'answers file')} (write it like evidence/minutes.pdf)"
        )
    return EvidenceItem(title=title, path=posixpath.normpath(target))
