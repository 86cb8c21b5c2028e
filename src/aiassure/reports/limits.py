"""The bounds on rendering a user template (--template-dir): time and output size, with their defaults."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_TEMPLATE_SECONDS = 10.0
DEFAULT_TEMPLATE_MAX_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class TemplateLimits:
    """How long one rendering of a --template-dir template may take and how much it may write
    (docs/reports.md); the built-in templates, aiassure's own code, are not limited."""

    seconds: float = DEFAULT_TEMPLATE_SECONDS
    max_bytes: int = DEFAULT_TEMPLATE_MAX_BYTES
