"""Reading what a person types at the questionnaire: intake fields, replies to a criterion, evidence items."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from urllib.parse import urlsplit

from ..rubrics.loader import LoadedRubric
from ..rubrics.model import Criterion, is_na_word
from ..rubrics.parts import ReplyRefused
from ..text import is_ascii_number
from .model import ROUND_PATTERN, EvidenceItem, evidence_path_problem, parse_day
from .prompts import IntakeField

ReplyKind = Literal["value", "na", "keep", "help", "back", "skip", "quit"]
COMMANDS: dict[str, ReplyKind] = {"?": "help", "b": "back", "s": "skip", "q": "quit"}


StepKind = Literal["help", "back"]
# What may be typed at a prompt inside a step (a field of the subject, an assessor, an evidence
# item, an `na` reason) instead of its answer: help on that prompt, or back one prompt.
STEP_COMMANDS: dict[str, StepKind] = {"?": "help", "b": "back"}


def step_command(text: str) -> StepKind | None:
    """`help` for `?`, `back` for `b` (any case), else None: anything else typed is the answer to
    the prompt. A file named `b` is given as `./b`."""
    return STEP_COMMANDS.get(text.strip().lower())


ReplyError = ReplyRefused  # one exception for every reply refused, whoever reads it (the criterion types)


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
    if is_na_word(word) and criterion.carries_level:
        if not criterion.allow_na:
            raise ReplyError(f"{criterion.id} does not allow na: answer it, or s to skip it for now")
        return Reply("na")
    return Reply("value", criterion.parse_reply(word, rubric.labels))


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
