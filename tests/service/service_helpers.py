"""Helpers of the service tests: uvicorn serving the app for real on 127.0.0.1 (a free port), over a registry
on each backend, with organisations and a token of every role; httpx clients."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from aiassure.registry.store import Registry, open_registry
from aiassure.service.settings import Settings
from databases import database

EXAMPLES = Path(__file__).parents[2] / "examples" / "2026-Q4"
# Who is who in the tests, after the shipped examples: a vendor, two trusts and the AI Lab.
ORGANISATIONS = {
    "SUP-ALDERGROVE": ("supplier", "Aldergrove Imaging AI Ltd"),
    "SUP-OTHER": ("supplier", "Another Vendor Ltd"),
    "RX1": ("ods", "Fellgate Hospitals NHS Foundation Trust"),
    "RX3": ("ods", "Another Trust"),
    "X24": ("ods", "NHS England AI Lab"),
}
TOKENS = {
    "vendor": ("SUP-ALDERGROVE", "submitter"),
    "vendor-reader": ("SUP-ALDERGROVE", "reader"),
    "other-vendor": ("SUP-OTHER", "submitter"),
    "trust": ("RX1", "submitter"),
    "trust-reader": ("RX1", "reader"),
    "other-trust": ("RX3", "submitter"),
    "other-reader": ("RX3", "reader"),
    "trust-approver": ("RX1", "approver"),
    "other-approver": ("RX3", "approver"),
    "vendor-approver": ("SUP-ALDERGROVE", "approver"),
    "lab-approver": ("X24", "approver"),
    "analyst": ("X24", "analyst"),
    "admin": ("X24", "admin"),
}


@contextmanager
def running(settings: Settings) -> Iterator[str]:
    """uvicorn serving the app on 127.0.0.1 on a port the system picks; yields the base URL."""
    import uvicorn

    from aiassure.service.app import create_app
    from aiassure.service.server import uvicorn_options

    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="on", **uvicorn_options(settings))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass
class Service:
    """A running service: its URL, its registry (for looking behind the API), and a token per role."""

    url: str
    db: str
    registry: Registry
    tokens: dict[str, str]
    token_ids: dict[str, str]

    def client(self, who: str | None = None, **kwargs: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60, **kwargs)

    def submit(self, who: str, path: Path, content_type: str = "application/yaml") -> httpx.Response:
        with self.client(who) as client:
            return client.post(
                "/api/v1/submissions",
                content=path.read_bytes(),
                params={"filename": path.name},
                headers={"Content-Type": content_type},
            )

    def count(self, table: str) -> int:
        from sqlalchemy import func, select
        from sqlalchemy import table as named

        with self.registry.transaction() as conn:
            return int(conn.execute(select(func.count()).select_from(named(table))).scalar_one())

    def audit(self) -> list[Any]:
        from aiassure.service.audit import events

        return list(events(self.registry))


def bootstrap(registry: Registry) -> tuple[dict[str, str], dict[str, str]]:
    """The organisations and one token per role, made as `aiassure admin` makes them."""
    from aiassure.service.audit import Actor, Event, append
    from aiassure.service.identity import add_organisation, create_token

    actor = Actor("cli:test", client="command line")
    tokens, ids = {}, {}
    with registry.transaction(write=True) as conn:
        for code, (kind, name) in ORGANISATIONS.items():
            add_organisation(conn, code, kind, name)
            append(conn, actor, Event("organisation.add", "ok", f"organisation:{code}"))
        for who, (org, role) in TOKENS.items():
            made = create_token(conn, org=org, role=role, name=who, expires_in_days=30, created_by="cli:test")
            append(conn, actor, Event("token.create", "ok", f"token:{made.id}", role))
            tokens[who], ids[who] = made.token, made.id
    return tokens, ids


@contextmanager
def service_on(backend: str, tmp: Path, **settings: Any) -> Iterator[Service]:
    with database(backend, tmp) as url:
        registry = open_registry(url)
        try:
            tokens, ids = bootstrap(registry)
            with running(Settings(db=url, **settings)) as base:
                yield Service(base, url, registry, tokens, ids)
        finally:
            registry.close()
