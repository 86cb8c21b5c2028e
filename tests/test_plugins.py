"""The plugin points, exercised with the example plugin (examples/plugins/) installed into a temporary folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiassure import plugins
from aiassure.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_PLUGIN = ROOT / "examples" / "plugins" / "aiassure-example-plugin"
EXAMPLE_REF = {"name": "aiassure-example-plugin", "version": "0.1.0"}
EXAMPLE_MODULE = "aiassure_example_plugin"

SUBMISSION = """\
rubric: example-ai-literacy@0.1.0
subject: {type: organisation, name: Northshire Hospitals, code: RXX, org_type: acute, region: London}
round: 2026-Q4
assessed_on: 2026-11-20
answers:
  lit-01: {level: 3}
  lit-02: yes
  lit-03: 80
"""


@pytest.fixture(scope="session")
def example_plugin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example plugin, built and installed by pip into a folder of its own (not the test venv, so
    the rest of the suite runs without it)."""
    target = tmp_path_factory.mktemp("example-plugin")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(EXAMPLE_PLUGIN)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return target


def _forget_plugins() -> None:
    plugins.forget()
    for name in [m for m in sys.modules if m == EXAMPLE_MODULE or m.startswith(EXAMPLE_MODULE + ".")]:
        del sys.modules[name]


@pytest.fixture
def with_plugin(example_plugin_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The example plugin on sys.path (and PYTHONPATH, for subprocesses), found afresh."""
    monkeypatch.syspath_prepend(str(example_plugin_dir))
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(example_plugin_dir), os.environ.get("PYTHONPATH")]))
    )
    monkeypatch.delenv("AIASSURE_RUBRIC_PATH", raising=False)
    _forget_plugins()
    yield example_plugin_dir
    _forget_plugins()


@pytest.fixture
def broken_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An installed package whose every entry point names a module that is not there."""
    dist = tmp_path / "site" / "broken_plugin-1.2.3.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 1.2.3\n")
    (dist / "entry_points.txt").write_text(
        textwrap.dedent(
            """\
            [aiassure.commands]
            broken = no_such_module:command
            [aiassure.rubrics]
            broken = no_such_module.rubrics
            [aiassure.formats]
            broken = no_such_module:FORMAT
            [aiassure.portfolio]
            broken = no_such_module:FIGURE
            """
        )
    )
    monkeypatch.syspath_prepend(str(dist.parent))
    _forget_plugins()
    yield dist.parent
    _forget_plugins()


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aiassure", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_help_lists_a_plugin_command_without_importing_the_plugin(with_plugin: Path) -> None:
    shown = CliRunner().invoke(main, ["--help"])
    assert shown.exit_code == 0, shown.output
    assert "Commands from plugins" in shown.output
    assert "gaps" in shown.output and "aiassure-example-plugin 0.1.0" in shown.output
    assert EXAMPLE_MODULE not in sys.modules


def test_a_plugin_command_runs(with_plugin: Path, tmp_path: Path) -> None:
    submission = tmp_path / "literacy.yaml"
    submission.write_text(SUBMISSION)
    done = _run("gaps", "--below", "4", str(submission))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"{submission}: 2 criteria below level 4",
        "  lit-01 (training): level 2, unevidenced",
        "  lit-03 (use): level 3, credited",
    ]


def test_a_plugin_rubric_is_found_and_the_result_records_the_plugin(with_plugin: Path, tmp_path: Path) -> None:
    listed = _run("rubrics", "list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert "example-ai-literacy" in listed.stdout
    submission = tmp_path / "literacy.yaml"
    submission.write_text(SUBMISSION)
    scored = _run("score", "--format", "json", str(submission))
    assert scored.returncode == 0, scored.stderr
    result = json.loads(scored.stdout)
    assert result["plugins"] == [EXAMPLE_REF]
    assert list(result)[:3] == ["result_schema", "engine", "plugins"]


def test_a_result_without_plugins_has_no_plugins_key(with_plugin: Path) -> None:
    submission = ROOT / "examples" / "2026-Q4" / "RX1.yaml"
    scored = _run("score", "--format", "json", str(submission))
    assert scored.returncode == 0, scored.stderr
    assert "plugins" not in json.loads(scored.stdout)


def test_a_plugin_output_format_writes_reports(with_plugin: Path, tmp_path: Path) -> None:
    submission = tmp_path / "literacy.yaml"
    submission.write_text(SUBMISSION)
    out = tmp_path / "out"
    done = _run("report", str(submission), "-o", str(out), "--format", "csv,json")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["RXX-2026-Q4.csv", "RXX-2026-Q4.json"]
    rows = (out / "RXX-2026-Q4.csv").read_text().splitlines()
    assert rows[0] == "criterion,domain,pillar,applicable,status,claimed,credited"
    assert rows[1:] == [
        "lit-01,training,safe,True,unevidenced,3,2",
        "lit-02,fairness,ethical,True,credited,5,5",
        "lit-03,use,effective,True,credited,3,3",
    ]
    assert json.loads((out / "RXX-2026-Q4.json").read_text())["plugins"] == [EXAMPLE_REF]


def test_a_plugin_portfolio_figure_is_in_the_portfolio(with_plugin: Path, tmp_path: Path) -> None:
    submission = tmp_path / "literacy.yaml"
    # level 3 needs evidence from level 3: none given, so the claim is unevidenced
    submission.write_text(SUBMISSION)
    db = f"sqlite:///{tmp_path / 'registry.db'}"
    ingested = _run("registry", "ingest", str(submission), "--db", db)
    assert ingested.returncode == 0, ingested.stderr
    out = tmp_path / "portfolio"
    done = _run("portfolio", "report", "--out", str(out), "--format", "html,json", "--db", db)
    assert done.returncode == 0, done.stderr
    figures = json.loads((out / "portfolio.json").read_text())
    assert figures["plugins"] == [EXAMPLE_REF]
    (extra,) = figures["sections"][0]["extra_figures"]
    assert extra["title"] == "Claims without evidence"
    assert extra["rows"] == [["lit-01", "Have the staff who use AI tools been trained in their limits?", 1]]
    html = (out / "portfolio.html").read_text()
    assert "Claims without evidence" in html and "aiassure-example-plugin 0.1.0" in html


def test_a_plugin_that_fails_to_load_is_named_and_the_run_goes_on(broken_plugin: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(broken_plugin), os.environ.get("PYTHONPATH")])),
    }
    submission = ROOT / "examples" / "2026-Q4" / "RX1.yaml"
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "aiassure", "report", str(submission), "-o", str(out), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert (out / "RX1-2026-Q4.json").is_file()
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning: plugin broken-plugin 1.2.3")]
    assert len(warnings) == 2, done.stderr  # the rubric library and the format
    assert all("No module named 'no_such_module'" in line and "going on without it" in line for line in warnings)
    assert "Traceback" not in done.stderr


def test_a_plugin_command_that_fails_to_load_is_named(broken_plugin: Path) -> None:
    done = CliRunner().invoke(main, ["broken"])
    assert done.exit_code == 2
    assert "warning: plugin broken-plugin 1.2.3 (aiassure.commands entry point 'broken'" in done.output
    assert "No such command 'broken'" in done.output


def test_discovery_reads_metadata_only(broken_plugin: Path) -> None:
    found = plugins.discover(plugins.FORMATS)
    assert [(p.name, str(p.ref)) for p in found] == [("broken", "broken-plugin 1.2.3")]
    assert "no_such_module" not in sys.modules
