"""Grow a registry by copying its stored submissions in SQL: under other subject codes, and into earlier years.

Ingesting 100,000 files takes the better part of an hour; copying rows takes seconds. Every copy
keeps each row's scores and failed gates, its blobs and its supersession links (ids are shifted
by the same amount), so the copies are stored exactly as an ingest would have stored them. The
same statements run on SQLite and PostgreSQL. Rounds are `YYYY-Qn`; a copy `years` earlier moves
every round and assessment date back that many years.
"""

from __future__ import annotations

from typing import Any


def grow(conn: Any, *, subject_copies: int = 1, years: int = 1, limit: int | None = None) -> int:
    """Copy the registry's submissions `subject_copies` times under new subject codes and, each of
    those, into `years` consecutive years (the originals count as one of each); at most `limit`
    submissions in all. How many submissions the registry then holds."""
    from sqlalchemy import Integer, String, cast, func, insert, literal, select

    from aiassure.registry.schema import failed_gates, scores, submissions

    s = submissions
    held = conn.execute(select(func.count()).select_from(s)).scalar_one()
    top = conn.execute(select(func.max(s.c.id))).scalar_one()
    total = held
    for copy in range(subject_copies):
        for back in range(years):
            if copy == back == 0:
                continue
            room = held if limit is None else min(held, limit - total)
            if room <= 0:
                return total
            shift = (copy * years + back) * top
            tag = f"{copy * years + back:08x}"  # a new SHA-256 of the same length, unique per copy
            chosen = select(s.c.id).where(s.c.id <= top).order_by(s.c.id).limit(room).subquery()
            year = cast(cast(func.substr(s.c.round, 1, 4), Integer) - back, String)
            values = {
                **{c.name: c for c in s.c},
                "id": s.c.id + shift,
                "sha256": literal(tag) + func.substr(s.c.sha256, len(tag) + 1),
                "subject_code": s.c.subject_code + (f"-c{copy}" if copy else ""),
                "subject_name": s.c.subject_name + (f" ({copy})" if copy else ""),
                "source_name": s.c.source_name + f"-{tag}",
                "round": year + func.substr(s.c.round, 5),
                "assessed_on": _years_before(conn, s.c.assessed_on, back),
                "superseded_by": s.c.superseded_by + shift,
            }
            conn.execute(
                insert(s).from_select(list(values), select(*values.values()).where(s.c.id.in_(select(chosen.c.id))))
            )
            for table in (scores, failed_gates):
                moved = {c.name: (c + shift if c.name == "submission_id" else c) for c in table.c}
                conn.execute(
                    insert(table).from_select(
                        list(moved), select(*moved.values()).where(table.c.submission_id.in_(select(chosen.c.id)))
                    )
                )
            total += room
    return total


def _years_before(conn: Any, date: Any, years: int) -> Any:
    from sqlalchemy import Date, cast, func, literal_column

    if not years:
        return date
    if conn.dialect.name == "sqlite":  # dates are stored as ISO text
        return func.date(date, f"-{years} years")
    return cast(date - literal_column(f"interval '{years} years'"), Date)
