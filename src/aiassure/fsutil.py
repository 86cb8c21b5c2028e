"""Atomic file writes: a temporary file in the same folder, fsynced, then renamed over the target."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Literal

from .errors import AiassureError, UsageError


def refuse_inputs(targets: Iterable[Path], inputs: Iterable[Path]) -> None:
    """Never overwrite a file the command was given to read."""
    # Resolved once: a batch checks every output of every file against every input.
    read = {source.resolve(): source for source in inputs}
    for target in targets:
        source = read.get(target.resolve())
        if source is not None:
            raise UsageError(f"refusing to overwrite the input file {source}")


@contextlib.contextmanager
def atomic_writer(
    target: Path, mode: Literal["w", "wb"] = "w", *, staged: list[Path] | None = None, folder: Path | None = None
) -> Iterator[IO[Any]]:
    """Write through a temporary file; the target appears whole or not at all. A failure to write
    (a full disk, a file size limit, no permission) is an AiassureError naming the target. With
    `staged`, the finished temporary file (in `folder`, on the target's file system, or beside
    the target) is left for `put_in_place`, its path appended to `staged`."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder or target.parent)
    except OSError as exc:
        raise _unwritable(target, exc) from None
    try:
        opened: IO[Any] = (
            os.fdopen(handle, "wb") if mode == "wb" else os.fdopen(handle, "w", encoding="utf-8", newline="\n")
        )
        with opened as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp makes the file private (0600); give it the mode an ordinary open() would.
        os.chmod(temporary, 0o666 & ~_umask())
        if staged is None:
            os.replace(temporary, target)
        else:
            staged.append(Path(temporary))
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise _unwritable(target, exc) from None
        raise


def stage(target: Path, content: bytes, folder: Path) -> Path:
    """Write `content` whole to a new temporary file in `folder` (on the target's file system), for
    `put_in_place` once it is wanted at `target`: a batch can then write every file before it
    knows that all of them may be put in place."""
    staged: list[Path] = []
    with atomic_writer(target, "wb", staged=staged, folder=folder) as stream:
        stream.write(content)
    return staged[0]


def put_in_place(staged: Iterable[tuple[Path, Path]]) -> None:
    """Move each staged temporary file onto its target, atomically, in order; a failure names the target."""
    for temporary, target in staged:
        try:
            os.replace(temporary, target)
        except OSError as exc:
            raise _unwritable(target, exc) from None


STAGING_PREFIX = ".aiassure-staging-"


@contextlib.contextmanager
def staging_folder(parent: Path) -> Iterator[Path]:
    """A hidden folder in `parent` for staged files, removed with whatever is left in it. A process
    killed outright cannot remove its own: the folder is named after the process, and the next one
    here removes those whose process is gone."""
    for stale in parent.glob(f"{STAGING_PREFIX}*") if parent.is_dir() else ():
        pid = stale.name.removeprefix(STAGING_PREFIX)
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    folder = parent / f"{STAGING_PREFIX}{os.getpid()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unwritable(folder, exc) from None
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _unwritable(target: Path, exc: OSError) -> AiassureError:
    return AiassureError(f"cannot write {target}: {exc.strerror or exc}")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic(target: Path, content: str | bytes) -> None:
    with atomic_writer(target, "wb" if isinstance(content, bytes) else "w") as stream:
        stream.write(content)
