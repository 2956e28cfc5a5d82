"""The triage overview: one ranked table of dossiers, as HTML and CSV.

The HTML is a single self-contained file (inline CSS, no script), autoescaped: names
and errors come from untrusted bundles.  The CSV neutralises cells that a spreadsheet
would run as a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from ..resources import templates_dir

CSV_COLUMNS = (
    "rank", "dossier", "verdict", "blocking", "blocking_by_area", "top_rules", "real_patient",
    "waivers_expired", "waivers_stale", "waivers_suspicious", "waivers_bundled", "proofs_covered", "proofs_total",
    "publisher", "software", "version", "sector", "status", "error", "json", "html",
)


# what an error row (the dossier could not be checked) lacks
_DEFAULTS: dict[str, Any] = {
    "top_rules": [], "blocking_by_area": {}, "waivers_expired": 0, "waivers_stale": 0, "waivers_suspicious": [],
    "waivers_bundled": [], "real_patient": 0, "proofs_covered": 0, "proofs_total": 0, "blocking": "",
}


def _safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _flat(row: dict[str, Any]) -> dict[str, str]:
    areas = row.get("blocking_by_area") or {}
    return {
        "rank": str(row.get("rank", "")),
        "dossier": str(row.get("path", "")),
        "verdict": str(row.get("verdict", "")),
        "blocking": str(row.get("blocking", "")),
        "blocking_by_area": "; ".join(f"{a}:{n}" for a, n in areas.items()),
        "top_rules": "; ".join(f"{r}x{n}" for r, n in row.get("top_rules") or []),
        "real_patient": str(row.get("real_patient", "")),
        "waivers_expired": str(row.get("waivers_expired", "")),
        "waivers_stale": str(row.get("waivers_stale", "")),
        "waivers_suspicious": "; ".join(row.get("waivers_suspicious") or []),
        "waivers_bundled": "; ".join(row.get("waivers_bundled") or []),
        "proofs_covered": str(row.get("proofs_covered", "")),
        "proofs_total": str(row.get("proofs_total", "")),
        "publisher": str(row.get("publisher", "")),
        "software": str(row.get("software", "")),
        "version": str(row.get("version", "")),
        "sector": str(row.get("sector", "")),
        "status": str(row.get("status", "")),
        "error": str(row.get("error", "")),
        "json": str(row.get("json", "")),
        "html": str(row.get("html", "")),
    }


def write_csv(rows: Sequence[dict[str, Any]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _safe_cell(v) for k, v in _flat(row).items()})


def render_html(rows: Sequence[dict[str, Any]], rulepack_sha256: str) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir() / "triage")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    totals = {
        "dossiers": len(rows),
        "ready": sum(1 for r in rows if r.get("verdict") == "ready"),
        "not_ready": sum(1 for r in rows if r.get("verdict") == "not_ready"),
        "incomplete": sum(1 for r in rows if r.get("verdict") == "incomplete"),
        "errors": sum(1 for r in rows if r.get("status") != "ok"),
        "real_patient": sum(1 for r in rows if r.get("real_patient")),
    }
    return env.get_template("overview.html.j2").render(
        rows=[{**_flat(r), "row": {**_DEFAULTS, **r}} for r in rows], totals=totals, rulepack=rulepack_sha256[:12]
    )


OVERVIEW_HTML = "overview.html"
OVERVIEW_CSV = "overview.csv"


def write_overview(rows: Sequence[dict[str, Any]], out: Path, rulepack_sha256: str) -> tuple[Path, Path]:
    html = out / OVERVIEW_HTML
    csv_path = out / OVERVIEW_CSV
    html.write_text(render_html(rows, rulepack_sha256), encoding="utf-8")
    write_csv(rows, csv_path)
    return html, csv_path
