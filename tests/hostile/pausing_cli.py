"""The aiassure command line, stopping for good inside the transaction that stores the Nth submission.

`python pausing_cli.py N registry ingest ...` runs the real command; once the Nth submission's row
and its score rows are written but not committed, it prints `PAUSED` on standard error and sleeps,
for test_registry_safety.py to kill it there with SIGKILL. Only a SQLAlchemy event is added: every
statement is aiassure's own.
"""

from __future__ import annotations

import sys
import time


def main() -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from aiassure.cli import main as aiassure

    pause_at = int(sys.argv.pop(1))
    stored = 0

    @event.listens_for(Engine, "after_cursor_execute")
    def pause(conn: object, cursor: object, statement: str, *args: object) -> None:
        nonlocal stored
        if statement.lstrip().upper().startswith("INSERT INTO SCORES"):
            stored += 1
            if stored == pause_at:
                print("PAUSED inside the transaction", file=sys.stderr, flush=True)
                time.sleep(600)

    aiassure(prog_name="aiassure")


if __name__ == "__main__":
    main()
