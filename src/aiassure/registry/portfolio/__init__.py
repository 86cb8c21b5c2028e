"""The national portfolio, computed by the registry in SQL (reports.portfolio renders it)."""

from .build import MixedMajorVersions, build_portfolio
from .model import LIST_LIMIT, SUPPORT_LEVEL, Distribution, Portfolio, Section

__all__ = [
    "LIST_LIMIT",
    "SUPPORT_LEVEL",
    "Distribution",
    "MixedMajorVersions",
    "Portfolio",
    "Section",
    "build_portfolio",
]
