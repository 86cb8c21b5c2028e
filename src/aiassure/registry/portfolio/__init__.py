"""The national portfolio, computed by the registry in SQL (reports.portfolio renders it)."""

from .build import MixedMajorVersions, build_portfolio
from .model import (
    DEFAULT_MIN_PEERS,
    LIST_LIMIT,
    MAX_LIST_LIMIT,
    MAX_MIN_PEERS,
    NATIONAL,
    PEER_GROUPS,
    SCALING_RULE,
    SUPPORT_LEVEL,
    Distribution,
    ExtraFigure,
    PluginFigure,
    Portfolio,
    RubricInfo,
    ScalingRule,
    Section,
    Standing,
)

__all__ = [
    "DEFAULT_MIN_PEERS",
    "LIST_LIMIT",
    "MAX_LIST_LIMIT",
    "MAX_MIN_PEERS",
    "NATIONAL",
    "PEER_GROUPS",
    "SCALING_RULE",
    "SUPPORT_LEVEL",
    "Distribution",
    "ExtraFigure",
    "MixedMajorVersions",
    "PluginFigure",
    "Portfolio",
    "RubricInfo",
    "ScalingRule",
    "Section",
    "Standing",
    "build_portfolio",
]
