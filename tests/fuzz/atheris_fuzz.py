"""Coverage-guided fuzzing of submission and rubric loading with atheris (libFuzzer), for long runs.

    pip install atheris
    mkdir -p /tmp/aiassure-corpus
    python tests/fuzz/atheris_fuzz.py /tmp/aiassure-corpus tests/hostile/submissions \
        tests/hostile/rubrics -max_total_time=3600 -rss_limit_mb=1024

libFuzzer writes the inputs it finds into the first folder it is given and only reads the others,
so the first must be a scratch folder, never tests/hostile. Each input is read both as a
submission and as a rubric; the same checks as the hypothesis tests decide what is a failure
(docs/security.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).parent))

with atheris.instrument_imports(include=["aiassure"]):
    from fuzz_support import FIXTURE_DIR, load_rubric, submission_bytes

    from aiassure.rubrics.loader import RubricLibrary

LIBRARY = RubricLibrary([], use_env=False)


def one_input(data: bytes) -> None:
    submission_bytes(data, LIBRARY, FIXTURE_DIR)
    load_rubric(data, LIBRARY)


def main(argv: list[str]) -> None:
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
