"""Options and output shared by the commands: folders, limits, the registry, diagnostics, progress, score tables."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..clock import Calendar
from ..errors import Diagnostic, UsageError, printable
from ..source import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    from rich.console import Console

    from ..assessments.result import OverallScore, Result, ScopeScore
    from ..assessments.waivers import Waiver

T = TypeVar("T")


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _folders_option(flag: str, name: str, help_text: str) -> Decorator:
    """A repeatable option naming existing folders, giving `name: tuple[Path, ...]`."""
    return click.option(
        flag, name, multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path), help=help_text
    )


class Group(click.Group):
    """A group of subcommands whose `--help` lists each one with its whole summary (the first
    sentence of its help), wrapped to the terminal, where click would cut it to fit one line.
    Its subgroups are made of the same class."""

    group_class = type

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            sub = self.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                rows.append((name, sub.get_short_help_str(limit=sys.maxsize)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class AliasedOption(click.Option):
    """An option that also answers to older spellings (`--out` for `--output`), kept so that
    scripts written against them go on working, but left out of `--help` and of messages, so that
    each option has one spelling across commands."""

    def __init__(self, *args: Any, hidden_aliases: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hidden_aliases = hidden_aliases

    @contextlib.contextmanager
    def _shown_opts(self) -> Iterator[None]:
        opts = self.opts
        self.opts = [opt for opt in opts if opt not in self.hidden_aliases]
        try:
            yield
        finally:
            self.opts = opts

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        with self._shown_opts():
            return super().get_help_record(ctx)

    def get_error_hint(self, ctx: click.Context | None) -> str:
        with self._shown_opts():
            return super().get_error_hint(ctx)


def output_option(
    name: str,
    help_text: str,
    *,
    required: bool = False,
    file: bool = True,
    folder: bool = False,
    default: Path | None = None,
    hidden_aliases: tuple[str, ...] = (),
) -> Decorator:
    """`-o`/`--output`, what a command writes (a file, a folder or either), giving `name: Path`;
    the same spelling in every command, older ones in `hidden_aliases`."""
    # A default of None given to click (8.3 and later) counts as a value, so that `required` would
    # never fire: only a real default is passed.
    extra: dict[str, Any] = {} if default is None else {"default": default, "show_default": True}
    return click.option(
        "-o",
        "--output",
        *hidden_aliases,
        name,
        cls=AliasedOption,
        hidden_aliases=hidden_aliases,
        required=required,
        type=click.Path(file_okay=file, dir_okay=folder, path_type=Path),
        help=help_text,
        **extra,
    )


def out_dir_option(help_text: str, default: Path | None = None, hidden_aliases: tuple[str, ...] = ()) -> Decorator:
    """`-o`/`--output`: the folder a command writes into, giving `out_dir: Path`; required unless
    there is a `default`."""
    return output_option(
        "out_dir",
        help_text,
        required=default is None,
        file=False,
        folder=True,
        default=default,
        hidden_aliases=hidden_aliases,
    )


# What `--format` calls the output meant for a person (a table, a tree, lines of text) in every
# command: `text`. `table`, which some commands called it before, is still accepted.
HUMAN_FORMAT = "text"
FORMAT_ALIASES = {"table": HUMAN_FORMAT}


class FormatChoice(click.Choice):  # type: ignore[type-arg]
    """The values of `--format`; an old name of a value is taken as the value it names, and not listed."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value in FORMAT_ALIASES and FORMAT_ALIASES[value] in self.choices:
            value = FORMAT_ALIASES[value]
        return super().convert(value, param, ctx)


def format_option(*choices: str, help_text: str | None = None) -> Decorator:
    """`--format`, one of `choices` (the first is the default), giving `fmt: str`."""
    return click.option(
        "--format", "fmt", type=FormatChoice(list(choices)), default=choices[0], show_default=True, help=help_text
    )


# The most any numeric option takes: past these a value is a mistake (a usage error, exit 2), not
# a request for a million processes or a terabyte of YAML.
MAX_JOBS = 256
MAX_INPUT_BYTES = 1024**3


def jobs_option(default: int = 1, shown: str | None = None) -> Decorator:
    """`--jobs`/`-j`: worker processes (1..MAX_JOBS), giving `jobs: int`; `shown` says the default in words."""
    return click.option(
        "--jobs",
        "-j",
        type=click.IntRange(1, MAX_JOBS),
        default=default,
        show_default=shown or True,
        help="Worker processes.",
    )


