"""Waivers: validation with line numbers, waived/expired/stale results, reviewer mode."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from gate_reports import AS_OF, report, result, three_failures

from segurcheck.baseline import apply_baseline, baseline_from_dict
from segurcheck.model import Severity, Status
from segurcheck.waivers import (
    EXPIRED_RULE,
    STALE_RULE,
    WaiverError,
    apply_waivers,
    load_waivers,
    looks_like_waivers,
    parse_waivers,
)

VALID = """\
waivers:
  - rule: INS-KEY
    evidence: "cda/*.xml"
    reason: official example with a known bad key
    owner: jane.doe@example.org
    expires: 2027-03-31
    ticket: QUAL-123
  - rule: PKI-EXPIRED
    evidence: certs/old.pem
    reason: renewal ordered
    owner: ops@example.org
    expires: 2026-11-01
"""


def test_valid_file_loads_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(VALID, encoding="utf-8")
    waivers = load_waivers(path)
    assert [(w.rule, w.line, w.expires) for w in waivers] == [
        ("INS-KEY", 2, dt.date(2027, 3, 31)),
        ("PKI-EXPIRED", 8, dt.date(2026, 11, 1)),
    ]
    assert waivers[0].ticket == "QUAL-123"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("waivers:\n  - rule: INS-KEY\n    evidence: a\n    owner: x\n    expires: 2027-01-01\n",
         "waivers:2: waivers[0]: 'reason' is a required property"),
        ("waivers:\n  - rule: INS-KEY\n    evidence: a\n    owner: x\n    reason: ok ok\n",
         "waivers:2: waivers[0]: 'expires' is a required property"),
        ("waivers:\n  - rule: INS-KEY\n    evidence: a\n    owner: x\n    reason: ok ok\n    expires: soon\n",
         "waivers:6: waivers[0].expires"),
        ("waivers:\n  - rule: INS-KEY\n    evidence: a\n    owner: x\n    reason: '   '\n    expires: 2027-01-01\n",
         "waivers:5: waivers[0].reason: 'reason' must not be blank"),
        ("waivers:\n  - rule: INS-KEY\n    owner: x\n    reason: ok ok\n    expires: 2027-01-01\n",
         "waivers:2: waivers[0]: a waiver must name its subject"),
        ("waivers:\n  - rule: INS-KEY\n    evidence: a\n    owner: x\n    reason: ok ok\n    expires: 2027-02-30\n",
         "waivers:6: waivers[0].expires"),
        ("waivers:\n  - rule: INS-KEY\n   evidence: [\n", "waivers:3: not valid YAML"),
    ],
)
def test_invalid_entries_name_the_line(text: str, expected: str) -> None:
    with pytest.raises(WaiverError) as err:
        parse_waivers(text)
    assert str(err.value).startswith(expected), str(err.value)


def test_second_entry_error_points_at_its_own_line(tmp_path: Path) -> None:
    text = VALID + "  - rule: INS-OID\n    fingerprint: 0123456789abcdef\n    owner: x\n    expires: 2027-01-01\n"
    path = tmp_path / "w.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WaiverError, match=r"^w.yaml:13: waivers\[2\]: 'reason'"):
        load_waivers(path)


def test_acceptance_waived_expired_and_known() -> None:
    """3 failures: one under a valid waiver, one under an expired waiver, one in the baseline."""
    base = three_failures()
    waivers = parse_waivers(VALID)
    baseline = baseline_from_dict({"results": [
        {"fingerprint": base.results[2].fingerprint, "status": "fail", "rule_id": "XDS-PATIENTID"}]})
    out = apply_baseline(apply_waivers(base, waivers, AS_OF), baseline)
    by_rule = {(r.rule_id, r.evidence): r for r in out.results}
    waived = by_rule[("INS-KEY", "cda/a.xml")]
    assert waived.status is Status.WAIVED and waived.waiver == waivers[0]
    assert "official example" in waived.waiver_note
    assert by_rule[("INS-KEY", "cda/b.xml")].status is Status.PASS
    expired = by_rule[("PKI-EXPIRED", "certs/old.pem")]
    assert expired.status is Status.FAIL and expired.baseline == "new" and expired.waiver == waivers[1]
    known = by_rule[("XDS-PATIENTID", "dmp/sub.xml")]
    assert known.status is Status.FAIL and known.baseline == "known"
    notice = by_rule[(EXPIRED_RULE, "")]
    assert notice.status is Status.FAIL and notice.severity is Severity.MAJOR
    assert notice.observed["waived_rule"] == "PKI-EXPIRED" and notice.observed["matched"] == "1"
    assert out.blocking == 2 and out.gating_blocking == 1  # exit status 1: the expired one is new
    assert out.verdict == "not_ready"


def test_acceptance_ignore_waivers_counts_all_three() -> None:
    base = three_failures()
    waivers = parse_waivers(VALID)
    out = apply_waivers(base, waivers, AS_OF, ignore=True)
    fails = [r for r in out.results if r.status is Status.FAIL and r.area != "waivers"]
    assert len(fails) == 3 and out.blocking == 3
    ins = next(r for r in fails if r.rule_id == "INS-KEY")
    assert ins.waiver == waivers[0] and ins.waiver_note.startswith("ignored (reviewer mode)")
    assert any("Reviewer mode" in n.en for n in out.notices)


def test_only_valid_waiver_covering_everything_gives_exit_zero() -> None:
    base = report(result("INS-KEY", "cda/a.xml"))
    out = apply_waivers(base, parse_waivers(VALID)[:1], AS_OF)
    assert out.blocking == 0 and out.gating_blocking == 0 and out.count(Status.WAIVED) == 1


def test_expiry_day_is_still_valid() -> None:
    base = report(result("INS-KEY", "cda/a.xml"))
    waivers = parse_waivers(VALID)[:1]
    assert apply_waivers(base, waivers, dt.date(2027, 3, 31)).results[0].status is Status.WAIVED
    after = apply_waivers(base, waivers, dt.date(2027, 4, 1))
    assert after.results[0].status is Status.FAIL
    assert [r.rule_id for r in after.results[1:]] == [EXPIRED_RULE]


def test_stale_waiver_is_reported_and_errors_are_not_waivable() -> None:
    base = report(result("INS-KEY", "cda/a.xml", status=Status.ERROR))
    out = apply_waivers(base, parse_waivers(VALID)[:1], AS_OF)
    assert out.results[0].status is Status.ERROR and out.results[0].waiver is None
    stale = out.results[1]
    assert stale.rule_id == STALE_RULE and stale.severity is Severity.MINOR and stale.location == "waivers line 2"


def test_fingerprint_and_glob_must_both_match() -> None:
    target = result("INS-KEY", "cda/a.xml")
    other = result("INS-KEY", "cda/b.xml")
    text = (f"waivers:\n  - rule: INS-KEY\n    evidence: 'cda/*'\n    fingerprint: {target.fingerprint}\n"
            "    reason: known\n    owner: me\n    expires: 2030-01-01\n")
    out = apply_waivers(report(target, other), parse_waivers(text), AS_OF)
    assert [r.status for r in out.results] == [Status.WAIVED, Status.FAIL]


def test_waiver_results_fingerprint_ignores_line() -> None:
    moved = "\n\n" + VALID
    a = apply_waivers(report(), parse_waivers(VALID), AS_OF)
    b = apply_waivers(report(), parse_waivers(moved), AS_OF)
    assert [r.fingerprint for r in a.results] == [r.fingerprint for r in b.results]
    assert [r.location for r in a.results] != [r.location for r in b.results]


def test_bundled_waiver_detection() -> None:
    assert looks_like_waivers(VALID)
    assert not looks_like_waivers("segurcheck: 1\ndossier: {}\n")
    assert not looks_like_waivers(": [")


def test_schema_is_valid_json_schema() -> None:
    import jsonschema

    from segurcheck.resources import schema

    jsonschema.Draft202012Validator.check_schema(schema("waivers"))
    assert json.dumps(schema("waivers"))


def test_aliases_are_refused_so_a_yaml_bomb_cannot_blow_up() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(20)
    ) + "waivers: [*u]\n"
    with pytest.raises(WaiverError, match="anchors and aliases"):
        parse_waivers(bomb)


def test_impossible_date_in_a_shipped_file_is_not_a_crash() -> None:
    text = "waivers:\n  - rule: INS-KEY\n    evidence: a\n    reason: why not\n    owner: x\n    expires: 2027-02-30\n"
    assert looks_like_waivers(text)
    with pytest.raises(WaiverError, match=r"waivers:6: waivers\[0\]\.expires"):
        parse_waivers(text)
