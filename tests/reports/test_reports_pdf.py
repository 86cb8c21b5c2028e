"""The PDF: its text, its metadata, its attachments, and a URL fetcher that reaches no network and no stray file."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from pypdf import PdfReader

from aiassure.assessments.inputs import RESULT_ATTACHMENT, read_pdf_attachments, read_report_pdf
from aiassure.assessments.result import to_result
from aiassure.assessments.validate import load_submission
from aiassure.errors import InputError
from aiassure.reports.context import build_report_context
from aiassure.reports.pdf import html_to_pdf, local_only_fetcher
from aiassure.reports.render import render_html
from aiassure.reports.writer import write_reports

DATA = Path(__file__).parent / "data"


def test_pdf_text_holds_subject_outcome_and_pillar_levels(rendered_pdfs: Path, load) -> None:
    reader = PdfReader(rendered_pdfs / "RXX-2026-Q4.pdf")
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    result = to_result(load("northshire-2026-Q4.yaml"))
    assert "Northshire Hospitals NHS Foundation Trust" in text
    assert result.outcome is not None and result.outcome.label in text
    for pillar in result.pillars:
        assert f"{pillar.title} {pillar.level} {pillar.label}" in text  # the pillar table: title, then level
    assert f"Page 1 of {len(reader.pages)}" in text and len(reader.pages) > 2


def test_pdf_is_tagged_with_title_and_language(rendered_pdfs: Path) -> None:
    reader = PdfReader(rendered_pdfs / "RXX-2026-Q4.pdf")
    root = reader.trailer["/Root"]
    assert (
        reader.metadata.title
        == "Northshire Hospitals NHS Foundation Trust: Readiness to adopt AI (test rubric), 2026-Q4"
    )
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()


@pytest.mark.parametrize("name", ["northshire-2026-Q4.yaml", "hostile-vendor.yaml"])
def test_attachments_round_trip_to_the_same_result(rendered_pdfs: Path, load, name: str) -> None:
    parsed = load(name)
    result = to_result(parsed)
    pdf = rendered_pdfs / f"{'RXX' if name.startswith('north') else 'etc-x'}-2026-Q4.pdf"
    files = read_pdf_attachments(pdf)
    assert set(files) == {RESULT_ATTACHMENT, name}
    assert files[RESULT_ATTACHMENT].decode() == result.to_json()
    assert files[name] == (DATA / name).read_bytes()
    embedded = read_report_pdf(pdf)
    assert embedded.result == result and embedded.submission_name == name
    assert embedded.result.to_json() == (rendered_pdfs / pdf.with_suffix(".json").name).read_text()


def test_not_a_report_pdf_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a readable PDF"):
        read_pdf_attachments(b"%PDF-1.7 garbage")
    plain = tmp_path / "plain.pdf"
    html_to_pdf("<html lang='en'><title>x</title><p>hello</p></html>", plain)
    with pytest.raises(InputError, match="not an aiassure report"):
        read_report_pdf(plain)


def test_rendering_a_pdf_makes_no_request_to_urls_in_answers_or_templates(
    tmp_path: Path, local_server, report_library
) -> None:
    base, requests = local_server
    with urllib.request.urlopen(f"{base}/probe", timeout=5):  # the recorder does see a real request
        pass
    assert requests == ["/probe"]
    (tmp_path / "tiny-technology.yaml").write_bytes((DATA / "tiny-technology.yaml").read_bytes())
    submission = (
        (DATA / "hostile-vendor.yaml")
        .read_text()
        .replace("https://evil.example", base)
        .replace("http://127.0.0.1:9", base)
    )
    (tmp_path / "vendor.yaml").write_text(submission)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "report.html").write_text(
        '{% extends "default:report.html" %}'
        "{% block styles %}{{ super() }} @import url("
        + base
        + "/import.css); body { background: url("
        + base
        + "/bg.png); }{% endblock %}"
        '{% block meta %}<link rel="stylesheet" href="'
        + base
        + '/style.css"><link rel="attachment" href="'
        + base
        + '/attach.bin">'
        '<link rel="stylesheet" href="file:///etc/hostname">{% endblock %}'
        "{% block summary %}{{ super() }}"
        "{% for d in criteria_by_domain %}{% for row in d.rows %}{% for e in row.evidence %}"
        '{% if e.url %}<img src="{{ e.url }}" alt="evidence">{% endif %}{% endfor %}{% endfor %}{% endfor %}'
        '<img src="' + base + '/direct.png" alt="x"><img src="file:///etc/passwd" alt="y">{% endblock %}'
    )
    parsed = load_submission(tmp_path / "vendor.yaml", report_library)
    assert any(e.url and e.url.startswith(base) for a in parsed.answers.values() for e in a.evidence)
    html = render_html("report.html", build_report_context(parsed, to_result(parsed)), [templates])
    assert (
        html.count(f'<img src="{base}/') == 3 and f"@import url({base}/import.css)" in html
    )  # the URLs are in the HTML
    written = write_reports([parsed], tmp_path / "out", ("pdf",), [templates])
    assert written and written[0].stat().st_size > 1000
    assert requests == ["/probe"], f"the PDF renderer fetched {requests[1:]}"


def test_fetcher_serves_data_and_template_files_only(tmp_path: Path, local_server) -> None:
    base, requests = local_server
    (tmp_path / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    fetcher = local_only_fetcher([tmp_path])
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    assert fetcher.fetch((tmp_path / "logo.svg").as_uri()).read().startswith(b"<svg")
    outside = tmp_path.parent / "outside.txt"
    outside.write_text("secret")
    (tmp_path / "link.txt").symlink_to(outside)
    for url in (
        f"{base}/x.png",
        "file:///etc/passwd",
        outside.as_uri(),
        (tmp_path / "link.txt").as_uri(),
        f"file://127.0.0.1{outside}",
        "ftp://127.0.0.1/x",
    ):
        with pytest.raises(ValueError, match="only read data: URIs"):
            fetcher.fetch(url)
    assert requests == []
