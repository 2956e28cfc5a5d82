"""The JSON result: the stable, versioned contract of BUNDLE.md.

Reproducible: same bundle, rule pack and ``--as-of`` give the same bytes (keys in a
fixed order, no clock).  Messages are in the run's language.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..model import Report, Result

SCHEMA_VERSION = "1"


def result_to_dict(result: Result, lang: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "rule_id": result.rule_id,
        "status": result.status.value,
        "severity": result.severity.value,
        "evidence": result.evidence,
        "location": result.location,
        "message": result.message.get(lang),
        "requirements": list(result.requirements),
        "fingerprint": result.fingerprint,
        "area": result.area,
        "title": result.title.get(lang),
        "remediation": result.remediation.get(lang),
        "references": list(result.references),
        "observed": dict(sorted(result.observed.items())),
        "condition": result.condition,
    }
    if result.baseline:
        entry["baseline"] = result.baseline
    if result.waiver is not None:
        waiver = result.waiver
        entry["waiver"] = {
            "reason": waiver.reason,
            "owner": waiver.owner,
            "expires": waiver.expires.isoformat(),
            "ticket": waiver.ticket,
            "note": result.waiver_note,
        }
    elif result.waiver_note:
        entry["waiver"] = {"note": result.waiver_note}
    return entry


def report_to_dict(report: Report) -> dict[str, Any]:
    lang = report.lang
    dossier = report.dossier
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "segurcheck", "version": report.tool_version},
        "rulepack": {"version": report.rulepack_version, "sha256": report.rulepack_sha256},
        "dossier": {
            "publisher": dossier.publisher,
            "software": dossier.software,
            "version": dossier.version,
            "sector": dossier.sector,
            "environment": dossier.environment,
            "as_of": dossier.as_of.isoformat(),
        },
        "bundle": {"sha256": report.bundle_sha256, "files": report.bundle_files},
        "summary": {
            "verdict": report.verdict,
            "counts": report.counts,
            "blocking": report.blocking,
            "gating_blocking": report.gating_blocking,
        },
        "results": [result_to_dict(r, lang) for r in report.results],
        "evidence": [
            {
                "path": e.path,
                "kind": e.kind.value,
                "size": e.size,
                "sha256": e.sha256,
                "problems": [p.message for p in e.problems],
            }
            for e in report.evidence
        ],
    }
    if report.coverage:
        data["coverage"] = [
            {
                "requirement": c.requirement,
                "summary": c.summary.get(lang),
                "nature": c.nature,
                "rules": list(c.rules),
                "proofs": list(c.proofs),
                "status": c.status,
                "note": c.note.get(lang),
            }
            for c in report.coverage
        ]
    if report.fixed:
        data["fixed"] = [dict(f) for f in report.fixed]
    if report.notices:
        data["notices"] = [n.get(lang) for n in report.notices]
    return data


def dumps(report: Report) -> str:
    return json.dumps(report_to_dict(report), ensure_ascii=False, indent=2) + "\n"


def write_json(report: Report, path: Path) -> None:
    path.write_text(dumps(report), encoding="utf-8")
