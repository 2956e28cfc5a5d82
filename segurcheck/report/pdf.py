"""The PDF report: the HTML template in print mode, rendered by WeasyPrint.

The renderer may load nothing but the tool's own templates and assets: the
``url_fetcher`` refuses every URL that is not a ``file:`` URL inside the templates
folder (no network, no file of the bundle, no file elsewhere on disk), and every call
it receives can be recorded so tests can prove it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from ..model import Report
from ..resources import templates_dir
from .html import render


class FetchRefused(ValueError):
    """WeasyPrint turns this into a skipped resource, never a network request."""


def confined_fetcher(root: Path, log: list[str] | None = None) -> Callable[..., dict[str, Any]]:
    """A WeasyPrint ``url_fetcher`` that serves only files under ``root``."""
    base = root.resolve()

    def fetch(url: str, timeout: int = 10, ssl_context: Any = None) -> dict[str, Any]:
        if log is not None:
            log.append(url)
        parsed = urlparse(url)
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            raise FetchRefused(f"refused non-local resource: {url[:200]}")
        target = Path(unquote(parsed.path)).resolve()
        if not target.is_relative_to(base) or not target.is_file():
            raise FetchRefused(f"refused file outside the templates: {url[:200]}")
        return {"string": target.read_bytes(), "redirected_url": target.as_uri()}

    return fetch


def pdf_bytes(report: Report, fetch_log: list[str] | None = None) -> bytes:
    """Render the report to PDF bytes (same template and view model as the HTML)."""
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    root = templates_dir()
    html = render(report, "pdf")
    document = HTML(string=html, base_url=root.resolve().as_uri() + "/", url_fetcher=confined_fetcher(root, fetch_log))
    data: bytes = document.write_pdf()
    return data


def write_pdf(report: Report, path: Path, fetch_log: list[str] | None = None) -> None:
    path.write_bytes(pdf_bytes(report, fetch_log))
