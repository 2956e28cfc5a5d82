"""Every MSS/usage rule's own YAML cases, run on the generated bundles.

Same contract as the lead's self-test runner: each expectation must match at least
one result (or exactly ``count``), and a case that expects no failure must produce none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import AREA_RULES, REPO, evaluate_local

from segurcheck.engine.rules import Rule, load_rule
from segurcheck.model import Result, Status

CASES = []
for path in AREA_RULES:
    import segurcheck.engine.evaluate  # noqa: F401

    rule = load_rule(path, REPO / "rules")
    for case in rule.tests:
        CASES.append(pytest.param(rule, case, id=f"{rule.id}:{case['name']}"))


def _matches(expect: dict[str, Any], results: list[Result]) -> bool:
    found = [r for r in results if r.status is Status(expect["status"])]
    if "evidence" in expect:
        found = [r for r in found if r.evidence == expect["evidence"]]
    for key, value in (expect.get("observed") or {}).items():
        found = [r for r in found if value in r.observed.get(key, "")]
    return len(found) == expect["count"] if "count" in expect else bool(found)


@pytest.mark.parametrize(("rule", "case"), CASES)
def test_rule_case(rule: Rule, case: dict[str, Any], bundles: Path) -> None:
    results = evaluate_local(bundles / case["fixture"], [rule])
    seen = [(r.status.value, r.evidence, dict(r.observed)) for r in results]
    for expect in case["expect"]:
        assert _matches(expect, results), f"{expect} not in {seen}"
    if not any(e["status"] == "fail" for e in case["expect"]):
        assert not [r for r in results if r.status is Status.FAIL], seen


@pytest.mark.parametrize("path", AREA_RULES, ids=lambda p: p.stem)
def test_rule_has_fail_and_pass_cases(path: Path) -> None:
    rule = load_rule(path, REPO / "rules")
    statuses = [{e["status"] for e in c["expect"]} for c in rule.tests]
    assert any("fail" in s for s in statuses)
    assert any("fail" not in s for s in statuses)
