"""Service fixtures: a running service on each backend (see service_helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from service_helpers import Service, service_on

from databases import BACKENDS


@pytest.fixture(params=BACKENDS)
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    """A fresh service on each backend."""
    with service_on(request.param, tmp_path) as running_service:
        yield running_service


@pytest.fixture(scope="module", params=BACKENDS)
def shared_service(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """One service per backend for a module's read-only tests."""
    with service_on(request.param, tmp_path_factory.mktemp("service")) as running_service:
        yield running_service
