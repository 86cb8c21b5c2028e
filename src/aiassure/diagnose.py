"""Turn pydantic validation errors into located diagnostics, and suggest near-miss identifiers."""

from __future__ import annotations

import difflib
import functools
import types
import typing
from collections import Counter
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import Diagnostic, Location
from .source import Document, KeyPath

# A file with more problems than this gets this many listed and one `too-many-errors`: past
# that, nobody reads them, and suggesting near-miss ids for each costs time a hostile file could
# multiply.
MAX_DIAGNOSTICS = 1000


# "Did you mean" costs one string comparison per candidate, and a rubric may have 10,000 criteria:
# a file gets near-miss searches for its first MAX_SUGGESTIONS unknown names only (a Suggester
# counts them; one `suggestions-capped` warning says how many more got none), and a search over
# more than SHORTLIST_ABOVE candidates compares only the SHORTLIST that share most of the word's
# RAREST_PAIRS rarest character pairs (found through an index built once per candidate list).
# Names longer than LONGEST_WORD are neither searched nor suggested.
MAX_SUGGESTIONS = 100
SHORTLIST_ABOVE = 500
SHORTLIST = 30
RAREST_PAIRS = 12
LONGEST_WORD = 64
CUTOFF = 0.6


def did_you_mean(word: object, candidates: Iterable[str]) -> str:
    """A hint naming the closest candidate, or an empty string when none is close."""
    if not isinstance(word, str) or len(word) > LONGEST_WORD:
        return ""
    listed = tuple(candidates)
    if len(listed) > SHORTLIST_ABOVE:
        listed = _shortlist(word, listed)
    close = difflib.get_close_matches(word, listed, n=1, cutoff=CUTOFF)
    return f"did you mean {close[0]}?" if close else ""


def _pairs(text: str) -> set[str]:
    """The character pairs of a text, lower-cased, with its first and last characters paired with
    the ends (so `crit-7` and `audit-7` differ in `^c` and `^a`)."""
    text = "\x00" + text.lower() + "\x00"
    return {text[i : i + 2] for i in range(len(text) - 1)}


@functools.lru_cache(maxsize=8)
def _pair_index(candidates: tuple[str, ...]) -> dict[str, list[int]]:
    """Each character pair, to the candidates (by index) holding it; made once per candidate list."""
    index: dict[str, list[int]] = {}
    for number, candidate in enumerate(candidates):
        if len(candidate) <= LONGEST_WORD:
            for pair in _pairs(candidate):
                index.setdefault(pair, []).append(number)
    return index


