"""Issue 11, point 8: no value in a Markdown report becomes a live link through an autolink, as
GitHub renders it (cmark-gfm, through cmarkgfm) or as a linkify-on renderer does (markdown-it-py
with linkify-it-py, as VS Code's preview): `www.`, schemes, bare domains, e-mail addresses,
`mailto:`/`xmpp:` and @mentions, in every field that reaches the report. The only links are the
evidence URLs the submission gives as links, which reports/markdown.py writes on purpose."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml
from click.testing import CliRunner
from hostile_helpers import EXAMPLES

from aiassure.cli import main
from aiassure.reports.markdown import md_escape

AUTOLINKS = [
    "www.{t}.example.com",
    "see https://evil.example/{t} now",
    "http://{t}.evil.com/path?q=1",
    "HTTPS://EVIL.COM/{t}",
    "ftp://files.evil.example/{t}",
    "{t}@evil.example.com",
    "mailto:{t}@evil.com",
    "xmpp:{t}@evil.com",
    "{t} at evil.com",  # a bare domain: linkify's fuzzy links
    "//evil.com/{t}",  # protocol-relative
    "@{t} and @octocat",  # @mentions
    "http://127.0.0.1:9/{t}",
    "(www.evil.com/{t})",
    "*www.evil.com* {t}",
    "{t}.evil.co.uk",
    "user.name+tag@{t}.example.org",
    "WWW.{t}.COM",
    "https://例え.jp/{t}",
]
BASE = EXAMPLES / "2026-Q4" / "PRD-BEDFLOW.yaml"


def autolink_submission(folder: Path) -> tuple[Path, list[str], list[str]]:
    """The base example with an autolink in every free-text field (subject, supplier, assessing
    organisation, assessors, notes, owners, reasons, approvers, evidence titles); returns its path,
    the attacks as written and the evidence URLs."""
    data = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    written: list[str] = []
    urls: list[str] = []

    def attack(field: str) -> str:
        text = AUTOLINKS[len(written) % len(AUTOLINKS)].format(t=f"{field.upper()}{len(written):02d}")
        written.append(text)
        return text

    subject = data["subject"]
    for field in ("name", "region", "version"):
        subject[field] = attack(field)
    subject["supplier"]["name"] = attack("supplier")
    data["assessed_by"] = {"name": attack("assessing"), "code": "ODS-X1", "org_type": "acute"}
    data["assessors"] = [{"name": attack("assessor"), "role": attack("role")} for _ in range(2)]
    for answer in data["answers"].values():
        if not isinstance(answer, dict):
            continue
        for field in ("notes", "owner", *(f for f in ("reason", "approved_by") if f in answer)):
            answer[field] = attack(field)
        for item in answer.get("evidence", []):
            item["title"] = attack("title")
            if "url" in item:
                urls.append(item["url"])
    assert {"reason", "approved_by"} <= {k for a in data["answers"].values() if isinstance(a, dict) for k in a}
    path = folder / "autolinks.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path, written, urls


class Anchors(HTMLParser):
    """The links and the visible text of rendered Markdown."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def render_github(text: str) -> str:
    import cmarkgfm
    from cmarkgfm.cmark import Options

    html: str = cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)
    return html


def render_linkify(text: str) -> str:
    from markdown_it import MarkdownIt

    html: str = MarkdownIt("gfm-like", {"html": True, "linkify": True}).render(text)
    return html


RENDERERS = {"github": render_github, "linkify": render_linkify}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("autolinks")
    path, written, urls = autolink_submission(folder)
    result = CliRunner().invoke(main, ["report", str(path), "-o", str(folder / "out"), "--format", "md"])
    assert result.exit_code == 0, result.output
    [markdown] = (folder / "out").glob("*.md")
    return {"md": markdown.read_text(encoding="utf-8"), "attacks": written, "urls": urls}


@pytest.mark.parametrize("renderer", list(RENDERERS))
def test_no_value_becomes_a_link(report: dict[str, Any], renderer: str) -> None:
    parsed = Anchors(RENDERERS[renderer](report["md"]))
    evidence = {quote(url, safe="/:?#@!$&'*+,;=%~-._") for url in report["urls"]}
    assert parsed.hrefs and set(parsed.hrefs) <= evidence, set(parsed.hrefs) - evidence
    shown = "".join("".join(parsed.text).split())
    assert [a for a in report["attacks"] if "".join(a.split()) not in shown] == []  # every value as typed


@pytest.mark.parametrize("renderer", list(RENDERERS))
@pytest.mark.parametrize("attack", AUTOLINKS)
def test_each_autolink_alone_stays_text(attack: str, renderer: str) -> None:
    text = attack.format(t="TAG")
    for markdown in (md_escape(text), f"| a | b |\n|---|---|\n| {md_escape(text)} | x |", f"- {md_escape(text)}"):
        parsed = Anchors(RENDERERS[renderer](markdown))
        assert parsed.hrefs == [], (text, markdown)
        assert text in "".join(parsed.text)


def test_the_renderers_do_link_these_unescaped() -> None:
    """The test can see a link: each renderer links most of the attacks written raw."""
    for render in RENDERERS.values():
        linked = [a for a in AUTOLINKS if Anchors(render(a.format(t="TAG"))).hrefs]
        assert len(linked) >= len(AUTOLINKS) // 2, linked
    assert re.search(r'href="mailto:TAG@evil\.example\.com"', render_github("TAG@evil.example.com"))
