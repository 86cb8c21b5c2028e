"""Names for the SQLAlchemy types the registry's query builders take and return, for annotations only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    # Types only: importing SQLAlchemy costs the CLI's start-up, so modules import these names under
    # TYPE_CHECKING too and SQLAlchemy itself where a query is built.
    from sqlalchemy import ColumnElement, Row, Select
    from sqlalchemy.sql.base import ColumnCollection

    # The registry's tables are Core tables whose columns SQLAlchemy types as Column[Any]: a SELECT of
    # them, and a row it returns, hold values of the columns' own Python types, which only the schema knows.
    Query: TypeAlias = Select[*tuple[Any, ...]]
    ResultRow: TypeAlias = Row[*tuple[Any, ...]]
    Expression: TypeAlias = ColumnElement[Any]
    Condition: TypeAlias = ColumnElement[bool]
    Columns: TypeAlias = ColumnCollection[str, ColumnElement[Any]]
