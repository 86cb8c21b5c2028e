"""The client side of `aiassure submit`: files sent with a token; receipts or located refusals read back."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import AiassureError, Diagnostic, Location, UsageError
from ..source import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    import httpx

CONTENT_TYPES = {
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".json": "application/json",
    ".pdf": "application/pdf",
}
TIMEOUT_SECONDS = 120.0  # scoring and storing a large file on a busy service


class ServiceUnreachable(AiassureError):
    """The service did not answer (exit 1)."""


@dataclass
class Sent:
    """What the service said about one file: a receipt (201 new, 200 already stored) or a refusal."""

    path: Path
    status: int
    receipt: dict[str, Any] | None = None
    problem: dict[str, Any] | None = None
    diagnostics: list[Diagnostic] = dataclasses.field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.receipt is not None


def submit_files(
    url: str,
    token: str,
    paths: list[Path],
    *,
    transport: httpx.BaseTransport | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[Sent]:
    """POST each file to `url`'s /api/v1/submissions, one at a time over one connection. A file that
    cannot be read, or is over `max_bytes` (`too-large`: never read whole), is not sent: it is
    refused here (status 0) and the others are sent."""
    import httpx

    from ..source import read_bytes

    base = url.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise UsageError(f"--to {url!r}: expected the service's address, like https://aiassure.example.nhs.uk")
    sent: list[Sent] = []
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json, application/problem+json"}
    with httpx.Client(base_url=base, headers=headers, timeout=TIMEOUT_SECONDS, transport=transport) as client:
        for path in paths:
            content_type = CONTENT_TYPES.get(path.suffix.lower())
            if content_type is None:
                raise UsageError(f"{path}: send submission YAML, report PDF or result JSON files")
            try:
                raw = read_bytes(path, max_bytes=max_bytes)  # stat, then a bounded read
            except AiassureError as exc:
                problem = {"title": "not sent", "detail": exc.message, "errors": []}
                sent.append(Sent(path, 0, problem=problem, diagnostics=exc.diagnostics))
                continue
            try:
                response = client.post(
                    "/api/v1/submissions",
                    content=raw,
                    params={"filename": path.name},
                    headers={"Content-Type": content_type},
                )
            except httpx.HTTPError as exc:
                raise ServiceUnreachable(f"{base}: no answer ({type(exc).__name__}: {exc})") from None
            sent.append(_read(path, response))
    return sent


def _read(path: Path, response: httpx.Response) -> Sent:
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code in (200, 201) and isinstance(body, dict):
        return Sent(path, response.status_code, receipt=body)
    if not isinstance(body, dict):
        body = {"title": response.reason_phrase, "detail": response.text[:200], "errors": []}
    return Sent(path, response.status_code, problem=body, diagnostics=_diagnostics(path, body))


def _diagnostics(path: Path, problem: dict[str, Any]) -> list[Diagnostic]:
    """The problem's diagnostics, naming the file as the user gave it (the service knows only its base name)."""
    found = []
    for error in problem.get("errors") or []:
        if not isinstance(error, dict):
            continue
        file = str(error.get("file") or path.name)
        if file == path.name or file.startswith(f"{path.name}["):
            file = str(path) + file[len(path.name) :]
        found.append(
            Diagnostic(
                str(error.get("code", "refused")),
                str(error.get("message", "")),
                Location(file, error.get("line"), error.get("column")),
                str(error.get("path") or ""),
                "warning" if error.get("severity") == "warning" else "error",
                str(error.get("hint") or ""),
            )
        )
    return found
