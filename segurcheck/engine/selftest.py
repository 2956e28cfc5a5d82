"""Running every rule's own test cases (``segurcheck rules test`` and pytest).

A case builds a small bundle (inline files and manifest, or a generated fixture
bundle), runs the whole pipeline restricted to the rule, and compares the rule's
results with the expectations.  A case that expects no failure also fails when the
rule reports one, so a rule whose logic is removed fails its own cases either way.
"""

from __future__ import annotations

import base64
import datetime as dt
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..model import Result, Status
from .rules import Rule, RulePack

DEFAULT_AS_OF = dt.date(2026, 11, 29)


@dataclass(frozen=True)
class CaseOutcome:
    rule_id: str
    case: str
    ok: bool
    detail: str


def default_fixtures_dir() -> Path:
    """``fixtures/`` of a source checkout (cases using ``fixture:`` need it)."""
    return Path(__file__).resolve().parents[2] / "fixtures"


def _write_bundle(case: Mapping[str, Any], root: Path) -> None:
    for name, content in (case.get("files") or {}).items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, dict):
            target.write_bytes(base64.b64decode(content["base64"]))
        else:
            target.write_text(content, encoding="utf-8")
    if "manifest" in case:
        (root / "segur.yaml").write_text(yaml.safe_dump(case["manifest"], sort_keys=False), encoding="utf-8")


def _matches(expect: Mapping[str, Any], results: list[Result]) -> tuple[bool, str]:
    status = Status(expect["status"])
    found = [r for r in results if r.status is status]
    if "evidence" in expect:
        found = [r for r in found if r.evidence == expect["evidence"]]
    for key, value in (expect.get("observed") or {}).items():
        found = [r for r in found if value in r.observed.get(key, "")]
    wanted = expect.get("count")
    ok = len(found) == wanted if wanted is not None else bool(found)
    return ok, f"expected {dict(expect)}, got {[(r.status.value, r.evidence) for r in results]}"


def run_case(rule: Rule, case: Mapping[str, Any], pack: RulePack, fixtures: Path) -> CaseOutcome:
    from ..options_loader import load_resources
    from ..pipeline import CheckOptions, run_check

    name = str(case.get("name", "?"))
    options = case.get("options") or {}
    as_of = dt.date.fromisoformat(str(options["as_of"])) if "as_of" in options else None
    with tempfile.TemporaryDirectory(prefix="segurcheck-case-") as tmp:
        if "fixture" in case:
            bundle = fixtures / "bundles" / case["fixture"]
            if not bundle.exists() and bundle.with_suffix(".zip").exists():
                bundle = bundle.with_suffix(".zip")
            if not bundle.exists():
                missing = f"fixture {case['fixture']} not found under {fixtures}/bundles (run `make fixtures`)"
                return CaseOutcome(rule.id, name, False, missing)
        else:
            bundle = Path(tmp) / "bundle"
            bundle.mkdir()
            _write_bundle(case, bundle)
        resources = load_resources(
            trust=fixtures / options["trust"] if "trust" in options else None,
            schematron=fixtures / options["schematron"] if "schematron" in options else None,
            cache_dir=Path(tmp) / "cache",
        ) if ("trust" in options or "schematron" in options) else {}
        check = CheckOptions(
            today=DEFAULT_AS_OF,
            sector=options.get("sector"),
            environment=options.get("env"),
            as_of=as_of,
            show_identities=bool(options.get("show_identities", False)),
            lang=options.get("lang", "fr"),
            resources=resources,
            rule_ids=(rule.id,),
        )
        report = run_check(bundle, check, pack)
    results = [r for r in report.results if r.rule_id == rule.id]
    expectations = list(case["expect"])
    for expect in expectations:
        ok, detail = _matches(expect, results)
        if not ok:
            return CaseOutcome(rule.id, name, False, detail)
    if not any(e["status"] == "fail" for e in expectations):
        failing = [r for r in results if r.status is Status.FAIL]
        if failing:
            return CaseOutcome(rule.id, name, False, f"unexpected fail on {[r.evidence for r in failing]}: {failing[0].message.en}")
    return CaseOutcome(rule.id, name, True, "")


def check_case_coverage(rule: Rule) -> str | None:
    """Each rule needs a case that fails and one that does not."""
    statuses = {e["status"] for case in rule.tests for e in case["expect"]}
    if "fail" not in statuses:
        return "no case expecting 'fail'"
    if not any(all(e["status"] != "fail" for e in case["expect"]) for case in rule.tests):
        return "no case expecting the rule not to fail"
    return None


def run_all(pack: RulePack, fixtures: Path | None = None, only: tuple[str, ...] = ()) -> list[CaseOutcome]:
    fixtures = fixtures or default_fixtures_dir()
    outcomes: list[CaseOutcome] = []
    for rule in pack.rules:
        if only and rule.id not in only:
            continue
        problem = check_case_coverage(rule)
        if problem:
            outcomes.append(CaseOutcome(rule.id, "(coverage)", False, problem))
        for case in rule.tests:
            try:
                outcomes.append(run_case(rule, case, pack, fixtures))
            except Exception as exc:
                outcomes.append(CaseOutcome(rule.id, str(case.get("name")), False, f"{type(exc).__name__}: {exc}"))
    return outcomes
