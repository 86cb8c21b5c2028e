"""The command group: `--help` lists every command with its module's summary, importing no command module."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

from click.testing import CliRunner

from aiassure.cli import COMMANDS, USAGE_PREFIX, main, summary

# Modules `aiassure --help` must not import: the commands themselves and what they pull in.
HEAVY = ("aiassure.commands.", "aiassure.rubrics", "aiassure.assessments", "pydantic", "yaml", "jinja2", "sqlalchemy")


def test_help_imports_no_command_module() -> None:
    probe = (
        "import json, sys\n"
        "from aiassure.cli import main\n"
        "try:\n"
        "    main(['--help'], standalone_mode=False)\n"
        "finally:\n"
        "    print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    imported = json.loads(run.stderr.strip().splitlines()[-1])
    assert [m for m in imported if m.startswith(HEAVY)] == []
    for name in COMMANDS:
        assert f"\n  {name} " in run.stdout


def test_help_lists_each_command_with_its_modules_summary() -> None:
    shown = CliRunner().invoke(main, ["--help"], terminal_width=200).output
    for name, module in COMMANDS.items():
        imported = importlib.import_module(f"aiassure.commands.{module}")
        first = " ".join((imported.__doc__ or "").strip().split("\n\n")[0].split())
        expected = USAGE_PREFIX.sub("", first)
        assert summary(f"aiassure.commands.{module}") == expected[:1].upper() + expected[1:]
        assert f"  {name.ljust(9)}  {summary(f'aiassure.commands.{module}')}" in shown, name


def test_a_module_without_source_is_summarised_from_its_imported_docstring() -> None:
    assert summary("sys") == (
        "This module provides access to some objects used or maintained by the interpreter "
        "and to functions that interact strongly with the interpreter."
    )
