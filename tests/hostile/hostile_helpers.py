"""Shared by the hostile tests (a unique module name, so no other test folder's helpers shadow it):
many valid submissions made from the shipped examples, the command line in a real process, the
registry's invariants, PDFs with chosen attachments, and canaries that notice being opened."""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


# -- submissions ----------------------------------------------------------------------------------


def example_files() -> list[Path]:
    """The shipped example submissions of both rounds (they cite files in 2026-Q4/evidence)."""
    return sorted((EXAMPLES / "2026-Q4").glob("*.yaml")) + sorted((EXAMPLES / "2026-Q2").glob("*.yaml"))


def generate_submissions(folder: Path, count: int) -> list[Path]:
    """`count` valid submissions: the shipped examples in turn, each with its subject code made
    unique (`RX1` -> `RX1-G0042`), so that every file is a different assessment."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(EXAMPLES / "2026-Q4" / "evidence", folder / "evidence", dirs_exist_ok=True)
    sources = [(path, path.read_text(encoding="utf-8")) for path in example_files()]
    written = []
    for index in range(count):
        source, text = sources[index % len(sources)]
        renamed, found = re.subn(r"^(  code: \S+)", rf"\1-G{index:04d}", text, count=1, flags=re.M)
        assert found == 1, f"no subject code in {source}"
        path = folder / f"g{index:04d}-{source.name}"
        path.write_text(renamed, encoding="utf-8")
        written.append(path)
    return written


# -- the command line in a real process ------------------------------------------------------------


def aiassure_argv(*args: object) -> list[str]:
    return [sys.executable, "-m", "aiassure", *(str(a) for a in args)]


def run_aiassure(*args: object, timeout: float = 120, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(aiassure_argv(*args), capture_output=True, text=True, timeout=timeout, **kwargs)


@contextmanager
def watchdog(process: subprocess.Popen, seconds: float) -> Iterator[None]:
    """Kill `process` if the block takes longer than `seconds`, so a test fails instead of hanging."""
    timer = threading.Timer(seconds, process.kill)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


# -- the registry's invariants ---------------------------------------------------------------------


def check_registry(url: str) -> dict[str, int]:
    """Every stored submission is whole, and nothing else is stored: returns {sha256: id}.

    Whole: its score rows are exactly the overall score and one per pillar, domain and criterion
    of its result, its failed-gate rows those of its result, and its rubric is stored. Nothing
    else: no score or failed-gate row without its submission, no SHA-256 twice, and at most one
    current submission per assessment.
    """
    from sqlalchemy import create_engine, func, select

    from aiassure.assessments.result import Result
    from aiassure.registry.schema import failed_gates, rubrics, scores, submissions

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            score_rows = dict(
                conn.execute(select(scores.c.submission_id, func.count()).group_by(scores.c.submission_id)).all()
            )
            gate_rows: dict[int, list[str]] = {}
            for submission_id, criterion in conn.execute(
                select(failed_gates.c.submission_id, failed_gates.c.criterion)
            ):
                gate_rows.setdefault(submission_id, []).append(criterion)
            known_rubrics = set(conn.execute(select(rubrics.c.fingerprint)).scalars())
            stored: dict[str, int] = {}
            current: set[tuple] = set()
            problems = []
            for row in conn.execute(select(submissions)):
                result = Result.model_validate_json(row.result_json)
                expected = 1 + len(result.pillars) + len(result.domains) + len(result.criteria)
                if score_rows.pop(row.id, 0) != expected:
                    problems.append(f"#{row.id} has an incomplete set of scores")
                if sorted(gate_rows.pop(row.id, [])) != sorted(g.criterion for g in result.failed_gates):
                    problems.append(f"#{row.id} has the wrong failed gates")
                if row.failed_gate_count != len(result.failed_gates) or row.rubric_fingerprint not in known_rubrics:
                    problems.append(f"#{row.id} disagrees with its result or has no rubric row")
                if row.sha256 in stored or row.sha256 != result.submission.sha256:
                    problems.append(f"#{row.id}: SHA-256 stored twice or not its result's")
                key = (row.rubric_id, row.subject_type, row.subject_code, row.assessed_by_code, row.round)
                if row.superseded_by is None:
                    if key in current:
                        problems.append(f"#{row.id}: a second current submission of {key}")
                    current.add(key)
                stored[row.sha256] = row.id
            problems += [f"orphan score rows of #{i}" for i in score_rows] + [
                f"orphan gates of #{i}" for i in gate_rows
            ]
    finally:
        engine.dispose()
    assert not problems, problems[:20]
    return stored


def sqlite_integrity(url: str) -> str:
    """`PRAGMA integrity_check` of a SQLite registry ('ok' when sound), opened without aiassure."""
    import sqlite3

    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        return "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
    finally:
        connection.close()


# -- PDFs with chosen attachments ------------------------------------------------------------------


def deflated_zeros(total: int, chunk: int = 1 << 24) -> bytes:
    """A zlib stream of `total` zero bytes, made in a blink however large: one compressed chunk
    ends in a full flush, which resets the compressor, so the same bytes encode every chunk."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(chunk)) + compressor.flush(zlib.Z_FULL_FLUSH)
    count, rest = divmod(total, chunk)
    tail = compressor.compress(bytes(rest)) + compressor.flush(zlib.Z_FINISH)
    adler32 = ((total % 65521) << 16) | 1  # the checksum of `total` zeros
    return b"\x78\xda" + block * count + tail + adler32.to_bytes(4, "big")


