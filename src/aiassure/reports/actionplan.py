"""The roadmap as an action plan: a CSV beside the report (`report --action-plan`, docs/reports.md), with
an owner, a target date and a status per action, carried from the previous round's plan (`--previous-plan`)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import Diagnostic, InputError, Location
from ..registry.export import FORMULA_STARTS, neutralise
from ..source import read_bytes

ACTION_PLAN = "actions.csv"  # the plan's file is <code>-<round>.actions.csv, beside the report
COLUMNS = (
    "action_id",
    "subject",
    "assessed_by",
    "round",
    "rank",
    "criterion",
    "domain",
    "from_level",
    "to_level",
    "action",
    "owner",
    "target_date",
    "status",
)
REQUIRED = ("action_id", "subject", "owner", "target_date", "status")
STATUSES = ("open", "in progress", "done", "dropped")
CLOSED = "closed: no longer on the roadmap"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def action_id(criterion: str, to_level: int) -> str:
    """An action's id, the same in every round it stays on the roadmap: its criterion and target level."""
    return f"{criterion}-L{to_level}"


@dataclass(frozen=True)
class PlanRow:
    """One row of an action plan, its cells as text (without a formula's neutralising apostrophe)."""

    action_id: str
    subject: str
    assessed_by: str
    round: str = ""
    rank: str = ""
    criterion: str = ""
    domain: str = ""
    from_level: str = ""
    to_level: str = ""
    action: str = ""
    owner: str = ""
    target_date: str = ""
    status: str = "open"

    def cells(self) -> list[str]:
        return [neutralise(getattr(self, name)) for name in COLUMNS]


def plan_rows(context: dict[str, Any], previous: Iterable[PlanRow] = ()) -> list[PlanRow]:
    """The report's roadmap as plan rows, in its order: owner, target date and status carried from the
    previous plan's row of the same action and subject (the owner the answer names otherwise; status
    open). Then each earlier action no longer on the roadmap, marked closed, unless it already was."""
    subject = context["subject"]["code"]
    assessed_by = context["assessed_by"]["code"] if context["assessed_by"] else ""
    earlier = {row.action_id: row for row in previous if (row.subject, row.assessed_by) == (subject, assessed_by)}
    rows = []
    for action in context["roadmap"]["top"] + context["roadmap"]["rest"]:
        ident = action_id(action["criterion"], action["to"]["level"])
        before = earlier.pop(ident, None)
        rows.append(
            PlanRow(
                ident,
                subject,
                assessed_by,
                context["round"],
                str(action["rank"]),
                action["criterion"],
                action["domain_title"],
                action["from"]["text"],
                action["to"]["text"],
                action["action"],
                before.owner if before else action["owner"] or "",
                before.target_date if before else "",
                before.status if before else "open",
            )
        )
    gone = [replace(row, rank="", status=CLOSED) for row in earlier.values() if not row.status.startswith("closed")]
    return rows + gone


def plan_csv(rows: Sequence[PlanRow]) -> bytes:
    """The plan as CSV, UTF-8, a header row first; text a spreadsheet would evaluate is neutralised."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(row.cells() for row in rows)
    return stream.getvalue().encode()


def read_plans(paths: Sequence[Path], *, max_bytes: int) -> list[PlanRow]:
    """Every row of the previous plans; any problem is a located diagnostic (`action-plan-invalid`),
    all of them reported at once."""
    rows: list[PlanRow] = []
    problems: list[Diagnostic] = []
    seen: dict[tuple[str, str, str], str] = {}
    for path in paths:
        found, bad = _read_plan(path, read_bytes(path, max_bytes=max_bytes), seen)
        rows += found
        problems += bad
    if problems:
        raise InputError(f"{len(problems)} problem(s) in the previous action plan(s)", problems)
    return rows


def _unneutralised(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def _read_plan(path: Path, raw: bytes, seen: dict[tuple[str, str, str], str]) -> tuple[list[PlanRow], list[Diagnostic]]:
    file = str(path)

    def problem(line: int, column: int, message: str, hint: str = "") -> Diagnostic:
        return Diagnostic("action-plan-invalid", message, Location(file, line, column), hint=hint)

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return [], [problem(line, column, "is not UTF-8 text", "save the plan as CSV UTF-8")]
    lines = text.splitlines(keepends=True)
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return [], [problem(reader.line_num or 1, 1, f"is not valid CSV: {exc}")]
    if header is None:
        return [], [problem(1, 1, "is empty: an action plan starts with its header row", _header_hint())]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        return [], [problem(1, 1, f"the header has no column {', '.join(missing)}", _header_hint())]
    index = {name: header.index(name) for name in COLUMNS if name in header}
    rows: list[PlanRow] = []
    problems: list[Diagnostic] = []
    start = reader.line_num + 1
    while True:
        try:
            record = next(reader, None)
        except csv.Error as exc:
            problems.append(problem(start, 1, f"is not valid CSV: {exc}"))
            break
        if record is None:
            break
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue  # a blank line
        if len(record) != len(header):
            problems.append(problem(line, 1, f"has {len(record)} cells, the header {len(header)}"))
            continue
        cells = _columns("".join(lines[line - 1 : start - 1]))
        values = {name: _unneutralised(record[i]).strip() for name, i in index.items()}
        where = {name: (line + cells[i][0], cells[i][1]) for name, i in index.items()}
        wrong = _wrong_cell(values)
        if wrong is not None:
            name, message, hint = wrong
            problems.append(problem(*where[name], message, hint))
            continue
        key = (values["subject"], values.get("assessed_by", ""), values["action_id"])
        if key in seen:
            problems.append(problem(*where["action_id"], f"action {key[2]} of {key[0]} is planned twice ({seen[key]})"))
            continue
        seen[key] = f"first at {file}:{line}"
        rows.append(PlanRow(**{name: values.get(name, "") for name in COLUMNS}))
    return rows, problems


def _wrong_cell(values: dict[str, str]) -> tuple[str, str, str] | None:
    """The first cell of a row that is not right: (its column, the message, a hint), or none."""
    if not values["action_id"]:
        return "action_id", "has no action_id", "each row names its action, as the plan aiassure wrote does"
    status = values["status"]
    if status not in STATUSES and status != CLOSED:
        return (
            "status",
            f"status {status!r} is not one of {', '.join(STATUSES)}",
            f"write one of: {', '.join(STATUSES)}",
        )
    if values["target_date"] and not _is_date(values["target_date"]):
        return "target_date", f"target_date {values['target_date']!r} is not YYYY-MM-DD", "or leave it empty"
    return None


def _is_date(text: str) -> bool:
    import datetime as dt

    if not _DATE.fullmatch(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _columns(record: str) -> list[tuple[int, int]]:
    """Where each cell of one CSV record starts: (lines after the record's first, 1-based column)."""
    starts: list[tuple[int, int]] = []
    line, column, quoted, at_start = 0, 1, False, True
    for char in record:
        if at_start:
            starts.append((line, column))
            at_start = False
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            at_start = True
        if char == "\n":
            line, column = line + 1, 1
        else:
            column += 1
    if at_start:
        starts.append((line, column))
    return starts


def _header_hint() -> str:
    return (
        f"the columns are {', '.join(COLUMNS)} (of which {', '.join(REQUIRED)} are needed): "
        "start from the plan that report --action-plan wrote"
    )


__all__ = [
    "ACTION_PLAN",
    "CLOSED",
    "COLUMNS",
    "STATUSES",
    "PlanRow",
    "action_id",
    "plan_csv",
    "plan_rows",
    "read_plans",
]
