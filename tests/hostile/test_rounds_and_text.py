"""Issue 11, point 3: rounds and dates that make sense (ASCII digits only; no round that has not
begun, no `assessed_on` after today or far from its round; the portfolio's default round the
latest that is not in the future), and no text of a submission over its length or holding a
control, bidi-override or separator character, however the YAML wrote it.

Each file under submissions/rounds-and-text/ is a mutation of control.yaml there, refused by
`aiassure validate` with a located diagnostic (`file:line:col: error code`). Today is pinned to
2026-12-07 (--today), so the files that are about time stay right whatever day the tests run."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from aiassure.assessments.limits import FIELDS, KEY, OTHER, RULES, limit_of, text_diagnostics
from aiassure.cli import main
from aiassure.source import load_bytes
from aiassure.text import forbidden_character, is_ascii_number, non_ascii_digit
from diagnostic_cases import CASES_DIR, gives, load_fixture

HERE = Path(__file__).parent / "submissions" / "rounds-and-text"

# The cases (file, code, line:col, message): tests/diagnostics/rounds-and-text.yaml.
CASES = load_fixture(CASES_DIR / "rounds-and-text.yaml")
HELPERS = {"control.yaml"}


TODAY = "2026-12-07"


def validate(*args: str, today: str = TODAY) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--today", today, "validate", *args])
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    return result.exit_code, result.output


def test_every_file_has_an_expectation() -> None:
    assert {p.name for p in HERE.glob("*.yaml")} - HELPERS == set(CASES.names)
    assert CASES.corpus == HERE.resolve()


def test_the_control_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    """The control keeps a line break and a tab in its notes: free text may hold them."""
    monkeypatch.chdir(HERE)
    code, output = validate("control.yaml")
    assert code == 0, output


@pytest.mark.parametrize("name", sorted(CASES.names))
def test_refused_with_a_located_diagnostic(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.chdir(HERE)
    code, output = validate(name)
    case = CASES.case(name)
    assert code == 1, output
    assert gives(case, output), f"no {case.where}: error {case.code} holding {case.message!r}: {output}"
    assert all(ch.isprintable() or ch == "\n" for ch in output), "a raw control character reached the terminal"


def test_a_refused_text_is_not_also_called_an_invalid_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """One error per refused text: the round's pattern is not said to fail as well."""
    monkeypatch.chdir(HERE)
    _, output = validate("round-arabic-indic.yaml")
    assert "error invalid-value (round)" not in output


@pytest.mark.parametrize(
    ("text", "ascii_number"),
    [("2026", True), ("0", True), ("", False), ("٢٠٢٦", False), ("２０２６", False), ("²", False), ("12a", False)],
)
def test_ascii_numbers_only(text: str, ascii_number: bool) -> None:
    assert is_ascii_number(text) is ascii_number
    assert (non_ascii_digit(text) is None) is (text.isascii())


@pytest.mark.parametrize(
    ("text", "in_line", "in_paragraphs"),
    [
        ("plain text, with ünïcödé and العربية", None, None),
        ("a\tb", (1, "\t"), None),
        ("a\nb", (1, "\n"), None),
        ("a\rb", (1, "\r"), (1, "\r")),
        ("\0", (0, "\0"), (0, "\0")),
        ("x\x7f", (1, "\x7f"), (1, "\x7f")),
        ("x\x85", (1, "\x85"), (1, "\x85")),
        ("ab\u202e", (2, "\u202e"), (2, "\u202e")),
        ("\u2066x", (0, "\u2066"), (0, "\u2066")),
        ("x\u2029", (1, "\u2029"), (1, "\u2029")),
        ("zero\u200dwidth joiner", None, None),  # needed by some scripts: allowed
    ],
)
def test_forbidden_characters(text: str, in_line: object, in_paragraphs: object) -> None:
    assert forbidden_character(text) == in_line
    assert forbidden_character(text, multiline=True) == in_paragraphs


