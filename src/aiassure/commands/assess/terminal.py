"""The questionnaire on a terminal or a pipe: line input and output, the atomic draft store, one run's dialogue."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sys
import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import click

from ...assessments.draft import Draft
from ...assessments.model import Answer, EvidenceItem
from ...assessments.prompts import (
    answer_hint,
    evidence_note,
    help_lines,
    intake_fields,
    needs_evidence,
    question_lines,
    show_answer,
)
from ...assessments.questionnaire import Questionnaire
from ...assessments.replies import ReplyError, evidence_item, parse_date, read_field, read_reply
from ...assessments.result import to_result
from ...assessments.validate import load_submission
from ...errors import AiassureError
from ...fsutil import write_atomic
from ...rubrics.loader import RubricLibrary
from ...rubrics.model import Criterion
from ..common import render_table, shown, stdout_console, summary_lines


class Terminal:
    """Line input and output: colour and readline line editing on a terminal, plain text on a pipe."""

    def __init__(self) -> None:
        on_terminal = sys.stdout.isatty()
        self.colour = on_terminal and not os.environ.get("NO_COLOR")
        self.width = shutil.get_terminal_size().columns if on_terminal else None  # piped output stays unwrapped
        stdin = sys.stdin
        self.interactive = stdin is not None and stdin.isatty()
        if self.interactive:
            with contextlib.suppress(ImportError):  # absent on some platforms: input() then works without editing
                import readline  # noqa: F401  (gives input() line editing and history)

    def say(self, text: str = "", **style: Any) -> None:
        text = "\n".join(shown(line) for line in text.split("\n"))  # the rubric's and the answers' text
        click.echo(click.style(text, **style) if self.colour and style else text, color=self.colour)

    def block(self, line: str, **style: Any) -> None:
        """A line of a question, wrapped to the terminal's width with a hanging indent."""
        body = line.lstrip(" ")
        lead = line[: len(line) - len(body)]
        if self.width is None or len(line) < self.width:
            self.say(line, **style)
            return
        for part in textwrap.wrap(body, self.width - 1, initial_indent=lead, subsequent_indent=lead + "  "):
            self.say(part, **style)

    def warn(self, text: str) -> None:
        self.say(f"  ✗ {text}", fg="yellow")

    def ask(self, prompt: str) -> str:
        """One line from standard input; EOFError when it is closed."""
        if sys.stdin is None:
            raise EOFError
        line = input(shown(prompt))
        if not self.interactive:  # a piped answer is not echoed by a terminal: show it, so logs read like a session
            click.echo(shown(line))
        return line


