"""Diagnostics as a SARIF 2.1.0 log, the format code-scanning views (GitHub, GitLab, Azure DevOps) show inline."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import Diagnostic

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SOURCE_ROOT = "SRCROOT"


def _artifact_location(file: str, root: Path) -> dict[str, Any]:
    """A file named relative to the folder the check ran in (where code scanning expects it), else as a file URI."""
    path = Path(file)
    absolute = path if path.is_absolute() else (root / path)
    try:
        return {"uri": absolute.resolve().relative_to(root.resolve()).as_posix(), "uriBaseId": SOURCE_ROOT}
    except ValueError:
        return {"uri": absolute.resolve().as_uri()}


def sarif_log(
    diagnostics: Iterable[Diagnostic],
    inputs: dict[str, str | None],
    *,
    root: Path,
    command_line: str,
) -> dict[str, Any]:
    """One SARIF run over `inputs` (file -> SHA-256 of its bytes, when it could be read): each
    diagnostic a result (its code the rule id, its severity the level, its `file:line:col` the
    region, its dotted path a logical location, its hint in the message and a property)."""
    found = list(diagnostics)
    files: dict[str, int] = {}
    for file in [*inputs, *(d.location.file for d in found)]:
        files.setdefault(file, len(files))
    rules: dict[str, int] = {}
    for diagnostic in found:
        rules.setdefault(diagnostic.code, len(rules))
    results = [_result(d, files, rules, root) for d in found]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "aiassure",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [
                            {
                                "id": code,
                                "name": "".join(part.capitalize() for part in code.split("-")),
                                "shortDescription": {"text": code.replace("-", " ").capitalize()},
                            }
                            for code in rules
                        ],
                    }
                },
                "invocations": [{"executionSuccessful": True, "commandLine": command_line}],
                "originalUriBaseIds": {SOURCE_ROOT: {"uri": root.resolve().as_uri() + "/"}},
                "artifacts": [_artifact(file, inputs.get(file), root) for file in files],
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def _artifact(file: str, sha256: str | None, root: Path) -> dict[str, Any]:
    artifact: dict[str, Any] = {"location": _artifact_location(file, root)}
    if sha256:
        artifact["hashes"] = {"sha-256": sha256}
    return artifact


def _result(diagnostic: Diagnostic, files: dict[str, int], rules: dict[str, int], root: Path) -> dict[str, Any]:
    where = diagnostic.location
    physical: dict[str, Any] = {"artifactLocation": _artifact_location(where.file, root) | {"index": files[where.file]}}
    if where.line is not None:
        physical["region"] = {"startLine": where.line, "startColumn": where.column or 1}
    location: dict[str, Any] = {"physicalLocation": physical}
    if diagnostic.path:
        location["logicalLocations"] = [{"fullyQualifiedName": diagnostic.path, "kind": "member"}]
    text = diagnostic.message + (f" Hint: {diagnostic.hint}" if diagnostic.hint else "")
    result: dict[str, Any] = {
        "ruleId": diagnostic.code,
        "ruleIndex": rules[diagnostic.code],
        "level": "error" if diagnostic.is_error else "warning",
        "message": {"text": text},
        "locations": [location],
    }
    if diagnostic.hint:
        result["properties"] = {"hint": diagnostic.hint}
    return result
