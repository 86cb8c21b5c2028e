"""Run every benchmark (issues 7 and 20) and print each figure as a ratio measured in this one run.

Usage: python bench/run.py [--quick] [--only 1,2,3,4,5,7,8,9,e2e,suggestions] [--cores 2] [--json FILE]
       [--portfolio-sizes 1000,10000]

--quick runs tiny versions of every measure (under a minute; what CI's smoke test does): their
figures are not meaningful. Without it the run takes about ten minutes on two cores, plus about
four the first time, to generate the submissions and registries kept under bench/.data.
docs/performance.md explains each measure and records the figures of a full run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import measure_endtoend
import measure_ingest
import measure_jobs
import measure_pdf
import measure_portfolio
import measure_service
import measure_service_portfolio
import measure_startup
import measure_suggestions
import measure_validate
from harness import Figure, machine, to_json

MEASURES: dict[str, Callable[[argparse.Namespace], list[Figure]]] = {
    "1": lambda args: measure_validate.run(args.quick),
    "2": lambda args: measure_jobs.run(args.quick, args.cores),
    "3": lambda args: measure_startup.run(args.quick),
    "4": lambda args: measure_pdf.run(args.quick),
    "5": lambda args: measure_portfolio.run(args.quick, args.portfolio_sizes),  # 5, 6 and issue 20's 1
    "7": lambda args: measure_ingest.run(args.quick, args.cores),
    "8": lambda args: measure_service.run(args.quick),
    "e2e": lambda args: measure_endtoend.run(args.quick),  # issue 20's 3 to 6
    "suggestions": lambda args: measure_suggestions.run(args.quick),  # issue 11's bounded "did you mean"
    "9": lambda args: measure_service_portfolio.run(  # issue 13's portfolio JSON latency
        args.quick, args.portfolio_results, args.samples, args.pg_url
    ),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny versions of every measure (CI smoke test)")
    parser.add_argument("--only", default=",".join(MEASURES), help="comma-separated measures (5 includes 6)")
    parser.add_argument("--cores", type=int, default=2, help="most cores measure 2 uses")
    parser.add_argument("--json", type=Path, help="also write the figures and the machine to this file")
    parser.add_argument(
        "--portfolio-sizes",
        type=lambda text: tuple(int(n) for n in text.split(",")),
        help="registry sizes measure 5 grows to (default 1000,10000,100000)",
    )
    parser.add_argument("--portfolio-results", type=int, help="stored results measure 9 reads (default 100000)")
    parser.add_argument("--samples", type=int, help="requests measure 9 times, and raw-SQL runs (default 20)")
    parser.add_argument("--pg-url", help="measure 9 on this PostgreSQL server too (else AIASSURE_*_POSTGRES_URL)")
    args = parser.parse_args(argv)
    chosen = [m.strip() for m in args.only.split(",") if m.strip()]
    unknown = [m for m in chosen if m not in MEASURES]
    if unknown:
        parser.error(f"unknown measure(s) {', '.join(unknown)}; choose from {', '.join(MEASURES)}")

    host = machine()
    print(f"machine: {host['cpu']}, {host['cores']} cores, {host['memory']}; Python {host['python']}")
    figures: list[Figure] = []
    failed = False
    started = time.perf_counter()
    for name in chosen:
        began = time.perf_counter()
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None  # other work on the machine skews timings
        try:
            found = MEASURES[name](args)
        except Exception:  # one broken measure must not hide the others' figures
            failed = True
            print(f"measure {name} failed:\n{traceback.format_exc()}", file=sys.stderr)
            found = [Figure(name, "failed (see stderr)", None, "")]
        for figure in found:
            figure.detail.setdefault("seconds", round(time.perf_counter() - began, 1))
            figure.detail.setdefault("load_average_before", load)
            after = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
            figure.detail.setdefault("load_average_after", after)
            shown = f"  [load {load:.1f} -> {after:.1f}]" if load is not None and after is not None else ""
            print(figure.row() + shown + (f"  ({figure.note})" if figure.note else ""), flush=True)
        figures.extend(found)
    print(f"total {time.perf_counter() - started:.0f} s{' (quick: figures not meaningful)' if args.quick else ''}")
    if args.json:
        args.json.write_text(
            json.dumps({"machine": host, "quick": args.quick, "figures": to_json(figures)}, indent=2) + "\n"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
