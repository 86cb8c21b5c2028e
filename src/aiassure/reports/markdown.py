"""Markdown that stays inert however hostile the text in it: escaping, table cells and safe links."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from markupsafe import Markup

# Characters that start Markdown or GitHub syntax anywhere in a line: emphasis, code, links and
# images, raw HTML and entities, tables, strikethrough, maths, headings and issue references.
_ANYWHERE = re.compile(r"([\\`*_\[\]<>|!~$&#])")
# At the start of a line: bullets, thematic breaks and setext underlines, ordered-list markers.
_AT_START = re.compile(r"^([-+=])|^(\d+)([.)])(?=\s|$)")
_NEWLINES = re.compile(r"\s*(?:\r\n|\r|\n)\s*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# GitHub's autolinks (and linkify's, as in VS Code) start from plain text once it is parsed: a
# `www.` or any `name.tld` (a dot between a word character and a letter), a scheme (`http:`,
# `ftp:`, any `word:` before `/`), and an e-mail address or `mailto:`/`xmpp:` (an `@`).
# Backslash-escaping the dot and the colon keeps the parser from seeing them (they become text
# only after autolinks are found); an `@` stays an `@` after escaping (cmark-gfm finds e-mail
# addresses in the joined text), so an empty `<wbr>` element of ours follows it: no text node
# then holds an address, or an @mention, and the text reads the same.
_DOMAIN_DOT = re.compile(r"(?<=\w)\.(?=[^\W\d_])")
_SCHEME_COLON = re.compile(r":(?=/)")
_AT = "@"


def md_escape(value: object) -> str:
    """Plain text as Markdown that renders as exactly that text, on one line.

    Line breaks become `<br>` (ours, never the user's) so that text inside a table cell or a list
    item cannot start a new block; every character that could begin syntax is backslash-escaped,
    which CommonMark allows for any ASCII punctuation; and no autolink can start (`_inert_links`).
    """
    text = _CONTROL.sub("", "" if value is None else str(value)).strip()
    lines = [_AT_START.sub(_escape_start, _inert_links(_ANYWHERE.sub(r"\\\1", line))) for line in _NEWLINES.split(text)]
    return "<br>".join(lines)


def _inert_links(line: str) -> str:
    """`line` (already escaped) with nothing a GFM or linkify autolink could start from."""
    line = _SCHEME_COLON.sub(r"\\:", _DOMAIN_DOT.sub(r"\\.", line))
    return line.replace(_AT, "@<wbr>")


def _escape_start(match: re.Match[str]) -> str:
    if match.group(1):
        return "\\" + match.group(1)
    return f"{match.group(2)}\\{match.group(3)}"


def is_web_url(url: object) -> bool:
    """Only http(s) addresses with a host become links; anything else stays text."""
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def md_link(title: object, url: object) -> Markup:
    """`[title](<url>)` for an http(s) URL, the escaped title alone for anything else.

    The URL is percent-encoded so that no bracket, space or angle bracket can close the link
    destination early and smuggle in another link or image.
    """
    text = md_escape(title) or md_escape(url)
    if not is_web_url(url):
        return Markup(text)
    target = quote(str(url).strip(), safe="/:?#@!$&'*+,;=%~-._")
    return Markup(f"[{text}](<{target}>)")


def md_finalize(value: object) -> Markup:
    """Jinja `finalize` for Markdown templates: every `{{ value }}` is escaped unless already Markup."""
    if isinstance(value, Markup):
        return value
    return Markup(md_escape(value))
