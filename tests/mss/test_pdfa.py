"""PDF/A identification from XMP: element and attribute forms, compressed metadata,
and PDFs that say nothing."""

from __future__ import annotations

import zlib
from pathlib import Path

from fixtures.gen.mss_bundles import tiny_pdf
from segurcheck.pdfa import pdfa_claim


def test_element_form() -> None:
    claim = pdfa_claim(tiny_pdf("1"))
    assert claim.is_pdf and claim.pdfa1 and claim.conformance == "B"


def test_other_part_and_none() -> None:
    assert pdfa_claim(tiny_pdf("2")).part == "2" and not pdfa_claim(tiny_pdf("2")).pdfa1
    none = pdfa_claim(tiny_pdf(None))
    assert none.is_pdf and none.part == ""
    assert not pdfa_claim(b"not a pdf").is_pdf


def test_attribute_form() -> None:
    packet = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" pdfaid:part="1" '
        b'pdfaid:conformance="A"/></rdf:RDF></x:xmpmeta>'
    )
    claim = pdfa_claim(b"%PDF-1.4\n1 0 obj\n<< /Type /Metadata >>\nstream\n" + packet + b"\nendstream\n%%EOF")
    assert claim.pdfa1 and claim.conformance == "A"


def test_flate_compressed_metadata_is_still_read() -> None:
    packet = tiny_pdf("1").split(b"stream\n", 1)[1].split(b"\nendstream", 1)[0]
    body = zlib.compress(packet)
    head = b"%%PDF-1.4\n4 0 obj\n<< /Type /Metadata /Subtype /XML /Filter /FlateDecode /Length %d >>\n"
    pdf = head % len(body) + b"stream\n"
    claim = pdfa_claim(pdf + body + b"\nendstream\nendobj\n%%EOF")
    assert claim.pdfa1 and claim.compressed_metadata


def test_real_cda_embedded_pdf_has_no_pdfa_claim(shared_data: Path) -> None:
    """The official N1 example embeds a PDF 1.5 without pdfaid (shared data README)."""
    import base64

    from segurcheck.evidence.xml import descendants, parse_xml

    root = parse_xml((shared_data / "cda" / "DOC_NON_STRUCTURE_CDA-R2-N1.xml").read_bytes())
    text = next(e for e in descendants(root, "text") if e.get("mediaType") == "application/pdf")
    claim = pdfa_claim(base64.b64decode("".join((text.text or "").split())))
    assert claim.is_pdf and not claim.pdfa1
