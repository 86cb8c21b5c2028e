"""Limits and hygiene: 413 before reading past --max-bytes, 415, 429 with Retry-After, security headers,
request ids, JSON logs, problem details for unknown routes and bad parameters."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from service_helpers import EXAMPLES, Service, service_on

from aiassure.service.logs import LOGGER, JsonFormatter


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Service]:
    """A service on SQLite that takes bodies of at most 2,000 bytes and 5 requests a minute per token."""
    with service_on("sqlite", tmp_path, max_bytes=2_000, rate_per_minute=5) as service:
        yield service


def test_a_declared_oversize_body_is_413_and_audited(small: Service) -> None:
    response = small.submit("trust", EXAMPLES / "RX1.yaml")
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "/api/problems/too-large"
    event = small.audit()[-1]
    assert (event.outcome, event.organisation) == ("refused", "RX1") and "413" in (event.reason or "")
    assert small.count("submissions") == 0


def test_an_undeclared_oversize_body_is_not_read_past_the_limit(small: Service) -> None:
    """Chunked, with no Content-Length: the service answers once it has counted past the limit, and
    never reads the rest (the connection is closed)."""
    host, port = small.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        head = (
            "POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/yaml\r\n"
            f"Authorization: Bearer {small.tokens['trust']}\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        conn.sendall(head.encode())
        chunk = b"# " + b"x" * 1000 + b"\n"
        for _ in range(3):  # 3 kB: over the 2,000-byte limit; a never-ending body would be the same
            conn.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += conn.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413")
    assert b"connection: close" in answer.lower()


def test_a_token_over_its_rate_is_429_with_retry_after(small: Service) -> None:
    with small.client("trust-reader") as client:
        statuses = [client.get("/api/v1/whoami").status_code for _ in range(7)]
        last = client.get("/api/v1/whoami")
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429, 429]
    assert last.status_code == 429 and int(last.headers["retry-after"]) >= 1
    assert last.json()["type"] == "/api/problems/rate-limited"
    with small.client("trust") as other:  # another token has its own budget
        assert other.get("/api/v1/whoami").status_code == 200


def test_guessing_tokens_from_one_address_is_rate_limited(small: Service) -> None:
    with small.client() as client:
        statuses = [
            client.get("/api/v1/whoami", headers={"Authorization": f"Bearer aia_{i:012x}_{'a' * 40}"}).status_code
            for i in range(7)
        ]
    assert statuses == [401] * 5 + [429] * 2


def test_an_unknown_media_type_is_415(service: Service) -> None:
    response = service.submit("trust", EXAMPLES / "RX1.yaml", content_type="text/html")
    assert response.status_code == 415 and response.json()["type"] == "/api/problems/unsupported-media-type"


def test_security_headers_and_request_ids(service: Service) -> None:
    with service.client("trust") as client:
        given = client.get("/api/v1/whoami", headers={"X-Request-ID": "proxy-req-42"})
        made = client.get("/api/v1/whoami")
        docs = client.get("/api/docs")
    assert given.headers["x-request-id"] == "proxy-req-42"
    assert len(made.headers["x-request-id"]) == 32
    for response in (given, docs):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert given.headers["content-security-policy"].startswith("default-src 'none'")
    assert "server" not in given.headers


def test_docs_are_served_from_vendored_assets(service: Service) -> None:
    with service.client() as client:
        swagger = client.get("/api/docs").text
        redoc = client.get("/api/redoc").text
        script = client.get("/api/static/swagger-ui/swagger-ui-bundle.js")
        schema = client.get("/api/openapi.json").json()
    assert "/api/static/swagger-ui/swagger-ui-bundle.js" in swagger and "/api/static/redoc/redoc.standalone.js" in redoc
    for page in (swagger, redoc):
        assert "https://" not in page.replace("https://swagger.io", "")  # nothing fetched from elsewhere
    assert script.status_code == 200 and len(script.content) > 1_000_000
    assert schema["openapi"].startswith("3.1")
    assert "/api/v1/submissions" in schema["paths"]


def test_unknown_routes_and_bad_parameters_are_problem_details(service: Service) -> None:
    with service.client("analyst") as client:
        missing = client.get("/api/v1/nothing")
        bad = client.get("/api/v1/submissions", params={"limit": 0})
        wrong_method = client.delete("/api/v1/submissions")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    assert bad.status_code == 422 and bad.json()["errors"][0]["file"] == "query"
    assert bad.json()["errors"][0]["path"] == "limit"
    assert wrong_method.status_code == 405


def test_each_request_is_logged_as_json_with_its_request_id(service: Service) -> None:
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(JsonFormatter().format(record))

    logger = logging.getLogger(LOGGER)
    handler = Keep()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with service.client("trust") as client:
            response = client.get("/api/v1/whoami", headers={"X-Request-ID": "log-me"})
        # The server's thread may log the request just after the client has the response.
        deadline = time.monotonic() + 10
        while not any('"log-me"' in r for r in records) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(r) for r in records]
    line = next(entry for entry in lines if entry.get("request_id") == "log-me")
    assert line["message"] == "request" and line["status"] == response.status_code == 200
    assert line["path"] == "/api/v1/whoami" and line["token_id"] == service.token_ids["trust"]
    assert line["organisation"] == "RX1" and isinstance(line["duration_ms"], float)
