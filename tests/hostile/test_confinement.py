"""Issue 11, class 4: nothing a file says can reach outside its folder.

A dishonest submitter names files far from the submission: a `rubric:` path climbing out with
`../`, an absolute one, a symbolic link out (to a file or through a folder), the same for evidence
paths, a PDF report whose embedded submission is called `../../x.yaml`, and symbolic links out of
a folder given to `registry ingest`, `validate` and `score`. Each is refused by the one rule
(`fsutil.confined`) with a diagnostic, nothing outside is even opened (inotify watches the folder
outside), the rest of the batch goes on, and a file named as a rubric that is not one never has a
word of its content shown.
"""

from __future__ import annotations

import json
import os
import shutil
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hostile_helpers import EXAMPLES, OpenWatch, pdf_with_attachments

from aiassure.assessments.score_files import ScoreOptions
from aiassure.cli import main
from aiassure.fsutil import Unconfined, attachment_problem, confined
from aiassure.registry.intake import read_input
from aiassure.registry.store import open_registry

LOCAL = EXAMPLES / "local-rubric"
RUBRIC_NAME = "northshire-ai-readiness.yaml"
SECRET = "CANARY-7f3a9 not for your eyes"


def run(*args: object) -> tuple[int, str]:
    """(exit code, stdout and stderr together) of one command in this process."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout + result.stderr


def ingest(db: str, *paths: object) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(main, ["registry", "ingest", *map(str, paths), "--db", db, "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, json.loads(result.stdout), result.stderr


def stored_shas(db: str) -> set[str]:
    registry = open_registry(db, must_exist=True)
    try:
        return {row.sha256 for row in registry.listing()}
    finally:
        registry.close()


@pytest.fixture
def outside(tmp_path: Path) -> Iterator[tuple[Path, OpenWatch]]:
    """A folder beside the submissions' one holding files worth stealing (a valid rubric, valid
    submissions, a canary), watched for any open."""
    folder = tmp_path / "outside"
    folder.mkdir()
    shutil.copy(LOCAL / RUBRIC_NAME, folder / RUBRIC_NAME)
    for name in ("RX2.yaml", "RX3.yaml"):
        shutil.copy(EXAMPLES / "2026-Q4" / name, folder / name)
    (folder / "canary.md").write_text(f"{SECRET}\n", encoding="utf-8")
    watch = OpenWatch([folder])
    try:
        yield folder, watch
    finally:
        watch.close()


@pytest.fixture
def inside(tmp_path: Path) -> Path:
    """The submissions' folder: the shipped trust submission RX1 with its evidence, and the local
    rubric example's submission (its rubric is not here: each test says where it is)."""
    folder = tmp_path / "in"
    shutil.copytree(EXAMPLES / "2026-Q4" / "evidence", folder / "evidence")
    shutil.copy(EXAMPLES / "2026-Q4" / "RX1.yaml", folder / "RX1.yaml")
    shutil.copy(LOCAL / "northshire-2026-Q4.yaml", folder / "local.yaml")
    return folder


def _name_rubric(submission: Path, ref: str) -> None:
    text = submission.read_text(encoding="utf-8")
    submission.write_text(text.replace(f"rubric: {RUBRIC_NAME}", f"rubric: {json.dumps(ref)}"), encoding="utf-8")


# -- the rule itself ---------------------------------------------------------------------------------


def test_the_one_rule_takes_names_inside_and_refuses_every_way_out(tmp_path: Path) -> None:
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "out.txt").write_text("x", encoding="utf-8")
    os.symlink(tmp_path / "out.txt", tmp_path / "in" / "link.txt")
    os.symlink(tmp_path, tmp_path / "in" / "up")
    os.symlink("sub", tmp_path / "in" / "same")
    base = tmp_path / "in"
    for name in ("a.yaml", "sub/a.yaml", "sub/../a.yaml", "same/a.yaml"):
        assert confined(base, name) == base / name
    refused = {
        "": "is empty",
        "../out.txt": "escapes",
        "sub/../../out.txt": "escapes",
        str(tmp_path / "out.txt"): "must be relative",
        "~/x": "must be relative",
        "C:/x": "must be relative",
        "sub\\..\\..\\out.txt": "not \\",
        "a\0b": "NUL",
        "link.txt": "through a symbolic link",
        "up/out.txt": "through a symbolic link",
    }
    for name, why in refused.items():
        with pytest.raises(Unconfined) as raised:
            confined(base, name)
        assert why in raised.value.reason, (name, raised.value.reason)


@pytest.mark.parametrize("name", ["", ".", "..", "../x.yaml", "a/b.yaml", "a\\b.yaml", "x\0.yaml", "x\n.yaml"])
def test_an_attachment_name_must_be_a_base_name(name: str) -> None:
    assert attachment_problem(name) is not None
    assert attachment_problem("RX1-2026-Q4.yaml") is None


# -- rubric: paths ------------------------------------------------------------------------------------