def _shortlist(word: str, candidates: tuple[str, ...]) -> tuple[str, ...]:
    """The SHORTLIST candidates sharing most character pairs with `word` and of a length that could
    reach CUTOFF (difflib's ratio 2M/T needs the shorter at least 3/7 of the longer)."""
    index = _pair_index(candidates)
    # The word's rarest pairs only, and none held by most candidates (a shared prefix such as
    # `crit-` says nothing): the counting costs at most RAREST_PAIRS x half the candidates.
    postings = sorted((index[pair] for pair in _pairs(word) if pair in index), key=len)
    telling = [p for p in postings if len(p) <= len(candidates) // 2][:RAREST_PAIRS] or postings[:1]
    shared: Counter[int] = Counter()
    for posting in telling:
        shared.update(posting)
    low, high = len(word) * 3 / 7, len(word) * 7 / 3
    ranked = shared.most_common(4 * SHORTLIST)  # a heap over the counts, not a sort of them all
    best = [n for n, _ in ranked if low <= len(candidates[n]) <= high][:SHORTLIST]
    return tuple(candidates[n] for n in sorted(best))


class Suggester:
    """The near-miss searches of one file: the first `limit` get a hint, the rest none, counted."""

    def __init__(self, limit: int = MAX_SUGGESTIONS) -> None:
        self.limit = limit
        self.left = limit
        self.skipped = 0

    def __call__(self, word: object, candidates: Iterable[str]) -> str:
        """did_you_mean, while the file's searches last (`candidates` is not read after that)."""
        if self.left <= 0:
            self.skipped += 1
            return ""
        self.left -= 1
        return did_you_mean(word, candidates)

    def summary(self, location: Location, path: str = "") -> list[Diagnostic]:
        """One `suggestions-capped` warning when some names got no search, else none."""
        if not self.skipped:
            return []
        message = (
            f"near misses were looked for among the first {self.limit} unknown names only; "
            f"{self.skipped} more got no suggestion"
        )
        return [Diagnostic("suggestions-capped", message, location, path, "warning", "fix the names listed first")]


def _unwrap(annotation: Any) -> list[Any]:
    """The model classes and containers an annotation may hold (Optional, list, dict, Annotated)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [inner for arg in typing.get_args(annotation) for inner in _unwrap(arg)]
    return [annotation]


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    return [c for c in _unwrap(annotation) if isinstance(c, type) and issubclass(c, BaseModel)]


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """Follow a pydantic error location through nested models to the model that holds its last key."""
    current: Any = model
    for part in loc:
        field = next(
            (f for holder in _models_in(current) for name, f in holder.model_fields.items() if part in (name, f.alias)),
            None,
        )
        if field is not None:
            current = field.annotation
            continue
        containers = [c for c in _unwrap(current) if typing.get_origin(c) in (list, tuple, dict)]
        if not containers:
            return None
        current = typing.get_args(containers[0])[-1]
    models = _models_in(current)
    return models[0] if models else None


def _field_names(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def pydantic_diagnostics(
    doc: Document,
    exc: ValidationError,
    model: type[BaseModel],
    prefix: KeyPath = (),
) -> list[Diagnostic]:
    """One diagnostic per pydantic error, located in `doc` at `prefix + loc`."""
    diagnostics: list[Diagnostic] = []
    seen: set[KeyPath] = set()
    for error in exc.errors():
        if len(diagnostics) >= MAX_DIAGNOSTICS:
            diagnostics.append(too_many(doc, prefix))
            break
        raw_loc = error["loc"]
        # An error about one key of the value here (a union told apart by `type`) says which.
        at_key = (error.get("ctx") or {}).get("key")
        if error["type"] in ("extra_forbidden", "missing"):
            # These end with the key itself, which may be named like a union member: `date:`, `int:`.
            loc = _without_union_tags(model, raw_loc[:-1]) + raw_loc[-1:]
        else:
            loc = _without_union_tags(model, raw_loc) + ((at_key,) if isinstance(at_key, str) else ())
        if loc in seen:  # a union reports one error per member; one located message is enough
            continue
        seen.add(loc)
        parts = prefix + loc
        kind = error["type"]
        if kind == "extra_forbidden":
            holder = _model_at(model, loc[:-1])
            allowed = _field_names(holder) if holder else []
            hint = did_you_mean(loc[-1], allowed) or (f"allowed keys here: {', '.join(allowed)}" if allowed else "")
            diagnostics.append(doc.diagnostic("unknown-key", f"unknown key {loc[-1]!r}", parts, key=True, hint=hint))
        elif kind == "missing":
            diagnostics.append(
                doc.diagnostic("missing-key", f"missing required key {loc[-1]!r}", parts[:-1], hint=f"add `{loc[-1]}:`")
            )
        else:
            got = error.get("input")
            if isinstance(at_key, str) and isinstance(got, dict):
                got = got.get(at_key)
            message = f"{error['msg'][0].lower()}{error['msg'][1:]}, got {_describe(got)}"
            diagnostics.append(doc.diagnostic("invalid-value", message, parts))
    return diagnostics


def too_many(doc: Document, parts: KeyPath) -> Diagnostic:
    return doc.diagnostic(
        "too-many-errors", f"more than {MAX_DIAGNOSTICS} problems here; the rest are not checked", parts
    )


def _without_union_tags(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """The error location without the union members' names, keeping fields so named (`date`)."""
    kept: list[Any] = []
    for part in loc:
        if _is_union_tag(part):
            holder = _model_at(model, tuple(kept))
            if holder is None or part not in _field_names(holder):
                continue
        kept.append(part)
    return tuple(kept)


def _is_union_tag(part: object) -> bool:
    # pydantic inserts the union member's name into the location (e.g. 'int', 'list[str]').
    return isinstance(part, str) and (
        part in {"str", "int", "float", "bool", "date", "none"}
        or "[" in part
        # `type=...`: the criterion types' union (rubrics/types) names its members so
        or part.startswith(("function-", "constrained-", "json-or-python", "lax-or-strict", "type="))
    )