def test_each_field_has_its_limit() -> None:
    assert limit_of(("subject", "name")).chars == 200
    assert limit_of(("answers", "gov-01", "notes")) == FIELDS[("answers", "*", "notes")]
    assert limit_of(("answers", "gov-01", "evidence", 3, "url")).chars == 2048
    assert limit_of(("assessors", 0, "email")).chars == 254
    assert limit_of(("round",)).digits and not limit_of(("subject", "name")).digits
    assert limit_of(("nowhere",)) == OTHER and KEY.chars == 100
    multiline = {shape for shape, limit in FIELDS.items() if limit.multiline}
    assert multiline == {
        ("subject", "intended_use"),
        ("answers", "*"),
        ("answers", "*", "value"),
        ("answers", "*", "notes"),
        ("answers", "*", "reason"),
    }


def test_a_kept_limit_is_the_limit_of_its_exact_path() -> None:
    """Limits are kept by path: the list index 1, the key True and the key 1.0 are three paths
    (equal in Python), and the key 1.0 is not a list item's option id."""
    assert limit_of(("answers", "gov-01", 1)) == FIELDS[("answers", "*", "#")]
    assert limit_of(("answers", "gov-01", True)) == FIELDS[("answers", "*", "#")]
    assert limit_of(("answers", "gov-01", 1.0)) == OTHER
    assert limit_of(("answers", "gov-01", 1)) == FIELDS[("answers", "*", "#")]


@pytest.mark.parametrize(
    ("round_text", "codes"),
    [
        ("2026-Q1", []),
        # As long as the shortest limit allows: passed here (it is not a round: validation says so).
        ("2026-Q1" + "x" * (RULES.shortest - 7), []),
        ("2026-Q1" + "x" * (RULES.shortest - 6), ["too-long"]),  # one more: refused by its length
        ("2026-Q\u0661", ["non-ascii-digits"]),
        ("2026\u202e-Q1", ["control-character"]),
    ],
)
def test_short_texts_are_checked_whatever_their_limit(round_text: str, codes: list[str]) -> None:
    """A text no longer than the shortest limit passes without its limit being looked up only
    when it is printable ASCII; anything else is checked against its own field."""
    doc = load_bytes(f'round: "{round_text}"\n'.encode(), "one.yaml")
    assert RULES.shortest == min(limit.chars for limit in (*FIELDS.values(), OTHER)) == 16
    found = [d.code for d in text_diagnostics(doc)]
    assert found == codes


# -- time ------------------------------------------------------------------------------------------


