"""Fixtures shared by the whole suite: input files, a rubric library blind to the environment, an empty
registry on each backend, and a local HTTP server that records what reaches it."""

from __future__ import annotations

import http.server
import os
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings

from aiassure.clock import ENV_ROUND_MARGIN, ENV_TODAY
from aiassure.rubrics.loader import ENV_PATH, RubricLibrary
from databases import BACKENDS, database

Write = Callable[..., Path]

# Hypothesis profiles. `ci` (the default, and what CI runs) is derandomised: the same examples on every
# run, no example database, so a test cannot pass on one run and fail on the next. `fuzz`
# (HYPOTHESIS_PROFILE=fuzz) draws 100 times as many fresh examples per test, keeps failures in
# .hypothesis/ and replays them first: for hunting by hand (docs/security.md). Tests give their
# budget with hypothesis_budget.examples(n), which the profile scales.
settings.register_profile("ci", max_examples=100, derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile(
    "fuzz",
    max_examples=10_000,
    derandomize=False,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# "Today", pinned for the whole suite and every process it starts (aiassure.clock): which rounds
# and dates are in the future must not change with the day the tests run. A test that needs
# another day sets AIASSURE_TODAY or passes --today itself; AIASSURE_TODAY_FOR_TESTS overrides
# this one (to run the suite as of another day).
TODAY = os.environ.get("AIASSURE_TODAY_FOR_TESTS", "2026-12-07")
os.environ[ENV_TODAY] = TODAY
os.environ.pop(ENV_ROUND_MARGIN, None)


# Test modules marked `slow` as a whole (registered in pyproject.toml): `python -m pytest -m "not slow"`
# is the quick loop while working, CI runs everything. Single slow tests carry @pytest.mark.slow.
SLOW_MODULES = {
    "tests/bench/test_bench_smoke.py": "runs every benchmark once",
    "tests/hostile/test_hostile_corpus.py": "one CLI process per hostile file, under resource limits",
    "tests/hostile/test_registry_safety.py": "kills ingests, runs concurrent writers, PDF bombs",
    "tests/reports/test_reports_browser.py": "headless Chromium and axe-core",
    "tests/reports/test_reports_layout.py": "renders and measures PDFs",
    "tests/commands/test_demo.py": "the whole demo: scores, reports, registry, portfolio",
    "tests/fuzz/test_fuzz_rubrics.py": "hundreds of generated rubrics",
    "tests/fuzz/test_fuzz_submissions.py": "hundreds of generated submissions",
    "tests/bench/test_fast_paths.py": "thousands of examples against the general code",
    "tests/hostile/test_writes.py": "kills writers half way, fills disks",
    "tests/registry/test_query_plans.py": "builds a large registry to read query plans",
    "tests/reports/test_reports_pdf.py": "renders PDFs",
    "tests/interop/test_lhc_forms.py": "LHC-Forms in headless Chromium",
    "tests/hostile/test_outputs.py": "real processes under other locales, onto full and closed outputs",
    "tests/hostile/test_templates.py": "runaway templates stopped by their bounds, some in memory-limited processes",
}


# Whole folders in the slow set, and why.
SLOW_FOLDERS = {
    "tests/service/": "each module starts the service under uvicorn and talks real HTTP",
}
SLOW_MODULES["tests/test_plugins.py"] = "installs the example plugin package into the environment"


def is_slow(relative: str, item: pytest.Item) -> bool:
    """Whether a test is left out of the quick loop: a slow module or folder, the PostgreSQL side of a
    test run on both backends (the quick loop runs the SQLite side), or a Hypothesis property test
    (hundreds of examples each)."""
    return (
        relative in SLOW_MODULES
        or relative.startswith(tuple(SLOW_FOLDERS))
        or item.get_closest_marker("postgres") is not None
        or bool(getattr(getattr(item, "obj", None), "is_hypothesis_test", False))
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(str(config.rootpath))
    for item in items:
        if is_slow(Path(str(item.path)).relative_to(root).as_posix(), item):
            item.add_marker(pytest.mark.slow)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="Rewrite the golden files (reports, JSON outputs, docs/diagnostics.md) from the current output.",
    )


@pytest.fixture(scope="session")
def update_goldens(request: pytest.FixtureRequest) -> bool:
    """Whether to rewrite golden files rather than compare with them (review the diff afterwards)."""
    return (
        bool(request.config.getoption("--update-goldens", default=False))
        or os.environ.get("AIASSURE_UPDATE_GOLDENS") == "1"
    )


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """`write(name, content)` -> path under tmp_path: bytes as they are, text dedented, a mapping as YAML."""

    def _write(name: str, content: Any) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RubricLibrary:
    """A rubric library searching tmp_path (then the built-in library), whatever AIASSURE_RUBRIC_PATH says."""
    monkeypatch.delenv(ENV_PATH, raising=False)
    return RubricLibrary([tmp_path])


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty registry URL that other processes can open too (`databases.database`)."""
    with database(request.param, tmp_path) as url:
        yield url


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # the name http.server calls
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that records every request it gets: (base URL, paths requested)."""
    _Recorder.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.requests
    finally:
        server.shutdown()
        server.server_close()
