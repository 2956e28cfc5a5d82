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


def test_response_in_mtom_multipart() -> None:
    from segurcheck.evidence.xds import XdsResponseFacts, parse_response

    body = (BUNDLES / "dmp-clean" / "dmp" / "iti41-response.xml").read_bytes()
    wrapped = (b"--uuid:b1\r\nContent-Type: application/xop+xml; type=\"application/soap+xml\"\r\n"
               b"Content-ID: <root>\r\n\r\n" + body + b"\r\n--uuid:b1--\r\n")
    parsed = parse_response(Source("resp", wrapped))
    assert isinstance(parsed.facts, XdsResponseFacts) and parsed.facts.success
    assert parsed.facts.relates_to.endswith("000000000041")


def test_plain_soap_with_inline_document() -> None:
    import base64

    document = dmp_bundles.cda()
    soap = dmp_bundles.envelope(document).replace(
        b'<xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:doc1@medidpi.example"/>',
        base64.b64encode(document))
    parsed = parse_submission(Source("plain.xml", soap))
    facts = parsed.facts
    assert isinstance(facts, XdsSubmissionFacts) and not facts.mtom
    assert facts.documents[0].source == "inline" and facts.documents[0].size == len(document)
    assert facts.documents[0].cda is not None
    assert facts.vihf is not None and facts.vihf.signature.status == "absent"  # generated unsigned here


def test_patient_ids_masked_in_observed_values() -> None:
    from segurcheck.engine.context import Context, RunOptions
    from segurcheck.engine.vocabulary import Subject
    from segurcheck.model import Dossier
    from segurcheck.predicates.dmp import vihf_patient_matches

    facts, _ = _facts("dmp-vihf-other-patient")
    subject = Subject(evidence="r", key="", value=facts)
    masked = vihf_patient_matches(subject, Context((), Dossier()))
    assert "279035121518989" not in str(masked.observed) and "2790" in masked.observed["patient_ids"]
    shown = vihf_patient_matches(subject, Context((), Dossier(), options=RunOptions(show_identities=True)))
    assert "279035121518989" in shown.observed["patient_ids"]
