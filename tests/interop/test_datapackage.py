"""`portfolio export --format datapackage`: open data that the `frictionless` library validates, references too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from interop_helpers import EXAMPLES, LOCAL_RUBRICS

from aiassure.cli import main
from aiassure.interop.datapackage import SCORE_FIELDS, SUBMISSION_FIELDS


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def registry_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The shipped examples (two rounds), ingested once for the module."""
    url = f"sqlite:///{tmp_path_factory.mktemp('registry') / 'registry.db'}"
    done = run("registry", "ingest", str(EXAMPLES), "--rubric-dir", str(LOCAL_RUBRICS), "--db", url)
    assert done.exit_code == 0, done.output
    return url


def export(url: str, out: Path, *extra: str) -> dict[str, Any]:
    done = run("portfolio", "export", "--format", "datapackage", "-o", str(out), "--db", url, *extra)
    assert done.exit_code == 0, done.output
    descriptor: dict[str, Any] = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    return descriptor


def frictionless_errors(descriptor: Path) -> list[Any]:
    from frictionless import validate

    report = validate(str(descriptor))
    return [] if report.valid else report.flatten(["type", "note"])


@pytest.mark.slow
def test_the_data_package_is_valid_open_data(registry_url: str, tmp_path: Path) -> None:
    descriptor = export(registry_url, tmp_path / "pkg")
    assert frictionless_errors(tmp_path / "pkg" / "datapackage.json") == []
    assert descriptor["profile"] == "tabular-data-package"
    (licence,) = descriptor["licenses"]
    assert licence["name"] == "OGL-UK-3.0" and licence["title"] == "Open Government Licence v3.0"
    assert licence["path"].startswith("https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3")
    # The rubrics and their fingerprints, as the results name them.
    from aiassure.rubrics.loader import RubricLibrary

    library = RubricLibrary([LOCAL_RUBRICS])
    expected = {
        (r.id, r.version, r.fingerprint)
        for r in (library.resolve(ref) for ref in ("nhs-ai-readiness@1.0.0", "nhs-ai-technology@1.0.0"))
    } | {(lambda r: (r.id, r.version, r.fingerprint))(library.resolve("northshire-ai-readiness@1.0.0"))}
    assert {(r["id"], r["version"], r["fingerprint"]) for r in descriptor["rubrics"]} == expected
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert set(resources) == {"submissions", "scores"}
    for name, fields in (("submissions", SUBMISSION_FIELDS), ("scores", SCORE_FIELDS)):
        schema_fields = resources[name]["schema"]["fields"]
        assert all(f["description"] and f["type"] for f in schema_fields)
        names = [f["name"] for f in schema_fields]
        withheld = {n for n, column in fields.items() if not column.publish}
        assert withheld and not withheld & set(names)
        header = (tmp_path / "pkg" / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
        assert header == names
    for secret in ("sha256", "ingested_at", "source_kind", "superseded_by"):
        assert secret not in (tmp_path / "pkg" / "submissions.csv").read_text(encoding="utf-8").splitlines()[0]
    rows = (tmp_path / "pkg" / "submissions.csv").read_text(encoding="utf-8").splitlines()[1:]
    listed = run("portfolio", "export", "--format", "csv", "--db", registry_url).stdout.splitlines()[1:]
    assert len(rows) == len(listed) == 30  # current submissions only


@pytest.mark.slow
def test_frictionless_finds_tampering_with_a_table(registry_url: str, tmp_path: Path) -> None:
    """The validation is real: a changed cell breaks the hash, a score row of no submission the reference."""
    export(registry_url, tmp_path / "pkg")
    scores = tmp_path / "pkg" / "scores.csv"
    lines = scores.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("subject_code")] = "NOSUCH"
    scores.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    kinds = {kind for kind, _ in frictionless_errors(tmp_path / "pkg" / "datapackage.json")}
    assert "hash-count" in kinds or "hash-count-error" in kinds
    descriptor_path = tmp_path / "pkg" / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        del resource["hash"], resource["bytes"]
    descriptor_path.write_text(json.dumps(descriptor), encoding="utf-8")
    assert {kind for kind, _ in frictionless_errors(descriptor_path)} == {"foreign-key"}


def test_options_licence_round_and_rubric(registry_url: str, tmp_path: Path) -> None:
    descriptor = export(
        registry_url,
        tmp_path / "pkg",
        "--licence",
        "CC-BY-4.0",
        "--round",
        "2026-Q2",
        "--rubric",
        "nhs-ai-technology",
        "--publisher",
        "The national AI Lab",
    )
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert descriptor["name"] == "aiassure-nhs-ai-technology-2026-q2" and descriptor["round"] == "2026-Q2"
    assert [r["id"] for r in descriptor["rubrics"]] == ["nhs-ai-technology"]
    assert descriptor["contributors"] == [{"title": "The national AI Lab", "role": "publisher"}]
    assert frictionless_errors(tmp_path / "pkg" / "datapackage.json") == []
    rows = (tmp_path / "pkg" / "submissions.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert rows and all(",2026-Q2," in row and ",nhs-ai-technology," in row for row in rows)


def test_the_same_registry_gives_the_same_bytes(registry_url: str, tmp_path: Path) -> None:
    export(registry_url, tmp_path / "a")
    export(registry_url, tmp_path / "b")
    for name in ("datapackage.json", "submissions.csv", "scores.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_a_data_package_needs_a_folder_and_current_submissions(registry_url: str, tmp_path: Path) -> None:
    base = ("portfolio", "export", "--format", "datapackage", "--db", registry_url)
    assert run(*base).exit_code == 2
    assert "leave out --all" in run(*base, "-o", str(tmp_path / "p"), "--all").output
    (tmp_path / "file").write_text("x")
    assert run(*base, "-o", str(tmp_path / "file")).exit_code == 2
    assert (tmp_path / "file").read_text() == "x"
    done = run("portfolio", "export", "--format", "csv", "-o", str(tmp_path), "--db", registry_url)
    assert done.exit_code == 2 and "is a folder" in done.output