def test_a_rubric_beside_the_submission_is_read(inside: Path) -> None:
    """The control: the same submission and rubric, both in the folder, validate."""
    shutil.copy(LOCAL / RUBRIC_NAME, inside / RUBRIC_NAME)
    code, output = run("validate", inside / "local.yaml")
    assert code == 0, output


@pytest.mark.parametrize("how", ["climbing", "absolute", "symlinked file", "symlinked folder", "from a subfolder"])
def test_a_rubric_path_out_of_the_submissions_folder_is_refused_unopened(
    inside: Path, outside: tuple[Path, OpenWatch], how: str
) -> None:
    folder, watch = outside
    submission = inside / "local.yaml"
    if how == "climbing":
        ref = f"../outside/{RUBRIC_NAME}"
    elif how == "absolute":
        ref = str(folder / RUBRIC_NAME)
    elif how == "symlinked file":
        os.symlink(folder / RUBRIC_NAME, inside / RUBRIC_NAME)
        ref = RUBRIC_NAME
    elif how == "symlinked folder":
        os.symlink(folder, inside / "rubrics")
        ref = f"rubrics/{RUBRIC_NAME}"
    else:  # `../` that looks harmless from a subfolder but leaves the folder
        (inside / "sub").mkdir()
        submission = inside / "sub" / "local.yaml"
        shutil.move(inside / "local.yaml", submission)
        ref = f"../../outside/{RUBRIC_NAME}"
    _name_rubric(submission, ref)
    watch.events()
    code, output = run("validate", submission)
    assert code == 1
    assert "error rubric-path (rubric)" in output and f"{submission}:6:9" in output, output
    assert watch.events() == []


def test_extends_out_of_the_rubrics_folder_is_refused_unopened(inside: Path, outside: tuple[Path, OpenWatch]) -> None:
    folder, watch = outside
    (inside / RUBRIC_NAME).write_text(
        f"extends: ../outside/{RUBRIC_NAME}\nid: vendor\nversion: 1.0.0\n", encoding="utf-8"
    )
    watch.events()
    code, output = run("validate", inside / "local.yaml")
    assert code == 1 and "error rubric-path" in output and f"{inside / RUBRIC_NAME}:1:10" in output, output
    assert watch.events() == []


# What a hostile `rubric:` line may point at inside the folder: never a rubric, each with the secret.
FOREIGN: dict[str, bytes] = {
    "a password file": f"root:x:0:0:{SECRET}:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/nologin\n".encode(),
    "duplicate keys": f"{SECRET}: 1\n{SECRET}: 2\n".encode(),
    "a mapping": f"token: {SECRET}\nid: {SECRET}\n".encode(),
    "a list": f"- {SECRET}\n".encode(),
    "not UTF-8": b"\xff\xfe" + SECRET.encode(),
    "a control character": f"key: {SECRET}\x01\n".encode(),
    "a long number": f"{SECRET}: {'9' * 300}\n".encode(),
    "a YAML tag": f"x: !!python/object {SECRET}\n".encode(),
    "an unclosed quote": f'x: "{SECRET}\n'.encode(),
}


@pytest.mark.parametrize("what", FOREIGN)
def test_a_file_named_as_a_rubric_that_is_not_one_is_never_quoted(inside: Path, what: str, db_url: str) -> None:
    (inside / "notes.yaml").write_bytes(FOREIGN[what])
    _name_rubric(inside / "local.yaml", "notes.yaml")
    outputs = [run("validate", inside / "local.yaml"), run("score", inside / "local.yaml", "--format", "json")]
    code, summary, err = ingest(db_url, inside / "local.yaml", inside / "RX1.yaml")
    outputs.append((code, json.dumps(summary) + err))
    for code, output in outputs:
        assert code == 1, output
        assert "notes.yaml" in output
        assert SECRET not in output and "root:x" not in output, output
    assert summary["new"] == 1 and len(summary["rejected"]) == 1  # RX1, after it, is stored


def test_another_submission_named_as_a_rubric_is_not_quoted(inside: Path) -> None:
    shutil.copy(EXAMPLES / "2026-Q4" / "RX2.yaml", inside / "RX2.yaml")
    _name_rubric(inside / "local.yaml", "RX2.yaml")
    code, output = run("validate", inside / "local.yaml")
    assert code == 1 and "not-a-rubric" in output, output
    rx2 = (inside / "RX2.yaml").read_text(encoding="utf-8")
    name = next(line.split(":", 1)[1].strip() for line in rx2.splitlines() if line.strip().startswith("name:"))
    assert name not in output and "answers" not in output, output


def test_a_result_cannot_name_its_rubric_by_path(inside: Path, outside: tuple[Path, OpenWatch], db_url: str) -> None:
    """A result JSON names its rubric by id@version: an id that is a path is not followed."""
    folder, watch = outside
    shutil.copy(LOCAL / RUBRIC_NAME, inside / RUBRIC_NAME)
    result = json.loads(read_input(inside / "local.yaml", ScoreOptions()).result.to_json())
    result["rubric"]["id"] = "../outside/northshire-ai-readiness"
    result["rubric"]["version"] = "yaml"
    (inside / "result.json").write_text(json.dumps(result), encoding="utf-8")
    watch.events()
    code, summary, _ = ingest(db_url, inside / "result.json")
    assert code == 1 and "unknown-rubric" in summary["rejected"][0]["reasons"][0], summary
    assert watch.events() == []


