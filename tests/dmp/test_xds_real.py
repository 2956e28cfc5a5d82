"""The real DRIMbox ITI-41 trace (broken MIME, indented parts) is parsed tolerantly."""

from __future__ import annotations

from pathlib import Path

from segurcheck.evidence.base import Source
from segurcheck.evidence.xds import XdsSubmissionFacts, parse_submission


def test_publication_parsed_with_defects_reported(shared_data: Path) -> None:
    parsed = parse_submission(Source("publication.xml", (shared_data / "xds" / "publication.xml").read_bytes()))
    facts = parsed.facts
    assert isinstance(facts, XdsSubmissionFacts)
    messages = " | ".join(p.message for p in parsed.problems)
    assert "indented" in messages and "leading whitespace" in messages
    kos = facts.document("DocumentKOS")
    assert kos is not None and kos.size == 8450
    assert kos.sha1 == facts.metadata.entry("DocumentKOS").slot("hash")  # type: ignore[union-attr]
    sig = facts.document("Signature01")
    # the stored signature part is a pretty-printed copy: its bytes do not match the declared hash
    assert sig is not None and sig.sha1 != facts.metadata.entry("Signature01").slot("hash")  # type: ignore[union-attr]
    assert facts.vihf is not None and facts.vihf.version == "3.0" and facts.vihf.name_id == "899700367909"
    # the certificate was redacted (XXXXXXX): no certificate child, signature not valid
    assert facts.vihf.signature.status != "valid"
    # neither the DICOM KOS nor the DSG signature is a CDA: no nested evidence item for them
    assert [c.name for c in parsed.children] == []
    sources = {o.source for o in facts.identities}
    assert {"xds-patientId", "xds-sourcePatientId", "xds-sourcePatientInfo", "vihf-resource-id"} <= sources
    assert all(o.matricule == "162018885045327" for o in facts.identities)


def test_garbage_is_a_problem() -> None:
    parsed = parse_submission(Source("x", b"--b\nContent-Type: text/plain\n\nhello\n--b--\n"))
    assert parsed.facts is None and parsed.problems
