"""Registry fixtures: an open registry on each backend (over tests/conftest.py's `db_url`), and a writer of
submission files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from registry_helpers import Submit, submission_yaml

from aiassure.registry.store import Registry, open_registry


@pytest.fixture
def registry(db_url: str) -> Iterator[Registry]:
    opened = open_registry(db_url)
    yield opened
    opened.close()


@pytest.fixture
def submit(tmp_path: Path) -> Submit:
    """`submit(code, round, answers, **subject)` writes a submission file and returns its path;
    `assessed_by="RX1"` makes it the assessment of that organisation (named `Trust RX1`)."""
    folder = tmp_path / "submissions"

    def _submit(
        code: str, round_: str, answers: dict[str, object], *, file: str | None = None, **kwargs: object
    ) -> Path:
        path = folder / round_ / (file or f"{code}.yaml")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(submission_yaml(code, round_, answers, **kwargs), encoding="utf-8")  # type: ignore[arg-type]
        return path

    return _submit
