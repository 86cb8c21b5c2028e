"""Eight clients at once sending the same fifty files: each file stored once, every client a receipt (the
same one for the same bytes), and an audit chain that verifies; SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from pathlib import Path

from service_helpers import EXAMPLES, Service

from aiassure.service.audit import verify

CLIENTS = 8
FILES = 50


def _copies(folder: Path) -> list[Path]:
    """Fifty different files of one assessment (the trust's readiness): each one supersedes or is history."""
    folder.mkdir()
    text = (EXAMPLES / "RX1.yaml").read_text()
    paths = []
    for index in range(FILES):
        path = folder / f"RX1-{index:02d}.yaml"
        path.write_text(f"{text}\n# copy {index}\n")
        paths.append(path)
    return paths


def test_concurrent_clients_store_each_file_once(service: Service, tmp_path: Path) -> None:
    paths = _copies(tmp_path / "copies")
    answers: dict[int, list[tuple[int, dict[str, object]]]] = {i: [] for i in range(CLIENTS)}
    failures: list[BaseException] = []
    start = threading.Barrier(CLIENTS)

    def run(client_index: int) -> None:
        try:
            start.wait()
            with service.client("trust") as client:
                # each client in its own order, so that every file is raced for
                order = paths[client_index:] + paths[:client_index]
                for path in order:
                    response = client.post(
                        "/api/v1/submissions",
                        content=path.read_bytes(),
                        params={"filename": path.name},
                        headers={"Content-Type": "application/yaml"},
                    )
                    answers[client_index].append((response.status_code, response.json()))
        except BaseException as exc:  # reported below, not lost in the thread
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert service.count("submissions") == FILES
    by_sha: dict[str, list[tuple[int, dict[str, object]]]] = {}
    for client_answers in answers.values():
        assert len(client_answers) == FILES
        for status, body in client_answers:
            assert status in (200, 201), body
            by_sha.setdefault(str(body["sha256"]), []).append((status, body))
    assert len(by_sha) == FILES
    for received in by_sha.values():
        assert sorted(status for status, _ in received) == [200] * (CLIENTS - 1) + [201]
        assert all(body == received[0][1] for _, body in received)  # one receipt per file
    with service.client("analyst") as client:
        current = client.get("/api/v1/submissions", params={"subject": "RX1"}).json()["items"]
    assert len(current) == 1  # one current assessment, the rest kept as history
    found = verify(service.registry)
    assert found.ok and found.events >= CLIENTS * FILES