class Store:
    """Saves the draft atomically, and refuses to overwrite a file that someone else changed meanwhile."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.digest = self._digest_on_disk()
        self.saved_answers = 0

    def _digest_on_disk(self) -> str | None:
        try:
            return hashlib.sha256(self.path.read_bytes()).hexdigest()
        except FileNotFoundError:
            return None

    def save(self, draft: Draft, what: str) -> None:
        on_disk = self._digest_on_disk()
        if on_disk is not None and on_disk != self.digest:
            raise AiassureError(
                f"{self.path} was changed by another program during this session, so it was not overwritten "
                f"and {what} was not saved; run the command again to continue from the file as it is now"
            )
        text = draft.render()
        write_atomic(self.path, text)
        self.digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        self.saved_answers = draft.answered


class Session:
    """One run of the questionnaire: the subject, then the questions, then the summary."""

    def __init__(self, draft: Draft, questionnaire: Questionnaire, store: Store, terminal: Terminal) -> None:
        self.draft = draft
        self.rubric = draft.rubric
        self.questions = questionnaire
        self.store = store
        self.term = terminal
        self.announced_second_round = False

    # -- the subject --------------------------------------------------------------------------

    def intake(self) -> None:
        say = self.term.say
        say(f"About the {self.rubric.model.subject} assessed (Enter keeps the value in brackets)", bold=True)
        for spec in intake_fields(self.rubric.model.subject):
            current = self.draft.get(spec.key)
            if spec.choices:
                self.term.block(
                    "  " + "  ".join(f"{n}) {choice}" for n, choice in enumerate(spec.choices, 1)), dim=True
                )
            shown = current.isoformat() if isinstance(current, date) else current
            prompt = f"{spec.prompt}" + (f" [{shown}]" if shown else "") + ": "
            while True:
                try:
                    self.draft.set(spec.key, read_field(spec, self.term.ask(prompt), current))
                    break
                except ReplyError as problem:
                    self.term.warn(str(problem))
        self.ask_assessors()
        self.store.save(self.draft, "the subject")

    def ask_assessors(self) -> None:
        assessors = self.draft.assessors
        if assessors:
            listed = ", ".join(a["name"] + (f" ({a['role']})" if a.get("role") else "") for a in assessors)
            self.term.say(f"Assessors so far: {listed}; add more, or press Enter")
        while name := self.term.ask("Assessor's name (Enter when done): ").strip():
            role = self.term.ask(f"  {name}'s role (Enter to leave blank): ").strip()
            assessors.append({"name": name, **({"role": role} if role else {})})

    # -- the criteria -------------------------------------------------------------------------

    def run(self) -> bool:
        """Ask until nothing is left; False when the user chose to save and quit."""
        while (ident := self.questions.current()) is not None:
            if not self.ask(ident):
                return False
        return True

    def ask(self, ident: str) -> bool:
        criterion = self.rubric.criteria[ident]
        questions = self.questions
        say = self.term.say
        if questions.second_offer(ident) and not self.announced_second_round:
            self.announced_second_round = True
            say()
            say(
                f"Back to the question(s) you skipped: {', '.join(questions.deferred)} (s leaves one for the next run)",
                bold=True,
            )
        previous = questions.answer_of(ident)
        self.show(criterion, previous)
        while True:
            try:
                reply = read_reply(criterion, self.rubric, self.term.ask(f"{ident}> "), has_answer=previous is not None)
            except ReplyError as problem:
                self.term.warn(str(problem))
                continue
            if reply.kind == "help":
                for line in help_lines(criterion, self.rubric):
                    self.term.block(f"  {line}", fg="cyan")
                continue
            if reply.kind == "back":
                if questions.back(ident) is None:
                    self.term.warn("this is the first question (use --review to change the subject)")
                    continue
                return True
            if reply.kind == "quit":
                return False
            if reply.kind == "skip":
                questions.skip(ident)
                return True
            if reply.kind == "keep":
                questions.keep(ident)
                return True
            kept = self.draft.answers.get(ident) or Answer(None)  # its notes, owner and evidence carry over
            if reply.kind == "na":
                answer = self.ask_na(kept)
            else:
                answer = Answer(
                    reply.value,
                    notes=kept.notes,
                    owner=kept.owner,
                    evidence=self.ask_evidence(criterion, reply.value, kept),
                )
            change = questions.record(ident, answer)
            self.store.save(self.draft, f"the answer to {ident}")
            if change.now_apply:
                say(f"  now asked as well: {', '.join(change.now_apply)}", fg="cyan")
            if change.no_longer_apply:
                say(f"  no longer applies: {', '.join(change.no_longer_apply)}", fg="cyan")
            return True

    def show(self, criterion: Criterion, previous: Answer | None) -> None:
        term = self.term
        term.say()
        term.say(f"── {self.questions.progress(criterion.id)} ──", dim=True)
        lines = question_lines(criterion, self.rubric)
        term.block(f"{criterion.id}  {lines[0]}", bold=True)
        for line in lines[1:]:
            for part in line.splitlines():
                term.block(part if part.startswith("  ") else f"  {part}")
        if previous is not None:
            term.say(f"  current answer: {show_answer(criterion, self.rubric, previous)} (Enter keeps it)", fg="cyan")
        term.block(
            f"  answer: {answer_hint(criterion, self.rubric)} · ? help · b back · s skip · q save and quit", dim=True
        )

    def ask_na(self, kept: Answer) -> Answer:
        reason = ""
        while not reason:
            default = f" [{kept.reason}]" if kept.reason else ""
            reason = self.term.ask(f"  Why does it not apply here?{default} ").strip() or (kept.reason or "")
            if not reason:
                self.term.warn("an `na` needs a reason")
        default = f" [{kept.approved_by}]" if kept.approved_by else ""
        approved = self.term.ask(f"  Who approved that (name, role)?{default} ").strip() or kept.approved_by
        return Answer(
            None,
            na=True,
            reason=reason,
            approved_by=approved or None,
            notes=kept.notes,
            owner=kept.owner,
            evidence=kept.evidence,
        )

    def ask_evidence(self, criterion: Criterion, value: Any, kept: Answer) -> tuple[EvidenceItem, ...]:
        items = list(kept.evidence)
        if not needs_evidence(criterion, value, self.rubric):
            return tuple(items)
        say = self.term.say
        recency = criterion.evidence_max_age_days
        dated = (
            f", dated within {recency} days before {self.draft.assessed_on.isoformat()}" if recency is not None else ""
        )
        say(f"  This level needs evidence (from level {criterion.evidence_from} up{dated}).", fg="cyan")
        if items:
            for item in items:
                say(f"  - {item.title}: {item.url or item.path}" + (f" ({item.date.isoformat()})" if item.date else ""))
            if self.term.ask(f"  Keep the {len(items)} item(s) above? [Y/n] ").strip().lower() in ("n", "no"):
                items = []
        folder = self.store.path.resolve().parent
        while title := self.term.ask("  Evidence title (Enter when done): ").strip():
            while True:
                try:
                    item = evidence_item(title, self.term.ask(f"  Link (https://...) or path relative to {folder}: "))
                    break
                except ReplyError as problem:
                    self.term.warn(str(problem))
            if item.path is not None and not (folder / item.path).is_file():
                self.term.warn(f"{item.path} is not in {folder} yet; `aiassure validate` will warn until it is")
            if recency is not None:
                item = item.model_copy(update={"date": self._ask_date()})
            items.append(item)
        note = evidence_note(criterion, Answer(value, evidence=tuple(items)), self.draft.assessed_on)
        if note:
            self.term.warn(note)
        return tuple(items)

    def _ask_date(self) -> date | None:
        while True:
            text = self.term.ask("  Date of the document (YYYY-MM-DD; Enter if undated): ").strip()
            if not text:
                return None
            try:
                return parse_date(text)
            except ReplyError as problem:
                self.term.warn(str(problem))

    # -- the end --------------------------------------------------------------------------------

    def summary(self, library: RubricLibrary, max_bytes: int) -> None:
        say = self.term.say
        path = self.store.path
        left = self.questions.unanswered()
        say()
        if left:
            say(
                f"{len(left)} question(s) still unanswered: {', '.join(left)}; run the same command to answer them",
                fg="yellow",
            )
        else:
            say(f"Every question that applies is answered ({self.draft.answered} answers in {path}).", fg="green")
        result = to_result(load_submission(path, library, max_bytes=max_bytes))
        if self.term.colour:
            render_table(result, stdout_console())
        else:
            for line in summary_lines(result):
                say(line)
        say(f"Make the report: aiassure report {path} -o DIR", bold=True)
        say("To change answers later, run the same command with --review.", dim=True)
