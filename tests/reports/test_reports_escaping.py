"""Hostile text in names, notes, evidence titles and URLs is escaped in HTML and inert in Markdown."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from aiassure.reports.markdown import is_web_url, md_escape, md_link

HOSTILE = [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "![img](https://evil.example/i.png)",
    "a | b | c",
    "`code` and ```fence```",
    "# heading",
    "- item",
    "1. ordered",
    "> quote",
    "<!-- comment -->",
    "&lt;script&gt; &amp;",
    "*em* _em_ **strong** ~~strike~~ $x$",
    "line one\nline two\r\n\n- list",
    "trailing backslash \\",
    "===",
]


def gfm() -> MarkdownIt:
    """A CommonMark renderer with raw HTML allowed, tables and strikethrough, as GitHub has them."""
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


class Elements(HTMLParser):
    """Every element and attribute in rendered HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(html)
    return parser.tags


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_renders_as_itself_in_one_paragraph(text: str) -> None:
    for line in (md_escape(text), f"- {md_escape(text)}", f"| {md_escape(text)} |\n|---|\n| {md_escape(text)} |"):
        html = gfm().render(line)
        tags = {tag for tag, _ in elements(html)}
        assert tags <= {"p", "br", "wbr", "ul", "li", "table", "thead", "tbody", "tr", "th", "td"}, (text, html)
    rendered = gfm().render(md_escape(text)).replace("<wbr>", "")
    visible = re.sub(r"<br\s*/?>\n?", "\n", rendered.removeprefix("<p>").removesuffix("</p>\n"))
    expected = "\n".join(part.strip() for part in re.split(r"\s*(?:\r\n|\r|\n)\s*", text.strip()))
    assert unescape(visible) == expected


def test_links_only_for_web_addresses_and_never_broken_out_of() -> None:
    assert md_link("Safety case", "javascript:alert(1)") == "Safety case"
    assert md_link("x", "data:text/html,<script>") == "x"
    link = md_link("Safety [case]", "https://evil.example/b)](javascript:alert(1)")
    anchors = [attrs for tag, attrs in elements(gfm().render(link)) if tag == "a"]
    assert len(anchors) == 1 and anchors[0]["href"].startswith("https://evil.example/b")
    assert "javascript" not in anchors[0]["href"].split("/")[2]
    assert not is_web_url("https:///nohost") and is_web_url("http://127.0.0.1:8000/x")


def _untrusted_in_html(html: str) -> list[str]:
    """Anything active in an HTML report: scripts, handlers, frames, non-web links or images."""
    found = []
    for tag, attrs in elements(html):
        if tag in ("script", "iframe", "object", "embed", "img", "form", "base", "meta") and not (
            tag == "meta" and "http-equiv" not in attrs
        ):
            found.append(tag)
        found += [name for name in attrs if name.startswith("on")]
        href = attrs.get("href") or ""
        if tag == "a" and not (href.startswith("#") or href.startswith("https://") or href.startswith("http://")):
            found.append(f"a href={href}")
    return found


def test_hostile_html_report_is_escaped(rendered: Path) -> None:
    html = (rendered / "etc-x-2026-Q4.html").read_text()
    assert _untrusted_in_html(html) == []
    for shown in (
        "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;",
        "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;h1&gt;Injected",
        "{{ 7 * 7 }}",
    ):
        assert shown in html
    assert html.count("<h1") == 1
    hrefs = [attrs["href"] for tag, attrs in elements(html) if tag == "a" and not attrs["href"].startswith("#")]
    assert all(h.startswith("https://") for h in hrefs) and not any("javascript:" in h.split("/")[2] for h in hrefs)


def test_hostile_markdown_report_is_inert(rendered: Path) -> None:
    text = (rendered / "etc-x-2026-Q4.md").read_text()
    html = gfm().render(text)
    tags = {tag for tag, _ in elements(html)}
    assert tags <= {
        "h1",
        "h2",
        "h3",
        "p",
        "br",
        "wbr",  # ours, after an @: no e-mail autolink (reports/markdown.py)
        "ul",
        "ol",
        "li",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "strong",
        "code",
        "a",
    }, tags
    hrefs = [attrs["href"] for tag, attrs in elements(html) if tag == "a"]
    assert hrefs and all(h.startswith("https://") for h in hrefs)
    assert (
        len([line for line in text.splitlines() if line.startswith("# ")]) == 1
    )  # the vendor's "# Heading" stays text
    # every table row still has the columns of its header: no `|` in an answer split a cell
    for table in re.findall(r"((?:^\|.*\|\n)+)", text, re.M):
        rows = table.splitlines()
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
        assert len(widths) == 1, rows
