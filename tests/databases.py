"""Fresh registry databases for tests: a SQLite file, or a schema of its own on the test PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

POSTGRES_ENV = "AIASSURE_TEST_POSTGRES_URL"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def postgres_schema_url(base: str, schema: str) -> str:
    """The server URL with every connection's search_path set to `schema`."""
    return base + ("&" if "?" in base else "?") + f"options=-csearch_path%3D{schema}"


@contextmanager
def database(backend: str, tmp: Path) -> Iterator[str]:
    """A fresh, empty registry URL that other processes can open too: a SQLite file in `tmp`, or a
    schema of its own on the test PostgreSQL (dropped afterwards)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp / 'registry.db'}"
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
