"""The national portfolio, computed by the registry in SQL (reports.portfolio renders it)."""

from .build import MixedMajorVersions, build_portfolio
from .model import (
    LIST_LIMIT,
    MAX_LIST_LIMIT,
    SUPPORT_LEVEL,
    Distribution,
    ExtraFigure,
    PluginFigure,
    Portfolio,
    RubricInfo,
    Section,
)

__all__ = [
    "LIST_LIMIT",
    "MAX_LIST_LIMIT",
    "SUPPORT_LEVEL",
    "Distribution",
    "ExtraFigure",
    "MixedMajorVersions",
    "PluginFigure",
    "Portfolio",
    "RubricInfo",
    "Section",
    "build_portfolio",
]
