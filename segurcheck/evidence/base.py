"""What every evidence parser receives and returns, and the registry of parsers.

A parser module (``segurcheck/evidence/<kind>.py``) registers one function per kind
with ``@parser(Kind.X)``.  It gets a ``Source`` (the bytes, read once, plus a lazily
parsed XML root shared with the sniffer so XML is parsed only once) and returns a
``Parsed``: typed facts, problems, and nested children that the bundle walker
sniffs and parses in turn (named ``outer!inner``).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from lxml import etree

from ..model import Kind, Problem
from .xml import XmlError, canonical_identity, parse_xml


class Source:
    """The content of one bundle item, with its XML root parsed at most once.

    Small items come with their bytes; large ones (usage exports of millions of rows)
    come with an ``opener`` so a parser can stream them: ``data`` reads the whole
    content only when a parser asks for it, ``open()`` never does.
    """

    def __init__(
        self,
        path: str,
        data: bytes | None = None,
        *,
        opener: Callable[[], BinaryIO] | None = None,
        size: int | None = None,
        depth: int = 0,
        parent: str | None = None,
    ):
        if data is None and opener is None:
            raise ValueError("a Source needs data or an opener")
        self.path = path
        self._data = data
        self._opener = opener
        self._size = len(data) if data is not None else (size or 0)
        self.depth = depth
        self.parent = parent
        self._xml: etree._Element | None = None
        self._xml_error: str | None = None
        self._sha256: str | None = None

    @property
    def data(self) -> bytes:
        if self._data is None:
            assert self._opener is not None
            with self._opener() as stream:
                self._data = stream.read()
        return self._data

    def open(self) -> BinaryIO:
        """A binary stream of the content, without loading it all in memory."""
        if self._data is not None:
            return io.BytesIO(self._data)
        assert self._opener is not None
        return self._opener()

    def head(self, n: int = 65536) -> bytes:
        if self._data is not None:
            return self._data[:n]
        with self.open() as stream:
            return stream.read(n)

    @property
    def size(self) -> int:
        return self._size

    @property
    def sha256(self) -> str:
        """SHA-256 of the content, streamed for large items."""
        if self._sha256 is None:
            digest = hashlib.sha256()
            if self._data is not None:
                digest.update(self._data)
            else:
                with self.open() as stream:
                    for block in iter(lambda: stream.read(1 << 20), b""):
                        digest.update(block)
            self._sha256 = digest.hexdigest()
        return self._sha256

    def xml(self) -> etree._Element:
        """The XML root (hardened parser); raises ``XmlError`` when not well-formed."""
        if self._xml is None:
            if self._xml_error is not None:
                raise XmlError(self._xml_error)
            try:
                self._xml = parse_xml(self.data)
            except XmlError as exc:
                self._xml_error = str(exc)
                raise
        return self._xml

    def try_xml(self) -> etree._Element | None:
        try:
            return self.xml()
        except XmlError:
            return None


@dataclass(frozen=True)
class Child:
    """A nested item found inside a source (attachment, archived file, embedded cert)."""

    name: str
    data: bytes
    kind: Kind | None = None  # force the kind when the container knows it


@dataclass
class Parsed:
    """What a parser made of a source."""

    facts: Any = None
    problems: list[Problem] = field(default_factory=list)
    children: list[Child] = field(default_factory=list)
    identity: str | None = None


ParserFn = Callable[[Source], Parsed]
_PARSERS: dict[Kind, ParserFn] = {}


def parser(kind: Kind) -> Callable[[ParserFn], ParserFn]:
    """Register the parser of one evidence kind (one per kind)."""

    def register(fn: ParserFn) -> ParserFn:
        if kind in _PARSERS and _PARSERS[kind] is not fn:
            raise RuntimeError(f"two parsers registered for {kind.value}")
        _PARSERS[kind] = fn
        return fn

    return register


def parser_for(kind: Kind) -> ParserFn | None:
    return _PARSERS.get(kind)


def xml_identity(source: Source) -> str:
    """Content identity of an XML source that ignores formatting, so fingerprints
    survive pretty-printing; falls back to the byte hash."""
    root = source.try_xml()
    if root is None:
        return source.sha256
    try:
        return hashlib.sha256(canonical_identity(root)).hexdigest()
    except (etree.Error, ValueError):
        return source.sha256
