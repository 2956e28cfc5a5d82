"""PDF/A identification from a PDF's XMP metadata (MSS/CONF.23: documents also as PDF/A-1).

A PDF declares its PDF/A part in the XMP packet (``pdfaid:part``, namespace
``http://www.aiim.org/pdfa/ns/id/``), either as an attribute of ``rdf:Description`` or as
an element.  PDF/A-1 forbids filters on the metadata stream, so the packet is found in
the raw bytes; Flate-compressed metadata streams are also inflated (bounded) so that a
non-conforming but declared file is still recognised and reported for what it claims.
This checks the declaration only, not full PDF/A conformance (that needs veraPDF).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from .evidence.xml import XmlError, local_name, parse_xml

PDFAID_NS = "http://www.aiim.org/pdfa/ns/id/"
_PACKET = re.compile(rb"<x:xmpmeta\b.*?</x:xmpmeta>|<rdf:RDF\b.*?</rdf:RDF>", re.S)
_FLATE_STREAM = re.compile(rb"/Type\s*/Metadata[^>]*?/FlateDecode[^>]*>>\s*stream\r?\n", re.S)
_MAX_INFLATE = 4 * 1024 * 1024


@dataclass(frozen=True)
class PdfaClaim:
    """What the PDF says about itself ('' when it says nothing)."""

    is_pdf: bool
    part: str
    conformance: str
    compressed_metadata: bool = False

    @property
    def pdfa1(self) -> bool:
        return self.part == "1"


def _from_packet(packet: bytes) -> tuple[str, str]:
    try:
        root = parse_xml(packet, recover=True)
    except XmlError:
        root = None
    if root is not None:
        part = conformance = ""
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            for key, value in element.attrib.items():
                if key == f"{{{PDFAID_NS}}}part":
                    part = part or str(value).strip()
                elif key == f"{{{PDFAID_NS}}}conformance":
                    conformance = conformance or str(value).strip()
            if element.tag == f"{{{PDFAID_NS}}}part":
                part = part or (element.text or "").strip()
            elif element.tag == f"{{{PDFAID_NS}}}conformance" and local_name(element):
                conformance = conformance or (element.text or "").strip()
        if part:
            return part, conformance
    # Fallback for packets whose namespace declarations are broken.
    found = re.search(rb"pdfaid:part\s*(?:=\s*[\"']|>)\s*(\d)", packet)
    level = re.search(rb"pdfaid:conformance\s*(?:=\s*[\"']|>)\s*([A-Za-z])", packet)
    return (found.group(1).decode() if found else "", level.group(1).decode() if level else "")


def pdfa_claim(data: bytes) -> PdfaClaim:
    """The PDF/A part and conformance level a PDF declares in its XMP metadata."""
    if data.lstrip()[:5] != b"%PDF-":
        return PdfaClaim(False, "", "")
    for match in _PACKET.finditer(data):
        part, conformance = _from_packet(match.group(0))
        if part:
            return PdfaClaim(True, part, conformance)
    for match in _FLATE_STREAM.finditer(data):
        inflater = zlib.decompressobj()
        try:
            chunk = inflater.decompress(data[match.end() : match.end() + _MAX_INFLATE], _MAX_INFLATE)
        except zlib.error:
            continue
        packet = _PACKET.search(chunk)
        if packet:
            part, conformance = _from_packet(packet.group(0))
            if part:
                return PdfaClaim(True, part, conformance, compressed_metadata=True)
    return PdfaClaim(True, "", "")
