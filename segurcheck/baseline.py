"""Baselines: gate CI on regressions only.

A baseline is the JSON result of an earlier run.  Its failures (``fail``, and
``waived`` ones, which are failures someone accepted) are *known*; a failure of the
current run whose fingerprint the baseline holds is marked ``known`` and no longer
drives the exit status, every other failure is ``new``.  Baseline failures that no
longer fail are listed as ``fixed``.  Fingerprints are content-based, so a baseline
survives renamed folders, reordered files and reformatted XML.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .model import Report, Status

FAILING = ("fail", "waived")


class BaselineError(Exception):
    """The baseline file is not a segurcheck JSON result: the CLI exits with 2."""


@dataclass(frozen=True)
class Baseline:
    """The failures of an earlier run, by fingerprint (rule, evidence, message kept to
    describe the fixed ones)."""

    failures: Mapping[str, Mapping[str, str]]
    rulepack_version: str = ""


def _text(value: Any) -> str:
    """A message is a string, or a {fr, en} object in some writers."""
    if isinstance(value, Mapping):
        return str(value.get("en") or value.get("fr") or "")
    return "" if value is None else str(value)


def baseline_from_dict(data: Any, where: str = "baseline") -> Baseline:
    if not isinstance(data, Mapping) or not isinstance(data.get("results"), list):
        raise BaselineError(f"{where}: not a segurcheck JSON result (no 'results' list)")
    failures: dict[str, Mapping[str, str]] = {}
    for index, result in enumerate(data["results"]):
        if not isinstance(result, Mapping) or not isinstance(result.get("fingerprint"), str):
            raise BaselineError(f"{where}: results[{index}]: a result needs a 'fingerprint'")
        if result.get("status") in FAILING:
            failures[result["fingerprint"]] = {
                "rule_id": str(result.get("rule_id", "")),
                "evidence": str(result.get("evidence", "")),
                "severity": str(result.get("severity", "")),
                "fingerprint": result["fingerprint"],
                "message": _text(result.get("message")),
            }
    rulepack = data.get("rulepack")
    version = str(rulepack.get("version", "")) if isinstance(rulepack, Mapping) else ""
    return Baseline(failures, version)


def load_baseline(path: Path | str) -> Baseline:
    """Read a JSON result written by ``segurcheck check --json``."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc}") from None
    return baseline_from_dict(data, path.name)


def apply_baseline(report: Report, baseline: Baseline) -> Report:
    """Mark each failure new or known, and list the baseline failures now fixed."""
    current: set[str] = set()
    results = []
    for result in report.results:
        if result.status in (Status.FAIL, Status.WAIVED):
            current.add(result.fingerprint)
            mark = "known" if result.fingerprint in baseline.failures else "new"
            results.append(replace(result, baseline=mark))
        else:
            results.append(result)
    gone = [entry for fingerprint, entry in baseline.failures.items() if fingerprint not in current]
    fixed = tuple(sorted(gone, key=lambda e: (e["rule_id"], e["evidence"], e["fingerprint"])))
    return replace(report, results=tuple(results), fixed=fixed)
