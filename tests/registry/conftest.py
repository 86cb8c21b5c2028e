"""Registry fixtures: a registry URL on each backend (a SQLite file; a PostgreSQL schema of its own when
a test server is given), and a writer of submission files."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from registry_helpers import Submit, submission_yaml

from aiassure.registry.store import Registry, open_registry

POSTGRES_ENV = "AIASSURE_TEST_POSTGRES_URL"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def postgres_schema_url(base: str, schema: str) -> str:
    """The server URL with every connection's search_path set to `schema`."""
    return base + ("&" if "?" in base else "?") + f"options=-csearch_path%3D{schema}"


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty registry URL: a SQLite file, or a schema of its own on the test PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.db'}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set: start a server with .ci/setup-postgres.sh (CI always does)")
    from sqlalchemy import create_engine, text

    schema = f"test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield postgres_schema_url(base, schema)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


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
