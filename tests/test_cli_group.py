"""The command group: `--help` lists every command with its module's summary, importing no command module."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

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


def test_terminal_text_leaves_out_the_backticks_of_code_spans() -> None:
    from aiassure.errors import terminal_text

    assert terminal_text("start from `aiassure init RUBRIC -o FILE`; `na` or `n/a`") == (
        "start from aiassure init RUBRIC -o FILE; na or n/a"
    )
    assert terminal_text("a lone ` stays") == "a lone ` stays"


def test_terminal_text_has_no_backtick_where_sarif_keeps_the_code_span(tmp_path: Path) -> None:
    """Messages, hints and help are written for Markdown; the terminal shows them without backticks
    (issue 17), while the SARIF log keeps each code span as code."""
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(
        "rubric: nhs-ai-readiness@1.0.0\nsubject: {type: organisation, name: X, code: RXX, org_type: acute}\n"
        "round: 2026-Q4\nassessed_on: 2026-11-02\nanswers: {nope: 3}\n"
    )
    done = CliRunner().invoke(main, ["validate", str(empty), str(unknown)])
    assert done.exit_code == 1
    assert "hint: start from aiassure init RUBRIC -o FILE" in done.stderr
    assert "hint: see aiassure rubrics show nhs-ai-readiness@1.0.0" in done.stderr
    assert "`" not in done.stderr + done.stdout
    sarif = CliRunner().invoke(main, ["validate", "--format", "sarif", str(empty)]).stdout
    assert "`aiassure init RUBRIC -o FILE`" in sarif
    refused = CliRunner().invoke(main, ["init", "nhs-ai-readiness", "-o", str(empty)])  # an error message
    assert refused.exit_code == 2 and "or aiassure assess to continue" in refused.stderr and "`" not in refused.stderr
    for command in (
        [],
        ["report"],
        ["init"],
        ["validate"],
        ["assess"],
        ["registry", "ingest"],
        ["portfolio", "export"],
    ):
        shown = CliRunner().invoke(main, [*command, "--help"], terminal_width=80)
        assert shown.exit_code == 0 and "Usage:" in shown.output
        assert "`" not in shown.output, (command, [line for line in shown.output.splitlines() if "`" in line])
