"""Run the service under uvicorn: migrate once, then one or more worker processes on the same registry."""

from __future__ import annotations

import os
from typing import Any

from .logs import log_config
from .settings import ENV_SETTINGS, Settings

# Seconds an idle keep-alive connection is held, and a shutdown waits for requests in flight.
KEEP_ALIVE_SECONDS = 5
GRACEFUL_SECONDS = 10
# Connections a worker serves at once before answering 503: a bound on memory and threads.
MAX_CONCURRENCY = 200


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How uvicorn runs the app, whoever starts it (`serve`, or a test)."""
    return {
        "access_log": False,  # the service logs each request itself, as JSON with its request id
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "server_header": False,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "timeout_graceful_shutdown": GRACEFUL_SECONDS,
        "limit_concurrency": MAX_CONCURRENCY,
    }


def serve(settings: Settings, *, host: str, port: int, log_level: str = "info") -> None:
    """Serve until interrupted. The schema is migrated here, before any worker starts."""
    import uvicorn

    from ..registry.store import open_registry

    open_registry(settings.db).close()
    os.environ[ENV_SETTINGS] = settings.to_env()
    uvicorn.run(
        "aiassure.service.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=settings.workers if settings.workers > 1 else None,
        log_config=log_config(log_level),
        **uvicorn_options(settings),
    )
