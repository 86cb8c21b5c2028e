"""One spelling per option across commands, and help that shows each command's whole summary."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from aiassure.cli import COMMANDS, main, summary
from aiassure.commands.common import AliasedOption, FormatChoice
from aiassure.errors import terminal_text

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def commands() -> Iterator[tuple[str, click.Command]]:
    """Every built-in command and subcommand, by its full name (`registry list`)."""
    ctx = click.Context(main)

    def walk(group: click.Group, prefix: str) -> Iterator[tuple[str, click.Command]]:
        for name in group.list_commands(ctx):
            if prefix == "" and name not in COMMANDS:
                continue  # a plugin's command is the plugin's business
            command = group.get_command(ctx, name)
            assert command is not None
            if isinstance(command, click.Group):
                yield from walk(command, f"{prefix}{name} ")
            else:
                yield f"{prefix}{name}", command

    yield from walk(main, "")


def options(command: click.Command) -> list[click.Option]:
    return [p for p in command.params if isinstance(p, click.Option)]


def visible_opts(option: click.Option) -> list[str]:
    hidden = option.hidden_aliases if isinstance(option, AliasedOption) else ()
    return [o for o in option.opts if o not in hidden]


def test_what_a_command_writes_is_always_dash_o_or_output() -> None:
    writers = []
    for name, command in commands():
        for option in options(command):
            shown = visible_opts(option)
            assert "--out" not in shown, name
            if "-o" in shown or "--output" in shown:
                assert shown == ["-o", "--output"], (name, shown)
                writers.append(name)
    assert {"report", "portfolio report", "portfolio export", "demo", "init", "assess", "validate"} <= set(writers)


def test_the_human_format_is_called_text_everywhere() -> None:
    for name, command in commands():
        for option in options(command):
            if option.name == "fmt" and isinstance(option.type, click.Choice):
                assert "table" not in option.type.choices, name
                if "json" in option.type.choices and name != "portfolio export":
                    assert isinstance(option.type, FormatChoice) or "text" in option.type.choices, name
                    assert "text" in option.type.choices, name


def test_out_and_format_table_still_work_but_are_not_shown() -> None:
    runner = CliRunner()
    listed = runner.invoke(main, ["rubrics", "list", "--format", "table"])
    assert listed.exit_code == 0 and "nhs-ai-readiness" in listed.stdout
    assert runner.invoke(main, ["rubrics", "list", "--format", "text"]).stdout == listed.stdout
    help_text = runner.invoke(main, ["portfolio", "export", "--help"], terminal_width=100).stdout
    assert "-o, --output PATH" in help_text and "--out " not in help_text and "--out," not in help_text
    assert "[text|json]" in runner.invoke(main, ["rubrics", "list", "--help"]).stdout
    wrong = runner.invoke(main, ["rubrics", "list", "--format", "tabel"])
    assert wrong.exit_code == 2 and "'tabel' is not one of 'text', 'json'" in wrong.stderr


@pytest.mark.parametrize("args", [["report", str(EXAMPLES / "2026-Q4" / "RX1.yaml")], ["portfolio", "report"]])
def test_a_missing_output_folder_is_a_usage_error(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "Missing option '-o' / '--output'." in result.stderr  # the hidden --out is not named


def test_portfolio_report_takes_the_hidden_out_alias(tmp_path: Path) -> None:
    database = tmp_path / "registry.db"
    runner = CliRunner()
    ingest = ["registry", "ingest", str(EXAMPLES / "2026-Q4" / "RX1.yaml"), "--db", str(database)]
    assert runner.invoke(main, ingest).exit_code == 0
    for flag, folder in (("--out", "old"), ("--output", "new")):
        args = ["portfolio", "report", flag, str(tmp_path / folder), "--format", "json", "--db", str(database)]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
        assert (tmp_path / folder / "portfolio.json").is_file()


def words(text: str) -> str:
    return " ".join(text.split())


def test_top_level_help_shows_every_summary_whole_at_80_columns() -> None:
    shown = CliRunner().invoke(main, ["--help"], terminal_width=80).stdout
    listing = words(shown.split("Commands:", 1)[1])
    assert "..." not in listing
    for name, module in COMMANDS.items():
        assert f"{name} {summary(f'aiassure.commands.{module}')}" in listing, name
    assert max(len(line) for line in shown.splitlines()) <= 80


@pytest.mark.parametrize("group", ["registry", "portfolio", "rubrics", "export", "import", "admin org", "admin token"])
def test_group_help_shows_each_first_sentence_whole_at_80_columns(group: str) -> None:
    shown = CliRunner().invoke(main, [*group.split(), "--help"], terminal_width=80).stdout
    listing = words(shown.split("Commands:", 1)[1])
    assert "..." not in listing
    found = dict(commands())
    subcommands = [name for name in found if name.startswith(f"{group} ") and name.count(" ") == group.count(" ") + 1]
    assert subcommands
    for name in subcommands:
        first = words(terminal_text(found[name].get_short_help_str(limit=10**6)))  # as --help shows it
        assert first.endswith(".") and f"{name.rsplit(' ', 1)[1]} {first}" in listing, name
