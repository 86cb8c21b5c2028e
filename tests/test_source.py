"""Safe YAML loading (aiassure.source): positions, duplicate keys, tags and the input limits of SPEC 4.1."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from aiassure.errors import Diagnostic, InputError
from aiassure.source import (
    MAX_ALIAS_EXPANSION,
    MAX_DEPTH,
    Document,
    YamlMap,
    YamlSeq,
    dotted,
    load_bytes,
    load_file,
)


def refused(raw: bytes, **options: object) -> Diagnostic:
    """The single diagnostic of bytes that must not load."""
    with pytest.raises(InputError) as raised:
        load_bytes(raw, "in.yaml", **options)
    assert len(raised.value.diagnostics) == 1
    diagnostic = raised.value.diagnostics[0]
    assert diagnostic.is_error and diagnostic.location.file == "in.yaml"
    return diagnostic


def where(diagnostic: Diagnostic) -> tuple[str, int | None, int | None]:
    return diagnostic.code, diagnostic.location.line, diagnostic.location.column


# --- data and positions ------------------------------------------------------------------------------


TEXT = b"""\
rubric: demo@1.0.0
answers:
  gov-01: {level: 3, evidence: [{title: A, url: "https://a.example"}]}
  list:
    - first
    -   second
"""


def test_values_and_their_positions() -> None:
    doc = load_bytes(TEXT, "in.yaml")
    assert isinstance(doc.data, YamlMap) and isinstance(doc.data["answers"]["list"], YamlSeq)
    assert doc.data == {
        "rubric": "demo@1.0.0",
        "answers": {
            "gov-01": {"level": 3, "evidence": [{"title": "A", "url": "https://a.example"}]},
            "list": ["first", "second"],
        },
    }
    assert doc.data.marks["rubric"] == ((1, 1), (1, 9))
    assert doc.data["answers"].marks["gov-01"] == ((3, 3), (3, 11))
    assert doc.data["answers"]["list"].marks == [(5, 7), (6, 9)]
    assert doc.root == (1, 1)


@pytest.mark.parametrize(
    ("parts", "key", "position"),
    [
        ((), False, (1, 1)),
        (("answers", "gov-01", "level"), False, (3, 19)),
        (("answers", "gov-01", "level"), True, (3, 12)),
        (("answers", "gov-01", "evidence", 0, "url"), False, (3, 49)),
        (("answers", "list", 1), False, (6, 9)),
        (("answers", "gov-01", "missing", "deeper"), False, (3, 11)),
        (("answers", "list", 7), False, (5, 5)),  # no item 7: the list itself
    ],
)
def test_locate_finds_the_deepest_existing_node(parts, key, position) -> None:
    doc = load_bytes(TEXT, "in.yaml")
    assert doc.position(parts, key=key) == position
    assert str(doc.locate(parts, key=key)) == f"in.yaml:{position[0]}:{position[1]}"


def test_diagnostics_carry_the_dotted_path() -> None:
    doc = load_bytes(TEXT, "in.yaml")
    diagnostic = doc.diagnostic(
        "x", "message", ("answers", "gov-01", "evidence", 0, "url"), severity="warning", hint="h"
    )
    assert diagnostic.path == "answers.gov-01.evidence[0].url"
    assert diagnostic.format() == "in.yaml:3:49: warning x (answers.gov-01.evidence[0].url): message\n    hint: h"
    assert dotted(()) == "" and dotted([0, "a", 1]) == "[0].a[1]"


def test_the_document_records_the_sha256_of_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "in.yaml"
    path.write_bytes(TEXT)
    doc = load_file(path)
    assert isinstance(doc, Document)
    assert (doc.sha256, doc.raw, doc.path, doc.file) == (hashlib.sha256(TEXT).hexdigest(), TEXT, path, str(path))
    assert load_file(path, display="shown.yaml").file == "shown.yaml"


def test_scalars_follow_the_safe_yaml_rules() -> None:
    doc = load_bytes(
        b"a: yes\nb: No\nc: 2026-11-20\nd: 0.5\ne: ~\nf: '3'\ng: ! 12\nh: !!str 4\ni: 1_000\nj:\n", "in.yaml"
    )
    assert doc.data == {
        "a": True,
        "b": False,
        "c": dt.date(2026, 11, 20),
        "d": 0.5,
        "e": None,
        "f": "3",
        "g": "12",
        "h": "4",
        "i": 1000,
        "j": None,
    }


@pytest.mark.parametrize("raw", [b"", b"# only a comment\n", b"---\n"])
def test_an_empty_document_is_none(raw: bytes) -> None:
    assert load_bytes(raw, "in.yaml").data is None


def test_a_root_scalar_or_list_is_data_too() -> None:
    assert load_bytes(b"- a\n- b\n", "in.yaml").data == ["a", "b"]
    assert load_bytes(b"  just text\n", "in.yaml").root == (1, 3)


# --- structural errors ----------------------------------------------------------------------------------
# The located refusals (syntax, duplicate keys, tags, aliases, anchors, merge keys) are cases in
# tests/diagnostics/yaml-reader.yaml.


def test_standard_tags_are_accepted() -> None:
    doc = load_bytes(
        b"a: !!str 1\nb: !!int '2'\nc: !!float 3\nd: !!bool 'yes'\ne: !!null ''\n"
        b"f: !!map {x: 1}\ng: !!seq [1]\nh: !!timestamp 2026-01-02\n",
        "in.yaml",
    )
    assert doc.data == {
        "a": "1",
        "b": 2,
        "c": 3.0,
        "d": True,
        "e": None,
        "f": {"x": 1},
        "g": [1],
        "h": dt.date(2026, 1, 2),
    }


# --- limits ---------------------------------------------------------------------------------------------


def test_the_size_limit(tmp_path: Path) -> None:
    raw = b"a: " + b"x" * 97 + b"\n"  # 101 bytes
    assert load_bytes(raw, "in.yaml", max_bytes=101).data == {"a": "x" * 97}
    diagnostic = refused(raw, max_bytes=100)
    assert where(diagnostic) == ("too-large", 1, 1)
    assert "101 bytes, over the limit of 100" in diagnostic.message and "--max-bytes" in diagnostic.hint
    path = tmp_path / "big.yaml"
    path.write_bytes(raw)
    with pytest.raises(InputError) as raised:
        load_file(path, max_bytes=100)
    assert [d.code for d in raised.value.diagnostics] == ["too-large"]


def test_the_default_size_limit_is_10_mib() -> None:
    from aiassure.source import DEFAULT_MAX_BYTES

    assert DEFAULT_MAX_BYTES == 10 * 1024 * 1024


@pytest.mark.parametrize("style", ["flow", "block"])
def test_nesting_up_to_64_levels_and_no_deeper(style: str) -> None:
    assert MAX_DEPTH == 64

    def nested(depth: int) -> bytes:
        if style == "flow":
            return b"[" * depth + b"]" * depth + b"\n"
        return b"".join(b"  " * level + b"- \n" for level in range(depth - 1)) + b"  " * (depth - 1) + b"- x\n"

    load_bytes(nested(64), "in.yaml")
    code, line, _ = where(refused(nested(65)))
    assert code == "too-deep" and line == (1 if style == "flow" else 65)


def test_aliases_within_the_bound_are_shared() -> None:
    doc = load_bytes(b"a: &a [1, 2, 3]\nb: *a\nc: [*a, *a]\n", "in.yaml")
    assert doc.data["b"] == [1, 2, 3] and doc.data["c"] == [[1, 2, 3], [1, 2, 3]]
    assert doc.data.marks["b"] == ((2, 1), (2, 4))


def test_a_billion_laughs_is_refused() -> None:
    lines = [b"l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [b"l%d: &l%d [" % (i, i) + b", ".join([b"*l%d" % (i - 1)] * 10) + b"]" for i in range(1, 10)]
    diagnostic = refused(b"\n".join(lines) + b"\n")
    assert diagnostic.code == "alias-bomb" and f"{MAX_ALIAS_EXPANSION:,}" in diagnostic.message


def test_the_alias_bound_counts_every_use() -> None:
    # 100 uses of a 101-node list expand to 10,100 nodes: just past the bound.
    anchor = b"a: &a [" + b", ".join([b"x"] * 100) + b"]\n"
    load_bytes(anchor + b"b: [" + b", ".join([b"*a"] * 99) + b"]\n", "in.yaml")
    assert refused(anchor + b"b: [" + b", ".join([b"*a"] * 100) + b"]\n").code == "alias-bomb"


@pytest.mark.parametrize(
    ("raw", "position", "byte"),
    [
        (b"a: caf\xe9\n", (1, 7), "0xe9"),
        (b"a: ok\nb: \xff\xfe\n", (2, 4), "0xff"),
        (b"\xff\xfea\x00:\x00", (1, 1), "0xff"),
        (b"a: \xc3\n", (1, 4), "0xc3"),
    ],
)
def test_bytes_that_are_not_utf8(raw: bytes, position: tuple[int, int], byte: str) -> None:
    diagnostic = refused(raw)
    assert where(diagnostic) == ("not-utf8", *position)
    assert byte in diagnostic.message


def test_a_byte_order_mark_is_dropped_and_positions_are_in_characters() -> None:
    doc = load_bytes("\ufeffname: café\nnext: x\n".encode(), "in.yaml")
    assert doc.data == {"name": "café", "next": "x"}
    assert doc.data.marks["next"] == ((2, 1), (2, 7))


def test_a_number_too_long_to_build() -> None:
    assert refused(b"a: " + b"9" * 200 + b"\n").code == "number-too-long"
    assert load_bytes(b"a: '" + b"9" * 200 + b"'\n", "in.yaml").data == {"a": "9" * 200}


# --- files -------------------------------------------------------------------------------------------------


def test_file_errors_are_located_diagnostics(tmp_path: Path) -> None:
    for path, code in ((tmp_path / "missing.yaml", "no-such-file"), (tmp_path, "not-a-file")):
        with pytest.raises(InputError) as raised:
            load_file(path)
        assert [(d.code, d.location.file) for d in raised.value.diagnostics] == [(code, str(path))]
