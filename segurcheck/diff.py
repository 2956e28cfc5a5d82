"""``segurcheck diff OLD.json NEW.json``: what changed between two runs.

Results are paired by fingerprint (rule + content identity + subject), so renamed or
reordered files pair up.  Each change is attributed to a cause, so a publisher can tell
"the rule pack got stricter" from "our evidence changed":

* ``rulepack``: the rule pack differs and the evidence of that result did not change
  (same fingerprint on both sides, or a rule that exists on one side only);
* ``evidence``: the bundle differs and the result's subject is new or gone;
* ``options``: same bundle and rule pack, different dossier settings (as-of date,
  sector, environment).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FAILING = ("fail",)
CAUSES = ("rulepack", "evidence", "options")


class DiffError(Exception):
    """An input is not a segurcheck JSON result: the CLI exits with 2."""


@dataclass(frozen=True)
class Change:
    kind: str  # "new" | "fixed" | "changed"
    cause: str  # one of CAUSES
    rule_id: str
    evidence: str
    fingerprint: str
    severity: str
    old_status: str
    new_status: str
    old_severity: str
    message: str


@dataclass(frozen=True)
class Diff:
    old_rulepack: str
    new_rulepack: str
    changes: tuple[Change, ...]

    def of(self, kind: str, cause: str | None = None) -> list[Change]:
        return [c for c in self.changes if c.kind == kind and (cause is None or c.cause == cause)]

    @property
    def new_blocking(self) -> int:
        return sum(1 for c in self.changes if c.kind == "new" and c.severity == "blocking")


def load_result(path: Path | str) -> dict[str, Any]:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DiffError(f"{path}: cannot read a JSON result: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise DiffError(f"{path}: not a segurcheck JSON result (no 'results' list)")
    return data


def _text(value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get("en") or value.get("fr") or "")
    return "" if value is None else str(value)


def _pack(data: Mapping[str, Any]) -> tuple[str, str]:
    pack = data.get("rulepack") or {}
    return str(pack.get("version", "")), str(pack.get("sha256", ""))


def _by_fingerprint(data: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    out: dict[str, Mapping[str, Any]] = {}
    for result in data["results"]:
        if not isinstance(result, Mapping) or not isinstance(result.get("fingerprint"), str):
            continue
        # several "not applicable" results may share a fingerprint; keep the failing one
        if result["fingerprint"] not in out or result.get("status") in FAILING:
            out[result["fingerprint"]] = result
    return out


def diff_results(old: Mapping[str, Any], new: Mapping[str, Any]) -> Diff:
    old_results, new_results = _by_fingerprint(old), _by_fingerprint(new)
    pack_changed = _pack(old) != _pack(new)
    bundle_changed = (old.get("bundle") or {}).get("sha256") != (new.get("bundle") or {}).get("sha256")
    old_rules = {str(r.get("rule_id")) for r in old_results.values()}
    new_rules = {str(r.get("rule_id")) for r in new_results.values()}

    def cause(fingerprint: str, rule_id: str) -> str:
        if not pack_changed and not bundle_changed:
            return "options"
        if not bundle_changed:
            return "rulepack"
        if not pack_changed:
            return "evidence"
        paired = fingerprint in old_results and fingerprint in new_results
        one_sided_rule = (rule_id in old_rules) != (rule_id in new_rules)
        return "rulepack" if paired or one_sided_rule else "evidence"

    changes = []
    for fingerprint in sorted(old_results.keys() | new_results.keys()):
        before, after = old_results.get(fingerprint), new_results.get(fingerprint)
        old_status = str(before.get("status", "")) if before else ""
        new_status = str(after.get("status", "")) if after else ""
        old_sev = str(before.get("severity", "")) if before else ""
        new_sev = str(after.get("severity", "")) if after else ""
        if old_status in FAILING and new_status not in FAILING:
            kind = "fixed"
        elif new_status in FAILING and old_status not in FAILING:
            kind = "new"
        elif before and after and (old_status != new_status or old_sev != new_sev):
            kind = "changed"
        else:
            continue
        shown = after or before or {}
        rule_id = str(shown.get("rule_id", ""))
        changes.append(
            Change(
                kind=kind,
                cause=cause(fingerprint, rule_id),
                rule_id=rule_id,
                evidence=str(shown.get("evidence", "")),
                fingerprint=fingerprint,
                severity=new_sev or old_sev,
                old_status=old_status or "-",
                new_status=new_status or "-",
                old_severity=old_sev or "-",
                message=_text(shown.get("message")),
            )
        )
    changes.sort(key=lambda c: (c.kind, c.cause, c.rule_id, c.evidence, c.fingerprint))
    return Diff(_label(old), _label(new), tuple(changes))


def _label(data: Mapping[str, Any]) -> str:
    version, sha = _pack(data)
    return f"{version or '?'} ({sha[:12] or '?'})"


_TITLES = {
    "new": "New failures",
    "fixed": "Fixed",
    "changed": "Changed results",
}
_CAUSE_TITLES = {
    "rulepack": "caused by the rule pack",
    "evidence": "caused by the evidence",
    "options": "caused by the run options (as-of date, sector, environment)",
}


def format_diff(diff: Diff) -> str:
    """Plain text for the terminal: one section per kind, split by cause."""
    lines = [f"rule pack: {diff.old_rulepack} -> {diff.new_rulepack}"]
    for kind in ("new", "fixed", "changed"):
        found = diff.of(kind)
        lines.append("")
        lines.append(f"{_TITLES[kind]}: {len(found)}")
        for cause in CAUSES:
            group = diff.of(kind, cause)
            if not group:
                continue
            lines.append(f"  {_CAUSE_TITLES[cause]} ({len(group)}):")
            for change in group:
                where = change.evidence or "(dossier)"
                transition = f"{change.old_status} -> {change.new_status}"
                if change.old_severity not in ("-", change.severity):
                    transition += f", severity {change.old_severity} -> {change.severity}"
                lines.append(
                    f"    {change.rule_id} [{change.severity}] {where} ({transition}) {change.fingerprint[:12]}"
                )
    return "\n".join(lines) + "\n"


def diff_to_dict(diff: Diff) -> dict[str, Any]:
    return {
        "rulepack": {"old": diff.old_rulepack, "new": diff.new_rulepack},
        "changes": [c.__dict__ for c in diff.changes],
    }
