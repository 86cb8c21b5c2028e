"""Level counts and the spread of scores per scope: overall, each pillar, each domain."""

from __future__ import annotations

import typing
from typing import TYPE_CHECKING

from ..model import Distribution, RubricInfo
from ..queries import as_float

if TYPE_CHECKING:
    from sqlalchemy import Connection, Subquery

    from ....rubrics.model import ScopeKind


# A scope's key: (kind, id), or (round, kind, id) by round.
Key = tuple[str, ...]


def build(conn: Connection, current: Subquery, info: RubricInfo, *, by_round: bool = False) -> dict[Key, Distribution]:
    """Level counts and score spread (min, median, max, mean) per scope, keyed by (kind, id), or by
    (round, kind, id) with `by_round`. The median is the middle row (or the mean of the two middle
    rows) by a window's row number, which SQLite and PostgreSQL both compute."""
    from sqlalchemy import Float, and_, cast, func, select

    from ...schema import scores as sc

    joined = sc.join(current, current.c.id == sc.c.submission_id)
    scopes = sc.c.scope.in_(("overall", "pillar", "domain"))
    keys = [current.c.round] if by_round else []
    levels = conn.execute(
        select(*keys, sc.c.scope, sc.c.scope_id, sc.c.level, func.count())
        .select_from(joined)
        .where(scopes)
        .group_by(*keys, sc.c.scope, sc.c.scope_id, sc.c.level)
    ).all()
    spread = conn.execute(
        select(
            *keys,
            sc.c.scope,
            sc.c.scope_id,
            cast(func.avg(sc.c.score), Float),
            func.min(sc.c.score),
            func.max(sc.c.score),
        )
        .select_from(joined)
        .where(scopes, sc.c.score.is_not(None))
        .group_by(*keys, sc.c.scope, sc.c.scope_id)
    ).all()
    partition = [*keys, sc.c.scope, sc.c.scope_id]
    ranked = (
        select(
            *keys,
            sc.c.scope,
            sc.c.scope_id,
            sc.c.score,
            func.row_number().over(partition_by=partition, order_by=sc.c.score).label("position"),
            func.count().over(partition_by=partition).label("n"),
        )
        .select_from(joined)
        .where(scopes, sc.c.score.is_not(None))
        .subquery()
    )
    # 2 * position in {n, n + 1, n + 2} picks the middle row of an odd n, the two middle rows of an even n.
    middle = and_(2 * ranked.c.position >= ranked.c.n, 2 * ranked.c.position <= ranked.c.n + 2)
    ranked_keys = [ranked.c.round] if by_round else []
    medians = {
        tuple(row[:-1]): row[-1]
        for row in conn.execute(
            select(*ranked_keys, ranked.c.scope, ranked.c.scope_id, cast(func.avg(ranked.c.score), Float))
            .where(middle)
            .group_by(*ranked_keys, ranked.c.scope, ranked.c.scope_id)
        )
    }
    counted: dict[Key, list[int]] = {}
    missing: dict[Key, int] = {}
    for row in levels:
        key, level, n = tuple(row[:-2]), row[-2], row[-1]
        if level is None:
            missing[key] = missing.get(key, 0) + n
        else:
            bucket = counted.setdefault(key, [0] * (info.top + 1))
            bucket[min(max(level, 0), info.top)] += n
    stats = {tuple(row[:-3]): row[-3:] for row in spread}
    found: dict[Key, Distribution] = {}
    for key in set(counted) | set(missing):
        # The query selects only these scopes (`scopes` above), which ScopeKind names.
        kind, ident = typing.cast("ScopeKind", key[-2]), key[-1]
        mean, minimum, maximum = stats.get(key, (None, None, None))
        found[key] = Distribution(
            kind,
            ident,
            info.title_of(kind, ident),
            tuple(counted.get(key, [0] * (info.top + 1))),
            missing.get(key, 0),
            as_float(mean),
            as_float(minimum),
            as_float(medians.get(key)),
            as_float(maximum),
        )
    return found
