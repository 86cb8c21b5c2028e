"""Every query of the portfolio and the export, explained by the database over a large registry: none
reads a large table whole, or a large share of it through an index, where an index could narrow it.

The registry grows by rounds and by subjects, and a figure of one round must cost that round's
rows, not the whole history's: a full scan inside a join costs rows squared (the movers' join did,
issue 20). Plans are read, not timed: SQLite's EXPLAIN QUERY PLAN and PostgreSQL's EXPLAIN, each
with the statistics an ingest leaves (Registry.refresh_statistics).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from registry_helpers import Submit, ingest, national_dataset

from aiassure.registry.export import TABLES, export_rows
from aiassure.registry.portfolio import build_portfolio
from aiassure.registry.store import Registry

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from grow import grow  # noqa: E402

LARGE = ("submissions", "scores", "failed_gates")
LARGE_ROWS = 1_000  # below this a table is read whole in a page or two, and planners rightly do
# A loop reading more than this share of a large table is a scan, whatever index it goes through.
LARGE_SHARE = 1 / 8
SUBJECT_COPIES, YEARS = 24, 8  # the hand-checked dataset (2 rounds a year) becomes 16 rounds, 2,496 submissions

Query = tuple[str, Any]


@pytest.fixture
def large(registry: Registry, submit: Submit) -> Registry:
    ingest(registry, national_dataset(submit))
    with registry.transaction(write=True) as conn:
        held = grow(conn, subject_copies=SUBJECT_COPIES, years=YEARS)
    assert held == 13 * SUBJECT_COPIES * YEARS
    assert registry.refresh_statistics()
    return registry


def recorded(registry: Registry, run: Callable[[], object]) -> list[Query]:
    """The SELECTs `run` sends to the database, with their parameters."""
    from sqlalchemy import event

    statements: list[Query] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    event.listen(registry.engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(registry.engine, "before_cursor_execute", record)
    return statements


def exported(registry: Registry, table: str, **filters: Any) -> Callable[[], object]:
    return lambda: sum(1 for _ in export_rows(registry, table, **filters))


def portfolio_and_export(registry: Registry) -> Iterator[tuple[str, Callable[[], object], bool]]:
    """(what, run it, whether it reads whole tables by design: an export of everything)."""
    yield "portfolio", lambda: build_portfolio(registry), False
    yield "portfolio with today's waivers", lambda: build_portfolio(registry, today=dt.date(2026, 12, 7)), False
    yield "portfolio --round 2024-Q2", lambda: build_portfolio(registry, round_="2024-Q2"), False
    yield "portfolio --rubric tiny-tech@1", lambda: build_portfolio(registry, rubric="tiny-tech@1"), False
    for table in TABLES:
        yield f"export {table}", exported(registry, table), True
        yield f"export {table} --include-superseded", exported(registry, table, include_superseded=True), True
        yield f"export {table} --round", exported(registry, table, round_="2026-Q4"), False
        yield f"export {table} --rubric", exported(registry, table, rubric="tiny-org"), False
        yield f"export {table} --rubric --round", exported(registry, table, rubric="tiny-org", round_="2025-Q2"), False


def test_no_query_reads_a_large_table_whole(large: Registry) -> None:
    explain = postgres_scans if large.is_postgres else sqlite_scans
    found = []
    for what, run, whole in portfolio_and_export(large):
        statements = recorded(large, run)
        assert statements, what
        for statement, parameters in statements:
            for scan in explain(large, statement, parameters, whole):
                found.append(f"{what}: {scan}\n    in {statement[:400]}")
    assert not found, "\n".join(found)


WHOLE_KEY = "ix_submissions_current (rubric_id=? AND subject_type=? AND subject_code=? AND <expr>=? AND round=?)"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # PostgreSQL: see below
@pytest.mark.parametrize("bound", [False, True], ids=["literal", "bound"])
@pytest.mark.parametrize("statistics", [True, False], ids=["analysed", "never-analysed"])
def test_movers_join_looks_the_previous_round_up_by_its_whole_key(
    large: Registry, monkeypatch: pytest.MonkeyPatch, bound: bool, statistics: bool
) -> None:
    """The movers' join finds each assessment's previous result through the whole unique index, with
    or without statistics; comparing with a bound '' (as it did, issue 20) defeats SQLite's
    expression index, and without statistics SQLite then read every overall score for every row."""
    # Not on PostgreSQL: it folds bound parameters into the plan before it matches index expressions.
    from sqlalchemy import func

    from aiassure.registry import schema
    from aiassure.registry.portfolio.figures import movers

    if bound:  # the join as it was
        monkeypatch.setattr(schema, "assessor_key", lambda column: func.coalesce(column, ""))
    if not statistics:
        with large.transaction(write=True) as conn:
            conn.exec_driver_sql("DROP TABLE sqlite_stat1")

    def run() -> None:
        with large.transaction() as conn:
            movers.build(conn, "tiny-org", 1, "2026-Q4", "2026-Q2")

    statements = recorded(large, run)
    assert len(statements) == 2  # up and down
    connection = sqlite3.connect(large.engine.url.database)
    try:
        plans = ["\n".join(row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + s, p)) for s, p in statements]
    finally:
        connection.close()
    assert all((WHOLE_KEY in plan) is not bound for plan in plans), plans
    if bound and not statistics:  # the plan issue 20 found: every overall score, once per row
        assert all("SEARCH scores USING INDEX ix_scores_scope (scope=?)" in plan for plan in plans), plans


# -- reading plans ------------------------------------------------------------------------------

# A condition on one round: a figure of that round, which must read that round's rows only.
ONE_ROUND = re.compile(r"\bround (?:= |IN \()(?:\?|%\(\w+\)s(?:::\w+)?)(?!, )")


def per_round(statement: str) -> bool:
    return bool(ONE_ROUND.search(statement))


def judged(read: str, *, inner: bool, whole: bool, statement: str) -> str | None:
    """Why a loop over a large table is a scan the query should not make; None if it is fine.

    Inside a join (a loop run once per row of another) any scan is rows squared. Run once, a scan
    is fine for a query of the whole registry or of its history (trend), not for one round's."""
    if inner:
        return f"{read}, once per row of the loop around it"
    if per_round(statement) and not whole:
        return f"{read}, for a figure of one round"
    return None


