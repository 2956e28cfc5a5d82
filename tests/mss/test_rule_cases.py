"""Every MSS/usage rule's own YAML cases, through the lead's self-test runner, and the
acceptance matrix: each generated defect bundle fails exactly the rules it targets and
each clean twin fails none of this area's rules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from segurcheck.engine.rules import RulePack
from segurcheck.engine.selftest import check_case_coverage, run_case
from segurcheck.model import Result, Status

from .conftest import AREA_RULES, REPO

AREA_IDS = [p.stem for p in AREA_RULES]


@pytest.mark.parametrize("rule_id", AREA_IDS)
def test_rule_own_cases(rule_id: str, pack: RulePack) -> None:
    rule = pack.get(rule_id)
    assert rule is not None
    assert check_case_coverage(rule) is None
    for case in rule.tests:
        outcome = run_case(rule, case, pack, REPO / "fixtures")
        assert outcome.ok, f"{case['name']}: {outcome.detail}"


EXPECTED_FAILS = {
    "mss-clean": set(),
    "usage-clean": set(),
    "mss-header-ins-n": {"MSS-HEADER-INS"},
    "mss-header-ins-missing": {"MSS-HEADER-INS"},
    "mss-header-codecda-wrong": {"MSS-HEADER-CODECDA"},
    "mss-header-nil-missing": {"MSS-HEADER-NIL"},
    "mss-xdm-bad-size": {"MSS-XDM-INTEGRITY"},
    "mss-no-xdm": {"MSS-XDM", "USAGE-MSS"},
    "mss-no-pdfa": {"MSS-PDFA"},
    "mss-subject-wrong": {"MSS-SUBJECT"},
    # two patients also means entry patientIds differ from the SubmissionSet's
    "mss-two-patients": {"MSS-ONE-PATIENT", "MSS-XDM-INTEGRITY"},
    "mss-outside-trust": {"MSS-TRUST-DOMAIN"},
    "mss-parse-broken": {"MSS-PARSE"},
    "usage-no-dmp": {"USAGE-DMP"},
    "usage-no-mss": {"USAGE-MSS"},
}


@pytest.mark.parametrize(("bundle", "expected"), sorted(EXPECTED_FAILS.items()))
def test_defect_matrix(bundle: str, expected: set[str], check: Callable[..., list[Result]]) -> None:
    results = check(bundle, *AREA_IDS)
    failed = {r.rule_id for r in results if r.status is Status.FAIL}
    errors = [(r.rule_id, r.message.en) for r in results if r.status is Status.ERROR]
    assert failed == expected
    assert not errors


def test_committed_fixtures_match_generator(fresh_bundles: Path) -> None:
    committed = REPO / "fixtures" / "bundles"
    for folder in sorted(fresh_bundles.iterdir()):
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = file.relative_to(fresh_bundles)
            assert (committed / rel).read_bytes() == file.read_bytes(), f"{rel} differs: run the generator"
