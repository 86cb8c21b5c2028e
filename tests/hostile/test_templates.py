"""Issue 11, point 7: user templates are bounded. Every kind of template failure is exit 1 with the
template's name and line, never an internal error; a runaway loop and a huge output stop at the
time and size bounds (`--template-timeout`, `--template-max-bytes`); relative `--template-dir`
folders work, as `templates scaffold` says to use them."""

from __future__ import annotations

import re
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hostile_helpers import EXAMPLES, aiassure_argv

from aiassure.cli import main

RX1 = EXAMPLES / "2026-Q4" / "RX1.yaml"
HEAD = '{% extends "default:report.html" %}\n{% block summary %}\n'  # the failing line is line 3
TAIL = "\n{% endblock %}\n"


def run(*args: object) -> Any:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    return result


def report_with(tmp_path: Path, body: str, *extra: object, name: str = "report.html", fmt: str = "html") -> Any:
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    head, tail = (
        (HEAD, TAIL) if name == "report.html" else ('{% extends "default:report.md" %}\n{% block summary %}\n', TAIL)
    )
    (folder / name).write_text(head + body + tail, encoding="utf-8")
    return run("report", RX1, "-o", tmp_path / "out", "--format", fmt, "--template-dir", folder, *extra)


FAILURES = {
    "division by zero": ("{{ 1 / 0 }}", "ZeroDivisionError"),
    "modulo by zero": ("{{ 7 % 0 }}", "ZeroDivisionError"),
    "recursion": ("{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}", "RecursionError"),
    "range too big": ("{% for i in range(10**9) %}{% endfor %}", "Range too big"),
    "power too big": ("{{ 10 ** 100000000 }}", "is too large"),
    "repetition too big": ('{{ "x" * 10**10 }}', "is too large"),
    "padding too big": ('{{ "x"|center(10**10) }}{{ "x".ljust(10**10) }}', "is too large"),
    "indent too big": ('{{ "ab"|indent(10**10) }}', "is too large"),
    "undefined": ("{{ no_such_name.field }}", "no_such_name"),
    "sandbox": ("{{ ''.__class__.__mro__ }}", "unsafe"),
    "type error": ('{{ 1 + "a" }}', "TypeError"),
    "bad format": ('{{ "%d"|format("x") }}', "TypeError"),
}


@pytest.mark.parametrize("kind", list(FAILURES))
def test_each_template_failure_is_exit_1_with_its_name_and_line(kind: str, tmp_path: Path) -> None:
    body, expected = FAILURES[kind]
    result = report_with(tmp_path, body)
    assert result.exit_code == 1, result.output
    assert re.search(r"report\.html:3(:\d+)?: error template-error", result.output), result.output
    assert expected in result.output, result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_syntax_error_names_its_line(tmp_path: Path) -> None:
    result = report_with(tmp_path, "{% for x in %}")
    assert result.exit_code == 1 and "report.html:3" in result.output and "template-syntax" in result.output


def test_markdown_templates_are_bounded_too(tmp_path: Path) -> None:
    result = report_with(tmp_path, "{{ 1 // 0 }}", name="report.md", fmt="md")
    assert result.exit_code == 1 and re.search(r"report\.md:3(:\d+)?: error template-error", result.output)
    result = report_with(
        tmp_path,
        "{% for i in range(100000) %}{{ i }}{% endfor %}",
        "--template-max-bytes",
        "1000",
        name="report.md",
        fmt="md",
    )
    assert result.exit_code == 1 and "template-limit" in result.output, result.output


LIST = "{% set r = range(100000)|list %}"
RUNAWAY = {
    "calls in the loop": "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    # nothing is called, looked up or written inside the loops: only the tick compiled into each bounds them
    "no call at all": LIST + "{% for a in r %}{% for b in r %}{% endfor %}{% endfor %}",
    "filtered loop": LIST + "{% for a in r %}{% for b in r if b < 0 %}{% endfor %}{% endfor %}",
    "inside a macro": "{% macro m() %}{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}"
    "{% endfor %}{% endmacro %}{{ m() }}",
    "recursive loop": "{% for a in [1, 2] recursive %}{{ loop([1, 2]) }}{% endfor %}",
}


