"""Untrusted input: truncated or corrupted submissions and CDAs never raise."""

from __future__ import annotations

import random
from pathlib import Path

from segurcheck.evidence.base import Source
from segurcheck.evidence.cda import parse_cda
from segurcheck.evidence.xds import parse_response, parse_submission

BUNDLES = Path(__file__).resolve().parents[2] / "fixtures" / "bundles"


def test_truncated_and_corrupted_inputs_never_raise() -> None:
    request = (BUNDLES / "dmp-clean" / "dmp" / "iti41-request.txt").read_bytes()
    document = (BUNDLES / "cda-clean" / "documents" / "cr-consultation.xml").read_bytes()
    rng = random.Random(41)
    samples: list[bytes] = [request[:n] for n in range(0, len(request), max(1, len(request) // 60))]
    for _ in range(60):
        corrupted = bytearray(request)
        for _ in range(5):
            corrupted[rng.randrange(len(corrupted))] = rng.randrange(256)
        samples.append(bytes(corrupted))
    for data in samples:
        parse_submission(Source("r", data))
        parse_response(Source("r", data))
    for n in range(0, len(document), max(1, len(document) // 40)):
        parse_cda(Source("d", document[:n]))
    parsed = parse_cda(Source("d", document.replace(b'representation="B64">', b'representation="B64">!!', 1)))
    assert parsed.facts is not None and parsed.facts.level1 is not None
    assert not parsed.facts.level1.is_pdf and "base64" in parsed.facts.level1.defect
