"""The HTML report in a real headless Chromium: a screenshot, and axe-core finds no serious or critical violation.

Needs Debian's chromium and axe-core from npm: `.ci/setup-reports.sh` installs both and prints
AIASSURE_AXE_JS. Without them the tests skip on a developer's machine and fail under CI.
"""

from __future__ import annotations

import glob
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]
NHS_BLUE = (0x00, 0x5E, 0xB8)


def _need(what: str) -> None:
    message = f"{what} is missing: run .ci/setup-reports.sh and eval the line it prints"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        _need("chromium")
    return found


@pytest.fixture(scope="module")
def axe_js() -> str:
    candidates = [
        os.environ.get("AIASSURE_AXE_JS", ""),
        *sorted(glob.glob("/opt/aiassure-tools/axe-core-*/node_modules/axe-core/axe.min.js")),
    ]
    found = next((c for c in candidates if c and Path(c).is_file()), None)
    if found is None:
        _need("axe-core (AIASSURE_AXE_JS)")
    return Path(found).read_text(encoding="utf-8")


def run_chromium(chromium: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Chromium with a fresh profile, no network chatter, and a bounded run time."""
    with tempfile.TemporaryDirectory(prefix="aiassure-chromium-") as profile:
        return subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )


AXE_RUNNER = """<script>%s</script><script>
axe.run(document, {resultTypes: ["violations"]}).then(function (found) {
  var out = document.createElement("pre");
  out.id = "axe-result";
  out.textContent = JSON.stringify({
    passes: found.passes.length,
    violations: found.violations.map(function (v) {
      var nodes = v.nodes.map(function (n) { return n.target.join(" "); });
      return {id: v.id, impact: v.impact, help: v.help, nodes: nodes};
    })
  });
  document.body.appendChild(out);
});
</script>"""


@pytest.mark.parametrize("stem", ["RXX-2026-Q4", "etc-x-2026-Q4"])
def test_axe_core_finds_no_serious_or_critical_violation(
    rendered: Path, chromium: str, axe_js: str, tmp_path: Path, stem: str
) -> None:
    report = (rendered / f"{stem}.html").read_text(encoding="utf-8")
    assert "<script" not in report  # the report itself needs no JavaScript: axe is added to a copy
    page = tmp_path / "audited.html"
    page.write_text(report.replace("</body>", AXE_RUNNER % axe_js + "</body>"), encoding="utf-8")
    done = run_chromium(chromium, "--virtual-time-budget=30000", "--dump-dom", page.as_uri())
    match = re.search(r'<pre id="axe-result">(.*?)</pre>', done.stdout, re.S)
    assert match, f"axe-core did not report (exit {done.returncode}): {done.stderr[-2000:]}"
    found = json.loads(html.unescape(match.group(1)))
    assert found["passes"] > 10  # axe really checked the page
    serious = [v for v in found["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps(serious, indent=2)


def test_screenshot_shows_the_report(rendered: Path, chromium: str, tmp_path: Path) -> None:
    from PIL import Image

    shot = tmp_path / "report.png"
    done = run_chromium(
        chromium, "--window-size=1280,1800", f"--screenshot={shot}", (rendered / "RXX-2026-Q4.html").as_uri()
    )
    assert shot.is_file(), done.stderr[-2000:]
    with Image.open(shot) as image:
        assert image.size == (1280, 1800)
        pixels = image.convert("RGB")
        assert pixels.getpixel((5, 5)) == NHS_BLUE  # the masthead
        assert (
            pixels.getpixel((640, 1700)) != NHS_BLUE
            and len(pixels.crop((0, 100, 1280, 1800)).getcolors(1 << 20) or ()) > 50
        )  # content, not a blank page
