"""Safe YAML loading that keeps every node's position and enforces the input limits of SPEC 4.1."""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from .errors import Diagnostic, InputError, Location, Severity

# Where a value sits in a document: the keys and list indexes from the top (a YAML key may be any
# hashable scalar: text, a number, a date, true or null).
KeyPath: TypeAlias = tuple[Hashable, ...]
Position = tuple[int, int]  # 1-based line and column

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 64
# Aliases are shared, never copied, but whoever walks the tree later expands them: bound that walk.
MAX_ALIAS_EXPANSION = 10_000
# Longer numbers are refused before they are built: YAML 1.1 base-60 integers (1:2:3) cost
# quadratic time to build, and huge integers overflow floats and Python's int-to-text limit.
MAX_NUMBER_CHARS = 128

_TAG = "tag:yaml.org,2002:"
SCALAR_TAGS = {_TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp")}
MAPPING_TAG = _TAG + "map"
SEQUENCE_TAG = _TAG + "seq"
_NUMBER_TAGS = {_TAG + "int", _TAG + "float"}
_NON_SPECIFIC = {None, "!"}

_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_resolver = Resolver()
_constructor = SafeConstructor()
_construct_scalar = {tag: SafeConstructor.yaml_constructors[tag] for tag in SCALAR_TAGS}


class YamlMap(dict[Any, Any]):
    """A mapping read from YAML, with the key and value position of each entry."""

    __slots__ = ("marks",)

    def __init__(self) -> None:
        super().__init__()
        self.marks: dict[Any, tuple[Position, Position]] = {}


class YamlSeq(list[Any]):
    """A sequence read from YAML, with the position of each item."""

    __slots__ = ("marks",)

    def __init__(self) -> None:
        super().__init__()
        self.marks: list[Position] = []


@dataclass
class Document:
    """A parsed YAML file: its data, its bytes' identity and a way to locate any dotted path in it."""

    file: str
    data: Any
    sha256: str
    root: Position = (1, 1)
    path: Path | None = None
    raw: bytes = field(default=b"", repr=False)

    def position(self, parts: KeyPath | list[Hashable], *, key: bool = False) -> Position:
        """The position of the deepest node along `parts` that exists (its key when `key`)."""
        node, pos = self.data, self.root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if isinstance(node, YamlMap) and part in node.marks:
                key_pos, value_pos = node.marks[part]
                pos = key_pos if (key and last) else value_pos
                node = node[part]
            elif isinstance(node, YamlSeq) and isinstance(part, int) and 0 <= part < len(node):
                pos = node.marks[part]
                node = node[part]
            else:
                break
        return pos

    def locate(self, parts: KeyPath | list[Hashable], *, key: bool = False) -> Location:
        line, column = self.position(parts, key=key)
        return Location(self.file, line, column)

    def diagnostic(
        self,
        code: str,
        message: str,
        parts: KeyPath | list[Hashable] = (),
        *,
        key: bool = False,
        severity: Severity = "error",
        hint: str = "",
    ) -> Diagnostic:
        return Diagnostic(code, message, self.locate(parts, key=key), dotted(parts), severity, hint)


def dotted(parts: KeyPath | list[Hashable]) -> str:
    """`('answers', 'gov-01', 'evidence', 0)` -> `answers.gov-01.evidence[0]`."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = str(part)
            # Keys come from the file: escape control and bidi characters before a terminal sees them.
            text += ("." if text else "") + (name if name.isprintable() else repr(name)[1:-1])
    return text


def _fail(file: str, code: str, message: str, pos: Position = (1, 1), hint: str = "") -> InputError:
    diagnostic = Diagnostic(code, message, Location(file, *pos), "", "error", hint)
    return InputError(f"{file}: {message}", [diagnostic])


def _too_large(file: str, size: int, max_bytes: int) -> InputError:
    return _fail(
        file,
        "too-large",
        f"the file is {size:,} bytes, over the limit of {max_bytes:,}",
        hint="split the file, or raise the limit with --max-bytes",
    )


def _pos(mark: Any) -> Position:
    return (mark.line + 1, mark.column + 1)


def _decode(raw: bytes, file: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise _fail(
            file,
            "not-utf8",
            f"byte 0x{raw[exc.start]:02x} at offset {exc.start} is not valid UTF-8",
            (line, column),
            "save the file as UTF-8",
        ) from None
    return text.removeprefix("\ufeff")


def load_bytes(raw: bytes, file: str, *, max_bytes: int = DEFAULT_MAX_BYTES, path: Path | None = None) -> Document:
    """Parse one YAML document from bytes, refusing anything outside the limits."""
    if len(raw) > max_bytes:
        raise _too_large(file, len(raw), max_bytes)
    text = _decode(raw, file)
    data, root = _build(text, file)
    return Document(file, data, hashlib.sha256(raw).hexdigest(), root, path, raw)


def read_bytes(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, display: str | None = None) -> bytes:
    """A file's bytes, refused past the size limit; a missing or unreadable file is a located error."""
    file = display or str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise _too_large(file, size, max_bytes)
        with path.open("rb") as handle:
            # Bounded: a device or /proc file reports size 0 and may never end.
            raw = handle.read(max_bytes + 1)
    except IsADirectoryError:
        raise _fail(file, "not-a-file", "is a directory, not a file") from None
    except FileNotFoundError:
        raise _fail(file, "no-such-file", "no such file", hint="check the path") from None
    except OSError as exc:
        raise _fail(file, "unreadable", f"cannot be read: {exc.strerror}") from None
    return raw


def load_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, display: str | None = None) -> Document:
    """Read and parse a YAML file; a missing or unreadable file is a located error."""
    file = display or str(path)
    return load_bytes(read_bytes(path, max_bytes=max_bytes, display=display), file, max_bytes=max_bytes, path=path)


