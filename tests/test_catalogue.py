"""The rule pack holds every rule ID of the shared catalogue with its default severity."""

from __future__ import annotations

import re

import pytest

from segurcheck.engine.rules import load_pack

from .conftest import SHARED_DATA

CHECKS = SHARED_DATA.parent / "CHECKS.md"


def test_every_catalogue_rule_exists_with_its_severity() -> None:
    if not CHECKS.is_file():
        pytest.skip(f"the shared check catalogue is not at {CHECKS}")
    rows = re.findall(r"^\| ([A-Z]+(?:-[A-Z0-9]+)+) \| (blocking|major|minor|info) \|", CHECKS.read_text(), re.MULTILINE)
    assert len(rows) >= 60
    pack = {rule.id: rule.severity.value for rule in load_pack().rules}
    missing = [rule_id for rule_id, _ in rows if rule_id not in pack]
    assert not missing, f"catalogue rules missing from the pack: {missing}"
    wrong = [(rule_id, sev, pack[rule_id]) for rule_id, sev in rows if pack[rule_id] != sev]
    assert not wrong, f"default severities differ from the catalogue: {wrong}"


def test_rule_requirements_come_from_the_dsr_data() -> None:
    """Never an invented requirement ID: every one a rule cites is in the ANS data."""
    import csv

    data = SHARED_DATA / "dsr" / "requirements-va2.csv"
    if not data.is_file():
        pytest.skip(f"the DSR working data is not at {data}")
    with data.open(encoding="utf-8", newline="") as fh:
        known = {row["requirement_id"] for row in csv.DictReader(fh)}
    cited = {(rule.id, req) for rule in load_pack().rules for req in rule.requirements}
    assert cited, "no rule cites a requirement: the check would be empty"
    invented = sorted(pair for pair in cited if pair[1] not in known)
    assert not invented, f"requirement IDs absent from the DSR data: {invented}"
