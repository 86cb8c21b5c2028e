"""Diagnostics with stable codes and source positions, and the error hierarchy the CLI maps to exit codes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .codes import ExitCode as ExitCode  # re-exported: ExitCode is declared in the catalogue of codes

# Control characters (C0, DEL, C1 with U+0085), zero-width and bidirectional marks and overrides,
# and the line and paragraph separators: printed raw they could rewrite a terminal line, start a
# line of their own or make a hostile file name read as something else.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with control, bidi and line-separator characters shown as escapes: the one escaping
    of everything aiassure prints to a terminal (diagnostics, tables, summaries, file names)."""
    return _UNPRINTABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


# A code span as Markdown writes it (`aiassure validate FILE`): messages, hints and help are
# written once, for the Markdown, HTML and SARIF outputs and the terminal alike.
_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def terminal_text(text: str) -> str:
    """Text written with Markdown code spans as a terminal shows it, the backticks left out
    (`na` -> na): the one conversion of diagnostics, error messages and `--help` (cli.py); the
    outputs that read Markdown keep the spans as code."""
    return _CODE_SPAN.sub(r"\1", text)


Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Location:
    """Where in which file a diagnostic points: 1-based line and column."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}:{self.column or 1}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One error or warning about an input, carrying a stable code like sqlfluff's."""

    code: str
    message: str
    location: Location
    path: str = ""  # dotted path inside the document, e.g. answers.gov-01.level
    severity: Severity = "error"
    hint: str = ""  # what to do about it

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_error(self) -> Diagnostic:
        return Diagnostic(self.code, self.message, self.location, self.path, "error", self.hint)

    def format(self) -> str:
        """The diagnostic as the terminal shows it (`terminal_text`, `printable`)."""
        where = f" ({printable(self.path)})" if self.path else ""
        message = printable(terminal_text(self.message))
        text = f"{printable(str(self.location))}: {self.severity} {self.code}{where}: {message}"
        if self.hint:
            text += f"\n    hint: {printable(terminal_text(self.hint))}"
        return text

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.location.file, self.location.line or 0, self.location.column or 0, self.code)


class AiassureError(Exception):
    """Base of every error aiassure raises on purpose; the CLI turns it into an exit code."""

    exit_code: ExitCode = ExitCode.INVALID

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.diagnostics = sorted(diagnostics or [], key=Diagnostic.sort_key)


class InputError(AiassureError):
    """A file the user gave is invalid: the diagnostics say where and why."""


class NotFoundError(AiassureError):
    """Something named by the user (a rubric, a subject, a file) does not exist."""


class ChecksFailed(AiassureError):
    """Some inputs failed their checks (exit 1). Each was reported as it was found and the command
    printed its summary, so there is nothing more to say."""

    def __init__(self) -> None:
        super().__init__("")


class UsageError(AiassureError):
    """The command line is wrong (exit 2)."""

    exit_code = ExitCode.USAGE


class RegistryError(AiassureError):
    """The registry could not be opened, migrated or written."""
