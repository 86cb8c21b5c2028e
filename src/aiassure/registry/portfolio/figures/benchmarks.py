"""Each subject's overall score and percentile among its peers: nationally and in its rubric's peer groups."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import NATIONAL, Benchmark, Standing
from ..queries import as_float, benchmark_query, by_name, from_row

if TYPE_CHECKING:
    from sqlalchemy import Connection, Subquery

    from ...sqltypes import ResultRow


def build(conn: Connection, current: Subquery, groups: tuple[str, ...], min_peers: int, limit: int) -> list[Benchmark]:
    """The first `limit` subjects by name, each with its standing nationally and in each of `groups`;
    a percentile among fewer than `min_peers` peers is left out (its peer count is kept)."""
    query = benchmark_query(current, groups)
    rows = conn.execute(query.order_by(*by_name(query.selected_columns)).limit(limit))
    return [
        from_row(
            Benchmark,
            row,
            standings=tuple(standing(row, group, min_peers) for group in (NATIONAL, *groups)),
        )
        for row in rows
    ]


def standing(row: ResultRow, group: str, min_peers: int) -> Standing:
    """One percentile of a row of benchmark_query, None below `min_peers` peers: a percentile among
    one or two subjects ("50.0 of 1") says nothing of where a subject stands."""
    found = row._mapping
    peers = found[f"{group}_peers"]
    percentile = as_float(found[f"{group}_percentile"])
    return Standing(
        group=group,
        value=None if group == NATIONAL else found[group],
        peers=peers,
        percentile=percentile if peers is not None and peers >= min_peers else None,
    )
