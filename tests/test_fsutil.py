"""Atomic writes: whole or nothing, the previous file intact on failure, the usual permissions."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from aiassure.errors import UsageError
from aiassure.fsutil import atomic_writer, refuse_inputs, write_atomic


def test_write_atomic_replaces_the_file_with_umask_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    old_umask = os.umask(0o022)
    try:
        write_atomic(target, "new")
    finally:
        os.umask(old_umask)
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_a_failure_half_way_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("previous report")
    with pytest.raises(RuntimeError), atomic_writer(target) as stream:
        stream.write("half a new rep")
        raise RuntimeError("disk on fire")
    assert target.read_text() == "previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_refuse_inputs_protects_the_files_read(tmp_path: Path) -> None:
    source = tmp_path / "in.yaml"
    source.write_text("x")
    with pytest.raises(UsageError):
        refuse_inputs([tmp_path / "out.yaml", tmp_path / "." / "in.yaml"], [source])
    refuse_inputs([tmp_path / "out.yaml"], [source])
