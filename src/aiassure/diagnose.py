"""Turn pydantic validation errors into located diagnostics, and suggest near-miss identifiers."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import Diagnostic
from .source import Document

# A file with more problems than this gets this many listed and one `too-many-errors`: past
# that, nobody reads them, and suggesting near-miss ids for each costs time a hostile file could
# multiply.
MAX_DIAGNOSTICS = 1000


def did_you_mean(word: Any, candidates: Iterable[str]) -> str:
    """A hint naming the closest candidate, or an empty string when none is close."""
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"did you mean {close[0]}?" if close else ""


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


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def pydantic_diagnostics(
    doc: Document,
    exc: ValidationError,
    model: type[BaseModel],
    prefix: tuple[Any, ...] = (),
) -> list[Diagnostic]:
    """One diagnostic per pydantic error, located in `doc` at `prefix + loc`."""
    diagnostics: list[Diagnostic] = []
    seen: set[tuple[Any, ...]] = set()
    for error in exc.errors():
        if len(diagnostics) >= MAX_DIAGNOSTICS:
            diagnostics.append(too_many(doc, prefix))
            break
        raw_loc = error["loc"]
        if error["type"] in ("extra_forbidden", "missing"):
            # These end with the key itself, which may be named like a union member: `date:`, `int:`.
            loc = _without_union_tags(model, raw_loc[:-1]) + raw_loc[-1:]
        else:
            loc = _without_union_tags(model, raw_loc)
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
            message = f"{error['msg'][0].lower()}{error['msg'][1:]}, got {_describe(got)}"
            diagnostics.append(doc.diagnostic("invalid-value", message, parts))
    return diagnostics


def too_many(doc: Document, parts: tuple[Any, ...]) -> Diagnostic:
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


def _is_union_tag(part: Any) -> bool:
    # pydantic inserts the union member's name into the location (e.g. 'int', 'list[str]').
    return isinstance(part, str) and (
        part in {"str", "int", "float", "bool", "date", "none"}
        or "[" in part
        or part.startswith(("function-", "constrained-", "json-or-python", "lax-or-strict"))
    )