def calendar() -> Calendar:
    """The command's calendar: made once by the `aiassure` group from --today, --round-margin and
    their environment variables (a command invoked on its own makes it here, once)."""
    from ..clock import CALENDAR_KEY
    from ..clock import calendar as make

    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx is not None else None
    if root is not None and isinstance(root.meta.get(CALENDAR_KEY), Calendar):
        found: Calendar = root.meta[CALENDAR_KEY]
        return found
    try:
        made = make()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if root is not None:
        root.meta[CALENDAR_KEY] = made
    return made


def round_option(help_text: str = "Only this round.") -> Decorator:
    """`--round YYYY-Qn`, giving `round_: str | None`."""
    return click.option("--round", "round_", metavar="YYYY-Qn", help=help_text)


def rubric_option(help_text: str = "Only this rubric (and major version).") -> Decorator:
    """`--rubric ID[@MAJOR]`, giving `rubric: str | None`."""
    return click.option("--rubric", metavar="ID[@MAJOR]", help=help_text)


all_option = click.option("--all", "include_superseded", is_flag=True, help="Include superseded submissions (history).")


rubric_dir_option = _folders_option(
    "--rubric-dir",
    "rubric_dirs",
    "Folder of rubric files searched before the built-in library (repeatable; also AIASSURE_RUBRIC_PATH).",
)
template_dir_option = _folders_option(
    "--template-dir",
    "template_dirs",
    "Folder of templates searched before the built-in ones (repeatable); see `aiassure templates scaffold`.",
)


def template_limit_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """`--template-timeout SECONDS` and `--template-max-bytes N`, the bounds on rendering a
    --template-dir template, giving `template_timeout: float` and `template_max_bytes: int`."""
    from ..reports.limits import DEFAULT_TEMPLATE_MAX_BYTES, DEFAULT_TEMPLATE_SECONDS

    func = click.option(
        "--template-max-bytes",
        type=click.IntRange(min=1),
        default=DEFAULT_TEMPLATE_MAX_BYTES,
        show_default=True,
        help="Stop a --template-dir template that writes more than this (exit 1).",
    )(func)
    return click.option(
        "--template-timeout",
        metavar="SECONDS",
        type=click.FloatRange(min=0, min_open=True, max=86400),
        default=DEFAULT_TEMPLATE_SECONDS,
        show_default=True,
        help="Stop a --template-dir template that renders for longer than this (exit 1).",
    )(func)


max_bytes_option = click.option(
    "--max-bytes",
    type=click.IntRange(1, MAX_INPUT_BYTES),
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="Refuse input files larger than this.",
)


waivers_option = click.option(
    "--waivers",
    "waivers_file",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A waiver file (docs/waivers.md): its approved waivers in force today apply, and each result carries "
    "its unwaived scores beside.",
)


def read_waivers(
    path: Path | None, rubric_dirs: Iterable[Path] = (), max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[Waiver, ...]:
    """The waivers of a --waivers FILE, as a tuple (none without one): its warnings are shown; an
    error stops the command (InputError, exit 1) before anything is scored."""
    if path is None:
        return ()
    from ..assessments.waivers import load_waivers
    from ..rubrics.loader import RubricLibrary

    found = load_waivers(path, RubricLibrary(list(rubric_dirs)), max_bytes=max_bytes)
    echo_diagnostics(found.warnings)
    return found.waivers


def db_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db",
        metavar="URL",
        default=None,
        help="The registry: sqlite:///PATH (or just PATH) or postgresql+psycopg://USER:PASSWORD@HOST/DB. "
        "Default: AIASSURE_DB, else sqlite:///aiassure.db.",
    )(func)


def shown(value: object) -> str:
    """A value (a name, a file name, a note) as printed to a terminal: control, bidi and line
    separator characters escaped, as diagnostics are (`errors.printable`)."""
    return printable("" if value is None else str(value))


def add_row(table: Any, *values: object) -> None:
    """A row of a rich table, each value escaped like `shown` (a Text, styled by us, as it is); with
    `stdout_console`'s markup off, `[bold]` in a value is printed as typed."""
    from rich.text import Text

    table.add_row(*(value if isinstance(value, Text) else shown(value) for value in values))


@dataclass(frozen=True)
class Column:
    """A column of a table made to fit the terminal (`fitted_table`)."""

    name: str
    drop: int = 0  # 0: always shown; else, when the terminal is too narrow, the highest is left out first
    wrap: bool = False  # cells may wrap at spaces (names, titles); else each stays whole on one line (ids, figures)
    right: bool = False
    min_width: int = 10  # the narrowest a wrapping column is made


