"""Baseline marking and the diff of two JSON results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from gate_reports import report, result

from segurcheck.baseline import BaselineError, apply_baseline, baseline_from_dict, load_baseline
from segurcheck.diff import DiffError, diff_results, format_diff, load_result
from segurcheck.model import Status


def as_json(rep: Any) -> dict[str, Any]:
    """The fields the baseline and diff read (a subset of the JSON result)."""
    return {
        "rulepack": {"version": rep.rulepack_version, "sha256": rep.rulepack_sha256},
        "bundle": {"sha256": rep.bundle_sha256},
        "results": [{"rule_id": r.rule_id, "status": r.status.value, "severity": r.severity.value,
                     "evidence": r.evidence, "fingerprint": r.fingerprint, "message": r.message.en}
                    for r in rep.results],
    }


def test_new_known_and_fixed() -> None:
    old = report(result("INS-KEY", "a.xml"), result("INS-OID", "b.xml"), result("PKI-EXPIRED", "c.pem", Status.PASS))
    new = report(result("INS-KEY", "a.xml"), result("PKI-EXPIRED", "c.pem"))
    out = apply_baseline(new, baseline_from_dict(as_json(old)))
    assert [(r.rule_id, r.baseline) for r in out.results] == [("INS-KEY", "known"), ("PKI-EXPIRED", "new")]
    assert [f["rule_id"] for f in out.fixed] == ["INS-OID"]
    assert out.blocking == 2 and out.gating_blocking == 1


def test_passes_are_not_marked() -> None:
    out = apply_baseline(report(result("INS-KEY", "a.xml", Status.PASS)), baseline_from_dict({"results": []}))
    assert out.results[0].baseline == ""


def test_bad_baseline_files(tmp_path: Path) -> None:
    bad = tmp_path / "b.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(BaselineError, match="cannot read"):
        load_baseline(bad)
    bad.write_text('{"results": [{"status": "fail"}]}', encoding="utf-8")
    with pytest.raises(BaselineError, match=r"results\[0\]"):
        load_baseline(bad)
    with pytest.raises(BaselineError, match="not a segurcheck JSON result"):
        baseline_from_dict([1, 2])


def test_diff_separates_rulepack_from_evidence() -> None:
    old = report(result("INS-KEY", "a.xml"), result("INS-OID", "b.xml"), result("PKI-EXPIRED", "c.pem", Status.PASS),
                 pack="1", pack_sha="1" * 64, bundle_sha="x" * 64)
    new = report(
        result("INS-KEY", "a.xml"),                      # unchanged
        result("PKI-EXPIRED", "c.pem"),                 # same subject, now fails: rule pack
        result("CDA-HEADER", "d.xml"),                  # a rule the old pack lacked: rule pack
        result("INS-OID", "e.xml"),                     # new subject (content changed): evidence
        pack="2", pack_sha="2" * 64, bundle_sha="y" * 64,
    )
    diff = diff_results(as_json(old), as_json(new))
    assert {(c.kind, c.cause, c.rule_id) for c in diff.changes} == {
        ("new", "rulepack", "PKI-EXPIRED"),
        ("new", "rulepack", "CDA-HEADER"),
        ("new", "evidence", "INS-OID"),
        ("fixed", "evidence", "INS-OID"),
    }
    text = format_diff(diff)
    assert "New failures: 3" in text and "Fixed: 1" in text and "caused by the rule pack (2)" in text
    assert diff.new_blocking == 3


def test_diff_same_pack_is_evidence_and_severity_change_is_changed() -> None:
    a = result("INS-KEY", "a.xml")
    from dataclasses import replace

    from segurcheck.model import Severity

    old = report(a, bundle_sha="x" * 64)
    new = report(replace(a, severity=Severity.MINOR), bundle_sha="x" * 64, pack_sha="c" * 64)
    diff = diff_results(as_json(old), as_json(new))
    assert [(c.kind, c.cause) for c in diff.changes] == [("changed", "rulepack")]
    assert "severity blocking -> minor" in format_diff(diff)
    assert diff_results(as_json(old), as_json(old)).changes == ()


def test_diff_rejects_non_results(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"hello": 1}), encoding="utf-8")
    with pytest.raises(DiffError):
        load_result(path)
