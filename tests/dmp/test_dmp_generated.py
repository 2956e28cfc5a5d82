"""Generated traffic: each clean twin passes the DMP/CDA rules, each defect fails its rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures.gen import dmp_bundles, testpki
from segurcheck.evidence.base import Source
from segurcheck.evidence.xds import XdsSubmissionFacts, parse_submission
from segurcheck.model import Kind
from segurcheck.xmldsig import verify_enveloped

BUNDLES = Path(__file__).resolve().parents[2] / "fixtures" / "bundles"


def _facts(name: str) -> tuple[XdsSubmissionFacts, list[object]]:
    data = (BUNDLES / name / "dmp" / "iti41-request.txt").read_bytes()
    parsed = parse_submission(Source("r", data))
    assert isinstance(parsed.facts, XdsSubmissionFacts)
    return parsed.facts, list(parsed.children)


def test_clean_submission_children_and_signature() -> None:
    facts, children = _facts("dmp-clean")
    assert facts.vihf is not None and facts.vihf.signature.status == "valid"
    kinds = [getattr(c, "kind", None) for c in children]
    assert kinds == [None, Kind.CERTIFICATE]
    assert facts.documents[0].cda is not None and facts.documents[0].cda.code == "11488-4"
    assert facts.software[0].name == "MediDPI" and facts.software[0].version == "4.2.1"
    assert facts.problems == ()


def test_tampered_vihf_fails_verification() -> None:
    facts, _ = _facts("dmp-vihf-tampered")
    assert facts.vihf is not None and facts.vihf.signature.status == "invalid"
    assert "digest" in facts.vihf.signature.reason


def test_signature_value_tamper_detected() -> None:
    from lxml import etree

    pki = testpki.test_pki()
    signer = pki.issue("MEDIDPI SIGN", profile="org-sign", serial=0x4101)
    doc = dmp_bundles.cda()
    soap = dmp_bundles.sign_assertion(dmp_bundles.envelope(doc), signer)
    root = etree.fromstring(soap)
    assertion = root.find(".//{urn:oasis:names:tc:SAML:2.0:assertion}Assertion")
    assert assertion is not None and verify_enveloped(assertion).status == "valid"
    value = root.find(".//{http://www.w3.org/2000/09/xmldsig#}SignatureValue")
    assert value is not None and value.text
    value.text = ("A" if value.text[0] != "A" else "B") + value.text[1:]
    assert verify_enveloped(assertion).status == "invalid"


@pytest.mark.parametrize("bundle", sorted(p.name for p in BUNDLES.glob("dmp-*")))
def test_every_generated_submission_parses(bundle: str) -> None:
    facts, _ = _facts(bundle)
    assert facts.metadata.entries and facts.documents