# What a column of a rich table with the default box takes besides its cells: a padding space on
# each side and one border; and the table's own left border.
COLUMN_FRAME = 3
TABLE_FRAME = 1
LONG_WORD = 20


def fitted_table(
    columns: list[Column], rows: list[list[str]], width: int, title: str | None = None
) -> tuple[Any, list[str]]:
    """A rich table of `rows` (values as `shown` prints them) no wider than `width`, and the
    names of the columns left out to make it so, the highest `drop` first. An id is never cut to
    fit: a column that does not wrap is at least as wide as its widest cell, and at a width that
    not even the columns always shown fit in, an overlong value folds onto the next line instead of
    ending in an ellipsis."""
    from rich.cells import cell_len
    from rich.table import Table

    cells = [[shown(value) for value in row] for row in rows]

    def widest(index: int) -> int:
        return max(cell_len(text) for text in [columns[index].name, *(row[index] for row in cells)])

    def needed(index: int) -> int:
        column = columns[index]
        if not column.wrap:
            return widest(index)
        # Wide enough for every word up to LONG_WORD, so that a name or a title wraps between
        # words; a longer word (a path) folds: wrapping columns hold no ids.
        texts = [column.name, *(row[index] for row in cells)]
        longest = max(min(cell_len(word), LONG_WORD) for text in texts for word in text.split() or [""])
        return min(widest(index), max(column.min_width, longest))

    widths = {index: needed(index) for index in range(len(columns))}
    shown_columns = list(range(len(columns)))
    left_out: list[str] = []

    def total() -> int:
        return TABLE_FRAME + sum(widths[i] + COLUMN_FRAME for i in shown_columns)

    while total() > width:
        droppable = [i for i in shown_columns if columns[i].drop > 0]
        if not droppable:
            break
        victim = max(droppable, key=lambda i: (columns[i].drop, i))
        shown_columns.remove(victim)
        left_out.append(columns[victim].name)
    # A column left out early may fit again once a wider, more valued one has gone too.
    for name in reversed(list(left_out)):
        index = next(i for i, column in enumerate(columns) if column.name == name)
        if total() + widths[index] + COLUMN_FRAME <= width:
            shown_columns = sorted([*shown_columns, index])
            left_out.remove(name)
    # Too narrow for even the columns always shown: the widest give way, and their values fold
    # onto the next lines (the whole value still shown) rather than run off the terminal.
    squeezed: set[int] = set()
    while total() > width and max(widths[i] for i in shown_columns) > 1:
        index = max(shown_columns, key=lambda i: (widths[i], -i))
        widths[index] -= 1
        squeezed.add(index)
    # The room left goes to the wrapping columns, a character at a time to the one furthest from
    # its widest cell, so that they take fewer lines. Every width is fixed here: rich's own sharing
    # may leave a table a character wider than the terminal, which the terminal then cuts.
    spare = width - total()
    growing = [i for i in shown_columns if columns[i].wrap]
    while spare > 0 and growing:
        index = max(growing, key=lambda i: (widest(i) - widths[i], -i))
        if widest(index) <= widths[index]:
            break
        widths[index] += 1
        spare -= 1
    table = Table(title=None if title is None else shown(title), title_justify="left")
    for index in shown_columns:
        column = columns[index]
        table.add_column(
            shown(column.name),
            justify="right" if column.right else "left",
            no_wrap=not column.wrap and index not in squeezed,
            overflow="fold",
            width=widths[index],
        )
    for row in cells:
        table.add_row(*(row[index] for index in shown_columns))
    return table, left_out


def echo_left_out(left_out: list[str], width: int) -> None:
    """Say on standard error which columns a table left out to fit the terminal, and how to see them."""
    if left_out:
        click.echo(
            f"not shown at {width} columns: {', '.join(left_out)} (a wider terminal shows them; --format json has "
            "every field)",
            err=True,
        )


