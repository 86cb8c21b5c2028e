"""How many examples a Hypothesis test draws: its budget under the `ci` profile, scaled by the active one.

The profiles are registered in tests/conftest.py. A test says `max_examples=examples(500)`, so the
long `fuzz` profile multiplies every test's budget instead of overriding it.
"""

from __future__ import annotations

from hypothesis import settings

CI_EXAMPLES = 100  # the ci profile's max_examples: the unit budgets are given in


def examples(ci_budget: int) -> int:
    return max(1, ci_budget * settings.default.max_examples // CI_EXAMPLES)
