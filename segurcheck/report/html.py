"""The HTML report: one self-contained file, readable with scripts disabled.

Everything from evidence is autoescaped by jinja2; the page carries a Content
Security Policy that allows only its own inline style and the one small filtering
script (by hash), so even a markup slip could not run injected code.  Links to proof
files are relative paths percent-encoded segment by segment, so no evidence name can
become a ``javascript:`` or remote URL.
"""

from __future__ import annotations

import base64
import hashlib
import os
import platform
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from ..model import Report, RequirementCoverage, Result, Severity, Status
from ..resources import templates_dir
from .i18n import translator

STATUS_ORDER = (Status.FAIL, Status.ERROR, Status.MANUAL, Status.WAIVED, Status.PASS, Status.NOT_APPLICABLE)
COVERAGE_ORDER = ("fail", "error", "proof_missing", "manual", "waived", "not_evaluated", "not_applicable", "pass", "not_covered")


def proof_href(path: str, base: str | None = "") -> str | None:
    """A safe relative link to a bundle file, or ``None`` for nested items (and when
    ``base`` is ``None``: the bundle is a zip, nothing to link to).

    Each segment is percent-encoded (``:`` included) so the result is always a
    relative path: ``javascript:x`` becomes ``javascript%3Ax``.  ``base`` is the
    relative way from the report's folder to the bundle root (tool-made, not evidence)."""
    if base is None:
        return None
    path = path.strip().replace("\\", "/")
    if not path or "!" in path or path.startswith("/"):
        return None
    segments = [s for s in path.split("/") if s not in ("", ".")]
    if not segments or ".." in segments:
        return None
    prefix = quote(base.replace("\\", "/"), safe="/.") if base else ""
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return prefix + "/".join(quote(s, safe="") for s in segments)


def bundle_link_base(report_path: Path, bundle_root: Path | None) -> str | None:
    """How a report written at ``report_path`` reaches the files of a directory bundle."""
    if bundle_root is None:
        return ""
    if not bundle_root.is_dir():
        return None
    return os.path.relpath(bundle_root.resolve(), report_path.resolve().parent).replace(os.sep, "/")


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("o", "Kio", "Mio", "Gio"):
        if value < 1024 or unit == "Gio":
            return f"{int(value)} {unit}" if unit == "o" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} o"


@dataclass
class FindingGroup:
    key: str
    area: str
    requirements: tuple[str, ...]
    results: list[Result] = field(default_factory=list)
    rule_id: str = ""  # set when the group is one rule failing many times (shown as a table)

    @property
    def compact(self) -> bool:
        return bool(self.rule_id)

    @property
    def first(self) -> Result:
        return self.results[0]


COMPACT_MIN = 6  # a rule failing this often is shown once, its findings as table rows


def _sort_key(r: Result) -> tuple[int, str, str, str]:
    return (r.severity.rank, r.rule_id, r.evidence, r.location)


def result_requirements(r: Result) -> tuple[str, ...]:
    """The requirements a finding is about: the rule's, or the one a per-requirement
    dossier rule (missing proofs) names in what it saw."""
    if r.requirements:
        return tuple(r.requirements)
    named = r.observed.get("requirement", "")
    return (named,) if named else ()


def group_failures(results: Iterable[Result]) -> list[FindingGroup]:
    """Failures grouped by area then requirement, most serious group first.

    A rule failing many times (a missing proof per requirement, the same defect in
    hundreds of documents) becomes one group whose title, severity, remediation and
    references are said once, each finding a row with its own location and values."""
    ordered = sorted(results, key=_sort_key)
    per_rule = Counter(r.rule_id for r in ordered)
    groups: dict[tuple[str, ...], FindingGroup] = {}
    for r in ordered:
        reqs = result_requirements(r)
        if per_rule[r.rule_id] >= COMPACT_MIN:
            key: tuple[str, ...] = ("rule", r.rule_id)
            if key not in groups:
                groups[key] = FindingGroup(f"{r.area}|{r.rule_id}", r.area, tuple(r.requirements), rule_id=r.rule_id)
        else:
            key = ("req", r.area, *reqs)
            if key not in groups:
                groups[key] = FindingGroup(f"{r.area}|{'+'.join(reqs)}", r.area, reqs)
        groups[key].results.append(r)
    return sorted(groups.values(), key=lambda g: (min(x.severity.rank for x in g.results), _area_rank(g.area), g.compact, g.requirements))


AREA_ORDER = ("pki", "ins", "insi", "cda", "dmp", "mss", "usage", "dossier")


def _area_rank(area: str) -> tuple[int, str]:
    """Evidence areas first; dossier-level findings (mostly missing proofs) last."""
    return (AREA_ORDER.index(area) if area in AREA_ORDER else len(AREA_ORDER) - 1, area)


