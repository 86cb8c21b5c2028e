"""`aiassure demo`: the main job end to end; every promised file is written and named."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from click.testing import CliRunner

from aiassure.assessments.score_files import ScoreOptions
from aiassure.cli import main
from aiassure.commands.demo import example_submissions, source_examples
from aiassure.registry.intake import read_inputs
from aiassure.registry.portfolio import build_portfolio
from aiassure.registry.store import open_registry
from aiassure.registry.waivers import list_waivers

RUBRICS = Path(__file__).resolve().parents[1] / "registry" / "data" / "rubrics"
TODAY = dt.date(2026, 12, 7)  # the suite's (tests/conftest.py)
SUBMISSION = """\
rubric: {rubric}
subject: {{type: {kind}, name: {name}, code: {code}, org_type: {org_type}, region: London}}
round: {round}
assessed_on: {day}
answers: {{g1: {level}, d1: 3, v1: 3, g2: yes}}
"""

# One approved waiver in force (A's g1, 2026-Q4) and one expired (L's g2 gate), as the shipped examples have.
WAIVERS = """\
waivers:
  - {id: a-g1, scope: {subject: A, rubric: tiny-org, rubric_major: 1, criterion: g1, rounds: [2026-Q4]},
     justification: Being rebuilt., requester: A. Lead, approver: B. Chair, approved_on: 2026-10-01,
     expires_on: 2027-04-01, status: approved}
  - {id: l-g2, scope: {subject: L, rubric: tiny-org, rubric_major: 1, gate: g2, rounds: all},
     justification: Was being rebuilt., requester: A. Lead, approver: B. Chair, approved_on: 2025-11-01,
     expires_on: 2026-11-01, status: approved}
"""


def examples_folder(root: Path) -> Path:
    """A small examples/ tree shaped like the shipped one: two rounds, a local rubric, evidence."""
    folder = root / "examples"
    cases = [
        ("2026-Q2", "A", "organisation", "Org A", "acute", "tiny-org@1.0.0", 2, "2026-05-01"),
        ("2026-Q4", "A", "organisation", "Org A", "acute", "tiny-org@1.0.0", 4, "2026-11-01"),
        ("2026-Q4", "T1", "technology", "Tool T1", "vendor", "tiny-tech@1.0.0", 3, "2026-11-02"),
        ("local-rubric", "L", "organisation", "Org L", "icb", "tiny-org-1.yaml", 3, "2026-11-03"),
    ]
    for round_folder, code, kind, name, org_type, rubric, level, day in cases:
        path = folder / round_folder / f"{code}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        round_ = "2026-Q4" if round_folder == "local-rubric" else round_folder
        path.write_text(
            SUBMISSION.format(
                rubric=rubric, kind=kind, name=name, code=code, org_type=org_type, round=round_, day=day, level=level
            )
        )
    shutil.copy(RUBRICS / "tiny-org-1.yaml", folder / "local-rubric" / "tiny-org-1.yaml")
    (folder / "waivers.yaml").write_text(WAIVERS)
    (folder / "2026-Q4" / "evidence").mkdir()
    (folder / "2026-Q4" / "evidence" / "minutes.md").write_text("# Board minutes\n")
    return folder


def test_demo_writes_every_promised_file(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(
        main,
        [
            "demo",
            "-o",
            str(out),
            "--examples",
            str(examples_folder(tmp_path)),
            "--rubric-dir",
            str(RUBRICS),
            "--jobs",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    reports = [
        out / "reports" / f"{stem}.{ext}"
        for stem in ("A-2026-Q2", "A-2026-Q4", "T1-2026-Q4", "L-2026-Q4")
        for ext in ("html", "pdf")
    ]
    portfolio = [out / "portfolio" / "portfolio.html", out / "portfolio" / "portfolio.pdf"]
    for path in [*reports, *portfolio, out / "registry.db"]:
        assert path.is_file() and path.stat().st_size > 0, path
    assert sorted((out / "reports").iterdir()) == sorted(reports)
    for pdf in [p for p in [*reports, *portfolio] if p.suffix == ".pdf"]:
        assert pdf.read_bytes().startswith(b"%PDF-")
    text = result.stdout
    assert "Scored 4 example submissions" in text
    for shown in (f"{out / 'reports'}/", str(out / "registry.db"), *map(str, portfolio), "4 stored, 0 already there"):
        assert shown in text, shown
    assert f"aiassure diff {tmp_path}/examples/2026-Q2/A.yaml {tmp_path}/examples/2026-Q4/A.yaml" in text
    assert "1 waiver applied" in text and "waiver l-g2 expired" in text
    a_report = (out / "reports" / "A-2026-Q4.html").read_text(encoding="utf-8")
    assert 'id="waivers"' in a_report and "Applied: g1 left out of the scores" in a_report
    assert "Not applied: expired" in (out / "reports" / "L-2026-Q4.html").read_text(encoding="utf-8")
    # the registry holds both waivers, and the portfolio counts A's (in force, 115 days left), not L's (expired)
    assert "Waivers in force" in (out / "portfolio" / "portfolio.html").read_text(encoding="utf-8")
    registry = open_registry(f"sqlite:///{out / 'registry.db'}", must_exist=True)
    try:
        with registry.transaction() as conn:
            assert [w.id for w in list_waivers(conn)] == ["l-g2", "a-g1"]
        org = next(s for s in build_portfolio(registry, today=TODAY).sections if s.rubric.id == "tiny-org")
        assert org.waivers is not None and (org.waivers.active, org.waivers.expiring) == (1, 0)
        assert sorted((r.subject_code, r.round) for r in registry.listing()) == [
            ("A", "2026-Q2"),
            ("A", "2026-Q4"),
            ("L", "2026-Q4"),
            ("T1", "2026-Q4"),
        ]
    finally:
        registry.close()


def test_the_shipped_examples_are_found_and_all_valid() -> None:
    files = example_submissions(source_examples())
    assert {f.parent.name for f in files} == {"2026-Q2", "2026-Q4", "local-rubric"}
    assert not any(f.name == "northshire-ai-readiness.yaml" for f in files)  # a rubric, not a submission
    rejected = [o for o in read_inputs(files, ScoreOptions(), jobs=2) if o.intake is None]
    assert rejected == []


def test_demo_without_examples_says_how_to_give_them(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(main, ["demo", "-o", str(tmp_path / "out"), "--examples", str(empty)])
    assert result.exit_code == 1 and "no submission files in" in result.stderr
