"""Measure 4: one PDF report, against WeasyPrint rendering the same HTML alone.

aiassure's side is what `report --format pdf` does for one file: read and score the
submission, build the report's context, render the HTML template, and render it to a tagged
PDF/UA with the result JSON and the submission embedded. The floor hands the very same HTML
(same base URL, so the same stylesheet and fonts) to `weasyprint.HTML(...).write_pdf()`. Both
run in this process after one warm-up each (fonts and templates load once per process), in
turn; the figure uses each side's best CPU time.
Usage: python bench/measure_pdf.py [--quick]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from harness import Figure, check, interleaved
from measure_startup import one_submission

TARGET = 1.1


def run(quick: bool = False) -> list[Figure]:
    from weasyprint import HTML

    from aiassure.assessments.result import to_result
    from aiassure.assessments.validate import load_submission
    from aiassure.reports.context import build_report_context
    from aiassure.reports.formats import HTML_TEMPLATE
    from aiassure.reports.render import render_html, template_search_path
    from aiassure.reports.writer import render_report
    from aiassure.rubrics.loader import RubricLibrary

    one = Path(one_submission())
    library = RubricLibrary([])
    parsed = load_submission(one, library)
    html = render_html(HTML_TEMPLATE, build_report_context(parsed, to_result(parsed), None))
    base_url = template_search_path(())[0].as_uri() + "/"

    def aiassure() -> None:
        render_report(load_submission(one, library), ("pdf",))

    def floor() -> None:
        HTML(string=html, base_url=base_url).write_pdf()

    def floor_pdf_ua() -> None:
        HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/ua-1")

    candidates = {"floor": floor, "aiassure": aiassure}
    if not quick:  # a PDF takes seconds: the quick run makes one of each, cold
        candidates["floor_pdf_ua"] = floor_pdf_ua
        interleaved(candidates, 1)  # warm-up: fonts, templates, rubric
    best = interleaved(candidates, 1 if quick else 3)
    best.setdefault("floor_pdf_ua", float("nan"))
    ratio = best["aiassure"] / best["floor"]
    return [
        Figure(
            "4",
            "one PDF report / WeasyPrint rendering the same HTML",
            ratio,
            "x",
            f"<= {TARGET:g}x",
            check(ratio, at_most=TARGET),
            {
                "aiassure_ms": 1000 * best["aiassure"],
                "floor_ms": 1000 * best["floor"],
                "floor_pdf_ua_ms": 1000 * best["floor_pdf_ua"],
                "ratio_to_pdf_ua_floor": best["aiassure"] / best["floor_pdf_ua"],
                "html_bytes": len(html.encode()),
            },
        )
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    for figure in run(args.quick):
        print(figure.report())
