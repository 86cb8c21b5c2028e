"""Migration 0004 on a registry that has submissions: supplier codes filled in from the stored results, and back."""

from __future__ import annotations

from pathlib import Path

import pytest
from service_helpers import EXAMPLES

from aiassure.assessments.score_files import ScoreOptions
from aiassure.registry.intake import read_input
from aiassure.registry.store import MIGRATIONS, Registry, open_registry
from databases import BACKENDS, database


def _migrate(registry: Registry, revision: str, *, down: bool = False) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with registry.transaction(write=True) as conn:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, revision)


@pytest.mark.parametrize("backend", BACKENDS)
def test_0004_fills_supplier_codes_and_goes_back(backend: str, tmp_path: Path) -> None:
    from sqlalchemy import inspect, select, text

    from aiassure.registry.schema import submissions as s

    with database(backend, tmp_path) as url:
        registry = open_registry(url)
        try:
            for name in ("PRD-CXRTRIAGE.yaml", "RX1.yaml"):
                registry.store(read_input(EXAMPLES / name, ScoreOptions()))
            with registry.transaction(write=True) as conn:  # as a registry at 0002 holds them: no supplier code
                conn.execute(text("UPDATE submissions SET supplier_code = NULL"))
            _migrate(registry, "0002", down=True)
            with registry.transaction() as conn:
                assert "supplier_code" not in {c["name"] for c in inspect(conn).get_columns("submissions")}
                assert not inspect(conn).has_table("audit_events")
            _migrate(registry, "head")
            with registry.transaction() as conn:
                codes = dict(conn.execute(select(s.c.subject_code, s.c.supplier_code)).all())
            assert codes == {"PRD-CXRTRIAGE": "SUP-ALDERGROVE", "RX1": None}
        finally:
            registry.close()
