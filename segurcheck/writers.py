"""Writing every requested output from the one Report."""

from __future__ import annotations

from pathlib import Path

from .model import Report


def write_outputs(
    report: Report,
    *,
    json_path: Path | None = None,
    html: Path | None = None,
    pdf: Path | None = None,
    sarif: Path | None = None,
    junit: Path | None = None,
    bundle_root: Path | None = None,
) -> list[Path]:
    """Write each requested format; return the paths written (empty = none asked)."""
    written: list[Path] = []
    if json_path is not None:
        from .report.json_out import write_json

        write_json(report, json_path)
        written.append(json_path)
    if sarif is not None:
        from .report.sarif import write_sarif

        write_sarif(report, sarif)
        written.append(sarif)
    if junit is not None:
        from .report.junit import write_junit

        write_junit(report, junit)
        written.append(junit)
    if html is not None:
        from .report.html import write_html

        write_html(report, html, bundle_root=bundle_root if bundle_root and bundle_root.is_dir() else None)
        written.append(html)
    if pdf is not None:
        from .report.pdf import write_pdf

        write_pdf(report, pdf)
        written.append(pdf)
    return written