# -- SQLite -------------------------------------------------------------------------------------

LOOP = re.compile(
    r"^(SCAN|SEARCH) (\w+)(?: AS (\w+))?"
    r"(?: USING (?:COVERING |AUTOMATIC (?:COVERING |PARTIAL )*)?INDEX (\w+)?)?(?: \((.*)\))?"
)


def sqlite_scans(registry: Registry, statement: str, parameters: Any, whole: bool = False) -> list[str]:
    """Each loop of the plan that reads a large table whole, or a large share of it, where it should not."""
    connection = sqlite3.connect(registry.engine.url.database)
    try:
        plan = list(connection.execute("EXPLAIN QUERY PLAN " + statement, parameters))
        sizes = {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in LARGE}
        analysed = connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()
        stats = {
            idx: [int(n) for n in stat.split()]
            for idx, stat in (connection.execute("SELECT idx, stat FROM sqlite_stat1") if analysed else ())
        }
    finally:
        connection.close()
    aliases = {alias: table for table, alias in re.findall(rf"\b({'|'.join(LARGE)}) AS (\w+)\b", statement)}
    parent_of = {node: parent for node, parent, _, _ in plan}
    detail_of = {node: detail for node, _, _, detail in plan}
    loops_seen: dict[int, int] = {}  # parent -> loops met so far under it: the first is the outermost

    def correlated(node: int) -> bool:
        while node in parent_of:
            node = parent_of[node]
            if detail_of.get(node, "").startswith("CORRELATED"):
                return True
        return False

    found = []
    for node, parent, _, line in plan:
        match = LOOP.match(line)
        if not match:
            continue
        inner = loops_seen.get(parent, 0) > 0 or correlated(node)
        loops_seen[parent] = loops_seen.get(parent, 0) + 1
        kind, name, alias, index, constraint = match.groups()
        table = name if name in LARGE else aliases.get(alias or name)
        if table is None or sizes[table] < LARGE_ROWS:
            continue
        read = None
        if "AUTOMATIC" in line:
            read = f"{line}: builds an index over {table} in full"
        elif kind == "SCAN":
            read = f"{line}: reads {table} in full"
        elif index in stats and constraint:
            per_lookup = rows_per_lookup(stats[index], constraint)
            if per_lookup > sizes[table] * LARGE_SHARE:
                read = f"{line}: about {per_lookup:,} of the {sizes[table]:,} rows of {table} per lookup"
        why = read and judged(read, inner=inner, whole=whole, statement=statement)
        if why:
            found.append(why)
    return found


def rows_per_lookup(stat: list[int], constraint: str) -> int:
    """Rows an index search reads, from the index's sqlite_stat1 numbers (rows, then rows per distinct
    prefix of 1, 2... columns) and its constraint: `a=? AND b>?` binds a prefix; `ANY(a) AND b=?`
    is a skip-scan, one search per distinct `a`."""
    terms = constraint.split(" AND ")
    rows = stat[min(len(terms), len(stat) - 1)]
    for position, term in enumerate(terms[: len(stat) - 1]):
        if term.startswith("ANY("):
            rows = rows * stat[position] // stat[position + 1]
    return rows


# -- PostgreSQL ---------------------------------------------------------------------------------


def postgres_scans(registry: Registry, statement: str, parameters: Any, whole: bool = False) -> list[str]:
    """The same, on PostgreSQL's plan. Sequential scans are priced out (enable_seqscan off), so that
    one left means no index could serve: on tables this small the planner would otherwise prefer
    them wherever it reads more than a few pages. For the same reason the share an index scan
    reads is judged inside joins only; bench/run.py measures PostgreSQL at scale."""
    with registry.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        (plan,) = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
        sizes = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in LARGE}
    found = []

    def walk(node: dict[str, Any], inner: bool) -> None:
        table = node.get("Relation Name")
        if table in LARGE and sizes[table] >= LARGE_ROWS:
            shown = f"{node['Node Type']} on {table}" + (f" using {node['Index Name']}" if "Index Name" in node else "")
            read = None
            if node["Node Type"] == "Seq Scan" or "Index Name" in node and "Index Cond" not in node:
                read = f"{shown}: reads {table} in full"
            elif inner and node["Plan Rows"] > sizes[table] * LARGE_SHARE:
                read = f"{shown}: about {node['Plan Rows']:,} of the {sizes[table]:,} rows of {table} per loop"
            why = read and judged(read, inner=inner, whole=whole, statement=statement)
            if why:
                found.append(why)
        for position, child in enumerate(node.get("Plans", [])):
            # The inner side of a nested loop whose outer side gives more than one row, and a
            # correlated subplan, run once per outer row.
            repeated = node["Node Type"] == "Nested Loop" and position > 0 and node["Plans"][0]["Plan Rows"] > 1
            per_row = repeated or child.get("Parent Relationship") == "SubPlan"
            walk(child, inner or per_row)

    walk(plan["Plan"], False)
    return found
