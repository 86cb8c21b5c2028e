"""The roadmap as an action plan (report --action-plan): owners, target dates and statuses carried from the previous
round's plan (--previous-plan), an action gone from the roadmap closed, and a malformed plan a located diagnostic."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiassure.assessments.validate import load_submission
from aiassure.cli import main
from aiassure.errors import InputError
from aiassure.reports.actionplan import CLOSED, COLUMNS, read_plans
from aiassure.reports.writer import write_reports

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
Q2, Q4 = EXAMPLES / "2026-Q2" / "RX1.yaml", EXAMPLES / "2026-Q4" / "RX1.yaml"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def q2_plan(tmp_path_factory: pytest.TempPathFactory, report_library) -> list[dict[str, str]]:
    out = tmp_path_factory.mktemp("q2")
    written = write_reports([load_submission(Q2, report_library)], out, ("md",), action_plan=[])
    assert [p.name for p in written] == ["RX1-2026-Q2.md", "RX1-2026-Q2.actions.csv"]
    return _rows(out / "RX1-2026-Q2.actions.csv")


def test_the_plan_is_the_roadmap_in_its_order_every_action_open(q2_plan: list[dict[str, str]]) -> None:
    assert [row["rank"] for row in q2_plan] == [str(n) for n in range(1, len(q2_plan) + 1)]
    assert {row["status"] for row in q2_plan} == {"open"}
    first = q2_plan[0]
    assert first["action_id"] == f"{first['criterion']}-L{first['to_level'].split()[0]}"
    assert (first["subject"], first["round"], first["target_date"]) == ("RX1", "2026-Q2", "")


def test_owner_date_and_status_are_carried_and_a_gone_action_is_closed(
    tmp_path: Path, report_library, q2_plan: list[dict[str, str]]
) -> None:
    rows = [dict(row) for row in q2_plan]
    carried = next(row for row in rows if row["action_id"] == "ig-01-L4")  # still on the roadmap in 2026-Q4
    carried.update(owner='=HYPERLINK("http://x")', target_date="2026-12-31", status="in progress")
    gone = next(row for row in rows if row["action_id"] == "gv-05-L3")  # gv-05 reached level 3 by 2026-Q4
    gone.update(owner="Dr Raman", target_date="2026-09-30", status="done")
    rows.append({**gone, "action_id": "xx-01-L2", "status": CLOSED})  # closed already: not listed again
    plan = _write(tmp_path / "plan.csv", rows)
    out = tmp_path / "q4"
    write_reports([load_submission(Q4, report_library)], out, ("md",), action_plan=read_plans([plan], max_bytes=10**6))
    q4 = {row["action_id"]: row for row in _rows(out / "RX1-2026-Q4.actions.csv")}
    ig = q4["ig-01-L4"]
    # a formula an owner cell held is kept, made inert again with its apostrophe
    assert (ig["owner"], ig["target_date"], ig["status"], ig["round"]) == (
        '\'=HYPERLINK("http://x")',
        "2026-12-31",
        "in progress",
        "2026-Q4",
    )
    assert q4["gv-05-L4"]["status"] == "open"  # the next step of the same criterion is a new action
    closed = q4["gv-05-L3"]
    assert (closed["status"], closed["owner"], closed["round"], closed["rank"]) == (CLOSED, "Dr Raman", "2026-Q2", "")
    assert "xx-01-L2" not in q4
    # another subject's rows are not carried
    assert all(row["subject"] == "RX1" for row in q4.values())


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("action_id,subject,owner,target_date\n", "1:1", "the header has no column status"),
        ("action_id,subject,owner,target_date,status\nig-01-L4,RX1,Ann,,started\n", "2:19", "status 'started'"),
        ("action_id,subject,owner,target_date,status\nig-01-L4,RX1,Ann,31/12/2026,open\n", "2:18", "not YYYY-MM-DD"),
        ("action_id,subject,owner,target_date,status\nig-01-L4,RX1,Ann,open\n", "2:1", "has 4 cells, the header 5"),
        ('action_id,subject,owner,target_date,status\n,RX1,"A, B",,open\n', "2:1", "has no action_id"),
        (
            'action_id,subject,owner,target_date,status\na-L1,RX1,"two\nlines",,open\na-L1,RX1,,,"done"\n',
            "4:1",
            "planned twice (first at",
        ),
        ('action_id,subject,owner,target_date,status\na-L1,RX1,"unclosed,,open\n', "2:1", "is not valid CSV"),
        ("", "1:1", "is empty"),
    ],
)
def test_a_malformed_plan_is_a_located_diagnostic(tmp_path: Path, text: str, where: str, message: str) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_plans([plan], max_bytes=10**6)
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.code == "action-plan-invalid"
    assert str(diagnostic.location) == f"{plan}:{where}"
    assert message in diagnostic.message


def test_a_plan_that_is_not_utf8_is_located_at_the_byte(tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_bytes(b"action_id,subject,owner,target_date,status\nig-01-L4,RX1,J\xe9r\xf4me,,open\n")
    with pytest.raises(InputError) as raised:
        read_plans([plan], max_bytes=10**6)
    assert str(raised.value.diagnostics[0].location) == f"{plan}:2:15"


def test_the_command_writes_the_plan_beside_the_report_and_refuses_a_bad_one(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(main, ["report", str(Q2), "-o", str(tmp_path / "q2"), "--format", "md", "--action-plan"])
    assert done.exit_code == 0, done.output
    plan = tmp_path / "q2" / "RX1-2026-Q2.actions.csv"
    assert plan.is_file()
    carried = runner.invoke(
        main, ["report", str(Q4), "-o", str(tmp_path / "q4"), "--format", "md", "--previous-plan", str(plan)]
    )
    assert carried.exit_code == 0, carried.output
    assert any(row["status"] == CLOSED for row in _rows(tmp_path / "q4" / "RX1-2026-Q4.actions.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text("action_id,subject,owner,target_date,status\nig-01-L4,RX1,Ann,,maybe\n", encoding="utf-8")
    refused = runner.invoke(
        main, ["report", str(Q4), "-o", str(tmp_path / "q4b"), "--format", "md", "--previous-plan", str(bad)]
    )
    assert refused.exit_code == 1
    assert f"{bad}:2:19: error action-plan-invalid: status 'maybe'" in refused.output
    assert not (tmp_path / "q4b").exists()
