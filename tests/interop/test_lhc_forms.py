"""A real FHIR form tool: the exported Questionnaire rendered by LHC-Forms in headless Chromium, answered
through the page, and its QuestionnaireResponse imported back.

Needs Debian's chromium (.ci/setup-reports.sh), LHC-Forms from npm (.ci/setup-lforms.sh prints
AIASSURE_LFORMS_DIR) and Playwright for Python (the test extras; it drives /usr/bin/chromium, no
browser download). Without them the test skips on a developer's machine and fails under CI.
"""

from __future__ import annotations

import functools
import glob
import http.server
import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from aiassure.cli import main

pytestmark = pytest.mark.browser
PAGE = Path(__file__).parent / "lhc_forms_page.html"


def _need(what: str) -> None:
    message = f"{what} is missing: run .ci/setup-reports.sh and .ci/setup-lforms.sh and eval the lines they print"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def lforms_dir() -> Path:
    candidates = [
        os.environ.get("AIASSURE_LFORMS_DIR", ""),
        *sorted(glob.glob("/opt/aiassure-tools/lforms-*/node_modules/lforms/dist/lforms")),
    ]
    found = next((Path(c) for c in candidates if c and (Path(c) / "webcomponent" / "main.js").is_file()), None)
    if found is None:
        _need("LHC-Forms (AIASSURE_LFORMS_DIR)")
    assert found is not None
    return found


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        _need("chromium")
    assert found is not None
    return found


@pytest.fixture
def site(tmp_path: Path, lforms_dir: Path) -> Iterator[tuple[str, Path]]:
    """The page, LHC-Forms and the exported Questionnaire, served from 127.0.0.1: (base URL, folder)."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "lforms").symlink_to(lforms_dir, target_is_directory=True)
    shutil.copy(PAGE, root / "index.html")
    done = run("export", "fhir", "nhs-ai-readiness@1.0.0", "-o", str(root / "questionnaire.json"))
    assert done.exit_code == 0, done.output

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


def choose(page: Any, element_id: str, typed: str) -> None:
    """Pick an answer in an LHC-Forms list field as a person does: type, then take the first match."""
    field = page.locator(f'[id="{element_id}"]')
    field.click()
    field.press_sequentially(typed)
    # The match list is filled asynchronously: on a loaded machine an ArrowDown sent before it
    # shows selects nothing, so wait for the list as a person would look at it.
    page.locator("#lhc-tools-searchResults li").first.wait_for(state="visible", timeout=60_000)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert field.input_value().startswith(typed), field.input_value()


def test_answers_given_in_lhc_forms_arrive_in_the_answers_file(
    site: tuple[str, Path], chromium: str, tmp_path: Path
) -> None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need("playwright (pip install -e '.[test]')")
    base, root = site
    elsewhere: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page()

            def only_here(route: Any) -> None:
                if route.request.url.startswith(base + "/") or route.request.url.startswith("data:"):
                    route.continue_()
                else:
                    elsewhere.append(route.request.url)
                    route.abort()

            page.route("**/*", only_here)
            # The form dates its response by the browser's clock; the suite's today is pinned
            # (AIASSURE_TODAY), and a date after it is refused as in the future.
            page.clock.set_fixed_time(f"{os.environ['AIASSURE_TODAY']}T12:00:00Z")
            page.goto(base + "/index.html")
            page.wait_for_function("window.formReady || window.formError", timeout=120_000)
            assert page.evaluate("window.formError || null") is None
            # The form shows the rubric's questions, with the level descriptors as the choices.
            assert page.get_by_text("How far has the organisation got in adopting AI?").count() >= 1
            choose(page, "ai-stage/1/1", "Live")
            choose(page, "ls-01/1/1", "3 Defined")
            page.locator('[id="ls-01/notes/1/1/1"]').fill("Typed into LHC-Forms")
            page.locator('[id="about/subject/name/1/1"]').fill("Typed Trust")
            response = page.evaluate(
                "LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4', document.getElementById('form'))"
            )
        finally:
            browser.close()
    assert elsewhere == []  # nothing but 127.0.0.1: no CDN, no telemetry
    assert response["resourceType"] == "QuestionnaireResponse"
    assert response["questionnaire"] == "urn:aiassure:rubric:nhs-ai-readiness|1.0.0"

    response_file = tmp_path / "response.json"
    response_file.write_text(json.dumps(response, indent=2), encoding="utf-8")
    answers = tmp_path / "answers.yaml"
    done = run(
        "import",
        "fhir",
        str(response_file),
        "-o",
        str(answers),
        "--questionnaire",
        str(root / "questionnaire.json"),
        "--subject-code",
        "RXX",
        "--org-type",
        "acute",
    )
    assert done.exit_code == 0, done.output
    written = yaml.safe_load(answers.read_text(encoding="utf-8"))
    assert written["answers"]["ai-stage"] == "live"
    assert written["answers"]["ls-01"] == {"level": 3, "notes": "Typed into LHC-Forms"}
    assert written["subject"]["name"] == "Typed Trust" and written["subject"]["code"] == "RXX"
    scored = json.loads(run("score", "--format", "json", str(answers)).stdout)
    by_id = {c["id"]: c for c in scored["criteria"]}
    assert by_id["ls-01"]["claimed"] == 3 and by_id["ai-stage"]["answer"] == "live"
