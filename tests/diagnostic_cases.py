"""The one format of diagnostic cases (tests/diagnostics/*.yaml), read into typed cases, and the command
line's report read back into located diagnostics to compare with them.

A fixture file names its `reader` and lists `cases`. A case gives its file in one of four ways: `file`
(the whole text), `answer` or `replace` (an edit of the fixture's `base`), or, in a fixture with a
`corpus` folder (relative to the fixture), by its `name`: the file of that name there. Then the one
diagnostic it must give: `code`, `at` ("line:col"), and optionally `message` and `hint` (text they
must hold), `path` (the key path it names) and `in` (the file it is located in, when that is not the
case's own: a rubric reported where the rubric it extends went wrong).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from aiassure.errors import terminal_text

CASES_DIR = Path(__file__).parent / "diagnostics"

# Who runs each reader's cases: the in-process readers in tests/test_diagnostic_cases.py, the command
# lines in the modules that set up their corpus (processes under resource limits, a pinned today).
READERS = {
    "yaml": "tests/test_diagnostic_cases.py",
    "submission": "tests/test_diagnostic_cases.py",
    "validate-command": "tests/hostile/test_hostile_corpus.py, tests/hostile/test_rounds_and_text.py",
    "lint-command": "tests/hostile/test_hostile_corpus.py",
}
CASE_KEYS = {"name", "file", "answer", "replace", "code", "at", "message", "hint", "path", "in"}


@dataclass(frozen=True)
class Case:
    """One case: its file (text, or a corpus file) and the one diagnostic that file must give."""

    name: str
    code: str
    line: int
    column: int
    message: str
    hint: str
    path: str | None
    located_in: str | None
    text: str | None
    corpus_file: Path | None

    @property
    def where(self) -> str:
        """`file:line:col` as the command line reports it (the file by its name)."""
        return f"{self.located_in or self.name}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Fixture:
    """One fixture file: its reader and its cases, in file order."""

    path: Path
    reader: str
    corpus: Path | None
    cases: tuple[Case, ...]

    @property
    def names(self) -> list[str]:
        return [case.name for case in self.cases]

    def case(self, name: str) -> Case:
        [found] = [case for case in self.cases if case.name == name]
        return found


def _case_text(case: dict[str, Any], base: str | None) -> str | None:
    """The case's file: given whole, the base with one answer line or one passage replaced, or None (a corpus file)."""
    if "file" in case:
        return str(case["file"])
    if "answer" not in case and "replace" not in case:
        return None
    assert base is not None, f"case {case['name']!r} edits a base the fixture does not give"
    if "answer" in case:
        ident = case["answer"].split(":")[0]
        lines = [line for line in base.splitlines() if not line.startswith(f"  {ident}:")]
        return "\n".join(lines[:10] + [f"  {case['answer']}"] + lines[10:]) + "\n"
    old, new = case["replace"]
    assert old in base, f"case {case['name']!r}: {old!r} is not in the base"
    return str(base.replace(old, new))


def load_fixture(path: Path) -> Fixture:
    """Read one fixture file, refusing keys the format does not have (a misspelt `hint` would check nothing)."""
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert content["reader"] in READERS, f"{path.name}: unknown reader {content['reader']!r}"
    corpus = (path.parent / content["corpus"]).resolve() if "corpus" in content else None
    cases = []
    for raw in content["cases"]:
        assert set(raw) <= CASE_KEYS, f"{path.name}: case {raw.get('name')!r} has unknown keys {set(raw) - CASE_KEYS}"
        text = _case_text(raw, content.get("base"))
        assert (text is None) == (corpus is not None), f"{path.name}: case {raw['name']!r} gives no file"
        line, column = (int(part) for part in str(raw["at"]).split(":"))
        cases.append(
            Case(
                name=str(raw["name"]),
                code=str(raw["code"]),
                line=line,
                column=column,
                message=str(raw.get("message", "")),
                hint=str(raw.get("hint", "")),
                path=raw.get("path"),
                located_in=raw.get("in"),
                text=text,
                corpus_file=corpus / raw["name"] if corpus is not None else None,
            )
        )
    names = [case.name for case in cases]
    assert len(names) == len(set(names)), f"{path.name}: two cases share a name"
    return Fixture(path, content["reader"], corpus, tuple(cases))


def fixtures() -> list[Fixture]:
    return [load_fixture(path) for path in sorted(CASES_DIR.glob("*.yaml"))]


@dataclass(frozen=True)
class Reported:
    """One diagnostic as the command line printed it."""

    file: str
    line: int
    column: int
    severity: str
    code: str
    path: str | None
    message: str
    hint: str


_REPORTED = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning) (?P<code>[a-z0-9-]+)"
    r"(?: \((?P<path>.*?)\))?: (?P<message>.*)$"
)
_HINT = "    hint: "


def reported(output: str) -> list[Reported]:
    """Every `file:line:col: severity code (path): message` line of the output, with the hint line under it."""
    lines = output.splitlines()
    found = []
    for index, line in enumerate(lines):
        match = _REPORTED.match(line)
        if match is None:
            continue
        following = lines[index + 1] if index + 1 < len(lines) else ""
        found.append(
            Reported(
                file=match["file"],
                line=int(match["line"]),
                column=int(match["column"]),
                severity=match["severity"],
                code=match["code"],
                path=match["path"],
                message=match["message"],
                hint=following[len(_HINT) :] if following.startswith(_HINT) else "",
            )
        )
    return found


def gives(case: Case, output: str, *, with_text: bool = True) -> bool:
    """Whether the output reports the case's error at its place, holding its message, hint and path
    (`with_text=False`: the code and the place alone)."""
    own = case.located_in or case.name
    for diagnostic in reported(output):
        if (diagnostic.file == own or diagnostic.file.endswith(f"/{own}")) and (
            diagnostic.line,
            diagnostic.column,
            diagnostic.severity,
            diagnostic.code,
        ) == (case.line, case.column, "error", case.code):
            if not with_text or (  # the output is terminal text: its code spans without backticks
                terminal_text(case.message) in diagnostic.message
                and terminal_text(case.hint) in diagnostic.hint
                and case.path in (None, diagnostic.path)
            ):
                return True
    return False
