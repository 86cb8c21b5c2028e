"""Each subject's overall score and percentile among its peers, nationally, by org_type and by region."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Benchmark
from ..queries import benchmark_query, by_name, from_row

if TYPE_CHECKING:
    from sqlalchemy import Connection, Subquery


def build(conn: Connection, current: Subquery, limit: int) -> list[Benchmark]:
    query = benchmark_query(current)
    rows = conn.execute(query.order_by(*by_name(query.selected_columns)).limit(limit))
    return [from_row(Benchmark, row) for row in rows]
