"""The shortcuts taken for speed (docs/performance.md) give exactly what the general code gives."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from aiassure.assessments.answers import _PLAIN_WEB_URL
from aiassure.assessments.result import dumps
from aiassure.source import load_bytes

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=6) | st.integers(), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None)
@given(JSON_VALUES)
def test_result_json_is_what_json_dumps_writes(value) -> None:
    assert dumps(value) == json.dumps(value, indent=2, ensure_ascii=False) + "\n"


URL_PIECES = st.sampled_from(
    [*"hHtTpPsS:/?#[]@.-_~%aZ09 \t\r\n\x00\x7fé", "http://", "https://", "HTTPS://", "[::1]", "example.nhs.uk"]
)


@settings(max_examples=2000, deadline=None)
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


@settings(max_examples=1000, deadline=None)
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
    assert first == yaml.safe_load(text)
