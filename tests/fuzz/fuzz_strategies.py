"""Hypothesis strategies for hostile YAML: a grammar of YAML text, arbitrary values, and structural mutations."""

from __future__ import annotations

import json
from typing import Any

import yaml
from hypothesis import strategies as st

from aiassure.assessments.model import LONG_FORM_KEYS

# Words the engine gives meaning to, so that random documents often hit real code paths.
WORDS = [
    "rubric",
    "subject",
    "type",
    "name",
    "code",
    "org_type",
    "round",
    "assessed_on",
    "assessors",
    "answers",
    "value",
    "level",
    "notes",
    "evidence",
    "owner",
    "reason",
    "approved_by",
    "title",
    "url",
    "path",
    "sha256",
    "date",
    "technology",
    "organisation",
    "vendor",
    "acute",
    "fixture-rubric.yaml",
    "nhs-ai-readiness@1.0.0",
    "2026-Q2",
    "gov-01",
    "gov-02",
    "gov-03",
    "perf-01",
    "perf-02",
    "eth-01",
    "eth-02",
    "iia",
    "iib",
    "drift",
    "audit",
    "eia",
    "bias",
    "pub",
    "na",
    "N/A",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "true",
    "false",
    "null",
    "~",
    "Developing",
    "https://example.org/x",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "../x",
    "docs/a.pdf",
]
NUMBER_TEXTS = [
    ".nan",
    ".NaN",
    "-.inf",
    ".Inf",
    "+.inf",
    "0x1F",
    "0o17",
    "017",
    "0b101",
    "1_000",
    "1:30:00",
    "190:20:30.15",
    "1.0e+999",
    "-1e+400",
    "-0",
    "+12",
    "0.",
    "1.5e-3",
    "6.8523015e+5",
    "2001-12-14t21:59:43.10-05:00",
    "2026-02-30",
    "2026-5-1",
    "0000-01-01",
    "9999-12-31",
]
TAGS = [
    "!!str ",
    "!!int ",
    "!!float ",
    "!!bool ",
    "!!null ",
    "!!timestamp ",
    "!!binary ",
    "!!set ",
    "!!omap ",
    "!!pairs ",
    "!!merge ",
    "!!value ",
    "!!python/object/apply:os.system ",
    "!!python/name:os.system ",
    "!local ",
    "! ",
    "!<tag:yaml.org,2002:str> ",
    "!!map ",
    "!!seq ",
]

# Text YAML will read as anything at all, lone surrogates aside (they cannot be encoded as UTF-8).
any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=24)


def _single_quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


plain_scalar = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(NUMBER_TEXTS),
    st.integers().map(str),
    st.floats().map(repr),
    st.text("0123456789:_.xobeE+-", min_size=1, max_size=12),
    st.dates().map(str),
    any_text.map(json.dumps),  # a JSON string is a valid double-quoted YAML scalar
    any_text.map(_single_quoted),
    st.sampled_from(
        [
            "*a",
            "*b",
            "*missing",
            '"\\e[31m"',
            '"\\0"',
            '"\\u202e"',
            "'",
            '"',
            "|",
            ">",
            "- ",
            ": ",
            "#",
            "&",
            "%",
            "@",
            "`",
        ]
    ),
)


@st.composite
def decorated(draw: st.DrawFn, node: st.SearchStrategy[str]) -> str:
    """A node with sometimes an anchor and sometimes a tag in front."""
    prefix = draw(st.sampled_from(["", "", "", "&a ", "&b "]))
    tag = draw(st.sampled_from(["", "", "", "", *TAGS]))
    return prefix + tag + draw(node)


flow_node = st.recursive(
    decorated(plain_scalar),
    lambda children: decorated(
        st.one_of(
            st.lists(children, max_size=5).map(lambda items: "[" + ", ".join(items) + "]"),
            st.lists(st.tuples(children, children), max_size=5).map(
                lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
            ),
        )
    ),
    max_leaves=10,
)


@st.composite
def block_document(draw: st.DrawFn) -> str:
    """A block mapping of keys to flow nodes, sometimes nested, with document markers and comments."""
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 8))):
        indent = "  " * draw(st.integers(0, 2))
        key = draw(st.one_of(st.sampled_from(WORDS), plain_scalar))
        style = draw(st.integers(0, 3))
        if style == 0:
            lines.append(f"{indent}{key}:")
        elif style == 1:
            lines.append(f"{indent}- {draw(flow_node)}")
        elif style == 2:
            lines.append(f"{indent}# {draw(any_text)}")
        else:
            lines.append(f"{indent}{key}: {draw(flow_node)}")
    head = draw(
        st.sampled_from(["", "", "---\n", "%YAML 1.1\n---\n", "--- !!map\n", "%TAG ! tag:example.com,2026:\n---\n"])
    )
    tail = draw(st.sampled_from(["", "", "\n...\n", "\n---\nsecond: document\n"]))
    return head + "\n".join(lines) + tail


ENVELOPE = (
    "rubric: fixture-rubric.yaml\n"
    "subject: {type: technology, name: Fuzz, code: FZ-1, org_type: vendor}\n"
    "round: 2026-Q2\n"
    "assessed_on: 2026-05-01\n"
    "answers:\n"
)
CRITERIA = ["gov-01", "gov-02", "gov-03", "perf-01", "perf-02", "eth-01", "eth-02"]


