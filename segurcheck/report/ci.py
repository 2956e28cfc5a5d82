"""CI views of a Report: GitHub annotations, GitLab Code Quality, a Markdown summary.

Each is a pure function of the Report (like every output), plus tiny writers.
``path_prefix`` is where the bundle sits in the repository (e.g. ``dossier/``), so the
annotations and Code Quality entries point at real files of the checked-out tree; for a
zipped bundle, ``archive`` is the .zip's path and every entry points at it (the
message then names the member).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..model import Report, Result, Severity, Status

_GITHUB_LEVEL = {
    Severity.BLOCKING: "error",
    Severity.MAJOR: "error",
    Severity.MINOR: "warning",
    Severity.INFO: "notice",
}
_GITLAB_SEVERITY = {
    Severity.BLOCKING: "blocker",
    Severity.MAJOR: "major",
    Severity.MINOR: "minor",
    Severity.INFO: "info",
}


def _file_path(result: Result, path_prefix: str, archive: str = "") -> str:
    """The outer file of a (possibly nested) evidence path, under the prefix."""
    outer = result.evidence.split("!", 1)[0]
    if not outer:
        return ""
    if archive:
        return archive
    return f"{path_prefix.rstrip('/')}/{outer}" if path_prefix else outer


def _dossier_path(path_prefix: str, archive: str) -> str:
    """Where a dossier-level finding points: the bundle's manifest (or the archive)."""
    if archive:
        return archive
    return f"{path_prefix.rstrip('/')}/segur.yaml" if path_prefix else "segur.yaml"


def _names_member(result: Result, archive: str) -> bool:
    return bool(result.evidence) and ("!" in result.evidence or bool(archive))


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _failures(report: Report) -> Iterable[Result]:
    return (r for r in report.results if r.status is Status.FAIL)


def github_annotations(report: Report, path_prefix: str = "", lang: str | None = None, archive: str = "") -> list[str]:
    """Workflow commands (``::error file=...::message``), one per failure.

    Known failures (already in the baseline) are downgraded to notices: they are
    not what this change broke.
    """
    lang = lang or report.lang
    lines = []
    for result in _failures(report):
        level = "notice" if result.baseline == "known" else _GITHUB_LEVEL[result.severity]
        props = [f"title={_escape_property(f'{result.rule_id} [{result.severity.value}]')}"]
        path = _file_path(result, path_prefix, archive)
        if path:
            props.insert(0, f"file={_escape_property(path)}")
        text = result.message.get(lang)
        if _names_member(result, archive):
            text = f"{result.evidence}: {text}"
        lines.append(f"::{level} {','.join(props)}::{_escape_data(text)}")
    return lines


def gitlab_code_quality(
    report: Report, path_prefix: str = "", lang: str | None = None, archive: str = ""
) -> list[dict[str, Any]]:
    """GitLab Code Quality entries (the CodeClimate subset GitLab reads)."""
    lang = lang or report.lang
    entries = []
    for result in _failures(report):
        where = f"{result.evidence}: " if _names_member(result, archive) else ""
        entries.append(
            {
                "description": f"{result.rule_id}: {where}{result.message.get(lang)}",
                "check_name": result.rule_id,
                "fingerprint": result.fingerprint,
                "severity": _GITLAB_SEVERITY[result.severity],
                "location": {"path": _file_path(result, path_prefix, archive) or _dossier_path(path_prefix, archive),
                             "lines": {"begin": 1}},
            }
        )
    return entries


def write_gitlab(report: Report, path: Path | str, path_prefix: str = "", archive: str = "") -> None:
    text = json.dumps(gitlab_code_quality(report, path_prefix, archive=archive), ensure_ascii=False, indent=2)
    Path(path).write_text(text + "\n", encoding="utf-8")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


_VERDICT = {"ready": "✅ ready", "not_ready": "❌ not ready", "incomplete": "⚠️ incomplete"}


def markdown_summary(report: Report, lang: str | None = None, limit: int = 50) -> str:
    """A short Markdown page for CI summaries and merge requests."""
    lang = lang or report.lang
    d = report.dossier
    counts = report.counts
    out = [
        f"## segurcheck: {_VERDICT.get(report.verdict, report.verdict)}",
        "",
        f"**{_cell(d.software or '?')} {_cell(d.version)}** ({_cell(d.publisher or '?')}), sector "
        f"{d.sector or '?'}, {d.environment}, as of {d.as_of.isoformat()} · rule pack {report.rulepack_version}",
        "",
        "| " + " | ".join(counts) + " | blocking | gating |",
        "|" + "---|" * (len(counts) + 2),
        "| " + " | ".join(str(v) for v in counts.values()) + f" | {report.blocking} | {report.gating_blocking} |",
    ]
    failures = sorted(_failures(report), key=lambda r: (r.baseline == "known", r.severity.rank, r.rule_id, r.evidence))
    if failures:
        out += ["", "### Failures", "", "| rule | severity | baseline | evidence | message |", "|---|---|---|---|---|"]
        for r in failures[:limit]:
            out.append(
                f"| {r.rule_id} | {r.severity.value} | {r.baseline or '-'} | {_cell(r.evidence or '(dossier)')} "
                f"| {_cell(r.message.get(lang))} |"
            )
        if len(failures) > limit:
            out.append(f"| … | | | | {len(failures) - limit} more in the full report |")
    waived = [r for r in report.results if r.status is Status.WAIVED]
    if waived:
        out += ["", "### Waived", "", "| rule | evidence | waiver |", "|---|---|---|"]
        out += [
            f"| {r.rule_id} | {_cell(r.evidence or '(dossier)')} | {_cell(r.waiver_note)} |" for r in waived[:limit]
        ]
    if report.fixed:
        out += ["", f"### Fixed since the baseline ({len(report.fixed)})", ""]
        out += [f"- {f.get('rule_id', '')} {_cell(f.get('evidence', '') or '(dossier)')}" for f in report.fixed[:limit]]
    if report.notices:
        out += ["", "### Notices", ""] + [f"- {_cell(n.get(lang))}" for n in report.notices]
    top = Counter(r.rule_id for r in failures).most_common(5)
    if top:
        out += ["", "Top failing rules: " + ", ".join(f"{rule} ×{n}" for rule, n in top)]
    return "\n".join(out) + "\n"


def write_markdown(report: Report, path: Path | str | None, environ: Mapping[str, str] | None = None) -> None:
    """Write the summary to ``path`` (if given) and append it to ``$GITHUB_STEP_SUMMARY``
    when that variable is set."""
    environ = os.environ if environ is None else environ
    text = markdown_summary(report)
    if path:
        Path(path).write_text(text, encoding="utf-8")
    summary = environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as fh:
            fh.write(text)


def running_on_github(environ: Mapping[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    return environ.get("GITHUB_ACTIONS") == "true"
