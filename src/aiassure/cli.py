"""The `aiassure` command line: a click group that wires commands and maps errors to exit codes."""

from __future__ import annotations

import contextlib
import errno
import importlib
import importlib.util
import io
import re
import sys
import warnings
from collections.abc import Iterator
from typing import Any, TextIO

import click

from . import __version__
from .clock import CALENDAR_KEY, DEFAULT_ROUND_MARGIN, MAX_ROUND_MARGIN, calendar
from .codes import ExitCode
from .errors import AiassureError, ChecksFailed, printable, terminal_text
from .plugins import COMMANDS as COMMAND_PLUGINS
from .plugins import Plugin, PluginWarning, discover

# command name -> module under aiassure.commands exposing `command`; imported only when used.
COMMANDS = {
    "rubrics": "rubrics",
    "schema": "schema",
    "init": "init",
    "assess": "assess",
    "validate": "validate",
    "score": "score",
    "report": "report",
    "templates": "templates",
    "diff": "diff",
    "export": "export",
    "import": "import_",
    "registry": "registry",
    "portfolio": "portfolio",
    "demo": "demo",
    "serve": "serve",
    "submit": "submit",
    "admin": "admin",
    "waivers": "waivers",
}


class TerminalFormatter(click.HelpFormatter):
    """`--help` as the terminal shows it: help texts are written with Markdown code spans, whose
    backticks are left out before the text is wrapped (`terminal_text`)."""

    def write_text(self, text: str) -> None:
        # click's own write_text, given the text without backticks (not called through super(): the
        # atomic-writer scan of tests/hostile/test_writes.py flags every `.write_text(` call)
        indent = " " * self.current_indent
        wrapped = click.formatting.wrap_text(
            terminal_text(text), self.width, initial_indent=indent, subsequent_indent=indent, preserve_paragraphs=True
        )
        self.write(wrapped)
        self.write("\n")

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(terminal_text(term), terminal_text(text)) for term, text in rows], col_max, col_spacing)


class TerminalContext(click.Context):
    formatter_class = TerminalFormatter


def _with_terminal_help(command: click.Command) -> click.Command:
    """`command`, and every subcommand of it, formatting its `--help` with TerminalFormatter."""
    command.context_class = TerminalContext
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _with_terminal_help(sub)
    return command


class Cli(click.Group):
    """Loads command modules lazily (plugins' too) and turns aiassure's errors into messages and exit codes."""

    context_class = TerminalContext

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*_builtin_commands(), *(plugin.name for plugin in _plugin_commands())]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        module = COMMANDS.get(name)
        if module is not None:
            if not _available(module):
                return None
            command: click.Command = importlib.import_module(f"aiassure.commands.{module}").command
            return _with_terminal_help(command)
        plugin = next((p for p in _plugin_commands() if p.name == name), None)
        loaded = plugin.load_as(click.Command, "a click command") if plugin is not None else None
        return _with_terminal_help(loaded) if loaded is not None else None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The built-in commands, each with the whole summary its module's docstring gives, wrapped
        rather than cut (read from the source: importing every command module, and what they
        import, would cost more than the rest of the start-up together), then the plugins' by name
        and package: listing them imports no plugin."""
        builtin = _builtin_commands()
        with formatter.section("Commands"):
            formatter.write_dl([(name, summary(f"aiassure.commands.{COMMANDS[name]}")) for name in builtin])
        plugins = _plugin_commands()
        if plugins:
            with formatter.section("Commands from plugins"):
                formatter.write_dl([(p.name, f"from {p.ref} (aiassure {p.name} --help)") for p in plugins])

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))
        _prepare_streams()
        try:
            with _plugin_warnings_shown():
                returned = super().invoke(ctx)
            if sys.stdout is not None:
                sys.stdout.flush()  # a full disk shows here, not as Python's complaint at exit
            return returned
        except AiassureError as exc:
            if debug and not isinstance(exc, ChecksFailed):  # a failed check is no bug to trace
                raise
            from .commands.common import echo_diagnostics

            if exc.diagnostics:
                echo_diagnostics(exc.diagnostics)
            prefix = "usage error" if exc.exit_code == ExitCode.USAGE else "error"
            if exc.message and (not exc.diagnostics or exc.exit_code == ExitCode.USAGE):
                click.echo(f"{prefix}: {printable(terminal_text(exc.message))}", err=True)
            ctx.exit(int(exc.exit_code))
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("\ninterrupted", err=True)
            ctx.exit(int(ExitCode.INTERRUPTED))
        except BrokenPipeError:
            # The reader went away (`| head`): nothing to tell it, and nothing more to write.
            _silence_stdout()
            ctx.exit(int(ExitCode.INVALID))
        except Exception as exc:
            if isinstance(exc, OSError) and _stdout_failed():
                _silence_stdout()
                with contextlib.suppress(OSError):
                    click.echo(f"error: cannot write standard output: {exc.strerror or exc}", err=True)
                ctx.exit(int(ExitCode.INVALID))
            if debug:
                raise
            click.echo(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in aiassure. Rerun with --debug for the traceback and report it.",
                err=True,
            )
            ctx.exit(int(ExitCode.INTERNAL))


class _Output(io.FileIO):
    """Standard output's descriptor, remembering whether writing to it failed (a full disk, a
    closed pipe), so that the failure is told apart from any other OSError; once it has been
    reported, what is still buffered is dropped instead of failing again at exit."""

    failed = False
    discard = False

    def write(self, data: Any) -> int:
        if self.discard:
            return len(data)
        try:
            return super().write(data)
        except OSError:
            self.failed = True
            raise


class _ClosedOutput(io.RawIOBase):
    """Standard output when the process was started without one (`>&-`): writing is an error, as
    it would be on a closed descriptor."""

    failed = False
    discard = False

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self.discard:
            return len(data)
        self.failed = True
        raise OSError(errno.EBADF, "it is closed")


def _prepare_streams() -> None:
    """Text that the locale cannot encode (an ASCII terminal) is written as backslash escapes
    instead of stopping the command; standard output is watched for a failed write; a missing
    one fails when written to. Streams that are not the process's own (tests) are left alone."""
    if sys.stderr is not None and isinstance(sys.stderr, io.TextIOWrapper):
        with contextlib.suppress(ValueError, OSError):
            sys.stderr.reconfigure(errors="backslashreplace")
    if sys.stdout is None:
        raw: io.RawIOBase = _ClosedOutput()
        encoding, line_buffering = "utf-8", False
    elif sys.stdout is sys.__stdout__ and isinstance(sys.stdout, io.TextIOWrapper):
        try:
            sys.stdout.flush()
            raw = _Output(sys.stdout.fileno(), "w", closefd=False)
        except (OSError, ValueError):
            return
        encoding, line_buffering = sys.stdout.encoding, sys.stdout.line_buffering
    else:
        if isinstance(sys.stdout, io.TextIOWrapper):
            with contextlib.suppress(ValueError, OSError):
                sys.stdout.reconfigure(errors="backslashreplace")
        return
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(raw), encoding=encoding, errors="backslashreplace", line_buffering=line_buffering
    )


