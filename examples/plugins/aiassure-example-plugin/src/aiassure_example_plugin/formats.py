"""A CSV output format for `aiassure report --format csv`: one row per criterion of the result."""

from __future__ import annotations

import csv
import io

from aiassure.reports.formats import OutputFormat, ReportDocument

COLUMNS = ("criterion", "domain", "pillar", "applicable", "status", "claimed", "credited")


def render_csv(document: ReportDocument) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for c in document.result.criteria:
        writer.writerow([c.id, c.domain, c.pillar, c.applicable, c.status, c.claimed, c.credited])
    return out.getvalue().encode()


CSV = OutputFormat("csv", "one row per criterion: status, claimed and credited level", render_csv)