def registry_files(db: str | None) -> list[Path]:
    """The files of the SQLite registry that `--db` names (the database, its journal, write-ahead
    log and shared memory), in every URL form (`PATH`, `sqlite:///PATH`, `sqlite+pysqlite:///...`,
    `sqlite:///file:PATH?uri=true`, AIASSURE_DB): an output may not be one. None for PostgreSQL."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from ..registry.store import registry_url

    try:
        url = make_url(registry_url(db))
    except (ArgumentError, ValueError):
        return []
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return []
    if database.startswith("file:"):  # an SQLite URI filename: file:PATH?mode=...
        database = database.removeprefix("file:").split("?", 1)[0]
    path = Path(database)
    return [path, *(path.with_name(path.name + suffix) for suffix in ("-journal", "-wal", "-shm"))]


def folder_files(folders: Iterable[Path], suffixes: tuple[str, ...] = ()) -> list[Path]:
    """The regular files in `folders` (with one of `suffixes`, when given): inputs an output may not overwrite."""
    found = []
    for folder in folders:
        if Path(folder).is_dir():
            found += [p for p in Path(folder).rglob("*") if p.is_file() and (not suffixes or p.suffix in suffixes)]
    return found


def rubric_files(rubric_dirs: Iterable[Path] = ()) -> list[Path]:
    """Every rubric file of the search path: the given folders, AIASSURE_RUBRIC_PATH, plugins', the built-ins."""
    from ..rubrics.loader import RubricLibrary

    return folder_files(RubricLibrary(list(rubric_dirs)).dirs, (".yaml", ".yml"))


def template_files(template_dirs: Iterable[Path] = ()) -> list[Path]:
    """Every template of the search path: the given folders, then the built-in ones."""
    from ..reports.render import template_search_path

    return folder_files(template_search_path(list(template_dirs)))


def json_array_item(text: str) -> str:
    """A JSON text as an item of `echo_json_array`: indented one level more, without its final newline."""
    # One replace indents every line as joining the lines did, without a string per line (a
    # result has about 600 lines, and `score` writes thousands of results).
    return "  " + text.rstrip("\n").replace("\n", "\n  ")


def echo_json_array(items: Iterable[str]) -> None:
    """A JSON array streamed item by item (each from `json_array_item`), so memory stays flat
    however many there are; `[]` when there is none."""
    first = True
    for item in items:
        click.echo(("[\n" if first else ",\n") + item, nl=False)
        first = False
    click.echo("[]" if first else "\n]")


def err_is_tty() -> bool:
    return sys.stderr.isatty()


def echo_diagnostics(diagnostics: Iterable[Diagnostic]) -> None:
    colour = err_is_tty()
    for diagnostic in diagnostics:
        text = diagnostic.format()
        if colour:
            head, _, rest = text.partition(": ")
            style = "red" if diagnostic.is_error else "yellow"
            text = (
                click.style(head, bold=True)
                + ": "
                + click.style(rest.split("\n")[0], fg=style)
                + ("\n" + "\n".join(rest.split("\n")[1:]) if "\n" in rest else "")
            )
        click.echo(text, err=True)


def progress(items: Iterable[T], total: int, label: str) -> Iterator[T]:
    """A progress bar on a terminal for more than one item; silent when piped."""
    if total <= 1 or not err_is_tty():
        yield from items
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True, console=_stderr_console()) as bar:
        task = bar.add_task(label, total=total)
        for item in items:
            yield item
            bar.advance(task)


def _stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True)