def _watched() -> _Output | _ClosedOutput | None:
    raw = getattr(getattr(sys.stdout, "buffer", None), "raw", None)
    return raw if isinstance(raw, (_Output, _ClosedOutput)) else None


def _stdout_failed() -> bool:
    """Whether the OSError being handled came from writing standard output."""
    watched = _watched()
    return watched is not None and watched.failed


def _silence_stdout() -> None:
    """Nothing more is written to standard output, so the interpreter's final flush has nothing to
    complain about."""
    watched = _watched()
    if watched is not None:
        watched.discard = True


def _builtin_commands() -> list[str]:
    return [name for name, module in COMMANDS.items() if _available(module)]


def _plugin_commands() -> list[Plugin]:
    """The plugins' commands; a built-in command of the same name wins (docs/plugins.md)."""
    return [plugin for plugin in discover(COMMAND_PLUGINS) if plugin.name not in COMMANDS]


@contextlib.contextmanager
def _plugin_warnings_shown() -> Iterator[None]:
    """A plugin left out is said on standard error as `warning: plugin <package> <version> ...`, every
    time; other Python warnings are shown as Python shows them."""
    with warnings.catch_warnings():
        warnings.simplefilter("always", PluginWarning)
        show_others = warnings.showwarning

        def show(
            message: Warning | str,
            category: type[Warning],
            filename: str,
            lineno: int,
            file: TextIO | None = None,
            line: str | None = None,
        ) -> None:
            if issubclass(category, PluginWarning):
                click.echo(f"warning: {message}", err=True)
            else:
                show_others(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield


def _available(module: str) -> bool:
    return importlib.util.find_spec(f"aiassure.commands.{module}") is not None


# A command module's docstring opens with its usage in backquotes, then a colon: "`aiassure score
# FILE...`: results as a readable table or as JSON."
USAGE_PREFIX = re.compile(r"^`[^`]*`:\s*")
DOCSTRING = re.compile(r'^\s*(?:#[^\n]*\n\s*)*[rRuU]?("""|\'\'\')(.*?)\1', re.DOTALL)


def summary(module: str) -> str:
    """What a command module's docstring says it does (its first line, usage left out), read from
    its source without importing it; imported when its source cannot be read."""
    spec = importlib.util.find_spec(module)
    text: str | None = None
    if spec is not None and spec.origin and spec.origin.endswith(".py"):
        try:
            with open(spec.origin, encoding="utf-8") as source:
                found = DOCSTRING.match(source.read(4096))
            text = found.group(2) if found else None
        except OSError:
            text = None
    if text is None:
        text = importlib.import_module(module).__doc__ or ""
    first = " ".join(text.strip().split("\n\n")[0].split())
    plain = USAGE_PREFIX.sub("", first)
    return plain[:1].upper() + plain[1:]


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--debug", is_flag=True, help="Show tracebacks instead of short messages.")
@click.option(
    "--today",
    metavar="YYYY-MM-DD",
    help="Take this as today's date (else AIASSURE_TODAY, else the date in Europe/London): what rounds and "
    "assessed_on are checked against, the portfolio's default round, and which --waivers are in force.",
)
@click.option(
    "--round-margin",
    type=click.IntRange(0, MAX_ROUND_MARGIN),
    metavar="N",
    help=f"How many rounds assessed_on may lie from its round (else AIASSURE_ROUND_MARGIN, else "
    f"{DEFAULT_ROUND_MARGIN}).",
)
@click.version_option(__version__, prog_name="aiassure")
@click.pass_context
def main(ctx: click.Context, debug: bool, today: str | None, round_margin: int | None) -> None:
    """Assure AI in health and care: score AI technologies and organisations' readiness on the
    safe, ethical and effective pillars, report on them and monitor them nationally.

    Exit codes: 0 ok, 1 invalid input or failed check, 2 usage error, 3 internal error, 130
    interrupted."""
    # "Today" is read here, once per command, and handed down (commands.common.calendar).
    try:
        ctx.meta[CALENDAR_KEY] = calendar(today, round_margin)
    except ValueError as exc:
        raise click.UsageError(str(exc), ctx) from None


if __name__ == "__main__":
    main()