def test_a_round_is_accepted_once_it_has_begun(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same file, refused on 2026-12-07, is valid on 2027-01-01: the check is against today."""
    monkeypatch.chdir(HERE)
    assert validate("round-future.yaml")[0] == 1
    code, output = validate("round-future.yaml", today="2027-01-01")
    assert code == 0, output


def test_the_round_margin_is_an_option(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(HERE)
    for margin, expected in (("2", 0), ("1", 1), ("0", 1)):
        result = CliRunner().invoke(
            main, ["--today", TODAY, "--round-margin", margin, "validate", "assessed-on-far-after.yaml"]
        )
        assert result.exit_code == expected, (margin, result.output)
    monkeypatch.setenv("AIASSURE_ROUND_MARGIN", "2")
    assert validate("assessed-on-far-after.yaml")[0] == 0
    # an assessment made late in the quarter before its round is within the default margin
    monkeypatch.delenv("AIASSURE_ROUND_MARGIN")
    early = tmp_path / "early.yaml"
    early.write_text(
        (HERE / "control.yaml")
        .read_text(encoding="utf-8")
        .replace("assessed_on: 2026-11-20", "assessed_on: 2026-09-30"),
        encoding="utf-8",
    )
    assert validate(str(early))[0] == 0
    assert CliRunner().invoke(main, ["--today", TODAY, "--round-margin", "0", "validate", str(early)]).exit_code == 1


def test_every_entry_point_refuses_a_future_round(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """score, report, diff, registry ingest and import take the same calendar as validate."""
    monkeypatch.chdir(HERE)
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'registry.db'}"
    for args in (
        ["score", "round-future.yaml"],
        ["report", "round-future.yaml", "-o", str(tmp_path / "reports"), "--format", "md"],
        ["diff", "control.yaml", "round-future.yaml"],
        ["registry", "ingest", "--db", db, "round-future.yaml"],
    ):
        result = runner.invoke(main, ["--today", TODAY, *args])
        assert result.exit_code == 1, (args, result.output)
        assert "error round-in-future" in result.output, (args, result.output)
    assert not (tmp_path / "reports").exists() or not list((tmp_path / "reports").iterdir())


def test_results_do_not_depend_on_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """No clock value enters a result: the same file scores byte for byte alike on any day it is valid."""
    monkeypatch.chdir(HERE)
    outputs = {
        today: CliRunner().invoke(main, ["--today", today, "score", "--format", "json", "control.yaml"]).output
        for today in ("2026-12-07", "2027-03-31", "2031-06-01")
    }
    assert len(set(outputs.values())) == 1 and '"round": "2026-Q4"' in outputs["2026-12-07"]


def _store_unchecked(registry: object, path: Path) -> None:
    """Store as a registry would have before rounds were checked (no calendar, so no future check)."""
    from aiassure.assessments.score_files import ScoreOptions
    from aiassure.registry.intake import read_input

    registry.store(read_input(path, ScoreOptions()))  # type: ignore[attr-defined]


def test_a_far_future_round_never_becomes_the_portfolios_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A far-future round (and one in other digits) stored before they were refused: the default
    round of `portfolio report` stays the latest round that has begun, and `registry ingest`
    refuses such files now."""
    import json

    from sqlalchemy import update

    from aiassure.registry.schema import submissions
    from aiassure.registry.store import open_registry

    db = f"sqlite:///{tmp_path / 'registry.db'}"
    runner = CliRunner()
    assert (
        runner.invoke(main, ["--today", TODAY, "registry", "ingest", "--db", db, str(HERE / "control.yaml")]).exit_code
        == 0
    )
    refused = runner.invoke(
        main, ["--today", TODAY, "registry", "ingest", "--db", db, str(HERE / "round-far-future.yaml")]
    )
    assert refused.exit_code == 1 and "round-in-future" in refused.output
    future = tmp_path / "future.yaml"
    text = (HERE / "control.yaml").read_text(encoding="utf-8")
    future.write_text(
        text.replace("round: 2026-Q4", "round: 2999-Q4")
        .replace("assessed_on: 2026-11-20", "assessed_on: 2999-11-20")
        .replace("code: RXX", "code: RXF"),
        encoding="utf-8",
    )
    other_digits = tmp_path / "other-digits.yaml"
    other_digits.write_text(text.replace("code: RXX", "code: RXD"), encoding="utf-8")
    registry = open_registry(db)
    try:
        _store_unchecked(registry, future)
        _store_unchecked(registry, other_digits)
        with registry.transaction() as conn:  # a round in Arabic-Indic digits, as an old registry might hold
            conn.execute(update(submissions).where(submissions.c.subject_code == "RXD").values(round="٢٩٩٩-Q4"))
    finally:
        registry.close()
    out = tmp_path / "portfolio"
    result = runner.invoke(
        main, ["--today", TODAY, "portfolio", "report", "--db", db, "-o", str(out), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    [section] = json.loads(next(out.glob("*.json")).read_text(encoding="utf-8"))["sections"]
    assert section["round"] == "2026-Q4"
    # asked for by name, the stored far-future round is still reported
    result = runner.invoke(
        main,
        ["--today", TODAY, "portfolio", "report", "--db", db, "-o", str(out), "--format", "json", "--round", "2999-Q4"],
    )
    assert result.exit_code == 0, result.output
