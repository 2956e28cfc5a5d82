"""ebRIM metadata extraction on the real XDM METADATA.XML (a namespace-less fragment)."""

from __future__ import annotations

from pathlib import Path

from segurcheck.evidence.ebrim import read_submission
from segurcheck.evidence.xml import parse_xml

WRAP = (b'<w xmlns="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0" '
        b'xmlns:ns3="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0">%s</w>')


def test_real_xdm_metadata(shared_data: Path) -> None:
    data = (shared_data / "xds" / "METADATA.XML").read_bytes()
    meta = read_submission(parse_xml(WRAP % data))
    assert [e.id for e in meta.entries] == ["DocumentKOS", "Signature01"]
    kos = meta.entries[0]
    assert kos.slot("size") == "5164"
    assert kos.code("typeCode") is not None and kos.code("typeCode").code == "IMG-KOS"  # type: ignore[union-attr]
    assert [c.code for c in meta.entries[1].codes["confidentialityCode"]] == ["N", "MASQUE_PS", "INVISIBLE_PATIENT"]
    assert meta.submission_sets[0].patient_id.startswith("162018885045327^^^&1.2.250.1.213.1.4.10")
    assert kos.authors[0].person.startswith("899700367909^")
    # the bogus ExternalIdentifier (scheme '1.2.3') is reported, not silently taken
    assert any("1.2.3" in p for p in meta.problems)


def test_no_request() -> None:
    meta = read_submission(parse_xml(b"<a/>"))
    assert meta.entries == () and meta.problems
