"""Human-judged proof files (videos, screenshots, PDFs, texts): what they are, by content.

The tool cannot judge a video; it can say whether the file a manifest names is a
video, an image, a PDF or a text that opens, and not an empty, truncated or
mislabelled file.  The format comes from magic bytes, never from the extension, and
a few cheap structural checks catch truncated files (PDF without ``%%EOF``, PNG
without ``IEND``, MP4 without its ``moov`` index).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

from ..model import Kind, Problem
from .base import Parsed, Source, parser

_TAIL = 2048
_MAX_BOXES = 10_000


@dataclass(frozen=True)
class ProofFacts:
    """``family`` is video, image, pdf, text, or unknown; ``readable`` says whether
    the file looks whole; ``detail`` says what was recognised or what is wrong."""

    family: str
    format: str
    readable: bool
    detail: str


def _tail(source: Source) -> bytes:
    if source.size <= _TAIL:
        return source.head(_TAIL)
    with source.open() as stream:
        stream.seek(max(0, source.size - _TAIL))
        return stream.read(_TAIL)


def _iso_boxes(stream: BinaryIO, size: int) -> set[bytes]:
    """Top-level box types of an ISO-BMFF file (MP4/MOV), walking headers only."""
    found: set[bytes] = set()
    offset = 0
    for _ in range(_MAX_BOXES):
        if offset + 8 > size:
            break
        stream.seek(offset)
        header = stream.read(16)
        if len(header) < 8:
            break
        length, box = struct.unpack(">I4s", header[:8])
        if length == 1 and len(header) >= 16:
            length = struct.unpack(">Q", header[8:16])[0]
        elif length == 0:
            length = size - offset
        if length < 8:
            break
        found.add(box)
        offset += length
    return found


def _video_iso(source: Source, head: bytes) -> ProofFacts:
    brand = head[8:12].decode("ascii", "replace").strip()
    with source.open() as stream:
        boxes = _iso_boxes(stream, source.size)
    fmt = "mov" if brand == "qt" else "mp4"
    family = "image" if brand in ("heic", "heix", "mif1", "avif") else "video"
    if family == "video" and b"moov" not in boxes:
        return ProofFacts(family, fmt, False, f"{fmt} without its moov index (truncated or still being written)")
    return ProofFacts(family, fmt, True, f"{fmt} (brand {brand})")


def _text(head: bytes) -> ProofFacts | None:
    if b"\x00" in head:
        return None
    sample = head
    for cut in range(4):  # the head may end inside a multi-byte character
        try:
            (sample[: len(sample) - cut] if cut else sample).decode("utf-8")
            return ProofFacts("text", "text", True, "UTF-8 text")
        except UnicodeDecodeError:
            continue
    printable = sum(1 for b in head if b >= 0x20 or b in (9, 10, 13))
    if head and printable / len(head) > 0.95:
        return ProofFacts("text", "text", True, "8-bit text")
    return None


def identify(source: Source) -> ProofFacts:
    """Recognise a proof file by its first and last bytes."""
    head = source.head(64)
    if source.size == 0:
        return ProofFacts("unknown", "empty", False, "empty file")
    if head.startswith(b"%PDF-"):
        ok = b"%%EOF" in _tail(source)
        return ProofFacts("pdf", "pdf", ok, "PDF" if ok else "PDF without %%EOF (truncated)")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        ok = b"IEND" in _tail(source)
        return ProofFacts("image", "png", ok, "PNG" if ok else "PNG without IEND (truncated)")
    if head.startswith(b"\xff\xd8\xff"):
        ok = b"\xff\xd9" in _tail(source)
        return ProofFacts("image", "jpeg", ok, "JPEG" if ok else "JPEG without end marker (truncated)")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return ProofFacts("image", "gif", True, "GIF")
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return ProofFacts("image", "tiff", True, "TIFF")
    if head[:2] == b"BM" and len(head) >= 6 and struct.unpack("<I", head[2:6])[0] == source.size:
        return ProofFacts("image", "bmp", True, "BMP")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ProofFacts("image", "webp", True, "WebP")
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return ProofFacts("video", "avi", True, "AVI")
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return ProofFacts("video", "webm", True, "WebM/Matroska")
    if head[4:8] == b"ftyp":
        return _video_iso(source, head)
    if head[:4] == b"PK\x03\x04":
        return ProofFacts("unknown", "zip", False, "ZIP archive (office document or archive): export the proof as PDF, image or video")
    text = _text(source.head(4096))
    if text is not None:
        return text
    return ProofFacts("unknown", "binary", False, "not a video, image, PDF or text")


@parser(Kind.PROOF)
def parse_proof(source: Source) -> Parsed:
    facts = identify(source)
    problems = [] if facts.readable else [Problem(facts.detail)]
    return Parsed(facts=facts, problems=problems, identity=source.sha256)
