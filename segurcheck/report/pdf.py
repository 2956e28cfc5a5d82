"""The PDF report: the HTML template in print mode, rendered by WeasyPrint.

The renderer may load nothing but the tool's own templates and assets: the URL
fetcher refuses every URL that is not a ``file:`` URL inside the templates folder
(no network, no file of the bundle, no file elsewhere on disk) and never calls
WeasyPrint's own fetcher; every URL it is asked for can be recorded so tests can
prove it.  WeasyPrint 67+ wants a ``URLFetcher`` object, older versions a function
returning a dict: both are provided.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from ..model import Report
from ..resources import templates_dir
from .html import render


class FetchRefused(ValueError):
    """WeasyPrint turns this into a skipped resource, never a network request."""


def confined_read(root: Path, url: str, log: list[str] | None = None) -> tuple[bytes, str, str]:
    """Bytes, MIME type and final URL of a file under ``root``; ``FetchRefused`` otherwise."""
    if log is not None:
        log.append(url)
    parsed = urlparse(url)
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
        raise FetchRefused(f"refused non-local resource: {url[:200]}")
    base = root.resolve()
    target = Path(unquote(parsed.path)).resolve()
    if not target.is_relative_to(base) or not target.is_file():
        raise FetchRefused(f"refused file outside the templates: {url[:200]}")
    mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    return target.read_bytes(), mime, target.as_uri()


def confined_fetcher(root: Path, log: list[str] | None = None) -> Callable[..., dict[str, Any]]:
    """A function fetcher (WeasyPrint < 67 style, and handy for tests)."""

    def fetch(url: str, timeout: int = 10, ssl_context: Any = None) -> dict[str, Any]:
        data, mime, final = confined_read(root, url, log)
        return {"string": data, "mime_type": mime, "redirected_url": final}

    return fetch


def _weasyprint_fetcher(root: Path, log: list[str] | None) -> Any:
    try:
        from weasyprint.urls import URLFetcher, URLFetcherResponse
    except ImportError:  # WeasyPrint < 67: plain functions
        return confined_fetcher(root, log)

    class ConfinedFetcher(URLFetcher):  # type: ignore[misc]
        """Serves the templates folder, refuses everything else, never opens a socket."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            data, mime, final = confined_read(root, url, log)
            return URLFetcherResponse(final, body=data, headers={"Content-Type": mime})

    return ConfinedFetcher(allowed_protocols=("file",), allow_redirects=False)


def pdf_bytes(report: Report, fetch_log: list[str] | None = None) -> bytes:
    """Render the report to PDF bytes (same template and view model as the HTML)."""
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    root = templates_dir()
    html = render(report, "pdf")
    document = HTML(string=html, base_url=root.resolve().as_uri() + "/", url_fetcher=_weasyprint_fetcher(root, fetch_log))
    data: bytes = document.write_pdf()
    return data


def write_pdf(report: Report, path: Path, fetch_log: list[str] | None = None) -> None:
    path.write_bytes(pdf_bytes(report, fetch_log))
