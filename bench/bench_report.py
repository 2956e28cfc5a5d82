"""Benchmark of the report writers on a 1,000-finding Report.

Prints the HTML rendering time (target: under 1 s), its ratio to serialising the
same Report to JSON in the same run (the floor), and the PDF pages per second.

    python bench/bench_report.py [N]
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "report")]

from report_samples import many_findings  # noqa: E402

from segurcheck.model import Status  # noqa: E402
from segurcheck.report.html import render_html  # noqa: E402
from segurcheck.report.json_out import dumps  # noqa: E402
from segurcheck.report.pdf import pdf_bytes  # noqa: E402


def best(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    report = many_findings(n)
    render_html(report)  # warm the template cache
    t_json = best(lambda: dumps(report))
    t_html = best(lambda: render_html(report))
    size = len(render_html(report).encode())
    start = time.perf_counter()
    pdf = pdf_bytes(report)
    t_pdf = time.perf_counter() - start
    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"findings: {len(report.results)} (fail {report.count(Status.FAIL)})")
    print(f"json  : {t_json * 1000:8.1f} ms (floor)")
    print(f"html  : {t_html * 1000:8.1f} ms  {size / 1024:.0f} KiB  ratio html/json = {t_html / t_json:.1f}x  "
          f"{'OK' if t_html < 1.0 else 'OVER'} (target < 1 s)")
    print(f"pdf   : {t_pdf:8.2f} s  {pages} pages  {pages / t_pdf:.1f} pages/s  ratio pdf/html = {t_pdf / t_html:.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
