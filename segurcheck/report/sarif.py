"""SARIF 2.1.0 view of a Report, for code-scanning dashboards.

Problems only (fail, error, manual, waived); waived results carry an external
suppression with the waiver's reason, so nothing is hidden.  Each result carries the
stable fingerprint under ``partialFingerprints`` and, with a baseline, its state.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..model import Report, Result, Severity, Status

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.BLOCKING: "error", Severity.MAJOR: "error", Severity.MINOR: "warning", Severity.INFO: "note"}
_KIND = {Status.FAIL: "fail", Status.ERROR: "fail", Status.MANUAL: "review", Status.WAIVED: "fail"}


def _location(result: Result) -> dict[str, Any]:
    outer, _, inner = result.evidence.partition("!")
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": outer or "segur.yaml"}}}
    logical = [part for part in (inner, result.location) if part]
    if logical:
        location["logicalLocations"] = [{"fullyQualifiedName": " ".join(logical)}]
    return location


def _result(result: Result, rule_index: dict[str, int], lang: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ruleId": result.rule_id,
        "ruleIndex": rule_index[result.rule_id],
        "kind": _KIND[result.status],
        "level": _LEVEL[result.severity] if result.status in (Status.FAIL, Status.WAIVED) else "note",
        "message": {"text": result.message.get(lang)},
        "locations": [_location(result)],
        "partialFingerprints": {"segurcheck/v1": result.fingerprint},
        "properties": {"status": result.status.value, "severity": result.severity.value,
                       "requirements": list(result.requirements)},
    }
    if result.status is Status.ERROR:
        entry["level"] = "error"
    if result.baseline:
        entry["baselineState"] = "unchanged" if result.baseline == "known" else "new"
    if result.status is Status.WAIVED and result.waiver is not None:
        entry["suppressions"] = [{
            "kind": "external",
            "status": "accepted",
            "justification": f"{result.waiver.reason} ({result.waiver.owner}, until {result.waiver.expires.isoformat()})",
        }]
    return entry


def report_to_sarif(report: Report) -> dict[str, Any]:
    lang = report.lang
    shown = [r for r in report.results if r.status in _KIND]
    rules: dict[str, Result] = {}
    for result in report.results:
        rules.setdefault(result.rule_id, result)
    ordered = sorted(rules)
    rule_index = {rule_id: i for i, rule_id in enumerate(ordered)}
    descriptors = []
    for rule_id in ordered:
        sample = rules[rule_id]
        help_text = f"{sample.remediation.get(lang)}\n" + "\n".join(f"- {ref}" for ref in sample.references)
        descriptors.append({
            "id": rule_id,
            "name": rule_id.title().replace("-", ""),
            "shortDescription": {"text": sample.title.get(lang)},
            "fullDescription": {"text": sample.title.get(lang)},
            "help": {"text": help_text, "markdown": help_text},
            "defaultConfiguration": {"level": _LEVEL[sample.severity]},
            "properties": {"severity": sample.severity.value, "area": sample.area,
                           "requirements": list(sample.requirements)},
        })
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "segurcheck",
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "informationUri": "https://github.com/segurcheck/segurcheck",
                "rules": descriptors,
                "properties": {"rulepack": report.rulepack_version, "rulepackSha256": report.rulepack_sha256},
            }},
            "results": [_result(r, rule_index, lang) for r in shown],
            "properties": {"verdict": report.verdict, "asOf": report.dossier.as_of.isoformat(),
                           "bundleSha256": report.bundle_sha256},
        }],
    }


def write_sarif(report: Report, path: Path) -> None:
    path.write_text(json.dumps(report_to_sarif(report), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
