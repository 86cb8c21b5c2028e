"""Template search path, `default:` inheritance, the sandbox, autoescaping and `templates scaffold`."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from aiassure.cli import main
from aiassure.errors import AiassureError, InputError, NotFoundError
from aiassure.reports.render import builtin_templates, render_html, render_markdown
from hypothesis_budget import examples

DATA = Path(__file__).parent / "data"


def template_dir(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name.replace("__", ".")).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def context(load) -> dict:
    from aiassure.assessments.result import to_result
    from aiassure.reports.context import build_report_context

    parsed = load("hostile-vendor.yaml")
    return build_report_context(parsed, to_result(parsed))


def test_an_override_extends_the_default_and_replaces_one_block(tmp_path: Path, context: dict) -> None:
    folder = template_dir(
        tmp_path,
        report__html="""
        {% extends "default:report.html" %}
        {% block summary %}<section><h2 id="summary">Board summary</h2><p>{{ subject.name }}</p></section>{% endblock %}
        """,
    )
    html = render_html("report.html", context, [folder])
    assert "Board summary" in html and "Roadmap" in html  # the rest of the default is kept
    assert "<p>&lt;script&gt;alert(&#39;name&#39;)" in html  # autoescape is on in user templates too


def test_user_templates_come_first_and_partials_resolve_through_them(tmp_path: Path, context: dict) -> None:
    folder = template_dir(tmp_path, _styles__html="body { background: #fafafa; }")
    html = render_html("report.html", context, [folder])
    assert "body { background: #fafafa; }" in html and "string-set: report-title" not in html


def test_markdown_override_escapes_every_value(tmp_path: Path, context: dict) -> None:
    folder = template_dir(
        tmp_path,
        report__md='{% extends "default:report.md" %}{% block summary %}## Mine\n\n{{ subject.name }}\n{% endblock %}',
    )
    text = render_markdown("report.md", context, [folder])
    assert "## Mine\n\n\\<script\\>alert('name')\\</script\\>" in text


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ subject.__class__.__subclasses__() }}",
        "{% set x = subject.details.append(1) %}",
    ],
)
def test_python_internals_are_refused_with_a_clear_error(tmp_path: Path, context: dict, source: str) -> None:
    folder = template_dir(tmp_path, report__html=f"line one\n{source}\n")
    with pytest.raises(AiassureError) as caught:
        render_html("report.html", context, [folder])
    assert caught.value.exit_code == 1
    assert "report.html:2" in caught.value.message and "template refused" in caught.value.message


def test_only_the_built_in_templates_alone_run_outside_the_sandbox(tmp_path: Path) -> None:
    """The built-ins are trusted code (issue 20: the sandbox's checks cost their hot loops); any
    template folder, even one that only extends the built-ins, is sandboxed, the built-ins with it."""
    from jinja2.sandbox import SandboxedEnvironment

    from aiassure.reports.render import environment

    assert not isinstance(environment(()), SandboxedEnvironment)
    assert not isinstance(environment((), markdown=True), SandboxedEnvironment)
    folder = template_dir(tmp_path, report__html='{% extends "default:report.html" %}')
    assert isinstance(environment([folder]), SandboxedEnvironment)
    assert isinstance(environment([folder], markdown=True), SandboxedEnvironment)


def test_sandbox_escape_from_the_command_line_exits_1_without_traceback(tmp_path: Path) -> None:
    folder = template_dir(tmp_path, report__html="{{ ''.__class__.__mro__ }}")
    result = CliRunner().invoke(
        main,
        [
            "report",
            str(DATA / "northshire-2026-Q4.yaml"),
            "-o",
            str(tmp_path / "out"),
            "--format",
            "html",
            "--template-dir",
            str(folder),
        ],
    )
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "template refused" in result.output and "__class__" in result.output
    assert not (tmp_path / "out" / "RXX-2026-Q4.html").exists()


def test_syntax_errors_and_missing_templates_are_located(tmp_path: Path, context: dict) -> None:
    folder = template_dir(tmp_path, report__html="{% if %}")
    with pytest.raises(InputError) as caught:
        render_html("report.html", context, [folder])
    assert str(caught.value.diagnostics[0].location) == "report.html:1:1"
    with pytest.raises(NotFoundError, match="nothing.html"):
        render_html("nothing.html", context)
    with pytest.raises(NotFoundError):
        render_html("../../etc/passwd", context, [folder])


def test_scaffold_copies_the_defaults_which_render_the_same(tmp_path: Path, context: dict) -> None:
    runner = CliRunner()
    folder = tmp_path / "mine"
    assert runner.invoke(main, ["templates", "scaffold", str(folder)]).exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == builtin_templates()
    assert render_html("report.html", context, [folder]) == render_html("report.html", context)
    again = runner.invoke(main, ["templates", "scaffold", str(folder)])
    assert again.exit_code == 2 and "--force" in again.output
    assert runner.invoke(main, ["templates", "scaffold", str(folder), "--force"]).exit_code == 0
    listing = runner.invoke(main, ["templates", "list"]).output
    assert "report.html\treport" in listing and "_macros.html\tpartial" in listing


_NAMES = st.sampled_from(["items", "keys", "get", "values", "copy", "__class__", "__doc__", "__mro__", "__name__"])


@settings(max_examples=examples(200))
@given(
    data=st.dictionaries(st.one_of(_NAMES, st.text(max_size=8)), st.one_of(st.integers(), st.text(max_size=4))),
    name=st.one_of(_NAMES, st.text(max_size=8)),
)
def test_the_trusted_environment_looks_attributes_up_as_jinja_does(data: dict, name: str) -> None:
    """The built-in templates' `d.name` on a dict (issue 20: a key looked up without a failed
    attribute lookup first) gives what Jinja's own lookup gives: dict's attributes first, then
    keys, then an undefined that fails when used."""
    from jinja2 import Environment, StrictUndefined, Undefined

    from aiassure.reports.render import _TrustedEnvironment

    mine = _TrustedEnvironment(undefined=StrictUndefined).getattr(data, name)
    jinja = Environment(undefined=StrictUndefined).getattr(data, name)
    if isinstance(jinja, Undefined):
        assert isinstance(mine, StrictUndefined) and mine._undefined_name == name
        assert mine._undefined_obj is data
    else:
        assert mine == jinja
