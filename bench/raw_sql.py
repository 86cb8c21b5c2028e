"""The floor of measure 5: run recorded SQL statements against a SQLite file and fetch every row.

Usage: python bench/raw_sql.py REGISTRY.db STATEMENTS.json   (a list of [sql, parameters])
"""

from __future__ import annotations

import json
import sqlite3
import sys


def main(database: str, recorded: str) -> None:
    connection = sqlite3.connect(database, isolation_level=None)  # the statements hold their own BEGIN
    try:
        for statement, parameters in json.loads(open(recorded, encoding="utf-8").read()):
            connection.execute(statement, parameters).fetchall()
    finally:
        connection.close()


if __name__ == "__main__":
    main(*sys.argv[1:3])
