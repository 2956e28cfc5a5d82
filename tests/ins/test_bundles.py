"""The generated INS/INSi bundles (fixtures/gen/ins_bundles.py) through every rule of
the area, including masking of a non-fictitious identity in every result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import segurcheck.engine.evaluate as evaluate_mod
from segurcheck.engine.rules import Rule, load_rule
from segurcheck.model import Result, Status

from .harness import make_context

ROOT = Path(__file__).resolve().parents[2]

from fixtures.gen.ins_bundles import UNKNOWN, bundles  # noqa: E402


def own_rules() -> list[Rule]:
    paths = sorted((ROOT / "rules" / "ins").glob("*.yaml")) + sorted((ROOT / "rules" / "insi").glob("*.yaml"))
    paths += [ROOT / "rules" / "dossier" / n for n in ("DOSSIER-REAL-PATIENT.yaml", "DOSSIER-VERSION.yaml")]
    return [load_rule(p, ROOT / "rules") for p in paths]


def run(name: str, **options: Any) -> list[Result]:
    import yaml

    files = {k: v.encode() for k, v in bundles()[name].items() if k != "segur.yaml"}
    manifest = yaml.safe_load(bundles()[name]["segur.yaml"])
    ctx = make_context(files, manifest, **options)
    return [r for rule in own_rules() for r in evaluate_mod.evaluate_rule(rule, ctx)]


def by_rule(results: list[Result], rule_id: str) -> list[Result]:
    return [r for r in results if r.rule_id == rule_id]


def test_clean_bundle_has_no_failure() -> None:
    results = run("ins-clean")
    failing = [(r.rule_id, r.evidence, r.message.en) for r in results if r.status in (Status.FAIL, Status.ERROR)]
    assert failing == []
    assert any(r.rule_id == "INS-TRAITS-MISMATCH" and r.status is Status.PASS for r in results)
    assert all(r.status is Status.PASS for r in by_rule(results, "DOSSIER-VERSION"))


def test_first_name_mismatch_names_the_trait() -> None:
    [finding] = [r for r in by_rule(run("ins-traits-mismatch"), "INS-TRAITS-MISMATCH") if r.status is Status.FAIL]
    assert finding.evidence == "cda/lettre.xml"
    assert finding.observed["traits"] == "first_name, given_list"
    assert "DOMINICA" in finding.message.en and "DOMINIQUE" in finding.message.en  # fictitious: shown
    assert "first birth first name" in finding.message.en


def test_historical_matricule() -> None:
    results = run("ins-historical")
    [finding] = [r for r in by_rule(results, "INS-HISTORICAL") if r.status is Status.FAIL]
    assert finding.observed["active"] == "109076322083489"


def test_test_oid_in_production() -> None:
    results = by_rule(run("ins-oid-test-in-production"), "INS-OID")
    assert {(r.evidence, r.status) for r in results} == {
        ("cda/lettre.xml", Status.FAIL),
        ("insi/01-response.xml", Status.PASS),
    }


def test_unknown_identity_in_test_dossier_and_masking() -> None:
    results = run("dossier-real-patient")
    real = by_rule(results, "DOSSIER-REAL-PATIENT")
    assert real and all(r.status is Status.FAIL for r in real)
    secrets = [
        UNKNOWN.matricule,
        UNKNOWN.matricule[:13],
        UNKNOWN.birth_name,
        UNKNOWN.first_name,
        "ODETTE",
        UNKNOWN.birth_date,
    ]
    for r in results:
        text = " ".join([r.message.fr, r.message.en, r.location, *r.observed.values()])
        for secret in secrets:
            assert secret not in text, (r.rule_id, secret)
    assert any("2480*********57" in r.message.en for r in real)


def test_show_identities_reveals() -> None:
    results = run("dossier-real-patient", show_identities=True)
    assert any(UNKNOWN.matricule in r.message.en for r in by_rule(results, "DOSSIER-REAL-PATIENT"))


def test_fault_desir_550() -> None:
    results = run("insi-fault-desir550")
    [fault] = [r for r in by_rule(results, "INSI-FAULT") if r.status is Status.FAIL]
    assert "IDAM" in fault.message.en and "desir_550" in fault.message.en
    pairs = {r.evidence: r.observed.get("method") for r in by_rule(results, "INSI-UNPAIRED")}
    assert pairs["insi/04-fault.xml"] == "wsa:RelatesTo"


@pytest.mark.parametrize("name", sorted(bundles()))
def test_generated_bundle_is_committed_and_current(name: str) -> None:
    directory = ROOT / "fixtures" / "bundles" / name
    for rel, text in bundles()[name].items():
        assert (directory / rel).read_text(encoding="utf-8") == text, f"regenerate fixtures: {name}/{rel}"


def test_dossier_version_over_any_software_claim() -> None:
    """DOSSIER-VERSION reads every item's ``software`` claims, whatever the kind."""
    from segurcheck.claims import SoftwareClaim
    from segurcheck.engine.context import Context
    from segurcheck.model import Dossier, EvidenceItem, Kind

    class Facts:
        def __init__(self, *claims: SoftwareClaim) -> None:
            self.software = claims

    items = (
        EvidenceItem("dmp/sub.xml", Kind.XDS_SUBMISSION, 1, "", "a", Facts(SoftwareClaim("MediDPI", "4.2.1", "/vihf", "vihf"))),
        EvidenceItem("mss/m.eml", Kind.MSS_MESSAGE, 1, "", "b", Facts(SoftwareClaim("MediDPI", "4.0", "X-Mailer", "mss-x-mailer"))),
        EvidenceItem("dmp/red.xml", Kind.XDS_SUBMISSION, 1, "", "c", Facts(SoftwareClaim("XXXXXXX", "XXXXXXX", "/vihf", "vihf"))),
        EvidenceItem("insi/r.xml", Kind.INSI_REQUEST, 1, "", "d", Facts(SoftwareClaim("urn:lps:medidpi:4.2.1", "", "/lps", "insi"))),
    )
    ctx = Context(items, Dossier(software="MediDPI", version="4.2.1"))
    [rule] = [r for r in own_rules() if r.id == "DOSSIER-VERSION"]
    statuses = {r.evidence: r.status for r in evaluate_mod.evaluate_rule(rule, ctx)}
    assert statuses == {
        "dmp/sub.xml": Status.PASS,
        "mss/m.eml": Status.FAIL,
        "dmp/red.xml": Status.NOT_APPLICABLE,
        "insi/r.xml": Status.PASS,
    }
