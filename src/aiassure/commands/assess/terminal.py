"""The questionnaire on a terminal or a pipe: line input and output, the atomic draft store, one run's dialogue."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
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
    ASSESSOR_HELP,
    EVIDENCE_KEEP_HELP,
    EVIDENCE_LINK_HELP,
    EVIDENCE_TITLE_HELP,
    NA_APPROVER_HELP,
    NA_REASON_HELP,
    answer_hint,
    evidence_date_help,
    evidence_note,
    field_help,
    help_lines,
    intake_fields,
    needs_evidence,
    question_lines,
    show_answer,
)
from ...assessments.questionnaire import Questionnaire
from ...assessments.replies import ReplyError, evidence_item, parse_date, read_field, read_reply, step_command
from ...assessments.result import to_result
from ...assessments.scoring import evaluate, uncapped_scores
from ...assessments.validate import load_submission
from ...errors import AiassureError, terminal_text
from ...fsutil import write_atomic
from ...rubrics.loader import RubricLibrary
from ...rubrics.model import Criterion
from ..common import render_table, shown, stdout_console, summary_lines

LIST_ITEM = re.compile(r"\s*(?:[-*]|[0-9]+[.)])\s")


def reflowed(text: str) -> list[str]:
    """A rubric's guidance, written with line breaks of its own, as one line a paragraph or list
    item, for `Terminal.block` to wrap to the terminal (else its breaks and the terminal's would
    leave ragged lines); blank lines stay."""
    lines: list[str] = []
    joining = False
    for part in text.splitlines():
        if not part.strip():
            lines.append("")
            joining = False
        elif joining and not LIST_ITEM.match(part):
            lines[-1] = f"{lines[-1]} {part.strip()}"
        else:
            lines.append(part.rstrip())
            joining = True
    return lines


class _Back:
    """What a prompt for a value that may be left empty (a date) returns for `b`."""


BACK = _Back()


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
        # the rubric's and the answers' text, its Markdown code spans without their backticks
        text = "\n".join(shown(terminal_text(line)) for line in text.split("\n"))
        click.echo(click.style(text, **style) if self.colour and style else text, color=self.colour)

    def block(self, line: str, **style: Any) -> None:
        """A line of a question, wrapped to the terminal's width with a hanging indent."""
        line = terminal_text(line)  # before wrapping, which could split a code span in two
        body = line.lstrip(" ")
        lead = line[: len(line) - len(body)]
        if self.width is None or len(line) < self.width:
            self.say(line, **style)
            return
        # Lines break between words only: never inside an id at its hyphen (`primary-` / `care`).
        parts = textwrap.wrap(
            body,
            self.width - 1,
            initial_indent=lead,
            subsequent_indent=lead + "  ",
            break_on_hyphens=False,
            break_long_words=False,
        )
        for part in parts:
            self.say(part, **style)

    def menu(self, entries: list[str], **style: Any) -> None:
        """A numbered menu, as many entries a line as fit the terminal; an entry (`6) primary-care`,
        `4) North East and Yorkshire`) is never split across lines."""
        numbered = [f"{n}) {entry}" for n, entry in enumerate(entries, 1)]
        if self.width is None:
            self.say("  " + "  ".join(numbered), **style)
            return
        line = ""
        for entry in numbered:
            if line and len(line) + 2 + len(entry) > self.width - 1:
                self.say(line, **style)
                line = ""
            line = f"{line}  {entry}" if line else f"  {entry}"
        if line:
            self.say(line, **style)

    def help(self, lines: list[str]) -> None:
        for line in lines:
            self.block(f"  {line}", fg="cyan")

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

    def step(self, prompt: str, help_text: list[str]) -> str | None:
        """The reply typed at a prompt inside a step; `?` shows `help_text` and asks again; None
        for `b`, back one prompt."""
        while True:
            text = self.term.ask(prompt)
            command = step_command(text)
            if command == "help":
                self.term.help(help_text)
                continue
            return None if command == "back" else text

    def intake(self) -> None:
        say = self.term.say
        say(
            f"About the {self.rubric.model.subject} assessed (Enter keeps the value in brackets; ? help, b back)",
            bold=True,
        )
        fields = intake_fields(self.rubric.model.subject)
        index = 0
        while index <= len(fields):
            if index == len(fields):
                if self.ask_assessors():
                    break
                index -= 1  # `b` at the assessors: back to the last field
                continue
            spec = fields[index]
            current = self.draft.get(spec.key)
            if spec.choices:
                self.term.menu(list(spec.choices), dim=True)
            shown = current.isoformat() if isinstance(current, date) else current
            prompt = f"{spec.prompt}" + (f" [{shown}]" if shown else "") + ": "
            text = self.step(prompt, field_help(spec))
            if text is None:
                if index == 0:
                    self.term.warn("this is the first question about the subject")
                else:
                    index -= 1
                continue
            try:
                self.draft.set(spec.key, read_field(spec, text, current))
                index += 1
            except ReplyError as problem:
                self.term.warn(str(problem))
        self.store.save(self.draft, "the subject")

    def ask_assessors(self) -> bool:
        """Add assessors until an empty name; False when `b` asks for the question before."""
        assessors = self.draft.assessors
        if assessors:
            listed = ", ".join(a["name"] + (f" ({a['role']})" if a.get("role") else "") for a in assessors)
            self.term.say(f"Assessors so far: {listed}; add more, or press Enter")
        while True:
            name = self.step("Assessor's name (Enter when done): ", ASSESSOR_HELP)
            if name is None:
                return False
            if not (name := name.strip()):
                return True
            role = self.step(f"  {name}'s role (Enter to leave blank): ", ASSESSOR_HELP)
            if role is None:
                continue  # back to the name: this one is not added
            role = role.strip()
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
                evidence = self.ask_evidence(criterion, reply.value, kept)
                answer = (
                    None
                    if evidence is None
                    else Answer(reply.value, notes=kept.notes, owner=kept.owner, evidence=evidence)
                )
            if answer is None:  # `b` inside the answer: nothing recorded, the question is asked again
                self.term.say(f"  back to {ident}; nothing was recorded", dim=True)
                continue
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
            for part in reflowed(line) if term.width is not None else line.splitlines():
                term.block(part if part.startswith("  ") else f"  {part}")
        if previous is not None:
            term.say(f"  current answer: {show_answer(criterion, self.rubric, previous)} (Enter keeps it)", fg="cyan")
        term.block(
            f"  answer: {answer_hint(criterion, self.rubric)} · ? help · b back · s skip · q save and quit", dim=True
        )

    def ask_na(self, kept: Answer) -> Answer | None:
        """The reason and the approver of an `na`; None when `b` goes back to the question."""
        while True:
            reason = ""
            while not reason:
                default = f" [{kept.reason}]" if kept.reason else ""
                typed = self.step(f"  Why does it not apply here?{default} ", NA_REASON_HELP)
                if typed is None:
                    return None
                reason = typed.strip() or (kept.reason or "")
                if not reason:
                    self.term.warn("an `na` needs a reason")
            default = f" [{kept.approved_by}]" if kept.approved_by else ""
            approved = self.step(f"  Who approved that (name, role)?{default} ", NA_APPROVER_HELP)
            if approved is None:
                continue  # back to the reason
            return Answer(
                None,
                na=True,
                reason=reason,
                approved_by=approved.strip() or kept.approved_by or None,
                notes=kept.notes,
                owner=kept.owner,
                evidence=kept.evidence,
            )

    def ask_evidence(self, criterion: Criterion, value: Any, kept: Answer) -> tuple[EvidenceItem, ...] | None:
        """The evidence for the level an answer claims, item by item (title, link or path, and the
        date where the criterion has a recency rule); None when `b` goes back to the question."""
        items = list(kept.evidence)
        if not needs_evidence(criterion, value, self.rubric):
            return tuple(items)
        say = self.term.say
        recency = criterion.evidence_max_age_days
        assessed_on = self.draft.assessed_on
        dated = f", dated within {recency} days before {assessed_on.isoformat()}" if recency is not None else ""
        say(f"  This level needs evidence (from level {criterion.evidence_from} up{dated}).", fg="cyan")
        if items:
            for item in items:
                say(f"  - {item.title}: {item.url or item.path}" + (f" ({item.date.isoformat()})" if item.date else ""))
            keep = self.step(f"  Keep the {len(items)} item(s) above? [Y/n] ", EVIDENCE_KEEP_HELP)
            if keep is None:
                return None
            if keep.strip().lower() in ("n", "no"):
                items = []
            elif recency is not None:
                items = self._date_undated(items, criterion)
        folder = self.store.path.resolve().parent
        while True:
            title = self.step("  Evidence title (Enter when done): ", EVIDENCE_TITLE_HELP)
            if title is None:
                return None
            if not title.strip():
                break
            added = self._ask_item(title, folder, criterion)
            if added is not None:
                items.append(added)
        note = evidence_note(criterion, Answer(value, evidence=tuple(items)), assessed_on)
        if note:
            self.term.warn(note)
        return tuple(items)

    def _ask_item(self, title: str, folder: Path, criterion: Criterion) -> EvidenceItem | None:
        """One evidence item after its title: the link or path, then its date where recency
        applies; None when `b` at the link drops it (back to the title)."""
        while True:
            target = self.step(f"  Link (https://...) or path relative to {folder}: ", EVIDENCE_LINK_HELP)
            if target is None:
                return None
            try:
                item = evidence_item(title, target)
            except ReplyError as problem:
                self.term.warn(str(problem))
                continue
            if criterion.evidence_max_age_days is not None:
                when = self._ask_date("  Date of the document (YYYY-MM-DD; Enter if undated): ", criterion)
                if when is BACK:
                    continue  # back to the link
                item = item.model_copy(update={"date": when})
            if item.path is not None and not (folder / item.path).is_file():
                self.term.warn(f"{item.path} is not in {folder} yet; `aiassure validate` will warn until it is")
            return item

    def _date_undated(self, items: list[EvidenceItem], criterion: Criterion) -> list[EvidenceItem]:
        """Kept items without a date, where the criterion has a recency rule, are asked their date:
        undated, they do not count (`b` leaves one undated)."""
        dated = []
        for item in items:
            when = None
            if item.date is None:
                when = self._ask_date(f"  Date of {item.title!r} (YYYY-MM-DD; Enter if undated): ", criterion)
            dated.append(item.model_copy(update={"date": when}) if isinstance(when, date) else item)
        return dated

    def _ask_date(self, prompt: str, criterion: Criterion) -> date | None | _Back:
        while True:
            text = self.step(prompt, evidence_date_help(criterion, self.draft.assessed_on))
            if text is None:
                return BACK
            if not text.strip():
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
        answered, applicable = self.questions.counts()
        say()
        if left:
            say(
                f"{answered} of {applicable} applicable questions answered; {len(left)} question(s) still "
                f"unanswered: {', '.join(left)}; run the same command to answer them",
                fg="yellow",
            )
        else:
            say(
                f"Every question that applies is answered ({answered} of {applicable} applicable questions, "
                f"in {path}).",
                fg="green",
            )
        parsed = load_submission(path, library, max_bytes=max_bytes)
        evaluation = evaluate(parsed.rubric, parsed.answers, parsed.envelope.assessed_on)
        result, uncapped = to_result(parsed, evaluation), uncapped_scores(evaluation)
        if self.term.colour:
            render_table(result, stdout_console(), uncapped)
        else:
            for line in summary_lines(result, uncapped):
                say(line)
        say(f"Make the report: aiassure report {path} -o DIR", bold=True)
        say("To change answers later, run the same command with --review.", dim=True)