def split_files(value: str) -> list[str]:
    return [f.strip() for f in value.split(",") if f.strip()]


def area_counts(results: Iterable[Result]) -> list[tuple[str, dict[str, int], int]]:
    table: dict[str, Counter[str]] = {}
    for r in results:
        table.setdefault(r.area or "-", Counter())[r.status.value] += 1
    return [(area, dict(c), sum(c.values())) for area, c in sorted(table.items())]


@dataclass(frozen=True)
class CoverageAnswer:
    """The reviewer's first question, answered from the matrix."""

    total: int
    covered: int
    gaps: int
    outside: int
    other: int
    gap_ids: tuple[str, ...]


def coverage_answer(rows: Iterable[RequirementCoverage]) -> CoverageAnswer:
    rows = list(rows)
    gap_ids = tuple(r.requirement for r in rows if r.status in ("fail", "error", "proof_missing"))
    covered = sum(1 for r in rows if r.status in ("pass", "manual", "waived"))
    outside = sum(1 for r in rows if r.status == "not_covered")
    return CoverageAnswer(len(rows), covered, len(gap_ids), outside, len(rows) - covered - len(gap_ids) - outside, gap_ids)


def coverage_counts(rows: Iterable[RequirementCoverage]) -> dict[str, int]:
    c = Counter(row.status for row in rows)
    return {s: c[s] for s in COVERAGE_ORDER if c[s]}


@cache
def _asset(name: str) -> str:
    return (templates_dir() / name).read_text(encoding="utf-8")


def script_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def _coverage_key(row: RequirementCoverage) -> tuple[int, str]:
    rank = COVERAGE_ORDER.index(row.status) if row.status in COVERAGE_ORDER else len(COVERAGE_ORDER)
    return (rank, row.requirement)


def context(report: Report, mode: str, links: str | None = "") -> dict[str, Any]:
    """The view model both the HTML and the PDF render (never re-judges anything)."""
    lang = report.lang if report.lang in ("fr", "en") else "fr"
    results = report.results
    by_status: dict[Status, list[Result]] = {s: [] for s in Status}
    for r in results:
        by_status[r.status].append(r)
    for items in by_status.values():
        items.sort(key=_sort_key)
    script = _asset("filter.js") if mode == "html" else ""
    return {
        "r": report,
        "mode": mode,
        "lang": lang,
        "t": translator(lang),
        "Status": Status,
        "Severity": Severity,
        "status_order": STATUS_ORDER,
        "counts": report.counts,
        "by_status": by_status,
        "failure_groups": group_failures(by_status[Status.FAIL]),
        "area_counts": area_counts(results),
        "coverage_rows": sorted(report.coverage, key=_coverage_key),
        "coverage_counts": coverage_counts(report.coverage),
        "answer": coverage_answer(report.coverage),
        "css": _asset("report.css"),
        "print_css": _asset("print.css") if mode == "pdf" else "",
        "script": script,
        "logo": "data:image/svg+xml;base64," + base64.b64encode(_asset("logo.svg").encode()).decode("ascii"),
        "csp_script": script_hash(script) if script else "",
        "python_version": sys.version.split()[0],
        "platform": platform.platform(terse=True),
        "proof_href": lambda p: proof_href(p, links),
        "split_files": split_files,
        "result_requirements": result_requirements,
        "observed_items": lambda observed: observed_items(observed, lang),
        "human_size": human_size,
    }


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,  # every template, whatever its extension
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def render(report: Report, mode: str = "html", links: str | None = "") -> str:
    return environment().get_template("report.html.j2").render(context(report, mode, links))


def render_html(report: Report, links: str | None = "") -> str:
    """The HTML report as a string (French unless ``report.lang == 'en'``).

    Proof links are relative to the bundle root unless ``links`` gives the way from
    the report to it (``None``: no links)."""
    return render(report, "html", links)


def write_html(report: Report, path: Path, bundle_root: Path | None = None) -> None:
    """Write the report; with ``bundle_root`` (a directory bundle) the proof links
    point at the files from where the report is written."""
    path.write_text(render_html(report, bundle_link_base(path, bundle_root)), encoding="utf-8")


def observed_items(observed: Mapping[str, str], lang: str) -> list[tuple[str, str]]:
    """What a rule saw, sorted; a value ``key_fr`` stands in for ``key`` in French
    (rules may say a value in both languages) and is hidden in English."""
    items: dict[str, str] = {}
    for key, value in observed.items():
        if key.endswith("_fr"):
            continue
        localized = observed.get(f"{key}_fr") if lang == "fr" else None
        items[key] = localized if localized is not None else value
    return sorted(items.items())
