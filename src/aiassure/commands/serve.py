"""`aiassure serve`: the submission service over HTTP (FastAPI on uvicorn) on the registry (docs/service.md)."""

from __future__ import annotations

from pathlib import Path

import click

from .common import MAX_JOBS, calendar, db_option, max_bytes_option, rubric_dir_option

MAX_RATE_PER_MINUTE = 1_000_000


@click.command("serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--workers", type=click.IntRange(1, MAX_JOBS), default=1, show_default=True, help="Worker processes (uvicorn)."
)
@click.option(
    "--rate-limit",
    "rate_per_minute",
    type=click.IntRange(1, MAX_RATE_PER_MINUTE),
    default=600,
    show_default=True,
    help="Requests a minute per token (and per address without a valid token), shared out between the workers.",
)
@click.option("--strict", is_flag=True, help="Refuse submissions that have warnings.")
@click.option(
    "--forwarded-allow-ips",
    default="127.0.0.1",
    show_default=True,
    help="Comma-separated addresses of reverse proxies whose X-Forwarded-For is believed.",
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="info",
    show_default=True,
)
@rubric_dir_option
@max_bytes_option
def command(
    db: str | None,
    host: str,
    port: int,
    workers: int,
    rate_per_minute: int,
    strict: bool,
    forwarded_allow_ips: str,
    log_level: str,
    rubric_dirs: tuple[Path, ...],
    max_bytes: int,
) -> None:
    """Serve the API: vendors and trusts submit with API tokens, each organisation reads its own,
    analysts read everything. OpenAPI at /api/openapi.json, docs at /api/docs. Create the first
    admin token with `aiassure admin token create`. Logs are JSON lines on standard error."""
    from ..service.server import serve
    from ..service.settings import Settings

    today = calendar()

    settings = Settings(
        db=db,
        rubric_dirs=tuple(str(d) for d in rubric_dirs),
        strict=strict,
        max_bytes=max_bytes,
        rate_per_minute=rate_per_minute,
        workers=workers,
        forwarded_allow_ips=[ip.strip() for ip in forwarded_allow_ips.split(",") if ip.strip()],
        # pinned only if pinned here: otherwise each request reads the day it is made on
        today=today.today.isoformat() if today.pinned else None,
        round_margin=today.round_margin,
    )
    serve(settings, host=host, port=port, log_level=log_level)
