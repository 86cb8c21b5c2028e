"""Canonical JSON: the one text form a fingerprint is taken of, shared by rubrics and the registry."""

from __future__ import annotations

import json
from typing import Any


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace: the form a fingerprint is taken of."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


__all__ = ["canonical_json"]
