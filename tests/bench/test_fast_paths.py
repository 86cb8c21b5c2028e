"""The shortcuts taken for speed (docs/performance.md) give exactly what the general code gives."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiassure.assessments.answers import _PLAIN_WEB_URL
from aiassure.assessments.result import Result, dumps, to_result
from aiassure.assessments.validate import load_submission
from aiassure.rubrics.loader import RubricLibrary
from aiassure.source import load_bytes
from hypothesis_budget import examples

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
sys.path.insert(0, str(REPO / "bench"))

import generate  # noqa: E402

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=6) | st.integers(), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=examples(500))
@given(JSON_VALUES)
def test_result_json_is_what_json_dumps_writes(value) -> None:
    assert dumps(value) == json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def written_by_json_dumps(result: Result) -> str:
    """The result file as it was written before pydantic-core wrote it (issue 20); `plugins` only
    when a plugin contributed (docs/plugins.md)."""
    left_out = {"plugins"} if result.plugins is None else None
    return json.dumps(result.model_dump(mode="json", exclude=left_out), indent=2, ensure_ascii=False) + "\n"


@functools.cache
def example_results() -> list[Result]:
    library = RubricLibrary([EXAMPLES / "local-rubric"], use_env=False)
    paths = [
        p
        for p in sorted(EXAMPLES.rglob("*.yaml"))
        # rubrics and the waiver file, not submissions
        if not p.name.endswith("-readiness.yaml") and p.name != "waivers.yaml" and EXAMPLES / "plugins" not in p.parents
    ]
    return [to_result(load_submission(path, library)) for path in paths]


def test_result_json_of_every_example_is_what_json_dumps_writes() -> None:
    results = example_results()
    assert len(results) > 20
    for result in results:
        assert result.to_json() == written_by_json_dumps(result), result.subject


@pytest.mark.parametrize("ref", ["bench-all-types@1.0.0", "nhs-ai-technology", "nhs-ai-readiness"])
def test_result_json_of_generated_files_is_what_json_dumps_writes(ref: str, tmp_path: Path) -> None:
    library = RubricLibrary([Path(__file__).parent], use_env=False)
    for path in generate.generate([library.resolve(ref)], 40, tmp_path, seed=11):
        result = to_result(load_submission(path, library))
        assert result.to_json() == written_by_json_dumps(result), path.name


@settings(max_examples=300, deadline=None)
@given(
    JSON_VALUES | st.sampled_from([1e-07, {"a": [1.5e-05]}, {1: 2}]),
    st.floats() | st.none(),
    st.text() | st.none(),
)
def test_result_json_with_any_answer_is_what_json_dumps_writes(answer: Any, completeness: Any, region: Any) -> None:
    """Answers (free-form data), typed floats and text of every kind, including the values
    pydantic-core writes differently (tiny floats, infinities, keys not strings)."""
    result = example_results()[0]
    criteria = [result.criteria[0].model_copy(update={"answer": answer}), *result.criteria[1:]]
    subject = result.subject.model_copy(update={"region": region, "name": f"{region} \x00\u2028"})
    result = result.model_copy(update={"criteria": criteria, "subject": subject, "completeness": completeness})
    assert result.to_json() == written_by_json_dumps(result)


URL_PIECES = st.sampled_from(
    [*"hHtTpPsS:/?#[]@.-_~%aZ09 \t\r\n\x00\x7fé", "http://", "https://", "HTTPS://", "[::1]", "example.nhs.uk"]
)


@settings(max_examples=examples(2000))
@given(st.lists(URL_PIECES, max_size=12).map("".join))
def test_the_link_shortcut_only_accepts_what_urlsplit_accepts(url) -> None:
    if url.isascii() and _PLAIN_WEB_URL.fullmatch(url):
        parts = urlsplit(url)
        assert parts.scheme.lower() in ("http", "https") and parts.netloc


YAML_PIECES = st.sampled_from(
    [
        "a",
        "b",
        ": ",
        "- ",
        "\n",
        "  ",
        "[",
        "]",
        "{",
        "}",
        ", ",
        "yes",
        "No",
        "~",
        "1",
        "0x1F",
        "1.5e3",
        ".inf",
        "2026-01-02",
        "'q'",
        '"d"',
        "&x ",
        "*x",
        "!!str ",
        "<<: ",
        "#c",
        "null",
        "True",
        "on",
        "-1",
        "+2",
        "=",
    ]
)


@settings(max_examples=examples(1000))
@given(st.lists(YAML_PIECES, max_size=16).map("".join))
def test_plain_scalars_read_the_same_twice_and_as_pyyaml_reads_them(text) -> None:
    import yaml

    try:
        first = load_bytes(text.encode(), "f.yaml").data
    except Exception as exc:  # refused: the same refusal the second time, from the remembered values too
        try:
            load_bytes(text.encode(), "f.yaml")
        except Exception as again:
            assert str(again) == str(exc)
        return
    assert load_bytes(text.encode(), "f.yaml").data == first
    # What aiassure accepts, PyYAML reads the same; an anchor given twice, which PyYAML refuses,
    # aiassure refuses too (yaml-anchor, docs/cli.md).
    assert first == yaml.safe_load(text)
