"""PDF output through WeasyPrint (tagged PDF/UA, embedded files, no network) and reading embedded files back."""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from ..errors import Diagnostic, InputError, Location
from ..fsutil import write_atomic
from ..source import DEFAULT_MAX_BYTES
from .render import template_search_path

PDF_VARIANT = "pdf/ua-1"
# A fixed time for embedded files, so that the same inputs give the same attachments.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# A report embeds two files (its result and its submission); reading stops well past that.
MAX_ATTACHMENTS = 8
MAX_NAME_TREE_DEPTH = 16


@cache
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):
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

    roots = template_search_path(base_dirs)
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
    data = document.write_pdf(**options)
    if out_path is not None:
        write_atomic(out_path, data)
    return data


def read_pdf_attachments(source: Path | bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, bytes]:
    """The files embedded in a PDF, by name; raises InputError when it is not a readable PDF.

    A small PDF can carry gigabytes once decompressed (a compression bomb, or many attachments),
    so at most MAX_ATTACHMENTS files are read, each decoded here with a bound of `max_bytes`
    rather than by pypdf, whose limits depend on its version."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    name = source.name if isinstance(source, Path) else "PDF"
    try:
        reader = PdfReader(source if isinstance(source, Path) else io.BytesIO(source))
        files: dict[str, bytes] = {}
        for attached, stream in _embedded_files(reader.trailer["/Root"]):
            if len(files) == MAX_ATTACHMENTS:
                message = f"it embeds more than {MAX_ATTACHMENTS} files, which no aiassure report does"
                raise InputError(f"{name}: {message}", [Diagnostic("not-a-report", message, Location(name))])
            files.setdefault(attached, _decoded(stream, attached, name, max_bytes))
        return files
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, zlib.error) as exc:
        message = f"not a readable PDF ({exc})"
        raise InputError(f"{name}: {message}", [Diagnostic("not-a-pdf", message, Location(name))]) from None


def _embedded_files(catalog: Any) -> Iterator[tuple[str, Any]]:
    """(name, stream) of each file in the catalog's EmbeddedFiles name tree, without decoding any."""
    names = catalog.get("/Names")
    tree = names.get_object().get("/EmbeddedFiles") if names is not None else None
    nodes = [(tree.get_object(), 0)] if tree is not None else []
    while nodes:
        node, depth = nodes.pop()
        if depth > MAX_NAME_TREE_DEPTH:  # a /Kids loop, or a tree no writer makes
            raise ValueError("the tree of embedded files is too deep")
        pairs = node.get("/Names") or []
        for index in range(0, len(pairs) - 1, 2):
            spec = pairs[index + 1].get_object()
            embedded = spec["/EF"].get_object()
            yield str(pairs[index]), (embedded.get("/UF") or embedded["/F"]).get_object()
        nodes.extend((kid.get_object(), depth + 1) for kid in reversed(node.get("/Kids") or []))


def _decoded(stream: Any, attached: str, pdf_name: str, max_bytes: int) -> bytes:
    """An embedded file's bytes, unencoded or Flate (what WeasyPrint and other writers use); never
    more than `max_bytes` of it is produced."""
    filters = stream.get("/Filter")
    filters = [] if filters is None else [filters] if isinstance(filters, str) else list(filters)
    encoded = stream._data  # the bytes as stored: pypdf's get_data() would decode them without our bound
    if not filters:
        data = encoded
    elif filters == ["/FlateDecode"] and stream.get("/DecodeParms") is None:
        data = zlib.decompressobj().decompress(encoded, max_bytes + 1)
    else:
        raise ValueError(f"the embedded file {attached} is encoded with {' '.join(map(str, filters))}, not Flate")
    if len(data) > max_bytes:
        where = Location(pdf_name)
        message = f"the embedded file {attached} is over the limit of {max_bytes:,} bytes once decompressed"
        raise InputError(
            f"{pdf_name}: {message}",
            [Diagnostic("too-large", message, where, hint="raise the limit with --max-bytes")],
        )
    return data
