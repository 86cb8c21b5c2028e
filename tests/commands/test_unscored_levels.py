"""No unscored criterion shows a level anywhere, and a yes/no answer never shows the scale's
label (issue 17): `score` text and JSON, the HTML, Markdown and PDF reports, the `init`
answers file, the `assess` questions and the exports, for a trust and a product that answer context
questions (AI stage, intended use, device class, NICE tier) and yes/no questions."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiassure.cli import main
from aiassure.rubrics.loader import LoadedRubric, RubricLibrary

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "2026-Q4"
# code -> (its submission, its rubric); each answers context and yes/no questions
SUBJECTS = {
    "RX1": (EXAMPLES / "RX1.yaml", "nhs-ai-readiness@1.0.0"),
    "PRD-CXRTRIAGE": (EXAMPLES / "PRD-CXRTRIAGE.yaml", "nhs-ai-technology@1.0.0"),
}


@dataclass(frozen=True)
class Levels:
    """What a level looks like in text, and which criteria of a rubric may show which."""

    rubric: LoadedRubric
    labelled: re.Pattern[str]  # `5 Optimising`: never for an unscored or a yes/no criterion
    numbered: re.Pattern[str]  # `level 5`, `(level 5)`: never for an unscored criterion

    @classmethod
    def of(cls, ref: str) -> Levels:
        rubric = RubricLibrary([]).resolve(ref)
        names = "|".join(re.escape(label) for label in rubric.labels.values())
        return cls(rubric, re.compile(rf"\b\d+ (?:{names})\b"), re.compile(r"\blevel \d+\b"))

    @property
    def unscored(self) -> list[str]:
        return [c.id for c in self.rubric.criteria.values() if not c.scored]

    @property
    def binary(self) -> list[str]:
        return [c.id for c in self.rubric.criteria.values() if c.scored and c.binary]

    def check(self, ident: str, text: str, where: str) -> None:
        assert not self.labelled.search(text), (where, ident, text)
        if ident in self.unscored:
            assert not self.numbered.search(text), (where, ident, text)

    def check_mentions(self, text: str, where: str) -> None:
        """Every mention of an unscored or yes/no criterion, up to the next criterion id, the end of
        its line or a `<br>` (a table cell, a crosswalk entry, an action)."""
        ids = "|".join(re.escape(i) for i in sorted(self.rubric.criteria, key=len, reverse=True))
        other = re.compile(rf"(?<![\w-])(?:{ids})(?![\w-])")
        checked = 0
        for ident in [*self.unscored, *self.binary]:
            mine = re.compile(rf"(?<![\w-]){re.escape(ident)}(?![\w-])")
            for line in text.splitlines():
                for part in line.split("<br>"):
                    for found in mine.finditer(part):
                        rest = part[found.end() :]
                        following = other.search(rest)
                        self.check(ident, rest[: following.start()] if following else rest, where)
                        checked += 1
        assert checked, f"{where} mentions none of {self.unscored + self.binary}"


def run(*args: object, stdin: str | None = None) -> str:
    done = CliRunner().invoke(main, [str(a) for a in args], input=stdin)
    assert done.exit_code == 0, done.output
    return done.stdout


def blocks(text: str, start: str, end: str) -> Iterator[str]:
    """The text from each line starting with `start` up to the next line starting with `end`."""
    for found in re.finditer(rf"^{re.escape(start)}.*?^{re.escape(end)}", text, re.M | re.S):
        yield found.group()


@pytest.mark.parametrize("code", list(SUBJECTS))
def test_score_text_and_json(code: str) -> None:
    path, ref = SUBJECTS[code]
    levels = Levels.of(ref)
    text = run("score", path)
    for ident in levels.unscored + levels.binary:
        for line in text.splitlines():
            if re.search(rf"(?<![\w-]){re.escape(ident)}(?![\w-])", line):
                levels.check(ident, line, "score text")
    result = json.loads(run("score", "--format", "json", path))
    for criterion in result["criteria"]:
        if criterion["id"] in levels.unscored + levels.binary:
            assert "label" not in criterion
            levels.check(criterion["id"], json.dumps(criterion), "score json")


@pytest.mark.parametrize("code", list(SUBJECTS))
def test_markdown_and_html_reports(code: str, tmp_path: Path) -> None:
    path, ref = SUBJECTS[code]
    levels = Levels.of(ref)
    run("report", path, "-o", tmp_path, "--format", "md,html")
    markdown = (tmp_path / f"{code}-2026-Q4.md").read_text(encoding="utf-8")
    levels.check_mentions(markdown, "markdown")
    html = (tmp_path / f"{code}-2026-Q4.html").read_text(encoding="utf-8")
    for ident in levels.unscored + levels.binary:
        cells = [
            re.search(rf'<tr id="c-{re.escape(ident)}"[^>]*>(.*?)</tr>', html, re.S).group(1),  # type: ignore[union-attr]
            *re.findall(
                rf'<span class="entry"><a class="cid" href="#c-{re.escape(ident)}">[^<]*</a>(.*?)</span>'
                r'(?=<span class="entry">|</dd>)',
                html,
                re.S,
            ),
        ]
        for cell in cells:
            if ident in levels.unscored:
                assert 'class="level' not in cell, (ident, cell)
            levels.check(ident, re.sub(r"<[^>]+>", " ", cell), "html")
    context = {c.id for c in levels.rubric.criteria.values() if not c.scored and c.type != "text"}
    assert context and all(f'<tr id="c-{ident}"' in html for ident in context)


@pytest.mark.slow
@pytest.mark.parametrize("code", list(SUBJECTS))
def test_the_pdf_report(code: str, tmp_path: Path) -> None:
    from pypdf import PdfReader

    path, ref = SUBJECTS[code]
    run("report", path, "-o", tmp_path, "--format", "pdf")
    reader = PdfReader(tmp_path / f"{code}-2026-Q4.pdf")
    Levels.of(ref).check_mentions("\n".join(page.extract_text() or "" for page in reader.pages), "pdf")


@pytest.mark.parametrize("code", list(SUBJECTS))
def test_the_init_answers_file(code: str, tmp_path: Path) -> None:
    _, ref = SUBJECTS[code]
    levels = Levels.of(ref)
    run("init", ref, "-o", tmp_path / "answers.yaml")
    text = (tmp_path / "answers.yaml").read_text(encoding="utf-8")
    for ident in levels.unscored + levels.binary:
        [block] = blocks(text, f"  # {ident}: ", f"  {ident}:")
        levels.check(ident, block, "init")


@pytest.mark.parametrize("code", list(SUBJECTS))
def test_the_assess_questions_and_current_answers(code: str, tmp_path: Path) -> None:
    """`assess --review` over the example's answers, Enter keeping each: every question shows its
    menu and its current answer."""
    path, ref = SUBJECTS[code]
    levels = Levels.of(ref)
    answers = tmp_path / path.name
    shutil.copy(path, answers)
    shown = run("assess", ref, "-o", answers, "--review", stdin="\n" * 600)
    for ident in levels.unscored + levels.binary:
        asked = list(blocks(shown, f"{ident}  ", f"{ident}> "))
        assert asked or levels.rubric.criteria[ident].applies_if, ident  # asked unless it may not apply
        for block in asked:
            assert "current answer: " in block
            levels.check(ident, block, "assess")
    assert "current answer: Yes (level 5)" in shown  # a scored yes/no gives the level its answer earns


def test_the_exports_carry_the_answer_and_no_level_label(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    run("registry", "ingest", *(path for path, _ in SUBJECTS.values()), "--db", url)
    rows = [
        json.loads(line)
        for line in run("portfolio", "export", "--table", "scores", "--format", "jsonl", "--db", url).splitlines()
    ]
    for code, (path, ref) in SUBJECTS.items():
        levels = Levels.of(ref)
        result = json.loads(run("score", "--format", "json", path))
        given = {c["id"]: c["answer"] for c in result["criteria"]}
        for row in rows:
            if row["subject_code"] == code and row["scope"] == "criterion" and row["scope_id"] in levels.unscored:
                assert row["answer"] is None or json.loads(row["answer"]) == given[row["scope_id"]]
                levels.check(row["scope_id"], json.dumps({k: v for k, v in row.items() if k != "level"}), "export")
        context = [c.id for c in levels.rubric.criteria.values() if not c.scored and c.type != "text"]
        assert all(
            json.loads(r["answer"]) == given[r["scope_id"]]
            for r in rows
            if r["subject_code"] == code and r["scope_id"] in context
        )
