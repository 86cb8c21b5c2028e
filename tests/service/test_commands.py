"""The service's commands: `admin org|token` on the database, `submit` printing receipts or located errors
as `validate` does, and `serve` itself started as a user starts it (two workers)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner
from service_helpers import EXAMPLES, Service

from aiassure.cli import main


def test_admin_bootstraps_organisations_and_tokens(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'registry.db'}"
    runner = CliRunner()
    assert (
        runner.invoke(main, ["admin", "org", "add", "X24", "--kind", "ods", "--name", "AI Lab", "--db", db]).exit_code
        == 0
    )
    again = runner.invoke(main, ["admin", "org", "add", "X24", "--kind", "ods", "--name", "AI Lab", "--db", db])
    assert again.exit_code == 1 and "organisation X24 already exists" in again.output
    made = runner.invoke(
        main, ["admin", "token", "create", "--org", "X24", "--role", "admin", "--name", "first admin", "--db", db]
    )
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert token.startswith("aia_") and len(token.split("_")) == 3
    assert "shown this once" in made.stderr
    too_long = runner.invoke(
        main,
        [
            "admin",
            "token",
            "create",
            "--org",
            "X24",
            "--role",
            "admin",
            "--name",
            "x",
            "--expires-in",
            "400",
            "--db",
            db,
        ],
    )
    assert too_long.exit_code == 2
    unknown = runner.invoke(
        main, ["admin", "token", "create", "--org", "NOPE", "--role", "reader", "--name", "x", "--db", db]
    )
    assert unknown.exit_code == 1 and "no organisation NOPE" in unknown.output
    listed = runner.invoke(main, ["admin", "token", "list", "--format", "json", "--db", db])
    [entry] = __import__("json").loads(listed.stdout)
    assert entry["status"] == "active" and token.split("_")[2] not in listed.output  # the secret is never shown again
    revoked = runner.invoke(main, ["admin", "token", "revoke", entry["id"], "--db", db])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    orgs = runner.invoke(main, ["admin", "org", "list", "--format", "json", "--db", db])
    assert [o["code"] for o in __import__("json").loads(orgs.stdout)] == ["X24"]
    verified = runner.invoke(main, ["admin", "audit", "verify", "--db", db])
    assert verified.exit_code == 0 and "3 event(s)" in verified.output  # org add, token create, token revoke


def test_submit_prints_receipts_and_located_refusals(service: Service, tmp_path: Path) -> None:
    runner = CliRunner()
    broken = tmp_path / "RX1-broken.yaml"
    broken.write_text((EXAMPLES / "RX1.yaml").read_text().replace("round: 2026-Q4", "round: 2026-Q4\nbogus: 1", 1))
    env = {"AIASSURE_TOKEN": service.tokens["trust"]}
    result = runner.invoke(main, ["submit", str(EXAMPLES / "RX1.yaml"), str(broken), "--to", service.url], env=env)
    assert result.exit_code == 1
    assert f"{EXAMPLES / 'RX1.yaml'}: stored as #1; overall" in result.stdout
    # the refusal names the file as given, with line and column, as `validate` prints it
    assert f"{broken}:" in result.stderr and "error unknown-key" in result.stderr
    assert "2 file(s): 1 stored, 0 already stored, 1 refused" in result.stderr
    validated = runner.invoke(main, ["validate", str(broken)])
    first_error = next(line for line in validated.stderr.splitlines() if "error unknown-key" in line)
    assert first_error in result.stderr
    again = runner.invoke(main, ["submit", str(EXAMPLES / "RX1.yaml"), "--to", service.url], env=env)
    assert again.exit_code == 0 and "already stored as #1" in again.stdout


def test_submit_refused_for_another_organisation(service: Service) -> None:
    result = CliRunner().invoke(
        main,
        ["submit", str(EXAMPLES / "RX1.yaml"), "--to", service.url, "--token", service.tokens["other-trust"]],
    )
    assert result.exit_code == 1
    assert "error identity-mismatch (subject.code)" in result.stderr and "RX1.yaml:" in result.stderr


def test_submit_without_a_token_or_a_service(tmp_path: Path) -> None:
    runner = CliRunner()
    no_token = runner.invoke(
        main, ["submit", str(EXAMPLES / "RX1.yaml"), "--to", "http://127.0.0.1:9"], env={"AIASSURE_TOKEN": ""}
    )
    assert no_token.exit_code == 2 and "no API token" in no_token.output
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    down = runner.invoke(
        main, ["submit", str(EXAMPLES / "RX1.yaml"), "--to", f"http://127.0.0.1:{port}", "--token", "aia_x"]
    )
    assert down.exit_code == 1 and "no answer" in down.output and "Traceback" not in down.output


def test_serve_runs_two_workers_from_the_command_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'registry.db'}"
    runner = CliRunner()
    runner.invoke(main, ["admin", "org", "add", "RX1", "--kind", "ods", "--name", "Trust", "--db", db])
    token = runner.invoke(
        main, ["admin", "token", "create", "--org", "RX1", "--role", "submitter", "--name", "t", "--db", db]
    ).stdout.strip()
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "aiassure", "serve", "--db", db, "--port", str(port), "--workers", "2"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        response = httpx.post(
            f"{base}/api/v1/submissions",
            content=(EXAMPLES / "RX1.yaml").read_bytes(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/yaml"},
            timeout=30,
        )
        assert response.status_code == 201, response.text
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        log.close()
    lines = (tmp_path / "serve.log").read_text().splitlines()
    logged = [__import__("json").loads(line) for line in lines if line.startswith("{")]
    assert any(entry.get("path") == "/api/v1/submissions" and entry.get("status") == 201 for entry in logged)
    assert sum(1 for entry in logged if "Started server process" in entry.get("message", "")) == 2


def test_admin_makes_an_approver_token(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'registry.db'}"
    runner = CliRunner()
    assert (
        runner.invoke(main, ["admin", "org", "add", "RX1", "--kind", "ods", "--name", "A trust", "--db", db]).exit_code
        == 0
    )
    made = runner.invoke(
        main, ["admin", "token", "create", "--org", "RX1", "--role", "approver", "--name", "Dr A Approver", "--db", db]
    )
    assert made.exit_code == 0, made.output
    assert "(approver for RX1)" in made.stderr
    listed = runner.invoke(main, ["admin", "token", "list", "--format", "json", "--db", db])
    assert [entry["role"] for entry in __import__("json").loads(listed.stdout)] == ["approver"]