def pdf_with_attachments(attachments: Sequence[tuple[str, bytes, Sequence[str]]]) -> bytes:
    """A minimal PDF embedding files given as (name, stored bytes, filter names such as
    "FlateDecode"): the stored bytes are written as they are, whatever they decode to."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    pages = add(b"<< /Type /Pages /Kids [] /Count 0 >>")
    names = []
    for name, data, filters in attachments:
        filter_list = b" ".join(b"/" + f.encode() for f in filters)
        stream = add(
            b"<< /Type /EmbeddedFile /Length %d /Filter [%s] >>\nstream\n" % (len(data), filter_list)
            + data
            + b"\nendstream"
        )
        spec = add(
            b"<< /Type /Filespec /F (%s) /UF (%s) /EF << /F %d 0 R >> >>" % (name.encode(), name.encode(), stream)
        )
        names.append(b"(%s) %d 0 R" % (name.encode(), spec))
    catalog = add(
        b"<< /Type /Catalog /Pages %d 0 R /Names << /EmbeddedFiles << /Names [%s] >> >> >>" % (pages, b" ".join(names))
    )
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref)
    return bytes(out)


# -- canaries: files that notice being opened ------------------------------------------------------

IN_ACCESS, IN_OPEN, IN_ISDIR = 0x1, 0x20, 0x40000000
_EVENT = struct.Struct("iIII")


class OpenWatch:
    """Records every open (and read) of the files in some folders, by any process, with inotify.

    A FIFO is watched as well by a thread that tries to open it for writing without blocking,
    which succeeds only while a reader has it open: a reader that would block forever on a
    FIFO (opening it waits for a writer) is seen, recorded, and released with end-of-file."""

    def __init__(self, folders: Sequence[Path], fifos: Sequence[Path] = ()) -> None:
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self.libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        assert self.fd >= 0, os.strerror(ctypes.get_errno())
        self.folders: dict[int, Path] = {}
        for folder in folders:
            wd = self.libc.inotify_add_watch(self.fd, os.fsencode(folder), IN_OPEN | IN_ACCESS)
            assert wd >= 0, os.strerror(ctypes.get_errno())
            self.folders[wd] = folder
        self.fifo_readers: list[Path] = []
        self._stop = threading.Event()
        self._fifos = list(fifos)
        self._thread = threading.Thread(target=self._poll_fifos, daemon=True)
        self._thread.start()

    def _poll_fifos(self) -> None:
        while not self._stop.wait(0.005):
            for fifo in self._fifos:
                try:
                    fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
                except OSError:  # ENXIO: nobody has it open for reading
                    continue
                self.fifo_readers.append(fifo)
                os.close(fd)  # the reader gets end-of-file instead of waiting forever

    def events(self) -> list[str]:
        """What was opened or read since the last call, as `open folder/name`."""
        found = []
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return found
            offset = 0
            while offset < len(data):
                wd, mask, _cookie, length = _EVENT.unpack_from(data, offset)
                name = data[offset + _EVENT.size : offset + _EVENT.size + length].rstrip(b"\0").decode()
                offset += _EVENT.size + length
                what = "open" if mask & IN_OPEN else "read"
                found.append(f"{what} {self.folders[wd] / name}{'/' if mask & IN_ISDIR else ''}")

    def settle(self) -> None:
        """Give the FIFO thread time to see a reader that has just opened."""
        time.sleep(0.05)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        os.close(self.fd)
