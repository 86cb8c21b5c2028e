"""PDF output through WeasyPrint (tagged PDF/UA, embedded files, no network); assessments.inputs reads them back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from ..fsutil import write_atomic
from .render import template_search_path

PDF_VARIANT = "pdf/ua-1"
# A fixed time for embedded files, so that the same inputs give the same attachments.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@cache
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type information
        """Serves `data:` URIs and files inside the allowed folders; refuses everything else."""

        def __init__(self, roots: Sequence[Path]) -> None:
            super().__init__(allowed_protocols=("data", "file"))
            self.roots = [Path(root).resolve() for root in roots]

        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                parts = urlsplit(url)
                path = Path(url2pathname(unquote(parts.path))).resolve()
                if (
                    parts.netloc in ("", "localhost")
                    and path.is_file()
                    and any(path.is_relative_to(root) for root in self.roots)
                ):
                    return URLFetcherResponse(path.as_uri(), path.read_bytes())
            raise ValueError(f"reports only read data: URIs and files in the template folders, not {url}")

    return LocalOnlyFetcher


def local_only_fetcher(roots: Sequence[Path]) -> Any:
    """A WeasyPrint URL fetcher that reaches no network and no file outside `roots`."""
    return _fetcher_class()(roots)


def html_to_pdf(
    html: str,
    out_path: Path | None = None,
    *,
    attachments: Sequence[tuple[str, bytes, str]] = (),
    title: str | None = None,
    lang: str | None = None,
    base_dirs: Sequence[Path] = (),
    created: datetime = EPOCH,
) -> bytes:
    """A tagged PDF/UA of `html` with files embedded as (name, bytes, description); written
    atomically to `out_path` when given, and returned.

    Relative URLs resolve against the first of `base_dirs`; only `data:` URIs and files inside
    `base_dirs` or the built-in templates are read. `title` and `lang` override what the HTML's
    `<title>` and `<html lang>` say.
    """
    from weasyprint import HTML, Attachment

    roots = [Path(root).resolve() for root in template_search_path(base_dirs)]  # relative folders too
    fetcher = local_only_fetcher(roots)
    options: dict[str, Any] = {
        "pdf_variant": PDF_VARIANT,
        "custom_metadata": True,
        "attachments": [
            Attachment(string=content, name=name, description=description, created=created, modified=created)
            for name, content, description in attachments
        ],
    }
    document = HTML(string=html, base_url=roots[0].as_uri() + "/", url_fetcher=fetcher).render(**options)
    if title is not None:
        document.metadata.title = title
    if lang is not None:
        document.metadata.lang = lang
    data: bytes = document.write_pdf(**options)
    if out_path is not None:
        write_atomic(out_path, data)
    return data
