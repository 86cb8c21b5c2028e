"""The `aiassure` command line: a click group that wires commands and maps errors to exit codes."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

import click

from . import __version__
from .errors import AiassureError, ExitCode

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
}


class Cli(click.Group):
    """Loads command modules lazily and turns aiassure's errors into messages and exit codes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, module in COMMANDS.items() if _available(module)]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        module = COMMANDS.get(name)
        if module is None or not _available(module):
            return None
        command: click.Command = importlib.import_module(f"aiassure.commands.{module}").command
        return command

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except AiassureError as exc:
            if debug:
                raise
            from .commands.common import echo_diagnostics

            if exc.diagnostics:
                echo_diagnostics(exc.diagnostics)
            prefix = "usage error" if exc.exit_code == ExitCode.USAGE else "error"
            if not exc.diagnostics or exc.exit_code == ExitCode.USAGE:
                click.echo(f"{prefix}: {exc.message}", err=True)
            ctx.exit(int(exc.exit_code))
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("\ninterrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            sys.stderr.close()
            ctx.exit(int(ExitCode.OK))
        except Exception as exc:
            if debug:
                raise
            click.echo(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in aiassure. Rerun with --debug for the traceback and report it.",
                err=True,
            )
            ctx.exit(int(ExitCode.INTERNAL))


def _available(module: str) -> bool:
    return importlib.util.find_spec(f"aiassure.commands.{module}") is not None


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--debug", is_flag=True, help="Show tracebacks instead of short messages.")
@click.version_option(__version__, prog_name="aiassure")
def main(debug: bool) -> None:
    """Assure AI in health and care: score AI technologies and organisations' readiness on the
    safe, ethical and effective pillars, report on them and monitor them nationally.

    Exit codes: 0 ok, 1 invalid input or failed check, 2 usage error, 3 internal error."""


if __name__ == "__main__":
    main()
