"""Run a command and write its peak resident memory, in MiB, to a file: python bench/peak_memory.py OUT CMD...

A process's peak memory counts whatever its parent held when it was forked, so a command forked
straight from a large benchmark process would report at least that. This small process starts
the command instead and reads the peak of its child (and the child's own children) once it ends.
"""

from __future__ import annotations

import resource
import subprocess
import sys


def main(out: str, argv: list[str]) -> int:
    code = subprocess.call(argv, stdout=subprocess.DEVNULL)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(out, "w", encoding="utf-8") as handle:
        handle.write(f"{peak_kib / 1024:.1f}\n")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
