"""The guided self-assessment as a pure state machine: which question comes next, given the answers."""

from __future__ import annotations

from dataclasses import dataclass

from .draft import Draft
from .model import Answer
from .scoring import applicability


@dataclass(frozen=True)
class Progress:
    domain: str
    position: int
    domain_total: int
    answered: int
    total: int

    def __str__(self) -> str:
        return (
            f"{self.domain} {self.position}/{self.domain_total} · "
            f"{self.answered} of {self.total} applicable questions answered"
        )


@dataclass(frozen=True)
class ApplicabilityChange:
    """Criteria whose applicability an answer changed."""

    now_apply: tuple[str, ...] = ()
    no_longer_apply: tuple[str, ...] = ()


class Questionnaire:
    """Which question comes next, given the answers, the applicability rules and what was done this run.

    A run asks every applicable unanswered criterion in rubric order (with `review`, the answered
    ones too). A skipped question is offered once more after the others; skipped again, it stays
    unanswered until the next run. `back` returns to the question left before this one.
    """

    def __init__(self, draft: Draft, *, review: bool = False) -> None:
        self.draft = draft
        self.rubric = draft.rubric
        self.review = review
        self.order = list(self.rubric.criteria)
        self.left: set[str] = set()  # left forward this run: answered, kept or skipped
        self.deferred: list[str] = []  # skipped once this run, in the order they were skipped
        self.declined: set[str] = set()  # skipped twice: left for the next run
        self.history: list[str] = []
        self.revisit: str | None = None
        self._applicable: dict[str, bool] | None = None

    def applicable(self) -> dict[str, bool]:
        if self._applicable is None:
            self._applicable = applicability(self.rubric, self.draft.answers)
        return self._applicable

    def answer_of(self, ident: str) -> Answer | None:
        answer = self.draft.answers.get(ident)
        return answer if answer is not None and answer.given else None

    def current(self) -> str | None:
        """The question to ask now, or None when this run has nothing left to ask."""
        if self.revisit is not None:
            return self.revisit
        applicable = self.applicable()
        for ident in self.order:
            if applicable[ident] and ident not in self.left and (self.review or self.answer_of(ident) is None):
                return ident
        for ident in self.deferred:
            if applicable[ident] and ident not in self.declined and self.answer_of(ident) is None:
                return ident
        return None

    def second_offer(self, ident: str) -> bool:
        return ident in self.deferred and self.revisit != ident

    def _leave(self, ident: str) -> None:
        self.history.append(ident)
        self.left.add(ident)
        self.revisit = None

    def record(self, ident: str, answer: Answer) -> ApplicabilityChange:
        before = self.applicable()
        self.draft.answers[ident] = answer
        self._applicable = None
        after = self.applicable()
        self._leave(ident)
        return ApplicabilityChange(
            tuple(i for i in self.order if after[i] and not before[i]),
            tuple(i for i in self.order if before[i] and not after[i]),
        )

    def keep(self, ident: str) -> None:
        self._leave(ident)

    def skip(self, ident: str) -> None:
        if self.answer_of(ident) is None:
            if ident in self.deferred:
                self.declined.add(ident)
            else:
                self.deferred.append(ident)
        self._leave(ident)

    def back(self, ident: str) -> str | None:
        """Go to the question left before `ident` (or, at the start of a run, the one before it in the rubric)."""
        applicable = self.applicable()
        while self.history:
            previous = self.history.pop()
            if previous != ident and applicable[previous]:
                self.revisit = previous
                return previous
        position = self.order.index(ident)
        for previous in reversed(self.order[:position]):
            if applicable[previous]:
                self.revisit = previous
                return previous
        return None

    def counts(self) -> tuple[int, int]:
        """(answered, applicable): the questions that apply given the answers so far, and how many of
        them are answered; every count the questionnaire shows is one of these, so they agree (an
        answer kept for a question that no longer applies is not counted)."""
        asked = [i for i in self.order if self.applicable()[i]]
        return sum(1 for i in asked if self.answer_of(i) is not None), len(asked)

    def progress(self, ident: str) -> Progress:
        applicable = self.applicable()
        domain = self.rubric.domain_of[ident]
        in_domain = [c.id for c in domain.criteria if applicable[c.id]]
        answered, total = self.counts()
        return Progress(domain.title, in_domain.index(ident) + 1, len(in_domain), answered, total)

    def unanswered(self) -> list[str]:
        applicable = self.applicable()
        return [i for i in self.order if applicable[i] and self.answer_of(i) is None]
