"""A result's standing in the registry (registry/standing.py): the medians of its round, checked by hand
against the scores table, and its earlier rounds."""

from __future__ import annotations

import statistics

import pytest
from registry_helpers import OPTIONS, Submit, ingest, levels, national_dataset

from aiassure.registry.intake import read_input
from aiassure.registry.standing import Median, standing
from aiassure.registry.store import Registry


def _scores(registry: Registry, scope: str, ident: str, org_type: str | None = None) -> list[float]:
    """The hand check: the scores of the subjects' own current tiny-org 1.x assessments of 2026-Q4, by plain SQL."""
    from sqlalchemy import text

    query = (
        "SELECT sc.score FROM scores sc JOIN submissions s ON s.id = sc.submission_id "
        "WHERE s.superseded_by IS NULL AND s.rubric_id = 'tiny-org' AND s.rubric_major = 1 "
        "AND s.round = '2026-Q4' AND s.assessed_by_code IS NULL AND sc.score IS NOT NULL "
        "AND sc.scope = :scope AND sc.scope_id = :ident" + (" AND s.org_type = :org_type" if org_type else "")
    )
    with registry.transaction() as conn:
        return [row[0] for row in conn.execute(text(query), {"scope": scope, "ident": ident, "org_type": org_type})]


def test_the_medians_are_those_of_the_round_nationally_and_of_the_same_type(registry: Registry, submit: Submit) -> None:
    paths = national_dataset(submit)
    # another organisation's assessment of B does not count among the subjects' own
    paths.append(submit("B", "2026-Q4", levels(0, 0, 0), file="B-by-RX9.yaml", assessed_by="RX9"))
    ingest(registry, paths)
    b_q4 = read_input(next(p for p in paths if p.parent.name == "2026-Q4" and p.name == "B.yaml"), OPTIONS).result
    found = standing(registry, b_q4)
    assert found.peer_group == "org_type" and found.peer_value == "acute"
    for key, (scope, ident) in {
        "overall": ("overall", "overall"),
        "pillar:safe": ("pillar", "safe"),
        "pillar:ethical": ("pillar", "ethical"),
        "pillar:effective": ("pillar", "effective"),
    }.items():
        national = _scores(registry, scope, ident)
        acute = _scores(registry, scope, ident, "acute")
        assert found.national[key] == Median(pytest.approx(statistics.median(national)), len(national))
        assert found.peers[key] == Median(pytest.approx(statistics.median(acute)), len(acute))
    # A (the later of its two returns), B, C (tiny-org 1.1.0, the same major), D and E; D is not acute
    assert found.national["overall"].peers == 5 and found.peers["overall"].peers == 4
    # by hand: the safe pillar's scores are A 4, B 2, C 3, D 1, E 5 (each pillar has one level question)
    assert found.national["pillar:safe"].median == pytest.approx(3.0)
    assert found.peers["pillar:safe"].median == pytest.approx(3.5)  # A 4, B 2, C 3, E 5
    [q2] = found.earlier
    assert (q2.round, q2.pillars["safe"][1]) == ("2026-Q2", 3)


def test_a_round_the_registry_does_not_hold_has_no_medians(registry: Registry, submit: Submit) -> None:
    ingest(registry, [submit("A", "2026-Q2", levels(2, 2, 2)), submit("A", "2025-Q4", levels(1, 1, 1))])
    later = read_input(submit("A", "2026-Q4", levels(3, 3, 3)), OPTIONS).result  # scored, not stored
    found = standing(registry, later)
    assert found.national == {} and found.peers == {}
    assert [r.round for r in found.earlier] == ["2025-Q4", "2026-Q2"]  # oldest first
    assert found.as_of is not None and found.as_of.tzinfo is not None