@st.composite
def submission_text(draw: st.DrawFn) -> str:
    """A well-formed envelope around answers written as arbitrary YAML nodes."""
    ids = draw(st.lists(st.one_of(st.sampled_from(CRITERIA), plain_scalar), max_size=6, unique=True))
    return ENVELOPE + "".join(f"  {ident}: {draw(flow_node)}\n" for ident in ids)


# Python values of every kind YAML can hold, and a few it cannot say plainly.
scalar_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**60), max_value=10**60),
    st.floats(),
    st.floats(min_value=-10, max_value=10),
    st.dates(),
    st.datetimes(),
    any_text,
    st.sampled_from(WORDS),
)
any_value = st.recursive(
    scalar_value,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(
                st.sampled_from([*LONG_FORM_KEYS, "title", "url", "path", "sha256", "date"]), any_text, st.integers()
            ),
            children,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


@st.composite
def evidence_item(draw: st.DrawFn) -> dict[str, Any]:
    item: dict[str, Any] = {"title": draw(st.sampled_from(["Minutes", "", "x" * 3]))}
    target = draw(st.sampled_from(["url", "path", "both", "neither"]))
    if target in ("url", "both"):
        item["url"] = draw(
            st.sampled_from(
                [
                    "https://example.org/a",
                    "http://[::1",
                    "file:///etc/passwd",
                    "javascript:x",
                    "https://",
                    "HTTP://EXAMPLE.ORG",
                ]
            )
            | any_text
        )
    if target in ("path", "both"):
        item["path"] = draw(
            st.sampled_from(
                ["valid.yaml", "../valid.yaml", "/etc/passwd", "a\\b", "x" * 300, "docs/../valid.yaml", "", "."]
            )
            | any_text
        )
    if draw(st.booleans()):
        item["date"] = draw(st.dates())
    if draw(st.booleans()):
        item["sha256"] = draw(st.sampled_from(["0" * 64, "abc"]))
    return item


@st.composite
def plausible_answer(draw: st.DrawFn) -> Any:
    """Mostly values the fixture rubric might accept, in short and long forms, some with evidence."""
    value = draw(
        st.one_of(
            st.integers(-2, 6),
            st.sampled_from(["yes", "no", True, False, "na", "N/A", "iia", "iib", "i", "Defined", "absent"]),
            st.lists(st.sampled_from(["drift", "audit", "eia", "bias", "pub"]), max_size=4),
            st.floats(-1, 2),
            any_value,
        )
    )
    form = draw(st.integers(0, 2))
    if form == 0:
        return value
    long: dict[str, Any] = {draw(st.sampled_from(["value", "level"])): value}
    if draw(st.booleans()):
        long["evidence"] = draw(st.lists(evidence_item(), max_size=3))
    if draw(st.booleans()):
        long[draw(st.sampled_from(["notes", "reason", "approved_by", "owner"]))] = draw(scalar_value)
    return long


@st.composite
def mutated(draw: st.DrawFn, document: Any, values: st.SearchStrategy[Any] = any_value) -> Any:
    """`document` with a few keys deleted, retyped, added or renamed at random depths."""
    data = yaml.safe_load(yaml.safe_dump(document))  # a deep copy
    for _ in range(draw(st.integers(1, 4))):
        node = data
        while isinstance(node, (dict, list)) and node and draw(st.booleans()):
            child = (
                draw(st.sampled_from(sorted(node, key=str)))
                if isinstance(node, dict)
                else draw(st.integers(0, len(node) - 1))
            )
            if not isinstance(node[child], (dict, list)):
                break
            node = node[child]
        if not isinstance(node, (dict, list)) or not node:
            continue
        where = (
            draw(st.sampled_from(sorted(node, key=str)))
            if isinstance(node, dict)
            else draw(st.integers(0, len(node) - 1))
        )
        action = draw(st.sampled_from(["delete", "replace", "add", "rename"]))
        if action == "delete":
            del node[where]
        elif action == "replace":
            node[where] = draw(values)
        elif action == "add" and isinstance(node, dict):
            node[draw(st.one_of(st.sampled_from(WORDS), any_text))] = draw(values)
        elif action == "add":
            node.insert(where, draw(values))
        elif isinstance(node, dict):
            node[str(where) + draw(st.sampled_from(["s", "_", "-1", ""]))[:3]] = node.pop(where)
    return data


def dump(data: Any) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


@st.composite
def text_mutation(draw: st.DrawFn, text: str) -> bytes:
    """`text` with lines deleted, duplicated or swapped, and bytes inserted or overwritten."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "splice"]))
        if action == "delete" and len(lines) > 1:
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif action == "insert":
            lines.insert(index, draw(st.one_of(block_document(), plain_scalar, any_text)))
        else:
            line = lines[index]
            at = draw(st.integers(0, len(line)))
            lines[index] = (
                line[:at]
                + draw(st.one_of(plain_scalar, any_text, st.sampled_from(TAGS)))
                + line[at + draw(st.integers(0, 3)) :]
            )
    raw = "\n".join(lines).encode("utf-8")
    if draw(st.integers(0, 9)) == 0:
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=4)) + raw[at:]
    return raw