# -- evidence paths -------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["climbing", "absolute", "symlinked file", "symlinked folder"])
def test_an_evidence_path_out_of_the_folder_is_refused_unopened(
    inside: Path, outside: tuple[Path, OpenWatch], how: str
) -> None:
    folder, watch = outside
    if how == "climbing":
        target = "../outside/canary.md"
    elif how == "absolute":
        target = str(folder / "canary.md")
    elif how == "symlinked file":
        os.symlink(folder / "canary.md", inside / "evidence" / "canary.md")
        target = "evidence/canary.md"
    else:
        os.symlink(folder, inside / "evidence" / "shared")
        target = "evidence/shared/canary.md"
    submission = inside / "RX1.yaml"
    text = submission.read_text(encoding="utf-8")
    submission.write_text(text.replace("path: evidence/RX1-board-minutes.md", f"path: {target}"), encoding="utf-8")
    watch.events()
    code, output = run("validate", submission)
    assert code == 1 and "error evidence-path" in output and "the submission's folder" in output, output
    assert SECRET not in output
    assert watch.events() == []


# -- PDF attachment names -------------------------------------------------------------------------


def _report_pdf(folder: Path, name: str) -> bytes:
    source = folder / "RX1.yaml"
    result = read_input(source, ScoreOptions()).result.to_json().encode()
    flate = ["FlateDecode"]
    return pdf_with_attachments(
        [("aiassure-result.json", zlib.compress(result), flate), (name, zlib.compress(source.read_bytes()), flate)]
    )


ATTACHMENT_NAMES = ["../RX1.yaml", "../../outside/RX1.yaml", "/tmp/RX1.yaml", "evidence/RX1.yaml", "a\\RX1.yaml", ".."]


@pytest.mark.parametrize("name", [*ATTACHMENT_NAMES, "", "RX1\x00.yaml"])
def test_a_report_pdf_naming_its_submission_with_a_path_is_refused(
    inside: Path, outside: tuple[Path, OpenWatch], db_url: str, name: str
) -> None:
    folder, watch = outside
    (inside / "good.pdf").write_bytes(_report_pdf(inside, "RX1.yaml"))
    (inside / "hostile.pdf").write_bytes(_report_pdf(inside, name))
    shutil.copy(EXAMPLES / "2026-Q4" / "RX4.yaml", inside / "RX4.yaml")
    watch.events()
    code, summary, _ = ingest(db_url, inside / "hostile.pdf", inside / "good.pdf", inside / "RX4.yaml")
    assert code == 1
    [rejected] = summary["rejected"]
    assert rejected["path"] == str(inside / "hostile.pdf") and "attachment-name" in rejected["reasons"][0], summary
    assert summary["new"] == 2  # the good report and the submission after the hostile one
    assert watch.events() == []


# -- folders given to ingest, validate and score ------------------------------------------------


@pytest.fixture
def linked(inside: Path, outside: tuple[Path, OpenWatch]) -> Path:
    """The submissions' folder with, besides RX1: a symbolic link to a valid submission outside,
    a symlinked subfolder holding more of them, and a link that stays inside (to RX1 itself)."""
    folder, _ = outside
    (inside / "local.yaml").unlink()
    os.symlink(folder / "RX2.yaml", inside / "RX2.yaml")
    os.symlink(folder, inside / "more")
    os.symlink("RX1.yaml", inside / "alias.yaml")
    return inside


def test_ingest_refuses_symbolic_links_out_of_a_folder_and_goes_on(
    linked: Path, outside: tuple[Path, OpenWatch], db_url: str
) -> None:
    _, watch = outside
    watch.events()
    code, summary, err = ingest(db_url, linked)
    assert code == 1
    reasons = {r["path"]: r["reasons"] for r in summary["rejected"]}
    assert set(reasons) == {str(linked / "RX2.yaml"), str(linked / "more")}, summary
    assert all("outside-folder" in r[0] for r in reasons.values())
    assert (summary["files"], summary["new"], summary["duplicate"]) == (4, 1, 1)  # RX1, and its alias inside
    rx1 = read_input(linked / "RX1.yaml", ScoreOptions()).sha256
    assert stored_shas(db_url) == {rx1}
    assert watch.events() == []


@pytest.mark.parametrize("command", ["validate", "score"])
def test_validate_and_score_refuse_symbolic_links_out_of_a_folder(
    linked: Path, outside: tuple[Path, OpenWatch], command: str
) -> None:
    _, watch = outside
    watch.events()
    code, output = run(command, linked)
    assert code == 1
    assert output.count("error outside-folder") == 2, output
    # the rest of the folder was read: RX1 and its alias inside
    if command == "validate":
        assert "4 file(s): 2 valid, 2 invalid" in output, output
    else:
        assert output.count("(RX1), 2026-Q4") == 2, output
    assert watch.events() == []
