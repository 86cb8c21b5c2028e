"""The `slow` marker of the hostile tests.

`python -m pytest tests/hostile -m "not slow"` leaves out the tests that kill processes, run
concurrent writers or render PDFs; CI runs everything.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "slow: kills real processes, runs concurrent writers or renders PDFs (CI runs it; -m 'not slow' skips)",
    )
