"""Files handled safely: atomic writes through a temporary file in the same folder, fsynced, then renamed
(a device or a FIFO is written in place, a symbolic link is followed), never over an input; and
names read from a file confined to the folder they came from."""

from __future__ import annotations

import contextlib
import functools
import os
import posixpath
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Literal

from .errors import AiassureError, InputError, UsageError, printable
from .text import is_ascii_number


def refuse_inputs(targets: Iterable[Path], inputs: Iterable[Path]) -> None:
    """Never overwrite a file the command was given to read: the same path once symbolic links are
    followed, or the same file under another name (a hard link)."""
    # Resolved once: a batch checks every output of every file against every input.
    read: dict[Path | tuple[int, int], Path] = {}
    for source in inputs:
        read[source.resolve()] = source
        identity = _identity(source)
        if identity is not None:
            read[identity] = source
    for target in targets:
        identity = _identity(target)
        named = read.get(target.resolve()) or (read.get(identity) if identity is not None else None)
        if named is not None:
            raise UsageError(f"refusing to overwrite the input file {printable(str(named))}")


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return (info.st_dev, info.st_ino) if stat.S_ISREG(info.st_mode) else None


def destination(target: Path) -> tuple[Path, bool]:
    """Where a write of `target` goes, and whether in place: a regular file (or none yet) is
    replaced atomically, at the end of any symbolic link so that the link stays; a character
    device or a FIFO (`/dev/null`, `/dev/stdout`, a pipe made with mkfifo) is written in place,
    never replaced; a folder, a block device or a socket is refused."""
    try:
        info = os.stat(target)  # follows symbolic links
    except FileNotFoundError:
        return (Path(os.path.realpath(target)) if os.path.islink(target) else target), False
    except (OSError, ValueError) as exc:
        raise _unwritable(target, exc if isinstance(exc, OSError) else OSError(str(exc))) from None
    if stat.S_ISREG(info.st_mode):
        return (Path(os.path.realpath(target)) if os.path.islink(target) else target), False
    if stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode):
        return target, True
    what = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file, a FIFO or a character device"
    raise AiassureError(f"cannot write {printable(str(target))}: it is {what}")


def _in_place(target: Path, mode: Literal["w", "wb"]) -> IO[Any]:
    """`target` (a device or a FIFO) opened for writing as it is: no truncation, no rename."""
    try:
        handle = os.open(target, os.O_WRONLY | os.O_NOCTTY)
    except OSError as exc:
        raise _unwritable(target, exc) from None
    if mode == "wb":
        return os.fdopen(handle, "wb")
    return os.fdopen(handle, "w", encoding="utf-8", newline="\n")


@contextlib.contextmanager
def atomic_writer(
    target: Path, mode: Literal["w", "wb"] = "w", *, staged: list[Path] | None = None, folder: Path | None = None
) -> Iterator[IO[Any]]:
    """Write through a temporary file; the target appears whole or not at all. A failure to write
    (a full disk, a file size limit, no permission) is an AiassureError naming the target. With
    `staged`, the finished temporary file (in `folder`, on the target's file system, or beside
    the target) is left for `put_in_place`, its path appended to `staged`. A device or a FIFO is
    written in place, and a symbolic link followed (`destination`)."""
    target, in_place = destination(target)
    if in_place and staged is None:
        try:
            with _in_place(target, mode) as stream:
                yield stream
        except OSError as exc:
            raise _unwritable(target, exc) from None
        return
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
    """Move each staged temporary file onto its target, atomically, in order (a device or a FIFO
    gets its bytes written in place, `destination`); a failure names the target."""
    for temporary, given in staged:
        target, in_place = destination(given)
        try:
            if in_place:
                with open(temporary, "rb") as source, _in_place(target, "wb") as stream:
                    shutil.copyfileobj(source, stream)
                os.unlink(temporary)
            else:
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
        if is_ascii_number(pid) and not _alive(int(pid)):
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
    return AiassureError(f"cannot write {printable(str(target))}: {exc.strerror or exc}")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic(target: Path, content: str | bytes) -> None:
    with atomic_writer(target, "wb" if isinstance(content, bytes) else "w") as stream:
        stream.write(content)


# -- confinement: a file that names a file ---------------------------------------------------------


class Unconfined(InputError):
    """A name, read from a file, that would reach outside the folder it must stay in. `reason`
    completes a sentence about the name: `evidence path 'x' <reason>`."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name!r} {reason}")
        self.name = name
        self.reason = reason


def name_problem(name: str, folder: str = "the folder") -> str | None:
    """Why `name` cannot name a file inside `folder` (how a message calls it), or None: the part of
    the one rule (see `confined`) that needs no file system. A name is relative, separates folders
    with `/` (a browser reading a report turns `\\` into `/`, so `a\\..\\..\\x` could escape there;
    refused on every platform, not converted), and does not climb out of the folder."""
    if not name:
        return "is empty"
    if "\0" in name:
        return "holds a NUL character"
    if name.startswith(("/", "\\", "~")) or ":" in name:
        return f"must be relative to {folder}"
    if "\\" in name:
        return "must separate folders with /, not \\"
    normal = posixpath.normpath(name)
    if normal == ".." or normal.startswith("../"):
        return f"escapes {folder}"
    return None


def confined(base: Path, name: str, folder: str = "the folder") -> Path:
    """`base / name`, when `name` (read from a file in `base`) names something inside `base`:
    relative, not climbing out, and still inside once symbolic links are followed. Otherwise
    Unconfined says why; nothing outside is opened. The one rule for `rubric:` and `extends:`
    paths, evidence paths and the files found in a folder given on the command line."""
    problem = name_problem(name, folder)
    if problem is not None:
        raise Unconfined(name, problem)
    joined = base / name
    try:
        inside = resolved(joined).is_relative_to(resolved(base))
    except (OSError, RuntimeError, ValueError) as exc:  # too long, no permission; RuntimeError: a symlink loop
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "symbolic links loop"
        raise Unconfined(name, f"cannot be checked: {reason}") from None
    if not inside:
        raise Unconfined(name, f"escapes {folder} through a symbolic link")
    return joined


def reference_from(folder: Path, target: Path, what: str) -> str:
    """How a file written in `folder` names `target`: its path from there, which must stay inside
    `folder` (a file may name only files in its own folder, see `confined`); UsageError otherwise."""
    reference = Path(os.path.relpath(target.resolve(), folder.resolve())).as_posix()
    if name_problem(reference) is not None:
        raise UsageError(
            f"the {what} {target} is outside {folder}, and a file may name only files in its own folder: "
            f"copy the {what} there, or put its folder on the search path (--rubric-dir) and name it by id@version"
        )
    return reference


def attachment_problem(name: str) -> str | None:
    """Why a file name embedded in a PDF is not a plain base name, or None: no folders (`/` or
    `\\`), not `.` or `..`, no NUL or other control character, not empty."""
    if not name or name in (".", ".."):
        return "is not a file name"
    if "/" in name or "\\" in name:
        return "names a folder: an embedded file's name is a base name"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "holds a control character"
    return None


def resolved(path: Path) -> Path:
    """`path.resolve()`, remembered: the files of a batch share folders and cite the same evidence,
    and resolving walks every component of the path with a system call. Kept by absolute path,
    so that changing the working directory does not mix folders up; errors are not kept."""
    return _resolve_absolute(path.absolute())


@functools.lru_cache(maxsize=1024)
def _resolve_absolute(path: Path) -> Path:
    return path.resolve()
