"""Atomic file writes: a temporary file in the same folder, fsynced, then renamed over the target."""

from __future__ import annotations

import contextlib
import os
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
def atomic_writer(target: Path, mode: Literal["w", "wb"] = "w") -> Iterator[IO[Any]]:
    """Write through a temporary file; the target appears whole or not at all. A failure to write
    (a full disk, a file size limit, no permission) is an AiassureError naming the target."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
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
        os.replace(temporary, target)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise _unwritable(target, exc) from None
        raise


def _unwritable(target: Path, exc: OSError) -> AiassureError:
    return AiassureError(f"cannot write {target}: {exc.strerror or exc}")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic(target: Path, content: str | bytes) -> None:
    with atomic_writer(target, "wb" if isinstance(content, bytes) else "w") as stream:
        stream.write(content)