class _Builder:
    """Turns a parser's event stream into YamlMap/YamlSeq/scalars without recursion."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.anchors: dict[str, tuple[Any, int, Position]] = {}  # anchor -> (value, node count, where)
        self.alias_budget = MAX_ALIAS_EXPANSION

    def error(self, code: str, message: str, mark: Any, hint: str = "") -> InputError:
        return _fail(self.file, code, message, _pos(mark), hint)

    def check_tag(self, tag: str | None, allowed: set[str], mark: Any) -> None:
        if tag in _NON_SPECIFIC or tag in allowed:
            return
        if tag == _TAG + "merge":
            raise self.error("yaml-merge", "YAML merge keys (<<) are not supported", mark, "write the keys out in full")
        raise self.error(
            "yaml-tag",
            f"the YAML tag {tag!r} is not allowed here",
            mark,
            "remove the tag: only plain YAML values (strings, numbers, booleans, dates, lists, mappings) are accepted",
        )

    def scalar(self, event: ScalarEvent) -> Any:
        tag: str
        if event.tag is None:
            # types-PyYAML leaves Resolver.resolve unannotated; it returns the tag, a str.
            tag = _resolver.resolve(ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
        elif event.tag == "!":
            tag = _TAG + "str"
        else:
            tag = event.tag
        self.check_tag(tag, SCALAR_TAGS, event.start_mark)
        if tag in _NUMBER_TAGS and len(event.value) > MAX_NUMBER_CHARS:
            raise self.error(
                "number-too-long",
                f"a number written with {len(event.value):,} characters is over the limit of {MAX_NUMBER_CHARS}",
                event.start_mark,
                "quote it if it is text",
            )
        # The C parser's marks (yaml._yaml.Mark) serve the constructor as well; the stubs name only yaml.error.Mark.
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)  # type: ignore[arg-type]
        try:
            return _construct_scalar[tag](_constructor, node)
        except (ValueError, TypeError, yaml.YAMLError) as exc:
            detail = f": {exc}"
        except (KeyError, AttributeError, IndexError):  # an explicit tag on the wrong text: `!!bool maybe`, `!!int ""`
            detail = ""
        raise self.error(
            "yaml-value", f"{event.value!r} is not a valid {tag.removeprefix(_TAG)}{detail}", event.start_mark
        )

    def build(self, parser: Any) -> tuple[Any, Position]:
        # This loop runs once per YAML node: it dispatches on the exact event class (most frequent
        # first), keeps the innermost open collection in locals (the outer ones wait on `stack`),
        # and resolves plain scalars only when their first character could make them more than text.
        stack: list[tuple[Any, ...]] = []
        container: Any = None  # the innermost open YamlMap or YamlSeq; None at the top level
        marks: Any = None
        in_seq = False
        key: Any = _NO_KEY  # the innermost mapping's key waiting for its value
        key_pos: Position | None = None
        count = 0  # nodes in the innermost collection, itself included (for the alias budget)
        own_anchor: str | None = None
        own_start: Position = (1, 1)
        result: Any = None
        root: Position = (1, 1)
        documents = 0
        get_event = parser.get_event
        plain = _plain_scalars
        while True:
            event = get_event()
            kind = type(event)
            if kind is ScalarEvent:
                mark = event.start_mark
                start = (mark.line + 1, mark.column + 1)
                text = event.value
                tag = event.tag
                if tag is None and event.implicit[0]:
                    if text[:1] not in _IMPLICIT_FIRST:
                        value = text
                    else:
                        value = plain.get(text, _NO_KEY)
                        if value is _NO_KEY:
                            value = self.scalar(event)
                            if len(plain) >= _PLAIN_SCALARS_MAX:
                                plain.clear()
                            plain[text] = value
                elif tag in _NON_SPECIFIC:  # quoted or block text: a string as written
                    value = text
                else:
                    value = self.scalar(event)
                anchor, size = event.anchor, 1
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                is_map = kind is MappingStartEvent
                self.check_tag(event.tag, {MAPPING_TAG if is_map else SEQUENCE_TAG}, event.start_mark)
                if len(stack) >= MAX_DEPTH:
                    raise self.error("too-deep", f"nested deeper than {MAX_DEPTH} levels", event.start_mark)
                stack.append((container, marks, in_seq, key, key_pos, count, own_anchor, own_start))
                container = YamlMap() if is_map else YamlSeq()
                marks, in_seq, key, count = container.marks, not is_map, _NO_KEY, 1
                own_anchor, own_start = event.anchor, _pos(event.start_mark)
                continue
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                value, anchor, size, start = container, own_anchor, count, own_start
                container, marks, in_seq, key, key_pos, count, own_anchor, own_start = stack.pop()
            elif kind is AliasEvent:
                if event.anchor not in self.anchors:
                    raise self.error(
                        "yaml-alias", f"the alias *{event.anchor} has no anchor before it", event.start_mark
                    )
                value, size, _ = self.anchors[event.anchor]
                self.alias_budget -= size
                if self.alias_budget < 0:
                    raise self.error(
                        "alias-bomb",
                        f"aliases expand to more than {MAX_ALIAS_EXPANSION:,} nodes",
                        event.start_mark,
                        "write the values out instead of repeating large anchors",
                    )
                anchor, start = None, _pos(event.start_mark)
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise self.error(
                        "yaml-documents",
                        "the file holds more than one YAML document",
                        event.start_mark,
                        "keep one document per file (remove the extra '---')",
                    )
                continue
            elif event is None or kind is StreamEndEvent:
                break
            else:  # StreamStartEvent, DocumentEndEvent
                continue
            if anchor is not None:
                # YAML 1.2 lets an anchor be defined again (an alias then means the latest), PyYAML
                # refuses it; aiassure refuses it too, so that every `*name` means one thing to
                # whoever reads the file and every YAML tool reads it the same (docs/cli.md).
                if anchor in self.anchors:
                    first = self.anchors[anchor][2]
                    raise _fail(
                        self.file,
                        "yaml-anchor",
                        f"the anchor &{anchor} is defined twice (also at line {first[0]}, column {first[1]})",
                        start,
                        "give each anchor its own name",
                    )
                self.anchors[anchor] = (value, size, start)
            if container is None:
                result, root = value, start
                continue
            count += size
            if in_seq:
                container.append(value)
                marks.append(start)
            elif key is _NO_KEY:
                if isinstance(value, (YamlMap, YamlSeq)):
                    raise self.error(
                        "yaml-key", "a mapping key must be a plain value, not a list or mapping", event.start_mark
                    )
                if value in marks:
                    first = marks[value][0]
                    raise self.error(
                        "duplicate-key",
                        f"duplicate key {value!r} (first given at line {first[0]}, column {first[1]})",
                        event.start_mark,
                        "keep one of the two entries",
                    )
                key, key_pos = value, start
            else:
                container[key] = value
                marks[key] = (key_pos, start)
                key = _NO_KEY
        return result, root


_NO_KEY = object()
# Plain scalars repeat across files (keys, levels, yes/no, dates): resolving and constructing
# each one is much of the cost of reading a submission, so their values (all immutable) are
# kept, up to a bound so that memory stays flat however many files a process reads.
_plain_scalars: dict[str, Any] = {}
_PLAIN_SCALARS_MAX = 4096
# The first characters for which the resolver may give a plain scalar a tag other than str
# (the safe resolver has no wildcard entry); any other plain scalar is text as written.
_IMPLICIT_FIRST = frozenset(_resolver.yaml_implicit_resolvers)


def _unacceptable(file: str, text: str, exc: yaml.reader.ReaderError) -> InputError:
    """A character YAML forbids anywhere (NUL, most control characters), located."""
    # libyaml counts `position` in UTF-8 bytes, PyYAML in characters: find the character instead.
    character = chr(exc.character) if isinstance(exc.character, int) else exc.character
    before = text[: max(text.find(character), 0)]
    position = (before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1)
    return _fail(
        file, "yaml-character", f"the character U+{ord(character):04X} is not allowed in YAML", position, "remove it"
    )


def _build(text: str, file: str) -> tuple[Any, Position]:
    builder = _Builder(file)
    parser = None
    try:
        parser = _Parser(text)  # the pure-Python reader checks every character here
        return builder.build(parser)
    except yaml.reader.ReaderError as exc:
        raise _unacceptable(file, text, exc) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(part for part in (exc.context, exc.problem) if part) or "malformed YAML"
        raise _fail(file, "yaml-syntax", message, _pos(mark) if mark else (1, 1)) from None
    except yaml.YAMLError as exc:
        raise _fail(file, "yaml-syntax", str(exc)) from None
    finally:
        if parser is not None:
            parser.dispose()