def stdout_console() -> Console:
    """The console for tables on standard output. Markup and emoji codes are off, so that a value
    (`[bold]`, `:warning:`) is printed as typed; styles are ours, given as `style=` or Text."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False, markup=False, emoji=False)


@dataclass(frozen=True)
class ScoreSummary:
    """What `score` and `assess` show of a result, whether as a table on a terminal or as plain
    lines; every text from the submission or the rubric escaped (`shown`)."""

    title: str  # subject, round and rubric
    # (scope, id, its score, `cap_figure`): overall, pillars, domains
    rows: list[tuple[str, str, OverallScore | ScopeScore, str]]
    outcome: str
    details: str  # completeness and warnings
    gates: list[str]  # one line a failed gate: `gov-01: caps pillar safe at 1`
    actions: list[str]  # the first steps of the roadmap: `gov-01 2→3: <what to do>`
    # With waivers: each row's score without them (`1.00 1 Initial`), and one line a waiver.
    unwaived: list[str]
    waivers: list[str]

    @classmethod
    def of(cls, result: Result, uncapped: Mapping[str, float | None], actions: int = 5) -> ScoreSummary:
        """`uncapped`: every scope's score before its gate cap, as `scoring.uncapped_scores` gives it."""
        from ..assessments.scoring import cap_figure, gate_caps_text, scope_key

        subject, overall = result.subject, result.overall

        def cap(kind: str, ident: str, scope: OverallScore | ScopeScore) -> str:
            return cap_figure(uncapped.get(scope_key(kind, ident)), scope.capped_to)

        from ..assessments.waivers import waiver_line

        completeness = "n/a" if result.completeness is None else f"{result.completeness:.0%}"
        raw = result.unwaived
        unwaived: list[OverallScore | ScopeScore] = [raw.overall, *raw.pillars, *raw.domains] if raw is not None else []
        recorded = result.waivers
        return cls(
            title=shown(f"{subject.name} ({subject.code}), {result.round}: {result.rubric.id}@{result.rubric.version}"),
            rows=[
                ("overall", shown(overall.method), overall, cap("overall", "overall", overall)),
                *(("pillar", shown(p.id), p, cap("pillar", p.id, p)) for p in result.pillars),
                *(("domain", shown(d.id), d, cap("domain", d.id, d)) for d in result.domains),
            ],
            outcome=shown(result.outcome.label) if result.outcome else "no outcome",
            details=f"completeness {completeness} · {len(result.warnings)} warning(s)",
            gates=[shown(f"{g.criterion}: {gate_caps_text(g.scope, g.target, g.cap)}") for g in result.failed_gates],
            actions=[shown(f"{a.criterion} {a.from_level}→{a.to_level}: {a.action}") for a in result.actions[:actions]],
            unwaived=[_figure(scope) for scope in unwaived],
            waivers=[shown(waiver_line(w)) for w in (*recorded.applied, *recorded.not_applied)] if recorded else [],
        )


def _figure(scope: OverallScore | ScopeScore) -> str:
    """`1.50 1 Initial`, or `not assessed`."""
    return "not assessed" if scope.score is None else shown(f"{scope.score:.2f} {scope.level} {scope.label}")


def render_table(result: Result, console: Console, uncapped: Mapping[str, float | None]) -> None:
    """The score summary as a rich table (on a terminal, in colour); `uncapped` as `uncapped_scores`
    gives it, to say where a failed gate's cap changed a score."""
    from rich.table import Table
    from rich.text import Text

    summary = ScoreSummary.of(result, uncapped)
    table = Table(title=summary.title, title_justify="left", show_lines=False)
    # the last column says where a failed gate's cap changed the score: `1.75, capped to 1`
    names = ("scope", "id", "score", "level", "gate cap", *(("unwaived",) if summary.unwaived else ()))
    for name in names:
        table.add_column(name, justify="left" if name in ("scope", "id") else "right")
    for index, (kind, ident, scope, cap) in enumerate(summary.rows):
        table.add_row(
            kind,
            ident,
            "not assessed" if scope.score is None else f"{scope.score:.2f}",
            "" if scope.level is None else shown(f"{scope.level} {scope.label}"),
            cap,
            *summary.unwaived[index : index + 1],
        )
    console.print(table)
    console.print(Text.assemble("Outcome: ", (summary.outcome, "bold"), f" · {summary.details}"))
    for gate in summary.gates:
        console.print(Text.assemble(("Failed gate", "red"), f" {gate}"))
    for line in summary.waivers:
        console.print(Text.assemble(("Waiver", "bold"), f" {line}"), overflow="fold")
    for action in summary.actions:
        console.print(f"  → {action}", overflow="fold")
    console.print()


def summary_lines(result: Result, uncapped: Mapping[str, float | None]) -> list[str]:
    """The score summary in plain text, for output that is not a terminal."""
    summary = ScoreSummary.of(result, uncapped)
    lines = [f"Result for {summary.title}"]
    for index, (kind, ident, scope, cap) in enumerate(summary.rows):
        if scope.score is None:
            figure = "not assessed"
        else:
            figure = f"{scope.score:.2f} (level {scope.level} {shown(scope.label)})"
            if cap:
                figure += f": {cap} by a failed gate"
        if summary.unwaived:
            figure += f" (unwaived {summary.unwaived[index]})"
        lines.append(f"  {kind} {ident}: {figure}" if kind != "overall" else f"  overall ({ident}): {figure}")
    lines.append(f"Outcome: {summary.outcome} · {summary.details}")
    lines += [f"Failed gate {gate}" for gate in summary.gates]
    lines += [f"Waiver {line}" for line in summary.waivers]
    if summary.actions:
        lines.append("Top actions:")
        lines += [f"  {action}" for action in summary.actions]
    return lines
