"""Runs the own test cases of the INS/INSi/dossier rules this area owns, through the
INS test harness (the lead's `segurcheck rules test` runs the same cases on main).

Also proves each case is meaningful: replacing a rule's predicate with an
always-pass must make its fail case fail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import segurcheck.engine.evaluate as evaluate_mod
from segurcheck.engine.rules import Rule, load_rule
from segurcheck.engine.vocabulary import PREDICATES, Verdict
from segurcheck.model import Status

from .harness import make_context, read_bundle

ROOT = Path(__file__).resolve().parents[2]
OWN = ["rules/ins", "rules/insi", "rules/dossier/DOSSIER-REAL-PATIENT.yaml", "rules/dossier/DOSSIER-VERSION.yaml"]


def _rule_files() -> list[Path]:
    found: list[Path] = []
    for entry in OWN:
        path = ROOT / entry
        found.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    return found


def _rules() -> list[Rule]:
    return [load_rule(p, ROOT / "rules") for p in _rule_files()]


CASES = [(rule, case) for rule in _rules() for case in rule.tests]


def _context(case: dict[str, Any]) -> Any:
    options = case.get("options", {})
    if "fixture" in case:
        bundle = ROOT / "fixtures" / "bundles" / case["fixture"]
        if not bundle.is_dir():
            pytest.skip(f"fixture {case['fixture']} not generated")
        files, manifest = read_bundle(bundle)
    else:
        files = {k: (v.encode() if isinstance(v, str) else b"") for k, v in case.get("files", {}).items()}
        manifest = case.get("manifest")
    return make_context(files, manifest, env=options.get("env"))


def _matches(rule: Rule, case: dict[str, Any]) -> bool:
    results = evaluate_mod.evaluate_rule(rule, _context(case))
    for expect in case["expect"]:
        chosen = [r for r in results if "evidence" not in expect or r.evidence == expect["evidence"]]
        hits = [
            r
            for r in chosen
            if r.status is Status(expect["status"]) and all(r.observed.get(k) == v for k, v in expect.get("observed", {}).items())
        ]
        if "count" in expect and len(hits) != expect["count"]:
            return False
        if not hits:
            return False
    return True


@pytest.mark.parametrize(("rule", "case"), CASES, ids=[f"{r.id}:{c['name']}" for r, c in CASES])
def test_rule_case(rule: Rule, case: dict[str, Any]) -> None:
    assert _matches(rule, case), f"{rule.id}: case {case['name']!r} not met"


def _predicates(condition: Any) -> list[str]:
    if isinstance(condition, str):
        return [condition]
    if "predicate" in condition:
        return [condition["predicate"]]
    if "not" in condition:
        return _predicates(condition["not"])
    return [n for sub in condition.get("all", condition.get("any", [])) for n in _predicates(sub)]


FAIL_CASES = [(r, c) for r, c in CASES if any(e["status"] == "fail" for e in c["expect"])]


@pytest.mark.parametrize(("rule", "case"), FAIL_CASES, ids=[f"{r.id}:{c['name']}" for r, c in FAIL_CASES])
def test_always_pass_breaks_fail_case(rule: Rule, case: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _predicates(rule.check):
        monkeypatch.setitem(PREDICATES, name, lambda subject, ctx, **_: Verdict.ok())
    assert not _matches(rule, case)
