"""Forged files over HTTP: a result JSON with edited levels, a report PDF whose embedded result disagrees with
its submission. Nothing forged is stored; every refusal is audited."""

from __future__ import annotations

import json
from pathlib import Path

from service_helpers import EXAMPLES, Service

from aiassure.assessments.inputs import RESULT_ATTACHMENT
from aiassure.assessments.result import to_result
from aiassure.assessments.validate import load_submission
from aiassure.rubrics.loader import RubricLibrary

TRUST_FILE = EXAMPLES / "RX1.yaml"


def _honest_result() -> dict[str, object]:
    parsed = load_submission(TRUST_FILE, RubricLibrary(use_env=False))
    return json.loads(to_result(parsed).to_json())


def _forged(result: dict[str, object]) -> dict[str, object]:
    """Every pillar and the overall level raised to the top of the scale."""
    forged = json.loads(json.dumps(result))
    forged["overall"].update(score=5.0, level=5, label="Optimising")  # type: ignore[union-attr]
    for pillar in forged["pillars"]:  # type: ignore[union-attr]
        pillar.update(score=5.0, level=5, label="Optimising")
    return forged


def test_a_result_json_with_edited_levels_is_refused_not_stored_and_audited(service: Service, tmp_path: Path) -> None:
    path = tmp_path / "RX1-result.json"
    path.write_text(json.dumps(_forged(_honest_result())))
    response = service.submit("trust", path, content_type="application/json")
    assert response.status_code == 422, response.text
    assert response.json()["type"] == "/api/problems/invalid-submission"
    assert service.count("submissions") == 0
    event = service.audit()[-1]
    assert (event.action, event.outcome, event.organisation) == ("submission.submit", "refused", "RX1")


def test_a_pdf_with_a_forged_embedded_result_never_stores_the_forgery(service: Service) -> None:
    """The PDF's own submission is what is scored: its embedded result is refused when it disagrees
    (issue 11), and in no case is a forged figure stored."""
    from aiassure.reports.pdf import html_to_pdf
    from aiassure.reports.writer import render_report

    parsed = load_submission(TRUST_FILE, RubricLibrary(use_env=False))
    html = render_report(parsed, ["html"])["html"].decode()
    forged = _forged(_honest_result())
    pdf = html_to_pdf(
        html,
        attachments=[
            (RESULT_ATTACHMENT, json.dumps(forged).encode(), "a forged result"),
            (TRUST_FILE.name, TRUST_FILE.read_bytes(), "the submission"),
        ],
    )
    with service.client("trust") as client:
        response = client.post(
            "/api/v1/submissions",
            content=pdf,
            params={"filename": "RX1-report.pdf"},
            headers={"Content-Type": "application/pdf"},
        )
    if response.status_code == 422:
        assert service.count("submissions") == 0
        assert service.audit()[-1].outcome == "refused"
        return
    assert response.status_code == 201, response.text
    with service.client("trust") as client:
        stored = client.get(f"/api/v1/submissions/{response.json()['id']}/result").json()
    assert stored["overall"] == _honest_result()["overall"] != forged["overall"]


def test_an_honest_result_of_an_ingested_submission_is_confirmed(service: Service, tmp_path: Path) -> None:
    """A result JSON is evidence, never input: the service confirms it against the submission the
    registry already holds (stored by `registry ingest`, so with no receipt yet) and answers with
    that submission's receipt, storing nothing new."""
    from aiassure.assessments.score_files import ScoreOptions
    from aiassure.registry.intake import read_input

    stored = service.registry.store(read_input(TRUST_FILE, ScoreOptions()))
    path = tmp_path / "RX1-result.json"
    path.write_text(json.dumps(_honest_result()))
    response = service.submit("trust", path, content_type="application/json")
    assert response.status_code == 200, response.text
    assert (response.json()["id"], response.json()["status"]) == (stored.submission_id, "registered")
    assert service.count("submissions") == 1
