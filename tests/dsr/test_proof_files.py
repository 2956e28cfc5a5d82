"""Proof files are recognised by content, and truncated ones are caught."""

from __future__ import annotations

import struct

import pytest

from segurcheck.evidence.base import Source
from segurcheck.evidence.proof import identify, parse_proof


def _box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


MP4 = _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2") + _box(b"moov", b"\x00" * 16) + _box(b"mdat", b"\x01" * 64)


@pytest.mark.parametrize(
    ("data", "family", "readable"),
    [
        (b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n", "pdf", True),
        (b"%PDF-1.7\n1 0 obj<<>>endobj\n", "pdf", False),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20 + b"IEND\xaeB`\x82", "image", True),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "image", False),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20 + b"\xff\xd9", "image", True),
        (MP4, "video", True),
        (MP4[: MP4.index(b"moov") - 4], "video", False),
        (b"\x1a\x45\xdf\xa3" + b"\x00" * 20, "video", True),
        (b"Traces de la BAL, 2026-11-02 : envoi OK\n", "text", True),
        (b"PK\x03\x04" + b"\x00" * 30, "unknown", False),
        (b"\x00\x01\x02\x03\xfe\xff" * 10, "unknown", False),
        (b"", "unknown", False),
    ],
)
def test_identify(data: bytes, family: str, readable: bool):
    facts = identify(Source("p", data))
    assert (facts.family, facts.readable) == (family, readable), facts


def test_parser_reports_unreadable_as_problem():
    parsed = parse_proof(Source("p.pdf", b"%PDF-1.4 cut"))
    assert parsed.facts is not None and not parsed.facts.readable
    assert parsed.problems and "truncated" in parsed.problems[0].message


def test_large_mp4_is_streamed(tmp_path):
    big = _box(b"ftyp", b"isom\x00\x00\x02\x00") + _box(b"mdat", b"\x00" * 3_000_000) + _box(b"moov", b"\x00" * 8)
    path = tmp_path / "v.mp4"
    path.write_bytes(big)
    facts = identify(Source("v.mp4", opener=lambda: path.open("rb"), size=len(big)))
    assert facts.readable and facts.format == "mp4"
