"""Semantic checks of a rubric beyond its schema (SPEC 3.7): references, scales, thresholds, cycles."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..diagnose import Suggester
from ..errors import Diagnostic
from ..source import Document, KeyPath
from .model import Criterion, Rubric
from .parts import normalise_raw
from .types import own_keys, type_specific_keys

# The keys and indexes that lead from the document root to a node: where a diagnostic points.


def applies_if_cycle(rubric: Rubric) -> list[str] | None:
    """A cycle of criterion ids linked by `applies_if`, or None."""
    edges = {c.id: [cond.criterion for cond in c.applies_if] for d in rubric.domains for c in d.criteria}
    state: dict[str, int] = {}  # 1 visiting, 2 done

    for start in edges:
        if state.get(start):
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(edges[start]))]
        trail = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                trail.pop()
                state[node] = 2
            elif child in edges and state.get(child) == 1:
                return trail[trail.index(child) :] + [child]
            elif child in edges and not state.get(child):
                state[child] = 1
                stack.append((child, iter(edges[child])))
                trail.append(child)
    return None


class _Checker:
    def __init__(self, rubric: Rubric, doc: Document) -> None:
        self.rubric = rubric
        self.doc = doc
        self.found: list[Diagnostic] = []
        self.levels = [s.level for s in rubric.scale]
        self.top = max(self.levels) if self.levels else 0
        self.pillars = {p.id for p in rubric.pillars}
        self.criteria = {c.id: c for d in rubric.domains for c in d.criteria}
        self.suggest = Suggester()  # the file's "did you mean" searches, capped

    def error(self, code: str, message: str, path: KeyPath, hint: str = "", key: bool = False) -> None:
        self.found.append(self.doc.diagnostic(code, message, path, key=key, hint=hint))

    def warn(self, code: str, message: str, path: KeyPath, hint: str = "") -> None:
        self.found.append(self.doc.diagnostic(code, message, path, severity="warning", hint=hint))

    def in_scale(self, value: int | None, path: KeyPath, what: str, low: int = 0) -> None:
        if value is not None and not low <= value <= self.top:
            self.error("out-of-scale", f"{what} {value} is outside the scale {low}..{self.top}", path)

    def unique(self, ids: list[str], path: KeyPath, what: str, item_key: str = "id") -> None:
        seen: set[str] = set()
        for index, ident in enumerate(ids):
            if ident in seen:
                self.error("duplicate-id", f"duplicate {what} id {ident!r}", (*path, index, item_key))
            seen.add(ident)

    def run(self) -> list[Diagnostic]:
        rubric = self.rubric
        if sorted(self.levels) != list(range(len(self.levels))) or not 1 <= self.top <= 10:
            self.error(
                "bad-scale",
                f"the scale must be levels 0..N with no gaps and 1 <= N <= 10, got {sorted(self.levels)}",
                ("scale",),
            )
        self.unique([p.id for p in rubric.pillars], ("pillars",), "pillar")
        self.unique([d.id for d in rubric.domains], ("domains",), "domain")
        self.unique([o.id for o in rubric.outcomes], ("outcomes",), "outcome")
        all_ids: set[str] = set()
        for di, domain in enumerate(rubric.domains):
            dpath = ("domains", di)
            if domain.pillar is not None:
                self.pillar_ref(domain.pillar, (*dpath, "pillar"))
            for ci, criterion in enumerate(domain.criteria):
                cpath = (*dpath, "criteria", ci)
                if criterion.id in all_ids:
                    self.error("duplicate-id", f"duplicate criterion id {criterion.id!r}", (*cpath, "id"))
                all_ids.add(criterion.id)
                self.criterion(criterion, domain.pillar, cpath)
        cycle = applies_if_cycle(rubric)
        if cycle:
            first = cycle[0]
            self.error(
                "applies-if-cycle",
                "applies_if conditions form a cycle: " + " -> ".join(cycle),
                self.path_of(first) + ("applies_if",),
            )
        for oi, outcome in enumerate(rubric.outcomes):
            wpath = ("outcomes", oi, "when")
            self.in_scale(outcome.when.overall_at_least, (*wpath, "overall_at_least"), "overall_at_least")
            for pillar_id, level in outcome.when.pillars_at_least.items():
                self.pillar_ref(pillar_id, (*wpath, "pillars_at_least", pillar_id), key=True)
                self.in_scale(level, (*wpath, "pillars_at_least", pillar_id), "level")
        used = {c.pillar or d.pillar for d in rubric.domains for c in d.criteria}
        for pi, pillar in enumerate(rubric.pillars):
            if pillar.id not in used:
                self.warn("empty-pillar", f"pillar {pillar.id!r} has no criteria", ("pillars", pi))
        self.found.extend(self.suggest.summary(self.doc.locate(())))
        return self.found

    def path_of(self, criterion_id: str) -> KeyPath:
        for di, domain in enumerate(self.rubric.domains):
            for ci, criterion in enumerate(domain.criteria):
                if criterion.id == criterion_id:
                    return ("domains", di, "criteria", ci)
        return ()

    def pillar_ref(self, pillar: str, path: KeyPath, key: bool = False) -> None:
        if pillar not in self.pillars:
            self.error(
                "unknown-pillar", f"unknown pillar {pillar!r}", path, self.suggest(pillar, self.pillars), key=key
            )

    def criterion(self, c: Criterion, domain_pillar: str | None, path: KeyPath) -> None:
        given = self.raw_keys(path)
        for name in sorted((given & type_specific_keys()) - own_keys(c.type)):
            self.error("wrong-type-key", f"{name!r} is not used by criteria of type {c.type}", (*path, name), key=True)
        if c.pillar is not None:
            self.pillar_ref(c.pillar, (*path, "pillar"))
        elif domain_pillar is None:
            self.error(
                "no-pillar",
                f"criterion {c.id!r} has no pillar and its domain sets none",
                path,
                "add `pillar:` to the criterion or its domain",
            )
        for level in c.levels:
            self.in_scale(level, (*path, "levels", level), "descriptor level")
        self.in_scale(c.evidence_from, (*path, "evidence_from"), "evidence_from", low=1)
        if c.evidence_max_age_days is not None and c.evidence_from is None:
            self.warn(
                "recency-without-evidence",
                "evidence_max_age_days has no effect without evidence_from",
                (*path, "evidence_max_age_days"),
            )
        if c.gate is not None:
            self.in_scale(c.gate.min_level, (*path, "gate", "min_level"), "gate min_level", low=1)
            self.in_scale(c.gate.cap, (*path, "gate", "cap"), "gate cap")
        for ai, cond in enumerate(c.applies_if):
            self.condition(cond, (*path, "applies_if", ai), c.id)
        c.lint(self, path)
        if not c.references:
            self.warn(
                "no-references",
                f"criterion {c.id!r} has no references to a published framework",
                path,
                "add `references: [{framework: ..., id: ...}]`",
            )

    def condition(self, cond: Any, path: KeyPath, owner: str) -> None:
        if (cond.in_ is None) == (cond.at_least is None):
            self.error("bad-condition", "a condition needs exactly one of `in` or `at_least`", path)
        target = self.criteria.get(cond.criterion)
        if target is None:
            self.error(
                "unknown-criterion",
                f"unknown criterion {cond.criterion!r}",
                (*path, "criterion"),
                self.suggest(cond.criterion, self.criteria),
            )
            return
        if cond.criterion == owner:
            self.error("applies-if-cycle", f"criterion {owner!r} depends on itself", (*path, "criterion"))
        if cond.at_least is not None:
            self.in_scale(cond.at_least, (*path, "at_least"), "at_least")
        for vi, value in enumerate(cond.in_ or []):
            value = normalise_raw(value)
            allowed = target.raw_values(self.levels)
            if allowed is not None and value not in allowed:
                self.error(
                    "unknown-option",
                    f"{value!r} is not a possible answer of {target.id!r} ({target.type})",
                    (*path, "in", vi),
                    self.suggest(value, (str(a) for a in allowed))
                    or f"expected one of: {', '.join(map(str, allowed))}",
                )

    def raw_keys(self, path: KeyPath) -> set[str]:
        """The keys written at `path` in the rubric's file (after `extends`), as given."""
        node: Any = self.doc.data
        for part in path:
            node = node[part]
        return {str(key) for key in node} if isinstance(node, dict) else set()


def lint(rubric: Rubric, doc: Document) -> list[Diagnostic]:
    """Every error and warning SPEC 3.7 lists, located in `doc`."""
    return _Checker(rubric, doc).run()
