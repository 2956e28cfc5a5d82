"""Every case of every rules/pki/*.yaml, run through the PKI harness.

Fixture cases get the generated test roots as trust anchors, as
``--trust fixtures/bundles/_trust`` does.  Each case must find, for every expected
entry, a result of that status (and evidence when given)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from pki_harness import BUNDLES, SimpleManifest, generated_anchors, load_dir, make_item, pki_rules, run

from segurcheck.engine.rules import Rule

CASES = [(rule, case) for rule in pki_rules() for case in rule.tests]


def _items(case: dict, tmp: Path):
    if "fixture" in case:
        return load_dir(BUNDLES / case["fixture"])
    items = []
    for name, content in case.get("files", {}).items():
        data = base64.b64decode(content["base64"]) if isinstance(content, dict) else content.encode()
        items.append(make_item(name, data)[0])
    return items, SimpleManifest()


@pytest.mark.parametrize(("rule", "case"), CASES, ids=[f"{r.id}:{c['name']}" for r, c in CASES])
def test_rule_case(rule: Rule, case: dict, tmp_path: Path) -> None:
    items, manifest = _items(case, tmp_path)
    options = case.get("options", {})
    results = run(items, manifest, env=options.get("env"), as_of=options.get("as_of"), rules=[rule],
                  anchors=generated_anchors())
    for expected in case["expect"]:
        matching = [r for r in results if r.status.value == expected["status"]
                    and ("evidence" not in expected or r.evidence == expected["evidence"])]
        summary = [(r.evidence, r.status.value, r.message.en) for r in results]
        assert matching, f"no {expected} in {summary}"
        if "count" in expected:
            assert len(matching) == expected["count"], summary


@pytest.mark.parametrize("rule", pki_rules(), ids=[r.id for r in pki_rules()])
def test_rule_fails_its_own_fail_case_only_with_its_predicate(rule: Rule) -> None:
    """An always-pass check must make at least one fail case fail (the cases bite)."""
    from dataclasses import replace

    from segurcheck.engine.vocabulary import PREDICATES, Verdict

    PREDICATES.setdefault("always_pass_for_test", lambda subject, ctx, **_: Verdict.ok())
    neutered = replace(rule, check="always_pass_for_test")
    bitten = False
    for case in rule.tests:
        if not any(e["status"] == "fail" for e in case["expect"]):
            continue
        items, manifest = _items(case, Path())
        options = case.get("options", {})
        results = run(items, manifest, env=options.get("env"), as_of=options.get("as_of"), rules=[neutered],
                      anchors=generated_anchors())
        bitten = bitten or not any(r.status.value == "fail" for r in results)
    assert bitten