@pytest.mark.parametrize("kind", list(RUNAWAY))
def test_a_runaway_template_stops_at_the_time_bound(kind: str, tmp_path: Path) -> None:
    result = report_with(tmp_path, RUNAWAY[kind], "--template-timeout", "0.5")
    assert result.exit_code == 1, result.output
    if kind == "recursive loop":  # recursion runs out before the clock does
        assert "RecursionError" in result.output or "template-limit" in result.output, result.output
        return
    assert "error template-limit" in result.output and "took longer than 0.5 seconds" in result.output, result.output
    assert "report.html:3" in result.output, result.output


def test_a_huge_output_stops_at_the_size_bound(tmp_path: Path) -> None:
    body = '{% for i in range(100000) %}{{ "y" * 1000 }}{% endfor %}'  # 100 MB in 1 kB pieces
    result = report_with(tmp_path, body, "--template-max-bytes", "1000000")
    assert result.exit_code == 1 and "wrote more than 1000000 bytes" in result.output, result.output
    result = report_with(tmp_path, body)  # the default, 16 MiB
    assert result.exit_code == 1 and f"wrote more than {16 * 1024 * 1024} bytes" in result.output, result.output


def test_the_bounds_leave_an_ordinary_template_alone(tmp_path: Path) -> None:
    result = report_with(tmp_path, "{% for p in pillars %}<p>{{ p.title }} {{ p.score_text }}</p>{% endfor %}")
    assert result.exit_code == 0, result.output
    assert "<p>" in (tmp_path / "out" / "RX1-2026-Q4.html").read_text()


def test_bounds_out_of_range_are_usage_errors(tmp_path: Path) -> None:
    for option, value in (("--template-timeout", "0"), ("--template-timeout", "-1"), ("--template-max-bytes", "0")):
        assert run("report", RX1, "-o", tmp_path, option, value).exit_code == 2


def test_portfolio_templates_are_bounded(tmp_path: Path) -> None:
    database = tmp_path / "r.db"
    assert run("registry", "ingest", RX1, "--db", database).exit_code == 0
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "portfolio.html").write_text(
        '{% extends "default:portfolio.html" %}{% block content %}\n'
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}\n{% endblock %}\n"
    )
    args = ("portfolio", "report", "-o", tmp_path / "p", "--format", "html", "--template-dir", folder, "--db", database)
    result = run(*args, "--template-timeout", "0.5")
    assert result.exit_code == 1 and "portfolio.html:2" in result.output and "template-limit" in result.output


def test_running_out_of_memory_is_a_template_error(tmp_path: Path) -> None:
    """Doubling a 16 MB string seven times needs 2 GiB: under a 1.5 GiB address space limit that is
    a MemoryError inside the template, reported as such."""
    folder = tmp_path / "templates"
    folder.mkdir()
    doubling = "".join(f"{{% set s{i + 1} = s{i} ~ s{i} %}}" for i in range(7))
    (folder / "report.html").write_text(HEAD + '{% set s0 = "x" * 16000000 %}' + doubling + "{{ s7|length }}" + TAIL)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 29, 3 << 29))

    done = subprocess.run(
        aiassure_argv("report", RX1, "-o", tmp_path / "out", "--format", "html", "--template-dir", folder),
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limit,
    )
    assert done.returncode == 1, done.stderr
    assert "report.html:3" in done.stderr and "MemoryError" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_a_relative_template_dir_works_as_scaffold_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    scaffolded = run("templates", "scaffold", "my-templates")
    assert scaffolded.exit_code == 0, scaffolded.output
    step = re.search(r"next: edit them, then (aiassure report .*)", scaffolded.output)
    assert step and "--template-dir my-templates" in step.group(1)
    (tmp_path / "RX1.yaml").write_text(RX1.read_text(encoding="utf-8"), encoding="utf-8")
    command = step.group(1).split()[1:]
    command[command.index("FILE...")] = "RX1.yaml"
    command[command.index("OUT")] = "out"
    result = run(*command, "--format", "html,pdf,md")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "RX1-2026-Q4.html",
        "RX1-2026-Q4.md",
        "RX1-2026-Q4.pdf",
    ]
    assert sys.platform != "win32"
