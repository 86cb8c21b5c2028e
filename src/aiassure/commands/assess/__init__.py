"""`aiassure assess RUBRIC -o FILE`: the guided, resumable questionnaire on a terminal or a pipe."""

from __future__ import annotations

from pathlib import Path

import click

from ...assessments.draft import Draft, load_draft
from ...assessments.model import current_round
from ...assessments.questionnaire import Questionnaire
from ...codes import ExitCode
from ...fsutil import reference_from, refuse_inputs
from ...rubrics.loader import RubricLibrary
from ..common import calendar, max_bytes_option, rubric_dir_option, rubric_files
from .terminal import Session, Store, Terminal


@click.command("assess")
@click.argument("rubric")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="The answers file (YAML): created, or resumed if it exists.",
)
@click.option("--review", is_flag=True, help="Walk through the subject and the answered questions too, to change them.")
@rubric_dir_option
@max_bytes_option
def command(rubric: str, output: Path, review: bool, rubric_dirs: tuple[Path, ...], max_bytes: int) -> None:
    """Ask RUBRIC's questions one at a time, saving the answers file (-o FILE) after every answer.

    RUBRIC is a rubric's id@version, its id (the newest version on the search path) or the path of
    a rubric file in FILE's folder or below it. FILE is created if it does not exist; if it does,
    the questionnaire resumes at its first unanswered question (--review: at the first question).

    At a question: ? help, b back, s skip, q save and quit, Enter keeps the current answer; at the
    questions about the subject and at the evidence and na prompts, ? explains and b goes back a
    step. Standard input may be piped (one reply a line). Exit codes: 0 done or saved with q, 1 invalid
    input or standard input ended early (the answers so far are saved), 2 usage error, 130
    interrupted (Ctrl-C; the answers so far are saved). docs/assess.md says more."""
    library = RubricLibrary(list(rubric_dirs))
    loaded = library.resolve(rubric)
    given_as_file = rubric.endswith((".yaml", ".yml"))
    refuse_inputs([output], [*([Path(rubric)] if given_as_file else []), *rubric_files(rubric_dirs)])
    store = Store(output)
    resuming = output.exists()
    if resuming:
        draft = load_draft(output, loaded, library, max_bytes=max_bytes)
        store.saved_answers = draft.answered
    else:
        today = calendar().today
        # a rubric given as a file is named by its path from the answers file, as `init` does
        reference = loaded.ref
        if given_as_file:
            reference = reference_from(output.absolute().parent, Path(rubric), "rubric file")
        draft = Draft.new(loaded, reference, current_round(today), today)
    questionnaire = Questionnaire(draft, review=review)
    session = Session(draft, questionnaire, store, Terminal())
    say = session.term.say
    answered, applicable = questionnaire.counts()
    if resuming:
        next_up = questionnaire.current()
        say(
            f"Resuming {output}: {answered} of {applicable} applicable questions answered"
            + (f"; next: {next_up}" if next_up else "")
            + ".",
            bold=True,
        )
    else:
        # Which questions apply depends on the answers (applies_if): say so when not all do yet.
        total = len(loaded.criteria)
        rest = "" if applicable == total else f" ({total} in the rubric; which apply depends on the answers)"
        say(f"{loaded.model.title} ({loaded.ref}): {applicable} applicable questions{rest}.", bold=True)
        say(f"Every answer is saved to {output} as soon as it is given.")
    say("At any question: ? help, b back, s skip, q save and quit. Ctrl-C stops; every answer given is kept.", dim=True)
    try:
        if review or not resuming or not draft.subject_complete:
            session.intake()
        finished = session.run()
    except KeyboardInterrupt:
        click.echo(f"\n{_saved(store)}", err=True)
        raise SystemExit(ExitCode.INTERRUPTED) from None
    except EOFError:
        click.echo(f"\nstandard input ended before the questionnaire was finished; {_saved(store)}", err=True)
        raise SystemExit(ExitCode.INVALID) from None
    if not finished:
        click.echo(_saved(store), err=True)
        return
    session.summary(library, max_bytes)


def _saved(store: Store) -> str:
    if store.digest is None:
        return "nothing was saved yet"
    return f"saved {store.saved_answers} answers to {store.path}; run the same command to resume"
