"""ASGI layers around the app: request ids, security headers, JSON access logs, a bounded body; rate limits."""

from __future__ import annotations

import asyncio
import json
import math
import re
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ..text import is_ascii_number
from .logs import logger
from .problems import ServiceProblem, TooLarge

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

REQUEST_ID_HEADER = "x-request-id"
_CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# Every response: no sniffing, no framing, no referrer, nothing cached, and (for the API's JSON)
# no scripts or other content at all. The documentation pages and reports loosen `CSP` below.
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "cache-control": "no-store",
}
CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Swagger UI and Redoc run from the service's own copies, with the small inline scripts that start them.
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'none'"
)
# A stored report: its own inline styles and images, and nothing it could fetch or run.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'"


def csp_for(path: str) -> str:
    if path.startswith(("/api/docs", "/api/redoc", "/api/static/")):
        return DOCS_CSP
    if path.endswith("/report.html"):
        return REPORT_CSP
    return CSP


def request_id(scope: Scope) -> str:
    return str(scope.setdefault("state", {}).get("request_id", ""))


def client_address(scope: Scope) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


class RequestContext:
    """Gives each request an id (the proxy's X-Request-ID when it sent a sane one), adds the
    security headers, and logs one JSON line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, REQUEST_ID_HEADER)
        rid = given if given and _CLIENT_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = rid
        started = time.perf_counter()
        status = {"code": 500}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = {**SECURITY_HEADERS, "content-security-policy": csp_for(scope["path"]), REQUEST_ID_HEADER: rid}
                headers += [(k.encode(), v.encode()) for k, v in extra.items() if k.encode() not in present]
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            principal = state.get("principal")
            logger().info(
                "request",
                extra={
                    "request_id": rid,
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status["code"],
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "client": client_address(scope),
                    "token_id": getattr(principal, "token_id", None),
                    "organisation": getattr(principal, "organisation", None),
                },
            )


class BodyLimit:
    """Reads a request's body whole before the app sees it, and answers 413 as soon as it is known
    to be over `max_bytes` (from Content-Length, or counting) without reading any further; a body
    that takes longer than `timeout` is answered 408. `on_refused(scope, problem)` records it."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        timeout: float,
        on_refused: Callable[[Scope, ServiceProblem], Awaitable[None]],
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.on_refused = on_refused

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        declared = _header(scope, "content-length")
        if declared is not None and is_ascii_number(declared) and int(declared) > self.max_bytes:
            await self._refuse(scope, send, self._too_large(f"Content-Length {int(declared):,}"))
            return
        chunks: list[bytes] = []
        size = 0
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                message = await asyncio.wait_for(receive(), max(deadline - time.monotonic(), 0.001))
            except TimeoutError:
                late = BodyTimeout(f"the request body did not arrive within {self.timeout:g} s")
                await self._refuse(scope, send, late)
                return
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await self._refuse(scope, send, self._too_large(f"more than {self.max_bytes:,} bytes"))
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        whole = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": whole, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _too_large(self, what: str) -> TooLarge:
        return TooLarge(
            f"the body is {what}, over the limit of {self.max_bytes:,} bytes; nothing past the limit was read",
        )

    async def _refuse(self, scope: Scope, send: Send, problem: ServiceProblem) -> None:
        await self.on_refused(scope, problem)
        body = json.dumps(problem_body(problem, scope)).encode()
        headers = [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),  # the rest of the body is never read
        ]
        await send({"type": "http.response.start", "status": problem.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class BodyTimeout(ServiceProblem):
    status, slug, title = 408, "request-timeout", "The request body took too long"


def problem_body(problem: ServiceProblem, scope: Scope) -> dict[str, Any]:
    """RFC 9457 problem details: the refusal, and every diagnostic located as the CLI prints it."""
    return {
        "type": problem.type_uri,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.message,
        "instance": scope.get("path"),
        "request_id": request_id(scope) or None,
        "errors": [
            {
                "code": d.code,
                "severity": d.severity,
                "message": d.message,
                "location": str(d.location),
                "file": d.location.file,
                "line": d.location.line,
                "column": d.location.column,
                "path": d.path,
                "hint": d.hint,
            }
            for d in problem.diagnostics
        ],
    }


def _header(scope: Scope, name: str) -> str | None:
    wanted = name.encode()
    for key, value in scope.get("headers", []):
        if key.lower() == wanted:
            return str(value.decode("latin-1"))
    return None


class RateLimiter:
    """Token buckets by key (a token id, or a client address): `rate` requests a minute, with a burst
    of as many; thread-safe, in memory, per process."""

    def __init__(self, per_minute: float) -> None:
        self.capacity = per_minute
        self.per_second = per_minute / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when the request may go ahead, else the seconds until it may."""
        moment = time.monotonic()
        with self._lock:
            level, last = self._buckets.get(key, (self.capacity, moment))
            level = min(self.capacity, level + (moment - last) * self.per_second)
            if level >= 1:
                self._buckets[key] = (level - 1, moment)
                return 0.0
            self._buckets[key] = (level, moment)
            return (1 - level) / self.per_second

    @staticmethod
    def retry_after(seconds: float) -> str:
        return str(max(1, math.ceil(seconds)))
